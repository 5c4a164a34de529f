"""A fake Telegram Bot API server on loopback for tests.

The real aiogram client talks to it over HTTP exactly as it talks to api.telegram.org:
``Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))``.
Requests arrive as ``POST {base}/bot{token}/{method}``, form-urlencoded or multipart/form-data
(uploads are parts named by a random key and referenced from a field as ``attach://key``);
non-string parameters (numbers, booleans, reply_markup...) arrive JSON-encoded inside the form.

The server answers like Telegram (``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": ...}``), keeps the chat state needed for edits
and deletions, serves pushed updates through ``getUpdates`` long polling, records every call
and can be told to fail the next calls of a method.

Group helpers: ``push_poll_answer`` votes, ``stopPoll`` also queues a ``poll`` update (as Telegram does for
polls the bot stops), ``make_admin`` makes getChatMember answer "administrator".

What it does not model: entity parsing (``parse_mode`` text is echoed as sent), rate limits
(use :meth:`FakeTelegram.fail_next`), media probing (width/height/duration come from the params,
0 when absent), webhooks.
"""
from __future__ import annotations

import asyncio
import copy
import html
import io
import itertools
import json
import mimetypes
import re
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

DEFAULT_TOKEN = "123456:TEST-token"
DEFAULT_USER_ID = 1001
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CLOUD_UPLOAD_LIMIT = 50 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: CONFLICT,
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Update types Telegram delivers when allowed_updates is empty (all but these three).
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Parameters that are strings even when they look like JSON ("123", "true").
STRING_PARAMS = frozenset(
    {
        "text", "caption", "question", "explanation", "parse_mode", "caption_parse_mode",
        "explanation_parse_mode", "question_parse_mode", "data", "title", "description",
        "short_description", "name", "callback_query_id", "inline_message_id",
        "business_connection_id", "message_effect_id", "emoji", "action", "url", "query",
        "language_code", "custom_title", "performer", "file_name", "sticker", "payload",
        "currency", "start_parameter", "invite_link", "secret_token", "ip_address", "file_id",
    }
)  # fmt: skip
_JSON_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null")
ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
    "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
    "can_change_info": True, "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
    "can_delete_stories": False, "can_send_welcome_messages": False,
}  # fmt: skip
MEDIA_KINDS = ("video", "document", "photo", "audio", "animation", "voice")


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class Call:
    """One recorded Bot API request and the answer it got."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    time: float = field(default_factory=time.monotonic)  # time.monotonic() at arrival
    status: int = 200  # HTTP status of the answer (200 or the error_code)
    result: Any = None  # the "result" answered (None for errors and while a long poll waits)
    description: str | None = None  # the error description, for failed calls

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Fault:
    status: int
    description: str
    parameters: dict[str, Any] | None
    remaining: int


class TelegramError(Exception):
    """Raised inside method handlers; becomes ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {description}")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def decode_param(name: str, raw: str) -> Any:
    """Decode one form field: JSON objects, arrays and scalars, except for known string params."""
    if name in STRING_PARAMS:
        return raw
    stripped = raw.strip()
    if stripped[:1] in ("{", "[") or _JSON_SCALAR.fullmatch(stripped):
        try:
            return json.loads(stripped)
        except ValueError:
            return raw
    return raw


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length of ``text`` after a rough HTML entity parse (Telegram counts the parsed text)."""
    if parse_mode and parse_mode.upper() == "HTML":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(text)


Handler = Callable[[Call], Awaitable[Any]]


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 that records calls and serves pushed updates."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, upload_limit: int = CLOUD_UPLOAD_LIMIT) -> None:
        self.token = token
        self.upload_limit = upload_limit
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "DigiTeller",
            "username": "digiteller_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.base_url = ""
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat id, message id) -> Message
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files: dict[str, UploadedFile] = {}  # file_id -> uploaded content
        self.polls: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.admins: dict[int, set[int]] = {}  # chat id -> ids of its administrators (see make_admin)
        self._media: dict[str, dict[str, Any]] = {}  # file_id -> media object, to resend by file_id
        self._file_paths: dict[str, str] = {}  # file_path -> file_id
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._serial = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._faults: dict[str, deque[_Fault]] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "sendPoll": self._send_poll,
                "stopPoll": self._stop_poll,
                "sendMediaGroup": self._send_media_group,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "getFile": self._get_file,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                **{f"send{kind.capitalize()}": self._media_sender(kind) for kind in MEDIA_KINDS},
            }.items()
        }
        self._true_methods = {
            name.lower()
            for name in (
                "deleteWebhook", "setWebhook", "sendChatAction", "answerCallbackQuery", "deleteMessages",
                "setMyDescription", "setMyShortDescription", "setMyName", "deleteMyCommands",
                "setChatMenuButton", "setMessageReaction", "pinChatMessage", "unpinChatMessage",
                "leaveChat", "close", "logOut",
            )
        }  # fmt: skip

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        """Bind 127.0.0.1 on a free port and serve; returns ``base_url`` (``http://127.0.0.1:N``)."""
        app = web.Application(client_max_size=self.upload_limit)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._closing = False
        return self.base_url

    async def stop(self) -> None:
        """Release waiting long polls and shut the server down."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- test helpers: calls

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of ``method`` (case-insensitive), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 30.0,
        *,
        start: int = 0,
    ) -> Call:
        """Wait until a call of ``method`` matching ``predicate`` is recorded and return the first one.

        Only ``calls[start:]`` are considered: pass ``start=len(fake.calls)`` to wait for a new call.
        Raises AssertionError, listing the calls seen, after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls[start:]:
                if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                    return call
            if time.monotonic() >= deadline:
                raise AssertionError(self._describe_miss(method, predicate, timeout, start))
            await asyncio.sleep(0.01)

    def _describe_miss(self, method: str, predicate: object, timeout: float, start: int) -> str:
        seen = self.calls[start:]
        summary = ", ".join(f"{call.method}[{call.status}]" for call in seen if call.method != "getUpdates")
        same = [call.params for call in seen if call.method.lower() == method.lower()]
        lines = [f"no {method} call{' matching the predicate' if predicate else ''} within {timeout} s"]
        lines.append(f"calls seen: {summary or 'none but getUpdates'}")
        if same:
            lines.append(f"{method} params seen: {same}")
        return "\n".join(lines)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error instead of handling them.

        429 gets ``retry_after`` (default 1) in ``parameters`` and the description
        "Too Many Requests: retry after N", like Telegram; 413 "Request Entity Too Large",
        500 "Internal Server Error" etc. by default.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        extra = dict(parameters or {})
        if retry_after is not None:
            extra["retry_after"] = retry_after
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
            )
        fault = _Fault(status, description, extra or None, times)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    # ---------------------------------------------------------------- test helpers: updates

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (without ``update_id``) for getUpdates; returns it with its id."""
        update = {"update_id": next(self._update_ids), **copy.deepcopy(payload)}
        self._updates.append(update)
        self._wake()
        return copy.deepcopy(update)

    def push_message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        language_code: str | None = "ru",
        chat_type: str = "private",
        username: str | None = "tester",
        first_name: str = "Tester",
        *,
        title: str = "Story club",
        **extra: Any,
    ) -> dict[str, Any]:
        """Queue a message from a user; returns the Message dict.

        ``chat_type`` is "private" (chat id = user id by default), "group" or "supergroup"
        (negative chat ids, -100 / -1001000000000 by default). ``extra`` goes into the message.
        """
        user = self._user(user_id, first_name, username, language_code)
        chat = self._chat_for_push(chat_id, chat_type, user, title)
        message = self._store_message(chat, from_user=user, text=text, **extra)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        self.push_update({"message": message})
        return copy.deepcopy(message)

    def push_callback(
        self,
        data: str,
        message: dict[str, Any] | Call,
        user_id: int = DEFAULT_USER_ID,
        language_code: str | None = "ru",
        username: str | None = "tester",
        first_name: str = "Tester",
    ) -> dict[str, Any]:
        """Queue a button press on a bot ``message`` (a Message dict or the Call that sent it).

        The message is taken in its current state (after edits) when the fake knows it.
        Returns the CallbackQuery dict.
        """
        if isinstance(message, Call):
            message = message.result
        key = (message["chat"]["id"], message["message_id"])
        current = self.messages.get(key, message)
        query = {
            "id": str(next(self._serial) * 7919),
            "from": self._user(user_id, first_name, username, language_code),
            "message": copy.deepcopy(current),
            "chat_instance": str(abs(key[0]) * 31 + 17),
            "data": data,
        }
        self.push_update({"callback_query": query})
        return query

    def push_poll_answer(
        self, poll_id: str, option_ids: list[int], user_id: int = DEFAULT_USER_ID, first_name: str = "Tester"
    ) -> dict[str, Any]:
        """Queue a vote in a non-anonymous poll; returns the PollAnswer dict."""
        persistent: list[str] = []
        if poll := self.polls.get(poll_id):
            for index in option_ids:
                poll["options"][index]["voter_count"] += 1
                persistent.append(poll["options"][index]["persistent_id"])
            poll["total_voter_count"] += 1
        answer = {
            "poll_id": poll_id,
            "user": self._user(user_id, first_name, None, "ru"),
            "option_ids": option_ids,
            "option_persistent_ids": persistent,
        }
        self.push_update({"poll_answer": answer})
        return answer

    def make_admin(self, chat_id: int, user_id: int) -> None:
        """getChatMember answers "administrator" for this user in this chat from now on."""
        self.admins.setdefault(chat_id, set()).add(user_id)

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages now in a chat (after edits and deletions), oldest first."""
        found = [msg for (chat, _), msg in self.messages.items() if chat == chat_id]
        return copy.deepcopy(sorted(found, key=lambda msg: msg["message_id"]))

    # ---------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, files = await self._read_request(request)
        except web.HTTPRequestEntityTooLarge:
            params, files = {}, {}
            call = Call(method, params, files)
            self.calls.append(call)
            return self._error(call, TelegramError(413, "Request Entity Too Large"))
        call = Call(method, params, files)
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            return self._error(call, TelegramError(401, "Unauthorized"))
        if fault := self._take_fault(method):
            return self._error(call, TelegramError(fault.status, fault.description, fault.parameters))
        try:
            result = await self._dispatch(call)
        except TelegramError as error:
            return self._error(call, error)
        call.result = copy.deepcopy(result)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        file_id = self._file_paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or file_id is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=self.files[file_id].content, content_type="application/octet-stream")

    async def _read_request(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        if request.content_type == "application/json":
            body = await request.json()
            return dict(request.query) | dict(body or {}), {}
        form: MultiDictProxy[Any] = await request.post()
        params: dict[str, Any] = {name: decode_param(name, value) for name, value in request.query.items()}
        parts: dict[str, UploadedFile] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                parts[name] = UploadedFile(value.filename, content, value.content_type)
            else:
                params[name] = decode_param(name, value)
        return params, _resolve_attachments(params, parts)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _error(self, call: Call, error: TelegramError) -> web.Response:
        call.status, call.description = error.status, error.description
        body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.status)

    async def _dispatch(self, call: Call) -> Any:
        name = call.method.lower()
        if handler := self._handlers.get(name):
            return await handler(call)
        if name not in self._true_methods:
            self.unknown_methods.append(call.method)
        return True

    def _wake(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    # ---------------------------------------------------------------- state helpers

    def _user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return copy.deepcopy(user)

    def _chat_for_push(
        self, chat_id: int | None, chat_type: str, user: dict[str, Any], title: str
    ) -> dict[str, Any]:
        if chat_type == "private":
            chat = {"id": chat_id if chat_id is not None else user["id"], "type": "private"}
            chat |= {key: user[key] for key in ("first_name", "username") if key in user}
        else:
            default_id = -100 if chat_type == "group" else -1001000000000
            chat = {"id": chat_id if chat_id is not None else default_id, "type": chat_type, "title": title}
        self.chats[chat["id"]] = chat
        return dict(chat)

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        """The chat a method names; unknown numeric ids are accepted (private if positive)."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username") == chat_id[1:]:
                    return dict(chat)
            raise bad_request("chat not found")
        try:
            numeric = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if numeric not in self.chats:
            kind = "private" if numeric > 0 else "supergroup" if numeric <= -1_000_000_000_000 else "group"
            chat: dict[str, Any] = {"id": numeric, "type": kind}
            chat |= {"first_name": "User"} if numeric > 0 else {"title": "Chat"}
            self.chats[numeric] = chat
        return dict(self.chats[numeric])

    def _store_message(self, chat: dict[str, Any], *, from_user: dict[str, Any], **content: Any) -> dict[str, Any]:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message = {"message_id": next(counter), "from": from_user, "chat": chat, "date": int(time.time())}
        message |= {key: value for key, value in content.items() if value is not None}
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Store and return a message the bot sends, with the common echoed fields."""
        chat = self._chat(params.get("chat_id"))
        markup = _inline_markup(params.get("reply_markup"))
        message = self._store_message(chat, from_user=dict(self.bot_user), reply_markup=markup, **content)
        reply_to = _reply_target(params)
        if reply_to is not None and (chat["id"], reply_to) in self.messages:
            message["reply_to_message"] = copy.deepcopy(self.messages[(chat["id"], reply_to)])
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        return copy.deepcopy(message)

    def _find_message(self, params: dict[str, Any], action: str) -> dict[str, Any]:
        key = (self._chat(params.get("chat_id"))["id"], params.get("message_id"))
        if key not in self.messages:
            raise bad_request(f"message to {action} not found")
        return self.messages[key]

    # ---------------------------------------------------------------- methods

    async def _get_me(self, call: Call) -> dict[str, Any]:
        return dict(self.bot_user)

    async def _get_webhook_info(self, call: Call) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        params = call.params
        self._confirm_updates(params.get("offset"))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        limit = max(1, min(int(params.get("limit") or 100), 100))
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll still waiting gets 409, as on Telegram
        while True:
            waiting = self._wakeup
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise TelegramError(409, CONFLICT)
            ready = [update for update in self._updates if self._is_allowed(update)][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return copy.deepcopy(ready)
            try:
                await asyncio.wait_for(waiting.wait(), remaining)
            except TimeoutError:
                pass

    def _confirm_updates(self, offset: Any) -> None:
        if not offset:
            return
        offset = int(offset)
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self._allowed_updates

    async def _send_message(self, call: Call) -> dict[str, Any]:
        params = call.params
        text = str(params.get("text") or "")
        _check_text(text, params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        return self._bot_message(params, text=text)

    async def _edit_message_text(self, call: Call) -> dict[str, Any] | bool:
        params = call.params
        text = str(params.get("text") or "")
        _check_text(text, params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(message, "text", text, params.get("reply_markup"))

    async def _edit_message_caption(self, call: Call) -> dict[str, Any] | bool:
        params = call.params
        caption = params.get("caption")
        _check_caption(caption, params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        return self._apply_edit(message, "caption", caption, params.get("reply_markup"))

    async def _edit_message_reply_markup(self, call: Call) -> dict[str, Any] | bool:
        params = call.params
        _check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._find_message(params, "edit")
        field_name = "text" if "text" in message else "caption"
        return self._apply_edit(message, field_name, message.get(field_name), params.get("reply_markup"))

    def _apply_edit(self, message: dict[str, Any], field_name: str, value: Any, markup: Any) -> dict[str, Any]:
        """Edit ``message`` in place; an edit without reply_markup removes the inline keyboard."""
        new_markup = _inline_markup(markup)
        if message.get(field_name) == value and message.get("reply_markup") == new_markup:
            raise TelegramError(400, NOT_MODIFIED)
        if value is None:
            message.pop(field_name, None)
        else:
            message[field_name] = value
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _delete_message(self, call: Call) -> bool:
        message = self._find_message(call.params, "delete")
        del self.messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _media_sender(self, kind: str) -> Handler:
        async def send(call: Call) -> dict[str, Any]:
            params = call.params
            if params.get(kind) is None and kind not in call.files:
                raise bad_request(f"there is no {kind} in the request")
            _check_caption(params.get("caption"), params.get("parse_mode"))
            _check_markup(params.get("reply_markup"))
            media = self._media_object(kind, params, call.files.get(kind), call.files.get("thumbnail"))
            return self._bot_message(params, caption=params.get("caption"), **{kind: media})

        return send

    def _media_object(
        self,
        kind: str,
        params: dict[str, Any],
        upload: UploadedFile | None,
        thumbnail: UploadedFile | None,
    ) -> Any:
        """The Video/Document/PhotoSize list... object Telegram returns for a sent file."""
        source = params.get(kind)
        if upload is None and isinstance(source, str) and source in self._media:
            return copy.deepcopy(self._media[source])  # resent by file_id
        if upload is None:  # an unknown file_id or a URL: Telegram would fetch it
            upload = UploadedFile(str(source).rsplit("/", 1)[-1] or kind, b"")
        file_id = self._register_file(kind, upload)
        base: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": upload.size}
        if kind == "photo":
            width, height = _image_size(upload.content)
            media: Any = [base | {"width": width, "height": height}]
        else:
            base |= {"file_name": upload.filename, "mime_type": _mime_type(upload)}
            for key in ("width", "height", "duration"):
                if kind in ("video", "animation") or (key == "duration" and kind in ("audio", "voice")):
                    base[key] = int(params.get(key) or 0)
            for key in ("performer", "title"):
                if kind == "audio" and params.get(key):
                    base[key] = params[key]
            if thumbnail is not None and kind != "voice":
                thumb_id = self._register_file("thumbnail", thumbnail)
                width, height = _image_size(thumbnail.content)
                base["thumbnail"] = {
                    "file_id": thumb_id, "file_unique_id": f"U{thumb_id}",
                    "file_size": thumbnail.size, "width": width, "height": height,
                }  # fmt: skip
            media = base
        self._media[file_id] = copy.deepcopy(media)
        return media

    def _register_file(self, kind: str, upload: UploadedFile) -> str:
        number = next(self._serial)
        file_id = f"{kind.upper()}-{number:06d}-{self.bot_user['id']}"
        self.files[file_id] = upload
        suffix = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
        self._file_paths[f"{kind}s/file_{number}.{suffix}"] = file_id
        return file_id

    async def _send_media_group(self, call: Call) -> list[dict[str, Any]]:
        params = call.params
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the album")
        group_id = str(10**12 + next(self._serial))
        sent = []
        for item in media:
            kind = item.get("type", "photo")
            source = item.get("media", "")
            upload = call.files.get(source[len("attach://") :]) if source.startswith("attach://") else None
            item_params = item | {kind: source}
            thumb_ref = str(item.get("thumbnail", ""))
            thumbnail = call.files.get(thumb_ref[len("attach://") :]) if thumb_ref.startswith("attach://") else None
            _check_caption(item.get("caption"), item.get("parse_mode"))
            media_object = self._media_object(kind, item_params, upload, thumbnail)
            content = {kind: media_object, "caption": item.get("caption"), "media_group_id": group_id}
            sent.append(self._bot_message({"chat_id": params.get("chat_id")}, **content))
        return sent

    async def _send_poll(self, call: Call) -> dict[str, Any]:
        params = call.params
        options = [option if isinstance(option, str) else option.get("text", "") for option in params.get("options") or []]
        if len(options) < 2:
            raise bad_request("POLL_OPTIONS_TOO_FEW")
        poll_id = str(5_000_000_000 + next(self._serial))
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": params.get("question", ""),
            "options": [
                {"persistent_id": f"{poll_id}-{index}", "text": text, "voter_count": 0}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", False)),
            "members_only": bool(params.get("members_only", False)),
        }
        for key in ("correct_option_id", "explanation", "open_period", "close_date"):
            if params.get(key) is not None:
                poll[key] = params[key]
        self.polls[poll_id] = poll
        return self._bot_message(params, poll=poll)

    async def _stop_poll(self, call: Call) -> dict[str, Any]:
        message = self._find_message(call.params, "stop")
        poll = self.polls.get(message.get("poll", {}).get("id", ""))
        if poll is None:
            raise bad_request("message with poll to stop not found")
        poll["is_closed"] = True
        message["poll"] = copy.deepcopy(poll)
        self.push_update({"poll": copy.deepcopy(poll)})  # Telegram tells the bot about polls it stops
        return copy.deepcopy(poll)

    async def _set_my_commands(self, call: Call) -> bool:
        self.commands[_commands_key(call.params)] = list(call.params.get("commands") or [])
        return True

    async def _get_my_commands(self, call: Call) -> list[dict[str, Any]]:
        return copy.deepcopy(self.commands.get(_commands_key(call.params), []))

    async def _get_file(self, call: Call) -> dict[str, Any]:
        file_id = call.params.get("file_id")
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        path = next(path for path, known in self._file_paths.items() if known == file_id)
        size = self.files[file_id].size
        return {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": size, "file_path": path}

    async def _get_chat(self, call: Call) -> dict[str, Any]:
        chat = self._chat(call.params.get("chat_id"))
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
            False,
        )
        return chat | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def _get_chat_member(self, call: Call) -> dict[str, Any]:
        user_id = int(call.params.get("user_id") or 0)
        if user_id == self.bot_user["id"]:
            return {"status": "member", "user": dict(self.bot_user)}
        user = self.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "User"})
        chat_id = self._chat(call.params.get("chat_id"))["id"]
        if user_id in self.admins.get(chat_id, set()):
            return {"status": "administrator", "user": copy.deepcopy(user), **ADMIN_RIGHTS}
        return {"status": "member", "user": copy.deepcopy(user)}


# -------------------------------------------------------------------- module helpers


def _resolve_attachments(params: dict[str, Any], parts: dict[str, UploadedFile]) -> dict[str, UploadedFile]:
    """Key uploaded parts by the parameter that references them (``video="attach://x"`` -> "video")."""
    files: dict[str, UploadedFile] = {}
    used: set[str] = set()
    for name, value in params.items():
        if isinstance(value, str) and value.startswith("attach://") and value[len("attach://") :] in parts:
            files[name] = parts[value[len("attach://") :]]
            used.add(value[len("attach://") :])
    files |= {name: part for name, part in parts.items() if name not in used}
    return files


def _inline_markup(markup: Any) -> dict[str, Any] | None:
    """Telegram echoes only inline keyboards in Message.reply_markup."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return copy.deepcopy(markup)
    return None


def _reply_target(params: dict[str, Any]) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and reply.get("message_id"):
        return int(reply["message_id"])
    if params.get("reply_to_message_id"):
        return int(params["reply_to_message_id"])
    return None


def _check_text(text: str, parse_mode: str | None) -> None:
    if not text.strip():
        raise bad_request("message text is empty")
    if visible_length(text, parse_mode) > TEXT_LIMIT:
        raise bad_request("message is too long")


def _check_caption(caption: str | None, parse_mode: str | None) -> None:
    if caption and visible_length(caption, parse_mode) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")


def _check_markup(markup: Any) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")


def _commands_key(params: dict[str, Any]) -> str:
    scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
    return f"{scope}|{params.get('language_code') or ''}"


def _mime_type(upload: UploadedFile) -> str:
    guessed, _ = mimetypes.guess_type(upload.filename)
    return guessed or upload.content_type or "application/octet-stream"


def _image_size(content: bytes) -> tuple[int, int]:
    """(width, height) of an image, (0, 0) when it cannot be read."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            return image.size
    except Exception:  # noqa: BLE001 - any unreadable bytes
        return 0, 0


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2

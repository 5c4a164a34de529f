"""The faults and bad inputs the test suite puts the service through, run now, as a table of what survived.

Run: `.venv/bin/python bench/reliability.py` (about two minutes; real redis-server, fake Bot API, real worker).
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = [
    "tests/test_faults.py", "tests/test_worker.py", "tests/test_token_secrecy.py", "tests/test_security.py",
    "tests/test_bad_input.py", "tests/test_cache.py",
    "tests/test_bot_queue.py::test_telegram_flood_control_on_send_video_is_waited_out",
    "tests/test_bot_queue.py::test_a_failing_stage_is_told_in_the_users_language_without_a_traceback",
    "tests/test_bot_queue.py::test_a_job_past_its_timeout_is_stopped_and_the_user_told",
    "tests/test_bot_queue.py::test_a_delivered_job_run_again_sends_nothing",
    "tests/test_bot.py::test_bad_titles_get_a_clear_answer_and_nothing_is_queued",
    "tests/test_bot.py::test_markup_in_a_title_is_echoed_as_plain_text",
    "tests/test_bot.py::test_bad_answers_are_asked_again_at_each_step",
    "tests/test_bot.py::test_the_same_request_twice_runs_once",
    "tests/test_bot_limits.py::test_throttling_answers_a_flood_once",
]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:cacheprovider",
                   "--hypothesis-show-statistics", f"--junitxml={report}"]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        cases = ET.parse(report).getroot().iter("testcase")
        rows = [(case.get("classname", "").rsplit(".", 1)[-1], case.get("name", ""),
                 "failed" if case.find("failure") is not None or case.find("error") is not None
                 else "skipped" if case.find("skipped") is not None else "survived") for case in cases]  # fmt: skip
    examples = sum(int(n) for n in re.findall(r"(\d+) passing, \d+ failing", done.stdout))
    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{'module':<20} {'scenario':<100} result")
    for module, name, result in rows:
        print(f"{module:<20} {name.encode().decode('unicode_escape')[:100]:<100} {result}")
    survived = sum(result == "survived" for *_, result in rows)
    print(f"\n{survived} of {len(rows)} fault and bad-input scenarios survived; "
          f"{examples} generated texts thrown at the title parser and the writer by hypothesis")
    sys.exit(0 if survived == len(rows) else 1)


if __name__ == "__main__":
    main()

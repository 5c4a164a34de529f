"""Subprocesses get argument lists, never a shell; no bot token is committed."""
from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "pipeline", "workers", "bench")
SHELL_CALLS = {("os", "system"), ("os", "popen"), ("subprocess", "getoutput"), ("subprocess", "getstatusoutput")}
TOKEN_PATTERN = re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")  # the shape of a real Bot API token


def python_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def shell_uses(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if (func.value.id, func.attr) in SHELL_CALLS:
                found.append(node.lineno)
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                found.append(node.lineno)
        if isinstance(func, ast.Attribute) and func.attr == "create_subprocess_shell":
            found.append(node.lineno)
    return found


def test_no_code_runs_a_shell():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if (lines := shell_uses(ast.parse(path.read_text(), filename=str(path))))
    }
    assert python_files() and offenders == {}


def test_the_repository_holds_no_bot_token():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    leaks = []
    for name in filter(None, tracked.decode().split("\0")):
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            text = path.read_text(errors="ignore")
            leaks += [f"{name}: {m.group()[:12]}…" for m in TOKEN_PATTERN.finditer(text)]
    assert leaks == []

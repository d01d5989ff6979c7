"""Every ```console block of docs/work.md runs and prints exactly what the page shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "work.md"


def examples():
    text = PAGE.read_text(encoding="utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        command, _, output = block.partition("\n")
        assert command.startswith("$ ")
        yield command[2:], output


@pytest.mark.parametrize("command, expected", list(examples()))
def test_console_example(command, expected):
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    p = subprocess.run(shlex.split(command), capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    got = p.stdout + p.stderr
    if got and not got.endswith("\n"):
        got += "\n"
    if p.returncode:
        got += f"[exit {p.returncode}]\n"
    assert got == expected

"""Every example in the documentation runs: each ```console block of README.md and docs/**/*.md.

The format (docs/contributing.md, "Examples that run"): a command line starts with `$ ` (a line
ending in `\\` continues on the next), and the lines after it, up to the next `$ ` line or the
end of the block, are its output: stdout then stderr (or stderr first, as a terminal shows a
warning written before the result); a last line `[exit N]` is the exit code (none: 0). Numbers
compare within rel 1e-12, as the golden records do (tests/golden/harness.py's compare_text).
An HTML comment `<!-- not run: REASON -->` on the line before a block leaves it out.

The commands of a block run in order in one temporary folder holding a copy of samples/ (a
command may write a file the next one reads). A plain `diffcli ...` line runs in this process
(fast); a line with a pipe, a redirection, `;`, a variable or another program runs through bash,
with `diffcli` this checkout's code.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import pytest

from conftest import invoke
from golden.harness import ENV, compare_text

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

BLOCK = re.compile(r"^```console[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
SKIP = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->\s*$")
EXIT = re.compile(r"^\[exit (\d+)\]$")
SHELL = set("|<>;&$`*?(){}")  # beyond these, a plain diffcli line runs in process

# What some commands need beyond the test extra: without it the block is skipped, with the reason.
NEEDS = (
    (
        re.compile(r"diffcli graph .*--(svg|png|pdf)\b"),
        lambda: shutil.which("dot"),
        "Graphviz's `dot` is not installed",
    ),
    (re.compile(r"--plot |diffcli plot .*--png"), lambda: find_spec("matplotlib"), "matplotlib is not installed"),
)


@dataclass
class Example:
    command: str
    output: list[str] = field(default_factory=list)

    @property
    def expected(self) -> tuple[str, int]:
        lines = list(self.output)
        code = 0
        if lines and EXIT.match(lines[-1]):
            code = int(EXIT.match(lines.pop()).group(1))
        return "\n".join(lines), code


@dataclass
class Block:
    page: Path
    line: int
    examples: list[Example]
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        found.append(Block(page, line, examples(m.group(1)), skip.group(1) if skip else None))
    return found


def examples(body: str) -> list[Example]:
    """The commands of a block and the lines shown after each."""
    found: list[Example] = []
    lines = body.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1].rstrip() + " " + lines[i].strip()
            found.append(Example(command))
        elif found:
            found[-1].output.append(line)
        else:
            raise AssertionError(f"a console block starts with output, not a `$ ` command: {line!r}")
        i += 1
    return found


ALL = [b for page in PAGES for b in blocks(page)]


def in_process(command: str) -> list[str] | None:
    """The arguments of a plain `diffcli ...` line, or None when it needs a shell."""
    words = shlex.split(command)
    if not words or words[0] != "diffcli" or _needs_shell(command):
        return None
    return words[1:]


def _needs_shell(command: str) -> bool:
    """A shell character outside quotes (a pipe, a redirection, `;`, a variable, a glob)."""
    quote = None
    for ch in command:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in SHELL:
            return True
    return False


@pytest.fixture(scope="module")
def shell_bin(tmp_path_factory) -> Path:
    """A folder whose `diffcli` runs this checkout's code with this interpreter."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "diffcli"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m diffcli "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def run_shell(command: str, where: Path, shell_bin: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV or ENV[k] is not None}
    env.update({k: v for k, v in ENV.items() if v is not None})
    env["PATH"] = f"{shell_bin}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    r = subprocess.run(["bash", "-c", command], cwd=where, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def run(example: Example, where: Path, shell_bin: Path) -> tuple[int, str, str]:
    args = in_process(example.command)
    if args is None:
        return run_shell(example.command, where, shell_bin)
    r = invoke(*args, env=dict(ENV))
    return r.code, r.stdout, r.stderr


def test_the_pages_have_examples():
    assert any(b.page.name == "README.md" for b in ALL)
    assert all(b.examples for b in ALL), [b.id for b in ALL if not b.examples]


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_console_block_runs_as_shown(block: Block, tmp_path, monkeypatch, shell_bin):
    if block.skip:
        pytest.skip(f"not run: {block.skip}")
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    left_out = []
    for example in block.examples:
        missing = next(
            (reason for pattern, present, reason in NEEDS if pattern.search(example.command) and not present()), None
        )
        if missing:
            left_out.append(f"`{example.command}`: {missing}")
            continue
        expected, code = example.expected
        got_code, out, err = run(example, tmp_path, shell_bin)
        where = f"{block.id}: $ {example.command}"
        assert got_code == code, f"{where}: exit {got_code}, shown {code}\n{err}"
        shown = [(out + err).rstrip("\n"), (err + out).rstrip("\n")]
        problems = [compare_text(expected, text) for text in shown]
        assert None in problems, f"{where}:\n{problems[0]}\n--- got ---\n{shown[0]}\n--- shown ---\n{expected}"
    if left_out:
        pytest.skip("the other commands ran as shown; not run: " + "; ".join(left_out))


def test_a_block_reads_as_commands_outputs_and_exit_codes():
    body = "$ diffcli grad x --at x=1 \\\n    --format plain\n1\n1\n$ diffcli grad y --at x=1\nerror: y\n[exit 2]\n"
    first, second = examples(body)
    assert first.command == "diffcli grad x --at x=1 --format plain" and first.expected == ("1\n1", 0)
    assert second.expected == ("error: y", 2)
    with pytest.raises(AssertionError, match="starts with output"):
        examples("12\n$ diffcli grad x --at x=1\n")


@pytest.mark.parametrize(
    "command, in_this_process",
    [
        ('diffcli grad "x*y" --at x=1,y=2', True),
        ("diffcli eval 'a|b; c > d' --at x=1", True),  # quoted: no shell
        ("diffcli plot x --range x=0:1 --format csv | head -3", False),
        ("printf 'x\\n1\\n' | diffcli grad x --points -", False),
        ("diffcli grad x --at x=1 > out.txt", False),
        ("cat points.csv", False),
    ],
)
def test_plain_diffcli_lines_run_in_this_process(command, in_this_process):
    assert (in_process(command) is not None) == in_this_process

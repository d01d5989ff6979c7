"""Error types and SPEC's exit codes, plus the small text helpers error messages share.

The library raises; only the CLI (`cli/main.py`) prints an `error:` line and picks the exit code.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

EXIT_OK = 0
EXIT_MISMATCH = 1  # `check` found a disagreement
EXIT_BAD_INPUT = 2
EXIT_NONFINITE = 3  # a non-finite result (or a kink) under --strict / --kinks error
EXIT_OUTPUT = 4  # an output could not be written
EXIT_INTERNAL = 70  # a bug of ours (EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class DiffcliError(Exception):
    """A failure the user can mend; `message` is the one line after `error: `, `detail` the
    lines printed beneath it (the input line and a caret)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, detail: str = "", exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        if exit_code is not None:
            self.exit_code = exit_code


class ShapeError(DiffcliError):
    """Operands whose shapes do not fit together (exit 2)."""


class OutputError(DiffcliError):
    """An output file or stream could not be written (exit 4)."""

    exit_code = EXIT_OUTPUT


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM, raised by the handlers of `interrupt.py` (not an Exception,
    so that no `except Exception` swallows it; not a KeyboardInterrupt, so that click does not
    turn it into a silent exit). `result` is what an interrupted run reached, when it has one
    (`minimize`, `fit`); `exit_code` is 128 + the signal number (130, 143)."""

    def __init__(self, signum: int, result: Any = None):  # the partial Result (errors is a leaf)
        super().__init__(signum)
        self.signum = signum
        self.result = result
        self.exit_code = 128 + signum


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean `sin`?)' for the closest choice, or '' when none is close. Case is
    ignored first (`X` -> `x`, `SIN` -> `sin`), then spelling."""
    choices = sorted(choices)
    same = [c for c in choices if c.lower() == word.lower() and c != word]
    if same:
        return f" (did you mean `{same[0]}`?)"
    lowered = {c.lower(): c for c in reversed(choices)}
    close = difflib.get_close_matches(word.lower(), sorted(lowered), n=1, cutoff=0.6)
    return f" (did you mean `{lowered[close[0]]}`?)" if close else ""


WINDOW = 120  # characters of an input line shown around a caret
# Control characters (but tab) shown as U+FFFD, so the input cannot drive the terminal.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def printable(text: str) -> str:
    """`text` with control characters (but tab and newline) replaced, for the terminal."""
    return text.translate(_CONTROLS)


def shorten(fragment: str, limit: int = 60) -> str:
    """`fragment` on one line, cut to `limit` characters with `...`."""
    fragment = " ".join(fragment.split())
    return fragment if len(fragment) <= limit else fragment[: limit - 3] + "..."


def caret(text: str, line: int, column: int, width: int = 1) -> str:
    """The 1-based `line` of `text` and, beneath it, a caret under `column` (1-based); with
    `width`, carets under that many characters (cut at the end of the line)."""
    start = 0
    for _ in range(line - 1):  # find the line without splitting a text of megabytes
        found = text.find("\n", start)
        if found < 0:
            start = len(text) + 1
            break
        start = found + 1
    end = text.find("\n", start)
    shown = text[start : end if end >= 0 else len(text)] if line >= 1 and start <= len(text) else ""
    prefix = f"line {line}: " if "\n" in text else ""
    column = max(column - 1, 0)
    if len(shown) > WINDOW:  # a window around the place, not a line of megabytes
        begin = max(0, min(column - WINDOW // 2, len(shown) - WINDOW))
        cut = shown[begin : begin + WINDOW]
        shown = ("..." if begin else "") + cut + ("..." if begin + WINDOW < len(shown) else "")
        column = column - begin + (3 if begin else 0)
    shown = printable(shown)  # no terminal escapes from the input; one char for one
    pad = "".join(c if c == "\t" else " " for c in shown[:column])
    width = max(1, min(width, len(shown) - column))
    return f"  {prefix}{shown}\n  {' ' * len(prefix)}{pad}{'^' * width}"

"""Error types and the exit codes of SPEC: one place maps a failure to its code."""

from __future__ import annotations

import difflib

EXIT_OK = 0
EXIT_MISMATCH = 1  # `check` found a disagreement
EXIT_BAD_INPUT = 2
EXIT_NONFINITE = 3  # a non-finite result (or a kink) under --strict / --kinks error


class DiffcliError(Exception):
    """A failure the user can mend; `str(e)` is the one-line message after `error: `.

    `detail` holds extra lines (the input line and a caret) printed beneath it.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, detail: str = "", exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        if exit_code is not None:
            self.exit_code = exit_code


def report(e: DiffcliError) -> int:
    """Print `error: ...` (and the caret lines) to stderr; return the exit code."""
    import sys

    from .anomaly import shorten

    print(f"error: {printable(shorten(e.message, 1000))}", file=sys.stderr)
    if e.detail:
        print(printable(e.detail), file=sys.stderr)
    return e.exit_code


def run_guarded(action) -> int:
    """Run `action()` and return its exit code; every failure becomes SPEC's exit code and one
    `error:` line, never a traceback. Both entry points (typer's and the fast path) use it."""
    import sys

    try:
        rv = action()
        return rv if isinstance(rv, int) else EXIT_OK
    except DiffcliError as e:
        return report(e)
    except BrokenPipeError:
        return EXIT_OK  # the reader of stdout has what it wanted
    except MemoryError:
        print("error: out of memory: the expression or the point is too large", file=sys.stderr)
    except RecursionError:
        print("error: the expression is nested too deeply", file=sys.stderr)
    except Exception as e:  # noqa: BLE001  a bug of ours must still not show a traceback
        print(f"error: internal error ({type(e).__name__}: {printable(str(e))[:300]}); please report it "
              "with the command line that caused it", file=sys.stderr)
    return EXIT_BAD_INPUT


class ShapeError(DiffcliError):
    """Operands whose shapes do not fit together (exit 2)."""


def suggest(word: str, choices) -> str:
    """' (did you mean `sin`?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def caret(text: str, line: int, column: int, width: int = 1) -> str:
    """The 1-based `line` of `text` and, beneath it, a caret under `column` (1-based); with
    `width`, carets under that many characters (cut at the end of the line)."""
    lines = text.split("\n")
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    prefix = f"line {line}: " if len(lines) > 1 else ""
    column = max(column - 1, 0)
    if len(shown) > WINDOW:  # a window around the place, not a line of megabytes
        start = max(0, min(column - WINDOW // 2, len(shown) - WINDOW))
        cut = shown[start:start + WINDOW]
        shown = ("..." if start else "") + cut + ("..." if start + WINDOW < len(shown) else "")
        column = column - start + (3 if start else 0)
    shown = printable(shown)  # no terminal escapes from the input; one char for one
    pad = "".join(c if c == "\t" else " " for c in shown[:column])
    width = max(1, min(width, len(shown) - column))
    return f"  {prefix}{shown}\n  {' ' * len(prefix)}{pad}{'^' * width}"


WINDOW = 120
# Control characters (but tab) shown as U+FFFD, so the input cannot drive the terminal.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def printable(text: str) -> str:
    """`text` with control characters (but tab and newline) replaced, for the terminal."""
    return text.translate(_CONTROLS)

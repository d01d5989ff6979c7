"""The `diffcli` entry point: read the command line, run the command, and map every failure
to SPEC's exit codes with one `error:` line (never a traceback). Help and completion go to
the typer app; everything else is read by cli/args.py from the same declarations."""

from __future__ import annotations

import sys

from ..errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, DiffcliError, printable, shorten
from . import args
from ..commands import dispatch


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        call = args.read(argv)
    except args.NeedsTyper:
        return guarded(lambda: help_app(argv))
    except args.UsageError as e:
        print(f"error: {printable(shorten(e.message, 300))} (see `{e.help}`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return guarded(lambda: dispatch(call))


def help_app(argv: list[str]) -> int:
    """Help and completion, rendered by the typer app built from the declarations."""
    from .app import run_typer

    return run_typer(argv)


def report(e: DiffcliError) -> int:
    """Print `error: ...` (and the caret lines) to stderr; return the exit code."""
    print(f"error: {printable(shorten(e.message, 1000))}", file=sys.stderr)
    if e.detail:
        print(printable(e.detail), file=sys.stderr)
    return e.exit_code


def guarded(action) -> int:
    """Run `action()` and return its exit code; every failure becomes SPEC's exit code and one
    `error:` line, never a traceback."""
    try:
        code = action()
        return code if isinstance(code, int) else EXIT_OK
    except DiffcliError as e:
        return report(e)
    except BrokenPipeError:
        return EXIT_OK  # the reader of stdout has what it wanted
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError:
        print("error: out of memory: the expression or the point is too large", file=sys.stderr)
    except RecursionError:
        print("error: the expression is nested too deeply", file=sys.stderr)
    except Exception as e:  # noqa: BLE001  a bug of ours must still not show a traceback
        print(f"error: internal error ({type(e).__name__}: {printable(str(e))[:300]}); please report it "
              "with the command line that caused it", file=sys.stderr)
    return EXIT_BAD_INPUT


def run() -> None:
    """The `diffcli` console script."""
    sys.exit(main())

"""The `diffcli` entry point: read the command line, run the command, and map every failure
to SPEC's exit codes with one `error:` line (never a traceback). Help and completion go to
the typer app; everything else is read by cli/args.py from the same declarations.

Exit codes: 2 bad input, 4 an output that cannot be written, 70 a bug of ours (the traceback
only with DIFFCLI_DEBUG=1), 130 Ctrl-C and 143 SIGTERM (`error: interrupted`), on every path,
help included: the signal handlers (interrupt.py) are installed around the whole run."""

from __future__ import annotations

import errno
import gc
import os
import sys
from contextlib import suppress

from diffcli.cli import args
from diffcli.cli.commands import dispatch
from diffcli.data import interrupt
from diffcli.data.fileio import cause, stdout_errors
from diffcli.data.inputs import forget_inputs
from diffcli.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    DiffcliError,
    Interrupted,
    printable,
    shorten,
)

# An OSError that escaped every output path still names a cause the user can act on: these are
# outputs that could not be written (exit 4); any other is an input that could not be read (2).
GC_YOUNG = 100_000  # allocations between young-generation collections (Python's default: 700)

OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EPIPE, errno.EBADF}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    argv = list(sys.argv[1:] if argv is None else argv)
    forget_inputs()
    with interrupt.handlers():
        return guarded(lambda: _run(argv))


def _run(argv: list[str]) -> int:
    try:
        call = args.read(argv)
    except args.NeedsTyper:
        with stdout_errors():
            return help_app(argv)
    except args.UsageError as e:
        print(f"error: {printable(shorten(e.message, 300))} (see `{e.help}`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return dispatch(call)


def help_app(argv: list[str]) -> int:
    """Help and completion, rendered by the typer app built from the declarations."""
    from diffcli.cli.app import run_typer

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
        interrupt.check()  # a signal that came while a module was loading
        if sys.stdout is not None:
            with stdout_errors():  # a full disk shows here, not at exit
                sys.stdout.flush()
        return code if isinstance(code, int) else EXIT_OK
    except DiffcliError as e:
        return report(e)
    except BrokenPipeError:
        return EXIT_OK  # the reader of stdout has what it wanted
    except (Interrupted, KeyboardInterrupt) as e:
        interrupt.finished()
        print("error: interrupted", file=sys.stderr)
        return e.exit_code if isinstance(e, Interrupted) else EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001
        signum = interrupt.raised()
        if signum is None:
            return failed(e)
        print("error: interrupted", file=sys.stderr)  # a library turned our Interrupted into its own error
        return 128 + signum
    return EXIT_BAD_INPUT


def failed(e: Exception) -> int:
    """The exit code and error line of an exception that is no DiffcliError."""
    try:
        raise e
    except MemoryError:
        print("error: out of memory: the expression or the point is too large", file=sys.stderr)
    except RecursionError:
        print("error: the expression is nested too deeply", file=sys.stderr)
    except OSError as e:
        where = f" `{e.filename}`" if e.filename else ""
        if e.errno in OUTPUT_ERRNOS:
            print(f"error: cannot write{where or ' an output'}: {cause(e)}", file=sys.stderr)
            return EXIT_OUTPUT
        print(f"error: cannot read{where or ' an input'}: {cause(e)}", file=sys.stderr)
    except Exception as e:  # noqa: BLE001  a bug of ours must still not show a traceback
        print(
            f"error: internal error: {type(e).__name__}: {printable(shorten(str(e), 300))}; please report it "
            "with the command line that caused it",
            file=sys.stderr,
        )
        if os.environ.get("DIFFCLI_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL
    return EXIT_BAD_INPUT


class QuietStream:
    """Standard error that cannot fail: a full disk or a closed reader loses the message (it
    cannot be reported anywhere) but never the exit code or the result on stdout."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        with suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def standard_streams() -> None:
    """A closed descriptor 0, 1 or 2 (`<&-`, `2>&-`) is held by /dev/null, so that no file
    diffcli opens (or `dot` inherits) takes its number and receives what was meant for it;
    Python's own view stays (sys.stdin None: 'standard input is closed'). Standard error, closed
    or failing, swallows what it cannot write: error text never goes to stdout."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    sys.stderr = QuietStream(sys.stderr if sys.stderr is not None else open(os.devnull, "w"))  # noqa: SIM115


def run() -> None:
    """The `diffcli` console script: the signal handlers stay for the whole process, and once
    the run is over a late signal or a stdout that cannot take the rest changes nothing."""
    interrupt.install()
    standard_streams()
    # A command builds its graph (up to millions of small objects) and exits: the cyclic
    # collector's passes over the growing heap cost a fifth of building a large derivative.
    # Rarer young-generation passes keep it for what it is for, at a bounded cost.
    gc.set_threshold(GC_YOUNG, 20, 20)
    code = main()
    gc.freeze()  # the interpreter's last collection would walk the whole graph once more just to exit
    interrupt.finished()
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:  # already reported (exit 4) or a reader gone (exit 0): no second complaint at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)

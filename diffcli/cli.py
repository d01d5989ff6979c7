"""The `diffcli` entry point: registers the commands and is the one place that maps errors to
SPEC's exit codes (a bad input prints one `error:` line, never a traceback)."""

from __future__ import annotations

import functools
import sys

import typer

from .anomaly import shorten
from .app import app
from .commands import core, explain, inspect, learn  # noqa: F401  (registers commands)
from .errors import EXIT_BAD_INPUT, DiffcliError, printable, report

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError


@functools.lru_cache(maxsize=1)
def _command(registered: int):
    """The click command built from the typer app, once per process (building it costs more than
    most commands take to run); rebuilt if a command is registered later."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    command = _command(len(app.registered_commands) + len(app.registered_groups))
    try:
        rv = command.main(args=argv, prog_name="diffcli", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except DiffcliError as e:
        return report(e)
    except NoArgsIsHelpError:  # `diffcli` alone: the help is printed, nothing went wrong
        return 0
    except ClickException as e:
        print(f"error: {printable(shorten(e.format_message(), 300))} (see `diffcli --help`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as e:  # click exits 1 when the reader of stdout went away (`| head -1`)
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return 0  # the reader has what it wanted: not a `check` mismatch (exit 1)
        raise
    except MemoryError:
        print("error: out of memory: the expression or the point is too large", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: the expression is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as e:  # noqa: BLE001  a bug of ours must still not show a traceback
        print(f"error: internal error ({type(e).__name__}: {e}); please report it with the command line "
              "that caused it", file=sys.stderr)
        return EXIT_BAD_INPUT


def run() -> None:
    sys.exit(main())

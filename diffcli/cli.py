"""The `diffcli` entry point: registers the commands and is the one place that maps errors to
SPEC's exit codes (a bad input prints one `error:` line, never a traceback)."""

from __future__ import annotations

import functools
import sys

import typer

from .anomaly import shorten
from .app import app
from .commands import core, explain, inspect, learn  # noqa: F401  (registers commands)
from .errors import EXIT_BAD_INPUT, printable, run_guarded

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

    def invoke():
        try:
            return command.main(args=argv, prog_name="diffcli", standalone_mode=False)
        except NoArgsIsHelpError:  # `diffcli` alone: the help is printed, nothing went wrong
            return 0
        except ClickException as e:
            print(f"error: {printable(shorten(e.format_message(), 300))} (see `diffcli --help`)", file=sys.stderr)
            return EXIT_BAD_INPUT
        except (typer.Abort, KeyboardInterrupt):
            print("error: interrupted", file=sys.stderr)
            return 130
        except SystemExit:  # click exits 1 when the reader of stdout went away (`| head -1`)
            if type(sys.stdout).__name__ == "PacifyFlushWrapper":
                return 0  # the reader has what it wanted: not a `check` mismatch (exit 1)
            raise

    return run_guarded(invoke)


def run() -> None:
    sys.exit(main())

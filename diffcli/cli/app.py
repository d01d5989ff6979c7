"""The typer app, built from the declarations of cli/spec.py: it renders `--help` (with each
command's example) and shell completion. Its commands run through the same dispatch as every
other command line, so `typer.testing.CliRunner().invoke(app, ...)` behaves as `diffcli`."""

from __future__ import annotations

import inspect
import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .. import __version__
from ..errors import EXIT_BAD_INPUT, printable, shorten
from . import spec
from ..commands import dispatch

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError

TYPES = {"text": Optional[str], "list": Optional[list[str]], "flag": bool, "switch": bool, "int": Optional[int],
         "float": float}


def _annotation(option: spec.Option):
    flags = f"{option.flag}/{spec.no(option)}" if option.kind == "switch" else option.flag
    extra = {}
    if option.kind in ("int", "float"):
        extra = {"min": option.low, "max": option.high}
    if option.kind == "choice":
        kind = Enum(option.dest.title(), {c: c for c in option.choices}, type=str)
        return Annotated[kind, typer.Option(flags, help=option.help, show_default=True)]
    return Annotated[TYPES[option.kind], typer.Option(flags, help=option.help, **extra)]


def _default(option: spec.Option):
    if option.required:
        return inspect.Parameter.empty
    return option.default


def _function(command: spec.Command):
    """A function whose signature declares the command's arguments and options for typer."""
    def run(**values):
        plain = {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}
        return dispatch(spec.Call(command, plain))

    parameters = [inspect.Parameter(a.dest, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=Annotated[str, typer.Argument(help=a.help, show_default=False)])
                  for a in command.arguments]
    parameters += [inspect.Parameter(o.dest, inspect.Parameter.KEYWORD_ONLY, default=_default(o),
                                     annotation=_annotation(o)) for o in command.options]
    run.__signature__ = inspect.Signature(parameters)
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    run.__name__ = command.name
    run.__doc__ = command.help
    return run


def _version(value: bool):
    if value:
        typer.echo(f"diffcli {__version__}")
        raise typer.Exit()


def build() -> typer.Typer:
    app = typer.Typer(name="diffcli", help=spec.APP_HELP, no_args_is_help=True, pretty_exceptions_enable=False,
                      context_settings={"help_option_names": ["-h", "--help"]})

    @app.callback()
    def root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the version and exit.")] = False):
        """Symbolic-plus-numeric differentiation from the shell."""

    for command in spec.COMMANDS:
        # escaped: typer reads an epilog as Rich markup, where `"[x1^2 + 3*x2, ...]"` would vanish as a tag
        app.command(command.name, epilog=f"Example: {escape(command.example)}")(_function(command))
    return app


def run_typer(argv: list[str]) -> int:
    command = typer.main.get_command(build())
    try:
        return command.main(args=argv, prog_name="diffcli", standalone_mode=False) or 0
    except NoArgsIsHelpError:  # `diffcli` alone: the help is printed, nothing went wrong
        return 0
    except ClickException as e:
        print(f"error: {printable(shorten(e.format_message(), 300))} (see `diffcli --help`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit:  # click exits 1 when the reader of stdout went away (`| head -1`)
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return 0
        raise

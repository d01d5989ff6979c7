"""The typer app, built from the declarations of cli/spec.py: it renders `--help` (with each
command's example) and shell completion. Its commands run through the same dispatch as every
other command line, so `typer.testing.CliRunner().invoke(app, ...)` behaves as `diffcli`."""

from __future__ import annotations

import inspect
import math
import sys
from enum import Enum
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from diffcli import __version__
from diffcli.cli import helptext, spec
from diffcli.cli.commands import dispatch
from diffcli.errors import EXIT_BAD_INPUT, printable, shorten

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError  # type: ignore[assignment]  # the same classes

TYPES = {
    "text": Optional[str],
    "list": Optional[list[str]],
    "flag": bool,
    "switch": bool,
    "int": Optional[int],
    "float": float,
}


def _help(text: str) -> str:
    """Help text as typer renders it, Rich markup: escaped, so `diffcli[plot]` keeps its brackets."""
    return escape(text)


def _annotation(command: spec.Command, option: spec.Option):
    flags = f"{option.flag}/{spec.no(option)}" if option.kind == "switch" else option.flag
    where: dict[str, Any] = {"rich_help_panel": helptext.panel(command, option)}
    extra: dict[str, Any] = {}
    if option.kind in ("int", "float"):
        extra = {"min": _finite(option.low), "max": _finite(option.high)}
    if option.kind == "choice":
        # a short metavar (FORMAT), the choices in the text: `<auto|rich|plain|json|csv>` would
        # take a third of an 80-column terminal from every description
        kind = Enum(option.dest.title(), {c: c for c in option.choices}, type=str)  # type: ignore[misc]
        text = _help(helptext.full_help(option))
        return Annotated[
            kind,
            typer.Option(
                flags, help=text, metavar=helptext.metavar(option), show_default=True, case_sensitive=False, **where
            ),
        ]
    metavar = helptext.metavar(option)
    text = _help(helptext.full_help(option))
    return Annotated[TYPES[option.kind], typer.Option(flags, help=text, metavar=metavar, **extra, **where)]


def _finite(bound: float | None) -> float | None:
    """A bound for typer's range (an infinite one is no bound: the help shows `x>=0.0`)."""
    return None if bound is None or math.isinf(bound) else bound


def _plain_params(params: list) -> list:
    """Flags (--help, --version, --strict) show no value type, arguments no `<str>`."""
    for param in params:
        param._get_number_range_help_str = lambda: None  # the range is in the text (helptext.full_help)
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None
    return params


class _Command(TyperCommand):
    """Usage reads `diffcli grad [OPTIONS] EXPR`, as click writes it (typer would write {EXPR})."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]

    def get_params(self, ctx) -> list:
        return _plain_params(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx) -> list:
        return _plain_params(super().get_params(ctx))


def _default(option: spec.Option):
    if option.required:
        return inspect.Parameter.empty
    return option.default


def _function(command: spec.Command):
    """A function whose signature declares the command's arguments and options for typer."""

    def run(**values):
        plain = {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}
        return dispatch(spec.Call(command, plain))

    parameters = [
        inspect.Parameter(
            a.dest,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[str, typer.Argument(help=_help(a.help), show_default=False, metavar=a.name)],
        )
        for a in command.arguments
    ]
    parameters += [
        inspect.Parameter(
            o.dest, inspect.Parameter.KEYWORD_ONLY, default=_default(o), annotation=_annotation(command, o)
        )
        for o in helptext.help_order(command)
    ]
    setattr(run, "__signature__", inspect.Signature(parameters))  # what typer reads the options from
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    run.__name__ = command.name
    run.__doc__ = _help(command.help)
    return run


def _version(value: bool):
    if value:
        typer.echo(f"diffcli {__version__}")
        raise typer.Exit()


def build() -> typer.Typer:
    app = typer.Typer(
        name="diffcli",
        help=_help(spec.APP_HELP),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        cls=_Group,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: Annotated[
            bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
        ] = False,
    ):
        """Symbolic-plus-numeric differentiation from the shell."""

    for command in spec.COMMANDS:
        # escaped: typer reads an epilog as Rich markup, where `"[x1^2 + 3*x2, ...]"` would vanish as a tag
        app.command(command.name, cls=_Command, epilog=f"Example: {escape(command.example)}")(_function(command))
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

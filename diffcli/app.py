"""The typer app, the option types the commands share, and `emit` (warnings, then the result
in the chosen format). Commands live in `diffcli/commands/`, one module per family."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from . import __version__, api
from .errors import EXIT_NONFINITE, DiffcliError

app = typer.Typer(
    name="diffcli",
    help="Symbolic-plus-numeric differentiation from the shell: values, gradients, Jacobians, "
    "Hessians and simplified derivative formulas of expressions such as (x+1)*(x+2).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    json = "json"
    csv = "csv"


class Dtype(str, Enum):
    float64 = "float64"
    float32 = "float32"


class Kinks(str, Enum):
    warn = "warn"
    error = "error"
    quiet = "quiet"


Expr = Annotated[str, typer.Argument(help="Expression text, an expression file, or - for stdin.", show_default=False)]
At = Annotated[Optional[list[str]], typer.Option("--at", help="The point: x=2,y=3 or 'x=[1,2,3]' (repeatable).")]
Wrt = Annotated[Optional[list[str]], typer.Option("--wrt", help="Variables to differentiate by, in output order: x,y.")]
Const = Annotated[Optional[list[str]], typer.Option("--const", help="Bound names that get no gradient (requires_grad=False).")]
Of = Annotated[Optional[str], typer.Option("--of", help="In a file, the named statement to use as output.")]
FormatOpt = Annotated[Format, typer.Option("--format", help="auto: rich on a terminal, plain otherwise.")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Floating-point type of the computation.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 3 when a result is not finite.")]
V = Annotated[Optional[str], typer.Option("--v", help="Weights of a non-scalar output: vector-Jacobian product.")]
KinksOpt = Annotated[Kinks, typer.Option("--kinks", help="A point on a kink (abs at 0, a max tie...): warn, error (exit 3) or quiet.")]


def _version(value: bool):
    if value:
        typer.echo(f"diffcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    """Symbolic-plus-numeric differentiation from the shell."""


def emit(result: api.Result, fmt: Format, strict: bool, view=None) -> int:
    """Warnings to stderr, the result to stdout in the chosen format.

    `view` is a module with render_plain/render_json/render_csv/render_rich for results of
    their own shape (default: render.output). A warning's `detail` (caret lines) follows it.
    """
    if strict and result.warnings:  # the first warning becomes the one `error:` line
        first = result.warnings[0]
        raise DiffcliError(f"{first} (--strict)", detail=getattr(first, "detail", ""), exit_code=EXIT_NONFINITE)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
        if getattr(warning, "detail", ""):
            print(warning.detail, file=sys.stderr)
    from .render import output

    output = view or output

    if fmt == Format.auto:
        fmt = Format.rich if sys.stdout.isatty() else Format.plain
    if fmt == Format.rich:
        from rich.console import Console

        output.render_rich(result, Console())
    elif fmt == Format.json:
        print(output.render_json(result))
    elif fmt == Format.csv:
        print(output.render_csv(result))
    else:
        print(output.render_plain(result))
    return 0



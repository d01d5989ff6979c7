"""The `diffcli` command: thin typer commands over `api`, and the one place that maps errors to
SPEC's exit codes (a bad input prints one `error:` line, never a traceback)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from . import __version__, api
from .errors import EXIT_BAD_INPUT, EXIT_NONFINITE, DiffcliError

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException

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


Expr = Annotated[str, typer.Argument(help="Expression text, an expression file, or - for stdin.", show_default=False)]
At = Annotated[Optional[list[str]], typer.Option("--at", help="The point: x=2,y=3 or 'x=[1,2,3]' (repeatable).")]
Wrt = Annotated[Optional[list[str]], typer.Option("--wrt", help="Variables to differentiate by, in output order: x,y.")]
Const = Annotated[Optional[list[str]], typer.Option("--const", help="Bound names that get no gradient (requires_grad=False).")]
Of = Annotated[Optional[str], typer.Option("--of", help="In a file, the named statement to use as output.")]
FormatOpt = Annotated[Format, typer.Option("--format", help="auto: rich on a terminal, plain otherwise.")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Floating-point type of the computation.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 3 when a result is not finite.")]
V = Annotated[Optional[str], typer.Option("--v", help="Weights of a non-scalar output: vector-Jacobian product.")]


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


def emit(result: api.Result, fmt: Format, strict: bool) -> int:
    """Warnings to stderr, the result to stdout in the chosen format."""
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if strict and result.warnings:
        raise DiffcliError(f"{result.warnings[0]} (--strict)", exit_code=EXIT_NONFINITE)
    from .render import output

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


@app.command("eval", epilog='Example: diffcli eval "x^2 + 20" --at x=10')
def eval_command(expr: Expr, at: At = None, of: Of = None, dtype: DtypeOpt = Dtype.float64,
                 format: FormatOpt = Format.auto, strict: Strict = False):
    """The value of EXPR at a point (no gradient work)."""
    problem = api.load(expr, at, of=of, dtype=dtype.value)
    return emit(api.evaluate(problem), format, strict)


@app.command("grad", epilog='Example: diffcli grad "x*x*y" --at x=2,y=3')
def grad_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None,
                 of: Of = None, dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto,
                 strict: Strict = False):
    """The value and reverse-mode gradient of EXPR at a point."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    return emit(api.grad(problem, v), format, strict)


@app.command("jacobian", epilog="Example: diffcli jacobian \"[x1^2 + 3*x2, x2^2 + 2*x1]\" --at x1=2,x2=3")
def jacobian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                     dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False):
    """The Jacobian of a vector-valued EXPR (a scalar gives its 1 x n row)."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    return emit(api.jacobian(problem), format, strict)


@app.command("hessian", epilog='Example: diffcli hessian "x*x*y" --at x=2,y=3')
def hessian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                    dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False):
    """The value, gradient and exact Hessian of a scalar EXPR."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    return emit(api.hessian(problem), format, strict)


@app.command("diff", epilog='Example: diffcli diff "x*x*y" --wrt x')
def diff_command(expr: Expr, wrt: Wrt = None, order: Annotated[int, typer.Option("--order", min=1, max=20)] = 1,
                 at: At = None, of: Of = None, latex: Annotated[bool, typer.Option("--latex")] = False,
                 format: FormatOpt = Format.auto, strict: Strict = False):
    """The derivative as a simplified formula (and its value with --at)."""
    from .render.text import to_text

    problem = api.load(expr, at, wrt, of=of, free=True)
    node, names = api.derivative_node(problem, order)
    result = api.Result({"derivative": to_text(node), "wrt": names, "order": len(names)}, command="diff")
    if latex:
        from .render.latex import to_latex

        result.data["latex"] = to_latex(node)
    if at:
        (value,) = api._run(problem, [node], result)
        result.data["value"] = value
    return emit(result, format, strict)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="diffcli", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except DiffcliError as e:
        print(f"error: {e.message}", file=sys.stderr)
        if e.detail:
            print(e.detail, file=sys.stderr)
        return e.exit_code
    except ClickException as e:
        print(f"error: {e.format_message()} (see `diffcli --help`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        print("error: out of memory: the expression or the point is too large", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: the expression is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT


def run() -> None:
    sys.exit(main())

"""explain: the chain rule step by step with the numbers in (text, Rich, LaTeX, JSON)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from .. import api, kinks as kink_report
from ..app import At, Const, Expr, Kinks, KinksOpt, Of, Strict, V, Wrt, app
from ..errors import EXIT_NONFINITE, DiffcliError

CAP = 40  # steps shown per section unless --full


class ExplainFormat(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    json = "json"
    latex = "latex"


@app.command("explain", epilog='Example: diffcli explain "(x+1)*(x+2)" --at x=2')
def explain_command(
    expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None, of: Of = None,
    jacobian: Annotated[bool, typer.Option("--jacobian", help="Also build the Jacobian row by row, one one-hot v per output element.")] = False,
    hessian: Annotated[Optional[str], typer.Option("--hessian", help="Explain one Hessian entry as a derivative of a derivative: --hessian x,y is d/dy (d/dx f); --hessian x is x,x.")] = None,
    full: Annotated[bool, typer.Option("--full", help=f"Show every step (by default a section shows at most {CAP}).")] = False,
    format: Annotated[ExplainFormat, typer.Option("--format", help="auto: rich on a terminal, plain otherwise; latex: one aligned block; json: the steps.")] = ExplainFormat.auto,
    strict: Strict = False, kinks: KinksOpt = Kinks.warn,
):
    """The chain rule step by step: forward pass node by node, then each adjoint as incoming
    adjoint times local derivative, with the numbers substituted."""
    from ..explain import explain
    from ..render import explain as render

    problem = api.load(expr, at, wrt, const, of)
    kink_report.report(problem, kinks.value)
    ex = explain(problem, v, jacobian, hessian)
    for warning in ex.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if strict and ex.warnings:
        raise DiffcliError(f"{ex.warnings[0]} (--strict)", exit_code=EXIT_NONFINITE)
    cap = None if full else CAP
    fmt = format
    if fmt == ExplainFormat.auto:
        fmt = ExplainFormat.rich if sys.stdout.isatty() else ExplainFormat.plain
    if fmt == ExplainFormat.rich:
        from rich.console import Console

        render.render_rich(ex, cap, Console())
    elif fmt == ExplainFormat.json:
        print(render.render_json(ex))
    elif fmt == ExplainFormat.latex:
        print(render.render_latex(ex, cap))
    else:
        print(render.render_plain(ex, cap))
    return 0

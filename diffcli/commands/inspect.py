"""graph and check: see inside the computation (every node's value and grad, a picture) and
check reverse mode against finite differences."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .. import api, kinks as kink_report
from ..app import (At, Const, Dtype, DtypeOpt, Expr, Format, FormatOpt, Kinks, KinksOpt, Of, Strict, V, Wrt, app,
                   emit)
from ..errors import EXIT_MISMATCH

PictureFile = Annotated[Optional[str], typer.Option(help="Write the picture to this file.", show_default=False)]


@app.command("graph", epilog='Example: diffcli graph "(x+1)*(x+2)" --at x=2')
def graph_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None, of: Of = None,
                  dot: Annotated[Optional[str], typer.Option("--dot", help="Write the graph as Graphviz DOT text.")] = None,
                  svg: Annotated[Optional[str], typer.Option("--svg", help="Draw the graph as SVG (needs Graphviz).")] = None,
                  png: Annotated[Optional[str], typer.Option("--png", help="Draw the graph as PNG (needs Graphviz).")] = None,
                  dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False,
                  kinks: KinksOpt = Kinks.warn):
    """Every node of the computation graph: op, value, grad, grad_fn, is_leaf, requires_grad."""
    from ..graphview import graph
    from ..render import graph as view

    for option, path in (("--svg", svg), ("--png", png)):
        if path:
            view.require_dot(option)  # fail before any work when Graphviz is missing
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    kink_report.report(problem, kinks.value)
    result = graph(problem, v)
    inputs = (problem.source,) if problem.source else ()
    text = view.to_dot(result) if (dot or svg or png) else ""
    if dot:
        view.write_dot(dot, text, inputs)
    for fmt, path in (("svg", svg), ("png", png)):
        if path:
            view.write_picture(path, text, fmt, inputs)
    return emit(result, format, strict, view)


@app.command("check", epilog='Example: diffcli check "x*x*y" --at x=2,y=3')
def check_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None, of: Of = None,
                  rtol: Annotated[float, typer.Option("--rtol", min=0, help="Relative tolerance.")] = 1e-5,
                  atol: Annotated[float, typer.Option("--atol", min=0, help="Absolute tolerance.")] = 1e-6,
                  hessian: Annotated[bool, typer.Option("--hessian/--no-hessian",
                                                        help="Also check the Hessian (scalar output, up to 30 variable elements).")] = True,
                  format: FormatOpt = Format.auto, strict: Strict = False, kinks: KinksOpt = Kinks.warn):
    """Reverse-mode gradient (and Hessian) against central finite differences; exit 1 on mismatch."""
    from ..checking import check
    from ..render import check as view

    problem = api.load(expr, at, wrt, const, of)
    kink_report.report(problem, kinks.value)
    result = check(problem, v, rtol, atol, hessian)
    emit(result, format, strict, view)
    if not result.data["ok"]:
        bad = [row for row in result.data["rows"] if not row[6]]
        label, exact, symbolic, numeric = bad[0][:4]
        print(f"check failed: {len(bad)} {'entry disagrees' if len(bad) == 1 else 'entries disagree'}; first {label}: "
              f"reverse mode {exact!r}, symbolic {symbolic!r}, central differences {numeric!r}", file=sys.stderr)
        return EXIT_MISMATCH
    return 0

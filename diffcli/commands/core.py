"""eval, grad, jacobian, hessian and diff: the numeric and symbolic core commands."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import api, kinks as kink_report
from ..app import (At, Const, Dtype, DtypeOpt, Expr, Format, FormatOpt, Kinks, KinksOpt, Of, Strict, V, Wrt, app,
                   emit)


@app.command("eval", epilog='Example: diffcli eval "x^2 + 20" --at x=10')
def eval_command(expr: Expr, at: At = None, of: Of = None, dtype: DtypeOpt = Dtype.float64,
                 format: FormatOpt = Format.auto, strict: Strict = False):
    """The value of EXPR at a point (no gradient work)."""
    problem = api.load(expr, at, of=of, dtype=dtype.value)
    return emit(api.evaluate(problem), format, strict)


@app.command("grad", epilog='Example: diffcli grad "x*x*y" --at x=2,y=3')
def grad_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None,
                 of: Of = None, dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto,
                 strict: Strict = False, kinks: KinksOpt = Kinks.warn):
    """The value and reverse-mode gradient of EXPR at a point."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    kink_report.report(problem, kinks.value)
    return emit(api.grad(problem, v), format, strict)


@app.command("jacobian", epilog="Example: diffcli jacobian \"[x1^2 + 3*x2, x2^2 + 2*x1]\" --at x1=2,x2=3")
def jacobian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                     dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False,
                     kinks: KinksOpt = Kinks.warn):
    """The Jacobian of a vector-valued EXPR (a scalar gives its 1 x n row)."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    kink_report.report(problem, kinks.value)
    return emit(api.jacobian(problem), format, strict)


@app.command("hessian", epilog='Example: diffcli hessian "x*x*y" --at x=2,y=3')
def hessian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                    dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False,
                    kinks: KinksOpt = Kinks.warn):
    """The value, gradient and exact Hessian of a scalar EXPR."""
    problem = api.load(expr, at, wrt, const, of, dtype.value)
    kink_report.report(problem, kinks.value)
    return emit(api.hessian(problem), format, strict)


@app.command("diff", epilog='Example: diffcli diff "x*x*y" --wrt x --order 2 --at x=2,y=3')
def diff_command(expr: Expr, wrt: Wrt = None, order: Annotated[int, typer.Option("--order", min=1, max=20)] = 1,
                 at: At = None, of: Of = None, latex: Annotated[bool, typer.Option("--latex")] = False,
                 format: FormatOpt = Format.auto, strict: Strict = False, kinks: KinksOpt = Kinks.warn):
    """The derivative as a simplified formula (and its value with --at)."""
    problem = api.load(expr, at, wrt, of=of, free=True)
    if at:
        kink_report.report(problem, kinks.value)
    result = api.diff(problem, order, wrt)
    result.show_latex = latex
    return emit(result, format, strict)

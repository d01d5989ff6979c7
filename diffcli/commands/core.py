"""eval, grad, jacobian, hessian and diff: the numeric and symbolic core commands."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import api, kinks as kink_report
from ..app import (At, Const, Device, DeviceOpt, Dtype, DtypeOpt, Expr, Format, FormatOpt, Kinks, KinksOpt, Of, Out,
                   Points, Strict, V, Wrt, app, emit)


def _points(command: str, expr, points, out, device, **options):
    """None for a single point; else the exit code of the streamed --points run."""
    if points is None:
        if out is not None:
            raise api.DiffcliError("--out writes the rows of --points: give --points FILE too")
        return None
    from .. import batch

    return batch.run(command, expr, points, out=out, device=device.value, **options)


def _load(device, *args):
    problem = api.load(*args)
    if device is not Device.cpu:
        from ..compiled import context

        problem.ev = context(device.value, args[-1])
    return problem


def _numeric(command: str, compute, expr, *, at, of, dtype, format, strict, points, out, device,
             wrt=None, const=None, v=None, kinks=None):
    """The shared path of eval/grad/jacobian/hessian: a streamed --points run, or the problem at
    one point (kinks reported) handed to `compute`."""
    code = _points(command, expr, points, out, device, at=at, wrt=wrt, const=const, of=of, v=v,
                   dtype=dtype.value, fmt=format.value, strict=strict)
    if code is not None:
        return code
    problem = _load(device, expr, at, wrt, const, of, dtype.value)
    if kinks is not None:
        kink_report.report(problem, kinks.value)
    return compute(problem)


@app.command("eval", epilog='Example: diffcli eval "x^2 + 20" --at x=10')
def eval_command(expr: Expr, at: At = None, of: Of = None, dtype: DtypeOpt = Dtype.float64,
                 format: FormatOpt = Format.auto, strict: Strict = False, points: Points = None,
                 out: Out = None, device: DeviceOpt = Device.cpu):
    """The value of EXPR at a point (no gradient work)."""
    return _numeric("eval", lambda p: emit(api.evaluate(p), format, strict), expr, at=at, of=of,
                    dtype=dtype, format=format, strict=strict, points=points, out=out, device=device)


@app.command("grad", epilog='Example: diffcli grad "x*x*y" --at x=2,y=3')
def grad_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, v: V = None,
                 of: Of = None, dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto,
                 strict: Strict = False, kinks: KinksOpt = Kinks.warn, points: Points = None, out: Out = None,
                 device: DeviceOpt = Device.cpu):
    """The value and reverse-mode gradient of EXPR at a point."""
    return _numeric("grad", lambda p: emit(api.grad(p, v), format, strict), expr, at=at, of=of, dtype=dtype,
                    format=format, strict=strict, points=points, out=out, device=device, wrt=wrt, const=const,
                    v=v, kinks=kinks)


@app.command("jacobian", epilog="Example: diffcli jacobian \"[x1^2 + 3*x2, x2^2 + 2*x1]\" --at x1=2,x2=3")
def jacobian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                     dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False,
                     kinks: KinksOpt = Kinks.warn, points: Points = None, out: Out = None, device: DeviceOpt = Device.cpu):
    """The Jacobian of a vector-valued EXPR (a scalar gives its 1 x n row)."""
    return _numeric("jacobian", lambda p: emit(api.jacobian(p), format, strict), expr, at=at, of=of, dtype=dtype,
                    format=format, strict=strict, points=points, out=out, device=device, wrt=wrt, const=const,
                    kinks=kinks)


@app.command("hessian", epilog='Example: diffcli hessian "x*x*y" --at x=2,y=3')
def hessian_command(expr: Expr, at: At = None, wrt: Wrt = None, const: Const = None, of: Of = None,
                    dtype: DtypeOpt = Dtype.float64, format: FormatOpt = Format.auto, strict: Strict = False,
                    kinks: KinksOpt = Kinks.warn, points: Points = None, out: Out = None, device: DeviceOpt = Device.cpu,
                    sparse: Annotated[bool, typer.Option("--sparse", help="Coordinates (row col value) of the structural non-zeros only.")] = False):
    """The value, gradient and exact Hessian of a scalar EXPR."""

    def compute(problem):
        if sparse:
            from ..hessian import run_sparse

            return run_sparse(problem, format.value, strict)
        return emit(api.hessian(problem), format, strict)

    return _numeric("hessian", compute, expr, at=at, of=of, dtype=dtype, format=format, strict=strict,
                    points=points, out=out, device=device, wrt=wrt, const=const, kinks=kinks)


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

"""eval, grad, jacobian, hessian and diff: the numeric and symbolic core commands.

Each command gets the option values read by the CLI (cli/spec.py declares them), states what
it needs as a `Request`, and hands the `Result` to the presenter."""

from __future__ import annotations

import dataclasses
import re

from diffcli.batch.job import PointsJob
from diffcli.cli.spec import Options
from diffcli.compute.anomaly import note
from diffcli.compute.problem import load, read_expression
from diffcli.compute.request import Request, compute
from diffcli.data.fileio import is_stdout, write_npz
from diffcli.errors import DiffcliError
from diffcli.matrix.sizes import bind, parse_shapes, written
from diffcli.render.present import present, write
from diffcli.render.progress import rate, summary, tracker
from diffcli.syntax.points import parse_at


def numeric(command: str, o: Options, req: Request) -> int:
    """The shared path of eval/grad/jacobian/hessian: a --points run (streamed here, or on a
    Dask cluster with --engine dask), or one point."""
    if o.points is not None or on_dask(o):
        return points(command, o, req)
    sparse_out = o.out if req.hessian == "sparse" else None
    if sparse_out is not None and not (sparse_out.lower().endswith(".npz") or is_stdout(sparse_out)):
        raise DiffcliError(
            f"--out {sparse_out}: a sparse Hessian is written as a .npz file (scipy.sparse's CSR "
            "format, read by scipy.sparse.load_npz)"
        )
    for option in ("out", "keep"):
        if getattr(o, option) is not None and not (option == "out" and sparse_out is not None):
            also = " (or hessian --sparse, for a .npz)" if option == "out" and req.hessian else ""
            raise DiffcliError(f"--{option} goes with --points{also}: give --points FILE too")
    with tracker(f"{command}: reading and differentiating") as track:
        problem = load(o.expr, o.at, getattr(o, "wrt", None), getattr(o, "const", None), o.of, o.dtype, device=o.device)
        if req.gradient or req.jacobian or req.hessian:
            write(problem.constant_notes())
        result = compute(problem, req, command, stage=lambda text: track.update(label=f"{command}: {text}"))
    if sparse_out is not None:  # the Hessian to the file, the rest (value, gradient) as usual
        write_npz(sparse_out, result.data.pop("hessian").csr(), inputs=_inputs(o))
    return present(result, o.format, strict=o.strict, kinks=getattr(o, "kinks", "quiet"), only=getattr(o, "only", None))


def _inputs(o: Options) -> tuple:
    """The files a result is read from (EXPR, --at x=@FILE), which --out must not write over."""
    return (o.expr,) + tuple(path for item in o.at or () for path in re.findall(r"=@([^,\]]+)", item))


def points(command: str, o: Options, req: Request) -> int:
    """--points: rows per second and an ETA while it runs (on a terminal; with --engine dask
    the bar counts partitions done), a summary line after."""
    if on_dask(o):
        from diffcli.batch.cluster import run
    else:
        from diffcli.batch.stream import run
    where = f"--points {o.points}"
    with tracker(where) as track:

        def progress(rows: int, fraction: float | None) -> None:
            info = f"{rows:,} rows, {rate(rows, track.elapsed, 'rows')}"
            track.update(fraction, f"{info}  {track.eta(fraction)}".rstrip())

        counts = run(command, points_job(o), req, progress)
        seconds = track.elapsed
    if counts["nonfinite"]:
        write([note(f"a result is not finite in {counts['nonfinite']} of {counts['rows']} rows")], None)
    summary(
        f"{where}: {counts['rows']:,} rows in {seconds:.2f} s ({rate(counts['rows'], seconds, 'rows')}) "
        f"to {'standard output' if o.out is None or is_stdout(o.out) else o.out}"
    )
    return 0


def points_job(o: Options) -> PointsJob:
    """The library's view of a --points run (eval declares no --wrt, --const or --only)."""
    return PointsJob(
        o.expr,
        o.points,
        o.at,
        o.of,
        getattr(o, "wrt", None),
        getattr(o, "const", None),
        o.keep,
        getattr(o, "only", None),
        o.out,
        o.dtype,
        o.device,
        o.format,
        o.strict,
        o.engine,
        o.scheduler,
    )


def on_dask(o: Options) -> bool:
    return o.engine != "local" or o.scheduler is not None


def evaluate(o: Options) -> int:
    if o.shape:  # a printed matrix answer: eye(n) with n bound from the --at values
        text, _ = read_expression(o.expr)
        sizes = bind(parse_shapes(o.shape), parse_at(o.at))
        o = dataclasses.replace(o, expr=written(text, sizes))  # type: ignore[type-var]  # Options is made a dataclass per command
    return numeric("eval", o, Request())


def grad(o: Options) -> int:
    return numeric("grad", o, Request(gradient=True, v=o.v, kinks=o.kinks != "quiet"))


def jacobian(o: Options) -> int:
    return numeric("jacobian", o, Request(jacobian=True, kinks=o.kinks != "quiet", mode=o.mode))


def hessian(o: Options) -> int:
    kind = "sparse" if o.sparse else "dense"
    req = Request(hessian=kind, kinks=o.kinks != "quiet")
    if not o.classify:
        return numeric("hessian", o, req)
    if o.points is not None or o.sparse or o.out is not None or o.keep is not None:
        raise DiffcliError("--classify tests one point's dense Hessian: drop --points, --out, --keep and --sparse")
    from diffcli.core.hessian import classify

    problem = load(o.expr, o.at, o.wrt, o.const, o.of, o.dtype, device=o.device)
    write(problem.constant_notes())
    result = compute(problem, req, "hessian")
    grad = problem.layout.pack(result.data["grad"].values())
    result.data.update(classify(result.data["hessian"], grad, o.tol))
    return present(result, o.format, strict=o.strict, kinks=o.kinks, only=o.only)


def diff(o: Options) -> int:
    from diffcli.render import steps
    from diffcli.symbolic.diff import diff as derivative

    implicit = o.implicit
    if o.shape or (o.at and not implicit and not o.function and by_array(o)):
        return matrix_diff(o)
    problem = load(
        o.expr, o.at, None if implicit else o.wrt, of=o.of, free=True, functions=o.function, equation=bool(implicit)
    )
    write(problem.constant_notes())
    result = derivative(problem, o.order, o.wrt, kinks=o.kinks != "quiet", steps=o.steps, implicit=implicit)
    return present(result, o.format, view=steps if o.steps else None, strict=o.strict, kinks=o.kinks, latex=o.latex)


def by_array(o: Options) -> bool:
    """Whether diff --at differentiates by a vector or a matrix (matrix notation then)."""
    try:
        problem = load(o.expr, o.at, o.wrt, of=o.of, free=True)
    except DiffcliError:
        return False  # the scalar path reports it, in its own words
    return any(v.shape != () for v in problem.wrt) and len(problem.wrt) == 1


def matrix_diff(o: Options) -> int:
    """diff in matrix notation (--shape, or --at with a vector or matrix variable)."""
    from diffcli.matrix.derive import Ask, matrix_diff as derivative  # noqa: I001  (one import, start-up)
    from diffcli.render import matrixcalc

    if o.implicit or o.function:
        raise DiffcliError("--shape (matrix notation) goes without --implicit and --function")
    ask = Ask(o.expr, tuple(o.shape or ()), tuple(o.at or ()), tuple(o.wrt or ()), o.order, o.of, o.steps)
    result = derivative(ask)
    return present(result, o.format, view=matrixcalc, strict=o.strict, kinks=o.kinks, latex=o.latex)

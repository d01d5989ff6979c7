"""eval, grad, jacobian and hessian: the numeric core commands (their formulas, and diff: formulas.py).

Each command gets the option values read by the CLI (cli/spec.py declares them), states what
it needs as a `Request`, and hands the `Result` to the presenter."""

from __future__ import annotations

import dataclasses
import re

from diffcli.batch.job import PointsJob
from diffcli.cli.spec import Options
from diffcli.compute import repeated
from diffcli.compute.anomaly import note
from diffcli.compute.problem import load, read_expression
from diffcli.compute.request import Request, Result, compute
from diffcli.core.layout import Layout
from diffcli.core.ops import CONSTANTS
from diffcli.data import arrays
from diffcli.data.fileio import is_stdout
from diffcli.errors import DiffcliError
from diffcli.matrix.sizes import bind, parse_shapes, written
from diffcli.render.present import present, write
from diffcli.render.progress import rate, summary, tracker
from diffcli.syntax.parse import names_used
from diffcli.syntax.points import parse_at


def numeric(command: str, o: Options, req: Request) -> int:
    """The shared path of eval/grad/jacobian/hessian: a --points run (streamed here, or on a
    Dask cluster with --engine dask), or one point."""
    if o.points is None and not on_dask(o):
        read = read_expression(o.expr)
        try:
            bindings: dict | None = parse_at(o.at)
        except DiffcliError:
            bindings = None  # said later, after the text's own errors
        missing = unbound(read[0], o.at, bindings)
        asked = getattr(o, "det", False) or getattr(o, "latex", False) or getattr(o, "check", None) is not None
        free = missing and command != "eval" and not getattr(o, "classify", False) and getattr(o, "v", None) is None
        if asked or free:  # formulas (in the names --at leaves free): cli/commands/formulas.py
            from diffcli.cli.commands.formulas import symbolic

            return symbolic(command, o, read)
        if len(missing) > 1:  # numbers are needed: every missing name at once
            raise DiffcliError(
                f"{command} needs numbers, and {len(missing)} names are not bound ({', '.join(missing)}): "
                f"give them values with --at {','.join(f'{m}=VALUE' for m in missing)}"
            )
    else:
        return points(command, o, req)
    if o.keep is not None:
        raise DiffcliError("--keep goes with --points: give --points FILE too")
    key = "grad" if req.gradient else "jacobian" if req.jacobian else "hessian" if req.hessian else None
    if o.out is not None:
        if key is None:
            raise DiffcliError("--out goes with --points: give --points FILE too")
        arrays.file_format(o.out)  # a format it cannot write is refused before the work
    with tracker(f"{command}: reading and differentiating") as track:
        result = repeated_sum(command, o, req, read[0], bindings)
        if result is not None:
            layout = Layout(list(result.data["grad"]), [()] * len(result.data["grad"]))
        else:
            problem = load(
                o.expr,
                o.at,
                getattr(o, "wrt", None),
                getattr(o, "const", None),
                o.of,
                o.dtype,
                device=o.device,
                read=read,
            )
            if req.gradient or req.jacobian or req.hessian:
                write(problem.constant_notes())
            result = compute(problem, req, command, stage=lambda text: track.update(label=f"{command}: {text}"))
            layout = problem.layout
    if o.out is not None:  # the large result to the file, the rest (value, gradient) printed as usual
        assert key is not None  # --out without a result to write was refused above
        write_out(o, result, key, layout)
    return present(result, o.format, strict=o.strict, kinks=getattr(o, "kinks", "quiet"), only=getattr(o, "only", None))


# A name that may be a variable: not inside another word or after a dot, and not followed by `(`
# or `'` (a call) or by one `=` (a definition or a keyword argument).
NAME_TOKEN = re.compile(r"(?<![\w.])[^\W\d]\w*(?!\w)(?!\s*(?:[(']|=(?!=)))")


def unbound(text: str, at, bindings: dict | None) -> list[str]:
    """The free names of the expression that --at does not bind (e and pi are constants); none
    when the text does not parse or --at binds a name the text does not use (the loader then
    says why, with its hints). `bindings`: parse_at(at), None where --at does not read."""
    bound = None if bindings is None else set(bindings)
    if bound is not None and all(name in bound or name in CONSTANTS for name in NAME_TOKEN.findall(text)):
        return []  # every name is bound: no second parse of the text (most of a long objective's run)
    try:
        used = names_used(text)
    except DiffcliError:
        return []
    bound = set(parse_at(at)) if bound is None else bound
    if bound - set(used):  # --at x=3 for X^2: a slip, which the loader names (did you mean `x`?)
        return []
    return [name for name in used if name not in bound and name not in CONSTANTS]


def repeated_sum(command: str, o: Options, req: Request, text: str, bindings: dict | None) -> Result | None:
    """A long sum of scalar terms of a few shapes at one point, every variable bound and
    differentiated, in float64 on the CPU: its terms read at the text level
    (compute/repeated.py). None: the general path (which says what is wrong, in its order)."""
    if getattr(o, "wrt", None) or getattr(o, "const", None) or o.of or o.dtype != "float64" or o.device != "cpu":
        return None
    return None if bindings is None else repeated.compute(text, bindings, req, command)


def write_out(o: Options, result, key: str, layout: Layout) -> None:
    """`result.data[key]` to o.out (a gradient as one vector in --wrt order, as plain prints it)."""
    array = result.data.pop(key)
    if key == "grad":
        array = layout.pack(array.values())
    arrays.write(o.out, key, array, layout.labels, inputs=inputs(o))


def inputs(o: Options) -> tuple:
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

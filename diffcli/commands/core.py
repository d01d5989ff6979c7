"""eval, grad, jacobian, hessian and diff: the numeric and symbolic core commands.

Each command gets the option values read by the CLI (cli/spec.py declares them), states what
it needs as a `Request`, and hands the `Result` to the presenter."""

from __future__ import annotations

from ..anomaly import note
from ..errors import DiffcliError
from ..problem import load
from ..render.present import present, write
from ..request import Request, compute


def numeric(command: str, o: dict, req: Request) -> int:
    """The shared path of eval/grad/jacobian/hessian: a --points run (streamed here, or on a
    Dask cluster with --engine dask), or one point."""
    dask = o["engine"] != "local" or o["scheduler"] is not None
    if o["points"] is not None or dask:
        if dask:
            from .. import cluster
            from .learn import progress

            counts = cluster.run(command, o, req, lambda total: progress(total, "partitions", minimum=1))
        else:
            from .. import stream

            counts = stream.run(command, o, req)
        if counts["nonfinite"]:
            write([note(f"a result is not finite in {counts['nonfinite']} of {counts['rows']} rows")], None)
        return 0
    if o["out"] is not None:
        raise DiffcliError("--out writes the rows of --points: give --points FILE too")
    problem = load(o["expr"], o["at"], o.get("wrt"), o.get("const"), o["of"], o["dtype"], device=o["device"])
    result = compute(problem, req, command)
    return present(result, o["format"], strict=o["strict"], kinks=o.get("kinks", "quiet"))


def evaluate(o: dict) -> int:
    return numeric("eval", o, Request())


def grad(o: dict) -> int:
    return numeric("grad", o, Request(gradient=True, v=o["v"], kinks=o["kinks"] != "quiet"))


def jacobian(o: dict) -> int:
    return numeric("jacobian", o, Request(jacobian=True, kinks=o["kinks"] != "quiet"))


def hessian(o: dict) -> int:
    kind = "sparse" if o["sparse"] else "dense"
    return numeric("hessian", o, Request(hessian=kind, kinks=o["kinks"] != "quiet"))


def diff(o: dict) -> int:
    from ..symbolic import diff as derivative

    problem = load(o["expr"], o["at"], o["wrt"], of=o["of"], free=True)
    result = derivative(problem, o["order"], o["wrt"], kinks=o["kinks"] != "quiet")
    return present(result, o["format"], strict=o["strict"], kinks=o["kinks"], latex=o["latex"])

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
    """The shared path of eval/grad/jacobian/hessian: a streamed --points run, or one point."""
    if o["points"] is not None:
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
    return numeric("jacobian", o, Request(jacobian=True, kinks=o["kinks"] != "quiet", mode=o["mode"]))


def hessian(o: dict) -> int:
    kind = "sparse" if o["sparse"] else "dense"
    req = Request(hessian=kind, kinks=o["kinks"] != "quiet")
    if not o["classify"]:
        return numeric("hessian", o, req)
    if o["points"] is not None or o["sparse"]:
        raise DiffcliError("--classify tests one point's dense Hessian: drop --points and --sparse")
    from ..hessian import classify

    problem = load(o["expr"], o["at"], o["wrt"], o["const"], o["of"], o["dtype"], device=o["device"])
    result = compute(problem, req, "hessian")
    grad = problem.layout.pack(result.data["grad"].values())
    result.data.update(classify(result.data["hessian"], grad, o["tol"]))
    return present(result, o["format"], strict=o["strict"], kinks=o["kinks"])


def diff(o: dict) -> int:
    from ..symbolic import diff as derivative

    implicit = o["implicit"]
    problem = load(o["expr"], o["at"], None if implicit else o["wrt"], of=o["of"], free=True,
                   functions=o["function"], equation=bool(implicit))
    result = derivative(problem, o["order"], o["wrt"], kinks=o["kinks"] != "quiet", implicit=implicit)
    return present(result, o["format"], strict=o["strict"], kinks=o["kinks"], latex=o["latex"])

"""explain: the chain rule step by step with the numbers in (text, Rich, LaTeX, JSON).

The options are declared in cli/spec.py (command "explain"); the steps are built by
diffcli/explain.py, evaluated once with the kink probes, and handed to the presenter with
render/explain.py as the view."""

from __future__ import annotations

from diffcli.cli.spec import Options
from diffcli.compute.problem import load
from diffcli.compute.request import kink_probes
from diffcli.explain.backward import explain as explanation
from diffcli.render import explain as view
from diffcli.render.present import present, write

CAP = 40  # steps shown per section unless --full


def explain(o: Options) -> int:
    problem = load(o.expr, o.at, o.wrt, o.const, o.of)
    write(problem.constant_notes())
    probes = kink_probes(problem) if o.kinks != "quiet" else []
    result = explanation(problem, o.v, o.jacobian, o.hessian, probes, o.u)
    return present(result, o.format, view, strict=o.strict, kinks=o.kinks, cap=None if o.full else CAP)

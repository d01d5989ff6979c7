"""`jvp`: the value and the Jacobian-vector product J u at a point, by one forward sweep.

U is one number per variable element in variable order (the --wrt order, else --at's), as
`torch.func.jvp` takes a tangent per input; it is not normalised, so J u is the directional
derivative times |u|.
"""

from __future__ import annotations

from typing import Sequence

from diffcli.compute.problem import Problem, directions
from diffcli.compute.request import Result, evaluate
from diffcli.core import forward


def jvp(problem: Problem, u: str, probes: Sequence = ()) -> Result:
    f = problem.output
    us, bindings, flat = directions(problem, u)
    tangent = forward.jvp(f, problem.wrt, us)
    result = Result("jvp")
    value, product = evaluate(problem, [f, tangent], result, probes, bindings)
    result.data.update(value=value, jvp=product, wrt=problem.names(), u=flat)
    return result

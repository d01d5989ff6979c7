"""`jvp`: the value and the Jacobian-vector product J u at a point, by one forward sweep.

U is one number per variable element in variable order (the --wrt order, else --at's), as
`torch.func.jvp` takes a tangent per input; it is not normalised, so J u is the directional
derivative times |u|.
"""

from __future__ import annotations

from . import forward
from .errors import DiffcliError
from .points import parse_value
from .problem import Problem
from .request import Result, evaluate


def directions(problem: Problem, u: str, option: str = "--u") -> tuple[list, dict, list]:
    """(direction variables shaped like the wrt variables, their bindings, the flat numbers)
    from the --u text."""
    layout = problem.layout
    text = u.strip()
    flat = parse_value(text if text.startswith("[") or "," not in text else f"[{text}]", option).reshape(-1)
    if flat.size != layout.size:
        labels = ", ".join(problem.labels()) or "none"
        raise DiffcliError(f"{option}: the variables ({labels}) have {layout.size} element"
                           f"{'s' if layout.size != 1 else ''}, but {option} gives {flat.size}: give one number "
                           "per variable element, in that order")
    us = problem.fresh(*(("u", w.shape) for w in problem.wrt))
    values = layout.unpack(flat)
    return us, {d.name: values[name] for d, name in zip(us, problem.names())}, flat.tolist()


def jvp(problem: Problem, u: str, probes: list = ()) -> Result:
    f = problem.output
    us, bindings, flat = directions(problem, u)
    tangent = forward.jvp(f, problem.wrt, us)
    result = Result("jvp")
    value, product = evaluate(problem, [f, tangent], result, probes, bindings)
    result.data.update(value=value, jvp=product, wrt=problem.names(), u=flat)
    return result

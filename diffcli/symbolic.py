"""`diff`: the derivative as a formula that parses back, its LaTeX, and its value at a point."""

from __future__ import annotations

from . import autodiff, implicit as implicitly
from .errors import DiffcliError
from .graph import Node
from .problem import Problem
from .render.latex import to_latex
from .render.text import writable_text
from .request import Result, evaluate, kink_probes


def derivative(problem: Problem, order: int = 1, wrt: list[str] | None = None) -> tuple[Node, list[str]]:
    """d^order f / d wrt... as a node: `--wrt x --order 3`, or `--wrt x,y` (d/dy d/dx).

    `wrt` is the --wrt text as typed (repeats kept: `--wrt x,x,y`); without it the
    expression must have exactly one variable.
    """
    names = [part.strip() for spec in wrt or [] for part in spec.split(",") if part.strip()]
    if not names:
        found = problem.names()
        if len(found) != 1:
            raise DiffcliError("diff needs one variable: name it with --wrt" + (f" (one of {', '.join(found)})" if found else ""))
        names = found
    if len(names) == 1:
        names = names * order
    elif order != 1:
        raise DiffcliError("give --order with a single --wrt variable, or list the variables (--wrt x,y) for a mixed derivative")
    f = problem.output
    if f.shape != ():
        raise DiffcliError(f"diff needs a scalar output, but this one has shape {f.shape}: "
                           "reduce it with sum(...), pick an element with [i], or use jacobian")
    for name in names:
        if problem.bindings and name not in problem.bindings:
            raise DiffcliError(f"--wrt {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
        v = next((w for w in problem.wrt if w.name == name), None) or problem.graph.var(name)
        if v.shape != ():
            raise DiffcliError(f"diff differentiates with respect to scalars; `{name}` has shape {v.shape}: use grad, jacobian or hessian")
        (f,) = autodiff.gradient(f, [v])
    return f, names


def diff(problem: Problem, order: int = 1, wrt: list[str] | None = None, kinks: bool = True,
         implicit: str | None = None) -> Result:
    """The derivative as text that parses back, as LaTeX, and its value (and the kinks the point
    sits on) where the point is given; with `implicit` (a variable name), the derivative of that
    variable along the curve the equation defines (implicit.py)."""
    if implicit:
        return implicitly.diff(problem, implicit.strip(), order, wrt, kinks)
    node, names = derivative(problem, order, wrt)
    result = Result("diff", {"derivative": writable_text(node), "latex": to_latex(node), "wrt": names,
                             "order": len(names)})
    if problem.bindings:
        probes = kink_probes(problem) if kinks else []
        (result.data["value"],) = evaluate(problem, [node], result, probes)
    return result

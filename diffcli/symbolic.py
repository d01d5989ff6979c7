"""`diff`: the derivative as a formula that parses back, its LaTeX, and its value at a point."""

from __future__ import annotations

import itertools

from . import autodiff
from .errors import DiffcliError
from .graph import Node, is_zero
from .problem import Problem
from .render.latex import to_latex
from .render.text import writable_text
from .render.textbook import textbook
from .request import Result, evaluate, kink_probes
from .steps import derivation


ORDER_LISTED = 1000  # JSON `wrt` lists the names applied up to this order; beyond, the name once


def derivative(problem: Problem, order: int = 1, wrt: list[str] | None = None) -> tuple[Node, list[str]]:
    """d^order f / d wrt... as a node: `--wrt x --order 3`, or `--wrt x,y` (d/dy d/dx).

    `wrt` is the --wrt text as typed (repeats kept: `--wrt x,x,y`); without it the
    expression must have exactly one variable. `--order 0` is f itself. Differentiation stops
    as soon as a derivative is exactly 0 (all later ones are 0 too), so `x^3` to order 10^8 is
    answered at once, and where a derivative repeats an earlier one (`sin(x)`, `exp(x)`) whole
    periods are skipped; otherwise the node budget bounds the order. Returns the node and the
    names applied (for an order above ORDER_LISTED, the name once).
    """
    names = [part.strip() for spec in wrt or [] for part in spec.split(",") if part.strip()]
    if not names:
        found = problem.names()
        if len(found) != 1:
            raise DiffcliError("diff needs one variable: name it with --wrt" + (f" (one of {', '.join(found)})" if found else ""))
        names = found
    repeated = len(names) == 1
    if repeated:
        steps, names = itertools.repeat(names[0], order), names * order if order <= ORDER_LISTED else names
    elif order != 1:
        raise DiffcliError("give --order with a single --wrt variable, or list the variables (--wrt x,y) for a mixed derivative")
    else:
        steps = iter(names)
    f = problem.output
    if f.shape != ():
        raise DiffcliError(f"diff needs a scalar output, but this one has shape {f.shape}: "
                           "reduce it with sum(...), pick an element with [i], or use jacobian")
    by_name = {**problem.parsed.names, **dict(zip(problem.names(), problem.wrt))}
    variables: dict = {}
    seen: dict = {}  # derivative node -> its order, for one repeated name
    for k, name in enumerate(steps):
        v = variables.get(name)
        if v is None:
            if problem.bindings and name not in problem.bindings and name not in problem.parsed.names:
                raise DiffcliError(f"--wrt {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
            v = variables[name] = by_name.get(name) or problem.graph.var(name)
            if v.shape != ():
                raise DiffcliError(f"diff differentiates with respect to scalars; `{name}` has shape {v.shape}: "
                                   "use grad, jacobian or hessian")
        if repeated:
            if f in seen:  # the derivatives repeat (the 4th of sin(x) is sin(x)): skip whole periods
                for _ in range((order - k) % (k - seen[f])):
                    (f,) = autodiff.gradient(f, [v])
                break
            seen[f] = k
        (f,) = autodiff.gradient(f, [v])
        if is_zero(f):
            break
    return f, names


def diff(problem: Problem, order: int = 1, wrt: list[str] | None = None, kinks: bool = True,
         steps: bool = False) -> Result:
    """The derivative as text that parses back, as LaTeX, and its value (and the kinks the point
    sits on) where the point is given; with `steps`, the derivation (steps.py) too."""
    node, names = derivative(problem, order, wrt)
    count = order if order != 1 else len(names)  # --order N, or the names of a mixed derivative
    # The function's own form competes (render/forward.py) only when every name is a variable:
    # a --wrt intermediate (`a` of `a = x + 1`) is a node of that form, not a name in it.
    direct = len(names) == count and not set(names) & set(problem.parsed.names)
    printed = textbook(node, problem.output, tuple(names) if direct else ())
    result = Result("diff", {"derivative": writable_text(printed), "latex": to_latex(printed), "wrt": names,
                             "order": count})
    if steps:
        if len(names) != count:
            raise DiffcliError(f"--steps writes out at most {ORDER_LISTED} orders")
        result.data["steps"] = derivation(problem, names)
    if problem.bindings:
        probes = kink_probes(problem) if kinks else []
        (result.data["value"],) = evaluate(problem, [node], result, probes)
    return result

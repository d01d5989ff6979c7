"""Implicit differentiation: dy/dx of a curve F(x, y) = 0 given as an equation `lhs = rhs`.

F is lhs - rhs (or `y = expr`, or an expression meant as F = 0). Along the curve y is a
function of x, so dF/dx = F_x + F_y y' = 0 gives y' = -F_x/F_y; each higher derivative is the
total derivative of the one before, d/dx + y' d/dy (as SymPy's idiff). The partials are reverse
mode on F's graph, so the results print as formulas in x and y (and any other variable, held
fixed). At a point (--at) the residual F is checked: a point off the curve gets a warning.
"""

from __future__ import annotations

from diffcli.algebra.guards import has_where, unguard
from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import writable_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.anomaly import note
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, kink_probes
from diffcli.core import autodiff
from diffcli.core.graph import Node, apply, is_zero
from diffcli.errors import DiffcliError
from diffcli.limits import ORDER_LISTED

ON_CURVE = 1e-9  # |lhs - rhs| <= ON_CURVE * max(1, |lhs|, |rhs|) counts as on the curve


def function_of(problem: Problem, y: str) -> tuple[Node, tuple | None]:
    """(F, (lhs, rhs) or None) for the equation F = 0."""
    parsed = problem.parsed
    if parsed.equation is not None:
        lhs, rhs = parsed.equation
        return apply("sub", lhs, rhs), (lhs, rhs)
    if parsed.names.get(y) is parsed.output:  # `y = sin(x*y)`: the output defines y
        lhs = problem.graph.var(y, ())
        return apply("sub", lhs, parsed.output), (lhs, parsed.output)
    return parsed.output, None


def variable(problem: Problem, y: str, F: Node, wrt: list[str] | None) -> str:
    names = [part.strip() for spec in wrt or [] for part in spec.split(",") if part.strip()]
    if len(names) > 1:
        raise DiffcliError("--implicit differentiates by one variable: give it alone, as in --wrt x")
    if names:
        if names[0] == y:
            raise DiffcliError(f"--wrt {y} is the implicit variable itself: differentiate by another, such as --wrt x")
        return names[0]
    others = [v.name for v in problem.parsed.variables if v.name != y]
    if len(others) != 1:
        raise DiffcliError(
            f"name the variable {y} depends on with --wrt" + (f" (one of {', '.join(others)})" if others else "")
        )
    return others[0]


def derivative(problem: Problem, y: str, order: int = 1, wrt: list[str] | None = None):
    """(d^order y / dx^order as a node, x's name, F, the equation's sides)."""
    F, sides = function_of(problem, y)
    if F.shape != ():
        raise DiffcliError(f"--implicit needs one scalar equation, but this one has shape {F.shape}")
    x = variable(problem, y, F, wrt)
    xv, yv = problem.graph.var(x, ()), problem.graph.var(y, ())
    fx, fy = autodiff.gradient(F, [xv, yv])
    if fy.is_const and fy.value == 0:
        raise DiffcliError(f"the equation does not depend on {y} (dF/d{y} = 0): y cannot be solved for near any point")
    first = apply("neg", apply("div", fx, fy))

    def total(d: Node) -> Node:  # d/dx along the curve: d/dx + y' d/dy
        (dx, dy) = autodiff.gradient(d, [xv, yv])
        return apply("add", dx, apply("mul", first, dy))

    d = first
    seen: dict[Node, int] = {}  # as `diff`: stop at 0, skip whole periods of repeating derivatives
    for k in range(1, order):
        if is_zero(d):
            break
        if d in seen:
            for _ in range((order - k) % (k - seen[d])):
                d = total(d)
            break
        seen[d] = k
        d = total(d)
    return d, x, F, sides


def diff(problem: Problem, y: str, order: int = 1, wrt: list[str] | None = None, kinks: bool = True) -> Result:
    """dy/dx (order N) as text that parses back, LaTeX, and its value where --at gives a point
    (with the point's residual lhs - rhs, and a warning when the point is off the curve)."""
    if order < 1:
        raise DiffcliError("--implicit takes --order 1 or more (the curve itself is the equation)")
    node, x, F, sides = derivative(problem, y, order, wrt)
    # as `diff` prints: the textbook form of the same derivative, without the rules' guards
    printed = textbook(node if has_where(problem.output) else unguard(node)[0])
    result = Result(
        "diff",
        {
            "derivative": writable_text(printed),
            "latex": to_latex(printed),
            "wrt": [x] * order if order <= ORDER_LISTED else [x],  # as diff: no list of 10^9 names
            "order": order,
            "implicit": y,
        },
    )
    if problem.bindings:
        for name in (x, y):
            if name not in problem.bindings:
                raise DiffcliError(f"`{name}` is not bound: give the point with --at {x}=...,{y}=...")
        extra = list(sides) if sides else []
        probes = kink_probes(problem) if kinks else []
        values = evaluate(problem, [node, F] + extra, result, probes)
        result.data["value"], residual = values[0], float(values[1])
        result.data["residual"] = residual
        scale = max([1.0] + [abs(float(v)) for v in values[2:]])
        if not abs(residual) <= ON_CURVE * scale:
            result.warnings.append(
                note(
                    f"the point is not on the curve: lhs - rhs = {residual!r} there "
                    f"(the derivative is the implicit one through the level set F = {residual!r})",
                    "",
                )
            )
    return result

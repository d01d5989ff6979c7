"""`taylor`: the Taylor polynomial of an expression at a point.

- One variable: c_k = f^(k)(a)/k!, k = 0..N (reverse mode applied k times, all evaluated in one
  plan); the text is c_0 + c_1*(x - a) + ... and parses back.
- Several variables: every multi-index alpha with |alpha| <= N, c_alpha = d^alpha f(a)/alpha!
  (order 2 is the quadratic model: value, gradient, Hessian); each mixed partial is built once,
  differentiating in a nondecreasing variable order.
- Along a direction u (`--u`): g(t) = f(a + t u), c_k = (D_u^k f)(a)/k!, where D_u is one
  forward-mode sweep along u (forward.jvp) applied k times; any order, any number of variables.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from diffcli.algebra.polynomial import polynomial
from diffcli.compute.problem import Problem, directions
from diffcli.compute.request import Result, evaluate
from diffcli.core import autodiff, forward
from diffcli.core.engine import Plan, to_numpy
from diffcli.errors import DiffcliError

MAX_TERMS = 2000  # multi-indices of a several-variable polynomial


def multi_indices(n: int, order: int) -> list[tuple]:
    """Nondecreasing variable sequences of length 0..order (each a multi-index once)."""
    found: list[tuple[int, ...]] = [()]
    frontier: list[tuple[int, ...]] = [()]
    for _ in range(order):
        frontier = [s + (i,) for s in frontier for i in range(s[-1] if s else 0, n)]
        found.extend(frontier)
        if len(found) > MAX_TERMS:
            raise DiffcliError(
                f"a Taylor polynomial of order {order} in {n} variables has more than {MAX_TERMS} "
                "terms: lower --order, or expand along a direction with --u"
            )
    return found


def counts(sequence: tuple, n: int) -> tuple:
    return tuple(sequence.count(i) for i in range(n))


def taylor(problem: Problem, order: int, u: str | None = None, probes: Sequence = ()) -> Result:
    f = problem.output
    if f.shape != ():
        raise DiffcliError(
            f"taylor needs a scalar expression, but this one has shape {f.shape}: pick an element "
            "with [i] or reduce with sum(...)"
        )
    wrt = problem.wrt
    if not wrt:
        raise DiffcliError("taylor needs a point: give the variables and the centre with --at, such as --at x=0")
    if problem.intermediates():
        inner = problem.intermediates()[0]
        raise DiffcliError(
            f"taylor expands in the variables of --at, and `{inner}` is defined in the expression: "
            "leave it out of --wrt"
        )
    result = Result("taylor")
    if u is not None:
        return _along(problem, order, u, probes, result)
    if any(w.shape != () for w in wrt):
        raise DiffcliError("taylor expands in scalar variables; for a vector variable give a direction with --u")
    n = len(wrt)
    sequences = multi_indices(n, order)
    nodes = {(): f}
    for s in sequences[1:]:
        (nodes[s],) = autodiff.gradient(nodes[s[:-1]], [wrt[s[-1]]])
    values = evaluate(problem, [nodes[s] for s in sequences], result, probes)
    centre = [float(problem.bindings[w.name]) for w in wrt]
    names = problem.names()
    terms = []
    for s, value in zip(sequences, values):
        powers = counts(s, n)
        terms.append((powers, float(value) / math.prod(math.factorial(p) for p in powers)))
    terms.sort(key=lambda t: (sum(t[0]), [-p for p in t[0]]))
    result.data.update(
        polynomial=polynomial(terms, names, centre),
        latex=polynomial(terms, names, centre, True),
        wrt=names,
        at=dict(zip(names, centre)),
        order=order,
    )
    if n == 1:
        result.data["coefficients"] = np.array([c for _, c in terms])
    else:
        result.data["terms"] = [{"powers": list(p), "coefficient": c} for p, c in terms]
    return result


def _along(problem: Problem, order: int, u: str, probes: Sequence, result: Result) -> Result:
    """g(t) = f(a + t u) to order N by repeated forward sweeps along u."""
    us, bindings, flat = directions(problem, u)
    nodes = [problem.output]
    for _ in range(order):
        nodes.append(forward.jvp(nodes[-1], problem.wrt, us))
    values = evaluate(problem, nodes, result, probes, bindings)
    name = free_name(problem, "t")
    coefficients = [float(v) / math.factorial(k) for k, v in enumerate(values)]
    terms = [((k,), c) for k, c in enumerate(coefficients)]
    result.data.update(
        polynomial=polynomial(terms, [name], [0.0]),
        latex=polynomial(terms, [name], [0.0], True),
        wrt=problem.names(),
        at={w: to_list(problem.bindings[w]) for w in problem.names()},
        u=flat,
        order=order,
        coefficients=np.array(coefficients),
    )
    return result


def to_list(value):
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def free_name(problem: Problem, hint: str) -> str:
    """The polynomial's variable along a direction: t, unless the expression uses t."""
    taken = set(problem.bindings) | {v.name for v in problem.parsed.variables} | set(problem.parsed.names)
    name, k = hint, 0
    while name in taken:
        k += 1
        name = f"{hint}{k}"
    return name


def curves(problem: Problem, result: Result, low: float, high: float, points: int = 401):
    """(grid, f on it, the polynomial on it) for the picture: x (one variable) or t (along u)."""
    data = result.data
    grid = np.linspace(low, high, points)
    coefficients = np.asarray(data["coefficients"], dtype=float)
    names = data["wrt"]
    if "u" in data:
        shifted = grid
        flat_u = np.asarray(data["u"], dtype=float)
        moved = problem.layout.unpack(
            np.outer(grid, flat_u) + problem.layout.pack([problem.bindings[n] for n in names])
        )
    else:
        centre = data["at"][names[0]]
        shifted = grid - centre
        moved = {names[0]: grid}
    values = Plan([problem.output], set(moved), problem.device).run({**problem.bindings, **moved})[0]
    model = np.polynomial.polynomial.polyval(shifted, coefficients)
    return grid, np.broadcast_to(to_numpy(values).astype(float), grid.shape), model

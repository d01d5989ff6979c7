"""`diff`: the derivative as a formula that parses back, its LaTeX, and its value at a point."""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

from diffcli import limits
from diffcli.algebra.guards import has_where, note, unguard
from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import shared_nodes, writable_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, kink_probes
from diffcli.core import autodiff
from diffcli.core.graph import Node, is_zero, topological
from diffcli.core.local import substitute
from diffcli.errors import DiffcliError
from diffcli.limits import ORDER_LISTED
from diffcli.symbolic import implicit as implicitly
from diffcli.symbolic.steps import derivation

PRINT_CHECKED = 5_000  # derivatives of this many nodes or more are checked for their printed size as they grow


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
            raise DiffcliError(
                "diff needs one variable: name it with --wrt" + (f" (one of {', '.join(found)})" if found else "")
            )
        names = found
    repeated = len(names) == 1
    steps: Iterator[str]
    if repeated:
        steps, names = itertools.repeat(names[0], order), names * order if order <= ORDER_LISTED else names
    elif order != 1:
        raise DiffcliError(
            "give --order with a single --wrt variable, or list the variables (--wrt x,y) for a mixed derivative"
        )
    else:
        steps = iter(names)
    f = problem.output
    if f.shape != ():
        raise DiffcliError(
            f"diff needs a scalar output, but this one has shape {f.shape}: "
            "reduce it with sum(...), pick an element with [i], or use jacobian"
        )
    chain = Chain(problem, names)
    f = chain.cut(f)
    seen: dict = {}  # derivative node -> its order, for one repeated name
    for k, name in enumerate(steps):
        if repeated:
            if f in seen:  # the derivatives repeat (the 4th of sin(x) is sin(x)): skip whole periods
                for _ in range((order - k) % (k - seen[f])):
                    f = chain.d(f, name)
                break
            seen[f] = k
        f = chain.d(f, name)
        if is_zero(f):
            break
        printable(f, k + 1, order if repeated else len(names))
    return chain.restore(f), names


def printable(f: Node, k: int, wanted: int) -> None:
    """Stop as soon as a derivative is too large to print (its LaTeX, 4 characters a character,
    is printed too): the later ones only grow, and building them costs minutes."""
    order = topological([f])
    if len(order) < PRINT_CHECKED:
        return
    try:
        limits.check_print(order, {id(n) for n in shared_nodes(f)}, 4)
    except DiffcliError:
        raise DiffcliError(
            f"the derivative of order {k} (of the {wanted} asked) is already too large to print as a formula: "
            "lower --order; for values at a point, `diffcli taylor EXPR --at x=... --order N` needs no formula"
        ) from None


class Chain:
    """Differentiation by variables and by a file's intermediates (`a` of `a = x + 1`, PyTorch's
    retain_grad). Each intermediate named stands as a variable of its own, A, while the
    derivatives are taken, and is put back at the end: the simplified first derivative may no
    longer hold the intermediate's node (d/da (a*a) = 2*a is 2*x + 2), so a second derivative
    by `a` would find none. By a variable the derivative is total, as PyTorch's graph gives it:
    d/dx g = dg/dx + sum over intermediates of da/dx * dg/dA."""

    def __init__(self, problem: Problem, names: list[str]):
        self.graph = problem.graph
        by_name = {**problem.parsed.names, **dict(zip(problem.names(), problem.wrt))}
        self.nodes: dict = {}
        for name in dict.fromkeys(names):
            if problem.bindings and name not in problem.bindings and name not in problem.parsed.names:
                raise DiffcliError(f"--wrt {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
            v = self.nodes[name] = by_name.get(name) or self.graph.var(name)
            if v.shape != ():
                raise DiffcliError(
                    f"diff differentiates with respect to scalars; `{name}` has shape {v.shape}: "
                    "use grad, jacobian or hessian"
                )
        # a name no text can hold, so the stand-in never meets a variable of the expression
        self.stand_in = {id(v): self.graph.var(f"<{name}>") for name, v in self.nodes.items() if v.op != "var"}
        # each intermediate's stand-in and its definition, the intermediates under it cut
        self.inner = [
            (self.stand_in[id(v)], self.graph.node(v.op, tuple(map(self.cut, v.args)), v.payload, True))
            for v in self.nodes.values()
            if v.op != "var"
        ]

    def cut(self, f: Node) -> Node:
        """f with each intermediate replaced by its stand-in."""
        return substitute(f, self.stand_in, self.graph, simplify=True) if self.stand_in else f

    def d(self, f: Node, name: str) -> Node:
        v = self.nodes[name]
        if v.op != "var":
            return autodiff.gradient(f, [self.stand_in[id(v)]])[0]
        if not self.inner:
            return autodiff.gradient(f, [v])[0]
        direct, *through = autodiff.gradient(f, [v, *(s for s, _ in self.inner)])
        for (_, definition), dg in zip(self.inner, through):
            if not is_zero(dg):
                direct = direct + autodiff.gradient(definition, [v])[0] * dg
        return direct

    def restore(self, f: Node) -> Node:
        """f with each stand-in replaced by its intermediate again."""
        back = {id(self.stand_in[id(v)]): v for v in self.nodes.values() if id(v) in self.stand_in}
        return substitute(f, back, self.graph, simplify=True) if back else f


def formula(problem: Problem, order: int, wrt: list[str] | None, implicit: str | None) -> Node:
    """The derivative's node (evaluated DAG, guards in): explicit, or along the curve with `implicit`."""
    if implicit:
        return implicitly.derivative(problem, implicit.strip(), order, wrt)[0]
    return derivative(problem, order, wrt)[0]


def diff(
    problem: Problem,
    order: int = 1,
    wrt: list[str] | None = None,
    kinks: bool = True,
    steps: bool = False,
    implicit: str | None = None,
) -> Result:
    """The derivative as text that parses back, as LaTeX, and its value (and the kinks the point
    sits on) where the point is given; with `steps`, the derivation (steps.py) too; with
    `implicit` (a variable name), the derivative of that variable along the curve the equation
    defines (implicit.py)."""
    if implicit:
        if steps:
            raise DiffcliError("--steps writes out explicit derivatives: leave it out with --implicit")
        return implicitly.diff(problem, implicit.strip(), order, wrt, kinks)
    node, names = derivative(problem, order, wrt)
    count = order if order != 1 else len(names)  # --order N, or the names of a mixed derivative
    # The function's own form competes (render/form_derivative.py) only when every name is a variable:
    # a --wrt intermediate (`a` of `a = x + 1`) is a node of that form, not a name in it.
    direct = len(names) == count and not set(names) & set(problem.parsed.names)
    guarded = has_where(problem.output)  # the input's own where: its guards are its own
    shown, guards = (node, []) if guarded else unguard(node)
    printed = textbook(shown, problem.output, tuple(names) if direct else (), unguarded=not guarded)
    result = Result(
        "diff", {"derivative": writable_text(printed), "latex": to_latex(printed), "wrt": names, "order": count}
    )
    if steps:
        if len(names) != count:
            raise DiffcliError(f"--steps writes out at most {ORDER_LISTED} orders")
        result.data["steps"] = derivation(problem, names)
    if problem.bindings:
        probes = kink_probes(problem) if kinks else []
        edges = [problem.graph.node("eq", (g.edge, problem.graph.const(0.0)), simplify=False) for g in guards]
        value, *on_edge = evaluate(problem, [node, *edges], result, probes)
        result.data["value"] = value
        # one note per kind of guard and edge: an order-2 derivative holds the same guard often
        result.notes.extend(
            dict.fromkeys(
                note(g, writable_text(textbook(g.edge))) for g, hit in zip(guards, on_edge) if bool(np.any(hit))
            )
        )
    return result

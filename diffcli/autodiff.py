"""Symbolic reverse mode: derivatives are nodes of the same DAG.

`backward` walks the reverse topological order once. Each op's rule (ops.py) returns the
contributions to its inputs as new nodes built by the simplifying constructors, and each node's
contributions are summed once. Because the result is a graph, the Hessian is simply the
derivative of the gradient (reverse-over-reverse); f, its gradient and its Hessian share
subexpressions, and the evaluator computes them in one program.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import graph as G
from .graph import Node, apply, const, is_zero, topological, zeros
from .ops import OPS, fit_shape

# id(contribution) -> the node whose derivative rule first built it. Nodes are interned and
# live as long as the process, so ids are stable; the anomaly report uses this to name the
# operation whose rule produced a non-finite adjoint.
MADE_BY: dict[int, Node] = {}


@dataclass
class Adjoints:
    """d(output)/d(node) for every node on a path from a wrt variable to the output."""

    order: list  # topological order of the function's nodes
    adjoint: dict  # id(node) -> adjoint node
    requires: set  # ids of nodes that depend on a wrt variable (requires_grad)

    def of(self, n: Node) -> Node:
        found = self.adjoint.get(id(n))
        return fit_shape(found, n.shape) if found is not None else zeros(n.shape)


def requires_grad(order: list, wrt) -> set:
    """Ids of the nodes that depend on a wrt variable through differentiable edges."""
    wanted = {id(v) for v in wrt}
    needs: set = set()
    for n in order:
        if id(n) in wanted:
            needs.add(id(n))
        elif n.args and OPS[n.op].vjp is not None and n.op != "detach":
            if any(id(a) in needs for a in n.args):
                needs.add(id(n))
    return needs


def backward(seeds: list[tuple[Node, Node]], wrt) -> Adjoints:
    """Adjoints of all nodes for the weighted outputs sum(seed * output)."""
    order = topological([out for out, _ in seeds])
    needs = requires_grad(order, wrt)
    pending: dict[int, list] = {}
    for out, seed in seeds:
        if id(out) in needs:
            pending.setdefault(id(out), []).append(fit_shape(seed, out.shape))
    adjoint: dict[int, Node] = {}
    for n in reversed(order):
        parts = pending.pop(id(n), None)
        if not parts:
            continue
        total = parts[0]
        for p in parts[1:]:
            total = apply("add", total, p)
        adjoint[id(n)] = total
        if not n.args or is_zero(total):
            continue
        flags = tuple(id(a) in needs for a in n.args)
        if not any(flags):
            continue
        for arg, flag, part in zip(n.args, flags, OPS[n.op].vjp(n, total, flags)):
            if part is not None:
                MADE_BY.setdefault(id(part), n)
            if flag and part is not None and not is_zero(part):
                pending.setdefault(id(arg), []).append(fit_shape(part, arg.shape))
    return Adjoints(order, adjoint, needs)


def gradient(f: Node, wrt: list[Node], seed: Node | None = None) -> list[Node]:
    """d f / d v for each v in wrt (f scalar), or the VJP with `seed` shaped like f."""
    if seed is None:
        seed = const(1.0, f.shape)
    adj = backward([(f, seed)], wrt)
    return [adj.of(v) for v in wrt]


def flat_entries(n: Node) -> list[Node]:
    """A node's elements in C order, as scalar nodes."""
    if n.shape == ():
        return [n]
    import numpy as np

    return [apply("index", n, payload=tuple(int(i) for i in idx)) for idx in np.ndindex(*n.shape)]


def jacobian(f: Node, wrt: list[Node]) -> list[list[Node]]:
    """Rows d f_i / d wrt (flattened, C order), one per element of f."""
    rows = []
    for fi in flat_entries(f):
        row = []
        for g in gradient(fi, wrt):
            row.extend(flat_entries(g))
        rows.append(row)
    return rows


def hessian(f: Node, wrt: list[Node]) -> tuple[list[Node], list[list[Node]]]:
    """(gradient nodes, Hessian rows): reverse mode over the gradient's own graph."""
    grads = gradient(f, wrt)
    flat = [e for g in grads for e in flat_entries(g)]
    rows = []
    for gi in flat:
        row = []
        for h in gradient(gi, wrt):
            row.extend(flat_entries(h))
        rows.append(row)
    return grads, rows

"""Symbolic reverse mode: derivatives are nodes of the same DAG.

`backward` walks the reverse topological order once. Each op's rule (the op table) returns the
contributions to its inputs as new nodes built by the simplifying constructors, and each node's
contributions are summed once. Because the result is a graph, it can be differentiated again
(hessian.py); f and its derivatives share subexpressions, and the engine computes them in one
plan. The graph records which node's rule built each contribution (`Graph.made_by`), so an
anomaly report can name the operation whose derivative turned non-finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from diffcli.core.graph import Graph, Node, apply, is_zero, topological
from diffcli.core.ops import OPS, fit_shape
from diffcli.errors import DiffcliError


@dataclass
class Adjoints:
    """d(output)/d(node) for every node on a path from a wrt variable to the output."""

    order: list  # topological order of the function's nodes
    adjoint: dict  # id(node) -> adjoint node
    requires: set  # ids of nodes that depend on a wrt variable (requires_grad)

    def of(self, n: Node) -> Node:
        found = self.adjoint.get(id(n))
        return fit_shape(found, n.shape) if found is not None else n.graph.zeros(n.shape)


def requires_grad(order: list, wrt: Iterable[Node]) -> set:
    """Ids of the nodes that depend on a wrt variable through differentiable edges (an op
    flagged `no_grad`, such as detach or a comparison, stops the dependence)."""
    wanted = {id(v) for v in wrt}
    needs: set = set()
    passes: dict = {}  # op -> whether a gradient flows through it
    for n in order:
        if id(n) in wanted:
            needs.add(id(n))
        elif n.args:
            flows = passes.get(n.op)
            if flows is None:
                flows = passes[n.op] = OPS[n.op].vjp is not None and not OPS[n.op].no_grad
            if flows:
                for a in n.args:
                    if id(a) in needs:
                        needs.add(id(n))
                        break
    return needs


def backward(seeds: list[tuple[Node, Node]], wrt: Iterable[Node]) -> Adjoints:
    """Adjoints of all nodes for the weighted outputs sum(seed * output)."""
    order = topological([out for out, _ in seeds])
    needs = requires_grad(order, wrt)
    pending: dict[int, list] = {}
    for out, seed in seeds:
        if id(out) in needs:
            pending.setdefault(id(out), []).append(fit_shape(seed, out.shape))
    adjoint: dict[int, Node] = {}
    made_by = order[0].graph.made_by if order else {}
    for n in reversed(order):
        parts = pending.pop(id(n), None)
        if not parts:
            continue
        total = parts[0]
        masked = total.op == "where"
        for p in parts[1:]:
            total = apply("add", total, p)
            masked = masked or p.op == "where"
        adjoint[id(n)] = total
        args = n.args
        if not args or (total.op == "const" and total.payload[0] == 0.0):  # is_zero, inlined
            continue
        flags = tuple([id(a) in needs for a in args])
        if True not in flags:
            continue
        if masked:
            inner, wrap = branch_mask(parts, n, total)
        else:
            inner, wrap = total, None
        for arg, flag, part in zip(args, flags, OPS[n.op].pullback(n, inner, flags)):
            if part is None:
                continue
            if part not in made_by:
                made_by[part] = n
            if wrap is not None:
                part = wrap(part)
                made_by.setdefault(part, n)
            if flag and not (part.op == "const" and part.payload[0] == 0.0):
                if part.shape != arg.shape:
                    part = fit_shape(part, arg.shape)
                found = pending.get(id(arg))
                if found is None:
                    pending[id(arg)] = [part]
                else:
                    found.append(part)
    return Adjoints(order, adjoint, needs)


def branch_mask(parts: list, n: Node, total: Node | None = None) -> tuple[Node, Callable[[Node], Node]]:
    """(adjoint to pass to n's rule, wrap for its results): keep a branch's zeros exact.

    When all of a node's adjoint comes through one side of `where(c, ., 0)` (a `where`, relu,
    clamp...), the rule gets the adjoint without the mask and its results are masked again,
    so where the branch is not taken they are exactly 0, even when the rule multiplies by
    inf or nan there (sqrt'(0), log'(0), sqrt of a negative). Masks nest; parts masked by
    different conditions are left as they are.
    """
    masks = []
    while True:
        sides = {
            (p.args[0], is_zero(p.args[2])) if p.op == "where" and (is_zero(p.args[1]) or is_zero(p.args[2])) else None
            for p in parts
        }
        if len(sides) != 1:
            break
        (side,) = sides
        if side is None:
            break
        c, taken_first = side
        if c.shape != () and not OPS[n.op].elementwise:
            break  # a reduction's inputs have other shapes than its mask
        masks.append((c, taken_first))
        parts = [p.args[1] if taken_first else p.args[2] for p in parts]
    if not masks:
        if total is None:  # the sum of the parts, unless the caller has it already
            total = parts[0]
            for p in parts[1:]:
                total = apply("add", total, p)
        return total, lambda part: part
    inner = parts[0]
    for p in parts[1:]:
        inner = apply("add", inner, p)

    def wrap(part: Node) -> Node:
        for c, taken_first in reversed(masks):
            zero = part.graph.zeros(part.shape)
            part = apply("where", c, part, zero) if taken_first else apply("where", c, zero, part)
        return part

    return inner, wrap


def gradient(f: Node, wrt: list[Node], seed: Node | None = None) -> list[Node]:
    """d f / d v for each v in wrt (f scalar), or the VJP with `seed` shaped like f."""
    if seed is None:
        seed = f.graph.const(1.0, f.shape)
    adj = backward([(f, seed)], wrt)
    return [adj.of(v) for v in wrt]


def flat_entries(n: Node) -> list[Node]:
    """A node's elements in C order, as scalar nodes."""
    if n.shape == ():
        return [n]
    return [apply("index", n, payload=tuple(int(i) for i in idx)) for idx in np.ndindex(*n.shape)]


def jacobian(f: Node, wrt: list[Node]) -> list[list[Node]]:
    """Rows d f_i / d wrt (flattened, C order), one per element of f."""
    rows = []
    growth = Growth(f.graph, f.size, (f.size, sum(w.size for w in wrt)))
    for fi in flat_entries(f):
        row = []
        for g in gradient(fi, wrt):
            row.extend(flat_entries(g))
        rows.append(row)
        growth.step()
    return rows


class Growth:
    """A Jacobian built row by row (or column by column) grows the graph by about as much for
    each: after two, the whole is foreseen, and one too large for the node budget is refused at
    once with advice that fits (not after minutes, not 'lower --order')."""

    def __init__(self, graph: Graph, parts: int, shape: tuple[int, int]) -> None:
        self.graph, self.parts, self.shape = graph, parts, shape  # parts: the rows or columns built
        self.done, self.last = 0, len(graph.table)

    def step(self) -> None:
        self.done += 1
        now = len(self.graph.table)
        foreseen = now + (now - self.last) * (self.parts - 2)
        if self.done == 2 and foreseen > self.graph.max_nodes:
            raise DiffcliError(
                f"a Jacobian of {self.shape[0]:,} x {self.shape[1]:,} entries, built one derivative at a time, needs "
                f"about {foreseen:,} graph nodes, more than the {self.graph.max_nodes:,} "
                "allowed: differentiate by fewer variables (--wrt), or take one product, jvp --u (J u) or "
                "grad --v (v^T J)"
            )
        self.last = now

"""Repeated structure differentiated once: a sum of many scalar terms of a few shapes (the
extended Rosenbrock written out, a loss over data points typed term by term) as templates over
index arrays.

A term's shape is its DAG with each variable replaced by a slot (numbered by first
appearance) and its numbers kept: `100*(x2 - x1^2)^2` and `100*(x3 - x2^2)^2` share one, with
slots (x2, x1) and (x3, x2). The terms of one shape become one template term over vector
variables, one element per term, gathered from the point by the slot indices; the template is
differentiated once (the gradient by each slot, the Hessian's slot pairs), evaluated with
numpy over all terms at once, and the per-term derivatives are added into place (bincount).

The result is the general path's up to rounding in the order derivative contributions are
summed; the value is summed term by term in the written order, as the general path does. Only
sums of elementwise operations on scalar variables with no kinks qualify (`split` says None
otherwise), and a caller falls back to the general path on any non-finite value, which then
names the node that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffcli.core import autodiff
from diffcli.core.engine import Plan
from diffcli.core.graph import Node, topological
from diffcli.core.ops import OPS

MIN_TERMS = 64  # fewer terms: the general path is as quick
MAX_SHAPES = 16  # more distinct term shapes: not regular enough to be worth templates
SLOT = "\x00slot{}"  # template variables: no user can type the name


@dataclass
class Group:
    """The terms of one shape: the first as the template, the slot positions (terms x slots,
    indices into wrt), each term's sign (+1 or -1) and its place in the written sum."""

    term: Node
    slots: np.ndarray
    signs: np.ndarray
    places: np.ndarray


def terms(f: Node) -> list[tuple[float, Node]]:
    """f's terms with their signs, left to right, through its top-level + and -."""
    out: list = []
    stack = [(f, 1.0)]
    while stack:
        n, sign = stack.pop()
        if n.op == "add" or n.op == "sub":
            stack.append((n.args[1], sign if n.op == "add" else -sign))
            stack.append((n.args[0], sign))
        else:
            out.append((sign, n))
    return out


def variables(t: Node) -> list[Node]:
    """The variables of term t."""
    return [n for n in topological([t]) if n.op == "var"]


def signature(t: Node, position: dict) -> tuple | None:
    """(the term's shape, its slots' wrt positions), or None when it does not qualify."""
    local: dict = {}
    code: list = []
    slots: list = []
    for i, n in enumerate(topological([t])):
        local[n] = i
        op = n.op
        if n.shape != ():
            return None
        if op == "var":
            k = position.get(n)
            if k is None:  # a variable that is not differentiated: the general path binds it
                return None
            code.append(len(slots))
            slots.append(k)
        elif op == "const":
            code.append(n.payload)
        else:
            spec = OPS.get(op)
            if spec is None or not spec.elementwise or any(k.on(n) is not None for k in spec.kinks):
                return None  # a kink the point may sit on: the general path probes it
            code.append((op, n.payload, tuple([local[a] for a in n.args])))
    return tuple(code), slots


def split(f: Node, wrt: list[Node]) -> list[Group] | None:
    """f as templates, or None when it is not a long regular sum of scalar terms."""
    if f.shape != () or any(w.op != "var" or w.shape != () for w in wrt):
        return None
    found = terms(f)
    if len(found) < MIN_TERMS:
        return None
    position = {w: k for k, w in enumerate(wrt)}
    shapes: dict[tuple, tuple[Node, list[tuple], list[float], list[int]]] = {}  # code -> (term, slots, signs, places)
    for place, (sign, t) in enumerate(found):
        signed = signature(t, position)
        if signed is None:
            return None
        code, slots = signed
        group = shapes.get(code)
        if group is None:
            if len(shapes) == MAX_SHAPES:
                return None
            group = shapes[code] = (t, [], [], [])
        group[1].append(slots)
        group[2].append(sign)
        group[3].append(place)
    return [
        Group(t, np.array(slots, dtype=np.intp), np.array(signs), np.array(places))
        for t, slots, signs, places in shapes.values()
    ]


def rebuild(group: Group) -> tuple[Node, list[Node]]:
    """The template: the group's first term over one vector variable per slot."""
    t = group.term
    graph, rows = t.graph, len(group.signs)
    made: dict = {}
    slots: list = []
    for n in topological([t]):
        if n.op == "var":
            made[n] = graph.var(SLOT.format(len(slots)), (rows,))
            slots.append(made[n])
        elif n.op == "const":
            made[n] = n
        else:
            made[n] = graph.node(n.op, tuple([made[a] for a in n.args]), n.payload)
    return made[t], slots


@dataclass
class Found:
    """value, gradient (n) and, when asked, the Hessian's coordinates (rows, cols, values),
    duplicates added, row by row."""

    value: float
    grad: np.ndarray
    hessian: tuple | None = None


def evaluate(groups: list[Group], point: np.ndarray, hessian: bool) -> Found | None:
    """The value, gradient and (when asked) Hessian at `point` (the wrt values in order), or
    None when a value is not finite."""
    n = len(point)
    total = sum(len(g.signs) for g in groups)
    values = np.empty(total)
    grad = np.zeros(n)
    coords: list = []
    for g in groups:
        t, slots = rebuild(g)
        ones = t.graph.const(1.0, t.shape)
        first = autodiff.gradient(t, slots, seed=ones)
        outputs = [t, *first]
        pairs = []
        if hessian:
            for j, gj in enumerate(first):
                second = autodiff.gradient(gj, slots, seed=ones) if not gj.is_const else None
                for k in range(j, len(slots)):
                    h = second[k] if second is not None else None
                    if h is not None and not (h.is_const and h.value == 0):
                        pairs.append((j, k))
                        outputs.append(h)
        bindings = {s.name: point[g.slots[:, j]] for j, s in enumerate(slots)}
        got = [np.broadcast_to(v, t.shape) for v in Plan(outputs).run(bindings)]
        if not all(np.isfinite(v).all() for v in got):
            return None
        values[g.places] = g.signs * got[0]
        for j, d in enumerate(got[1 : 1 + len(slots)]):
            grad += np.bincount(g.slots[:, j], weights=g.signs * d, minlength=n)
        for (j, k), hv in zip(pairs, got[1 + len(slots) :]):
            coords.append((g.slots[:, j], g.slots[:, k], g.signs * hv))
            if j != k:
                coords.append((g.slots[:, k], g.slots[:, j], g.signs * hv))
    value = float(np.cumsum(values)[-1])  # left to right, as the written sum
    return Found(value, grad, coordinates(coords, n) if hessian else None)


def coordinates(parts: list, n: int) -> tuple:
    """(rows, cols, values) with duplicates added, sorted row by row."""
    if not parts:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cols = np.concatenate([p[1] for p in parts]).astype(np.int64)
    keys, inverse = np.unique(rows * n + cols, return_inverse=True)
    values = np.bincount(inverse, weights=np.concatenate([p[2] for p in parts]), minlength=len(keys))
    return keys // n, keys % n, values

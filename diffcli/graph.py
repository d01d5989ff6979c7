"""Expression DAG: immutable, hash-consed nodes with static shapes.

Building the same (op, children, payload) twice returns the same object, so a shared
subexpression is one node and equality is identity. Every node knows its static shape (the
shape of one evaluation point); evaluation may add leading batch axes, which is why ops
address axes from the right.

`node()` is the one constructor. It folds constant arithmetic always and, with
`simplify=True` (the derivative builder's mode), applies the algebraic rules of each op
(neutral and absorbing elements, coefficient collection, ...). Parsing uses
`simplify=False` so that the graph a user sees follows the text they typed.
"""

from __future__ import annotations

import math
import operator
from typing import Callable, Iterable

import numpy as np

from .errors import ShapeError

Shape = tuple

# Filled in by ops.py: op name -> Op. Kept here so that graph.py has no import cycle.
REGISTRY: dict[str, "object"] = {}

_interned: dict[tuple, "Node"] = {}


class Node:
    """One operation applied to child nodes. Never mutate the structural fields."""

    __slots__ = ("op", "args", "payload", "shape", "span", "__weakref__")

    def __init__(self, op: str, args: tuple, payload, shape: Shape):
        self.op = op
        self.args = args
        self.payload = payload
        self.shape = shape
        self.span = None  # (line, column, start, end) of the first place in the source text

    # Arithmetic builds simplified nodes, so derivative rules read like formulas.
    def __add__(self, other):
        return apply("add", self, lift(other))

    def __radd__(self, other):
        return apply("add", lift(other), self)

    def __sub__(self, other):
        return apply("sub", self, lift(other))

    def __rsub__(self, other):
        return apply("sub", lift(other), self)

    def __mul__(self, other):
        return apply("mul", self, lift(other))

    def __rmul__(self, other):
        return apply("mul", lift(other), self)

    def __truediv__(self, other):
        return apply("div", self, lift(other))

    def __rtruediv__(self, other):
        return apply("div", lift(other), self)

    def __pow__(self, other):
        return apply("pow", self, lift(other))

    def __neg__(self):
        return apply("neg", self)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def is_const(self) -> bool:
        return self.op == "const"

    @property
    def value(self) -> float:
        """The fill value of a const node."""
        return self.payload[0]

    def __repr__(self):
        from .render.text import to_text

        return f"<{self.op} {to_text(self)!r} shape={self.shape}>"


def node(op: str, args: tuple, payload=None, simplify: bool = False) -> Node:
    """The interned node for op(args; payload), simplified when asked."""
    spec = REGISTRY[op]
    if spec.elementwise and args and all(a.shape == () for a in args):
        shape = ()  # the common scalar case, without the broadcast rule's list and checks
    else:
        shape = spec.shape([a.shape for a in args], payload)
    if args and spec.elementwise and all(a.op == "const" for a in args):
        folded = _fold(spec, args, payload, shape)
        if folded is not None:
            return folded
    if simplify and spec.simplify is not None:
        better = spec.simplify(args, payload, shape)
        if better is not None:
            return better
    return intern(op, args, payload, shape)


def apply(op: str, *args: Node, payload=None) -> Node:
    """Simplifying constructor used by derivative rules."""
    return node(op, args, payload, simplify=True)


# New nodes allowed before `intern` refuses (limits.MAX_NODES per command; see `set_budget`).
_budget = math.inf


def set_budget(extra: int) -> None:
    """Allow `extra` more interned nodes from now on (each command sets its own budget)."""
    global _budget
    _budget = len(_interned) + extra


def intern(op: str, args: tuple, payload, shape: Shape, key=None) -> Node:
    key = key if key is not None else (op, args, payload)
    found = _interned.get(key)
    if found is None:
        if len(_interned) >= _budget:  # only on creation: a cheap guard against swelling derivatives
            from .limits import too_many_nodes

            raise too_many_nodes()
        found = _interned[key] = Node(op, args, payload, shape)
    return found


def const(value: float, shape: Shape = ()) -> Node:
    value, shape = float(value), tuple(shape)
    # repr keeps 0.0 and -0.0 apart (they compare equal) and lets nan find itself.
    return intern("const", (), (value, shape), shape, key=("const", repr(value), shape))


def var(name: str, shape: Shape = ()) -> Node:
    return intern("var", (), (name, tuple(shape)), tuple(shape))


def lift(x) -> Node:
    return x if isinstance(x, Node) else const(x)


def zeros(shape: Shape) -> Node:
    return const(0.0, shape)


def is_zero(n: Node) -> bool:
    return n.op == "const" and n.payload[0] == 0.0


def is_one(n: Node) -> bool:
    return n.op == "const" and n.payload[0] == 1.0


_PY_FOLD = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "neg": operator.neg}


def _fold(spec, args, payload, shape) -> Node | None:
    quick = _PY_FOLD.get(spec.name)
    if quick is not None:  # IEEE double arithmetic as numpy's, without its per-call set-up
        result = quick(*[a.value for a in args])
        return const(result, shape) if math.isfinite(result) else None
    with np.errstate(all="ignore"):
        fake = Node(spec.name, args, payload, ())
        result = spec.forward(_FOLD_CONTEXT, fake, *[np.float64(a.value) for a in args])
    result = float(np.asarray(result))
    if not math.isfinite(result):
        return None  # keep the node so the anomaly report can name where it turns non-finite
    return const(result, shape)


class EvalContext:
    """What forward rules see besides their inputs: the array namespace and dtype."""

    def __init__(self, xp=np, dtype=None):
        self.xp = xp
        self.dtype = dtype if dtype is not None else xp.float64


_FOLD_CONTEXT = EvalContext(np, np.float64)


def broadcast_shapes(shapes: Iterable[Shape], what: str = "operands") -> Shape:
    shapes = list(shapes)
    first = shapes[0] if shapes else ()
    if all(s == first for s in shapes):
        return first
    try:
        from .limits import check_elements

        return check_elements(tuple(np.broadcast_shapes(*shapes)))
    except ValueError:
        listed = " and ".join(str(s) for s in shapes)
        raise ShapeError(f"shapes {listed} of the {what} do not broadcast together") from None


def topological(outputs: Iterable[Node], stop: Callable[[Node], bool] | None = None) -> list[Node]:
    """Nodes reachable from `outputs`, children before parents, without recursion."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in outputs:
        if id(root) in seen:
            continue
        stack = [(root, False)]
        while stack:
            n, expanded = stack.pop()
            if expanded:
                order.append(n)
                continue
            if id(n) in seen:
                continue
            seen.add(id(n))
            stack.append((n, True))
            if stop is None or not stop(n):
                for child in reversed(n.args):
                    if id(child) not in seen:
                        stack.append((child, False))
    return order


def variables(outputs: Iterable[Node]) -> list[Node]:
    return [n for n in topological(outputs) if n.op == "var"]


def count_nodes(outputs: Iterable[Node]) -> int:
    return len(topological(outputs))

"""Expression DAG: immutable, hash-consed nodes with static shapes, in a per-command `Graph`.

A `Graph` is one command's node space: building the same (op, children, payload) twice in it
returns the same object, so a shared subexpression is one node and equality is identity. It
also records which derivative rule built a node (`made_by`, for anomaly reports) and refuses to
grow past its node budget. Nothing is process-global: two graphs (two threads) never meet.

Every node knows its graph and its static shape (the shape of one evaluation point);
evaluation may add leading batch axes, which is why ops address axes from the right.

`Graph.node()` is the one constructor. It folds constant arithmetic always and, with
`simplify=True` (the derivative builder's mode), applies each op's algebraic rules. Parsing
uses `simplify=False` so that the graph a user sees follows the text they typed.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Iterable

import numpy as np

from diffcli import limits
from diffcli.errors import ShapeError

Shape = tuple

# op name -> Op, filled by the op table (ops/); graph.py only reads it. Typed Any: the Op record
# is defined in core/ops/table.py, which imports this module (OPS there is the typed view).
REGISTRY: dict[str, Any] = {}


class Node:
    """One operation applied to child nodes. Never mutate the structural fields."""

    __slots__ = ("op", "args", "payload", "shape", "span", "graph", "__weakref__")

    def __init__(self, op: str, args: tuple, payload, shape: Shape, graph: "Graph"):
        self.op = op
        self.args = args
        self.payload = payload
        self.shape = shape
        self.graph = graph
        self.span: tuple | None = None  # (line, column, start, end) of the first place in the source text

    # Arithmetic builds simplified nodes, so derivative rules read like formulas.
    def __add__(self, other):
        return apply("add", self, self.graph.lift(other))

    def __radd__(self, other):
        return apply("add", self.graph.lift(other), self)

    def __sub__(self, other):
        return apply("sub", self, self.graph.lift(other))

    def __rsub__(self, other):
        return apply("sub", self.graph.lift(other), self)

    def __mul__(self, other):
        return apply("mul", self, self.graph.lift(other))

    def __rmul__(self, other):
        return apply("mul", self.graph.lift(other), self)

    def __truediv__(self, other):
        return apply("div", self, self.graph.lift(other))

    def __rtruediv__(self, other):
        return apply("div", self.graph.lift(other), self)

    def __pow__(self, other):
        return apply("pow", self, self.graph.lift(other))

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

    @property
    def name(self) -> str:
        """The name of a variable node."""
        return self.payload[0]

    def __repr__(self):
        return f"<{self.op} node shape={self.shape}>"


class Graph:
    """One command's node space: the intern table, provenance and the node budget."""

    def __init__(self, max_nodes: int | None = None):
        self.table: dict[tuple, Node] = {}
        # read when the graph is made, not when this module was imported (tests lower the limit)
        self.max_nodes = limits.MAX_NODES if max_nodes is None else max_nodes
        # node built by a derivative rule -> the node whose rule built it (anomaly reports)
        self.made_by: dict[Node, Node] = {}
        # const node -> its exact rational value, where that is not the float itself (a decimal
        # typed as 2.3, a fold such as 1/3); see `exact`
        self.exact: dict[Node, Fraction] = {}
        # (op, args, payload) -> the node `node(..., simplify=True)` returned for it
        self.simplified: dict[tuple, Node] = {}
        # scalar const node -> its exact value as the simplifier's coefficient (an int when
        # whole, a Fraction, None when not finite); see ops/simplify.number
        self.numbers: dict[Node, int | Fraction | None] = {}
        # whether the text typed a number with a point or an exponent (0.5, 1e-3): its formulas
        # then print exact decimals as decimals, as typed (0.5*y, not y/2)
        self.decimals = False

    def node(self, op: str, args: tuple, payload=None, simplify: bool = False) -> Node:
        """The interned node for op(args; payload), simplified when asked. A simplified
        construction is remembered: building the same node again costs one dictionary look-up."""
        key = (op, args, payload)
        if simplify:
            found = self.simplified.get(key)
            if found is not None:
                return found
        else:
            found = self.table.get(key)
            if found is not None:
                return found
        spec = REGISTRY[op]
        if spec.elementwise and args:
            scalar, consts = True, True
            for a in args:
                if a.shape != ():
                    scalar = False
                if a.op != "const":
                    consts = False
            shape = () if scalar else spec.shape([a.shape for a in args], payload)
            if consts:
                folded = self._fold(spec, args, payload, shape)
                if folded is not None:
                    if simplify:
                        self.simplified[key] = folded
                    return folded
        else:
            shape = spec.shape([a.shape for a in args], payload)
        if simplify and spec.simplify is not None:
            better = spec.simplify(args, payload, shape)
            if better is not None:
                self.simplified[key] = better
                return better
        made = self.intern(op, args, payload, shape, key)
        if simplify:
            self.simplified[key] = made
        return made

    def intern(self, op: str, args: tuple, payload, shape: Shape, key=None) -> Node:
        key = key if key is not None else (op, args, payload)
        found = self.table.get(key)
        if found is None:
            if len(self.table) >= self.max_nodes:  # on creation only: a cheap guard against swelling
                raise limits.too_many_nodes()
            found = self.table[key] = Node(op, args, payload, shape, self)
        return found

    def const(self, value, shape: Shape = ()) -> Node:
        """A number (a float, or an exact int or Fraction: then its float is rounded once and
        the node remembers the exact value for later folding and printing)."""
        if type(shape) is not tuple:
            shape = tuple(shape)
        exact = None
        if type(value) is int:  # a whole coefficient of the simplifier
            value = float(value) if -WHOLE <= value <= WHOLE else Fraction(value)
        if isinstance(value, Fraction):
            exact, value = value, to_float(value)
            d = exact.denominator  # a float is a dyadic rational: other denominators never equal one
            if not math.isfinite(value) or (d & (d - 1) == 0 and exact == Fraction(value)):
                exact = None
        else:
            value = float(value)
        # A float key is cheap to hash; repr keeps 0.0 and -0.0 apart (they compare equal) and
        # lets nan find itself (nan != nan). The two kinds of key never meet.
        shown = value if value and value == value else repr(value)
        key = ("const", shown, shape) if exact is None else ("const", shown, shape, exact)
        n = self.table.get(key)
        if n is None:
            n = self.intern("const", (), (value, shape), shape, key=key)
            if exact is not None:
                self.exact[n] = exact
        return n

    def var(self, name: str, shape: Shape = ()) -> Node:
        return self.intern("var", (), (name, tuple(shape)), tuple(shape))

    def zeros(self, shape: Shape) -> Node:
        return self.const(0.0, shape)

    def lift(self, x) -> Node:
        return x if isinstance(x, Node) else self.const(x)

    def _fold(self, spec, args, payload, shape) -> Node | None:
        """A const for op(consts) when it is finite (a non-finite one stays a node, so the
        anomaly report can name where it turns non-finite). Arithmetic on exact values is
        exact (`2.3*1.3` is 2.99, rounded once); a function of numbers folds only to a whole
        number (`cos(0)`): `log(2)` stays a node, so that it prints as written, not as 17 digits."""
        if spec.exact is not None:
            exactly = exact_fold(spec.exact, args)
            if exactly is not None:
                return self.const(exactly, shape)
        result: float
        if spec.fold is not None:  # Python float arithmetic, as numpy's, without its per-call set-up
            result = spec.fold(*[a.value for a in args])
        else:
            with np.errstate(all="ignore"):
                probe = Node(spec.name, args, payload, (), self)
                forward = spec.forward_on("numpy")
                result = float(np.asarray(forward(FOLD_DEVICE, probe, *[np.float64(a.value) for a in args])))
        if spec.exact is None and not result.is_integer():
            return None  # log(2), sqrt(2): kept as written
        return self.const(result, shape) if math.isfinite(result) else None


WHOLE = 2**53  # ints up to this size are exact floats

EXACT_BITS = 4096  # larger numerators or denominators fold as floats (bounded work and memory)


def exact(n: Node) -> Fraction | None:
    """The exact rational value of a finite const node (a typed decimal is its decimal), else None."""
    if n.op != "const":
        return None
    known = n.graph.exact.get(n)
    if known is None:
        if not math.isfinite(n.value):
            return None
        known = n.graph.exact[n] = Fraction(n.value)  # computed once per node (Fraction() is slow)
    return known


def to_float(q: Fraction) -> float:
    """q rounded once to a float (+-inf past the largest float)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def exact_fold(rule: Callable, args) -> Fraction | None:
    """rule(exact values of args) when every arg has one and the result stays small."""
    values = [exact(a) for a in args]
    if any(v is None for v in values):
        return None
    result = rule(*values)
    if not result:  # None, or a zero: the float rules keep the sign of a zero (-0.0)
        return None
    if max(result.numerator.bit_length(), result.denominator.bit_length()) > EXACT_BITS:
        return None
    return result if math.isfinite(to_float(result)) else None


def apply(op: str, *args: Node, payload=None) -> Node:
    """The simplifying constructor derivative rules use (the graph is the arguments')."""
    return args[0].graph.node(op, args, payload, simplify=True)


def lift_all(*items) -> tuple:
    """Numbers among `items` as const nodes of the graph of the first node among them."""
    graph = next(x.graph for x in items if isinstance(x, Node))
    return tuple(graph.lift(x) for x in items)


def is_zero(n: Node) -> bool:
    return n.op == "const" and n.payload[0] == 0.0


def is_one(n: Node) -> bool:
    return n.op == "const" and n.payload[0] == 1.0


class Device:
    """What forward rules see besides their inputs: the array namespace and dtype."""

    def __init__(self, xp=np, dtype=None):
        self.xp = xp
        self.dtype = dtype if dtype is not None else xp.float64

    @property
    def backend(self) -> str:
        """The namespace's top-level module name (numpy, cupy, array_api_strict, ...)."""
        return getattr(self.xp, "__name__", "numpy").split(".")[0]


FOLD_DEVICE = Device(np, np.float64)


def broadcast_shapes(shapes: Iterable[Shape], what: str = "operands") -> Shape:
    shapes = list(shapes)
    first = shapes[0] if shapes else ()
    if all(s == first for s in shapes):
        return first
    try:
        return limits.check_elements(tuple(np.broadcast_shapes(*shapes)))
    except ValueError:
        listed = " and ".join(str(s) for s in shapes)
        raise ShapeError(f"shapes {listed} of the {what} do not broadcast together") from None


def topological(outputs: Iterable[Node], stop: Callable[[Node], bool] | None = None) -> list[Node]:
    """Nodes reachable from `outputs`, children before parents (depth first, children in
    argument order), without recursion."""
    order: list[Node] = []
    seen: set[Node] = set()  # nodes hash by identity
    add, emit = seen.add, order.append
    for root in outputs:
        if root in seen:
            continue
        add(root)
        nodes, pending = [root], [iter(() if stop is not None and stop(root) else root.args)]
        while nodes:
            for child in pending[-1]:
                if child not in seen:
                    add(child)
                    nodes.append(child)
                    pending.append(iter(() if stop is not None and stop(child) else child.args))
                    break
            else:
                pending.pop()
                emit(nodes.pop())
    return order


def variables(outputs: Iterable[Node]) -> list[Node]:
    return [n for n in topological(outputs) if n.op == "var"]

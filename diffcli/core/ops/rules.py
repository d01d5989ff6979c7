"""Helpers that derivative rules, simplification and kink probes build nodes with.

Numbers among the arguments become const nodes of the graph of the node arguments.
"""

from __future__ import annotations

from diffcli.core.graph import REGISTRY as OPS
from diffcli.core.graph import Node, apply, lift_all


def where(c: Node, a, b) -> Node:
    return apply("where", *lift_all(c, a, b))


def compare(op: str, a, b) -> Node:
    return apply(op, *lift_all(a, b))


def call(name: str, *args) -> Node:
    return apply(name, *lift_all(*args))


def axes(k: int) -> tuple:
    return tuple(range(-k, 0))


def expand(x: Node, k: int) -> Node:
    """x with k trailing axes of length 1, so a reduced adjoint broadcasts back."""
    return apply("expand", x, payload=k) if k else x


def reduce_sum(x: Node, k: int) -> Node:
    return apply("sum", x, payload=k) if k else x


def keep_shape(n: Node, shape) -> Node:
    """n, broadcast to `shape` when simplification dropped axes."""
    return n if n.shape == shape else apply("broadcast_to", n, payload=tuple(shape))


def fit_shape(c: Node, shape) -> Node:
    """An adjoint contribution made to match its input's shape (undo broadcasting)."""
    if c.shape == tuple(shape):
        return c
    extra = len(c.shape) - len(shape)
    if extra > 0 or any(t == 1 and s != 1 for s, t in zip(c.shape[max(extra, 0) :], shape)):
        c = apply("sum_to", c, payload=tuple(shape))
    return keep_shape(c, tuple(shape))


# Forward-mode rules (`Op.jvp`) of the ops whose tangent cannot be derived from their VJP with
# g = 1 (the elementwise ones): (node, argument tangents, None where absent) -> tangent.


def same_op_jvp(n: Node, tangents: tuple) -> Node:
    """A linear op of one argument: the same op applied to the tangent (x[i], sum, transpose...)."""
    return apply(n.op, tangents[0], payload=n.payload)


def reduced_jvp(n: Node, tangents: tuple) -> Node:
    """A reduction over trailing axes: each output element's partials (the VJP with g = 1, one
    output element per input element) times the tangent, summed over the reduced axes."""
    (x,), (t,) = n.args, tangents
    (partial,) = OPS[n.op].pullback(n, n.graph.const(1.0, n.shape), (True,))
    return reduce_sum(apply("mul", fit_shape(partial, x.shape), t), len(x.shape) - len(n.shape))


def zero_if_none(tangents: tuple, args: tuple) -> tuple:
    return tuple(a.graph.zeros(a.shape) if t is None else t for t, a in zip(tangents, args))


# Kink probes: nodes that are nonzero where an op's inputs sit on one of its kinks.


def at_zero(n: Node) -> Node:
    return compare("eq", n.args[0], 0)


def tie(n: Node) -> Node | None:
    """Where max(a, b) or min(a, b) ties; never for one node twice (max(x, x) is x, smooth)."""
    a, b = n.args
    return None if a is b else compare("eq", a, b)


def extreme_tie(n: Node) -> Node | None:
    """Where max(v) or min(v) ties; never for a list of one node repeated (max([x, x]) is x)."""
    v = n.args[0]
    if v.op == "stack" and len(v.args) > 1 and all(a is v.args[0] for a in v.args):
        return None
    hits = reduce_sum(compare("eq", n.args[0], expand(n, n.payload)), n.payload)
    return compare("gt", hits, 1)


def where_boundary(n: Node) -> Node | None:
    cond = n.args[0]
    if not cond.args or cond.op not in ("lt", "le", "gt", "ge", "eq", "ne"):
        return None
    return compare("eq", *cond.args)

"""Entries that move elements without arithmetic: indexing, lists, transpose, and the
broadcasting ops that derivative rules insert (expand, sum_to, broadcast_to, scatter)."""

from __future__ import annotations

from typing import Any, Callable

from diffcli.core.graph import Node, apply
from diffcli.core.ops import elements, kernels, shapes
from diffcli.core.ops.rules import reduce_sum, same_op_jvp, zero_if_none
from diffcli.core.ops.simplify import simplify_broadcast, simplify_expand, simplify_sum_to
from diffcli.core.ops.table import Op, Print

# An internal broadcast prints as a sum with a zero literal of the target shape: `g + [0, 0]`.
PADDED = Print("padded", precedence="sum")


def index_name(n: Node) -> str:
    """torch: one subscript always indexes (x[:] is a slice); in a tuple, full slices are
    skipped and the last remaining subscript names the node."""
    items = n.payload
    if len(items) == 1:
        return "SelectBackward0" if isinstance(items[0], int) else "SliceBackward0"
    shape = n.args[0].shape
    kept = [item for item, size in zip(items, shape) if isinstance(item, int) or not _full(item, size)]
    if not kept:
        return "AliasBackward0"
    return "SelectBackward0" if isinstance(kept[-1], int) else "SliceBackward0"


def _full(item: tuple, size: int) -> bool:
    start, stop, step = item
    return start in (None, 0) and (stop is None or stop >= size) and step in (None, 1)


def structural(name: str, forward: Callable, vjp: Callable, doc: str, shape: Callable, **fields: Any) -> Op:
    return Op(
        name, 1, forward, vjp, doc, shape=shape, elementwise=False, linear=True, user=False, jvp=same_op_jvp, **fields
    )


ENTRIES = (
    structural(
        "index",
        kernels.index,
        lambda n, g, _: (apply("scatter", g, payload=(n.args[0].shape, n.payload)),),
        "x[i], x[a:b], W[i, j]: numpy indexing",
        shapes.index,
        grad_fn=index_name,
        print=Print("index"),
        elements=elements.index,
    ),
    structural(
        "scatter",
        kernels.scatter,
        lambda n, g, _: (apply("index", g, payload=n.payload[1]),),
        "zeros with the argument placed at an index",
        shapes.scatter,
        elements=elements.scatter,
    ),
    Op(
        "stack",
        None,
        kernels.stack,
        lambda n, g, _: tuple(apply("index", g, payload=(i,)) for i in range(len(n.args))),
        "[a, b, c]: a vector (or a list of outputs)",
        shape=shapes.stack,
        elementwise=False,
        linear=True,
        user=False,
        print=Print("list"),
        jvp=lambda n, ts: apply("stack", *zero_if_none(ts, n.args)),
        elements=elements.stack,
    ),
    structural(
        "transpose",
        kernels.transpose,
        lambda n, g, _: (apply("transpose", g),),
        "matrix transpose",
        shapes.transpose,
        grad_fn="TBackward0",
        latex="{{{0}}}^T",
        elements=elements.transpose,
    ),
    Op(
        "eye",
        1,
        lambda dev, n, k: dev.xp.eye(n.payload, dtype=dev.dtype),
        lambda n, g, _: (None,),
        "eye(n): the n-by-n identity matrix (n a whole number)",
        shape=lambda shapes, payload: (payload, payload),
        elementwise=False,
        linear=True,
        no_grad=True,
        grad_fn="EyeBackward0",
        latex="I_{{{0}}}",
        elements=lambda n: [elements.dense(1, n.size)],
        domain=(1.0, 3.0),
        jvp=lambda n, ts: None,
    ),
    structural(
        "expand",
        kernels.expand,
        lambda n, g, _: (reduce_sum(g, n.payload),),
        "append axes of length 1",
        shapes.expand,
        grad_fn="UnsqueezeBackward0",
        simplify=simplify_expand,
        print=PADDED,
        elements=elements.same_elements,
    ),
    structural(
        "sum_to",
        kernels.sum_to,
        lambda n, g, _: (g,),
        "sum a broadcast adjoint back to a shape",
        shapes.given,
        simplify=simplify_sum_to,
        print=Print("full_sum", precedence="sum"),
        elements=elements.sum_to,
    ),
    structural(
        "broadcast_to",
        kernels.broadcast_to,
        lambda n, g, _: (g,),
        "broadcast to a shape",
        shapes.given,
        simplify=simplify_broadcast,
        grad_fn="ExpandBackward0",
        print=PADDED,
        elements=elements.given_shape,
    ),
)

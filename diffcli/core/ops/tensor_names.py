"""The tensor spellings a user may call, built from the op table's entries (numpy's meanings):
axis reductions (`sum(X, axis=0, keepdims=1)`), shapes, joining, products (`einsum`, `tensordot`,
`kron`...) and linear algebra. Keyword arguments are static parameters: whole numbers, lists of
them, or strings; they become payloads of the nodes built. Where numpy and PyTorch differ
(var/std's ddof, repeat, split, transpose with axes) numpy's meaning is taken.
"""

from __future__ import annotations

import math
from typing import Callable

from diffcli.core.graph import Node
from diffcli.core.ops.names import build
from diffcli.errors import DiffcliError, ShapeError

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Text(str):
    """A string literal argument: einsum("ij,j->i", A, x), norm(X, "fro")."""


def takes(*keywords: str, text: bool = False):
    """Declare the keyword arguments a builder accepts (and whether it takes a string)."""

    def mark(function: Callable) -> Callable:
        # marks on the function object, read back with getattr (syntax/calls.py)
        function.keywords, function.text = keywords, text  # type: ignore[attr-defined]
        return function

    return mark


def static(n, what: str):
    """A whole number, or a (nested) list of them, written as a literal: axis=0, [2, 3]."""
    if isinstance(n, Text):
        raise DiffcliError(f"{what} must be a whole number or a list of them, not a string")
    if isinstance(n, int):
        return n
    if isinstance(n, (list, tuple)):
        return [static(a, what) for a in n]
    if n.op == "const" and n.shape == () and float(n.value).is_integer():
        return int(n.value)
    if n.op == "stack":
        return [static(a, what) for a in n.args]
    if n.op == "neg":
        inner = static(n.args[0], what)
        if isinstance(inner, int):
            return -inner
    raise DiffcliError(f"{what} must be a whole number or a list of them written as numbers, such as 0 or [1, 2]")


def as_list(value) -> list:
    return list(value) if isinstance(value, list) else [value]


def axis_of(x: Node, axis, what: str = "axis") -> int:
    rank = len(x.shape)
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise ShapeError(f"{what}={axis} is out of range for a value of shape {x.shape} ({rank} axes)")
    return axis % rank


def axes_of(x: Node, axis) -> list[int]:
    found = sorted({axis_of(x, a) for a in as_list(static(axis, "axis"))})
    return found


def flag(value) -> bool:
    return bool(static(value, "keepdims")) if value is not None else False


def reshape_to(x: Node, shape) -> Node:
    shape = tuple(shape)
    return x if shape == x.shape else build("reshape", x, payload=shape)


def permute(x: Node, perm) -> Node:
    perm = tuple(perm)
    return x if perm == tuple(range(len(x.shape))) else build("permute", x, payload=perm)


def to_end(x: Node, axes: list[int]) -> Node:
    """x with `axes` moved to the end, in order."""
    return permute(x, [i for i in range(len(x.shape)) if i not in axes] + list(axes))


def kept(x: Node, axes: list[int]) -> tuple:
    return tuple(1 if i in axes else s for i, s in enumerate(x.shape))


def reducer(op: str, whole: Callable | None = None):
    """op(x) over every axis as before; op(x, axis=..., keepdims=...) over some."""

    @takes("axis", "keepdims", "dim", "keepdim")
    def builder(x, *rest, axis=None, keepdims=None, dim=None, keepdim=None):
        axis, keepdims = axis if dim is None else dim, keepdims if keepdim is None else keepdim
        if rest and whole is None:  # sum(X, 0): numpy's positional axis (no two-argument sum to collide with)
            if axis is not None:
                raise DiffcliError(f"{op}(): the axis is given twice, by position and by keyword")
            axis, rest = rest[0], ()
        if axis is None:
            found = whole(x, *rest) if whole is not None else build(op, x, payload=len(x.shape))
            return reshape_to(found, (1,) * len(x.shape)) if flag(keepdims) and found.shape == () else found
        if rest:
            raise DiffcliError(f"{op}(x, axis=...) takes one array; {op}(a, b) is elementwise")
        return along(op, x, axes_of(x, axis), flag(keepdims))

    return builder


def along(op: str, x: Node, axes: list[int], keepdims: bool) -> Node:
    moved = to_end(x, axes)
    if op == "logsumexp":
        merged = reshape_to(moved, moved.shape[: len(x.shape) - len(axes)] + (math.prod(moved.shape[-len(axes) :]),))
        found = build("logsumexp", merged)
    else:
        found = build(op, moved, payload=len(axes))
    return reshape_to(found, kept(x, axes)) if keepdims else found


def scalar_extreme(op: str, elementwise: str):
    """max(v) over all elements; max(a, b) elementwise; max(3.5) is 3.5 (numpy)."""

    def whole(a, b=None):
        if b is not None:
            return build(elementwise, a, b)
        return build(op, a, payload=len(a.shape)) if a.shape else a

    return whole


def last_axis(op: str):
    @takes("axis", "dim")
    def builder(x, axis=None, dim=None):
        axis = axis if dim is None else dim
        if not x.shape:
            return x.graph.const(1.0) if op == "softmax" else x
        a = axis_of(x, static(axis, "axis")) if axis is not None else len(x.shape) - 1
        if op == "logsumexp" and axis is not None:
            return along("logsumexp", x, [a], False)
        moved = to_end(x, [a])
        found = build(op, moved)
        order = [i for i in range(len(x.shape)) if i != a] + [a]
        return permute(found, [order.index(i) for i in range(len(x.shape))])

    return builder


@takes("axis", "keepdims", "dim", "keepdim")
def logsumexp(x, axis=None, keepdims=None, dim=None, keepdim=None):
    axis, keepdims = axis if dim is None else dim, keepdims if keepdim is None else keepdim
    if not x.shape:
        return x
    axes = axes_of(x, axis) if axis is not None else ([len(x.shape) - 1] if len(x.shape) == 1 else None)
    if axes is None:  # numpy/scipy: over every axis
        axes = list(range(len(x.shape)))
    return along("logsumexp", x, axes, flag(keepdims))


@takes("axis", "dim")
def log_softmax(x, axis=None, dim=None):
    axis = axis if dim is None else dim
    if not x.shape:
        return build("sub", x, x)
    a = [axis_of(x, static(axis, "axis"))] if axis is not None else [len(x.shape) - 1]
    return build("sub", x, along("logsumexp", x, a, True))


def moments(root: bool):
    @takes("axis", "ddof", "keepdims", "correction", "dim", "keepdim")
    def builder(x, axis=None, ddof=None, keepdims=None, correction=None, dim=None, keepdim=None):
        axis, keepdims = axis if dim is None else dim, keepdims if keepdim is None else keepdim
        ddof = static(ddof if correction is None else correction, "ddof") if (ddof or correction) else 0
        axes = axes_of(x, axis) if axis is not None else list(range(len(x.shape)))
        count = math.prod(x.shape[i] for i in axes)
        if count - ddof <= 0:
            raise DiffcliError(f"var/std over {count} elements with ddof={ddof} divides by {count - ddof}")
        mean = along("mean", x, axes, True) if axes else x
        centred = build("sub", x, mean)
        squares = build("mul", centred, centred)
        total = along("sum", squares, axes, flag(keepdims)) if axes else squares
        var = build("div", total, x.graph.const(float(count - ddof)))
        return build("sqrt", var) if root else var

    return builder


def cumulative(op: str):
    @takes("axis", "dim")
    def builder(x, axis=None, dim=None):
        axis = axis if dim is None else dim
        if axis is None:
            x, a = reshape_to(x, (x.size,)), 0
        else:
            a = axis_of(x, static(axis, "axis"))
        return build(op, x, payload=(a, False) if op == "cumsum" else a)

    return builder

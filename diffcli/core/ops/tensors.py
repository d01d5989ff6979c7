"""Entries: the tensor ops that move or combine elements along given axes: reshape, permute,
concat, take (integer-array indexing) and its adjoint put, cumsum/cumprod, triangles, diagonals,
einsum. Their payload carries the static parameters (axes are static, counted from the left of
the node's own shape); forward rules address axes from the right, since evaluation may add
leading batch axes. The user-facing spellings (sum(X, axis=0), tensordot, kron...) are built
from these in tensor_names.py.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.core.graph import apply
from diffcli.core.ops import elements
from diffcli.core.ops.elements import Step, grid
from diffcli.core.ops.rules import same_op_jvp, zero_if_none
from diffcli.core.ops.table import Op, Print
from diffcli.errors import ShapeError
from diffcli.limits import check_elements

PARAMS = Print("params")  # name(args, key=value): the op's `params` writes the keywords


def _batch(x, static: int) -> tuple:
    return tuple(x.shape[: x.ndim - static])


# reshape: payload = the new static shape (C order, as numpy)


def _reshape_shape(shapes, payload):
    (shape,) = shapes
    if math.prod(shape) != math.prod(payload):
        raise ShapeError(f"cannot reshape a value of shape {shape} ({math.prod(shape)} elements) to {payload}")
    return tuple(payload)


def _reshape(dev, n, x):
    return dev.xp.reshape(x, _batch(x, len(n.args[0].shape)) + tuple(n.payload))


# permute: payload = the permutation of the static axes (numpy's transpose(x, axes))


def _permute_shape(shapes, perm):
    (shape,) = shapes
    if sorted(perm) != list(range(len(shape))):
        raise ShapeError(f"axes {list(perm)} are not a permutation of the {len(shape)} axes of shape {shape}")
    return tuple(shape[p] for p in perm)


def _permute(dev, n, x):
    lead = x.ndim - len(n.payload)
    return dev.xp.permute_dims(x, tuple(range(lead)) + tuple(lead + p for p in n.payload))


def _inverse(perm) -> tuple:
    return tuple(int(i) for i in np.argsort(perm))


def _permute_elements(n) -> list:
    return [(Step(n.size, np.transpose(grid(n.args[0].shape), n.payload).reshape(-1)),)]


# concat: payload = the static axis; the arguments agree on every other axis


def _concat_shape(shapes, axis):
    first = shapes[0]
    for s in shapes:
        if len(s) != len(first) or any(a != b for i, (a, b) in enumerate(zip(s, first)) if i != axis):
            listed = ", ".join(str(s) for s in shapes)
            raise ShapeError(f"concatenate along axis {axis} needs the other axes equal, got shapes {listed}")
    return check_elements(first[:axis] + (sum(s[axis] for s in shapes),) + first[axis + 1 :])


def _concat(dev, n, *xs):
    xp = dev.xp
    static = len(n.shape)
    batch = np.broadcast_shapes(*[_batch(x, static) for x in xs])
    aligned = [xp.broadcast_to(x, batch + tuple(x.shape[x.ndim - static :])) for x in xs]
    return xp.concat(aligned, axis=n.payload - static)


def _pieces(n) -> list:
    """Per argument, its slice (start, stop) along the axis of the result."""
    start, found = 0, []
    for a in n.args:
        found.append((start, start + a.shape[n.payload]))
        start += a.shape[n.payload]
    return found


def _concat_vjp(n, g, needs):
    axis = n.payload
    full = (None, None, None)
    return tuple(apply("index", g, payload=(full,) * axis + ((lo, hi, None),)) for lo, hi in _pieces(n))


def _concat_elements(n) -> list:
    out = grid(n.shape)
    maps = []
    for a, (lo, hi) in zip(n.args, _pieces(n)):
        where = np.take(out, np.arange(lo, hi), axis=n.payload).reshape(-1)
        maps.append((Step(n.size, np.arange(a.size, dtype=np.int64), where),))
    return maps


# take: payload = (axis, indices): x[..., indices, ...] along one static axis (repeats allowed);
# put: payload = (axis, indices, size): its adjoint, adding each slice back at its index


def _take_shape(shapes, payload):
    (shape,) = shapes
    axis, indices = payload
    return check_elements(shape[:axis] + (len(indices),) + shape[axis + 1 :])


def _take(dev, n, x):
    axis, indices = n.payload
    static = len(n.args[0].shape)
    return dev.xp.take(x, dev.xp.asarray(indices), axis=axis - static)


def _put_shape(shapes, payload):
    (shape,) = shapes
    axis, _, size = payload
    return shape[:axis] + (size,) + shape[axis + 1 :]


def _put(dev, n, g):
    """Sum of one-hot rows: a matrix product, so repeated indices add up (no scatter-add needed)."""
    xp = dev.xp
    axis, indices, size = n.payload
    static = len(n.shape)
    onehot = xp.asarray(np.eye(size)[list(indices)], dtype=dev.dtype)  # (len(indices), size)
    moved = xp.moveaxis(g, axis - static, -1)
    return xp.moveaxis(xp.matmul(moved, onehot), -1, axis - static)


def _take_elements(n) -> list:
    axis, indices = n.payload
    return [(Step(n.size, np.take(grid(n.args[0].shape), list(indices), axis=axis).reshape(-1)),)]


def _put_elements(n) -> list:
    axis, indices, size = n.payload
    where = np.take(grid(n.shape), list(indices), axis=axis).reshape(-1)
    return [(Step(n.size, np.arange(n.args[0].size, dtype=np.int64), where),)]


# cumsum: payload = (axis, reverse); cumprod: payload = axis


def _cumsum(dev, n, x):
    xp = dev.xp
    axis, reverse = n.payload
    axis -= len(n.shape)
    if reverse:
        x = xp.flip(x, axis=axis)
    found = xp.cumulative_sum(x, axis=axis) if hasattr(xp, "cumulative_sum") else xp.cumsum(x, axis=axis)
    return xp.flip(found, axis=axis) if reverse else found


def _cumprod(dev, n, x):
    xp = dev.xp
    axis = n.payload - len(n.shape)
    return xp.cumulative_prod(x, axis=axis) if hasattr(xp, "cumulative_prod") else xp.cumprod(x, axis=axis)


def _cumprod_vjp(n, g, needs):
    """d out_j / d x_i = out_j / x_i for j >= i: a reversed cumulative sum of g*out, over x."""
    return (apply("cumsum", g * n, payload=(n.payload, True)) / n.args[0],)


def _cumprod_jvp(n, tangents):
    return n * apply("cumsum", tangents[0] / n.args[0], payload=(n.payload, False))


# tri: payload = (k, upper): tril(x, k) or triu(x, k) of the last two axes


def _tri(dev, n, x):
    k, upper = n.payload
    rows, cols = n.shape[-2:]
    mask = np.tri(rows, cols, k - 1, dtype=bool) if upper else np.tri(rows, cols, k, dtype=bool)
    keep = ~mask if upper else mask
    return x * dev.xp.asarray(keep, dtype=dev.dtype)


def _matrix_shape(shapes, payload):
    (shape,) = shapes
    if len(shape) < 2:
        raise ShapeError(f"this function takes a matrix, not a value of shape {shape}")
    return shape


# diagonal: payload = offset k; diag_embed: payload = (rows, cols, k), its adjoint


def _diagonal_shape(shapes, k):
    rows, cols = _matrix_shape(shapes, k)[-2:]
    return shapes[0][:-2] + (max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols)),)


def _diagonal(dev, n, x):
    return dev.xp.diagonal(x, offset=n.payload, axis1=-2, axis2=-1)


def _diag_places(rows: int, cols: int, k: int, length: int) -> tuple:
    r = np.arange(length) + max(-k, 0)
    return r, r + k


def _diag_embed(dev, n, x):
    xp = dev.xp
    rows, cols, k = n.payload
    r, c = _diag_places(rows, cols, k, n.args[0].shape[-1])
    out = xp.zeros(_batch(x, len(n.args[0].shape)) + n.shape, dtype=dev.dtype)
    out[..., r, c] = x
    return out


def _diagonal_elements(n) -> list:
    rows, cols = n.args[0].shape[-2:]
    r, c = _diag_places(rows, cols, n.payload, n.shape[-1])
    lead = math.prod(n.shape[:-1])
    where = (np.arange(lead)[:, None] * rows * cols + r * cols + c).reshape(-1)
    return [(Step(n.size, where),)]


def _embed_elements(n) -> list:
    rows, cols, k = n.payload
    r, c = _diag_places(rows, cols, k, n.args[0].shape[-1])
    lead = math.prod(n.shape[:-2])
    where = (np.arange(lead)[:, None] * rows * cols + r * cols + c).reshape(-1)
    return [(Step(n.size, np.arange(n.args[0].size, dtype=np.int64), where),)]


def structural(name: str, forward, vjp, doc: str, shape, **fields) -> Op:
    fields.setdefault("jvp", same_op_jvp)
    fields.setdefault("linear", True)
    return Op(name, 1, forward, vjp, doc, shape=shape, elementwise=False, user=False, print=PARAMS, **fields)


ENTRIES = (
    structural(
        "reshape",
        _reshape,
        lambda n, g, _: (apply("reshape", g, payload=n.args[0].shape),),
        "reshape(x, [2, 3]): the same elements in C order, in a new shape (-1: the rest)",
        _reshape_shape,
        grad_fn="ViewBackward0",
        elements=elements.same_elements,
    ),
    structural(
        "permute",
        _permute,
        lambda n, g, _: (apply("permute", g, payload=_inverse(n.payload)),),
        "transpose(x, axes=[1, 0, 2]): the axes reordered (numpy's transpose with axes)",
        _permute_shape,
        grad_fn="PermuteBackward0",
        elements=_permute_elements,
    ),
    Op(
        "concat",
        None,
        _concat,
        _concat_vjp,
        "concatenate([a, b], axis=0): joined along an existing axis",
        shape=_concat_shape,
        elementwise=False,
        linear=True,
        user=False,
        grad_fn="CatBackward0",
        print=PARAMS,
        jvp=lambda n, ts: apply("concat", *zero_if_none(ts, n.args), payload=n.payload),
        elements=_concat_elements,
    ),
    structural(
        "take",
        _take,
        lambda n, g, _: (apply("put", g, payload=n.payload + (n.args[0].shape[n.payload[0]],)),),
        "x[[0, 2]]: the elements at a list of indices along an axis (repeats allowed)",
        _take_shape,
        grad_fn="IndexBackward0",
        elements=_take_elements,
    ),
    structural(
        "put",
        _put,
        lambda n, g, _: (apply("take", g, payload=n.payload[:2]),),
        "zeros with slices added at a list of indices (take's adjoint)",
        _put_shape,
        grad_fn="IndexAddBackward0",
        elements=_put_elements,
    ),
    structural(
        "cumsum",
        _cumsum,
        lambda n, g, _: (apply("cumsum", g, payload=(n.payload[0], not n.payload[1])),),
        "cumsum(x, axis=0): running sums (x flattened without axis)",
        lambda shapes, p: shapes[0],
        elements=None,
    ),
    structural(
        "cumprod",
        _cumprod,
        _cumprod_vjp,
        "cumprod(x, axis=0): running products (derivative needs x != 0)",
        lambda shapes, p: shapes[0],
        linear=False,
        jvp=_cumprod_jvp,
        domain=(0.5, 2.0),
        defined="its gradient needs every element nonzero",
    ),
    structural(
        "tri",
        _tri,
        lambda n, g, _: (apply("tri", g, payload=n.payload),),
        "tril(A, k) / triu(A, k): the lower / upper triangle of the last two axes",
        _matrix_shape,
        grad_fn=lambda n: "TriuBackward0" if n.payload[1] else "TrilBackward0",
        elements=elements.same_elements,
    ),
    structural(
        "diagonal",
        _diagonal,
        lambda n, g, _: (apply("diag_embed", g, payload=n.args[0].shape[-2:] + (n.payload,)),),
        "diagonal(A, k): the k-th diagonal of the last two axes",
        _diagonal_shape,
        elements=_diagonal_elements,
    ),
    structural(
        "diag_embed",
        _diag_embed,
        lambda n, g, _: (apply("diagonal", g, payload=n.payload[2]),),
        "diag(v): the matrix with v on its diagonal",
        lambda shapes, p: shapes[0][:-1] + tuple(p[:2]),
        grad_fn="DiagEmbedBackward0",
        elements=_embed_elements,
    ),
)

"""The callable tensor names (numpy's spellings and meanings) and their builders: shapes,
joining and splitting, products (einsum and the forms built from it) and linear algebra.
`TABLE` maps each name to (fewest, most positional arguments, builder), as names.functions()."""

from __future__ import annotations

import math

from diffcli.core.graph import Node
from diffcli.core.ops import tensor_names as t
from diffcli.core.ops.names import build
from diffcli.core.ops.tensor_names import LETTERS, Text, as_list, axis_of, reshape_to, static, takes
from diffcli.errors import DiffcliError, ShapeError

FULL = (None, None, None)


def shape_arg(x: Node, shape) -> tuple:
    """A target shape: [2, 3] or 6, with one -1 standing for the rest (numpy)."""
    dims = as_list(static(shape, "shape"))
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise ShapeError(f"a shape takes whole sizes and at most one -1, got {dims}")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        if not known or x.size % known:
            raise ShapeError(f"cannot reshape a value of shape {x.shape} to {dims}")
        dims[dims.index(-1)] = x.size // known
    return tuple(dims)


@takes("shape")
def reshape(x, shape=None, *more):
    if shape is None:
        raise DiffcliError("reshape(x, shape) needs a shape, such as reshape(x, [2, 3])")
    return reshape_to(x, shape_arg(x, [shape, *more] if more else shape))


def flatten(x):
    return reshape_to(x, (x.size,))


@takes("axis", "dim")
def squeeze(x, axis=None, dim=None):
    axis = axis if dim is None else dim
    if axis is None:
        return reshape_to(x, tuple(s for s in x.shape if s != 1))
    drop = {axis_of(x, a) for a in as_list(static(axis, "axis"))}
    if any(x.shape[a] != 1 for a in drop):
        raise ShapeError(f"squeeze: axis {sorted(drop)} of shape {x.shape} is not of length 1")
    return reshape_to(x, tuple(s for i, s in enumerate(x.shape) if i not in drop))


@takes("axis", "dim")
def expand_dims(x, axis=None, dim=None):
    if axis is None and dim is None:
        raise DiffcliError("expand_dims(x, axis) needs the position of the new axis, such as expand_dims(x, 0)")
    axis = static(axis if dim is None else dim, "axis")
    rank = len(x.shape) + len(as_list(axis))
    new = sorted(a % rank for a in as_list(axis) if -rank <= a < rank)
    if len(new) != len(as_list(axis)):
        raise ShapeError(f"expand_dims: axis {axis} is out of range for a result of {rank} axes")
    sizes = iter(x.shape)
    return reshape_to(x, tuple(1 if i in new else next(sizes) for i in range(rank)))


@takes("axes")
def transpose(x, axes=None):
    """numpy: transpose(x, axes=[...]) reorders the axes; transpose(x) swaps the last two (W.T)."""
    if axes is None:
        return build("transpose", x) if len(x.shape) >= 2 else x
    perm = [axis_of(x, a, "axes") for a in as_list(static(axes, "axes"))]
    return t.permute(x, perm)


def swapaxes(x, a, b):
    perm = list(range(len(x.shape)))
    i, j = axis_of(x, static(a, "axis")), axis_of(x, static(b, "axis"))
    perm[i], perm[j] = j, i
    return t.permute(x, perm)


def moveaxis(x, source, destination):
    perm = [i for i in range(len(x.shape)) if i != axis_of(x, static(source, "axis"))]
    perm.insert(axis_of(x, static(destination, "axis")), axis_of(x, static(source, "axis")))
    return t.permute(x, perm)


def take_along(x, axis: int, indices) -> Node:
    size = x.shape[axis]
    found = tuple(i % size if -size <= i < size else None for i in indices)
    if None in found:
        raise ShapeError(f"index out of range for axis {axis} of length {size}: {list(indices)}")
    return build("take", x, payload=(axis, found))


@takes("axis")
def take(x, indices, axis=None):
    """numpy's take: the elements at a list of indices along the axis (flattened without one)."""
    if axis is None:
        x, axis = flatten(x), 0
    return take_along(x, axis_of(x, static(axis, "axis")), as_list(static(indices, "indices")))


@takes("axis")
def repeat(x, repeats, axis=None):
    """numpy's repeat: each element `repeats` times along the axis (flattened without one)."""
    if axis is None:
        x, axis = flatten(x), 0
    a = axis_of(x, static(axis, "axis"))
    counts = as_list(static(repeats, "repeats"))
    if len(counts) == 1:
        counts = counts * x.shape[a]
    if len(counts) != x.shape[a] or any(c < 0 for c in counts):
        raise ShapeError(f"repeat: {len(counts)} counts for an axis of length {x.shape[a]}")
    return take_along(x, a, [i for i, c in enumerate(counts) for _ in range(c)])


def tile(x, reps):
    reps = as_list(static(reps, "reps"))
    rank = max(len(reps), len(x.shape))
    reps = [1] * (rank - len(reps)) + reps
    x = reshape_to(x, (1,) * (rank - len(x.shape)) + x.shape)
    for axis, r in enumerate(reps):
        if r != 1:
            x = take_along(x, axis, list(range(x.shape[axis])) * r)
    return x


def broadcast_to(x, shape):
    return build("broadcast_to", x, payload=shape_arg(x, shape))


@takes("axis")
def flip(x, axis=None):
    axes = range(len(x.shape)) if axis is None else [axis_of(x, a) for a in as_list(static(axis, "axis"))]
    for a in axes:
        x = build("index", x, payload=(FULL,) * a + ((None, None, -1),))
    return x


# joining and splitting


def arrays(args) -> list[Node]:
    """concatenate([a, b]) or concatenate(a, b): the arrays (a ragged list stays a list)."""
    if len(args) != 1:
        return list(args)
    (x,) = args
    if isinstance(x, list):
        return x
    if not x.shape:
        raise ShapeError("joining takes a list of arrays, such as concatenate([a, b])")
    if x.op == "stack" and all(a.shape == x.shape[1:] for a in x.args):
        return list(x.args)
    return [build("index", x, payload=(i,)) for i in range(x.shape[0])]


@takes("axis", "dim")
def concatenate(*args, axis=None, dim=None):
    items = arrays(args)
    axis = static(axis if dim is None else dim, "axis") if (axis is not None or dim is not None) else 0
    if any(not a.shape for a in items):
        raise ShapeError("concatenate joins arrays along an axis; use stack for numbers")
    a = axis_of(items[0], axis)
    return items[0] if len(items) == 1 else build("concat", *items, payload=a)


@takes("axis", "dim")
def stack(*args, axis=None, dim=None):
    items = arrays(args)
    axis = static(axis if dim is None else dim, "axis") if (axis is not None or dim is not None) else 0
    return concatenate(*[expand_dims(a, axis) for a in items], axis=axis)


def hstack(*args):
    items = [reshape_to(a, (1,)) if not a.shape else a for a in arrays(args)]
    return concatenate(*items, axis=0 if len(items[0].shape) == 1 else 1)


def vstack(*args):
    items = [reshape_to(a, (1,) * (2 - len(a.shape)) + a.shape) if len(a.shape) < 2 else a for a in arrays(args)]
    return concatenate(*items, axis=0)


@takes("axis", "dim")
def split(x, sections, axis=None, dim=None):
    """numpy's split into equal sections, stacked: split(x, 2)[0] is the first half."""
    axis = axis if dim is None else dim
    a = axis_of(x, static(axis, "axis") if axis is not None else 0)
    count = static(sections, "sections")
    if not isinstance(count, int) or count <= 0 or x.shape[a] % count:
        raise ShapeError(
            f"split(x, {count}) needs a whole number of equal sections of the axis of length {x.shape[a]} "
            "(sections of unequal lengths: index them, such as x[0:2] and x[2:5])"
        )
    pieces = x.shape[:a] + (count, x.shape[a] // count) + x.shape[a + 1 :]
    return t.permute(reshape_to(x, pieces), [a] + [i for i in range(len(pieces)) if i != a])


# products


def einsum(spec, *operands):
    if not isinstance(spec, Text):
        raise DiffcliError('einsum takes its subscripts first, as a string: einsum("ij,j->i", A, x)')
    spec = spec.replace(" ", "")
    if "." in spec:
        raise DiffcliError("einsum: an ellipsis (...) is not supported; name every index")
    inputs, _, output = spec.partition("->")
    inputs = inputs.split(",")
    if "->" not in spec:
        output = "".join(sorted(c for c in set("".join(inputs)) if "".join(inputs).count(c) == 1))
    if len(inputs) != len(operands) or not operands:
        raise DiffcliError(f"einsum: {len(inputs)} subscripts for {len(operands)} operands ({spec})")
    for labels, a in zip(inputs, operands):
        if len(labels) != len(a.shape) or not labels.isalpha() and labels:
            raise ShapeError(f"einsum: subscripts `{labels}` for an operand of shape {a.shape}")
    if len(set(output)) != len(output) or not set(output) <= set("".join(inputs)):
        raise DiffcliError(f"einsum: the output `{output}` must name distinct indices of the operands")
    fixed, args = [], []
    for labels, a in zip(inputs, operands):
        labels, a = _distinct_labels(labels, a)
        fixed.append(labels)
        args.append(a)
    return build("einsum", *args, payload=",".join(fixed) + "->" + output)


def _distinct_labels(labels: str, a: Node):
    """An operand with a repeated index (einsum("ii", A): the trace) is first cut to its diagonal."""
    while len(set(labels)) != len(labels):
        label = next(c for c in labels if labels.count(c) > 1)
        i, j = labels.index(label), labels.index(label, labels.index(label) + 1)
        rest = [k for k in range(len(labels)) if k not in (i, j)]
        a = build("diagonal", t.permute(a, rest + [i, j]), payload=0)
        labels = "".join(labels[k] for k in rest) + label
    return labels, a


def _labels(count: int, start: int = 0) -> str:
    if start + count > len(LETTERS):
        raise ShapeError("too many axes for a product")
    return LETTERS[start : start + count]


def _einsum(inputs, output, *args):
    return build("einsum", *args, payload=",".join(inputs) + "->" + output)


@takes("axes")
def tensordot(a, b, axes=None):
    axes = static(axes, "axes") if axes is not None else 2
    if isinstance(axes, int):
        if not 0 <= axes <= min(len(a.shape), len(b.shape)):
            raise ShapeError(f"tensordot: axes={axes} for shapes {a.shape} and {b.shape}")
        pairs = [(len(a.shape) - axes + k, k) for k in range(axes)]
    else:
        if len(axes) != 2:
            raise ShapeError("tensordot: axes= takes a count or two lists, such as axes=[[1], [0]]")
        left, right = (as_list(x) for x in axes)
        pairs = [(axis_of(a, i), axis_of(b, j)) for i, j in zip(left, right)]
    la, lb = list(_labels(len(a.shape))), list(_labels(len(b.shape), len(a.shape)))
    for i, j in pairs:
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: axis {i} of {a.shape} and axis {j} of {b.shape} differ")
        lb[j] = la[i]
    summed = {la[i] for i, _ in pairs}
    out = [c for c in la if c not in summed] + [c for c in lb if c not in summed]
    return _einsum(["".join(la), "".join(lb)], "".join(out), a, b)


def dot(a, b):
    """numpy's dot: a product for a number, a @ b up to matrices, else the last axis of a
    against the second-to-last of b."""
    if not a.shape or not b.shape:
        return build("mul", a, b)
    if len(a.shape) <= 2 and len(b.shape) <= 2:
        return build("matmul", a, b)
    return tensordot(a, b, axes=[[len(a.shape) - 1], [max(len(b.shape) - 2, 0)]])


def inner(a, b):
    if not a.shape or not b.shape:
        return build("mul", a, b)
    return tensordot(a, b, axes=[[len(a.shape) - 1], [len(b.shape) - 1]])


def outer(a, b):
    return _einsum(["i", "j"], "ij", flatten(a), flatten(b))


def kron(a, b):
    rank = max(len(a.shape), len(b.shape))
    a = reshape_to(a, (1,) * (rank - len(a.shape)) + a.shape)
    b = reshape_to(b, (1,) * (rank - len(b.shape)) + b.shape)
    la, lb = _labels(rank), _labels(rank, rank)
    product = _einsum([la, lb], "".join(x + y for x, y in zip(la, lb)), a, b)
    return reshape_to(product, tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a, b):
    """numpy's cross of 3-vectors along the last axis (2-vectors: the z component)."""
    if not a.shape or not b.shape or a.shape[-1] not in (2, 3) or a.shape != b.shape:
        raise ShapeError(f"cross takes two arrays of one shape, of length 3 (or 2), got shapes {a.shape} and {b.shape}")

    def part(x, i):
        return build("index", x, payload=(FULL,) * (len(x.shape) - 1) + (i,))

    def term(i, j):
        return build("sub", build("mul", part(a, i), part(b, j)), build("mul", part(a, j), part(b, i)))

    if a.shape[-1] == 2:
        return term(0, 1)
    return stack(term(1, 2), term(2, 0), term(0, 1), axis=-1)

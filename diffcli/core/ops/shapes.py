"""Shape rules of the ops that do not simply broadcast: (argument shapes, payload) -> shape."""

from __future__ import annotations

import numpy as np

from diffcli.core.graph import broadcast_shapes
from diffcli.errors import ShapeError
from diffcli.limits import MAX_RANK, check_elements


def leaf(shapes, payload):
    return payload[1]


def matmul(shapes, payload):
    sa, sb = shapes
    if not (1 <= len(sa) <= 2 and 1 <= len(sb) <= 2):
        raise ShapeError(f"`@` takes vectors and matrices, not shapes {sa} and {sb}")
    if sa[-1] != sb[0]:
        raise ShapeError(f"`@` needs matching inner sizes, got shapes {sa} and {sb}")
    return check_elements(sa[:-1] + sb[1:])


def index(shapes, items):
    (shape,) = shapes
    if len(items) > len(shape):
        raise ShapeError(f"too many indices ({len(items)}) for a value of shape {shape}")
    probe = np.broadcast_to(np.empty(()), shape)
    try:
        return probe[tuple(i if isinstance(i, int) else slice(*i) for i in items)].shape
    except IndexError as e:
        raise ShapeError(f"index out of range: {e}") from None
    except ValueError as e:  # `x[::0]`
        raise ShapeError(f"bad slice: {e}: use a step such as x[::2] or x[::-1]") from None


def stack(shapes, payload):
    shape = (len(shapes),) + broadcast_shapes(shapes, "list elements")
    if len(shape) > MAX_RANK:  # numpy's own limit is lower for some functions than for arrays
        raise ShapeError(f"a value may have at most {MAX_RANK} axes; this list nests {len(shape)} deep")
    return check_elements(shape)


def reduced(shapes, k):
    (shape,) = shapes
    return shape[: len(shape) - k]


def last_axis(shapes, payload):
    (shape,) = shapes
    if not shape:
        raise ShapeError("softmax and logsumexp need a vector (they act on the last axis)")
    return shape


def without_last_axis(shapes, payload):
    return last_axis(shapes, payload)[:-1]


def given(shapes, payload):
    """The shape the node's payload names (sum_to, broadcast_to)."""
    return tuple(payload)


def scatter(shapes, payload):
    return tuple(payload[0])


def expand(shapes, k):
    return shapes[0] + (1,) * k


def transpose(shapes, payload):
    return shapes[0][:-2] + shapes[0][-2:][::-1]

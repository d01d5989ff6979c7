"""Element maps: which elements of its arguments each element of a node is computed from, for
the sparsity pattern of a Hessian over vector elements (sparsity.py).

A map is, per argument, a chain of steps; a step is a `Step(size, a, o)`: the step's result has
`size` elements and its element `o[k]` draws on element `a[k]` of what came before (`o` None:
a gather, result element e draws on `a[e]`). An empty chain is the identity. Elements are
flattened in C order over the static shape (one point). Structural ops give exact maps;
elementwise ops broadcast; an op without a map is taken conservatively as dense (every result
element draws on every argument element) through two small steps, never a size x size table.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from diffcli.core.ops.kernels import index_key


class Step(NamedTuple):
    size: int
    a: np.ndarray
    o: np.ndarray | None = None


def grid(shape) -> np.ndarray:
    return np.arange(math.prod(shape), dtype=np.int64).reshape(shape)


def broadcast(shape, to) -> tuple:
    """Each element of a value of shape `to` from the element of `shape` numpy broadcasts to it."""
    shape, to = tuple(shape), tuple(to)
    if shape == to:
        return ()
    return (Step(math.prod(to), np.broadcast_to(grid(shape), to).reshape(-1)),)


def dense(size: int, to: int) -> tuple:
    """Every one of `to` elements from every one of `size`: all into one element, then out to all."""
    return (
        Step(1, np.arange(size, dtype=np.int64), np.zeros(size, dtype=np.int64)),
        Step(to, np.zeros(to, dtype=np.int64)),
    )


def reduce_trailing(shape, k: int) -> tuple:
    """Each element of the result summed (or reduced) from its block of the last k axes."""
    if not k:
        return ()
    size, block = math.prod(shape), math.prod(shape[len(shape) - k :])
    every = np.arange(size, dtype=np.int64)
    return (Step(size // block if block else 0, every, every // max(block, 1)),)


def elementwise(n) -> list:
    return [broadcast(a.shape, n.shape) for a in n.args]


def reduction(n) -> list:
    return [reduce_trailing(n.args[0].shape, n.payload)]


def last_axis(n) -> list:
    return [reduce_trailing(n.args[0].shape, 1)]


def softmax(n) -> list:
    """Each element from every element of its row (the last axis)."""
    shape = n.args[0].shape
    rows, length = math.prod(shape[:-1]), shape[-1]
    size = rows * length
    return [reduce_trailing(shape, 1) + (Step(size, np.arange(size, dtype=np.int64) // length),)]


def index(n) -> list:
    (x,) = n.args
    return [(Step(n.size, grid(x.shape)[index_key(n.payload, len(x.shape))].reshape(-1)),)]


def scatter(n) -> list:
    (g,) = n.args
    shape, items = n.payload
    where = grid(shape)[index_key(items, len(shape))]
    return [(Step(math.prod(shape), np.broadcast_to(grid(g.shape), where.shape).reshape(-1), where.reshape(-1)),)]


def stack(n) -> list:
    inner = n.shape[1:]
    count = math.prod(inner)
    return [
        (Step(n.size, np.broadcast_to(grid(a.shape), inner).reshape(-1), k * count + np.arange(count, dtype=np.int64)),)
        for k, a in enumerate(n.args)
    ]


def transpose(n) -> list:
    return [(Step(n.size, np.swapaxes(grid(n.args[0].shape), -1, -2).reshape(-1)),)]


def same_elements(n) -> list:
    """expand: the same elements with unit axes appended."""
    return [()]


def given_shape(n) -> list:
    """broadcast_to its payload's shape."""
    return [broadcast(n.args[0].shape, n.payload)]


def sum_to(n) -> list:
    """Each source element into the target element it was broadcast from."""
    source = n.args[0].shape
    target = grid(n.payload)
    every = np.arange(math.prod(source), dtype=np.int64)
    return [(Step(target.size, every, np.broadcast_to(target, source).reshape(-1)),)]


def matmul(n) -> list:
    """a (M, K) @ b (K, N): element (i, j) from row i of a and column j of b (vectors: M or N
    is 1). Each argument is reduced over K, then spread over the other factor's axis."""
    a, b = n.args
    k = a.shape[-1]
    m = a.shape[0] if len(a.shape) == 2 else 1
    cols = b.shape[1] if len(b.shape) == 2 else 1
    out = np.arange(m * cols, dtype=np.int64)
    over_a = np.arange(m * k, dtype=np.int64)
    over_b = np.arange(k * cols, dtype=np.int64)
    return [
        (Step(m, over_a, over_a // k), Step(m * cols, out // cols)),
        (Step(cols, over_b, over_b % cols), Step(m * cols, out % cols)),
    ]

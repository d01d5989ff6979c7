"""The sparsity pattern of a Hessian over the elements of its variables, and the colouring of
its columns (`hessian --sparse`).

A node that is nonlinear in its inputs (the op table's `linear`) couples every pair of variable
elements that one of its elements depends on; linear nodes couple nothing. Which variable
elements each element of a node depends on (the Jacobian's pattern) is carried up the DAG as
arrays: per node, CSR rows `(indptr, var)` over its flattened elements, joined through the op
table's element maps (ops/elements.py: slices, indexing, broadcasting, reductions, matmul; a
dense block for an op without a map). A vector of 10^5 elements thus costs a few numpy calls per
node, never a Python set per element; a graph of scalars (x1, x2, ...) keeps one frozenset per
node, the cheaper form there. Only nodes below a nonlinear node are visited: a long linear sum
on top would make the work quadratic.

Columns are coloured so that no row holds two columns of one colour; a Hessian-vector product
per colour then gives every entry (hessian.py). A cyclic colouring (column j gets j mod k, k
from the largest row count up) is tried first, checked with arrays; a greedy one otherwise.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from diffcli import limits
from diffcli.core.autodiff import requires_grad
from diffcli.core.graph import Node, topological
from diffcli.core.ops import OPS
from diffcli.errors import DiffcliError

SMALL = 64  # a frozenset of at most this many elements is coupled in Python, larger ones with arrays


class Pattern(NamedTuple):
    """The structural non-zeros, row by row (columns sorted within a row), of a size x size Hessian."""

    size: int
    rows: np.ndarray
    cols: np.ndarray


def _too_dense(count: int) -> DiffcliError:
    return DiffcliError(
        f"the Hessian's sparsity pattern has more than {limits.MAX_ELEMENTS:,} candidate non-zeros "
        f"({count:,}): it is (nearly) dense; drop --sparse (or differentiate fewer variables)"
    )


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0]..starts[0]+lengths[0]-1, starts[1]..., concatenated."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique, without its hash table: sorting is faster here)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _rows(o: np.ndarray, v: np.ndarray, size: int, total: int) -> tuple:
    """CSR (indptr, var) from (element, variable element) pairs: sorted, without repeats."""
    keys = _distinct(o * total + v)
    o, v = keys // total, keys % total
    return np.concatenate(([0], np.cumsum(np.bincount(o, minlength=size)))).astype(np.int64), v


def _as_rows(d: frozenset | tuple, size: int) -> tuple:
    if isinstance(d, frozenset):
        return np.array([0, len(d)], dtype=np.int64), np.array(sorted(d), dtype=np.int64)
    return d


def _through(d: tuple, chain: tuple, total: int) -> tuple:
    """The rows of a node's argument carried through its element map."""
    indptr, var = d
    for step in chain:
        counts = (indptr[1:] - indptr[:-1])[step.a]
        count = int(counts.sum())
        if count > limits.MAX_ELEMENTS:
            raise _too_dense(count)
        picked = var[_ranges(indptr[step.a], counts)]
        if step.o is None:  # a gather: one source element each, already sorted and distinct
            indptr, var = np.concatenate(([0], np.cumsum(counts))).astype(np.int64), picked
        else:
            indptr, var = _rows(np.repeat(step.o, counts), picked, step.size, total)
    return indptr, var


def dependencies(f: Node, wrt: list[Node]) -> tuple[dict, list, int]:
    """(deps by node id, the nonlinear nodes, total variable elements): for every node below a
    nonlinear one, the variable elements each of its elements depends on."""
    offsets, total = {}, 0
    for v in wrt:
        offsets[id(v)] = total
        total += v.size
    order = topological([f])
    needs = requires_grad(order, wrt)
    nonlinear = [n for n in order if id(n) in needs and not OPS[n.op].is_linear(n, needs)]
    deps: dict[int, frozenset | tuple] = {}  # a node -> the frozenset of its elements, or CSR rows
    for n in topological(nonlinear):
        if id(n) in offsets:
            start = offsets[id(n)]
            deps[id(n)] = (
                frozenset((start,))
                if n.shape == ()
                else (np.arange(n.size + 1, dtype=np.int64), np.arange(start, start + n.size, dtype=np.int64))
            )
        elif id(n) in needs:
            parts = [(k, deps[id(a)]) for k, a in enumerate(n.args) if id(a) in needs]
            if n.shape == () and all(isinstance(d, frozenset) for _, d in parts):
                deps[id(n)] = (
                    parts[0][1]
                    if len(parts) == 1
                    else frozenset().union(*(d for _, d in parts if isinstance(d, frozenset)))
                )
                continue
            maps = OPS[n.op].element_maps(n)
            carried = [_through(_as_rows(d, n.args[k].size), maps[k], total) for k, d in parts]
            if len(carried) == 1:
                deps[id(n)] = carried[0]
            else:
                elements = np.concatenate(
                    [np.repeat(np.arange(n.size, dtype=np.int64), np.diff(p)) for p, _ in carried]
                )
                deps[id(n)] = _rows(elements, np.concatenate([v for _, v in carried]), n.size, total)
    return deps, nonlinear, total


def pattern(f: Node, wrt: list[Node]) -> Pattern:
    """Every (row, col) of the Hessian of f by the elements of `wrt` that may be non-zero."""
    deps, nonlinear, total = dependencies(f, wrt)
    keys: list[np.ndarray] = []
    small: list[int] = []
    seen: set[int] = set()
    count = 0
    for n in nonlinear:
        d = deps[id(n)]
        if isinstance(d, frozenset):
            if id(d) not in seen:
                seen.add(id(d))
                if len(d) <= SMALL:
                    small.extend(i * total + j for i in d for j in d)
                    continue
                d = _as_rows(d, 1)
            else:
                continue
        indptr, var = d
        degree = np.diff(indptr)
        per_entry = np.repeat(degree, degree)
        count += int((degree * degree).sum())
        if count > limits.MAX_ELEMENTS:
            raise _too_dense(count)
        cols = var[_ranges(np.repeat(indptr[:-1], degree), per_entry)]
        keys.append(np.repeat(var, per_entry) * total + cols)
    keys.append(np.array(small, dtype=np.int64))
    found = _distinct(np.concatenate(keys))
    return Pattern(total, found // total, found % total)


def colour(p: Pattern) -> np.ndarray:
    """A colour per column such that no row holds two columns of one colour."""
    if not len(p.rows):
        return np.zeros(p.size, dtype=np.int64)
    widest = int(np.bincount(p.rows, minlength=p.size).max())
    columns = np.arange(p.size, dtype=np.int64)
    for k in range(widest, widest + 3):  # banded patterns: k = the largest row count already works
        keys = p.rows * k + p.cols % k  # a repeated key: two columns of one colour in a row
        if len(_distinct(keys)) == len(keys):
            return columns % k
    return _greedy(p)


def _greedy(p: Pattern) -> np.ndarray:
    """Greedy distance-2 colouring, columns in order (the pattern is symmetric: column j's rows
    are row j's columns)."""
    starts = np.searchsorted(p.rows, np.arange(p.size + 1)).tolist()
    cols = p.cols.tolist()
    colours = [-1] * p.size
    for j in range(p.size):
        taken = {colours[c] for r in cols[starts[j] : starts[j + 1]] for c in cols[starts[r] : starts[r + 1]]}
        c = 0
        while c in taken:
            c += 1
        colours[j] = c
    return np.array(colours, dtype=np.int64)

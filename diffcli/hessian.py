"""Hessians, one method for all: Hessian-vector products, reverse over reverse, batched.

H u = d/dx (grad f . u) is one more reverse pass over the gradient's graph, with the direction
u a new variable per wrt variable. Every direction is then evaluated in ONE batched run of that
graph (the directions are the batch axis; everything that depends only on x, f and its gradient
among it, is hoisted and computed once): the n unit vectors give the dense Hessian, and for a
sparse one a few colour vectors suffice. Dense, sparse, one point, many points and `check` all
use these products; the upper triangle is mirrored so that H is exactly symmetric (two products
may round differently in the last bit).

The sparsity pattern comes from the DAG: a node that is nonlinear in its inputs couples every
pair of variables it depends on; linear nodes (sums, indexing, products with a constant, as the
op table says) couple nothing. Columns that share no row get one colour (greedy distance-2
colouring), so a tridiagonal Hessian takes three directions whatever n is. The pattern is per
variable: a vector variable's elements count as one block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import autodiff
from .graph import Node, apply, topological
from .ops import OPS


@dataclass
class Products:
    """The nodes of H u: the gradient, the products and the direction variables."""

    grads: list
    products: list
    directions: list

    def bindings(self, wrt: list, basis: np.ndarray) -> dict:
        """The direction variables bound to the rows of `basis` (k x n): the batch axis."""
        sizes = [max(v.size, 1) for v in wrt]
        offsets = np.cumsum([0] + sizes)
        return {u.name: basis[:, offsets[k]:offsets[k + 1]].reshape((len(basis),) + tuple(v.shape))
                for k, (u, v) in enumerate(zip(self.directions, wrt))}


def products(grads: list[Node], wrt: list[Node], directions: list[Node]) -> Products:
    """H u nodes from the gradient nodes, for direction variables shaped like `wrt` (made by
    the caller)."""
    total = None
    for g, u in zip(grads, directions):
        term = apply("mul", g, u)
        if term.shape:
            term = apply("sum", term, payload=len(term.shape))
        total = term if total is None else apply("add", total, term)
    hv = autodiff.gradient(total, wrt) if total is not None else []
    return Products(grads, hv, directions)


def matrix(rows: list, k: int, shapes: list) -> np.ndarray:
    """H u values of k directions (one array per wrt variable, directions first) as k x n.
    A product that does not depend on u (a zero the simplifier made constant) is computed once,
    without the direction axis: `shapes` (the wrt variables') broadcast it to k rows."""
    if not rows:
        return np.zeros((k, 0))
    rows = [np.broadcast_to(np.asarray(h, dtype=float), (k,) + tuple(s)) for h, s in zip(rows, shapes)]
    return np.concatenate([h.reshape(k, -1) for h in rows], axis=1)


def symmetric(products: np.ndarray) -> np.ndarray:
    """The dense Hessian from the products of the n unit directions: row d is (H e_d)^T =
    column d of H; the upper triangle is mirrored."""
    return np.triu(products) + np.triu(products, 1).T


def pattern(f: Node, wrt: list[Node]) -> list[set]:
    """For each wrt variable k, the variables j whose H[k, j] may be non-zero.

    Variable sets are built only below nonlinear nodes: a long linear sum on top (Rosenbrock's)
    would otherwise make the work quadratic."""
    position = {id(v): k for k, v in enumerate(wrt)}
    order = topological([f])
    needs = autodiff.requires_grad(order, wrt)
    nonlinear = [n for n in order if id(n) in needs and not OPS[n.op].is_linear(n, needs)]
    deps: dict[int, frozenset] = {}
    for n in topological(nonlinear):
        if id(n) in position:
            deps[id(n)] = frozenset((position[id(n)],))
        elif id(n) in needs:
            parts = [deps[id(a)] for a in n.args if id(a) in needs]
            deps[id(n)] = parts[0] if len(parts) == 1 else frozenset().union(*parts)
    coupled = [set() for _ in wrt]
    for n in nonlinear:
        for k in deps[id(n)]:
            coupled[k] |= deps[id(n)]
    return coupled


def colour(coupled: list[set]) -> list[int]:
    """Greedy colouring of columns: two columns sharing a row never share a colour."""
    colours = [-1] * len(coupled)
    for j in range(len(coupled)):
        taken = {colours[k] for row in coupled[j] for k in coupled[row] if colours[k] >= 0}
        c = 0
        while c in taken:
            c += 1
        colours[j] = c
    return colours


@dataclass
class Sparsity:
    """The structural non-zeros (rows, cols, row by row) and the colour of each column."""

    rows: np.ndarray
    cols: np.ndarray
    colours: np.ndarray

    @classmethod
    def of(cls, f: Node, wrt: list[Node]) -> "Sparsity":
        coupled = pattern(f, wrt)
        rows = [i for i, row in enumerate(coupled) for _ in row]
        cols = [j for row in coupled for j in sorted(row)]
        return cls(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64),
                   np.array(colour(coupled), dtype=np.int64))

    def basis(self) -> np.ndarray:
        """One direction per colour: the sum of the unit vectors of its columns."""
        count = int(self.colours.max()) + 1 if len(self.colours) else 0
        basis = np.zeros((max(count, 1), len(self.colours)))
        basis[self.colours, np.arange(len(self.colours))] = 1.0
        return basis

    def matrix(self, products: np.ndarray) -> "SparseHessian":
        """The Hessian's structural non-zeros from the products of the colour directions:
        column j's colour direction holds H[:, j] on the rows coupled to j (no other column of
        that colour reaches those rows)."""
        values = products[self.colours[self.cols], self.rows] if len(self.rows) else np.zeros(0)
        return SparseHessian(len(self.colours), self.rows, self.cols, values)


@dataclass
class SparseHessian:
    """The structural non-zeros of a Hessian as coordinates, row by row."""

    size: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray


def classify(h: np.ndarray, grad: np.ndarray, tol: float) -> dict:
    """The second-derivative test at a point: the Hessian's eigenvalues, the gradient's norm,
    whether the point is critical (norm <= tol) and the verdict there. An eigenvalue counts as 0
    when |lambda| <= tol * max(1, largest |lambda|)."""
    eigenvalues = np.linalg.eigvalsh(h) if h.size else np.zeros(0)
    norm = float(np.linalg.norm(grad))
    zero = tol * max(1.0, float(np.max(np.abs(eigenvalues))) if eigenvalues.size else 1.0)
    positive, negative = eigenvalues > zero, eigenvalues < -zero
    if not np.all(np.isfinite(eigenvalues)) or not np.isfinite(norm):
        curvature, verdict = "undefined", "undefined"
    elif positive.all():
        curvature, verdict = "positive definite", "minimum"
    elif negative.all():
        curvature, verdict = "negative definite", "maximum"
    elif positive.any() and negative.any():
        curvature, verdict = "indefinite", "saddle"
    else:
        curvature = "positive semidefinite" if positive.any() else "negative semidefinite" if negative.any() else "zero"
        verdict = "degenerate"
    critical = bool(norm <= tol)
    return {"eigenvalues": eigenvalues, "grad_norm": norm, "critical": critical, "curvature": curvature,
            "classification": verdict if critical else "not a critical point"}

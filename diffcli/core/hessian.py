"""Hessians, one method for all: Hessian-vector products, reverse over reverse, batched.

H u = d/dx (grad f . u) is one more reverse pass over the gradient's graph, with the direction
u a new variable per wrt variable. Every direction is then evaluated in ONE batched run of that
graph (the directions are the batch axis; everything that depends only on x, f and its gradient
among it, is hoisted and computed once): the n unit vectors give the dense Hessian, and for a
sparse one a few colour vectors suffice. Dense, sparse, one point, many points and `check` all
use these products; the upper triangle is mirrored so that H is exactly symmetric (two products
may round differently in the last bit).

The sparsity pattern comes from the DAG, element by element (sparsity.py): a node that is
nonlinear in its inputs couples every pair of variable elements one of its elements depends on;
linear nodes couple nothing. Columns that share no row get one colour, so a tridiagonal Hessian
takes three directions whatever n is, for scalar variables x1, x2, ... and for the elements of
a vector x alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffcli.core import autodiff, sparsity
from diffcli.core.graph import Node, apply


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
        return {
            u.name: basis[:, offsets[k] : offsets[k + 1]].reshape((len(basis),) + tuple(v.shape))
            for k, (u, v) in enumerate(zip(self.directions, wrt))
        }


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


@dataclass
class Sparsity:
    """The structural non-zeros (rows, cols, row by row) and the colour of each column."""

    rows: np.ndarray
    cols: np.ndarray
    colours: np.ndarray

    @classmethod
    def of(cls, f: Node, wrt: list[Node]) -> "Sparsity":
        found = sparsity.pattern(f, wrt)
        return cls(found.rows, found.cols, sparsity.colour(found))

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

    def csr(self) -> dict:
        """The arrays of scipy.sparse's CSR form, as `scipy.sparse.save_npz` names them in its
        `.npz` (so `load_npz` reads it back as a csr_matrix; scipy itself is not needed here)."""
        index = np.int32 if self.size < 2**31 else np.int64
        indptr = np.concatenate(([0], np.cumsum(np.bincount(self.rows, minlength=self.size))))
        return {
            "indices": self.cols.astype(index),
            "indptr": indptr.astype(index),
            "format": np.bytes_(b"csr"),
            "shape": np.array([self.size, self.size], dtype=np.int64),
            "data": np.asarray(self.values, dtype=np.float64),
        }


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
    return {
        "eigenvalues": eigenvalues,
        "grad_norm": norm,
        "critical": critical,
        "curvature": curvature,
        "classification": verdict if critical else "not a critical point",
    }

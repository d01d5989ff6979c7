"""Entries: linear algebra of the last two axes (numpy.linalg, batched over leading axes).

Derivative rules are the standard ones (Giles, "Collected matrix derivative results for forward
and reverse mode algorithmic differentiation", 2008), written with differentiable ops so that
higher orders follow: det's gradient is the cofactor matrix (an op of its own, computed from
the SVD so that it is right at a singular matrix too, where det * inv(A)^T is 0/0), inv's is
-inv^T g inv^T, eigenvalues' is V diag(g) V^T. The symmetric ops (eigvalsh, cholesky) are fed
the symmetric part (A + A^T)/2 by their builders (tensor_names.py), so their gradients are
symmetric, as PyTorch's and JAX's are.
"""

from __future__ import annotations

import numpy as np

from diffcli.core.graph import apply
from diffcli.core.ops.einsum import einsum_node
from diffcli.core.ops.rules import expand, reduce_sum
from diffcli.core.ops.table import Op
from diffcli.errors import ShapeError


def square(shapes, payload):
    shape = shapes[0]
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ShapeError(f"this function takes a square matrix, not a value of shape {shape}")
    return shape


def matrix(shapes, payload):
    if len(shapes[0]) != 2:
        raise ShapeError(f"this function takes a matrix, not a value of shape {shapes[0]}")
    return shapes[0]


def t(x):
    return apply("transpose", x)


def mm(a, b):
    return apply("matmul", a, b)


def host(x):
    return np.asarray(x.get() if hasattr(x, "get") else x, dtype=np.float64)


def linalg(dev):
    return getattr(dev.xp, "linalg", np.linalg)


# det and its cofactor matrix


def _cofactor(dev, n, a):
    """cof(A) = adj(A)^T from A = U S V^T: det(U) det(V) U diag(prod of the other s) V^T, finite
    and exact in rank n - 1 (where det * inv(A)^T is 0/0)."""
    a = host(a)
    size = a.shape[-1]
    if size == 1:
        return dev.xp.asarray(np.ones_like(a), dtype=dev.dtype)
    u, s, vt = np.linalg.svd(a)
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(size)], axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    found = sign[..., None, None] * (u * others[..., None, :]) @ vt
    return dev.xp.asarray(found, dtype=dev.dtype)


def _cofactor_vjp(n, g, needs):
    """<G, dC> for C = det A^-T: (<G, C> C - C G^T C) / det(A) (needs det != 0)."""
    (a,) = n.args
    inner = reduce_sum(g * n, 2)
    return ((inner * n - mm(mm(n, t(g)), n)) / apply("det", a),)


def _cofactor_jvp(n, tangents):
    (a,), (ta,) = n.args, tangents
    return (reduce_sum(n * ta, 2) * n - mm(mm(n, t(ta)), n)) / apply("det", a)


def _det_jvp(n, tangents):
    return reduce_sum(apply("cofactor", n.args[0]) * tangents[0], 2)


def _inv_vjp(n, g, needs):
    return (-mm(mm(t(n), g), t(n)),)


def _inv_jvp(n, tangents):
    return -mm(mm(n, tangents[0]), n)


def _logdet(dev, n, a):
    return linalg(dev).slogdet(a)[1]


def _logdet_vjp(n, g, needs):
    return (expand(g, 2) * t(apply("inv", n.args[0])),)


def _logdet_jvp(n, tangents):
    return reduce_sum(t(apply("inv", n.args[0])) * tangents[0], 2)


# solve(A, b): b a vector or a matrix


def _solve_shape(shapes, payload):
    a, b = shapes
    square([a], None)
    if len(b) not in (1, 2) or b[0] != a[0]:
        raise ShapeError(f"solve(A, b) needs b of {a[0]} rows (a vector or a matrix), got shapes {a} and {b}")
    return b


def _solve(dev, n, a, b):
    if len(n.args[1].shape) == 1:
        return linalg(dev).solve(a, b[..., None])[..., 0]
    return linalg(dev).solve(a, b)


def _outer_or_mm(u, v):
    if len(u.shape) == 1:
        return einsum_node(["i", "j"], "ij", u, v)
    return mm(u, t(v))


def _solve_vjp(n, g, needs):
    a, b = n.args
    gb = apply("solve", t(a), g)
    return -_outer_or_mm(gb, n), gb


def _solve_jvp(n, tangents):
    a, b = n.args
    ta, tb = tangents
    rhs = tb if tb is not None else None
    if ta is not None:
        moved = -mm(ta, n)
        rhs = moved if rhs is None else rhs + moved
    assert rhs is not None, "a JVP is asked for only when some argument has a tangent (forward.step)"
    return apply("solve", a, rhs)


# symmetric eigenproblem (the argument is symmetric: the builders pass (A + A^T)/2)


def _eigvalsh(dev, n, a):
    return linalg(dev).eigvalsh(a)


def _eigvecs(dev, n, a):
    return linalg(dev).eigh(a)[1]


def _eigvalsh_vjp(n, g, needs):
    v = apply("eigvecs", n.args[0])
    return (einsum_node(["ij", "j", "kj"], "ik", v, g, v),)


def _eigvalsh_jvp(n, tangents):
    v = apply("eigvecs", n.args[0])
    return einsum_node(["ji", "jk", "ki"], "i", v, tangents[0], v)


def _gaps(a):
    """F with F_ij = 1/(l_j - l_i) off the diagonal and 0 on it (l: the eigenvalues of a)."""
    size = a.shape[0]
    lam = apply("eigvalsh", a)
    eye = apply("diag_embed", a.graph.const(1.0, (size,)), payload=(size, size, 0))
    gap = apply("reshape", lam, payload=(1, size)) - apply("reshape", lam, payload=(size, 1))
    return (1.0 - eye) / (gap + eye)


def _eigvecs_vjp(n, g, needs):
    """V (F o (V^T G)) V^T; needs distinct eigenvalues."""
    return (mm(mm(n, _gaps(n.args[0]) * mm(t(n), g)), t(n)),)


def _eigvecs_jvp(n, tangents):
    return mm(n, _gaps(n.args[0]) * mm(mm(t(n), tangents[0]), n))


# singular values: s_i = sqrt(eigenvalue of the Gram matrix), u_i = A v_i / s_i


def _svdvals(dev, n, a):
    xp = dev.xp
    if hasattr(xp.linalg, "svdvals"):
        return xp.linalg.svdvals(a)
    return xp.linalg.svd(a, compute_uv=False)


def _svd_parts(n):
    """(tall, W): tall when A has at least as many rows as columns; W the eigenvectors of the
    smaller Gram matrix in the singular values' (descending) order."""
    (a,) = n.args
    rows, cols = a.shape
    tall = rows >= cols
    gram = mm(t(a), a) if tall else mm(a, t(a))
    w = apply("eigvecs", gram)
    full = (None, None, None)
    return tall, apply("index", w, payload=(full, (None, None, -1)))


def _svdvals_vjp(n, g, needs):
    (a,) = n.args
    tall, w = _svd_parts(n)
    scaled = g / n
    if tall:  # sum_i g_i u_i v_i^T = A W diag(g/s) W^T
        return (mm(a, einsum_node(["ij", "j", "kj"], "ik", w, scaled, w)),)
    return (mm(einsum_node(["ij", "j", "kj"], "ik", w, scaled, w), a),)


def _svdvals_jvp(n, tangents):
    (a,), (ta,) = n.args, tangents
    tall, w = _svd_parts(n)
    m = mm(t(a), ta) if tall else mm(ta, t(a))
    return einsum_node(["ji", "jk", "ki"], "i", w, m, w) / n


# cholesky (the argument is symmetric positive definite)


def _phi(x):
    """The lower triangle with its diagonal halved."""
    return apply("tri", x, payload=(0, False)) - 0.5 * apply(
        "diag_embed", apply("diagonal", x, payload=0), payload=x.shape + (0,)
    )


def _cholesky_vjp(n, g, needs):
    """L^-T phi(L^T G) L^-1 (Murray, 2016)."""
    inv = apply("inv", n)
    return (mm(mm(t(inv), _phi(mm(t(n), g))), inv),)


def _cholesky_jvp(n, tangents):
    inv = apply("inv", n)
    return mm(n, _phi(mm(mm(inv, tangents[0]), t(inv))))


def entry(name, forward, vjp, jvp, doc, shape=square, **fields) -> Op:
    return Op(name, 1, forward, vjp, doc, shape=shape, elementwise=False, jvp=jvp, **fields)


ENTRIES = (
    entry(
        "det",
        lambda dev, n, a: linalg(dev).det(a),
        lambda n, g, _: (expand(g, 2) * apply("cofactor", n.args[0]),),
        _det_jvp,
        "determinant; its gradient is the cofactor matrix, at a singular matrix too",
        shape=lambda shapes, p: square(shapes, p)[:-2],
        grad_fn="LinalgDetBackward0",
        defined="every square matrix (second derivatives need det != 0)",
        latex="\\det\\left({0}\\right)",
    ),
    entry(
        "cofactor",
        _cofactor,
        _cofactor_vjp,
        _cofactor_jvp,
        "the cofactor matrix det(A) inv(A)^T (det's gradient)",
        defined="every square matrix (its derivative needs det != 0)",
    ),
    entry(
        "inv",
        lambda dev, n, a: linalg(dev).inv(a),
        _inv_vjp,
        _inv_jvp,
        "matrix inverse",
        grad_fn="LinalgInvExBackward0",
        defined="invertible matrices",
        latex="{{{0}}}^{{-1}}",
    ),
    entry(
        "logdet",
        _logdet,
        _logdet_vjp,
        _logdet_jvp,
        "log|det(A)| (numpy's slogdet(A)[1]); gradient inv(A)^T",
        shape=lambda shapes, p: square(shapes, p)[:-2],
        grad_fn="LinalgSlogdetBackward0",
        defined="invertible matrices",
        latex="\\log\\left|\\det {0}\\right|",
    ),
    Op(
        "solve",
        2,
        _solve,
        _solve_vjp,
        "solve(A, b): x with A x = b (b a vector or a matrix)",
        shape=_solve_shape,
        elementwise=False,
        jvp=_solve_jvp,
        grad_fn="LinalgSolveExBackward0",
        defined="invertible A",
        user=False,
    ),
    entry(
        "eigvalsh",
        _eigvalsh,
        _eigvalsh_vjp,
        _eigvalsh_jvp,
        "eigenvalues of the symmetric part (A + A^T)/2, ascending (numpy's eigvalsh)",
        shape=lambda shapes, p: square(shapes, p)[:-1],
        grad_fn="LinalgEighBackward0",
        defined="every matrix; second derivatives need distinct eigenvalues",
    ),
    entry(
        "eigvecs",
        _eigvecs,
        _eigvecs_vjp,
        _eigvecs_jvp,
        "eigenvectors of a symmetric matrix (columns; internal: eigvalsh's gradient)",
        grad_fn="LinalgEighBackward0",
        defined="distinct eigenvalues",
        user=False,
    ),
    entry(
        "svdvals",
        _svdvals,
        _svdvals_vjp,
        _svdvals_jvp,
        "svd(A): the singular values, descending (numpy's svd(A, compute_uv=False))",
        shape=lambda shapes, p: (min(matrix(shapes, p)),),
        grad_fn="LinalgSvdBackward0",
        defined="every matrix; derivatives need distinct nonzero singular values",
    ),
    entry(
        "cholesky",
        lambda dev, n, a: linalg(dev).cholesky(a),
        _cholesky_vjp,
        _cholesky_jvp,
        "lower Cholesky factor L (L L^T = the symmetric part of A)",
        grad_fn="LinalgCholeskyExBackward0",
        defined="symmetric positive definite matrices",
    ),
)

"""One example call and one line of documentation per tensor spelling, for the language
reference (`diffcli functions`, docs/language.md): the example is parsed on the shapes of
`SHAPES`, so what the reference shows is what the parser builds. Meanings are numpy's; where
PyTorch differs the line says so."""

from __future__ import annotations

SHAPES = {"A": (3, 3), "B": (3, 2), "T": (2, 3, 4), "x": (3,), "y": (3,), "v": (4,)}

EXAMPLES = {
    "sum": (
        "sum(T, axis=1, keepdims=1)",
        "sum of all elements; over the given axes with axis= (keepdims=1 keeps them)",
    ),
    "mean": ("mean(T, axis=[0, 2])", "mean of all elements, or over axis="),
    "prod": ("prod(T, axis=0)", "product of all elements, or over axis="),
    "max": ("max(T, axis=1)", "max(v) the largest element, max(a, b) elementwise, max(X, axis=0) per slice"),
    "min": ("min(T, axis=1)", "min(v) the smallest element, min(a, b) elementwise, min(X, axis=0) per slice"),
    "norm": (
        'norm(A, "nuc")',
        'numpy\'s norm: 2-norm (vector) or Frobenius (matrix) by default; ord 1, 2, "inf", "fro", "nuc"...; axis=',
    ),
    "logsumexp": ("logsumexp(T, axis=1)", "log(sum(exp(x))) over every axis, or over axis= (max-shifted)"),
    "softmax": ("softmax(T, axis=1)", "exp(x)/sum(exp(x)) along the last axis or axis= (max-shifted)"),
    "log_softmax": ("log_softmax(T, axis=0)", "x - logsumexp(x) along the last axis or axis="),
    "var": ("var(T, axis=1, ddof=1)", "variance (numpy's default ddof=0; PyTorch's var defaults to 1)"),
    "std": ("std(T, axis=1)", "standard deviation, sqrt(var) (ddof=0 by default, as numpy)"),
    "cumsum": ("cumsum(T, axis=2)", "running sums along axis= (x flattened without it)"),
    "cumprod": ("cumprod(T, axis=2)", "running products along axis= (derivative needs nonzero elements)"),
    "reshape": ("reshape(T, [4, -1])", "the elements in C order, in a new shape (-1: the rest)"),
    "flatten": ("flatten(T)", "the elements as a vector, C order"),
    "ravel": ("ravel(T)", "the elements as a vector, C order (numpy's ravel)"),
    "squeeze": ("squeeze(reshape(x, [1, 3]))", "axes of length 1 removed (all, or axis=)"),
    "expand_dims": ("expand_dims(x, 0)", "an axis of length 1 inserted at the position given"),
    "unsqueeze": ("unsqueeze(x, 1)", "PyTorch's name for expand_dims"),
    "transpose": (
        "transpose(T, axes=[2, 0, 1])",
        "transpose(W) swaps the last two axes (W.T); axes= reorders them as numpy's transpose",
    ),
    "swapaxes": ("swapaxes(T, 0, 2)", "two axes exchanged"),
    "moveaxis": ("moveaxis(T, 0, -1)", "one axis moved to a new position"),
    "repeat": ("repeat(x, 2)", "numpy's repeat: each element repeated (flattened without axis=); not torch's repeat"),
    "tile": ("tile(x, [2, 1])", "the array repeated as a whole along each axis (numpy's tile, torch's repeat)"),
    "broadcast_to": ("broadcast_to(x, [2, 3])", "x broadcast to a shape"),
    "flip": ("flip(T, axis=1)", "the order reversed along the axes (all without axis=)"),
    "concatenate": ("concatenate([A, B], axis=1)", "arrays joined along an existing axis (default 0)"),
    "cat": ("cat([x, v])", "PyTorch's name for concatenate"),
    "stack": ("stack([x, y], axis=1)", "arrays of one shape joined along a new axis"),
    "hstack": ("hstack([x, v])", "joined along axis 1 (vectors: along axis 0)"),
    "vstack": ("vstack([x, y])", "joined along axis 0 (vectors as rows)"),
    "split": (
        "split(T, 2, axis=2)",
        "numpy's split into equal sections, stacked on a new first axis: split(x, 2)[0] is the first",
    ),
    "einsum": ('einsum("ij,jk->ik", A, B)', "sums of products over named indices (numpy's einsum; no ...)"),
    "tensordot": ("tensordot(T, B, axes=[[1], [0]])", "numpy's tensordot (axes= a count or two lists)"),
    "dot": ("dot(T, v)", "numpy's dot: a @ b up to matrices; else last axis of a by second-to-last of b"),
    "inner": ("inner(T, v)", "numpy's inner: sum over the last axes of both"),
    "outer": ("outer(x, y)", "outer product of the flattened arguments"),
    "kron": ("kron(A, B)", "Kronecker product"),
    "cross": ("cross(x, y)", "cross product of 3-vectors along the last axis (2-vectors: its z)"),
    "trace": ("trace(A)", "sum of the diagonal (offset= another diagonal)"),
    "diag": ("diag(x)", "diag(v) the diagonal matrix of v; diag(A) the diagonal of A (k= offset)"),
    "diagonal": ("diagonal(A, offset=1)", "a diagonal of the last two axes"),
    "triu": ("triu(A, k=1)", "the upper triangle (k= offset), zeros below"),
    "tril": ("tril(A)", "the lower triangle (k= offset), zeros above"),
    "det": ("det(A)", "determinant; its gradient is the cofactor matrix, at a singular matrix too (PyTorch: 0)"),
    "logdet": ("logdet(A)", "log|det(A)| (numpy's slogdet(A)[1]), gradient inv(A)^T"),
    "slogdet": ("slogdet(A)", "numpy's slogdet as a vector [sign, log|det|]"),
    "inv": ("inv(A)", "matrix inverse"),
    "solve": ("solve(A, B)", "X with A X = B (B a vector or a matrix)"),
    "matrix_power": ("matrix_power(A, 3)", "A multiplied by itself k times (k < 0: of inv(A); 0: identity)"),
    "cholesky": ("cholesky(A)", "lower factor L, L L^T = (A + A^T)/2; gradient symmetric (as PyTorch, JAX)"),
    "eigvalsh": ("eigvalsh(A)", "eigenvalues of (A + A^T)/2, ascending; gradient symmetric (as PyTorch, JAX)"),
    "eigh": ("eigh(A)", "the eigenvalues of eigvalsh (eigenvectors are not offered)"),
    "svd": ("svd(B)", "singular values, descending (numpy's svd(A, compute_uv=False)); no U, V"),
    "svdvals": ("svdvals(B)", "singular values, descending"),
}

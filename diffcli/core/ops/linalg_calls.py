"""The callable linear-algebra names (numpy.linalg's meanings) and `TABLE`, every tensor name
with (fewest, most positional arguments, builder), merged into ops.FUNCTIONS."""

from __future__ import annotations

import math

from diffcli.core.ops import tensor_calls as c
from diffcli.core.ops import tensor_names as t
from diffcli.core.ops.names import build
from diffcli.core.ops.names import norm as vector_norm
from diffcli.core.ops.tensor_names import Text, static, takes
from diffcli.errors import DiffcliError, ShapeError


def sym(a):
    """The symmetric part (A + A^T)/2 that eigvalsh, eigh and cholesky act on."""
    if len(a.shape) != 2 or a.shape[0] != a.shape[1]:
        raise ShapeError(f"this function takes a square matrix, not a value of shape {a.shape}")
    return build("mul", a.graph.const(0.5), build("add", a, build("transpose", a)))


def eigvalsh(a):
    return build("eigvalsh", sym(a))


def cholesky(a):
    return build("cholesky", sym(a))


def svd(a):
    return build("svdvals", a)


def slogdet(a):
    """numpy's (sign, log|det|) as a vector [sign, logabsdet]."""
    return build("stack", build("sign", build("det", a)), build("logdet", a))


@takes("k")
def diag(x, k=None):
    k = static(k, "k") if k is not None else 0
    if len(x.shape) == 1:
        size = x.shape[0] + abs(k)
        return build("diag_embed", x, payload=(size, size, k))
    if len(x.shape) == 2:
        return build("diagonal", x, payload=k)
    raise ShapeError(f"diag takes a vector or a matrix, not a value of shape {x.shape}")


@takes("offset")
def diagonal(x, offset=None):
    return build("diagonal", x, payload=static(offset, "offset") if offset is not None else 0)


@takes("offset")
def trace(x, offset=None):
    return build("sum", diagonal(x, offset), payload=1)


def triangle(upper: bool):
    @takes("k", "diagonal")
    def builder(x, k=None, diagonal=None):
        k = k if diagonal is None else diagonal
        return build("tri", x, payload=(static(k, "k") if k is not None else 0, upper))

    return builder


def solve(a, b):
    return build("solve", a, b)


def matrix_power(a, k):
    k = static(k, "k")
    if not isinstance(k, int) or len(a.shape) != 2 or a.shape[0] != a.shape[1]:
        raise ShapeError("matrix_power(A, k) takes a square matrix and a whole number k")
    if k < 0:
        a, k = build("inv", a), -k
    if k == 0:
        size = a.shape[0]
        return build("diag_embed", a.graph.const(1.0, (size,)), payload=(size, size, 0))
    found, square = None, a
    while k:
        if k & 1:
            found = square if found is None else build("matmul", found, square)
        k >>= 1
        if k:
            square = build("matmul", square, square)
    return found


ORDS = {"inf": math.inf, "-inf": -math.inf}


@takes("ord", "axis", "keepdims", text=True)
def norm(x, ord=None, axis=None, keepdims=None):
    """numpy's norm: vectors 2 (default), 1, inf, -inf, p > 0; matrices "fro" (default), "nuc",
    1, -1, 2, -2, inf, -inf; along `axis` for a vector norm of each slice."""
    p = _ord(ord)
    if axis is not None:
        axes = t.axes_of(x, axis)
        if p not in (None, 2) or len(axes) != 1:
            raise DiffcliError("norm(x, axis=...) takes the 2-norm over one axis or the Frobenius norm over all")
        return t.along("norm", x, axes, t.flag(keepdims))
    if p is None or p == "fro" or (p == 2 and len(x.shape) < 2):
        found = build("norm", x, payload=len(x.shape))
    elif len(x.shape) == 2:
        found = _matrix_norm(x, p)
    elif len(x.shape) == 1:
        found = _vector_norm(x, p)
    else:
        raise ShapeError(f"norm with ord takes a vector or a matrix, not shape {x.shape}")
    return t.reshape_to(found, (1,) * len(x.shape)) if t.flag(keepdims) else found


def _ord(ord):
    if ord is None:
        return None
    if isinstance(ord, Text):
        if str(ord) in ORDS:
            return ORDS[str(ord)]
        if str(ord) in ("fro", "nuc"):
            return str(ord)
        raise DiffcliError(f'norm: unknown ord "{ord}": use "fro", "nuc", "inf", "-inf" or a number')
    if ord.is_const and ord.shape == ():
        return ord.value
    raise DiffcliError('norm(x, ord) needs a number or a string for ord, such as norm(x, 1) or norm(X, "nuc")')


def _vector_norm(x, p):
    if p == math.inf:
        return build("max", build("abs", x), payload=1)
    if p == -math.inf:
        return build("min", build("abs", x), payload=1)
    if p == "nuc":
        raise DiffcliError('norm(x, "nuc") is a matrix norm')
    return vector_norm(x, x.graph.const(p))


def _matrix_norm(x, p):
    if p == "nuc":
        return build("sum", svd(x), payload=1)
    if p in (2, -2):
        s = svd(x)
        return build("index", s, payload=(0 if p == 2 else -1,))
    if p in (1, -1, math.inf, -math.inf):
        axis = 0 if abs(p) == 1 else 1
        sums = t.along("sum", build("abs", x), [axis], False)
        return build("max" if p > 0 else "min", sums, payload=1)
    raise DiffcliError(f"norm of a matrix: ord {p:g} is not one of numpy's (fro, nuc, 1, -1, 2, -2, inf, -inf)")


def _extreme(op, elementwise):
    return t.reducer(op, t.scalar_extreme(op, elementwise))


TABLE = {
    "sum": (1, 2, t.reducer("sum")),
    "mean": (1, 2, t.reducer("mean")),
    "prod": (1, 2, t.reducer("prod")),
    "max": (1, 2, _extreme("max", "maximum")),
    "min": (1, 2, _extreme("min", "minimum")),
    "norm": (1, 2, norm),
    "logsumexp": (1, 1, t.logsumexp),
    "softmax": (1, 1, t.last_axis("softmax")),
    "log_softmax": (1, 1, t.log_softmax),
    "var": (1, 1, t.moments(False)),
    "std": (1, 1, t.moments(True)),
    "cumsum": (1, 1, t.cumulative("cumsum")),
    "cumprod": (1, 1, t.cumulative("cumprod")),
    "reshape": (1, 8, c.reshape),
    "flatten": (1, 1, c.flatten),
    "ravel": (1, 1, c.flatten),
    "squeeze": (1, 1, c.squeeze),
    "expand_dims": (1, 2, c.expand_dims),
    "unsqueeze": (1, 2, c.expand_dims),
    "transpose": (1, 1, c.transpose),
    "swapaxes": (3, 3, c.swapaxes),
    "moveaxis": (3, 3, c.moveaxis),
    "repeat": (2, 2, c.repeat),
    "tile": (2, 2, c.tile),
    "broadcast_to": (2, 2, c.broadcast_to),
    "flip": (1, 1, c.flip),
    "take": (2, 2, c.take),
    "concatenate": (1, 64, c.concatenate),
    "cat": (1, 64, c.concatenate),
    "stack": (1, 64, c.stack),
    "hstack": (1, 64, c.hstack),
    "vstack": (1, 64, c.vstack),
    "split": (2, 2, c.split),
    "einsum": (2, 64, c.einsum),
    "tensordot": (2, 2, c.tensordot),
    "dot": (2, 2, c.dot),
    "inner": (2, 2, c.inner),
    "outer": (2, 2, c.outer),
    "kron": (2, 2, c.kron),
    "cross": (2, 2, c.cross),
    "trace": (1, 1, trace),
    "diag": (1, 1, diag),
    "diagonal": (1, 1, diagonal),
    "triu": (1, 1, triangle(True)),
    "tril": (1, 1, triangle(False)),
    "det": (1, 1, lambda a: build("det", a)),
    "cofactor": (1, 1, lambda a: build("cofactor", a)),
    "logdet": (1, 1, lambda a: build("logdet", a)),
    "slogdet": (1, 1, slogdet),
    "inv": (1, 1, lambda a: build("inv", a)),
    "solve": (2, 2, solve),
    "matrix_power": (2, 2, matrix_power),
    "cholesky": (1, 1, cholesky),
    "eigvalsh": (1, 1, eigvalsh),
    "eigh": (1, 1, eigvalsh),
    "svd": (1, 1, svd),
    "svdvals": (1, 1, svd),
}

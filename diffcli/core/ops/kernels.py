"""Forward rules that are more than one call of the array namespace: (device, node, *values).

They address axes from the right (evaluation may add leading batch axes) and use only
`dev.xp`, so they run on numpy, CuPy or any array-API namespace.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.errors import DiffcliError


def axes(k: int) -> tuple:
    return tuple(range(-k, 0))


def as_float(dev, mask):
    return dev.xp.astype(mask, dev.dtype) if hasattr(dev.xp, "astype") else mask.astype(dev.dtype)


def comparison(name: str):
    """A comparison as 1.0 where it holds, else 0.0, in the working dtype."""
    return lambda dev, n, a, b: as_float(dev, getattr(dev.xp, name)(a, b))


def const(dev, n):
    value, shape = n.payload
    return dev.xp.full(shape, value, dtype=dev.dtype)


def var(dev, n):
    raise AssertionError("variables are bound by the evaluator")


def sigmoid(dev, n, x):
    xp = dev.xp
    e = xp.exp(-xp.abs(x))  # never overflows; each branch exact at its own end
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(dev, n, x):
    xp = dev.xp
    m = xp.max(x, axis=-1, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.sum(xp.exp(x - m), axis=-1)) + m[..., 0]


def softmax(dev, n, x):
    xp = dev.xp
    m = xp.max(x, axis=-1, keepdims=True)
    e = xp.exp(x - xp.where(xp.isfinite(m), m, 0))
    return e / xp.sum(e, axis=-1, keepdims=True)


def by_element(function):
    """A forward rule applying a Python float function to every element (for functions the
    array namespace lacks, such as `erf`; exact as libm, not fast)."""
    vectorized = np.frompyfunc(function, 1, 1)

    def rule(dev, n, x):
        host = np.asarray(x.get() if hasattr(x, "get") else x, dtype=np.float64)
        return dev.xp.asarray(np.asarray(vectorized(host), dtype=np.float64), dtype=dev.dtype)

    return rule


def reciprocal_of(name: str):
    """1/f(x) for f a namespace function: sec = 1/cos, csch = 1/sinh, coth = 1/tanh..."""
    return lambda dev, n, x: 1 / getattr(dev.xp, name)(x)


def of_reciprocal(name: str):
    """f(1/x): asec = acos(1/x), acsc = asin(1/x), acot = atan(1/x) (as mpmath and SymPy)."""
    return lambda dev, n, x: getattr(dev.xp, name)(1 / x)


def sinc(dev, n, x):
    """The k-th derivative (k = the node's payload, None for 0) of sin(x)/x, with sinc(0) = 1:
    its Taylor series where |x| < 1 + k (no 0/0, no cancellation near 0), else the Leibniz
    rule for sin(x) * x^-1 (the series' terms would grow and cancel there)."""
    xp = dev.xp
    k = n.payload or 0
    radius = 1.0 + k
    small = xp.abs(x) < radius
    near = xp.where(small, x, 0.0)
    squared = near * near
    first = (k + 1) // 2  # the first term of the series that survives k derivatives
    series = 0.0 * near
    for m in reversed(range(first, first + 20 + 3 * int(radius))):
        series = series * squared + (-1) ** m / ((2 * m + 1) * math.factorial(2 * m - k))
    if (2 * first - k) == 1:
        series = series * near
    far = xp.where(small, radius, x)
    sin, cos = xp.sin(far), xp.cos(far)
    turns = (sin, cos, -sin, -cos)  # the derivatives of sin
    leibniz = 0.0 * far
    for j in range(k + 1):
        r = k - j
        leibniz = leibniz + math.comb(k, j) * (-1) ** r * math.factorial(r) * turns[j % 4] / far ** (r + 1)
    return xp.where(small, series, leibniz)


def scipy_special(name: str):
    """A function of scipy.special (the optional extra `diffcli[special]`), on the host; for
    `polygamma` the node's payload is the order (digamma and its derivatives)."""

    def rule(dev, n, x):
        try:
            import scipy.special as sc
        except ImportError:
            raise DiffcliError(
                f"{n.op}() needs SciPy, which is not installed: pip install 'diffcli[special]'"
            ) from None
        host = np.asarray(x.get() if hasattr(x, "get") else x, dtype=np.float64)
        if name == "polygamma":
            value = sc.polygamma(n.payload, host) if n.payload else sc.digamma(host)
        else:
            value = getattr(sc, name)(host)
        return dev.xp.asarray(np.asarray(value, dtype=np.float64), dtype=dev.dtype)

    return rule


def undefined(dev, n, x):
    name = n.payload[0]
    raise DiffcliError(
        f"`{name}` is an undefined function (declared with --function or `function {name}`): it "
        f"has no values, so only `diff` can use it; write a formula in place of {name}(...) to "
        "evaluate or differentiate numerically"
    )


def matmul(dev, n, a, b):
    xp = dev.xp
    da, db = len(n.args[0].shape), len(n.args[1].shape)
    if da == 1 and db == 1:
        return xp.sum(a * b, axis=-1)
    if da == 2 and db == 1:
        return xp.matmul(a, b[..., None])[..., 0]
    if da == 1 and db == 2:
        return xp.matmul(a[..., None, :], b)[..., 0, :]
    return xp.matmul(a, b)


def index_key(items, ndim: int) -> tuple:
    """A numpy key for `items` on the trailing `ndim` axes (leading batch axes untouched)."""
    picked = tuple(i if isinstance(i, int) else slice(*i) for i in items)
    return (Ellipsis,) + picked + (slice(None),) * (ndim - len(items))


def index(dev, n, x):
    return x[index_key(n.payload, len(n.args[0].shape))]


def scatter(dev, n, g):
    shape, items = n.payload
    xp = dev.xp
    batch = g.shape[: g.ndim - len(n.args[0].shape)]
    out = xp.zeros(tuple(batch) + tuple(shape), dtype=dev.dtype)
    out[index_key(items, len(shape))] = g
    return out


def stack(dev, n, *xs):
    xp = dev.xp
    inner = len(n.shape) - 1
    return xp.stack(xp.broadcast_arrays(*xs), axis=-(inner + 1))


def sum_to(dev, n, x):
    target = n.payload
    source = n.args[0].shape
    xp = dev.xp
    lead = len(source) - len(target)
    if lead:
        x = xp.sum(x, axis=tuple(range(-len(source), -len(source) + lead)))
    keep = tuple(i - len(target) for i, (s, t) in enumerate(zip(source[lead:], target)) if t == 1 and s != 1)
    return xp.sum(x, axis=keep, keepdims=True) if keep else x


def broadcast_to(dev, n, x):
    static = len(n.args[0].shape)
    batch = tuple(x.shape[: x.ndim - static])
    if batch and len(n.payload) > static:  # new axes go after the batch axes, not before them
        x = dev.xp.reshape(x, batch + (1,) * (len(n.payload) - static) + tuple(x.shape[len(batch) :]))
    return dev.xp.broadcast_to(x, batch + tuple(n.payload))


def expand(dev, n, x):
    return x[(Ellipsis,) + (None,) * n.payload]


def transpose(dev, n, x):
    return dev.xp.matrix_transpose(x)


def reduction(name: str):
    """sum/mean/prod/max/min over the node's `payload` trailing axes."""
    return lambda dev, n, x: getattr(dev.xp, name)(x, axis=axes(n.payload)) if n.payload else x


def norm(dev, n, x):
    """sqrt(sum(x^2)) scaled by the largest |x| first (as numpy.linalg.norm and hypot do), so
    that 1e200 does not overflow to inf nor 1e-200 underflow to 0 when squared."""
    xp, over = dev.xp, axes(n.payload)
    largest = xp.max(xp.abs(x), axis=over, keepdims=True) if n.payload else xp.abs(x)
    scale = xp.where(largest > 0, largest, xp.ones_like(largest))
    scale = xp.where(xp.isinf(scale), xp.ones_like(scale), scale)  # an inf element: the norm is inf below
    scaled = x / scale
    result = xp.sqrt(xp.sum(scaled * scaled, axis=over)) * (xp.reshape(scale, xp.sum(scaled, axis=over).shape))
    infinite = xp.max(xp.abs(x), axis=over) if n.payload else xp.abs(x)
    return xp.where(xp.isinf(infinite), infinite, result)


def relu(dev, n, x):
    return dev.xp.maximum(x, 0)


def softplus(dev, n, x):
    return dev.xp.logaddexp(0, x)


def clamp(dev, n, x, lo, hi):
    return dev.xp.minimum(dev.xp.maximum(x, lo), hi)


def where(dev, n, c, a, b):
    return dev.xp.where(c != 0, a, b)


def identity(dev, n, x):
    return x


def special_power(n):
    """pow with these constant exponents calls a cheaper ufunc (same values, no libm pow)."""
    exponent = n.args[1]
    if exponent.is_const and exponent.shape == () and exponent.value in POWERS:
        return POWERS[exponent.value], (0,)
    return None


POWERS = {2.0: "square", 0.5: "sqrt", -1.0: "reciprocal"}

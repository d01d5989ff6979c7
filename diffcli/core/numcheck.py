"""Central finite differences, shared by `diffcli check` and the tests.

Steps are scaled to each coordinate (h = eps^(1/3) * max(1, |x|)) and made exactly
representable (x + h - x == h), as numdifftools does, so the only error left is truncation.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

EPS_CBRT = np.finfo(np.float64).eps ** (1 / 3)


def step(x: float) -> float:
    h = EPS_CBRT * max(1.0, abs(x))
    return float((x + h) - x)


def central_jacobian(f: Callable[[dict], np.ndarray | float], point: dict, names: list[str]) -> np.ndarray:
    """d f / d (names, flattened in C order) for a function returning an array: shape
    f.shape + (number of variable elements,)."""
    columns = []
    for name in names:
        base = np.array(point[name], dtype=np.float64)
        for idx in np.ndindex(*base.shape):
            h = step(float(base[idx]))
            values = []
            for sign in (1, -1):
                moved = base.copy()
                moved[idx] = base[idx] + sign * h
                values.append(np.asarray(f({**point, name: moved}), dtype=np.float64))
            with np.errstate(all="ignore"):  # a non-finite side is reported by the caller
                columns.append((values[0] - values[1]) / (2 * h))
    return np.stack(columns, axis=-1) if columns else np.zeros((0,))


def central_gradient(f: Callable[[dict], float], point: dict, names: list[str]) -> dict:
    """d f / d name for each name, by central differences; arrays differentiate elementwise."""
    flat = central_jacobian(lambda pt: float(f(pt)), point, names)
    out, start = {}, 0
    for name in names:
        shape = np.shape(point[name])
        size = int(np.prod(shape))
        out[name] = flat[start : start + size].reshape(shape)
        start += size
    return out


def close(a: ArrayLike, b: ArrayLike, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol, equal_nan=True))


def compare(
    exact: ArrayLike, numeric: ArrayLike, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(absolute error, relative error, agrees) elementwise, as gradcheck judges:
    |exact - numeric| <= atol + rtol * |numeric|; equal infinities agree, nan never does."""
    exact = np.asarray(exact, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    with np.errstate(all="ignore"):
        same = exact == numeric
        abs_err = np.where(same, 0.0, np.abs(exact - numeric))
        rel_err = np.where(same, 0.0, abs_err / np.maximum(np.abs(numeric), np.finfo(np.float64).tiny))
        agrees = same | (abs_err <= atol + rtol * np.abs(numeric))
    return abs_err, rel_err, agrees

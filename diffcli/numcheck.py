"""Central finite differences, shared by `diffcli check` and the tests.

Steps are scaled to each coordinate (h = eps^(1/3) * max(1, |x|)) and made exactly
representable (x + h - x == h), as numdifftools does, so the only error left is truncation.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

EPS_CBRT = np.finfo(np.float64).eps ** (1 / 3)


def step(x: float) -> float:
    h = EPS_CBRT * max(1.0, abs(x))
    return float((x + h) - x)


def central_gradient(f: Callable[[dict], float], point: dict, names: list[str]) -> dict:
    """d f / d name for each name, by central differences; arrays differentiate elementwise."""
    out = {}
    for name in names:
        base = np.array(point[name], dtype=np.float64)
        grad = np.zeros_like(base)
        for idx in np.ndindex(*base.shape):
            h = step(float(base[idx]))
            values = []
            for sign in (1, -1):
                moved = base.copy()
                moved[idx] = base[idx] + sign * h
                values.append(float(f({**point, name: moved})))
            grad[idx] = (values[0] - values[1]) / (2 * h)
        out[name] = grad
    return out


def close(a, b, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol, equal_nan=True))

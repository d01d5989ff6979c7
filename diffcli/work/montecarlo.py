"""The Monte Carlo method of GUM Supplement 1 (JCGM 101:2008) on the batch engine.

The inputs are drawn (normal by default; uniform, triangular (symmetric) or Student t,
each scaled so that its standard deviation, for t its scale, is the u given after ±;
correlated inputs: multivariate normal), a block of draws at a time, and the compiled model
runs on each block as on the rows of a --points file. Reported: the mean, the standard
deviation, and the probabilistically symmetric coverage interval (Supplement 1, 7.7).
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.errors import DiffcliError
from diffcli.work.model import Model
from diffcli.work.quantities import Quantity

BLOCK = 1 << 20  # draws evaluated at a time
MOST = 20_000_000  # draws x outputs kept for the interval: 160 MB of float64


def draw(rng, kind: str, value: float, u: float, size: int, nu: float | None) -> np.ndarray:
    if kind == "normal":
        return value + u * rng.standard_normal(size)
    if kind == "uniform":  # half-width a, u = a / sqrt(3)
        a = u * math.sqrt(3)
        return rng.uniform(value - a, value + a, size)
    if kind == "triangular":  # symmetric, half-width a, u = a / sqrt(6)
        a = u * math.sqrt(6)
        return rng.triangular(value - a, value, value + a, size)
    return value + u * rng.standard_t(nu, size)  # t: u is the scale (Supplement 1, 6.4.9)


def _spread(q: Quantity) -> float:
    assert q.u is not None, "only the inputs with a ± are drawn"
    return q.u


def symmetric_interval(sorted_values: np.ndarray, level: float) -> tuple[float, float]:
    """Supplement 1, 7.7.2: q = pM (rounded), r = (M - q)/2 (rounded up), [y_(r), y_(r+q)]."""
    m = len(sorted_values)
    q = level * m
    q = int(q) if q == int(q) else int(q + 0.5)
    r = (m - q) // 2 if (m - q) % 2 == 0 else (m - q + 1) // 2
    r = max(r, 1)
    return float(sorted_values[r - 1]), float(sorted_values[min(r + q, m) - 1])


def monte_carlo(
    model: Model,
    inputs: list[Quantity],
    cov: np.ndarray,
    kinds: dict,
    dof: dict,
    draws: int,
    seed: int | None,
    level: float = 0.95,
) -> dict:
    """{draws, seed, mean, std, interval, level} (lists for a vector EXPR, plus covariance)."""
    if draws < 2:
        raise DiffcliError("--mc: give at least 2 draws (10^5 or more for a 95% interval)")
    if draws * model.m > MOST:
        raise DiffcliError(f"--mc {draws:,}: at most {MOST // model.m:,} draws for this EXPR")
    correlated = bool(np.any(cov - np.diag(np.diag(cov))))
    if correlated and any(kinds.get(q.name, "normal") != "normal" for q in inputs):
        raise DiffcliError("--mc with --corr or --cov draws a multivariate normal: drop --dist for correlated inputs")
    for q in inputs:
        if kinds.get(q.name) == "t" and q.name not in dof:
            raise DiffcliError(f"--dist {q.name}=t needs its degrees of freedom: give --dof {q.name}=NU")
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int), "a SeedSequence made without entropy draws an int"
        seed = int(entropy % (1 << 32))  # reported, so the run can be repeated
    rng = np.random.default_rng(seed)
    factor = None
    if correlated:
        w, v = np.linalg.eigh(cov)
        if w.min() < -1e-12 * max(w.max(), 0):
            raise DiffcliError("the inputs' covariance matrix is not positive semidefinite: check --corr / --cov")
        factor = v * np.sqrt(np.clip(w, 0, None))
    ys = np.empty((draws, model.m))
    done = 0
    while done < draws:
        size = min(BLOCK, draws - done)
        if factor is not None:
            z = rng.standard_normal((size, len(inputs))) @ factor.T
            columns = {q.name: q.value + z[:, k] for k, q in enumerate(inputs)}
        else:
            columns = {
                q.name: draw(rng, kinds.get(q.name, "normal"), q.value, _spread(q), size, dof.get(q.name))
                for q in inputs
            }
        ys[done : done + size] = model.values(columns, size)
        done += size
    bad = int((~np.isfinite(ys)).any(axis=1).sum())
    if bad:
        raise DiffcliError(
            f"--mc: the model is not finite at {bad:,} of {draws:,} draws (an input drawn outside its domain): "
            "the Monte Carlo result would be wrong",
            exit_code=3,
        )
    mean = ys.mean(axis=0)
    std = ys.std(axis=0, ddof=1)
    ys_cov = np.atleast_2d(np.cov(ys, rowvar=False)) if model.vector else None  # before the sorts below
    intervals = []
    for j in range(model.m):
        ys[:, j].sort()
        intervals.append(symmetric_interval(ys[:, j], level))
    if not model.vector:
        return {
            "draws": draws,
            "seed": seed,
            "mean": float(mean[0]),
            "std": float(std[0]),
            "interval": list(intervals[0]),
            "level": level,
        }
    assert ys_cov is not None, "computed above for a vector EXPR"
    return {
        "draws": draws,
        "seed": seed,
        "mean": mean.tolist(),
        "std": std.tolist(),
        "covariance": ys_cov.tolist(),
        "interval": [list(i) for i in intervals],
        "level": level,
    }

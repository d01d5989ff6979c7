"""Coverage factors: the normal and Student t quantiles (no scipy needed), Welch-Satterthwaite.

The t distribution's two-sided probability P(|T| <= k) = 1 - I_{nu/(nu+k^2)}(nu/2, 1/2), with
the regularized incomplete beta I by its continued fraction (Lentz's method, as in Numerical
Recipes' betacf); k is found by bisection. Tests compare it with scipy.stats.t.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def incomplete_beta(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b), 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast on this side only
        return 1.0 - incomplete_beta(1 - x, b, a)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 400):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-16:
            break
    return front * f / a


def t_coverage(k: float, nu: float) -> float:
    """P(|T| <= k) for Student's t with nu degrees of freedom."""
    if math.isinf(nu):
        return 2 * NormalDist().cdf(k) - 1
    return 1.0 - incomplete_beta(nu / (nu + k * k), nu / 2, 0.5)


def coverage_factor(level: float, nu: float = math.inf) -> float:
    """k with P(|T| <= k) = level: t_p(nu), the normal quantile for nu = inf."""
    if math.isinf(nu):
        return NormalDist().inv_cdf((1 + level) / 2)
    lo, hi = 0.0, 1.0
    while t_coverage(hi, nu) < level:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_coverage(mid, nu) < level else (lo, mid)
        if hi - lo <= 1e-15 * hi:
            break
    return (lo + hi) / 2


def welch_satterthwaite(contributions, dofs) -> float:
    """nu_eff = u_c^4 / sum(u_i^4 / nu_i) (GUM G.4.1), u_i = |c_i| u(x_i); inputs without
    degrees of freedom count as infinite."""
    total = sum(u * u for u in contributions)
    denominator = sum(u**4 / nu for u, nu in zip(contributions, dofs) if not math.isinf(nu))
    return total * total / denominator if denominator > 0 else math.inf

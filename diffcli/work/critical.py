"""Every critical point of f in a box, found by Newton's method on the gradient from many
starts and classified by the second-derivative test; constrained ones by Lagrange multipliers.

The starts are a scrambled Sobol sequence in the box (scipy.stats.qmc where installed, else a
grid), run all at once: the model's plan evaluates value, gradient and Hessian at every active
start in one batched pass, and each iteration takes x <- x - H^+ g (the pseudo-inverse, so a
singular Hessian at a degenerate point still gives a step). A start converges when the step is
below tol (1 + |x|) and the gradient is small; one that leaves the box (by a tenth of its
width) or turns non-finite is dropped. Converged points are merged when they lie within 1e-6 of
the box's size. With constraints g_i = 0 the same runs on the Lagrangian L = f - sum lambda_i g_i
in (x, lambda), and a point is classified on the tangent space of the constraints: the Hessian of
L projected on the null space of the constraints' Jacobian, which decides as the bordered
Hessian's minors do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffcli.core.hessian import classify
from diffcli.work.exact import exact, recognise
from diffcli.work.model import Model

MOST = 100  # Newton iterations per start
MARGIN = 0.1  # a start may wander this share of the box's width outside it


@dataclass(frozen=True)
class Box:
    names: tuple
    low: np.ndarray
    high: np.ndarray


def starting_points(box: Box, count: int, seed: int = 0) -> tuple[np.ndarray, str]:
    """`count` points spread over the box: Sobol (rounded up to a power of 2), else a grid."""
    n = len(box.names)
    try:
        from scipy.stats import qmc

        m = max(1, math.ceil(math.log2(max(count, 2))))
        unit = qmc.Sobol(n, scramble=True, seed=seed).random_base2(m)
        method = "sobol"
    except ImportError:
        side = max(2, math.ceil(count ** (1 / n)))
        axes = [(np.arange(side) + 0.5) / side] * n
        unit = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, n)
        method = "grid"
    return box.low + unit * (box.high - box.low), method


def newton(model: Model, xs: np.ndarray, box: Box, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton on the gradient from every row of xs at once: (points, converged in the box, left
    the box). The first
    len(box.names) coordinates are kept in the box; the others (multipliers) are free."""
    k = len(box.names)
    width = box.high - box.low
    x = xs.copy()
    active = np.ones(len(x), bool)
    converged = np.zeros(len(x), bool)
    for _ in range(MOST):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        point = model.batch(x[idx])
        g, h = point["jacobian"][:, 0, :], point["hessian"]
        finite = np.isfinite(g).all(axis=1) & np.isfinite(h).all(axis=(1, 2))
        dx = np.zeros_like(g)
        if finite.any():
            dx[finite] = -np.einsum("rij,rj->ri", np.linalg.pinv(h[finite], rcond=1e-13), g[finite])
        size = np.linalg.norm(dx, axis=1)
        scale = np.abs(point["value"][:, 0]) + 1
        done = (
            finite & (size <= tol * (1 + np.linalg.norm(x[idx], axis=1))) & (np.linalg.norm(g, axis=1) <= 1e-6 * scale)
        )
        x[idx] = x[idx] + dx
        inside = np.all((x[idx, :k] >= box.low - MARGIN * width) & (x[idx, :k] <= box.high + MARGIN * width), axis=1)
        converged[idx[done]] = True
        active[idx[done | ~finite | ~inside]] = False
    inside = np.all((x[:, :k] >= box.low - 1e-9 * width) & (x[:, :k] <= box.high + 1e-9 * width), axis=1)
    return x, converged & inside, ~inside


def snapped(model: Model, x: np.ndarray, n: int) -> np.ndarray:
    """x with its coordinates replaced by the exact numbers they are recognised as (1/3,
    sqrt(2)/2, 0), when the gradient there is no larger: the check that the guess is right."""
    guess = x.copy()
    for k in range(n):
        found = recognise(float(x[k]))
        if found:
            guess[k] = found[1]
    if np.array_equal(guess, x):
        return x
    before, after = (float(np.linalg.norm(model.at(p)["jacobian"][0])) for p in (x, guess))
    return guess if after <= max(before, 1e-12) else x


def merge(points: np.ndarray, box: Box) -> list[tuple[np.ndarray, int]]:
    """Distinct points (first found) with how many starts reached each."""
    close = 1e-6 * max(float(np.max(box.high - box.low)), 1.0)
    distinct: list[list] = []
    for p in points:
        for d in distinct:
            if np.max(np.abs(d[0] - p)) <= close:
                d[1] += 1
                break
        else:
            distinct.append([p, 1])
    distinct.sort(key=lambda d: tuple(np.round(d[0], 9)))
    return [(p, c) for p, c in distinct]


def describe(model: Model, x: np.ndarray, count: int, names: list, constraints: int, tol: float) -> dict:
    """One critical point: coordinates (and exact forms), value, classification, eigenvalues."""
    n = len(names)
    x = snapped(model, x, n)
    point = model.at(x)
    coordinates = dict(zip(names, x[:n].tolist()))
    out = {"at": coordinates, "exact": {k: exact(v) for k, v in coordinates.items()}, "starts": count}
    hessian, grad = point["hessian"], point["jacobian"][0]
    if constraints:
        out["multipliers"] = x[n:].tolist()
        border = -hessian[n:, :n]  # d2L/dlambda dx = -dg/dx: the constraints' Jacobian
        bordered = np.block([[np.zeros((constraints, constraints)), border], [border.T, hessian[:n, :n]]])
        _, s, vt = np.linalg.svd(border)
        rank = int(np.sum(s > 1e-10 * max(1.0, float(s.max(initial=0)))))
        tangent = vt[rank:].T
        reduced = tangent.T @ hessian[:n, :n] @ tangent
        test = classify(reduced, grad, max(tol, 1e-8))
        out["bordered_hessian"] = bordered.tolist()
        out["bordered_determinant"] = float(np.linalg.det(bordered))
        if rank < constraints:
            test["classification"] = "degenerate"  # the constraints' gradients are dependent here
    else:
        test = classify(hessian, grad, max(tol, 1e-8))
        out["hessian"] = hessian.tolist()
    classification = test["classification"]
    if classification == "not a critical point":
        classification = "degenerate"
    value = float(point["value"][0])
    out.update(
        value=value,
        value_exact=exact(value),
        classification=classification,
        eigenvalues=test["eigenvalues"].tolist(),
    )
    return out


def critical_points(model: Model, box: Box, constraints: int, count: int, tol: float = 1e-10, seed: int = 0) -> dict:
    """Search the box; the model's variables are the box's names then the multipliers."""
    names = list(box.names)
    xs, method = starting_points(box, count, seed)
    if constraints:
        xs = np.concatenate([xs, multipliers(model, xs, len(names))], axis=1)
    reached, converged, left = newton(model, xs, box, tol)
    found = [describe(model, p, c, names, constraints, tol) for p, c in merge(reached[converged], box)]
    notes = []
    stalled = int((~converged & ~left).sum())
    if stalled:
        notes.append(
            f"{stalled} of {len(xs)} starts did not converge (a singular Hessian, or too slow): "
            "a critical point may have been missed"
        )
    degenerate = [p for p in found if p["classification"] == "degenerate"]
    if degenerate:
        notes.append(
            f"{len(degenerate)} degenerate point(s): the second-derivative test is inconclusive there, "
            "and the critical points may form a curve rather than isolated points"
        )
    single = [p for p in found if p["starts"] == 1]
    if single and len(xs) < 4096:
        notes.append(f"{len(single)} point(s) were reached from a single start: more --starts may find others")
    return {
        "points": found,
        "starts": len(xs),
        "converged": int(converged.sum()),
        "left_box": int(left.sum()),
        "method": method,
        "notes": notes,
    }


def multipliers(model: Model, xs: np.ndarray, n: int) -> np.ndarray:
    """Least-squares multipliers at each start: grad f = sum lambda_i grad g_i (with lambda = 0,
    the gradient of L by x is grad f, and its derivative by lambda is -grad g)."""
    m = model.n - n
    start = np.concatenate([xs, np.zeros((len(xs), m))], axis=1)
    point = model.batch(start)
    grad_f = point["jacobian"][:, 0, :n]
    grad_g = -point["hessian"][:, n:, :n]  # (N, m, n)
    lam = np.zeros((len(xs), m))
    for r in range(len(xs)):
        if np.all(np.isfinite(grad_g[r])) and np.all(np.isfinite(grad_f[r])):
            lam[r] = np.linalg.lstsq(grad_g[r].T, grad_f[r], rcond=None)[0]
    return lam

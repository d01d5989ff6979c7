"""Second-order and quasi-Newton minimisation for `minimize --optimizer newton|bfgs|lbfgs`.

newton: the exact Hessian (reverse over reverse, compiled once beside f and its gradient), the
step from (H + mu I) d = -g with the smallest mu >= 0 that makes the matrix positive definite
(a Cholesky factorisation succeeds; mu grows tenfold from 1e-3 of the largest diagonal entry),
then a backtracking line search (Armijo) on f: every step descends, also where H is indefinite
(a saddle is not a stopping place). bfgs / lbfgs: scipy.optimize.minimize (BFGS, L-BFGS-B) fed
diffcli's exact gradients; scipy comes with the `optimize` extra.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.compute.request import Result
from diffcli.core import autodiff
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Node
from diffcli.errors import DiffcliError
from diffcli.learn.optimize import Callback, Objective, norm

SECOND_ORDER = ("newton", "bfgs", "lbfgs")
HESSIAN_MOST = 200  # variable elements for the dense exact Hessian


def hessian_plan(objective: Objective) -> Plan:
    """f, its gradient and its Hessian entries (row by row, C order) in one plan."""
    if objective.layout.size > HESSIAN_MOST:
        raise DiffcliError(
            f"--optimizer newton builds the dense Hessian, at most {HESSIAN_MOST} variable elements "
            f"(this has {objective.layout.size}): use --optimizer lbfgs"
        )
    grads = autodiff.gradient(objective.f, objective.wrt)
    entries = [e for g in grads for e in autodiff.flat_entries(g)]
    rows: list[Node] = []
    for e in entries:
        rows.extend(x for d in autodiff.gradient(e, objective.wrt) for x in autodiff.flat_entries(d))
    return Plan([objective.f, *entries, *rows], dev=objective.dev)


def newton_direction(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    mu = 0.0
    largest = max(float(np.max(np.abs(np.diag(h)))) if h.size else 0.0, 1e-12)
    for _ in range(60):
        try:
            factor = np.linalg.cholesky(h + mu * np.eye(len(g)))
            return -np.linalg.solve(factor.T, np.linalg.solve(factor, g))
        except np.linalg.LinAlgError:
            mu = max(1e-3 * largest, 10 * mu)
    return -g  # nothing made it positive definite (non-finite entries): steepest descent


def minimize_newton(problem, objective: Objective, steps: int, tol: float, callback: Callback | None) -> Result:
    plan = hessian_plan(objective)
    n = objective.layout.size
    bindings = dict(problem.bindings)
    theta = objective.start([problem.bindings[name] for name in objective.layout.names]).astype(float)

    def evaluate(t):
        bindings.update(objective.layout.unpack(t))
        flat = np.array([float(to_numpy(v)) for v in plan.run(bindings)])
        return flat[0], flat[1 : 1 + n], flat[1 + n :].reshape(n, n)

    result = Result("minimize")
    converged, k = False, 0
    with np.errstate(all="ignore"):
        value, g, h = evaluate(theta)
        while True:
            grad_norm = norm(g)
            if callback is not None:
                callback(k, theta, value, grad_norm)
            if not (math.isfinite(value) and math.isfinite(grad_norm)):
                result.warnings.append(f"stopped at step {k}: the value or gradient is not finite")
                break
            if grad_norm < tol:
                converged = True
                break
            if k == steps:
                break
            d = newton_direction(h, g)
            slope = float(g @ d)
            t = 1.0
            for _ in range(60):
                trial = theta + t * d
                new_value = evaluate(trial)[0]
                if math.isfinite(new_value) and new_value <= value + 1e-4 * t * slope:
                    break
                t /= 2
            else:
                result.notes.append(
                    f"step {k}: no step along the Newton direction decreases f (a flat or rounding-limited region)"
                )
                break
            theta = trial
            value, g, h = evaluate(theta)
            k += 1
    at = objective.layout.unpack(theta)
    result.data.update(
        at={name: at[name] for name in objective.layout.names}, value=value, steps=k, converged=converged
    )
    return result


def minimize_scipy(
    problem, objective: Objective, method: str, steps: int, tol: float, callback: Callback | None
) -> Result:
    try:
        from scipy.optimize import minimize as scipy_minimize
    except ImportError:
        raise DiffcliError(
            f"--optimizer {method} needs scipy: pip install 'diffcli[optimize]' (or use newton, gd, momentum, adam)"
        ) from None
    bindings = dict(problem.bindings)
    theta = objective.start([problem.bindings[name] for name in objective.layout.names]).astype(float)
    counter = [0]

    def fun(t):
        with np.errstate(all="ignore"):
            value, g = objective(np.asarray(t, dtype=objective.dtype), bindings)
        return value, g.astype(float)

    def each(intermediate_result):
        counter[0] += 1
        if callback is not None:
            value, g = fun(intermediate_result.x)
            callback(counter[0], intermediate_result.x, value, norm(g))

    if callback is not None:
        value, g = fun(theta)
        callback(0, theta, value, norm(g))
    options = (
        {"maxiter": max(steps, 1), "gtol": tol}
        if method == "bfgs"
        else {"maxiter": max(steps, 1), "gtol": tol, "ftol": 0.0}
    )
    found = scipy_minimize(
        fun, theta, jac=True, method="BFGS" if method == "bfgs" else "L-BFGS-B", callback=each, options=options
    )
    value, g = fun(found.x)
    at = objective.layout.unpack(found.x)
    result = Result("minimize")
    result.data.update(
        at={name: at[name] for name in objective.layout.names},
        value=value,
        steps=int(found.nit),
        converged=bool(norm(g) < tol),
    )
    if not result.data["converged"]:
        result.notes.append(f"scipy {method}: {found.message}")
    return result


def minimize(
    problem, objective: Objective, optimizer: str, steps: int, tol: float, callback: Callback | None = None
) -> Result:
    """The minimize result (at, value, steps, converged) by a second-order optimiser."""
    if steps < 0 or not (tol >= 0):
        raise DiffcliError("--steps and --tol must not be negative")
    if optimizer == "newton":
        return minimize_newton(problem, objective, steps, tol, callback)
    return minimize_scipy(problem, objective, optimizer, steps, tol, callback)

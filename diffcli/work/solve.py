"""Newton's method (and the secant and Halley methods for one equation), with its table.

f(x) = 0 for n equations in n unknowns, on a `Model` compiled once (value, Jacobian, and the
second derivative for Halley): each iteration runs that plan at the new point. The Newton step
solves J dx = -f; a backtracking line search on |f| halves it until |f| decreases (Armijo,
c = 1e-4), so the method keeps descending from far away and cannot cycle; without it
(`line_search=False`) a cycle is detected. Convergence needs BOTH a small residual |f| <= tol
and a small step |dx| <= tol (1 + |x|): exp(x) = 0 has tiny residuals far left but no root.
The observed order of convergence p_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1}) is estimated from
the step lengths e_k (which estimate the error near a root) and said in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from diffcli.errors import DiffcliError
from diffcli.work.model import Model

METHODS = ("newton", "secant", "halley")
ARMIJO = 1e-4
HALVINGS = 40
CONDITION = 1e13  # a Jacobian whose condition number passes this is singular for the method
HUGE = 1e150  # |x| past this: divergence


@dataclass
class Solution:
    method: str
    names: list
    rows: list = field(default_factory=list)  # per iteration: k, x, f, fprime (one equation), step, t
    converged: bool = False
    failure: str | None = None  # why not, in words

    @property
    def last(self) -> dict:
        return self.rows[-1]


def norm(v) -> float:
    return float(np.linalg.norm(np.atleast_1d(v)))


def solve(
    model: Model, method: str = "newton", tol: float = 1e-10, most: int = 100, line_search: bool = True, callback=None
) -> Solution:
    """Iterate from the model's --at point; never raises for a numeric failure: the Solution
    says why it stopped (`failure`) and holds the point reached."""
    if model.m != model.n:
        raise DiffcliError(
            f"solve needs as many equations as unknowns: EXPR has {model.m} and the --at point "
            f"{model.n} ({', '.join(model.names)}); give [f1, f2, ...] with one equation per variable"
        )
    if method != "newton" and model.n != 1:
        raise DiffcliError(f"--method {method} solves one equation in one unknown: use newton for systems")
    out = Solution(method, list(model.names))
    x = model.start()
    previous = None  # (x, f) of the last point, for the secant slope
    seen: list[np.ndarray] = []
    for k in range(most + 1):
        point = model.at(x)
        f, jac = point["value"], point["jacobian"]
        row = {"k": k, "x": x.tolist(), "f": f.tolist(), "residual": norm(f)}
        if model.n == 1:
            row["fprime"] = float(jac[0, 0])
        out.rows.append(row)
        if not (np.all(np.isfinite(f)) and np.all(np.isfinite(jac))):
            out.failure = "f or its derivative is not finite here: the iteration diverged"
            break
        if method == "secant" and previous is not None:
            slope = (f[0] - previous[1][0]) / (x[0] - previous[0][0]) if x[0] != previous[0][0] else 0.0
            jac = np.array([[slope]])
            row["slope"] = float(slope)
        dx = step(method, f, jac, point.get("hessian"))
        if dx is None:
            out.failure = (
                "the derivative is zero here" if model.n == 1 else "the Jacobian is singular or ill-conditioned here"
            ) + ": Newton's step is undefined; try another --at start"
            break
        row["step"] = dx.tolist() if model.n > 1 else float(dx[0])
        if row["residual"] <= tol and norm(dx) <= tol * (1 + norm(x)):
            out.converged = True
            if np.any(x + dx != x):  # the last correction, taken: the row after it shows f there
                x = x + dx
                final = model.at(x)["value"]
                out.rows.append({"k": k + 1, "x": x.tolist(), "f": final.tolist(), "residual": norm(final)})
            break
        if k == most:
            out.failure = f"no convergence in {most} iterations (|f| = {row['residual']:.3g}, last step {norm(dx):.3g})"
            if row["residual"] <= tol:
                out.failure += ": |f| is small but the steps are not, so f nears 0 without a root (an asymptote)"
            break
        t: float | None = 1.0
        if line_search:
            t = backtrack(model, x, dx, row["residual"])
            if t is None:
                out.failure = (
                    "no step along Newton's direction decreases |f|: stuck near a minimum of |f| that is not a root"
                )
                break
        row["t"] = t
        previous = (x, f)
        seen.append(x)
        x = x + t * dx
        if norm(x) > HUGE:
            out.failure = "the iterates run away to infinity: no root in that direction"
            out.rows.append({"k": k + 1, "x": x.tolist(), "f": None, "residual": math.inf})
            break
        if not line_search and any(norm(x - s) <= 1e-12 * (1 + norm(x)) for s in seen[:-1]):
            out.failure = f"the iteration cycles: it came back to x = {', '.join(f'{v:.6g}' for v in x)}"
            break
        if callback is not None:
            callback(row)
    return out


def step(method: str, f: np.ndarray, jac: np.ndarray, hessian) -> np.ndarray | None:
    """The correction dx of one iteration, or None where the derivative is singular."""
    if jac.shape == (1, 1):
        d = jac[0, 0]
        scale = max(abs(d), abs(f[0]), 1e-300)
        if abs(d) <= 1e-14 * scale or d == 0:
            return None
        if method == "halley":
            second = hessian[0, 0]
            denominator = 2 * d * d - f[0] * second
            if denominator == 0:
                return None
            return np.array([-2 * f[0] * d / denominator])
        return np.array([-f[0] / d])
    try:
        if np.linalg.cond(jac) > CONDITION:
            return None
        return np.linalg.solve(jac, -f)
    except np.linalg.LinAlgError:
        return None


def backtrack(model: Model, x: np.ndarray, dx: np.ndarray, residual: float) -> float | None:
    """The largest t in 1, 1/2, 1/4, ... with |f(x + t dx)| <= (1 - 1e-4 t) |f(x)|."""
    t = 1.0
    for _ in range(HALVINGS):
        trial = norm(model.at(x + t * dx)["value"])
        if math.isfinite(trial) and trial <= (1 - ARMIJO * t) * residual:
            return t
        t /= 2
    return None


def observed_order(solution: Solution) -> tuple[float | None, str, float | None]:
    """(p, words, rate) from the step lengths of the rows: p_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1}),
    from the last three steps that stand above rounding noise; the rate e_{k+1}/e_k for linear."""
    rows = solution.rows
    errors: list[float | None] = []
    for row in rows:
        if "step" not in row:
            continue
        e = norm(row["step"])
        if e > 1e-13 * (1 + norm(row["x"])) and row.get("t", 1.0) == 1.0:
            errors.append(e)
        else:
            errors.append(None)
    good = []
    for k in range(1, len(errors) - 1):
        a, b, c = errors[k - 1], errors[k], errors[k + 1]
        if a is not None and b is not None and c is not None and c < b < a:
            rows[k + 1]["order"] = math.log(c / b) / math.log(b / a)
            good.append((a, b, c))
    if not good:
        return None, "too few steps to tell the order", None
    a, b, c = good[-1]
    p = math.log(c / b) / math.log(b / a)
    rate = c / b
    if p > 2.5:
        words = "cubic"
    elif p > 1.8:
        words = "quadratic"
    elif p > 1.3:
        words = "superlinear"
    else:
        words = f"linear (each error about {rate:.2g} times the last: a multiple root?)"
    return p, words, rate

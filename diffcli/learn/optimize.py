"""Learning with gradients: `minimize` an expression from a point (and the compiled
`Objective` that `fit`, in fitting.py, and second_order.py use too).

Both differentiate once and compile once: the gradient is built as DAG nodes by
`autodiff.gradient`, and the value and the gradient become ONE engine `Plan`, which every step
merely runs on new numbers (whole arrays). The variables being learned are packed into one flat
float64 vector `theta` by their `layout.Layout` (C order, in variable order), so that the
optimisers (optimizers.py) are a few lines of numpy.

Nothing here prints: warnings are notes in the returned `request.Result`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from diffcli.compute.anomaly import nonfinite_note, note
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result
from diffcli.core import autodiff
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Device, Node
from diffcli.core.layout import Layout
from diffcli.data.interrupt import as_interrupted
from diffcli.errors import DiffcliError, Interrupted
from diffcli.learn.growth import Growth
from diffcli.learn.optimizers import OPTIMIZERS, Optimizer  # noqa: F401  (optimize.OPTIMIZERS, as before)

# callback(step, theta, value, gradient norm). minimize calls it at every point it evaluates
# (step 0 is the start); fit after every update, with the batch loss before it. The command
# layer uses it for --trace, --plot and the progress bar.
Callback = Callable[[int, np.ndarray, float, float], None]


class Objective:
    """f and its gradient compiled once into one plan; calling it is one evaluation pass."""

    def __init__(self, f: Node, wrt: list[Node], dev: Device):
        self.f, self.wrt, self.dev = f, wrt, dev
        self.layout = Layout.of(wrt)
        self.plan = Plan([f] + autodiff.gradient(f, wrt), dev=dev)
        self.grid_plan: Plan | None = None  # f alone, the variables batched (contour plots)

    def __call__(self, theta: np.ndarray, bindings: dict) -> tuple[float, np.ndarray]:
        bindings.update(self.layout.unpack(theta))
        value, *grads = self.plan.run(bindings)
        flat = self.layout.pack([to_numpy(g) for g in grads])
        return float(to_numpy(value)), flat.astype(self.dtype, copy=False)

    @property
    def dtype(self):
        return np.dtype(self.dev.dtype).type  # numpy's for CuPy's too: the optimiser runs on the host

    def start(self, arrays) -> np.ndarray:
        """The flat parameter vector in the computation's dtype."""
        return self.layout.pack(arrays).astype(self.dtype)

    def values(self, thetas: np.ndarray, bindings: dict) -> np.ndarray:
        """f at many points at once (thetas has shape (..., size)): the variables are batched,
        one leading axis of points, so that the engine lines their shapes up with the others."""
        if self.grid_plan is None:
            self.grid_plan = Plan([self.f], set(self.layout.names), self.dev)
        lead = thetas.shape[:-1]
        flat = np.reshape(thetas, (-1, thetas.shape[-1]))
        (value,) = self.grid_plan.run({**bindings, **self.layout.unpack(flat)})
        return np.broadcast_to(to_numpy(value).astype(float), (len(flat),)).reshape(lead)


def norm(g: np.ndarray) -> float:
    """Euclidean norm. Callers run under np.errstate(all="ignore"): an overflow is inf, a
    divergence the loop reports, and one errstate per run is cheaper than one per step."""
    return math.sqrt(float(g @ g))


def minimize(
    problem: Problem,
    lr: float = 0.01,
    steps: int = 1000,
    optimizer: str = "gd",
    tol: float = 1e-6,
    callback: Callback | None = None,
    objective: "Objective | None" = None,
) -> Result:
    """Gradient descent on a scalar expression from the --at point over its variables.

    Stops after `steps` updates, or earlier when the gradient norm falls under `tol`
    (`converged`), or when the value or gradient turns non-finite (a warning). JSON keys:
    at (the final point), value, steps, converged. `objective` is minimize_objective(problem)
    when the caller already compiled it.
    """
    objective = objective or minimize_objective(problem)
    if steps < 0 or not (tol >= 0):
        raise DiffcliError("--steps and --tol must not be negative")
    result = Result("minimize")
    bindings = dict(problem.bindings)
    layout = objective.layout
    theta = objective.start([problem.bindings[n] for n in layout.names])
    opt = Optimizer(optimizer, lr, theta.size, objective.dtype)
    converged, k = False, 0
    reached, stop = None, None  # (step, point, value) of the last point evaluated; an interruption
    growth = Growth(lr)
    try:
        with np.errstate(all="ignore"):
            while True:
                value, g = objective(theta, bindings)
                growth.see(k, value)
                reached = (k, theta, value)
                grad_norm = norm(g)
                if callback is not None:
                    callback(k, theta, value, grad_norm)
                if not (math.isfinite(value) and math.isfinite(grad_norm)):
                    result.warnings.append(diverged(problem, objective, bindings, k))
                    break
                if grad_norm < tol:
                    converged = True
                    break
                if k == steps:
                    break
                theta = opt.step(theta, g)
                k += 1
    except (KeyboardInterrupt, Interrupted) as e:  # the point reached, then the interruption
        stop = as_interrupted(e)
        if reached is None:
            raise stop from None
        k, theta, value = reached
    growth.report(result, converged)
    at = layout.unpack(theta)
    result.data.update(at={n: at[n] for n in layout.names}, value=value, steps=k, converged=converged)
    if stop is not None:
        result.data["interrupted"] = True
        stop.result = result
        raise stop
    return result


def minimize_objective(problem: Problem) -> Objective:
    if problem.output.shape != ():
        raise DiffcliError(
            f"minimize needs a scalar expression, but this one has shape {problem.output.shape}: "
            "reduce it with sum(...) or mean(...)"
        )
    if not problem.wrt:
        raise DiffcliError("nothing to minimize: give the starting point of a variable with --at, such as --at x=1")
    return Objective(problem.output, problem.wrt, problem.device)


def diverged(problem: Problem, objective: Objective, bindings: dict, step: int):
    """The note naming the node that turned non-finite, and what usually mends it."""
    plan = objective.plan
    _, every = plan.run(bindings, keep=True)
    where = nonfinite_note(problem.text, problem.output, plan.order, every)
    hint = ": lower --lr" if step > 0 else ""
    return note(f"stopped at step {step}, {where}{hint}")

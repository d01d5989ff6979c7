"""Learning with gradients: `minimize` an expression from a point, `fit` a model to CSV data.

Both differentiate once and compile once: the gradient is built as DAG nodes by
`autodiff.gradient`, and the value and the gradient become ONE engine `Plan`, which every step
merely runs on new numbers (whole arrays). The variables being learned are packed into one flat
float64 vector `theta` by their `layout.Layout` (C order, in variable order), so that the
optimisers are a few lines of numpy.

For `fit`, the CSV columns the model uses are vector variables of static shape (batch,) and the
loss reduces over the rows, so a step is one vectorised pass over a mini-batch. A plan is
compiled for a batch size, so a last partial batch gets its own plan (cached by size): every
row is used in every epoch, as PyTorch's DataLoader does by default (drop_last=False).

Nothing here prints: warnings are notes in the returned `request.Result`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import autodiff, ops
from .anomaly import nonfinite_note, note
from .datafile import CsvTable
from .engine import Plan, to_numpy
from .errors import DiffcliError, Interrupted, suggest
from .graph import Device, Graph, Node
from .interrupt import as_interrupted
from .layout import Layout
from .parse import names_used, parse
from .points import parse_at
from .problem import Problem, read_expression
from .request import Result

OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM = 0.9  # PyTorch SGD(momentum=0.9): v = 0.9 v + g; x -= lr v
ADAM_BETAS = (0.9, 0.999)  # PyTorch Adam's defaults, with bias correction
ADAM_EPS = 1e-8

# callback(step, theta, value, gradient norm). minimize calls it at every point it evaluates
# (step 0 is the start); fit after every update, with the batch loss before it. The command
# layer uses it for --trace, --plot and the progress bar.
Callback = Callable[[int, np.ndarray, float, float], None]


class Optimizer:
    """One update rule on a flat parameter vector; `step` returns the new vector."""

    def __init__(self, kind: str, lr: float, size: int):
        if kind not in OPTIMIZERS:
            raise DiffcliError(f"unknown optimizer `{kind}`: choose one of {', '.join(OPTIMIZERS)}")
        if not (math.isfinite(lr) and lr > 0):
            raise DiffcliError(f"--lr {lr}: the learning rate must be a positive number, such as 0.01")
        self.kind, self.lr, self.t = kind, lr, 0
        self.m = np.zeros(size)
        self.v = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.t += 1
        if self.kind == "gd":
            return theta - self.lr * g
        if self.kind == "momentum":
            self.m = MOMENTUM * self.m + g
            return theta - self.lr * self.m
        b1, b2 = ADAM_BETAS
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat = self.m / (1 - b1 ** self.t)
        v_hat = self.v / (1 - b2 ** self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)


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
        return float(to_numpy(value)), self.layout.pack([to_numpy(g) for g in grads])

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


def minimize(problem: Problem, lr: float = 0.01, steps: int = 1000, optimizer: str = "gd",
             tol: float = 1e-6, callback: Callback | None = None,
             objective: "Objective | None" = None) -> Result:
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
    theta = layout.pack([problem.bindings[n] for n in layout.names])
    opt = Optimizer(optimizer, lr, theta.size)
    converged, k = False, 0
    reached, stop = None, None  # (step, point, value) of the last point evaluated; an interruption
    try:
        with np.errstate(all="ignore"):
            while True:
                value, g = objective(theta, bindings)
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
    at = layout.unpack(theta)
    result.data.update(at={n: at[n] for n in layout.names}, value=value, steps=k, converged=converged)
    if stop is not None:
        result.data["interrupted"] = True
        stop.result = result
        raise stop
    return result


def minimize_objective(problem: Problem) -> Objective:
    if problem.output.shape != ():
        raise DiffcliError(f"minimize needs a scalar expression, but this one has shape {problem.output.shape}: "
                           "reduce it with sum(...) or mean(...)")
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


# ---------------------------------------------------------------- fit


@dataclass
class FitProblem:
    """A model, the data columns it reads, the target and the starting parameters."""

    text: str
    data_path: str
    columns: dict  # input column name -> (n,) array, in order of use in the model
    target_name: str
    target: np.ndarray
    params: dict  # parameter name -> starting array
    loss: str = "mse"
    source: str | None = None
    device: Device = field(default_factory=Device)
    graph: Graph = field(default_factory=Graph)  # the command's node space, shared by every size
    compiled: dict = field(default_factory=dict)  # batch size -> Objective

    @property
    def rows(self) -> int:
        return len(self.target)

    def shapes(self, size: int) -> dict:
        out = {n: a.shape for n, a in self.params.items()}
        out.update({n: (size,) for n in self.columns})
        out[self.target_name] = (size,)
        return out

    def model(self, size: int) -> Node:
        """The model's node for `size` rows (columns are vectors of that length)."""
        model = parse(self.text, self.shapes(size), graph=self.graph).output
        if model.shape not in ((), (size,)):
            raise DiffcliError(f"the model gives shape {model.shape} for {size} rows: it must give one "
                               "prediction per row (reduce parameter vectors with sum(...) or @)")
        return model

    def objective(self, size: int) -> Objective:
        """The loss and its gradient for a batch of `size` rows, compiled once per size."""
        if size not in self.compiled:
            g = self.graph
            residual = g.node("sub", (self.model(size), g.var(self.target_name, (size,))))
            squared = g.node("pow", (residual, g.const(2.0)))
            loss = ops.FUNCTIONS["mean"][2](squared)  # the builder behind `mean(...)` in the language
            wrt = [g.var(n, a.shape) for n, a in self.params.items()]
            self.compiled[size] = Objective(loss, wrt, self.device)
        return self.compiled[size]

    def bindings(self, rows) -> dict:
        out = {n: c[rows] for n, c in self.columns.items()}
        out[self.target_name] = self.target[rows]
        return out


LOSSES = ("mse",)


def load_fit(model: str, data: str, params: list[str] | str, target: str = "y", loss: str = "mse") -> FitProblem:
    """Read MODEL and the CSV; every name of MODEL that is not a parameter is a column."""
    if loss not in LOSSES:
        raise DiffcliError(f"unknown loss `{loss}`: choose one of {', '.join(LOSSES)}")
    text, source = read_expression(model)
    start = parse_at([params] if isinstance(params, str) else params)
    if not start:
        raise DiffcliError("--params: give the parameters to learn and their starting values, such as --params w=0,b=0")
    if data == "-" and model == "-":
        raise DiffcliError("MODEL and --data cannot both come from standard input (-): put one in a file")
    with CsvTable(data, data) as table:
        header = table.header
        if target in start:
            raise DiffcliError(f"`{target}` is both a parameter and the --target column: rename one")
        inputs = []
        for name in names_used(text):
            if name in start:
                if name in header:
                    raise DiffcliError(f"`{name}` is both a parameter (--params) and a column of {data}: rename one")
            elif name in header:
                if name != target:
                    inputs.append(name)
            elif name not in ops.CONSTANTS:
                raise DiffcliError(f"the model uses `{name}`, which is neither a parameter (--params) nor a column "
                                   f"of {data} (columns: {', '.join(header)})" + suggest(name, list(start) + header))
        table.require(target, ": name the column to predict with --target")
        columns = table.columns(inputs + [target])
    target_values = columns.pop(target)
    return FitProblem(text, data, columns, target, target_values, start, loss, source)


def fit(problem: FitProblem, optimizer: str = "gd", lr: float = 0.01, epochs: int = 100,
        batch_size: int | None = None, seed: int = 0, callback: Callback | None = None) -> Result:
    """Learn the parameters by mini-batch gradient descent on the loss.

    Rows are shuffled every epoch (numpy's default_rng(seed)) when batches are smaller than the
    data; a full batch is the whole data in file order. JSON keys: params, loss (over all rows).
    """
    n = problem.rows
    if epochs < 1:
        raise DiffcliError("--epochs must be at least 1")
    batch = n if batch_size is None else batch_size
    if batch < 1:
        raise DiffcliError("--batch-size must be at least 1")
    batch = min(batch, n)
    layout = problem.objective(batch).layout
    theta = layout.pack(list(problem.params.values()))
    opt = Optimizer(optimizer, lr, theta.size)
    rng = np.random.default_rng(seed)
    result = Result("fit")
    k, stop = 0, None
    try:
        with np.errstate(all="ignore"):
            for epoch in range(1, epochs + 1):
                for rows, size in batches(n, batch, rng):
                    value, g = problem.objective(size)(theta, problem.bindings(rows))
                    grad_norm = norm(g)
                    if not (math.isfinite(value) and math.isfinite(grad_norm)):
                        result.warnings.append(note(f"the loss is not finite at epoch {epoch} (step {k}): lower --lr"))
                        return fit_result(problem, theta, layout, value, result)
                    theta = opt.step(theta, g)
                    k += 1
                    if callback is not None:
                        callback(k, theta, value, grad_norm)
    except (KeyboardInterrupt, Interrupted) as e:  # the parameters reached, then the interruption
        stop = as_interrupted(e)
    with np.errstate(all="ignore"):
        value, _ = problem.objective(n)(theta, problem.bindings(slice(None)))
    fit_result(problem, theta, layout, value, result)
    if stop is not None:
        result.data["interrupted"] = True
        stop.result = result
        raise stop
    return result


def batches(n: int, batch: int, rng: np.random.Generator):
    """(rows, count) of each step of one epoch: all rows in file order, or a fresh shuffle
    split into batches whose last one may be shorter (it is kept, not dropped)."""
    if batch >= n:
        yield slice(None), n
        return
    order = rng.permutation(n)
    for start in range(0, n, batch):
        rows = order[start:start + batch]
        yield rows, len(rows)


def fit_result(problem: FitProblem, theta, layout: Layout, loss: float, result: Result) -> Result:
    params = layout.unpack(theta)
    result.data.update(params={n: params[n] for n in problem.params}, loss=loss)
    if not math.isfinite(loss) and not result.warnings:
        result.warnings.append(note("the loss is not finite at the learned parameters"))
    return result


def predict(problem: FitProblem, params: dict, rows: dict) -> np.ndarray:
    """The model's predictions for given column values (each (m,)), e.g. a plotted curve."""
    size = len(next(iter(rows.values())))
    (values,) = Plan([problem.model(size)], dev=problem.device).run({**params, **rows})
    return np.broadcast_to(to_numpy(values).astype(float), (size,))

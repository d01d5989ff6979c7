"""Learning with gradients: `minimize` an expression from a point, `fit` a model to CSV data.

Both differentiate once and compile once: the gradient is built as DAG nodes by
`autodiff.gradient`, and the value and the gradient become ONE `evaluate.Program`, which every
step merely runs on new numbers. The variables being learned are packed into one flat float64
vector `theta` (C order, in variable order) so that the optimisers are a few lines of numpy.

For `fit`, the CSV columns the model uses are vector variables of static shape (batch,) and the
loss reduces over the rows, so a step is one vectorised pass over a mini-batch. A program is
compiled for a batch size, so a last partial batch gets its own program (cached by size):
every row is used in every epoch, as PyTorch's DataLoader does by default (drop_last=False).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import autodiff, ops
from . import graph as G
from .api import Problem, Result, nonfinite_message, read_expression
from .errors import DiffcliError, suggest
from .evaluate import Program
from .graph import EvalContext, Node
from .parse import _parse_tree, parse
from .points import parse_at
from .table import Table

OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM = 0.9  # PyTorch SGD(momentum=0.9): v = 0.9 v + g; x -= lr v
ADAM_BETAS = (0.9, 0.999)  # PyTorch Adam's defaults, with bias correction
ADAM_EPS = 1e-8

# callback(step, theta, value, gradient norm). minimize calls it at every point it evaluates
# (step 0 is the start); fit after every update, with the batch loss before it. The CLI uses
# it for --trace, --plot and the progress bar.
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


@dataclass
class Packing:
    """Variables (name, shape) <-> one flat vector; unpack keeps leading batch axes."""

    names: list
    shapes: list

    @classmethod
    def of(cls, nodes: list[Node]) -> "Packing":
        return cls([v.payload[0] for v in nodes], [v.shape for v in nodes])

    @property
    def size(self) -> int:
        return sum(math.prod(s) for s in self.shapes)

    def labels(self) -> list[str]:
        out = []
        for name, shape in zip(self.names, self.shapes):
            out.extend([name] if shape == () else
                       [f"{name}[{','.join(map(str, i))}]" for i in np.ndindex(*shape)])
        return out

    def pack(self, arrays) -> np.ndarray:
        parts = [np.asarray(a, dtype=np.float64) for a in arrays]
        # A constant derivative may come back with fewer axes than its variable: broadcast it.
        parts = [p if p.shape == s else np.broadcast_to(p, s) for p, s in zip(parts, self.shapes)]
        return np.concatenate([p.reshape(-1) for p in parts]) if parts else np.zeros(0)

    def unpack(self, theta: np.ndarray) -> dict:
        lead, out, start = theta.shape[:-1], {}, 0
        for name, shape in zip(self.names, self.shapes):
            size = math.prod(shape)
            out[name] = theta[..., start:start + size].reshape(lead + shape)
            start += size
        return out


class Objective:
    """f and its gradient compiled once into one program; calling it is one evaluation pass."""

    def __init__(self, f: Node, wrt: list[Node], ev: EvalContext):
        self.f, self.wrt, self.ev = f, wrt, ev
        self.packing = Packing.of(wrt)
        self.program = Program([f] + autodiff.gradient(f, wrt))
        self._values_only = None

    def __call__(self, theta: np.ndarray, bindings: dict) -> tuple[float, np.ndarray]:
        bindings.update(self.packing.unpack(theta))
        value, *grads = self.program.run(bindings, self.ev)
        return float(value), self.packing.pack(grads)

    def values(self, thetas: np.ndarray, bindings: dict) -> np.ndarray:
        """f at many points at once (thetas has shape (..., size)); for contour plots."""
        if self._values_only is None:
            self._values_only = Program([self.f])
        (value,) = self._values_only.run({**bindings, **self.packing.unpack(thetas)}, self.ev)
        return np.broadcast_to(np.asarray(value, dtype=float), thetas.shape[:-1])


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
    result = Result({}, command="minimize")
    bindings = dict(problem.bindings)
    theta = objective.packing.pack([problem.bindings[n] for n in objective.packing.names])
    opt = Optimizer(optimizer, lr, theta.size)
    converged, k = False, 0
    with np.errstate(all="ignore"):
        while True:
            value, g = objective(theta, bindings)
            grad_norm = norm(g)
            if callback is not None:
                callback(k, theta, value, grad_norm)
            if not (math.isfinite(value) and math.isfinite(grad_norm)):
                result.warnings.append(_diverged(problem, objective, bindings, k))
                break
            if grad_norm < tol:
                converged = True
                break
            if k == steps:
                break
            theta = opt.step(theta, g)
            k += 1
    at = objective.packing.unpack(theta)
    result.data.update(at={n: at[n] for n in objective.packing.names}, value=value, steps=k,
                       converged=converged)
    return result


def minimize_objective(problem: Problem) -> Objective:
    if problem.output.shape != ():
        raise DiffcliError(f"minimize needs a scalar expression, but this one has shape {problem.output.shape}: "
                           "reduce it with sum(...) or mean(...)")
    if not problem.wrt:
        raise DiffcliError("nothing to minimize: give the starting point of a variable with --at, such as --at x=1")
    return Objective(problem.output, problem.wrt, problem.ev)


def _diverged(problem: Problem, objective: Objective, bindings: dict, step: int) -> str:
    """Name the node that turned non-finite, and say what usually mends it."""
    program = objective.program
    _, every = program.run(bindings, objective.ev, keep=True)
    where = nonfinite_message(problem, program.order, every)
    hint = ": lower --lr" if step > 0 else ""
    return f"stopped at step {step}, {where}{hint}"


# ---------------------------------------------------------------- fit


def names_used(text: str) -> list[str]:
    """Free names of an expression (or file) in order of first use, without building nodes,
    so that their shapes (parameter or column) can be chosen before parsing for real."""
    tree = _parse_tree(text)
    assigned = {str(t.children[0]) for t in tree.find_data("assign")}
    seen: list[str] = []
    for t in tree.iter_subtrees_topdown():
        if t.data == "name":
            name = str(t.children[0])
            if name not in assigned and name not in seen:
                seen.append(name)
    return seen


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
    ev: EvalContext = field(default_factory=EvalContext)
    _compiled: dict = field(default_factory=dict)

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
        model = parse(self.text, self.shapes(size)).output
        if model.shape not in ((), (size,)):
            raise DiffcliError(f"the model gives shape {model.shape} for {size} rows: it must give one "
                               "prediction per row (reduce parameter vectors with sum(...) or @)")
        return model

    def objective(self, size: int) -> Objective:
        """The loss and its gradient for a batch of `size` rows, compiled once per size."""
        if size not in self._compiled:
            residual = G.node("sub", (self.model(size), G.var(self.target_name, (size,))))
            squared = G.node("pow", (residual, G.const(2.0)))
            loss = ops.FUNCTIONS["mean"][2](squared)  # the builder behind `mean(...)` in the language
            wrt = [G.var(n, a.shape) for n, a in self.params.items()]
            self._compiled[size] = Objective(loss, wrt, self.ev)
        return self._compiled[size]

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
    table = Table(data)
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
    packing = problem.objective(batch).packing
    theta = packing.pack(list(problem.params.values()))
    opt = Optimizer(optimizer, lr, theta.size)
    rng = np.random.default_rng(seed)
    result = Result({}, command="fit")
    k = 0
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            for rows, size in batches(n, batch, rng):
                value, g = problem.objective(size)(theta, problem.bindings(rows))
                grad_norm = norm(g)
                if not (math.isfinite(value) and math.isfinite(grad_norm)):
                    result.warnings.append(f"the loss is not finite at epoch {epoch} (step {k}): lower --lr")
                    return _fit_result(problem, theta, packing, value, result)
                theta = opt.step(theta, g)
                k += 1
                if callback is not None:
                    callback(k, theta, value, grad_norm)
    value, _ = problem.objective(n)(theta, problem.bindings(slice(None)))
    return _fit_result(problem, theta, packing, value, result)


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


def _fit_result(problem: FitProblem, theta, packing: Packing, loss: float, result: Result) -> Result:
    params = packing.unpack(theta)
    result.data.update(params={n: params[n] for n in problem.params}, loss=loss)
    if not math.isfinite(loss) and not result.warnings:
        result.warnings.append("the loss is not finite at the learned parameters")
    return result


def predict(problem: FitProblem, params: dict, rows: dict) -> np.ndarray:
    """The model's predictions for given column values (each (m,)), e.g. a plotted curve."""
    size = len(next(iter(rows.values())))
    (values,) = Program([problem.model(size)]).run({**params, **rows}, problem.ev)
    return np.broadcast_to(np.asarray(values, dtype=float), (size,))

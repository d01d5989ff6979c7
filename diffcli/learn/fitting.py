"""Learning a model from CSV data: `fit` (mini-batch gradient descent on a loss over the rows).

The CSV columns the model uses are vector variables of static shape (batch,) and the loss
reduces over the rows, so a step is one vectorised pass over a mini-batch. A plan is compiled
for a batch size (an `optimize.Objective`), so a last partial batch gets its own plan (cached
by size): every row is used in every epoch, as PyTorch's DataLoader does by default
(drop_last=False).

Nothing here prints: warnings are notes in the returned `request.Result`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from diffcli.compute.anomaly import note
from diffcli.compute.problem import read_expression
from diffcli.compute.request import Result
from diffcli.core import ops
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.engine import device as make_device
from diffcli.core.graph import Device, Graph, Node
from diffcli.core.layout import Layout
from diffcli.data.datafile import CsvTable
from diffcli.data.inputs import note_input
from diffcli.data.interrupt import as_interrupted
from diffcli.errors import DiffcliError, Interrupted, suggest
from diffcli.learn.optimize import Callback, Objective, norm
from diffcli.learn.optimizers import Optimizer
from diffcli.syntax.parse import names_used, parse
from diffcli.syntax.points import parse_at, split_top


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
    started: tuple = ()  # the parameters started at 0 because --params was not given

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
            raise DiffcliError(
                f"the model gives shape {model.shape} for {size} rows: it must give one "
                "prediction per row (reduce parameter vectors with sum(...) or @)"
            )
        return model

    def objective(self, size: int) -> Objective:
        """The loss and its gradient for a batch of `size` rows, compiled once per size: the loss
        text parsed with `pred` standing for the model's node (and `target` for the target column
        in the built-in losses)."""
        if size not in self.compiled:
            g = self.graph
            defined = {"pred": self.model(size)}
            if self.loss in LOSSES:
                defined["target"] = g.var(self.target_name, (size,))
            loss = parse(LOSSES.get(self.loss, self.loss), self.shapes(size), graph=g, defined=defined).output
            if loss.shape != ():
                raise DiffcliError(
                    f"--loss gives shape {loss.shape}, not one number: reduce it over the rows "
                    "with sum(...) or mean(...)"
                )
            wrt = [g.var(n, a.shape) for n, a in self.params.items()]
            self.compiled[size] = Objective(loss, wrt, self.device)
        return self.compiled[size]

    def bindings(self, rows) -> dict:
        out = {n: c[rows] for n, c in self.columns.items()}
        out[self.target_name] = self.target[rows]
        return out


# Built-in losses, in `pred` and `target`: PyTorch's MSELoss, MSELoss(reduction="sum"), L1Loss
# and HuberLoss(delta=1). Any other --loss is an expression of pred and the target column.
LOSSES = {
    "mse": "mean((pred - target)^2)",
    "sse": "sum((pred - target)^2)",
    "mae": "mean(abs(pred - target))",
    "huber": "mean(where(abs(pred - target) < 1, 0.5*(pred - target)^2, abs(pred - target) - 0.5))",
}
GROWING = 10  # epochs in a row of a growing loss that earn a warning


def load_fit(
    model: str,
    data: str,
    params: list[str] | str,
    target: str = "y",
    loss: str = "mse",
    dtype: str = "float64",
    progress=None,
) -> FitProblem:
    """Read MODEL and the CSV; every name of MODEL (or of an expression --loss) that is not a
    parameter is a column. `progress(rows, fraction)` hears the reading of a big file."""
    text, source = read_expression(model)
    specs = [params] if isinstance(params, str) else list(params or [])
    for part in (p.strip() for spec in specs for p in split_top(spec)):
        if part and "=" not in part:
            raise DiffcliError(
                f"--params {part}: its starting value is missing: write NAME=VALUE, such as --params w=0,b=0"
            )
    start = parse_at(specs, opened=note_input)  # --params w=@w.npy is an input too
    if specs and not start:
        raise DiffcliError("--params: give the parameters to learn and their starting values, such as --params w=0,b=0")
    if data == "-" and model == "-":
        raise DiffcliError("MODEL and --data cannot both come from standard input (-): put one in a file")
    if loss.strip().lower() in LOSSES:  # the named losses ignore case, as every choice does
        loss = loss.strip().lower()
    loss_names = [] if loss in LOSSES else _loss_names(loss, target)
    with CsvTable(data, data) as table:
        header = table.header
        started = () if start else _free_names(text, header, target)
        start = start or {name: np.zeros(()) for name in started}
        if target in start:
            raise DiffcliError(f"`{target}` is both a parameter and the --target column: rename one")
        inputs = []
        for name, where in [(n, "model") for n in names_used(text)] + [(n, "loss") for n in loss_names]:
            if name in start:
                if name in header:
                    raise DiffcliError(f"`{name}` is both a parameter (--params) and a column of {data}: rename one")
            elif name in header:
                if name != target and name not in inputs:
                    inputs.append(name)
            elif name not in ops.CONSTANTS:
                raise DiffcliError(
                    f"the {where} uses `{name}`, which is neither a parameter (--params) nor a column "
                    f"of {data} (columns: {', '.join(header)})" + suggest(name, list(start) + header)
                )
        table.require(target, ": name the column to predict with --target")
        columns = table.columns(inputs + [target], progress=progress)
    target_values = columns.pop(target)
    problem = FitProblem(text, data, columns, target, target_values, start, loss, source, make_device("cpu", dtype))
    problem.started = started
    return problem


def _free_names(text: str, header: list[str], target: str) -> tuple:
    """Without --params, the parameters are MODEL's names that are no column (they start at 0)."""
    free = tuple(n for n in names_used(text) if n not in header and n != target and n not in ops.CONSTANTS)
    if not free:
        raise DiffcliError("--params: give the parameters to learn and their starting values, such as --params w=0,b=0")
    return free


def _loss_names(loss: str, target: str) -> list[str]:
    """The names an expression --loss uses besides `pred`, after checking that it is one."""
    if loss.strip().isidentifier():
        raise DiffcliError(
            f"unknown loss `{loss.strip()}`: choose mse, sse, mae or huber, or write an expression of "
            f'pred and {target}, such as --loss "0.5*sum((pred - {target})^2)"' + suggest(loss.strip(), list(LOSSES))
        )
    names = names_used(loss)
    if "pred" not in names:
        raise DiffcliError(
            f'--loss {loss}: the loss must use pred (the model\'s prediction), such as "mean((pred - {target})^2)"'
        )
    return [n for n in names if n != "pred"]


def fit(
    problem: FitProblem,
    optimizer: str = "gd",
    lr: float = 0.01,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callback | None = None,
    on_epoch: Callable[[int, np.ndarray, float], None] | None = None,
) -> Result:
    """Learn the parameters by mini-batch gradient descent on the loss.

    Rows are shuffled every epoch (numpy's default_rng(seed)) when batches are smaller than the
    data; a full batch is the whole data in file order. `callback` hears every step,
    `on_epoch(epoch, theta, loss)` the loss over all rows at the start (epoch 0) and after every
    epoch (free for a full batch: the next step computes it; one more pass otherwise). A loss
    that grows for GROWING epochs in a row, or turns non-finite, earns a warning. JSON keys:
    params, loss (over all rows).
    """
    n = problem.rows
    if epochs < 1:
        raise DiffcliError("--epochs must be at least 1")
    batch = n if batch_size is None else batch_size
    if batch < 1:
        raise DiffcliError("--batch-size must be at least 1")
    batch = min(batch, n)
    objective = problem.objective(batch)
    layout = objective.layout
    theta = objective.start(list(problem.params.values()))
    opt = Optimizer(optimizer, lr, theta.size, objective.dtype)
    rng = np.random.default_rng(seed)
    result = Result("fit")
    watch = LossWatch(result, on_epoch)
    whole = problem.bindings(slice(None))
    k, stop = 0, None
    try:
        with np.errstate(all="ignore"):
            if batch < n:
                watch.record(0, theta, problem.objective(n)(theta, dict(whole))[0])
            for epoch in range(1, epochs + 1):
                for rows, size in batches(n, batch, rng):
                    value, g = problem.objective(size)(theta, problem.bindings(rows))
                    if batch == n:
                        watch.record(epoch - 1, theta, value)  # the loss over all rows where the last epoch ended
                    grad_norm = norm(g)
                    if not (math.isfinite(value) and math.isfinite(grad_norm)):
                        result.warnings.append(note(f"the loss is not finite at epoch {epoch} (step {k}): lower --lr"))
                        return fit_result(problem, theta, layout, value, result)
                    theta = opt.step(theta, g)
                    k += 1
                    if callback is not None:
                        callback(k, theta, value, grad_norm)
                if batch < n and epoch < epochs:
                    watch.record(epoch, theta, problem.objective(n)(theta, dict(whole))[0])
    except (KeyboardInterrupt, Interrupted) as e:  # the parameters reached, then the interruption
        stop = as_interrupted(e)
    with np.errstate(all="ignore"):
        value, _ = problem.objective(n)(theta, dict(whole))
    fit_result(problem, theta, layout, value, result)
    if stop is not None:  # the trace keeps the epochs completed; the result, the point reached
        result.data["interrupted"] = True
        stop.result = result
        raise stop
    watch.record(epochs, theta, value)
    return result


class LossWatch:
    """The loss over all rows after each epoch: to `on_epoch`, and a warning (once) when it grows
    GROWING epochs in a row."""

    def __init__(self, result: Result, on_epoch=None):
        self.result, self.on_epoch = result, on_epoch
        self.last, self.grew, self.warned = math.inf, 0, False
        self.since: tuple[int, float] = (0, math.inf)  # (epoch, loss) where the loss last fell

    def record(self, epoch: int, theta: np.ndarray, loss: float) -> None:
        if self.on_epoch is not None:
            self.on_epoch(epoch, theta, loss)
        if loss > self.last:
            self.grew += 1
            if self.grew == GROWING and not self.warned and math.isfinite(loss):
                self.warned = True
                self.result.notes.append(
                    note(
                        f"the loss grew for {GROWING} epochs in a row (from {self.since[1]:.6g} at epoch "
                        f"{self.since[0]} to {loss:.6g} at epoch {epoch}): the steps overshoot, lower --lr"
                    )
                )
        else:
            self.grew, self.since = 0, (epoch, loss)
        self.last = loss


def batches(n: int, batch: int, rng: np.random.Generator):
    """(rows, count) of each step of one epoch: all rows in file order, or a fresh shuffle
    split into batches whose last one may be shorter (it is kept, not dropped)."""
    if batch >= n:
        yield slice(None), n
        return
    order = rng.permutation(n)
    for start in range(0, n, batch):
        rows = order[start : start + batch]
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

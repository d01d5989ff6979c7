"""minimize, fit and plot: gradients put to work (optimisers, a training loop, pictures)."""

from __future__ import annotations

import csv
import sys
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Optional

import numpy as np
import typer

from .. import api, optimize, plotting
from ..app import At, Const, Expr, Format, FormatOpt, Of, Strict, app, emit
from ..errors import DiffcliError
from ..fileio import atomic_write
from ..points import parse_at
from ..render.text import number

PROGRESS_MIN = 2000  # runs with fewer steps finish too fast for a progress bar to help


class OptimizerName(str, Enum):
    gd = "gd"
    momentum = "momentum"
    adam = "adam"


class Loss(str, Enum):
    mse = "mse"


OptimizerOpt = Annotated[OptimizerName, typer.Option("--optimizer", help="gd, momentum (0.9) or adam (0.9, 0.999).")]
Lr = Annotated[float, typer.Option("--lr", help="Learning rate (step size).")]
PlotOpt = Annotated[Optional[str], typer.Option("--plot", help="Draw a PNG picture into this file (needs diffcli[plot]).")]


@contextmanager
def progress(total: int, label: str, stream=None):
    """A Rich progress bar on stderr for long runs on a terminal; otherwise nothing.

    Yields `advance(step)`, which moves the bar to `step` of `total`.
    """
    stream = stream or sys.stderr
    if total < PROGRESS_MIN or not stream.isatty():
        yield lambda step: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda step: bar.update(task, completed=step)


class History:
    """Rows of (step, variables..., value) kept for --trace and --plot, in one array
    allocated up front (steps + 1 rows at most) rather than one small array per step."""

    def __init__(self, wanted: bool, steps: int, size: int):
        self.rows = np.empty((steps + 1 if wanted else 0, size + 2))
        self.count = 0

    def record(self, step: int, theta: np.ndarray, value: float) -> None:
        if self.count < len(self.rows):
            self.rows[self.count] = (step, *theta, value)
            self.count += 1

    def array(self) -> np.ndarray:
        return self.rows[:self.count]


def write_trace(path: str, history: np.ndarray, labels: list[str], inputs: tuple[str, ...]) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(["step", *labels, "value"])
            for row in history:
                out.writerow([str(int(row[0]))] + [number(float(v)) for v in row[1:]])

    atomic_write(path, write, inputs)


@app.command("minimize", epilog='Example: diffcli minimize "x^2" --at x=10 --lr 0.001 --steps 5000')
def minimize_command(
    expr: Expr, at: At = None, const: Const = None, of: Of = None,
    lr: Lr = 0.01,
    steps: Annotated[int, typer.Option("--steps", min=0, help="Most updates to make.")] = 1000,
    optimizer: OptimizerOpt = OptimizerName.gd,
    tol: Annotated[float, typer.Option("--tol", min=0.0, help="Stop when the gradient norm falls under this.")] = 1e-6,
    trace: Annotated[Optional[str], typer.Option("--trace", help="Write every step to this CSV file.")] = None,
    plot: PlotOpt = None,
    format: FormatOpt = Format.auto, strict: Strict = False,
):
    """Gradient descent on EXPR from the --at point: the final point, value, steps, converged."""
    problem = api.load(expr, at, const=const, of=of)
    objective = optimize.minimize_objective(problem)
    if plot:
        plotting.require("--plot")  # before the run, which may be long
    history = History(bool(trace or plot), steps, objective.packing.size)
    with progress(steps, "minimize") as advance:
        def callback(k, theta, value, norm):
            history.record(k, theta, value)
            advance(k)

        result = optimize.minimize(problem, lr, steps, optimizer.value, tol, callback, objective)
    inputs = (problem.source,) if problem.source else ()
    labels = objective.packing.labels()
    if trace:
        write_trace(trace, history.array(), labels, inputs)
    if plot:
        title = f"minimize {api.shorten(problem.text, 50)} ({optimizer.value}, lr {number(lr)})"
        values_on = (lambda pts: objective.values(pts, dict(problem.bindings))) if len(labels) == 2 else None
        plotting.draw_descent(plot, history.array(), labels, title, values_on, inputs)
    return emit(result, format, strict)


@app.command("fit", epilog="Example: printf 'x,y\\n0,1\\n1,3\\n2,5\\n' | diffcli fit \"w*x + b\" --data - --params w=0,b=0 --lr 0.1")
def fit_command(
    model: Annotated[str, typer.Argument(help="The model: an expression in parameters and CSV column names.",
                                         show_default=False)],
    data: Annotated[str, typer.Option("--data", help="CSV file (- for stdin): a header of column names, rows of numbers.")],
    params: Annotated[list[str], typer.Option("--params", help="Parameters and starting values: w=0,b=0.")],
    target: Annotated[str, typer.Option("--target", help="The column the model should predict.")] = "y",
    loss: Annotated[Loss, typer.Option("--loss", help="mse: mean((MODEL - target)^2) over the rows.")] = Loss.mse,
    optimizer: OptimizerOpt = OptimizerName.gd,
    lr: Lr = 0.01,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the data.")] = 100,
    batch_size: Annotated[Optional[int], typer.Option("--batch-size", min=1,
                                                      help="Rows per step (default: all rows).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the row shuffling of mini-batches.")] = 0,
    plot: PlotOpt = None,
    format: FormatOpt = Format.auto, strict: Strict = False,
):
    """Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss."""
    problem = optimize.load_fit(model, data, params, target, loss.value)
    if plot and len(problem.columns) != 1:
        raise DiffcliError(f"--plot draws a model of one input column, but this one reads "
                           f"{len(problem.columns)} ({', '.join(problem.columns) or 'none'})")
    if plot:
        plotting.require("--plot")  # before the training, which may be long
    batch = min(batch_size or problem.rows, problem.rows)
    total = epochs * -(-problem.rows // batch)
    with progress(total, "fit") as advance:
        result = optimize.fit(problem, optimizer.value, lr, epochs, batch_size, seed,
                              lambda k, *_: advance(k))
    if plot:
        _plot_fit(plot, problem, result, (data, problem.source or ""))
    return emit(result, format, strict)


def _plot_fit(path: str, problem: optimize.FitProblem, result: api.Result, inputs) -> None:
    (name, x), = problem.columns.items()
    curve_x = np.linspace(x.min(), x.max(), plotting.GRID)
    curve_y = optimize.predict(problem, result.data["params"], {name: curve_x})
    fitted = ", ".join(f"{k}={float(v):.4g}" if np.ndim(v) == 0 else k for k, v in result.data["params"].items())
    title = f"{api.shorten(problem.text, 40)}: {api.shorten(fitted, 50)}"
    plotting.draw_fit(path, x, problem.target, curve_x, curve_y, (name, problem.target_name), title, inputs)


@app.command("plot", epilog='Example: diffcli plot "sin(x)*x" --range x=-3:3 --order 2 --png plot.png')
def plot_command(
    expr: Expr,
    range_: Annotated[str, typer.Option("--range", help="The variable and its interval: x=-3:3.")],
    png: Annotated[str, typer.Option("--png", help="The PNG file to write.")],
    order: Annotated[int, typer.Option("--order", min=0, max=10, help="Draw derivatives up to this order.")] = 1,
    at: At = None, of: Of = None,
):
    """Draw EXPR and its derivatives over an interval (other names take values from --at)."""
    name, lo, hi = plotting.parse_range(range_)
    if name in parse_at(at):
        raise DiffcliError(f"`{name}` is the plotted variable (--range): do not also give it with --at")
    problem = api.load(expr, (at or []) + [f"{name}={lo!r}"], of=of)
    grid, curves = plotting.derivative_curves(problem, name, lo, hi, order)
    inputs = (problem.source,) if problem.source else ()
    plotting.require("--png")
    plotting.draw_function(png, grid, curves, name, api.shorten(problem.text, 60), inputs)
    return 0

"""minimize, fit and plot: gradients put to work (optimisers, a training loop, pictures).

Each command gets the option values read by the CLI (cli/spec.py declares them), runs the
library (optimize, plotting), writes its files, and hands the `Result` to the presenter. The
progress bar (Rich, on stderr, on a terminal only) lives here, never in the library.
"""

from __future__ import annotations

import csv
import sys
from contextlib import contextmanager

import numpy as np

from .. import optimize, plotting
from ..errors import DiffcliError, shorten
from ..fileio import atomic_write
from ..points import parse_at
from ..problem import load
from ..render.present import present
from ..render.text import number

PROGRESS_MIN = 2000  # runs with fewer steps finish too fast for a progress bar to help


@contextmanager
def progress(total: int, label: str, stream=None, minimum: int = PROGRESS_MIN):
    """A Rich progress bar on stderr for runs of at least `minimum` steps on a terminal;
    otherwise nothing.

    Yields `advance(step)`, which moves the bar to `step` of `total`.
    """
    stream = stream or sys.stderr
    if total < minimum or not stream.isatty():
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


def minimize(o: dict) -> int:
    """Gradient descent on EXPR from the --at point: the final point, value, steps, converged."""
    problem = load(o["expr"], o["at"], const=o["const"], of=o["of"])
    objective = optimize.minimize_objective(problem)
    plot, trace, steps = o["plot"], o["trace"], o["steps"]
    if plot:
        plotting.require("--plot")  # before the run, which may be long
    history = History(bool(trace or plot), steps, objective.layout.size)
    with progress(steps, "minimize") as advance:
        def callback(k, theta, value, norm):
            history.record(k, theta, value)
            advance(k)

        result = optimize.minimize(problem, o["lr"], steps, o["optimizer"], o["tol"], callback, objective)
    inputs = (problem.source,) if problem.source else ()
    labels = objective.layout.labels()
    if trace:
        write_trace(trace, history.array(), labels, inputs)
    if plot:
        title = f"minimize {shorten(problem.text, 50)} ({o['optimizer']}, lr {number(o['lr'])})"
        values_on = (lambda pts: objective.values(pts, dict(problem.bindings))) if len(labels) == 2 else None
        plotting.draw_descent(plot, history.array(), labels, title, values_on, inputs)
    return present(result, o["format"], strict=o["strict"])


def fit(o: dict) -> int:
    """Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss."""
    problem = optimize.load_fit(o["model"], o["data"], o["params"], o["target"], o["loss"])
    plot = o["plot"]
    if plot and len(problem.columns) != 1:
        raise DiffcliError(f"--plot draws a model of one input column, but this one reads "
                           f"{len(problem.columns)} ({', '.join(problem.columns) or 'none'})")
    if plot:
        plotting.require("--plot")  # before the training, which may be long
    batch = min(o["batch_size"] or problem.rows, problem.rows)
    total = o["epochs"] * -(-problem.rows // batch)
    with progress(total, "fit") as advance:
        result = optimize.fit(problem, o["optimizer"], o["lr"], o["epochs"], o["batch_size"], o["seed"],
                              lambda k, *_: advance(k))
    if plot:
        plot_fit(plot, problem, result.data["params"], (o["data"], problem.source or ""))
    return present(result, o["format"], strict=o["strict"])


def plot_fit(path: str, problem: optimize.FitProblem, params: dict, inputs) -> None:
    (name, x), = problem.columns.items()
    curve_x = np.linspace(x.min(), x.max(), plotting.GRID)
    curve_y = optimize.predict(problem, params, {name: curve_x})
    fitted = ", ".join(f"{k}={float(v):.4g}" if np.ndim(v) == 0 else k for k, v in params.items())
    title = f"{shorten(problem.text, 40)}: {shorten(fitted, 50)}"
    plotting.draw_fit(path, x, problem.target, curve_x, curve_y, (name, problem.target_name), title, inputs)


def plot(o: dict) -> int:
    """Draw EXPR and its derivatives over an interval (other names take values from --at)."""
    name, lo, hi = plotting.parse_range(o["range"])
    at = o["at"]
    if name in parse_at(at):
        raise DiffcliError(f"`{name}` is the plotted variable (--range): do not also give it with --at")
    problem = load(o["expr"], (at or []) + [f"{name}={lo!r}"], of=o["of"])
    grid, curves = plotting.derivative_curves(problem, name, lo, hi, o["order"])
    inputs = (problem.source,) if problem.source else ()
    plotting.require("--png")
    plotting.draw_function(o["png"], grid, curves, name, shorten(problem.text, 60), inputs)
    return 0

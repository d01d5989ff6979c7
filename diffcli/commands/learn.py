"""minimize, fit and plot: gradients put to work (optimisers, a training loop, pictures).

Each command gets the option values read by the CLI (cli/spec.py declares them), runs the
library (optimize, plotting), writes its files, and hands the `Result` to the presenter. The
progress line (render/progress.py: on stderr, on a terminal only) is fed here from the
library's callbacks; the library never prints.
"""

from __future__ import annotations

import csv

import numpy as np

from .. import optimize, plotting
from ..anomaly import note
from ..errors import DiffcliError, shorten
from ..fileio import atomic_write, picture_format
from ..points import parse_at
from ..problem import load
from ..render import curves as curves_view
from ..render.present import present
from ..render.progress import rate, tracker
from ..render.text import number
from ..request import Result

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


def write_trace(path: str, history: np.ndarray, labels: list[str], inputs: tuple[str, ...],
                first: str = "step", last: str = "value") -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow([first, *labels, last])
            for row in history:
                out.writerow([str(int(row[0]))] + [number(float(v)) for v in row[1:]])

    atomic_write(path, write, inputs)


def early_checks(o: dict, option: str = "plot") -> None:
    """Fail before a long run: a picture name that is not .png/.svg/.pdf, matplotlib missing."""
    if o[option]:
        picture_format(o[option], f"--{option}", "png")
        plotting.require(f"--{option}")


def minimize(o: dict) -> int:
    """Gradient descent on EXPR from the --at point: the final point, value, steps, converged."""
    problem = load(o["expr"], o["at"], const=o["const"], of=o["of"], dtype=o["dtype"])
    objective = optimize.minimize_objective(problem)
    plot, trace, steps = o["plot"], o["trace"], o["steps"]
    early_checks(o)
    history = History(bool(trace or plot), steps, objective.layout.size)
    with tracker("minimize") as track:
        def callback(k, theta, value, norm):
            history.record(k, theta, value)
            if k % 64 == 0:
                track.update(k / steps if steps else None, f"step {k:,}/{steps:,}, value {value:.6g}, "
                             f"|grad| {norm:.3g}, {rate(k, track.elapsed, 'steps')}")

        result = optimize.minimize(problem, o["lr"], steps, o["optimizer"], o["tol"], callback, objective)
    inputs = (problem.source,) if problem.source else ()
    labels = objective.layout.labels()
    if trace:
        write_trace(trace, history.array(), labels, inputs)
    if plot:
        title = f"minimize {shorten(problem.text, 50)} ({o['optimizer']}, lr {number(o['lr'])})"
        values_on = (lambda pts: objective.values(pts, dict(problem.bindings))) if len(labels) == 2 else None
        plotting.draw_descent(plot, history.array(), labels, title, values_on, inputs)
    return present(result, o["format"], strict=o["strict"], only=o["only"])


def fit(o: dict) -> int:
    """Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss."""
    with tracker(f"fit: reading {o['data']}") as track:
        problem = optimize.load_fit(o["model"], o["data"], o["params"], o["target"], o["loss"], o["dtype"],
                                    lambda rows, share: track.update(share, f"{rows:,} rows"))
    plot, epochs = o["plot"], o["epochs"]
    if plot and len(problem.columns) != 1:
        raise DiffcliError(f"--plot draws a model of one input column, but this one reads "
                           f"{len(problem.columns)} ({', '.join(problem.columns) or 'none'})")
    early_checks(o)
    batch = min(o["batch_size"] or problem.rows, problem.rows)
    per_epoch = -(-problem.rows // batch)
    trace = []
    with tracker("fit") as track:
        def step(k, theta, value, norm):
            if k % 16 == 0:
                epoch = (k - 1) // per_epoch + 1
                track.update(k / (epochs * per_epoch), f"epoch {epoch:,}/{epochs:,}, batch loss {value:.6g}, "
                             f"{rate(k, track.elapsed, 'steps')}")

        def epoch_end(epoch, theta, loss):
            if o["trace"]:
                trace.append((epoch, *theta, loss))

        result = optimize.fit(problem, o["optimizer"], o["lr"], epochs, o["batch_size"], o["seed"], step,
                              epoch_end)
    inputs = (o["data"], problem.source or "")
    if o["trace"]:
        labels = problem.objective(problem.rows).layout.labels()
        write_trace(o["trace"], np.array(trace, dtype=float), labels, inputs, "epoch", "loss")
    if plot:
        plot_fit(plot, problem, result.data["params"], inputs)
    return present(result, o["format"], strict=o["strict"], only=o["only"])


def plot_fit(path: str, problem: optimize.FitProblem, params: dict, inputs) -> None:
    (name, x), = problem.columns.items()
    curve_x = np.linspace(x.min(), x.max(), plotting.GRID)
    curve_y = optimize.predict(problem, params, {name: curve_x})
    fitted = ", ".join(f"{k}={float(v):.4g}" if np.ndim(v) == 0 else k for k, v in params.items())
    title = f"{shorten(problem.text, 40)}: {shorten(fitted, 50)}"
    plotting.draw_fit(path, x, problem.target, curve_x, curve_y, (name, problem.target_name), title, inputs)


def plot(o: dict) -> int:
    """Draw EXPR and its derivatives over an interval (other names take values from --at): into
    the --png file, in the terminal, or as the points (x, f, f', ...) in a pipe."""
    name, lo, hi = plotting.parse_range(o["range"])
    at = o["at"]
    if name in parse_at(at):
        raise DiffcliError(f"`{name}` is the plotted variable (--range): do not also give it with --at")
    if o["png"]:
        picture_format(o["png"], "--png", "png")
        plotting.require("--png")
    problem = load(o["expr"], (at or []) + [f"{name}={lo!r}"], of=o["of"])
    grid, curves = plotting.derivative_curves(problem, name, lo, hi, o["order"])
    if o["png"]:
        inputs = (problem.source,) if problem.source else ()
        plotting.draw_function(o["png"], grid, curves, name, shorten(problem.text, 60), inputs)
        return 0
    labels = [plotting.derivative_label(name, k) for k in range(len(curves))]
    result = Result("plot", {"name": name, "title": shorten(problem.text, 60),
                             "columns": [(name, grid), *zip(labels, curves)]})
    for label, values in zip(labels, curves):
        bad = int((~np.isfinite(values)).sum())
        if bad:
            result.warnings.append(note(f"{label} is not finite at {bad} of {len(values)} points (gaps in the "
                                        "curve)"))
    return present(result, o["format"], curves_view)

"""minimize, fit and plot: gradients put to work (optimisers, a training loop, pictures).

Each command gets the option values read by the CLI (cli/spec.py declares them), runs the
library (optimize, plotting), writes its files, and hands the `Result` to the presenter. The
progress line (render/progress.py: on stderr, on a terminal only) is fed here from the
library's callbacks; the library never prints.
"""

from __future__ import annotations

import csv
import re
import sys
from contextlib import contextmanager

import numpy as np

from diffcli.algebra.text import number
from diffcli.cli.spec import BY_NAME, Options
from diffcli.compute.anomaly import note
from diffcli.compute.problem import load, read_expression
from diffcli.compute.request import Result
from diffcli.core.ops import CONSTANTS
from diffcli.data.fileio import output, picture_format
from diffcli.data.interrupt import held
from diffcli.errors import DiffcliError, Interrupted, shorten
from diffcli.learn import fitting, optimize, plotting, second_order
from diffcli.render import curves as curves_view
from diffcli.render.present import present, write
from diffcli.render.progress import rate, tracker
from diffcli.syntax.parse import names_used
from diffcli.syntax.points import parse_at, split_top


class History:
    """Rows of (step, [the two variables,] value) for --plot, in bounded memory however many
    steps: at most LIMIT rows; when they are full, every other row goes and from then on only
    every 2nd (4th, ...) step is kept. The last point reached is always drawn."""

    LIMIT = 1 << 15

    def __init__(self, size: int):
        self.pair = size == 2  # the path over contour lines needs both variables
        self.rows = np.empty((0, 4 if self.pair else 2))
        self.count, self.stride = 0, 1
        self.last: tuple | None = None

    def record(self, step: int, theta: np.ndarray, value: float) -> None:
        row = (step, *theta, value) if self.pair else (step, value)
        self.last = row
        if step % self.stride:
            return
        if self.count == len(self.rows):
            if len(self.rows) < self.LIMIT:
                grown = np.empty((min(max(2 * len(self.rows), 64), self.LIMIT), self.rows.shape[1]))
                grown[: self.count] = self.rows[: self.count]
                self.rows = grown
            else:
                kept = self.rows[: self.count : 2].copy()  # steps 0, 2s, 4s, ...
                self.count, self.stride = len(kept), 2 * self.stride
                self.rows[: self.count] = kept
                if step % self.stride:
                    return
        self.rows[self.count] = row
        self.count += 1

    def array(self) -> np.ndarray:
        rows = self.rows[: self.count]
        if self.last is not None and (not self.count or rows[-1, 0] != self.last[0]):
            rows = np.vstack([rows, self.last])
        return rows


@contextmanager
def trace_file(path: str | None, labels: list[str], inputs: tuple[str, ...], first: str = "step", last: str = "value"):
    """Yield `row(step, theta, value)`, which writes one row of --trace as it comes (nothing
    kept in memory); the file is complete when the block ends, also when it ends early. The
    header is `first`, the labels, `last` (fit: epoch, parameters, loss)."""
    if not path:
        yield lambda step, theta, value: None
        return
    with output(path, inputs) as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow([first, *labels, last])
        yield lambda step, theta, value: out.writerow(
            [str(step), *(number(v) for v in np.asarray(theta, dtype=float).tolist()), number(float(value))]
        )


def early_checks(o: Options, option: str = "plot") -> None:
    """Fail before a long run: a picture name that is not .png/.svg/.pdf, matplotlib missing."""
    if getattr(o, option):
        picture_format(getattr(o, option), f"--{option}", "png")
        plotting.require(f"--{option}")


def minimize(o: Options) -> int:
    """Gradient descent on EXPR from the --at point: the final point, value, steps, converged.
    Interrupted (Ctrl-C, SIGTERM), it prints the point reached and the trace up to it, then
    stops with exit 130 or 143."""
    problem = load(o.expr, o.at, const=o.const, of=o.of, dtype=o.dtype)
    write(problem.constant_notes())
    objective = optimize.minimize_objective(problem)
    plot, trace, steps = o.plot, o.trace, o.steps
    early_checks(o)
    history = History(objective.layout.size) if plot else None
    inputs = (problem.source,) if problem.source else ()
    labels = objective.layout.labels()
    stopped = None
    with trace_file(trace, labels, inputs) as row, tracker("minimize") as track:
        written = [-1]

        def callback(k, theta, value, norm):
            with held():  # a step is recorded whole (trace row, note, history) or not at all
                row(k, theta, value)
                written[0] = k
                if history is not None:
                    history.record(k, theta, value)
            if k % 64 == 0:
                track.update(
                    k / steps if steps else None,
                    f"step {k:,}/{steps:,}, value {value:.6g}, |grad| {norm:.3g}, {rate(k, track.elapsed, 'steps')}",
                )

        try:
            if o.optimizer in second_order.SECOND_ORDER:
                result = second_order.minimize(problem, objective, o.optimizer, steps, o.tol, callback)
            else:
                result = optimize.minimize(problem, o.lr, steps, o.optimizer, o.tol, callback, objective)
        except Interrupted as stop:
            result, stopped = stop.result, stop
            if result is None:
                raise
            at = result.data["at"]
            theta = objective.layout.pack([at[n] for n in objective.layout.names])
            if written[0] != result.data["steps"]:  # stopped between a step and its row
                callback(result.data["steps"], theta, result.data["value"], 0.0)
    if plot and history is not None:
        title = f"minimize {shorten(problem.text, 50)} ({o.optimizer}, lr {number(o.lr)})"
        values_on = (lambda pts: objective.values(pts, dict(problem.bindings))) if len(labels) == 2 else None
        plotting.draw_descent(plot, history.array(), labels, title, values_on, inputs)
    code = present(result, o.format, strict=o.strict, only=o.only)
    if stopped is not None:
        raise stopped  # `error: interrupted`, exit 130 or 143 (cli/entry.py)
    return code


def fit(o: Options) -> int:
    """Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss."""
    model, target = model_and_target(o.model, o.target)
    with tracker(f"fit: reading {o.data}") as track:
        problem = fitting.load_fit(
            model,
            o.data,
            o.params,
            target,
            o.loss,
            o.dtype,
            lambda rows, share: track.update(share, f"{rows:,} rows"),
        )
    if problem.started:
        print(f"note: --params not given: {', '.join(problem.started)} start at 0", file=sys.stderr)
    plot, epochs = o.plot, o.epochs
    if plot and len(problem.columns) != 1:
        raise DiffcliError(
            f"--plot draws a model of one input column, but this one reads "
            f"{len(problem.columns)} ({', '.join(problem.columns) or 'none'})"
        )
    early_checks(o)
    batch = min(o.batch_size or problem.rows, problem.rows)
    per_epoch = -(-problem.rows // batch)
    labels = problem.objective(batch).layout.labels()
    inputs = (o.data, problem.source or "")
    stopped = None
    with trace_file(o.trace, labels, inputs, "epoch", "loss") as row, tracker("fit") as track:

        def step(k, theta, value, norm):
            if k % 16 == 0:
                epoch = (k - 1) // per_epoch + 1
                track.update(
                    k / (epochs * per_epoch),
                    f"epoch {epoch:,}/{epochs:,}, batch loss {value:.6g}, {rate(k, track.elapsed, 'steps')}",
                )

        def epoch_end(epoch, theta, loss):
            with held():  # a row is written whole or not at all
                row(epoch, theta, loss)

        try:
            result = fitting.fit(problem, o.optimizer, o.lr, epochs, o.batch_size, o.seed, step, epoch_end)
        except Interrupted as stop:  # Ctrl-C or SIGTERM: the parameters reached so far
            result, stopped = stop.result, stop
            if result is None:
                raise
    if plot:
        plot_fit(plot, problem, result.data["params"], inputs)
    code = present(result, o.format, strict=o.strict, only=o.only)
    if stopped is not None:
        raise stopped  # `error: interrupted`, exit 130 or 143 (cli/entry.py)
    return code


_TARGET = BY_NAME["fit"].option("--target")
assert _TARGET is not None, "fit declares --target (cli/spec.py)"
DEFAULT_TARGET = _TARGET.default
EQUATION = re.compile(r"\s*([^\W\d]\w*)\s*=(?!=)([^\n;]+)")


def model_and_target(model: str, target: str) -> tuple[str, str]:
    """`fit "y = w*x + b"`: the model is the right side, its left side the --target column."""
    found = EQUATION.fullmatch(model)
    if found is None:
        return model, target
    named = found.group(1)
    if target not in (DEFAULT_TARGET, named):
        raise DiffcliError(f"MODEL predicts `{named}` ({named} = ...), but --target is `{target}`: make them agree")
    return found.group(2).strip(), named


HALF_WIDTH = 5.0  # plot without --range: the point +- this


def default_range(expr: str, at: list[str] | None) -> tuple[str, float, float, list[str] | None]:
    """plot without --range: the expression's first name that --at does not bind (else the
    first it binds, which then centres the interval), from -5 to 5 around 0 or that value."""
    bound = parse_at(at)
    names = [n for n in names_used(read_expression(expr)[0]) if n not in CONSTANTS]
    free = [n for n in names if n not in bound] or [n for n in names if np.ndim(bound[n]) == 0] or ["x"]
    name = free[0]
    centre = float(bound[name]) if name in bound else 0.0
    lo, hi = centre - HALF_WIDTH, centre + HALF_WIDTH
    print(f"note: no --range given: drawing {name} from {lo:g} to {hi:g} (--range {name}=LOW:HIGH)", file=sys.stderr)
    # the other bindings as typed (no round trip of their values through text)
    kept = [part for spec in at or [] for part in split_top(spec) if part.partition("=")[0].strip() != name]
    return name, lo, hi, ([",".join(kept)] if kept else None)


def plot_fit(path: str, problem: fitting.FitProblem, params: dict, inputs) -> None:
    ((name, x),) = problem.columns.items()
    curve_x = np.linspace(x.min(), x.max(), plotting.GRID)
    curve_y = fitting.predict(problem, params, {name: curve_x})
    fitted = ", ".join(f"{k}={float(v):.4g}" if np.ndim(v) == 0 else k for k, v in params.items())
    title = f"{shorten(problem.text, 40)}: {shorten(fitted, 50)}"
    plotting.draw_fit(path, x, problem.target, curve_x, curve_y, (name, problem.target_name), title, inputs)


def plot(o: Options) -> int:
    """Draw EXPR and its derivatives over an interval (other names take values from --at): into
    the --png file, in the terminal, or as the points (x, f, f', ...) in a pipe."""
    name, lo, hi, at = plotting.parse_range(o.range) + (o.at,) if o.range else default_range(o.expr, o.at)
    if name in parse_at(at):
        raise DiffcliError(f"`{name}` is the plotted variable (--range): do not also give it with --at")
    early_checks(o, "png")
    problem = load(o.expr, (at or []) + [f"{name}={lo!r}"], of=o.of)
    grid, curves = plotting.derivative_curves(problem, name, lo, hi, o.order)
    if o.png:
        inputs = (problem.source,) if problem.source else ()
        plotting.draw_function(o.png, grid, curves, name, shorten(problem.text, 60), inputs)
        return 0
    labels = [plotting.derivative_label(name, k) for k in range(len(curves))]
    result = Result(
        "plot", {"name": name, "title": shorten(problem.text, 60), "columns": [(name, grid), *zip(labels, curves)]}
    )
    for label, values in zip(labels, curves):
        bad = int((~np.isfinite(values)).sum())
        if bad:
            result.warnings.append(note(f"{label} is not finite at {bad} of {len(values)} points (gaps in the curve)"))
    return present(result, o.format, curves_view)

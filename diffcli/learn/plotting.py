"""Pictures for `minimize --plot`, `fit --plot` and `plot`, drawn with matplotlib: PNG, SVG or
PDF, as the file's extension says.

matplotlib is an optional extra (`pip install 'diffcli[plot]'`) and is imported only inside
these functions. Figures are `matplotlib.figure.Figure` objects rendered by the Agg canvas,
never pyplot, so no window or global state is involved; every file goes through
`fileio.output` (atomic for a file; `-` is standard output, in the option's own format). The
curves of `plot` are one batched evaluation of the engine: the plotted variable carries the grid
as its axis of points. Nothing here prints.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.core import autodiff
from diffcli.core.engine import Plan, to_numpy
from diffcli.data.fileio import output, picture_format
from diffcli.errors import DiffcliError

GRID = 401  # points along the x axis of `plot` and of a fitted curve
CONTOUR_GRID = 121


def require(option: str) -> None:
    """Fail early, before any long run, when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise DiffcliError(f"{option} needs matplotlib, which is not installed: pip install 'diffcli[plot]'") from None


def _figure(rows: int = 1, cols: int = 1, width: float = 6.4):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, 4.4), layout="constrained")
    return fig, fig.subplots(rows, cols, squeeze=False)[0]


def _save(fig, path: str, inputs: tuple[str, ...], option: str = "--plot") -> None:
    """PNG, SVG or PDF as the file's extension says (fileio.picture_format)."""
    fmt = picture_format(path, option, "png")
    with output(path, inputs, binary=True) as fh:
        fig.savefig(fh, format=fmt, dpi=110)


def _value_axis(ax, steps: np.ndarray, values: np.ndarray, label: str) -> None:
    ax.plot(steps, values, color="C0")
    finite = values[np.isfinite(values)]
    # A log axis shows the slow tail of a descent; only possible for positive values.
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)


def draw_descent(
    path: str, history: np.ndarray, labels: list[str], title: str, values_on=None, inputs: tuple[str, ...] = ()
) -> None:
    """Value against step; for two variables also the path over contour lines of f.

    `history` has one row per step: step, the variables..., value. `values_on(points)` gives f
    at an array of points of shape (..., 2).
    """
    two = len(labels) == 2 and values_on is not None
    fig, axes = _figure(1, 2 if two else 1, 11.0 if two else 6.4)
    fig.suptitle(title)
    _value_axis(axes[0], history[:, 0], history[:, -1], "value")
    if two:
        _path_axis(axes[1], history[:, 1:3], labels, values_on)
    _save(fig, path, inputs)


def _path_axis(ax, path: np.ndarray, labels: list[str], values_on) -> None:
    finite = path[np.all(np.isfinite(path), axis=1)]
    low, high = finite.min(axis=0), finite.max(axis=0)
    margin = np.maximum((high - low) * 0.2, 0.5)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], CONTOUR_GRID)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], CONTOUR_GRID)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(values_on(np.stack([X, Y], axis=-1)), dtype=float)
    good = Z[np.isfinite(Z)]
    if good.size:
        # Levels at quantiles follow the function's own scale (Rosenbrock spans 1e-8..1e4).
        levels = np.unique(np.quantile(good, np.linspace(0, 1, 25)))
        if levels.size > 1:
            ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.plot(finite[:, 0], finite[:, 1], ".-", color="C3", markersize=2, linewidth=1)
    ax.plot(*finite[0], "o", color="C3", label="start")
    ax.plot(*finite[-1], "*", color="k", markersize=12, label="end")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(loc="best")


def draw_fit(
    path: str,
    x: np.ndarray,
    y: np.ndarray,
    curve_x: np.ndarray,
    curve_y: np.ndarray,
    names: tuple[str, str],
    title: str,
    inputs: tuple[str, ...] = (),
) -> None:
    """The data as points and the fitted model as a curve."""
    fig, (ax,) = _figure()
    ax.scatter(x, y, s=10, alpha=0.6, label="data")
    ax.plot(curve_x, curve_y, color="C3", linewidth=2, label="fitted model")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title)
    ax.legend(loc="best")
    ax.grid(True, alpha=0.3)
    _save(fig, path, inputs)


def parse_range(spec: str) -> tuple[str, float, float]:
    """`x=-3:3` -> ('x', -3.0, 3.0)."""
    name, eq, bounds = spec.partition("=")
    low, colon, high = bounds.partition(":")
    try:
        lo, hi = float(low), float(high)
    except ValueError:
        lo = hi = math.nan
    if not (eq and colon and name.strip().isidentifier()) or not (math.isfinite(lo) and math.isfinite(hi)):
        raise DiffcliError(f"--range {spec}: write NAME=LOW:HIGH with two numbers, such as x=-3:3")
    if not lo < hi:
        raise DiffcliError(f"--range {spec}: LOW must be less than HIGH")
    if not math.isfinite(hi - lo):
        raise DiffcliError(f"--range {spec}: HIGH - LOW is beyond the largest float (about 1.8e308): narrow the range")
    return name.strip(), lo, hi


def derivative_curves(problem, name: str, lo: float, hi: float, order: int) -> tuple[np.ndarray, list]:
    """x on a grid, and f, f', ..., f^(order) there: one plan, x batched (the grid is its axis
    of points, which the engine lines up with the shapes of the other values)."""
    f = problem.output
    if f.shape != ():
        raise DiffcliError(f"plot needs a scalar expression, but this one has shape {f.shape}")
    x = problem.graph.var(name, ())
    if name in problem.bindings and np.shape(problem.bindings[name]) != ():
        raise DiffcliError(f"--range {name}: `{name}` must be a scalar variable")
    curves = [f]
    for _ in range(order):
        (d,) = autodiff.gradient(curves[-1], [x])
        curves.append(d)
    grid = np.linspace(lo, hi, GRID)
    values = Plan(curves, {name}, problem.device).run({**problem.bindings, name: grid})
    return grid, [np.broadcast_to(to_numpy(v).astype(float), grid.shape) for v in values]


def derivative_label(name: str, k: int) -> str:
    if k == 0:
        return f"f({name})"
    return f"f{chr(39) * k}({name})" if k <= 3 else f"f^({k})({name})"


def draw_function(
    path: str, grid: np.ndarray, curves: list, name: str, title: str, inputs: tuple[str, ...] = ()
) -> None:
    fig, (ax,) = _figure()
    for k, ys in enumerate(curves):
        ax.plot(grid, ys, linewidth=2 if k == 0 else 1.4, label=derivative_label(name, k))
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel(name)
    ax.set_title(title)
    ax.legend(loc="best")
    ax.grid(True, alpha=0.3)
    _save(fig, path, inputs, "--png")


def draw_taylor(
    path: str,
    grid: np.ndarray,
    values: np.ndarray,
    model: np.ndarray,
    name: str,
    order: int,
    title: str,
    inputs: tuple[str, ...] = (),
) -> None:
    """f and its Taylor polynomial over the grid (the polynomial's axis clipped to f's range)."""
    fig, (ax,) = _figure()
    ax.plot(grid, values, linewidth=2, label=f"f({name})")
    ax.plot(grid, model, linewidth=1.4, linestyle="--", label=f"Taylor polynomial, order {order}")
    finite = values[np.isfinite(values)]
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        margin = max(high - low, 1.0) * 0.25
        ax.set_ylim(low - margin, high + margin)
    ax.set_xlabel(name)
    ax.set_title(title[:60])
    ax.legend(loc="best")
    ax.grid(True, alpha=0.3)
    _save(fig, path, inputs)

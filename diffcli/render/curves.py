"""Views of `plot` without a file: f and its derivatives on the grid.

Rich draws them in the terminal with uniplot (the optional extra `diffcli[term]`), labelled;
plain, CSV and JSON print the sampled points (x, f, f', ...), one row per point, for a pipe.
The result's data: `name` (the plotted variable), `title`, and `columns`, a list of
(label, array) whose first is the grid.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from diffcli.algebra.text import to_json_value
from diffcli.errors import DiffcliError
from diffcli.render.output import plain_number

HEIGHT = 20  # lines of the drawing


def _table(result) -> tuple[list[str], np.ndarray]:
    columns = result.data["columns"]
    return [label for label, _ in columns], np.column_stack([values for _, values in columns])


def render_plain(result) -> str:
    """One line per point: x, f, f', ... (nan where a value is not finite)."""
    _, table = _table(result)
    return "\n".join(" ".join(plain_number(v) for v in row) for row in table.tolist())


def render_csv(result) -> str:
    labels, table = _table(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(labels)
    writer.writerows([plain_number(v) for v in row] for row in table.tolist())
    return buffer.getvalue().rstrip("\n")


def render_json(result) -> str:
    """One object: each column's label -> its list of numbers (null where not finite)."""
    data = {label: to_json_value(values) for label, values in result.data["columns"]}
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return json.dumps(data)


def render_rich(result, console) -> None:
    try:
        from uniplot import plot_to_string
    except ImportError:
        raise DiffcliError(
            "drawing in the terminal needs uniplot, which is not installed: pip install "
            "'diffcli[term]'; or write a picture with --png FILE, or print the points with "
            "--format csv"
        ) from None
    from rich.markup import escape
    from rich.text import Text

    (name, grid), *curves = result.data["columns"]
    ys = [np.where(np.isfinite(v), v, np.nan) for _, v in curves]  # gaps where a value is not finite
    drawing = plot_to_string(
        ys,
        [grid] * len(ys),
        legend_labels=[label for label, _ in curves],
        lines=True,
        title=result.data["title"],
        width=max(console.width - 12, 20),
        height=HEIGHT,
        x_min=float(grid[0]),
        x_max=float(grid[-1]),
        character_set="braille" if console.encoding.lower() in ("utf-8", "utf8") else "ascii",
        color=console.color_system is not None and not console.no_color,
    )
    console.print(Text.from_ansi(drawing), highlight=False)
    span = escape(f"{name} in [{plain_number(grid[0])}, {plain_number(grid[-1])}]")
    console.print(
        f"[dim]{span}, {len(grid)} points: --format csv prints them, --png FILE saves a picture[/dim]", highlight=False
    )

"""The numeric results (eval, grad, jacobian, hessian, diff, minimize, fit) in each format:
plain lines of numbers, JSON, CSV and Rich tables (SPEC's `--format`)."""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from diffcli.algebra.text import number, to_json_value
from diffcli.core.layout import LEARNED, SUMMARY, columns
from diffcli.render import matrix

TEXT_KEYS = (
    "derivative",
    "latex",
    "wrt",
    "labels",
    "order",
    "ok",
    "converged",
    "steps",
    "interrupted",
    "critical",
    "curvature",
    "classification",
    "implicit",
)
CLASSIFY = ("eigenvalues", "grad_norm", "classification")  # hessian --classify, after the Hessian


def flag(x: bool) -> str:
    """A boolean in plain and CSV output: 1 or 0 (plain output is numbers), everywhere."""
    return "1" if x else "0"


def plain_number(x) -> str:
    return number(float(x) + 0.0)  # + 0.0 turns -0.0 into 0.0: scripts compare against "0"


WHOLE = re.compile(r"\.0(?=,|$)")  # the `.0` that repr gives a whole number


def plain_numbers(values) -> list[str]:
    """plain_number of every element (C order), in a few passes at C speed: Python's repr of a
    float list is the shortest round-trip text of each, as `number` writes it."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1) + 0.0
    return WHOLE.sub("", repr(flat.tolist())[1:-1]).split(", ") if flat.size else []


def plain_joined(values) -> str:
    """ " ".join(plain_numbers(values)), without the list of strings (10^6 numbers: one string)."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1) + 0.0
    return WHOLE.sub("", repr(flat.tolist())[1:-1]).replace(", ", " ") if flat.size else ""


def plain_lines(x) -> list[str]:
    """A scalar or vector on one line; a matrix one row a line."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim <= 1:
        return [plain_joined(arr)]
    return (
        [" ".join(row) for row in np.array_split(plain_numbers(arr), len(arr.reshape(-1, arr.shape[-1])))]
        if arr.size
        else [""] * int(np.prod(arr.shape[:-1]))
    )


def flat_line(arrays) -> str:
    return " ".join(plain_joined(a) for a in arrays if np.size(a))


def is_sparse(d: dict) -> bool:
    return "hessian" in d and not isinstance(d["hessian"], np.ndarray)


def render_json(result, latex: bool = False) -> str:
    import json

    d = result.data
    data = {k: v if k in TEXT_KEYS else to_json_value(v) for k, v in d.items() if k != "hessian" or not is_sparse(d)}
    if is_sparse(d):
        h = d["hessian"]
        data["hessian"] = {
            "shape": [h.size] * 2,
            "rows": h.rows.tolist(),
            "cols": h.cols.tolist(),
            "values": to_json_value(h.values) if len(h.values) else [],
        }
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return json.dumps(data)


def render_plain(result, latex: bool = False) -> str:
    d = result.data
    lines: list[str] = []
    if "derivative" in d:
        lines.append(d["latex"] if latex else d["derivative"])
    for key in LEARNED:
        if key in d:
            lines.append(flat_line(d[key].values()))
    if "value" in d:
        lines.extend(plain_lines(d["value"]))
    if "grad" in d:
        lines.append(flat_line(d["grad"].values()))
    if is_sparse(d):
        h = d["hessian"]
        lines.extend(map("{} {} {}".format, h.rows.tolist(), h.cols.tolist(), plain_numbers(h.values)))
    for key in ("jacobian", "hessian"):
        if key in d and not (key == "hessian" and is_sparse(d)):
            lines.extend(plain_lines(d[key]))
    lines.extend(plain_number(d[key]) for key in SUMMARY if key in d)
    shown: dict[str, Callable[[Any], str]] = {
        "eigenvalues": lambda v: plain_lines(v)[0],
        "grad_norm": plain_number,
        "classification": str,
    }
    lines.extend(shown[key](d[key]) for key in CLASSIFY if key in d)  # eigenvalues, gradient norm, verdict
    return "\n".join(lines)


def render_csv(result, latex: bool = False) -> str:
    import csv
    import io

    d = result.data
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if is_sparse(d):
        names = d.get("labels") or d["wrt"]  # x[0], W[0,1] for the elements of vector variables
        h = d["hessian"]
        writer.writerow(["row", "col", "value"])
        writer.writerows(
            zip(
                map(names.__getitem__, h.rows.tolist()),
                map(names.__getitem__, h.cols.tolist()),
                plain_numbers(h.values),
            )
        )
        return buffer.getvalue().rstrip("\n")
    pairs = [(label, plain_number(v)) for label, v in columns(d)]
    if "eigenvalues" in d:
        pairs += [(f"eigenvalue[{i}]", plain_number(v)) for i, v in enumerate(d["eigenvalues"])]
    pairs += [(key, plain_number(d[key]) if key == "grad_norm" else d[key]) for key in CLASSIFY[1:] if key in d]
    head, cells = [], []
    if "derivative" in d:  # the formula is one quoted cell: it holds commas (max(x, y)) and may span lines
        head, cells = ["latex" if latex else "derivative"], [d["latex"] if latex else d["derivative"]]
    writer.writerow(head + [label for label, _ in pairs])
    writer.writerow(cells + [v for _, v in pairs])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    d = result.data
    if is_sparse(d):
        console.print(Text(render_plain(result)), highlight=False)
        return
    if "derivative" in d:
        formula = d["latex"] if latex else d["derivative"]
        names = d["wrt"]
        if "implicit" in d:  # dy/dx, d^2y/dx^2 along the curve
            power = "" if d["order"] == 1 else f"^{d['order']}"
            heading = f"d{power}{d['implicit']}/d{names[0]}{power}"
        elif len(set(names)) == 1 and d["order"] > 1:  # d^3/dx^3
            heading = f"d^{d['order']}/d{names[0]}^{d['order']}"
        else:  # d/dy d/dx: the last applied on the left; the function itself for order 0
            heading = "d/d" + " d/d".join(reversed(names)) if names else "f"
        separator = "\n" if "\n" in formula else " = "
        console.print(Text.assemble((heading, "bold"), separator + formula), highlight=False)
    for key in LEARNED:
        if key in d:
            table = Table(title="final point" if key == "at" else "parameters", title_justify="left")
            table.add_column("variable", style="cyan")
            table.add_column("value", justify="right")
            for name, v in d[key].items():
                table.add_row(name, format_array(v))
            console.print(table)
    if "value" in d:
        console.print(f"[bold]value[/bold] = {format_array(d['value'])}", highlight=False)
    if d.get("grad"):
        table = Table(title="gradient", title_justify="left")
        table.add_column("variable", style="cyan")
        table.add_column("d value / d variable", justify="right")
        for name, g in d["grad"].items():
            table.add_row(name, format_array(g))
        console.print(table)
    for key in ("jacobian", "hessian"):
        if key in d:
            for part in matrix_view(key, d, console.width):
                console.print(part, highlight=False)
    for key in SUMMARY:
        if key in d:
            shown = ("yes" if d[key] else "no") if key == "converged" else format_array(d[key])
            console.print(f"[bold]{key}[/bold] = {shown}", highlight=False)
    if "eigenvalues" in d:
        curvature = f" ({d['curvature']})" if "curvature" in d else ""
        console.print(f"[bold]eigenvalues[/bold] = {format_array(d['eigenvalues'])}{curvature}", highlight=False)
    if "grad_norm" in d:
        critical = "" if "critical" not in d else " (a critical point)" if d["critical"] else " (not a critical point)"
        console.print(f"[bold]gradient norm[/bold] = {format_array(d['grad_norm'])}{critical}", highlight=False)
    if "classification" in d:
        console.print(f"[bold]classification[/bold] = {d['classification']}", highlight=False)


def matrix_view(key: str, d: dict, width: int) -> list:
    """The Jacobian or Hessian for a console `width` columns wide (render/matrix.py)."""
    labels = d.get("labels") or d["wrt"]
    rows = np.asarray(d[key], dtype=float)
    row_labels = labels if key == "hessian" else [f"f[{i}]" if len(rows) > 1 else "f" for i in range(len(rows))]
    return matrix.view(key, rows, row_labels, labels, width)


def format_array(x) -> str:
    """A number or array for Rich views: at most 10 significant digits (render/matrix.py)."""
    rich_number = matrix.rich_number
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return rich_number(arr)
    return np.array2string(arr, separator=", ", formatter={"float_kind": rich_number}, max_line_width=76)

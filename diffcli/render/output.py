"""Results as plain text, JSON or a Rich table (SPEC's `--format`)."""

from __future__ import annotations

import json
import math

import numpy as np

from .text import number


def to_json_value(x):
    """Nested lists of Python floats; non-finite numbers become null."""
    if isinstance(x, dict):
        return {k: to_json_value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and (not x or isinstance(x[0], str)):
        return list(x)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        v = float(arr)
        return v if math.isfinite(v) else None
    return [to_json_value(row) for row in arr]


def render_json(result) -> str:
    data = {k: to_json_value(v) if k not in ("derivative", "latex", "wrt", "labels", "order", "ok", "converged", "steps")
            else v for k, v in result.data.items()}
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return json.dumps(data)


def plain_number(x) -> str:
    return number(float(x) + 0.0)  # + 0.0 turns -0.0 into 0.0: scripts compare against "0"


def plain_lines(x) -> list[str]:
    """A scalar or vector on one line; a matrix one row a line."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim <= 1:
        return [" ".join(plain_number(v) for v in arr.reshape(-1))]
    return [line for row in arr.reshape(-1, arr.shape[-1]) for line in plain_lines(row)]


def flat_line(arrays) -> str:
    return " ".join(plain_number(v) for a in arrays for v in np.asarray(a, dtype=float).reshape(-1))


def render_plain(result) -> str:
    d = result.data
    lines: list[str] = []
    if "derivative" in d:
        lines.append(d["latex"] if result.show_latex else d["derivative"])
    for key in LEARNED:
        if key in d:
            lines.append(flat_line(d[key].values()))
    if "value" in d:
        lines.extend(plain_lines(d["value"]))
    if "grad" in d:
        lines.append(flat_line(d["grad"].values()))
    for key in ("jacobian", "hessian"):
        if key in d:
            lines.extend(plain_lines(d[key]))
    lines.extend(plain_number(d[key]) for key in SUMMARY if key in d)
    return "\n".join(lines)


LEARNED = ("at", "params")  # minimize's final point, fit's parameters: name -> array
SUMMARY = ("loss", "steps", "converged")  # one number each; converged prints as 1 or 0


def named_columns(values: dict) -> list[tuple[str, float]]:
    """(label, number) for each element of name -> array, labels `x`, `x[0]`, `W[0,1]`."""
    out = []
    for name, v in values.items():
        v = np.asarray(v, dtype=float)
        out.extend([(name, float(v))] if v.ndim == 0 else
                   [(f"{name}[{','.join(map(str, i))}]", float(v[i])) for i in np.ndindex(*v.shape)])
    return out


def render_rich(result, console) -> None:
    from rich.table import Table

    d = result.data
    if "derivative" in d:
        formula = d["latex"] if result.show_latex else d["derivative"]
        heading = "d/d" + " d/d".join(reversed(d["wrt"]))  # d/dy d/dx: the last applied on the left
        separator = "\n" if "\n" in formula else " = "
        from rich.text import Text

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
    if "grad" in d and d["grad"]:
        table = Table(title="gradient", title_justify="left")
        table.add_column("variable", style="cyan")
        table.add_column("d value / d variable", justify="right")
        for name, g in d["grad"].items():
            table.add_row(name, format_array(g))
        console.print(table)
    for key in ("jacobian", "hessian"):
        if key in d:
            labels = d.get("labels") or d["wrt"]
            table = Table(title=key, title_justify="left")
            table.add_column("")
            for label in labels:
                table.add_column(label, justify="right")
            rows = np.asarray(d[key], dtype=float)
            row_labels = labels if key == "hessian" else [f"f[{i}]" if len(rows) > 1 else "f" for i in range(len(rows))]
            for label, row in zip(row_labels, rows):
                table.add_row(label, *[plain_number(v) for v in row])
            console.print(table)
    for key in SUMMARY:
        if key in d:
            shown = ("yes" if d[key] else "no") if key == "converged" else format_array(d[key])
            console.print(f"[bold]{key}[/bold] = {shown}", highlight=False)


def format_array(x) -> str:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return plain_number(arr)
    return np.array2string(arr, separator=", ", formatter={"float_kind": plain_number}, max_line_width=76)


def columns(result) -> list[tuple[str, float]]:
    """(label, number) pairs of a result in SPEC's column order: value(s), then derivatives."""
    d = result.data
    out: list[tuple[str, float]] = []
    for key in LEARNED:
        out.extend(named_columns(d.get(key, {})))
    if "value" in d:
        value = np.asarray(d["value"], dtype=float)
        if value.ndim == 0:
            out.append(("value", float(value)))
        else:
            out.extend((f"value[{','.join(map(str, i))}]", float(value[i])) for i in np.ndindex(*value.shape))
    for name, g in d.get("grad", {}).items():
        g = np.asarray(g, dtype=float)
        if g.ndim == 0:
            out.append((f"d_{name}", float(g)))
        else:
            out.extend((f"d_{name}[{','.join(map(str, i))}]", float(g[i])) for i in np.ndindex(*g.shape))
    labels = d.get("labels") or d.get("wrt") or []
    for key, prefix in (("jacobian", "J"), ("hessian", "H")):
        if key in d:
            rows = np.asarray(d[key], dtype=float)
            row_labels = labels if key == "hessian" else [str(i) for i in range(len(rows))]
            for r, row in zip(row_labels, rows):
                out.extend((f"{prefix}[{r};{c}]", float(v)) for c, v in zip(labels, row))
    out.extend((key, float(d[key])) for key in SUMMARY if key in d)
    return out


def render_csv(result) -> str:
    import csv
    import io

    pairs = columns(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for label, _ in pairs])
    writer.writerow([plain_number(v) for _, v in pairs])
    if "derivative" in result.data:
        return result.data["derivative"] + "\n" + buffer.getvalue().rstrip("\n") if pairs else result.data["derivative"]
    return buffer.getvalue().rstrip("\n")

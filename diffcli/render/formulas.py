"""Symbolic grad, hessian and jacobian (symbolic/matrices.py) in each format (a view of
render/present.py): plain, one formula per line, row-major (each parses back); JSON, nested
lists of strings plus `wrt` and `latex`; CSV, the numeric commands' labels over one row of
formulas; Rich, a labelled table of formulas; LaTeX (--latex, as `diff --latex`), a pmatrix.
With --det, the determinant alone."""

from __future__ import annotations

import csv
import io
import json

KEYS = ("grad", "hessian", "jacobian")


def _matrix(d: dict) -> tuple[str, list[list[str]]]:
    """(key, rows) of the result's formulas: a gradient is one row."""
    key = next(k for k in KEYS if k in d)
    rows = [d[key]] if key == "grad" else d[key]
    return key, rows


def _row_labels(key: str, rows: list, wrt: list) -> list[str]:
    return list(wrt) if key == "hessian" else [str(i) for i in range(len(rows))]


def render_json(result, latex: bool = False) -> str:
    return json.dumps(result.data)


def render_plain(result, latex: bool = False) -> str:
    d = result.data
    if latex:
        return d["latex"]
    if "det" in d:
        return d["det"]
    _, rows = _matrix(d)
    return "\n".join(text for row in rows for text in row)


def render_csv(result, latex: bool = False) -> str:
    d = result.data
    if "det" in d:
        pairs = [("det", d["latex"] if latex else d["det"])]
    else:
        key, rows = _matrix(d)
        wrt, labels = d["wrt"], _row_labels(key, rows, d["wrt"])
        if key == "grad":
            pairs = [(f"d_{w}", text) for w, text in zip(wrt, rows[0])]
        else:
            letter = "H" if key == "hessian" else "J"
            pairs = [(f"{letter}[{r};{w}]", text) for r, row in zip(labels, rows) for w, text in zip(wrt, row)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for label, _ in pairs])
    writer.writerow([text for _, text in pairs])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    d = result.data
    if latex or "det" in d:
        text = d["latex"] if latex else d["det"]
        console.print(Text.assemble(("det" if "det" in d else "latex", "bold"), " = " + text), highlight=False)
        return
    key, rows = _matrix(d)
    wrt = d["wrt"]
    if key == "grad":
        table = Table(title="gradient")
        table.add_column("variable")
        table.add_column("d f / d variable")
        for w, text in zip(wrt, rows[0]):
            table.add_row(w, text)
    else:
        table = Table(title=key)
        table.add_column("")
        for w in wrt:
            table.add_column(w)
        for label, row in zip(_row_labels(key, rows, wrt), rows):
            table.add_row(label, *row)
    console.print(table)

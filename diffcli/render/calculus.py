"""The results of jvp, taylor, div, curl and laplacian in each format (a view of
render/present.py): plain lines, JSON (SPEC's keys), CSV (a header row and one row), Rich."""

from __future__ import annotations

import csv
import io
import json

from diffcli.algebra.text import to_json_value
from diffcli.core.layout import labelled
from diffcli.render.output import format_array, plain_lines, plain_number

TEXT_KEYS = ("polynomial", "latex", "wrt", "order", "divergence", "curl", "laplacian")
FORMULAS = ("divergence", "curl", "laplacian", "polynomial")


def _formula(d: dict, latex: bool) -> tuple[str, str] | None:
    """(key, text) of the result's formula, LaTeX when asked."""
    for key in FORMULAS:
        if key in d:
            text = d["latex"] if latex else d[key]
            if isinstance(text, list):
                text = "[" + ", ".join(text) + "]"
            return key, text
    return None


def _numbers(d: dict) -> list[tuple[str, object]]:
    """The numeric parts in output order: value, then jvp or the coefficients (of several
    variables: in the order of `terms`)."""
    found = [(key, d[key]) for key in ("value", "jvp", "coefficients") if key in d]
    if "terms" in d:
        found.append(("coefficients", [t["coefficient"] for t in d["terms"]]))
    return found


def render_json(result, latex: bool = False) -> str:
    d = result.data
    data = {k: (v if k in TEXT_KEYS else to_json_value(v)) for k, v in d.items() if k != "terms"}
    if "terms" in d:  # multi-indices and coefficients (non-finite ones null, as everywhere)
        data["terms"] = [{"powers": t["powers"], "coefficient": to_json_value(t["coefficient"])} for t in d["terms"]]
    if result.warnings:
        data["warnings"] = [str(w) for w in result.warnings]
    return json.dumps(data)


def render_plain(result, latex: bool = False) -> str:
    d = result.data
    lines = []
    found = _formula(d, latex)
    if found:
        lines.append(found[1])
    for _, value in _numbers(d):
        lines.extend(plain_lines(value))
    return "\n".join(lines)


def render_csv(result, latex: bool = False) -> str:
    d = result.data
    pairs: list = []
    found = _formula(d, latex)
    if found:
        pairs.append(found)
    for key, value in _numbers(d):
        if key == "coefficients" and "terms" in d:  # c[1,0]: the coefficient of x^1 y^0
            pairs.extend((f"c[{','.join(map(str, t['powers']))}]", t["coefficient"]) for t in d["terms"])
        else:
            pairs.extend(labelled(key, value))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for label, _ in pairs])
    writer.writerow([v if isinstance(v, str) else plain_number(v) for _, v in pairs])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.text import Text

    d = result.data
    found = _formula(d, latex)
    if found:
        key, text = found
        separator = "\n" if "\n" in text else " = "
        console.print(Text.assemble((key, "bold"), separator + text), highlight=False)
    for key, value in _numbers(d):
        label = {"jvp": "J u", "coefficients": "coefficients"}.get(key, key)
        console.print(Text.assemble((label, "bold"), " = " + format_array(value)), highlight=False)

"""The answer of --check (symbolic/checking.py) in each format (a view of render/present.py):
plain lines (`correct`, or `incorrect: ...` with the point, both values and the kind of error),
JSON (`correct`, `point`, `expected`, `got`, ...), CSV (one row), Rich (the plain lines, coloured)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

from diffcli.algebra.text import number


def simple(x: float) -> str:
    """A factor as a student writes it: 1/3 rather than 0.3333333333333333."""
    q = Fraction(x).limit_denominator(12)
    return str(q) if q.denominator > 1 and abs(float(q) - x) <= 1e-9 * max(1.0, abs(x)) else number(x)


def lines(d: dict) -> list[str]:
    shown = "; ".join(d["derivative"])
    if d["correct"]:
        return ["correct", f"the derivative: {shown}"]
    at = ", ".join(f"{name}={number(v)}" for name, v in d["point"].items()) or "every point"
    entry = f" (entry {d['entry']})" if "entry" in d else ""
    out = [f"incorrect: at {at} the derivative{entry} is {d['expected']:.12g} and the answer gives {d['got']:.12g}"]
    if d.get("factor") == -1:
        out.append("the answer has the wrong sign: it is minus the derivative")
    elif "factor" in d:
        out.append(f"the answer is {simple(d['factor'])} times the derivative (a constant factor)")
    elif "offset" in d:
        out.append(f"the answer is the derivative plus {simple(d['offset'])} (a constant difference)")
    out.append(f"the derivative: {shown}")
    return out


def render_plain(result, latex: bool = False) -> str:
    return "\n".join(lines(result.data))


def render_json(result, latex: bool = False) -> str:
    return json.dumps(result.data)


def render_csv(result, latex: bool = False) -> str:
    d = result.data
    point = d.get("point", {})
    header = ["correct", *point, "expected", "got", "factor", "offset"]
    row = [
        "1" if d["correct"] else "0",
        *(number(v) for v in point.values()),
        *(number(d[k]) if k in d else "" for k in ("expected", "got", "factor", "offset")),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, row])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.text import Text

    first, *rest = lines(result.data)
    console.print(Text(first, style="bold green" if result.data["correct"] else "bold red"), highlight=False)
    for line in rest:
        console.print(Text(line), highlight=False)

"""diff in matrix notation (diffcli.matrix) in each format: the formula (text or LaTeX), the
rules with --steps, the numbers of the matrix form at the --at point and the check line
against reverse mode; JSON has SPEC's `diff` keys plus `form`, `shape`, `sizes`, `check`."""

from __future__ import annotations

import csv
import io
import json

from diffcli.algebra.text import to_json_value
from diffcli.render.output import format_array, plain_lines

TEXT_KEYS = ("derivative", "latex", "wrt", "order", "form", "shape", "sizes", "steps")


def step_lines(d: dict, latex: bool) -> list[str]:
    if latex:
        rows = [
            f"d\\left({s['latex']['expr']}\\right) && \\text{{{s['rule']}: }} {s['latex']['formula']}"
            for s in d.get("steps", ())
        ]
        return ["\\begin{align}", " \\\\\n".join(rows), "\\end{align}"] if rows else []
    return [f"d({s['expr']})   [{s['rule']}: {s['formula']}]" for s in d.get("steps", ())]


def check_line(d: dict) -> str:
    c = d["check"]
    verdict = "agrees with" if c["agrees"] else "DISAGREES with"
    return f"check: the matrix form {verdict} reverse mode (largest difference {c['max_abs_difference']:.3g})"


def render_plain(result, latex: bool = False) -> str:
    d = result.data
    lines = step_lines(d, latex)
    if "derivative" in d:
        lines.append(d["latex"] if latex else d["derivative"])
    if "value" in d:
        lines.extend(plain_lines(d["value"]))
    if "check" in d:
        lines.append(check_line(d))
    return "\n".join(lines)


def render_latex(result, **_) -> str:
    return render_plain(result, latex=True)


def render_json(result, latex: bool = False) -> str:
    d = result.data
    data = {k: (v if k in TEXT_KEYS else to_json_value(v)) for k, v in d.items() if k != "check"}
    if "check" in d:
        data["check"] = {k: to_json_value(v) if k != "agrees" else v for k, v in d["check"].items()}
    if result.warnings:
        data["warnings"] = [str(w) for w in result.warnings]
    return json.dumps(data)


def render_csv(result, latex: bool = False) -> str:
    d = result.data
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["derivative", "latex", "agrees"])
    writer.writerow([d.get("derivative", ""), d.get("latex", ""), d["check"]["agrees"] if "check" in d else ""])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.text import Text

    d = result.data
    for line in step_lines(d, latex):
        console.print(Text(line), highlight=False)
    if "derivative" in d:
        console.print(Text(d["latex"] if latex else d["derivative"]), highlight=False)
    if "value" in d:
        console.print(f"[bold]value[/bold] = {format_array(d['value'])}", highlight=False)
    if "check" in d:
        console.print(Text(check_line(d)), highlight=False)

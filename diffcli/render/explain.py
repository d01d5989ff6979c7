"""`explain` steps as plain text, Rich (current node highlighted), one LaTeX aligned block, or JSON.

A view of render/present.py: each renderer takes the command's `Result` (its
data["explanation"] holds the steps) and `cap`, the most steps shown per section (None: all).
Each step reads `name = formula = numbers = value`; parts that would repeat the one before are
left out (`dy/da = b = 4`, not `dy/da = b = 4 = 4`). A section longer than the cap keeps its
first and last steps and says how many were left out.
"""

from __future__ import annotations

import json

import numpy as np

from diffcli.algebra import precedence
from diffcli.algebra.precedence import PRECEDENCE, UNARY, parenthesize
from diffcli.algebra.text import to_json_value, value_text

TERMS = 8  # terms shown of one sum unless --full
TIMES = {"text": "*", "latex": " \\cdot "}
LATEX_SPECIAL = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "_": "\\_",
    "^": "\\^{}",
    "#": "\\#",
    "$": "\\$",
    "%": "\\%",
    "&": "\\&",
    "~": "\\~{}",
}


def _factor(x, fmt: str, first: bool) -> str:
    text = value_text(x, fmt)
    if text.startswith("-") and not first:
        return f"\\left({text}\\right)" if fmt == "latex" else f"({text})"
    return text


def _join(texts: list, limit: int | None, fmt: str) -> str:
    """Terms joined by +; past `limit` terms, the rest is counted, not shown."""
    if limit is None or len(texts) <= limit:
        return " + ".join(texts)
    more = "\\dots" if fmt == "latex" else f"... ({len(texts) - limit} more terms)"
    return " + ".join(texts[:limit] + [more])


def pieces(ex, step, fmt: str = "text", limit: int | None = None) -> dict:
    """The texts of a step: name, formula, numbers substituted (None where absent) and value;
    a sum of more than `limit` terms shows its first terms only."""
    show = ex.names.show
    formula = step.formula
    if isinstance(formula, list):
        terms = []
        for g, local in formula:
            text = show(local, fmt)
            if g is not None:
                binds = precedence.of(local)
                text = parenthesize(text, binds < PRECEDENCE["product"] or binds == UNARY, fmt == "latex")
                text = show(g, fmt) + TIMES[fmt] + text
            terms.append(text)
        formula = _join(terms, limit, fmt) if terms else "0"
    elif formula is not None:
        formula = show(formula, fmt)
    numbers = contributions = None
    if step.terms:
        numbers = _join(
            [
                TIMES[fmt].join(_factor(ex.number(n), fmt, i == 0 and k == 0) for i, n in enumerate(term))
                for k, term in enumerate(step.terms)
            ],
            limit,
            fmt,
        )
        # Where a product is not yet shaped like the node (an index, a reduction, a broadcast),
        # the op's rule routes it: show each routed contribution before the sum.
        shape = np.shape(ex.number(step.value))
        if any(np.broadcast_shapes(*[np.shape(ex.number(n)) for n in term]) != shape for term in step.terms):
            contributions = _join([_factor(ex.number(n), fmt, k == 0) for k, n in enumerate(step.parts)], limit, fmt)
    return {
        "name": show(step.lhs, fmt),
        "formula": formula,
        "numbers": numbers,
        "contributions": contributions,
        "value": value_text(ex.number(step.value), fmt),
    }


def parts(ex, step, fmt: str = "text", limit: int | None = None) -> list[str]:
    """name, then formula, numbers and value, leaving out a part equal to the one before."""
    p = pieces(ex, step, fmt, limit)
    out = [p["name"]]
    for key in ("formula", "numbers", "contributions", "value"):
        if p[key] is not None and (len(out) == 1 or p[key] != out[-1]):
            out.append(p[key])
    return out


def sections(ex, cap: int | None):
    """(title, steps, omitted count) per section; a long section keeps its head and tail."""
    groups: list[tuple[str, list]] = []
    for step in ex.steps:
        if not groups or groups[-1][0] != step.section:
            groups.append((step.section, []))
        groups[-1][1].append(step)
    for title, steps in groups:
        if cap is None or len(steps) <= cap:
            yield title, steps, 0, []
        else:
            head = cap // 2
            tail = cap - head
            yield title, steps[:head], len(steps) - cap, steps[len(steps) - tail :]


def omitted_note(count: int) -> str:
    return f"... {count} steps left out (--full shows every step)"


def render_plain(result, cap: int | None = None) -> str:
    ex = result.data["explanation"]
    lines = []
    for title, head, omitted, tail in sections(ex, cap):
        lines.append(title)
        for step in head:
            lines.append(_plain_line(ex, step, cap))
        if omitted:
            lines.append("  " + omitted_note(omitted))
        for step in tail:
            lines.append(_plain_line(ex, step, cap))
    return "\n".join(lines)


def _terms(cap):
    return None if cap is None else TERMS


def _plain_line(ex, step, cap) -> str:
    text = "  " + " = ".join(parts(ex, step, "text", _terms(cap)))
    return text + (f"   ({step.note})" if step.note else "")


def render_rich(result, console, cap: int | None = None) -> None:
    from rich.text import Text

    ex = result.data["explanation"]
    for title, head, omitted, tail in sections(ex, cap):
        console.print(Text(title, style="bold underline"))
        for step in head:
            console.print(_rich_line(ex, step, cap))
        if omitted:
            console.print(Text("  " + omitted_note(omitted), style="italic yellow"))
        for step in tail:
            console.print(_rich_line(ex, step, cap))


def _rich_line(ex, step, cap):
    from rich.text import Text

    texts = parts(ex, step, "text", _terms(cap))
    line = Text("  ")
    line.append(texts[0], style="bold black on cyan")  # the node this step is about
    for i, text in enumerate(texts[1:]):
        line.append(" = ")
        line.append(text, style="bold green" if i == len(texts) - 2 else "")
    if step.note:
        line.append(f"   {step.note}", style="dim italic")
    return line


def latex_text(text: str) -> str:
    return "\\text{" + "".join(LATEX_SPECIAL.get(c, c) for c in text) + "}"


def render_latex(result, cap: int | None = None) -> str:
    ex = result.data["explanation"]
    lines = ["\\begin{aligned}"]
    rows = []
    for title, head, omitted, tail in sections(ex, cap):
        rows.append("&" + latex_text(title))
        for step in head + ([None] if omitted else []) + tail:
            if step is None:
                rows.append("&\\quad " + latex_text(omitted_note(omitted)))
                continue
            texts = parts(ex, step, "latex", _terms(cap))
            row = texts[0] + " &= " + " = ".join(texts[1:])
            if step.note:
                row += " \\quad " + latex_text("(" + step.note + ")")
            rows.append(row)
    lines.append(" \\\\\n".join(rows))
    lines.append("\\end{aligned}")
    return "\n".join(lines)


def render_json(result, cap: int | None = None) -> str:
    """Every step (the cap is for reading, not for JSON)."""
    ex = result.data["explanation"]
    steps = []
    for step in ex.steps:
        item = {"section": step.section, "node": step.node, **pieces(ex, step)}
        item["value"] = to_json_value(ex.number(step.value))
        if step.note:
            item["note"] = step.note
        steps.append(item)
    data = {"value": to_json_value(ex.value), "grad": {k: to_json_value(v) for k, v in ex.grad.items()}, "steps": steps}
    if "jvp" in result.data:
        data["jvp"] = to_json_value(result.data["jvp"])
    if result.warnings:
        data["warnings"] = [str(w) for w in result.warnings]
    return json.dumps(data)

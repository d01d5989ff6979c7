"""`diff --steps` as text (one line a step, indented by depth, the rule in brackets), one LaTeX
`align` block (`--latex`), JSON (the `diff` object plus `steps`: rule, expr, formula, result,
level, order, wrt, detail) or CSV (one row a step).

A step with sub-derivatives reads `d/dx(expr) = formula   [rule]` (the rule applied, the
sub-derivatives standing), then its sub-steps one level in, then `d/dx(expr) = result`; a step
without them is its one line `d/dx(expr) = result   [rule]`. The last line is the result.
"""

from __future__ import annotations

from diffcli.render import output

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def ordinal(k: int) -> str:
    return ORDINALS.get(k, f"{k}th")


def rule_text(step: dict, latex: bool = False) -> str:
    """`product rule`, `chain rule; trigonometric rule: d/du sin(u) = cos(u)` (LaTeX: in \\text)."""
    name = step["rule"] if step["rule"] in ("constant", "variable", "shown above") else f"{step['rule']} rule"
    if not latex:
        return f"{name}; {step['detail']}" if step["detail"] else name
    detail = step["latex"]["detail"]
    return f"\\text{{{name}; }} {detail}" if detail else f"\\text{{{name}}}"


def lines(result, latex: bool = False) -> list[str]:
    """One line a step (text), or one `lhs &= rhs && rule` row (LaTeX); a step with
    sub-derivatives gets its result line after them."""
    out: list[str] = []
    open_steps: list[dict] = []
    for step in result.data["steps"]:
        while open_steps and (open_steps[-1]["level"] >= step["level"] or open_steps[-1]["order"] != step["order"]):
            out.append(line(open_steps.pop(), "result", latex))
        if step["level"] == 0 and step["order"] > 1:
            heading = f"{ordinal(step['order'])} derivative, d/d{step['wrt']} of the {ordinal(step['order'] - 1)}"
            out.append(f"\\intertext{{{heading}:}}" if latex else f"{heading}:")
        if step["formula"] is not None:
            out.append(line(step, "formula", latex, rule=True))
            open_steps.append(step)
        else:
            out.append(line(step, "result", latex, rule=True))
    while open_steps:
        out.append(line(open_steps.pop(), "result", latex))
    return out


def line(step: dict, part: str, latex: bool, rule: bool = False) -> str:
    if latex:
        lhs = "\\quad " * step["level"] + f"\\frac{{d}}{{d{step['wrt']}}}\\left({step['latex']['expr']}\\right)"
        return f"{lhs} &= {step['latex'][part]}" + (f" && {rule_text(step, True)}" if rule else "")
    tail = f"   [{rule_text(step)}]" if rule else ""
    return "  " * step["level"] + f"d/d{step['wrt']}({step['expr']}) = {step[part]}{tail}"


def render_plain(result, latex: bool = False) -> str:
    if latex:
        return render_latex(result)
    text = "\n".join(lines(result))
    if "value" in result.data:
        text += "\n" + "\n".join(output.plain_lines(result.data["value"]))
    return text


def render_latex(result, **_) -> str:
    return "\\begin{align}\n" + " \\\\\n".join(lines(result, latex=True)) + "\n\\end{align}"


def render_json(result, latex: bool = False) -> str:
    return output.render_json(result)


def render_csv(result, latex: bool = False) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["order", "level", "rule", "expr", "formula", "result"])
    for s in result.data["steps"]:
        writer.writerow([s["order"], s["level"], rule_text(s), s["expr"], s["formula"] or "", s["result"]])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    """The steps as text, then the value as every Rich view shows one (at most 10 digits)."""
    from rich.text import Text

    console.print(Text(render_latex(result) if latex else "\n".join(lines(result))), highlight=False)
    if "value" in result.data:
        console.print(f"[bold]value[/bold] = {output.format_array(result.data['value'])}", highlight=False)

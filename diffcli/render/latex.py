"""LaTeX printer: each op's `latex` template from the op table, parentheses by precedence.

A separate renderer from the plain text one; they share the precedence table and the choice
of which shared subexpressions to name (`t_{1} = ...` lines of an `aligned` block).
"""

from __future__ import annotations

from ..graph import Node
from ..ops import OPS
from .text import ASSOCIATIVE, ATOM, _slice, number, render_dag

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "phi", "omega", "tau", "rho"}


def _name(name: str) -> str:
    base, _, sub = name.partition("_")
    if base in GREEK:
        base = "\\" + base
    if sub:
        return f"{base}_{{{sub}}}"
    stripped = base.rstrip("0123456789")
    if stripped and stripped != base:
        return f"{stripped}_{{{base[len(stripped):]}}}"
    return base


def to_latex(root: Node, share: bool = True) -> str:
    statements, result = render_dag(root, _render, share, spell=_name, weight=4)
    if not statements:
        return result
    lines = [f"{name} &= {text}" for name, text in statements] + [f"&{result}"]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _paren(text: str) -> str:
    return f"\\left({text}\\right)"


def _render(n: Node, kids: list[tuple[str, int]]) -> str:
    op = OPS[n.op]
    if n.op == "const":
        return number(n.value).replace("inf", "\\infty")
    if n.op == "var":
        return _name(n.payload[0])
    if n.op == "index":
        items = ", ".join(str(i) if isinstance(i, int) else _slice(i) for i in n.payload)
        base = kids[0][0] if kids[0][1] == ATOM else _paren(kids[0][0])
        return f"{{{base}}}_{{{items}}}"
    if n.op == "stack":
        return "\\begin{bmatrix} " + " \\\\ ".join(k[0] for k in kids) + " \\end{bmatrix}"
    if n.op == "sum_to" and n.payload == ():
        return f"\\sum {kids[0][0]}"
    texts = [k[0] for k in kids]
    if n.op == "pow":
        if kids[0][1] < ATOM:
            texts[0] = _paren(texts[0])
    elif op.syntax and n.op != "div":
        prec = op.syntax[2]
        for i, (text, p) in enumerate(kids):
            equal = i and p == prec and (n.op, n.args[i].op) not in ASSOCIATIVE
            # a sign after an operator reads badly: x \cdot \left(-y\right), -\left(-x\right)
            signed = (i or n.op == "neg") and p == 4
            if (p < prec and not (n.op == "neg" and p == 3)) or equal or signed:
                texts[i] = _paren(text)
        if n.op == "mul" and n.args[0].is_const and kids[1][1] >= 5:
            return f"{texts[0]} {texts[1]}"  # 2 x, 3 \sin\left(x\right), 4 {x}^{2}
    return op.latex.format(*texts)


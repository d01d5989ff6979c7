"""LaTeX printer: each op's `latex` template from the op table, parentheses by precedence.

A separate renderer from the plain text one; they share the precedence table
(render/precedence.py) and the choice of which shared subexpressions to name (`t_{1} = ...`
lines of an `aligned` block).
"""

from __future__ import annotations

import unicodedata

from diffcli.algebra.precedence import ASSOCIATIVE, ATOM, PRECEDENCE, UNARY, is_root, parenthesize
from diffcli.algebra.text import index_text, number, params_call, render_dag
from diffcli.core.graph import Node
from diffcli.core.ops import OPS
from diffcli.core.ops.special import order_of, primes

GREEK = {
    *("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"),
    *("nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"),
    *("Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"),
}


# Greek letters that LaTeX writes as Latin ones (no \\omicron, no \\Alpha)
LATIN = {
    "omicron": "o",
    "Alpha": "A",
    "Beta": "B",
    "Epsilon": "E",
    "Zeta": "Z",
    "Eta": "H",
    "Iota": "I",
    "Kappa": "K",
    "Mu": "M",
    "Nu": "N",
    "Omicron": "O",
    "Rho": "P",
    "Tau": "T",
    "Chi": "X",
}


def greek(text: str) -> str:
    """Greek letters typed as Unicode (θ, Δ) as LaTeX commands (\\theta, \\Delta)."""
    out = []
    for k, c in enumerate(text):
        word = unicodedata.name(c, "").split(" LETTER ")
        if len(word) == 2 and word[0] in ("GREEK SMALL", "GREEK CAPITAL") and " " not in word[1]:
            letter = {"LAMDA": "lambda"}.get(word[1], word[1]).lower()
            capital = word[0] == "GREEK CAPITAL"
            command = LATIN.get(letter if not capital else letter.title()) or "\\" + (
                letter.title() if capital else letter
            )
            out.append(command + (" " if k + 1 < len(text) and text[k + 1].isalpha() else ""))
        else:
            out.append(c)
    return "".join(out)


def latex_name(name: str) -> str:
    base, _, sub = name.partition("_")
    if base in GREEK:
        base = "\\" + base
    elif not base.isascii():
        base = greek(base)
    if sub:
        return f"{base}_{{{sub}}}"
    stripped = base.rstrip("0123456789")
    if stripped and stripped != base:
        return f"{stripped}_{{{base[len(stripped) :]}}}"
    return base


def to_latex(root: Node, share: bool = True) -> str:
    statements, result = render_dag(root, _render, share, spell=latex_name, weight=4)
    if not statements:
        return result
    lines = [f"{name} &= {text}" for name, text in statements] + [f"&{result}"]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _paren(text: str) -> str:
    return parenthesize(text, True, latex=True)


def _render(n: Node, kids: list[tuple[str, int]]) -> str:
    op = OPS[n.op]
    form = op.print
    if form.kind == "number":
        return number(n.value).replace("inf", "\\infty")
    if form.kind == "name":
        return latex_name(n.name)
    if form.kind == "index":
        base = kids[0][0] if kids[0][1] == ATOM else _paren(kids[0][0])
        return f"{{{base}}}_{{{index_text(n.payload)}}}"
    if form.kind == "list":
        return "\\begin{bmatrix} " + " \\\\ ".join(k[0] for k in kids) + " \\end{bmatrix}"
    if form.kind == "full_sum" and n.payload == ():
        return f"\\sum {kids[0][0]}"
    texts = [k[0] for k in kids]
    if form.kind == "params":
        name, _, rest = params_call(n, texts).partition("(")
        return "\\operatorname{%s}\\left(%s\\right)" % (name.replace("_", "\\_"), rest[:-1])
    if form.kind == "reduction" and "\\left" not in op.latex.split("{0}")[0]:
        texts = [_paren(t) if p < ATOM else t for t, p in kids]  # \sum \left(x + y\right), not \sum x + y
    if form.kind == "primed":
        name, order = order_of(n)
        return op.latex.format(*texts, name=latex_name(name), p=primes(order, latex=True))
    if is_root(n):
        return f"\\sqrt{{{kids[0][0]}}}"
    if n.op == "pow":
        if kids[0][1] < ATOM:
            texts[0] = _paren(texts[0])
    elif form.kind in ("infix", "prefix") and n.op != "div":
        prec = PRECEDENCE[form.precedence]
        for i, (text, p) in enumerate(kids):
            equal = i and p == prec and (n.op, n.args[i].op) not in ASSOCIATIVE
            # a sign after an operator reads badly: x \cdot \left(-y\right), -\left(-x\right)
            signed = (i or n.op == "neg") and p == UNARY
            if (p < prec and not (n.op == "neg" and p == 3)) or equal or signed:
                texts[i] = _paren(text)
        if n.op == "mul" and n.args[0].is_const and kids[1][1] >= 5:
            return f"{texts[0]} {texts[1]}"  # 2 x, 3 \sin\left(x\right), 4 {x}^{2}
    return op.latex.format(*texts)

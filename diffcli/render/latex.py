"""LaTeX printer: each op's `latex` template from the op table, parentheses by precedence."""

from __future__ import annotations

from ..graph import Node, topological
from ..limits import check_print
from ..ops import OPS
from .text import ATOM, _precedence, number

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


def to_latex(root: Node) -> str:
    done: dict[int, str] = {}
    order = topological([root])
    check_print(order, weight=4)
    for n in order:
        done[id(n)] = _render(n, [done[id(a)] for a in n.args])
    return done[id(root)]


def _render(n: Node, kids: list[str]) -> str:
    op = OPS[n.op]
    if n.op == "const":
        return number(n.value).replace("inf", "\\infty")
    if n.op == "var":
        return _name(n.payload[0])
    if n.op == "index":
        return f"{{{kids[0]}}}_{{{', '.join(str(i) if isinstance(i, int) else ':' for i in n.payload)}}}"
    if n.op == "stack":
        return "\\begin{bmatrix} " + " \\\\ ".join(kids) + " \\end{bmatrix}"
    syntax = op.syntax
    if syntax and n.op not in ("div", "pow"):
        prec = syntax[2]
        kids = [f"\\left({k}\\right)" if (_precedence(a) < prec or (i and _precedence(a) == prec and n.op in ("sub",)))
                else k for i, (a, k) in enumerate(zip(n.args, kids))]
    elif n.op == "pow":
        a = n.args[0]
        if _precedence(a) < ATOM:
            kids = [f"\\left({kids[0]}\\right)", kids[1]]
    return op.latex.format(*kids)

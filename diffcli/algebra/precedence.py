"""The one precedence table of the printers (text, LaTeX, explain) and their `parenthesize`.

An op's entry names its precedence (`Print.precedence`); this table ranks the names. Higher
binds tighter; an operand is wrapped when it binds looser than its place needs.
"""

from __future__ import annotations

import math

from diffcli.core.graph import Node
from diffcli.core.ops import OPS

PRECEDENCE = {"compare": 1, "sum": 2, "product": 3, "unary": 4, "power": 5, "atom": 6}
ATOM = PRECEDENCE["atom"]
UNARY = PRECEDENCE["unary"]
SUM = PRECEDENCE["sum"]
# Right operands that need no parentheses at equal precedence: a + (b - c) = a + b - c and
# a*(b/c) = a*b/c. Every other pair keeps them (a - (b + c), a/(b*c), a*(B @ c), a @ (B @ c)).
ASSOCIATIVE = {("add", "add"), ("add", "sub"), ("mul", "mul"), ("mul", "div")}


def of(n: Node) -> int:
    """How tightly node n's printed form binds."""
    form = OPS[n.op].print
    if form.kind == "full_sum" and not n.shape:
        return ATOM  # `sum(x)`
    if is_root(n):
        return ATOM  # `sqrt(x)`
    if n.op == "const" and n.shape == () and (n.value < 0 or math.isinf(n.value)):
        return UNARY  # -2, 1e999 (written with a sign or an exponent)
    return PRECEDENCE[form.precedence]


def is_root(n: Node) -> bool:
    """x^0.5, which the printers write as a textbook does: sqrt(x)."""
    e = n.args[1] if n.op == "pow" else None
    return e is not None and e.op == "const" and e.shape == () and e.value == 0.5


def parenthesize(text: str, wrap: bool, latex: bool = False) -> str:
    if not wrap:
        return text
    return f"\\left({text}\\right)" if latex else f"({text})"

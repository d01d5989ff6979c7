"""Plain-text printer with minimal parentheses; its output parses back to the same function.

Precedence comes from the op table's `syntax` field; function-call ops print by name.
"""

from __future__ import annotations

from ..graph import Node, topological
from ..limits import check_print
from ..ops import OPS

ATOM = 6
CALL_NAMES = {"maximum": "max", "minimum": "min"}


def number(value: float) -> str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _precedence(n: Node) -> int:
    syntax = OPS[n.op].syntax
    if syntax:
        return syntax[2]
    if n.op == "const" and (n.value < 0 or n.value != n.value):
        return 4
    return ATOM


def to_text(root: Node) -> str:
    """The formula of `root`, shared subexpressions written out in full."""
    done: dict[int, str] = {}
    order = topological([root])
    check_print(order)
    for n in order:
        done[id(n)] = _render(n, [done[id(a)] for a in n.args])
    return done[id(root)]


def _wrap(child: Node, text: str, parens: bool) -> str:
    return f"({text})" if parens else text


def _render(n: Node, kids: list[str]) -> str:
    op = OPS[n.op]
    if n.op == "const":
        return number(n.value)
    if n.op == "var":
        return n.payload[0]
    if n.op == "index":
        (x,) = n.args
        items = ", ".join(str(i) if isinstance(i, int) else _slice(i) for i in n.payload)
        return _wrap(x, kids[0], _precedence(x) < ATOM) + f"[{items}]"
    if n.op == "stack":
        return "[" + ", ".join(kids) + "]"
    syntax = op.syntax
    if not syntax:
        name = CALL_NAMES.get(n.op, n.op)
        return f"{name}({', '.join(kids)})"
    kind, symbol, prec = syntax
    if kind == "prefix":
        (x,) = n.args
        return symbol + _wrap(x, kids[0], _precedence(x) <= 3)
    a, b = n.args
    pa, pb = _precedence(a), _precedence(b)
    if n.op == "pow":
        return f"{_wrap(a, kids[0], pa <= prec)}^{_wrap(b, kids[1], pb < 4)}"
    left = _wrap(a, kids[0], pa < prec or (prec == 1 and pa <= 1))
    tight = n.op in ("sub", "div", "matmul") or prec == 1
    right = _wrap(b, kids[1], pb < prec or (tight and pb <= prec) or (pb == 4 and prec >= 2))
    spaced = f" {symbol} " if prec <= 2 else symbol
    return f"{left}{spaced}{right}"


def _slice(item: tuple) -> str:
    start, stop, step = item
    text = f"{'' if start is None else start}:{'' if stop is None else stop}"
    return text + (f":{step}" if step is not None else "")

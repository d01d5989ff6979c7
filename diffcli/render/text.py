"""Plain-text printer with minimal parentheses; its output parses back to the same function.

Precedence comes from the op table's `syntax` field; function-call ops print by name. A DAG
whose written-out tree would swell (see `SHARE_FACTOR`) prints its shared subexpressions once,
as statements of diffcli's own file syntax: `t1 = ...` lines, then the result.

"The same function": the text parses to a node with the same values, not always the same
node, because associative chains drop their parentheses (`a*(b*c)` prints `a*b*c`).
"""

from __future__ import annotations

import math

from ..errors import DiffcliError
from .. import graph as G
from ..graph import Node, topological
from ..limits import check_print
from ..ops import OPS

ATOM = 6
CALL_NAMES = {"maximum": "max", "minimum": "min"}
REDUCTIONS = ("sum", "mean", "prod", "norm", "max", "min")
# Right operands that need no parentheses at equal precedence: a + (b - c) = a + b - c and
# a*(b/c) = a*b/c. Every other pair keeps them (a - (b + c), a/(b*c), a*(B @ c), a @ (B @ c)).
ASSOCIATIVE = {("add", "add"), ("add", "sub"), ("mul", "mul"), ("mul", "div")}
# Shared subexpressions are named when the tree would have more than SHARE_FACTOR times the
# DAG's nodes and more than SHARE_MIN nodes: short formulas stay on one line (sigmoid's
# derivative repeats `sigmoid(x)` once), long compositions do not grow exponentially.
SHARE_FACTOR = 2
SHARE_MIN = 40
# Vector constants up to this many elements print as literals ([1, 1, 1]).
LITERAL_LIMIT = 64
# Internal broadcasts print as a sum with a zero literal of the target shape: `g + [0, 0, 0]`.
PADDED = ("broadcast_to", "expand")


def number(value: float) -> str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def literal(value: float) -> str:
    """A number as expression text that parses back (1e999 overflows to inf)."""
    if value != value:
        return "(1e999 - 1e999)"
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    return number(value)


def _precedence(n: Node) -> int:
    syntax = OPS[n.op].syntax
    if syntax:
        return syntax[2]
    if n.op in PADDED or (n.op == "sum_to" and n.shape):
        return 2
    if n.op == "const" and n.shape == () and (n.value < 0 or math.isinf(n.value)):
        return 4
    return ATOM


def shared_nodes(root: Node) -> list[Node]:
    """The nodes to name so that printing `root` does not swell (none for a small tree)."""
    order = topological([root])
    tree: dict[int, int] = {}
    uses: dict[int, int] = {}
    for n in order:
        tree[id(n)] = 1 + sum(tree[id(a)] for a in n.args)
        for a in n.args:
            uses[id(a)] = uses.get(id(a), 0) + 1
    if tree[id(root)] <= max(SHARE_FACTOR * len(order), SHARE_MIN):
        return []
    return [n for n in order if n.args and uses.get(id(n), 0) > 1]


def statement_names(count: int, taken: set) -> list[str]:
    names, k = [], 0
    while len(names) < count:
        k += 1
        if f"t{k}" not in taken:
            names.append(f"t{k}")
    return names


def render_dag(root: Node, render, share: bool = True, spell=str,
               weight: int = 1) -> tuple[list[tuple[str, str]], str]:
    """([(name, text)] statements, result text) with `render(node, [(text, prec)])`; a named
    node is referred to as `spell(name)`. `weight`: characters written per plain character."""
    named = shared_nodes(root) if share else []
    check_print(topological([root]), {id(n) for n in named}, weight)
    taken = {n.payload[0] for n in topological([root]) if n.op == "var"}
    name_of = dict(zip((id(n) for n in named), statement_names(len(named), taken)))
    done: dict[int, tuple[str, int]] = {}
    statements = []
    for n in topological([root]):
        text = render(n, [done[id(a)] for a in n.args])
        if id(n) in name_of:
            statements.append((spell(name_of[id(n)]), text))
            done[id(n)] = (spell(name_of[id(n)]), ATOM)
        else:
            done[id(n)] = (text, _precedence(n))
    return statements, done[id(root)][0]


def to_text(root: Node, share: bool = True) -> str:
    """The formula of `root`; a swelling DAG gets `t1 = ...` lines before the result."""
    statements, result = render_dag(root, _render, share)
    return "\n".join([f"{name} = {text}" for name, text in statements] + [result])


def _wrap(kid: tuple[str, int], parens: bool) -> str:
    return f"({kid[0]})" if parens else kid[0]


def _render(n: Node, kids: list[tuple[str, int]]) -> str:
    if n.op == "const":
        return _const_text(n)
    if n.op == "var":
        return n.payload[0]
    if n.op == "index":
        items = ", ".join(str(i) if isinstance(i, int) else _slice(i) for i in n.payload)
        return _wrap(kids[0], kids[0][1] < ATOM) + f"[{items}]"
    if n.op == "stack":
        return "[" + ", ".join(k[0] for k in kids) + "]"
    if n.op == "sum_to" and n.size == 1:  # to () or (1, ..., 1): a full sum
        return f"sum({kids[0][0]})" + (f" + {_const_text(G.zeros(n.shape))}" if n.shape else "")
    if n.op in PADDED:
        return f"{_wrap(kids[0], kids[0][1] < 2)} + {_const_text(G.zeros(n.shape))}"
    syntax = OPS[n.op].syntax
    if not syntax:
        name = CALL_NAMES.get(n.op, n.op)
        return f"{name}({', '.join(k[0] for k in kids)})"
    kind, symbol, prec = syntax
    if kind == "prefix":
        return symbol + _wrap(kids[0], kids[0][1] <= 2)  # -(a*b) = (-a)*b: no parentheses
    a, b = kids
    if n.op == "pow":
        return f"{_wrap(a, a[1] <= prec)}^{_wrap(b, b[1] < 4)}"
    left = _wrap(a, a[1] < prec or (prec == 1 and a[1] <= 1))
    same = b[1] == prec and (n.op, n.args[1].op) not in ASSOCIATIVE
    signed = b[0].startswith("-") and prec >= 2  # never `x*-y`, `x - -y`: write x*(-y)
    right = _wrap(b, b[1] < prec or same or signed)
    spaced = f" {symbol} " if prec <= 2 or symbol == "@" else symbol
    return f"{left}{spaced}{right}"


def _const_text(n: Node) -> str:
    if n.shape == ():
        return literal(n.value)
    text = literal(n.value)
    for size in reversed(n.shape):
        text = "[" + ", ".join([text] * size) + "]"
    return text


def _slice(item: tuple) -> str:
    start, stop, step = item
    text = f"{'' if start is None else start}:{'' if stop is None else stop}"
    return text + (f":{step}" if step is not None else "")


def unwritable(root: Node) -> str | None:
    """The first op in `root` that the expression language cannot write, or None."""
    for n in topological([root]):
        op = OPS[n.op]
        if n.op == "const" and n.size > LITERAL_LIMIT:
            return "a large constant array"
        if n.op in REDUCTIONS and n.payload != len(n.args[0].shape):
            return f"`{n.op}` over some axes only"
        if n.op == "sum_to" and n.size != 1:
            return "a sum over broadcast axes"
        if n.op in PADDED and (n.size > LITERAL_LIMIT or (n.op == "expand" and n.args[0].shape != ())):
            return f"`{n.op}`"
        if n.op in PADDED:
            continue
        if not op.user and n.op not in ("const", "var", "index", "stack", "matmul", "sum_to") \
                and not op.syntax and n.op not in CALL_NAMES:
            return f"`{n.op}`"
    return None


def writable_text(root: Node) -> str:
    """to_text(root), or an error naming what the expression language cannot write."""
    missing = unwritable(root)
    if missing is not None:
        raise DiffcliError(f"this derivative uses {missing}, which the expression language cannot write: "
                           "use grad, jacobian or hessian for its values, or differentiate a scalar formula")
    return to_text(root)

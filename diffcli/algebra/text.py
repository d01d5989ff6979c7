"""Plain-text printer with minimal parentheses; its output parses back to the same function.

Each op's entry says how it prints (`Print`: infix symbol, prefix, call, index, list...) and
names its precedence, ranked in render/precedence.py. A DAG
whose written-out text would repeat long pieces (see `shared_nodes`) prints them once,
as statements of diffcli's own file syntax: `t1 = ...` lines, then the result.

"The same function": the text parses to a node with the same values, not always the same
node, because associative chains drop their parentheses (`a*(b*c)` prints `a*b*c`).
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.algebra import precedence
from diffcli.algebra.precedence import ASSOCIATIVE, ATOM, parenthesize
from diffcli.core.graph import Node, topological
from diffcli.core.ops import FUNCTIONS, OPS
from diffcli.core.ops.einsum import params_call as written_call
from diffcli.core.ops.special import order_of, primes
from diffcli.errors import DiffcliError
from diffcli.limits import check_print

# A shared subexpression is named (`t1 = ...`) only where that shortens the text by at least
# SHARE_SAVING characters and its own text has at least SHARE_LENGTH: short formulas stay on one
# line (sigmoid's second derivative repeats `sigmoid(x)` three times), long compositions do not
# grow exponentially.
SHARE_SAVING = 40
SHARE_LENGTH = 20
NAME_LENGTH = 3  # `t12`, for the estimate; a statement adds ` = ` and a line break
# Vector constants up to this many elements print as literals ([1, 1, 1]).
LITERAL_LIMIT = 64


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


def shared_nodes(root: Node) -> list[Node]:
    """The nodes to name so that the text is shorter: each named node's text is written once
    (its statement) instead of at every place that uses it. Decided from the root down, where
    the uses of a node are known exactly (its users are decided); a node's length depends on
    what is named below it, taken from the previous round (the first: nothing named)."""
    order = topological([root])
    own: dict[int, int] = {}  # a node's own characters, its arguments not counted
    for n in order:
        own[id(n)] = len(_render(n, [("#", precedence.of(a)) for a in n.args])) - len(n.args)

    def lengths(named: set) -> dict:
        length: dict[int, int] = {}
        for n in order:
            length[id(n)] = own[id(n)] + sum(NAME_LENGTH if id(a) in named else length[id(a)] for a in n.args)
        return length

    named: set[int] = set()
    best, best_total = named, lengths(named)[id(root)]
    for _ in range(4):
        length = lengths(named)
        uses = {id(root): 1}
        chosen: set[int] = set()
        for n in reversed(order):
            u, size = uses.get(id(n), 0), length[id(n)]
            if (
                n.args
                and n is not root
                and size >= SHARE_LENGTH
                and u * size - (u + 1) * NAME_LENGTH - 4 - size >= SHARE_SAVING
            ):
                chosen.add(id(n))
            for a in n.args:
                uses[id(a)] = uses.get(id(a), 0) + (1 if id(n) in chosen else u)
        after = lengths(chosen)
        total = after[id(root)] + sum(after[i] + NAME_LENGTH + 4 for i in chosen)
        if total < best_total:
            best, best_total = chosen, total
        if chosen == named:
            break
        named = chosen
    return [n for n in order if id(n) in best]


def statement_names(count: int, taken: set) -> list[str]:
    names: list[str] = []
    k = 0
    while len(names) < count:
        k += 1
        if f"t{k}" not in taken:
            names.append(f"t{k}")
    return names


def render_dag(root: Node, render, share: bool = True, spell=str, weight: int = 1) -> tuple[list[tuple[str, str]], str]:
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
            done[id(n)] = (text, precedence.of(n))
    return statements, done[id(root)][0]


def to_text(root: Node, share: bool = True) -> str:
    """The formula of `root`; a swelling DAG gets `t1 = ...` lines before the result."""
    statements, result = render_dag(root, _render, share)
    return "\n".join([f"{name} = {text}" for name, text in statements] + [result])


def measure(root: Node, sizes: dict) -> tuple[int, int, bool]:
    """(characters, blanks, starts with a minus) of `to_text(root, share=False)` without
    writing it out: each node not yet in `sizes` (by id) is rendered once over one-character
    stand-ins for its arguments, whose sizes are added. Exact, and linear in the DAG."""
    for n in topological([root], stop=lambda m: id(m) in sizes):
        if id(n) in sizes:
            continue
        known = [sizes[id(a)] for a in n.args]
        text = _render(n, [("-#" if neg else "#", precedence.of(a)) for (_, _, neg), a in zip(known, n.args)])
        length = len(text) + sum(k[0] - (2 if k[2] else 1) for k in known)
        sizes[id(n)] = (length, text.count(" ") + sum(k[1] for k in known), text.startswith("-"))
    return sizes[id(root)]


def _wrap(kid: tuple[str, int], parens: bool) -> str:
    return parenthesize(kid[0], parens)


def _render(n: Node, kids: list[tuple[str, int]]) -> str:
    form = OPS[n.op].print
    if form.kind == "number":
        return const_text(n)
    if form.kind == "name":
        return n.name
    if form.kind == "index":
        return _wrap(kids[0], kids[0][1] < ATOM) + f"[{index_text(n.payload)}]"
    if form.kind == "list":
        return "[" + ", ".join(k[0] for k in kids) + "]"
    if form.kind == "full_sum" and n.size == 1:  # to () or (1, ..., 1): a full sum
        return f"sum({kids[0][0]})" + (f" + {const_text(n.graph.zeros(n.shape))}" if n.shape else "")
    if form.kind == "padded":
        if n.op == "expand" and len(n.args[0].shape) == 1 and n.payload == 1:  # a column: its axis is new
            return f"transpose([{kids[0][0]}])"
        return f"{_wrap(kids[0], kids[0][1] < 2)} + {const_text(n.graph.zeros(n.shape))}"
    if form.kind == "params":  # reshape(x, shape=[2, 3]), einsum("ij,j->i", A, x)
        return params_call(n, [k[0] for k in kids])
    if form.kind == "primed":  # sinc''(x), f'(u)
        name, order = order_of(n)
        return f"{name}{primes(order)}({', '.join(k[0] for k in kids)})"
    if form.kind not in ("infix", "prefix"):
        return f"{form.symbol or n.op}({', '.join(k[0] for k in kids)})"
    prec = precedence.PRECEDENCE[form.precedence]
    if form.kind == "prefix":
        return form.symbol + _wrap(kids[0], kids[0][1] <= 2)  # -(a*b) = (-a)*b: no parentheses
    a, b = kids
    if precedence.is_root(n):
        return f"sqrt({kids[0][0]})"
    if n.op == "pow":  # x^-2 needs no brackets; x^(-1/3) does: -1/3 binds as a quotient
        signed_quotient = n.args[1].op == "neg" and precedence.of(n.args[1].args[0]) < 4
        # a signed expression too, for the reader: e^(-x^2), not e^-x^2
        signed = b[0].startswith("-") and n.args[1].op != "const"
        return f"{_wrap(a, a[1] <= prec)}^{_wrap(b, b[1] < 4 or signed_quotient or signed)}"
    left = _wrap(a, a[1] < prec or (prec == 1 and a[1] <= 1))
    same = b[1] == prec and (n.op, n.args[1].op) not in ASSOCIATIVE
    signed = b[0].startswith("-") and prec >= 2  # never `x*-y`, `x - -y`: write x*(-y)
    right = _wrap(b, b[1] < prec or same or signed)
    spaced = f" {form.symbol} " if prec <= 2 or form.symbol == "@" else form.symbol
    return f"{left}{spaced}{right}"


def params_call(n: Node, args: list[str]) -> str:
    """An op with static parameters, written with them (ops/einsum.py)."""
    return written_call(n, args)[0]


def const_text(n: Node) -> str:
    if n.shape == ():
        return literal(n.value)
    text = literal(n.value)
    for size in reversed(n.shape):
        text = "[" + ", ".join([text] * size) + "]"
    return text


def index_text(items: tuple) -> str:
    """`0, 1:3, ::2`: the subscripts of an index node."""
    return ", ".join(str(i) if isinstance(i, int) else _slice(i) for i in items)


def _slice(item: tuple) -> str:
    start, stop, step = item
    text = f"{'' if start is None else start}:{'' if stop is None else stop}"
    return text + (f":{step}" if step is not None else "")


def column(n: Node) -> bool:
    """An expand that the language writes as transpose([x]): a scalar's or a vector's one axis."""
    return n.args[0].shape == () or (len(n.args[0].shape) == 1 and n.payload == 1)


def unwritable(root: Node) -> str | None:
    """The first op in `root` that the expression language cannot write, or None."""
    for n in topological([root]):
        form = OPS[n.op].print
        if n.op == "const" and n.size > LITERAL_LIMIT:
            return "a large constant array"
        if form.kind == "reduction" and n.payload != len(n.args[0].shape):
            return f"`{n.op}` over some axes only"
        if form.kind == "full_sum" and n.size != 1:
            return "a sum over broadcast axes"
        if form.kind == "padded" and (n.size > LITERAL_LIMIT or (n.op == "expand" and not column(n))):
            return f"`{n.op}`"
        if form.kind == "params" and not written_call(n, [""] * len(n.args))[1]:
            return f"`{n.op}`"
        if form.kind == "call" and n.op not in FUNCTIONS and not form.symbol:
            return f"`{n.op}`"
    return None


def writable_text(root: Node) -> str:
    """to_text(root), or an error naming what the expression language cannot write."""
    missing = unwritable(root)
    if missing is not None:
        raise DiffcliError(
            f"this derivative uses {missing}, which the expression language cannot write: "
            "use grad, jacobian or hessian for its values, or differentiate a scalar formula"
        )
    return to_text(root)


def value_text(x, fmt: str = "text") -> str:
    """A number or a nested list on one line ([[4, 3], [2, 6]])."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        text = number(float(arr))
        return text.replace("inf", "\\infty") if fmt == "latex" else text
    inner = ", ".join(value_text(row, fmt) for row in arr)
    return f"\\left[{inner}\\right]" if fmt == "latex" else f"[{inner}]"


def to_json_value(x):
    """Nested lists of Python floats; non-finite numbers become null."""
    if isinstance(x, dict):
        return {k: to_json_value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and (not x or isinstance(x[0], str)):
        return list(x)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        v = float(arr)
        return v if math.isfinite(v) else None
    return [to_json_value(row) for row in arr]

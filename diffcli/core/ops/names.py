"""The names a user may call: function name -> (fewest arguments, most arguments, builder).

Most functions are one op called by its own name; the builders here cover the forms that are
not: `log(x, base)`, `max(a, b)` against `max(v)`, reductions over all axes, `norm(x, p)`,
`dot`, `if`, `transpose` (W.T), `heaviside(x)`. An op's `aliases` call the same builder as its
name. Builders get parsed argument nodes and build unsimplified nodes (the graph a user sees
follows the text).
"""

from __future__ import annotations

import math
from typing import Callable

from diffcli.core.graph import Node
from diffcli.core.ops.table import OPS
from diffcli.errors import DiffcliError, ShapeError


def build(op: str, *args: Node, payload=None) -> Node:
    return args[0].graph.node(op, args, payload)


def reduction(op: str):
    return lambda x: build(op, x, payload=len(x.shape))


def log(x, base=None):
    if base is None:
        return build("log", x)
    return build("div", build("log", x), build("log", base))


def extreme(op: str, elementwise: str):
    def builder(a, b=None):
        if b is None:
            if not a.shape:
                raise ShapeError(f"{op}(v) with one argument needs a vector; use {op}(a, b) for two numbers")
            return build(op, a, payload=len(a.shape))
        return build(elementwise, a, b)

    return builder


def norm(x, p=None):
    if p is None:
        return build("norm", x, payload=len(x.shape))
    if not p.is_const:
        raise DiffcliError("norm(x, p) needs a number for p, such as norm(x, 1)")
    if not (p.value > 0 and math.isfinite(p.value)):  # 1/p below: p = 0 divided by zero
        raise DiffcliError(f"norm(x, p) needs a positive finite p, such as norm(x, 1), not {p.value:g}")
    powered = build("pow", build("abs", x), p)
    return build("pow", reduction("sum")(powered), x.graph.const(1.0 / p.value))


def dot(a, b):
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise ShapeError(f"dot(a, b) takes two vectors, got shapes {a.shape} and {b.shape}; use @ for matrices")
    return build("matmul", a, b)


def transpose(x):
    """What W.T and W.t() are written as; a number or a vector is its own transpose."""
    return build("transpose", x) if len(x.shape) >= 2 else x


def heaviside(x, at_zero=None):
    """heaviside(x) is 0 below 0, 1 above, 1/2 at 0 (SymPy's convention); heaviside(x, h0) as
    numpy, with h0 at 0."""
    return build("heaviside", x, x.graph.const(0.5) if at_zero is None else at_zero)


def eye(k):
    """eye(n): the identity of a size given as a whole number (a printed matrix derivative's
    `eye(n)` once n is bound to its number)."""
    if not k.is_const or k.shape != () or not float(k.value).is_integer() or not 1 <= k.value <= MAX_EYE:
        raise DiffcliError(f"eye(n) needs a whole number n from 1 to {MAX_EYE}, such as eye(3)")
    return build("eye", k, payload=int(k.value))


MAX_EYE = 3000  # 9 million elements, under limits.MAX_ELEMENTS


def simple(op: str):
    return lambda *args: build(op, *args)


def functions() -> dict[str, tuple[int, int, Callable]]:
    """Every callable name: the ops callable by their own name, then the special forms."""
    table = {
        name: (op.arity, op.arity, simple(name))
        for name, op in OPS.items()
        if op.user and op.elementwise and op.arity and op.print.kind in ("call", "primed")
    }
    table.update(
        {
            "log": (1, 2, log),
            "pow": (2, 2, simple("pow")),
            "if": (3, 3, simple("where")),
            "sum": (1, 1, reduction("sum")),
            "mean": (1, 1, reduction("mean")),
            "prod": (1, 1, reduction("prod")),
            "norm": (1, 2, norm),
            "dot": (2, 2, dot),
            "max": (1, 2, extreme("max", "maximum")),
            "min": (1, 2, extreme("min", "minimum")),
            "logsumexp": (1, 1, simple("logsumexp")),
            "softmax": (1, 1, simple("softmax")),
            "transpose": (1, 1, transpose),
            "heaviside": (1, 2, heaviside),
            "eye": (1, 1, eye),
        }
    )
    for name, op in OPS.items():  # another name calls the same builder (`ln` is `log`)
        table.update((alias, table[name]) for alias in op.aliases if name in table)
    return table


CONSTANTS = {"pi": math.pi, "e": math.e}

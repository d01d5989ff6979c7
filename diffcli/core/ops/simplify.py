"""Simplification rules, applied while derivative nodes are built (`Graph.node(simplify=True)`).

Each rule returns an equivalent node or None (keep the node as built). A rule may change a
value only where the original is undefined (nan/inf inputs, 0/0, x^0.5 of a negative x),
and up to rounding: `x - x` -> 0, `x*x^-1` -> 1 (x^0) and `x/x` -> 1 differ from the
original only at x = 0 or x = +-inf, where the original is nan. Rules that restructure a
node build O(1) new nodes, so a derivative DAG stays within a constant factor of its function.
"""

from __future__ import annotations

import math
from fractions import Fraction

from diffcli.core.graph import Node, apply, exact, is_one, is_zero
from diffcli.core.ops.rules import keep_shape

ONE = 1


def number(n: Node) -> int | Fraction | None:
    """The exact value of a finite scalar number node, else None (coefficients are exact, so
    typed decimals fold as written: 2.3*1.3 is 2.99). A whole number is an int: the common
    coefficients then multiply and compare at int speed, not Fraction's."""
    if n.op != "const" or n.shape != ():
        return None
    numbers = n.graph.numbers
    if n in numbers:
        return numbers[n]
    q = exact(n)
    found = numbers[n] = q.numerator if q is not None and q.denominator == 1 else q
    return found


def ratio(a, b) -> int | Fraction:
    """a / b exactly (an int when whole)."""
    q = Fraction(a, b)
    return q.numerator if q.denominator == 1 else q


def coefficient(n: Node):
    """(c, rest) when n is c*rest with a finite numeric c, else (1, n)."""
    op = n.op
    if op == "mul":
        first = n.args[0]
        c = number(first) if first.op == "const" else None
        if c is not None:
            return c, n.args[1]
    elif op == "neg":
        c, rest = coefficient(n.args[0])
        return -c, rest
    return ONE, n


def power_of(n: Node):
    """(base, exponent) when n is base^c with a finite numeric c, else (n, 1)."""
    if n.op == "pow" and number(n.args[1]) is not None:
        return n.args[0], number(n.args[1])
    return n, ONE


def scaled(c: int | Fraction, rest: Node, shape) -> Node:
    if c == 0:
        return rest.graph.zeros(shape)
    if c == 1:
        return keep_shape(rest, shape)
    if c == -1:
        return keep_shape(apply("neg", rest), shape)
    return keep_shape(apply("mul", rest.graph.const(c), rest), shape)


TERM_LIMIT = 8  # most terms a sum is flattened into when collecting like terms


def linear_terms(n: Node):
    """n as [(coefficient, term)] plus a numeric constant, or None past TERM_LIMIT terms.

    Walks through +, -, unary minus and numeric factors (`2*(x + 1)` gives 2*x and 2).
    """
    terms: list = []
    constant: int | Fraction = 0
    stack: list[tuple[Node, int | Fraction]] = [(n, ONE)]
    while stack:
        m, w = stack.pop()
        op = m.op
        if op == "add" or op == "sub":
            stack.append((m.args[1], w if op == "add" else -w))
            stack.append((m.args[0], w))
        elif op == "neg":
            stack.append((m.args[0], -w))
        else:
            c = number(m) if op == "const" else None
            if c is not None:
                constant += w * c
            else:
                first = m.args[0] if op == "mul" else None
                c = number(first) if first is not None and first.op == "const" else None
                if c is not None:
                    stack.append((m.args[1], w * c))
                else:
                    terms.append((w, m))
        if len(terms) + len(stack) > TERM_LIMIT:
            return None
    return terms, constant


def like_term(t: Node):
    """What makes two terms alike: the node (its id), or for a product its factors in any order
    (the ids in ascending order: a pair never equals an int)."""
    if t.op != "mul":
        return id(t)
    i, j = id(t.args[0]), id(t.args[1])
    return (i, j) if i <= j else (j, i)


def collect(a: Node, b: Node, sign: int, shape):
    """a + sign*b with like terms combined, or None when nothing combines."""
    ta, tb = linear_terms(a), linear_terms(b)
    if ta is None or tb is None:
        return None
    merged: dict = {}
    for w, t in ta[0] + [(sign * w, t) for w, t in tb[0]]:
        key = like_term(t)
        total, first = merged.get(key, (0, t))
        merged[key] = (total + w, first)
    count = len(ta[0]) + len(tb[0]) + (ta[1] != 0) + (tb[1] != 0)
    constant = ta[1] + sign * tb[1]
    kept = [(w, t) for w, t in merged.values() if w != 0]
    if len(kept) + (constant != 0) >= count:
        return None
    total = None
    for w, t in kept + ([(constant, None)] if constant != 0 else []):
        term = a.graph.const(abs(w)) if t is None else scaled(abs(w), t, t.shape)
        if total is None:
            total = term if w > 0 else apply("neg", term)
        else:
            total = apply("add" if w > 0 else "sub", total, term)
    return a.graph.zeros(shape) if total is None else keep_shape(total, shape)


def _signed(n: Node) -> bool:
    return coefficient(n)[0] < 0 or (n.is_const and n.value < 0)


def _negative(n: Node) -> bool:
    """n carries a leading minus: -a, -2*a, a negative number, or (-p)/q."""
    return _signed(n) or (n.op == "div" and _signed(n.args[0]))


def _minus(n: Node) -> Node:
    if n.op == "div":
        return apply("div", _minus(n.args[0]), n.args[1]) if _signed(n.args[0]) else apply("neg", n)
    if n.is_const:
        value = exact(n)
        return n.graph.const(-n.value if not value else -value, n.shape)  # -0.0 stays a float
    return apply("neg", n)


def simplify_add(args, payload, shape):
    a, b = args
    if is_zero(a):
        return keep_shape(b, shape)
    if is_zero(b):
        return keep_shape(a, shape)
    if _negative(b):
        return keep_shape(apply("sub", a, _minus(b)), shape)
    return collect(a, b, 1, shape)


def simplify_sub(args, payload, shape):
    a, b = args
    if is_zero(b):
        return keep_shape(a, shape)
    if is_zero(a):
        return keep_shape(apply("neg", b), shape)
    if _negative(b):
        return keep_shape(apply("add", a, _minus(b)), shape)
    return collect(a, b, -1, shape)


def simplify_mul(args, payload, shape):
    a, b = args
    a_const, b_const = a.op == "const", b.op == "const"  # is_zero and is_one, inlined
    if (a_const and a.payload[0] == 0.0) or (b_const and b.payload[0] == 0.0):
        return a.graph.zeros(shape)
    if a_const and a.payload[0] == 1.0:
        return keep_shape(b, shape)
    if b_const and b.payload[0] == 1.0:
        return keep_shape(a, shape)
    if b_const and b.shape == () and not a_const:
        return apply("mul", b, a)  # numeric coefficient first: 2*x, never x*2
    (ca, ra), (cb, rb) = coefficient(a), coefficient(b)
    if a_const and a.shape == ():
        return scaled(number(a) * cb, rb, shape) if cb != 1 and number(a) is not None else None
    if ca != 1 or cb != 1:
        return scaled(ca * cb, apply("mul", ra, rb), shape)
    if b.op == "div":  # a*(p/q) -> (a*p)/q, so 1/q factors read as divisions
        return keep_shape(apply("div", apply("mul", a, b.args[0]), b.args[1]), shape)
    if a.op == "div":
        return keep_shape(apply("div", apply("mul", a.args[0], b), a.args[1]), shape)
    (ba, ea), (bb, eb) = power_of(a), power_of(b)
    if ba is bb and not ba.is_const:
        return keep_shape(apply("pow", ba, a.graph.const(ea + eb)), shape)
    return None


def simplify_div(args, payload, shape):
    a, b = args
    if is_zero(b):
        return None  # keep x/0 as written: evaluation gives inf or nan and the report names it
    if is_one(b):
        return keep_shape(a, shape)
    if is_zero(a):
        return a.graph.zeros(shape)
    if a is b and not a.is_const:
        return a.graph.const(1.0, shape)  # x/x -> 1 (the original is nan only at x = 0, +-inf)
    (ca, ra), (cb, rb) = coefficient(a), coefficient(b)
    if b.is_const and b.shape == ():  # keep x/3 (exact), pull a coefficient: (6*x)/3 -> 2*x
        if ca == -1:
            return keep_shape(apply("neg", apply("div", ra, b)), shape)
        return scaled(ratio(ca, number(b)), ra, shape) if ca != 1 and number(b) else None
    if a.is_const and a.shape == ():  # keep 1/(2*y); only a sign moves out: 1/(-y) -> -1/y
        return keep_shape(apply("div", _minus(a), rb), shape) if cb == -1 else None
    if (ca != 1 or cb != 1) and cb != 0:
        return scaled(ratio(ca, cb), apply("div", ra, rb), shape)
    if a.op == "div":  # (p/q)/b -> p/(q*b)
        return keep_shape(apply("div", a.args[0], apply("mul", a.args[1], b)), shape)
    return None


def simplify_neg(args, payload, shape):
    (a,) = args
    if a.op == "neg":
        return a.args[0]
    if a.op == "mul":
        c = number(a.args[0])
        if c is not None:
            return scaled(-c, a.args[1], shape)
    if a.op == "sub":
        return apply("sub", a.args[1], a.args[0])
    if a.op == "div" and _signed(a.args[0]):  # -((-1)/q) -> 1/q
        return keep_shape(_minus(a), shape)
    return None


def simplify_pow(args, payload, shape):
    a, b = args
    if is_zero(b):
        return a.graph.const(1.0, shape)  # x^0 = 1 everywhere, as numpy (nan^0 = 1)
    if is_one(b):
        return keep_shape(a, shape)
    if is_one(a):
        return a.graph.const(1.0, shape)
    outer = number(b)
    inner = number(a.args[1]) if a.op == "pow" else None
    if inner is not None and outer is not None and outer.denominator == 1:
        return keep_shape(apply("pow", a.args[0], a.graph.const(inner * outer)), shape)
    return None


def simplify_where(args, payload, shape):
    c, a, b = args
    if c.is_const:
        return keep_shape(a if c.value != 0 else b, shape)
    if a is b:
        return keep_shape(a, shape)
    return None


def simplify_broadcast(args, payload, shape):
    (a,) = args
    if a.shape == shape:
        return a
    if a.is_const:
        return a.graph.const(a.value, shape)
    return None


def simplify_sum_to(args, payload, shape):
    (a,) = args
    if a.shape == shape:
        return a
    if a.is_const:  # each result element sums this many equal elements
        return a.graph.const(a.value * (a.size // max(math.prod(shape), 1)), shape)
    return None


def simplify_expand(args, payload, shape):
    (a,) = args
    return a.graph.const(a.value, shape) if a.is_const else None


def simplify_sum(args, payload, shape):
    (a,) = args
    if payload == 0:
        return a
    if is_zero(a):
        return a.graph.zeros(shape)
    return None

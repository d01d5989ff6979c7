"""The op table: every operation defined once.

An entry gives the op's shape rule, its forward rule on an array namespace (`ev.xp`: numpy by
default, any namespace with the same functions otherwise), its derivative rule (a
vector-Jacobian product that BUILDS graph nodes, so derivatives are graphs and can be
differentiated again), its PyTorch-style `grad_fn` name, how it prints, and its doc line.

Forward rules address axes from the right: evaluation may add leading batch axes (many points
at once), so the static shape of a node describes its trailing axes.

`FUNCTIONS` maps the names a user may call to builders; a new function needs one `Op` entry
and one line there, nothing in the grammar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from . import graph as G
from .errors import DiffcliError, ShapeError
from .graph import Node, apply, broadcast_shapes, const, is_one, is_zero, zeros


@dataclass
class Op:
    name: str
    arity: int | None  # None: any number of arguments
    forward: Callable
    vjp: Callable | None  # (node, g, needs) -> one contribution (or None) per argument
    doc: str
    shape: Callable = None  # (arg shapes, payload) -> shape; default: broadcast
    elementwise: bool = True
    simplify: Callable | None = None  # (args, payload, shape) -> Node | None
    grad_fn: str = ""
    syntax: tuple = ()  # ("infix", symbol, precedence) / ("prefix", symbol, precedence) / ()
    latex: str = ""  # format string over the printed arguments
    domain: tuple = (-2.0, 2.0)  # where tests sample the arguments (derivative defined there)
    user: bool = True  # callable by name from an expression
    kinks: tuple = ()  # Kink entries: points where the op is not differentiable (set below)
    # Per argument, d(output)/d(argument) as diffcli text for `explain`, over the arguments x (one)
    # or a, b, c, the output y, and n (elements reduced into each output element); a text that
    # names the incoming adjoint g is the whole contribution; an op of any arity has one text,
    # with i for the argument's position. tests/test_explain.py checks each against `vjp`.
    local: tuple = ()

    def __post_init__(self):
        if self.shape is None:
            self.shape = lambda shapes, payload: broadcast_shapes(shapes, f"`{self.name}`")
        if not self.grad_fn:
            self.grad_fn = self.name.title().replace("_", "") + "Backward0"
        if not self.latex:  # LaTeX has its own commands for the classic functions
            command = LATEX_NAMES.get(self.name, "\\operatorname{{%s}}" % self.name)
            self.latex = "%s\\left(%s\\right)" % (command, "{0}")


@dataclass(frozen=True)
class Kink:
    """A point where an op has no derivative: what each side gives, what diffcli returns.

    `on(node)` builds a node that is nonzero where the node's inputs sit on the kink (None when
    the kink cannot be located, e.g. a `where` whose condition is not a comparison). `left` and
    `right` are the one-sided derivatives (tests check them by one-sided differences on `case`),
    `torch` and `jax` what those frameworks return there (checked when they are installed).
    """

    at: str  # where, in the op's argument names: "x = 0"
    on: Callable
    left: str
    right: str
    rule: str  # the convention diffcli follows there
    case: tuple  # (expression, --at point, variable element): the README table's example
    torch: str = ""
    jax: str = ""


OPS: dict[str, Op] = G.REGISTRY
LATEX_NAMES = {name: "\\" + name for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh")}
LATEX_NAMES.update(asin="\\arcsin", acos="\\arccos", atan="\\arctan")


def register(op: Op) -> Op:
    OPS[op.name] = op
    return op


# ---------------------------------------------------------------- helpers used by rules


def where(c: Node, a, b) -> Node:
    return apply("where", c, G.lift(a), G.lift(b))


def compare(op: str, a, b) -> Node:
    return apply(op, G.lift(a), G.lift(b))


def call(name: str, *args) -> Node:
    return apply(name, *[G.lift(a) for a in args])


def axes(k: int) -> tuple:
    return tuple(range(-k, 0))


def expand(x: Node, k: int) -> Node:
    """x with k trailing axes of length 1, so a reduced adjoint broadcasts back."""
    return apply("expand", x, payload=k) if k else x


def reduce_sum(x: Node, k: int) -> Node:
    return apply("sum", x, payload=k) if k else x


def keep_shape(n: Node, shape) -> Node:
    """n, broadcast to `shape` when simplification dropped axes."""
    return n if n.shape == shape else apply("broadcast_to", n, payload=tuple(shape))


def fit_shape(c: Node, shape) -> Node:
    """An adjoint contribution made to match its input's shape (undo broadcasting)."""
    if c.shape == tuple(shape):
        return c
    extra = len(c.shape) - len(shape)
    if extra > 0 or any(t == 1 and s != 1 for s, t in zip(c.shape[max(extra, 0):], shape)):
        c = apply("sum_to", c, payload=tuple(shape))
    return keep_shape(c, tuple(shape))


def coefficient(n: Node):
    """(c, rest) when n is c*rest with a numeric c, else (1, n)."""
    if n.op == "mul" and n.args[0].is_const and n.args[0].shape == ():
        return n.args[0].value, n.args[1]
    if n.op == "neg":
        c, rest = coefficient(n.args[0])
        return -c, rest
    return 1.0, n


def power_of(n: Node):
    """(base, exponent) when n is base^c with numeric c, else (n, 1)."""
    if n.op == "pow" and n.args[1].is_const and n.args[1].shape == ():
        return n.args[0], n.args[1].value
    return n, 1.0


def scaled(c: float, rest: Node, shape) -> Node:
    if c == 0:
        return zeros(shape)
    if c == 1:
        return keep_shape(rest, shape)
    if c == -1:
        return keep_shape(apply("neg", rest), shape)
    return keep_shape(apply("mul", const(c), rest), shape)


# ---------------------------------------------------------------- simplification rules
#
# Each rule returns an equivalent node or None (keep the node as built). A rule may change a
# value only where the original is undefined (nan/inf inputs, 0/0, x^0.5 of a negative x),
# and up to rounding: `x - x` -> 0, `x*x^-1` -> 1 (x^0) and `x/x` -> 1 differ from the
# original only at x = 0 or x = +-inf, where the original is nan. Rules that restructure a
# node build O(1) new nodes, so a derivative DAG stays within a constant factor of its function.

TERM_LIMIT = 8  # most terms a sum is flattened into when collecting like terms


def linear_terms(n: Node):
    """n as [(coefficient, term)] plus a numeric constant, or None past TERM_LIMIT terms.

    Walks through +, -, unary minus and numeric factors (`2*(x + 1)` gives 2*x and 2).
    """
    terms: list = []
    constant = 0.0
    stack = [(n, 1.0)]
    while stack:
        m, w = stack.pop()
        if m.op in ("add", "sub"):
            stack.append((m.args[1], w if m.op == "add" else -w))
            stack.append((m.args[0], w))
        elif m.op == "neg":
            stack.append((m.args[0], -w))
        elif m.is_const:
            constant += w * m.value
        elif m.op == "mul" and m.args[0].is_const and m.args[0].shape == ():
            stack.append((m.args[1], w * m.args[0].value))
        else:
            terms.append((w, m))
        if len(terms) + len(stack) > TERM_LIMIT:
            return None
    return terms, constant


def like_term(t: Node):
    """What makes two terms alike: the node, or for a product its factors in any order."""
    return ("mul", frozenset((id(t.args[0]), id(t.args[1])))) if t.op == "mul" else id(t)


def collect(a: Node, b: Node, sign: float, shape):
    """a + sign*b with like terms combined, or None when nothing combines."""
    ta, tb = linear_terms(a), linear_terms(b)
    if ta is None or tb is None:
        return None
    merged: dict = {}
    for w, t in ta[0] + [(sign * w, t) for w, t in tb[0]]:
        key = like_term(t)
        total, first = merged.get(key, (0.0, t))
        merged[key] = (total + w, first)
    count = len(ta[0]) + len(tb[0]) + (ta[1] != 0) + (tb[1] != 0)
    constant = ta[1] + sign * tb[1]
    kept = [(w, t) for w, t in merged.values() if w != 0]
    if len(kept) + (constant != 0) >= count:
        return None
    total = None
    for w, t in kept + ([(constant, None)] if constant != 0 else []):
        term = const(abs(w)) if t is None else scaled(abs(w), t, t.shape)
        if total is None:
            total = term if w > 0 else apply("neg", term)
        else:
            total = apply("add" if w > 0 else "sub", total, term)
    return zeros(shape) if total is None else keep_shape(total, shape)


def _signed(n: Node) -> bool:
    return coefficient(n)[0] < 0 or (n.is_const and n.value < 0)


def _negative(n: Node) -> bool:
    """n carries a leading minus: -a, -2*a, a negative number, or (-p)/q."""
    return _signed(n) or (n.op == "div" and _signed(n.args[0]))


def _minus(n: Node) -> Node:
    if n.op == "div":
        return apply("div", _minus(n.args[0]), n.args[1]) if _signed(n.args[0]) else apply("neg", n)
    return const(-n.value, n.shape) if n.is_const else apply("neg", n)


def simplify_add(args, payload, shape):
    a, b = args
    if is_zero(a):
        return keep_shape(b, shape)
    if is_zero(b):
        return keep_shape(a, shape)
    if _negative(b):
        return keep_shape(apply("sub", a, _minus(b)), shape)
    return collect(a, b, 1.0, shape)


def simplify_sub(args, payload, shape):
    a, b = args
    if is_zero(b):
        return keep_shape(a, shape)
    if is_zero(a):
        return keep_shape(apply("neg", b), shape)
    if _negative(b):
        return keep_shape(apply("add", a, _minus(b)), shape)
    return collect(a, b, -1.0, shape)


def simplify_mul(args, payload, shape):
    a, b = args
    if is_zero(a) or is_zero(b):
        return zeros(shape)
    if is_one(a):
        return keep_shape(b, shape)
    if is_one(b):
        return keep_shape(a, shape)
    if b.is_const and b.shape == () and not a.is_const:
        return apply("mul", b, a)  # numeric coefficient first: 2*x, never x*2
    (ca, ra), (cb, rb) = coefficient(a), coefficient(b)
    if a.is_const and a.shape == ():
        return scaled(a.value * cb, rb, shape) if cb != 1 else None
    if ca != 1 or cb != 1:
        return scaled(ca * cb, apply("mul", ra, rb), shape)
    if b.op == "div":  # a*(p/q) -> (a*p)/q, so 1/q factors read as divisions
        return keep_shape(apply("div", apply("mul", a, b.args[0]), b.args[1]), shape)
    if a.op == "div":
        return keep_shape(apply("div", apply("mul", a.args[0], b), a.args[1]), shape)
    (ba, ea), (bb, eb) = power_of(a), power_of(b)
    if ba is bb and not ba.is_const:
        return keep_shape(apply("pow", ba, const(ea + eb)), shape)
    return None


def simplify_div(args, payload, shape):
    a, b = args
    if is_zero(b):
        return None  # keep x/0 as written: evaluation gives inf or nan and the report names it
    if is_one(b):
        return keep_shape(a, shape)
    if is_zero(a):
        return zeros(shape)
    if a is b and not a.is_const:
        return const(1.0, shape)  # x/x -> 1 (the original is nan only at x = 0, +-inf)
    (ca, ra), (cb, rb) = coefficient(a), coefficient(b)
    if b.is_const and b.shape == ():  # keep x/3 (exact), pull a coefficient: (6*x)/3 -> 2*x
        if ca == -1:
            return keep_shape(apply("neg", apply("div", ra, b)), shape)
        return scaled(ca / b.value, ra, shape) if ca != 1 else None
    if a.is_const and a.shape == ():  # keep 1/(2*y); only a sign moves out: 1/(-y) -> -1/y
        return keep_shape(apply("div", const(-a.value), rb), shape) if cb == -1 else None
    if (ca != 1 or cb != 1) and cb != 0:
        return scaled(ca / cb, apply("div", ra, rb), shape)
    if a.op == "div":  # (p/q)/b -> p/(q*b)
        return keep_shape(apply("div", a.args[0], apply("mul", a.args[1], b)), shape)
    return None


def simplify_neg(args, payload, shape):
    (a,) = args
    if a.op == "neg":
        return a.args[0]
    if a.op == "mul" and a.args[0].is_const:
        return scaled(-a.args[0].value, a.args[1], shape)
    if a.op == "sub":
        return apply("sub", a.args[1], a.args[0])
    if a.op == "div" and _signed(a.args[0]):  # -((-1)/q) -> 1/q
        return keep_shape(_minus(a), shape)
    return None


def simplify_pow(args, payload, shape):
    a, b = args
    if is_zero(b):
        return const(1.0, shape)  # x^0 = 1 everywhere, as numpy (nan^0 = 1)
    if is_one(b):
        return keep_shape(a, shape)
    if is_one(a):
        return const(1.0, shape)
    if a.op == "pow" and b.is_const and float(b.value).is_integer() and a.args[1].is_const:
        return keep_shape(apply("pow", a.args[0], const(a.args[1].value * b.value)), shape)
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
        return const(a.value, shape)
    return None


def simplify_sum_to(args, payload, shape):
    (a,) = args
    if a.shape == shape:
        return a
    if a.is_const:  # each result element sums this many equal elements
        return const(a.value * (a.size // max(math.prod(shape), 1)), shape)
    return None


def simplify_expand(args, payload, shape):
    (a,) = args
    return const(a.value, shape) if a.is_const else None


def simplify_sum(args, payload, shape):
    (a,) = args
    if payload == 0:
        return a
    if is_zero(a):
        return zeros(shape)
    return None


# ---------------------------------------------------------------- forward helpers


def fn(name: str):
    """Forward rule that calls xp.<name> on the inputs (tagged so the batch evaluator can call
    the same ufunc with `out=`)."""
    rule = lambda ev, n, *xs: getattr(ev.xp, name)(*xs)  # noqa: E731
    rule.ufunc = name
    return rule


def as_float(ev, mask):
    return ev.xp.astype(mask, ev.dtype) if hasattr(ev.xp, "astype") else mask.astype(ev.dtype)


def _sigmoid(ev, n, x):
    xp = ev.xp
    e = xp.exp(-xp.abs(x))  # never overflows; each branch exact at its own end
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _logsumexp(ev, n, x):
    xp = ev.xp
    m = xp.max(x, axis=-1, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.sum(xp.exp(x - m), axis=-1)) + m[..., 0]


def _softmax(ev, n, x):
    xp = ev.xp
    m = xp.max(x, axis=-1, keepdims=True)
    e = xp.exp(x - xp.where(xp.isfinite(m), m, 0))
    return e / xp.sum(e, axis=-1, keepdims=True)


def _const(ev, n):
    value, shape = n.payload
    return ev.xp.full(shape, value, dtype=ev.dtype)


def _var(ev, n):
    raise AssertionError("variables are bound by the evaluator")


def _matmul(ev, n, a, b):
    xp = ev.xp
    da, db = len(n.args[0].shape), len(n.args[1].shape)
    if da == 1 and db == 1:
        return xp.sum(a * b, axis=-1)
    if da == 2 and db == 1:
        return xp.matmul(a, b[..., None])[..., 0]
    if da == 1 and db == 2:
        return xp.matmul(a[..., None, :], b)[..., 0, :]
    return xp.matmul(a, b)


def _matmul_shape(shapes, payload):
    sa, sb = shapes
    if not (1 <= len(sa) <= 2 and 1 <= len(sb) <= 2):
        raise ShapeError(f"`@` takes vectors and matrices, not shapes {sa} and {sb}")
    inner_a, inner_b = sa[-1], sb[0]
    if inner_a != inner_b:
        raise ShapeError(f"`@` needs matching inner sizes, got shapes {sa} and {sb}")
    from .limits import check_elements

    return check_elements(sa[:-1] + sb[1:])


def _matmul_vjp(n, g, needs):
    a, b = n.args
    da, db = len(a.shape), len(b.shape)
    if da == 1 and db == 1:
        return g * b, g * a
    if da == 2 and db == 1:
        return expand(g, 1) * b, apply("matmul", g, a)
    if da == 1 and db == 2:
        return apply("matmul", b, g), expand(a, 1) * g
    return (apply("matmul", g, apply("transpose", b)), apply("matmul", apply("transpose", a), g))


def _index_key(items, ndim: int) -> tuple:
    """A numpy key for `items` on the trailing `ndim` axes (leading batch axes untouched)."""
    picked = tuple(i if isinstance(i, int) else slice(*i) for i in items)
    return (Ellipsis,) + picked + (slice(None),) * (ndim - len(items))


def _index_shape(shapes, items):
    import numpy as np

    (shape,) = shapes
    if len(items) > len(shape):
        raise ShapeError(f"too many indices ({len(items)}) for a value of shape {shape}")
    probe = np.broadcast_to(np.empty(()), shape)
    try:
        return probe[tuple(i if isinstance(i, int) else slice(*i) for i in items)].shape
    except IndexError as e:
        raise ShapeError(f"index out of range: {e}") from None
    except ValueError as e:  # `x[::0]`
        raise ShapeError(f"bad slice: {e}: use a step such as x[::2] or x[::-1]") from None


def _scatter(ev, n, g):
    shape, items = n.payload
    xp = ev.xp
    batch = g.shape[: g.ndim - len(n.args[0].shape)]
    out = xp.zeros(tuple(batch) + tuple(shape), dtype=ev.dtype)
    out[_index_key(items, len(shape))] = g
    return out


def _stack(ev, n, *xs):
    xp = ev.xp
    inner = len(n.shape) - 1
    return xp.stack(xp.broadcast_arrays(*xs), axis=-(inner + 1))


def _stack_shape(shapes, payload):
    from .limits import MAX_RANK, check_elements

    shape = (len(shapes),) + broadcast_shapes(shapes, "list elements")
    if len(shape) > MAX_RANK:  # numpy's own limit is lower for some functions than for arrays
        raise ShapeError(f"a value may have at most {MAX_RANK} axes; this list nests {len(shape)} deep")
    return check_elements(shape)


def _sum_to(ev, n, x):
    target = n.payload
    source = n.args[0].shape
    xp = ev.xp
    lead = len(source) - len(target)
    if lead:
        x = xp.sum(x, axis=tuple(range(-len(source), -len(source) + lead)))
    keep = tuple(i - len(target) for i, (s, t) in enumerate(zip(source[lead:], target)) if t == 1 and s != 1)
    return xp.sum(x, axis=keep, keepdims=True) if keep else x


def _broadcast_to(ev, n, x):
    static = len(n.args[0].shape)
    batch = tuple(x.shape[: x.ndim - static])
    if batch and len(n.payload) > static:  # new axes go after the batch axes, not before them
        x = ev.xp.reshape(x, batch + (1,) * (len(n.payload) - static) + tuple(x.shape[len(batch):]))
    return ev.xp.broadcast_to(x, batch + tuple(n.payload))


def _reduced(shapes, k):
    (shape,) = shapes
    return shape[: len(shape) - k]


def _last_axis(shapes, payload):
    (shape,) = shapes
    if not shape:
        raise ShapeError("softmax and logsumexp need a vector (they act on the last axis)")
    return shape


def _extreme_vjp(n, g, needs):
    (x,) = n.args
    k = n.payload
    hit = compare("eq", x, expand(n, k))
    return (expand(g, k) * hit / expand(reduce_sum(hit, k), k),)


def _prod_vjp(n, g, needs):
    """prod of the others: out/x where x != 0; at a lone zero, the product of the rest."""
    (x,) = n.args
    k = n.payload
    zero = compare("eq", x, 0)
    rest = apply("prod", where(zero, 1, x), payload=k)
    lone = compare("eq", reduce_sum(zero, k), 1)
    at_zero = where(expand(lone, k), expand(rest, k), 0)
    return (expand(g, k) * where(zero, at_zero, expand(n, k) / x),)


def _reduce_forward(name):
    return lambda ev, n, x: getattr(ev.xp, name)(x, axis=axes(n.payload)) if n.payload else x


# ---------------------------------------------------------------- the table

LN2, LN10 = math.log(2.0), math.log(10.0)

for _op in [
    # leaves
    Op("const", 0, _const, None, "a number", shape=lambda s, p: p[1], elementwise=False, user=False),
    Op("var", 0, _var, None, "a variable bound by --at", shape=lambda s, p: p[1], elementwise=False, user=False),
    # arithmetic
    Op("add", 2, fn("add"), lambda n, g, _: (g, g), "a + b", simplify=simplify_add,
       syntax=("infix", "+", 2), latex="{0} + {1}", local=("1", "1")),
    Op("sub", 2, fn("subtract"), lambda n, g, _: (g, -g), "a - b", simplify=simplify_sub,
       syntax=("infix", "-", 2), latex="{0} - {1}", local=("1", "-1")),
    Op("mul", 2, fn("multiply"), lambda n, g, _: (g * n.args[1], g * n.args[0]), "a * b",
       simplify=simplify_mul, syntax=("infix", "*", 3), latex="{0} \\cdot {1}", local=("b", "a")),
    Op("div", 2, fn("divide"),
       lambda n, g, _: (g / n.args[1], -(g * n.args[0]) / n.args[1] ** 2), "a / b",
       simplify=simplify_div, syntax=("infix", "/", 3), latex="\\frac{{{0}}}{{{1}}}",
       domain=(0.5, 2.0), local=("1/b", "-a/b^2")),
    Op("neg", 1, fn("negative"), lambda n, g, _: (-g,), "-a", simplify=simplify_neg,
       syntax=("prefix", "-", 4), latex="-{0}", local=("-1",)),
    Op("pow", 2, fn("pow"),
       lambda n, g, needs: (
           g * n.args[1] * n.args[0] ** (n.args[1] - 1) if needs[0] else None,
           g * n * call("log", n.args[0]) if needs[1] else None),
       "a ^ b (also a ** b and pow(a, b)); a non-integer power of a negative base is nan",
       simplify=simplify_pow, syntax=("infix", "^", 5), latex="{{{0}}}^{{{1}}}", domain=(0.5, 2.0), local=("b*a^(b - 1)", "y*log(a)")),
    Op("matmul", 2, _matmul, _matmul_vjp, "a @ b: matrix and vector products",
       shape=_matmul_shape, elementwise=False, grad_fn="MmBackward0", syntax=("infix", "@", 3),
       latex="{0} {1}", user=False, local=("b", "a")),
    # elementary functions
    Op("sin", 1, fn("sin"), lambda n, g, _: (g * call("cos", n.args[0]),), "sine", local=("cos(x)",)),
    Op("cos", 1, fn("cos"), lambda n, g, _: (-(g * call("sin", n.args[0])),), "cosine", local=("-sin(x)",)),
    Op("tan", 1, fn("tan"), lambda n, g, _: (g / call("cos", n.args[0]) ** 2,), "tangent",
       domain=(-1.2, 1.2), local=("1/cos(x)^2",)),
    Op("asin", 1, fn("asin"), lambda n, g, _: (g / call("sqrt", 1 - n.args[0] ** 2),),
       "inverse sine", domain=(-0.9, 0.9), local=("1/sqrt(1 - x^2)",)),
    Op("acos", 1, fn("acos"), lambda n, g, _: (-(g / call("sqrt", 1 - n.args[0] ** 2)),),
       "inverse cosine", domain=(-0.9, 0.9), local=("-1/sqrt(1 - x^2)",)),
    Op("atan", 1, fn("atan"), lambda n, g, _: (g / (1 + n.args[0] ** 2),), "inverse tangent", local=("1/(1 + x^2)",)),
    Op("atan2", 2, fn("atan2"),
       lambda n, g, _: (g * n.args[1] / (n.args[0] ** 2 + n.args[1] ** 2),
                        -(g * n.args[0]) / (n.args[0] ** 2 + n.args[1] ** 2)),
       "atan2(y, x): the angle of the point (x, y)", domain=(0.5, 2.0), local=("b/(a^2 + b^2)", "-a/(a^2 + b^2)")),
    Op("sinh", 1, fn("sinh"), lambda n, g, _: (g * call("cosh", n.args[0]),), "hyperbolic sine", local=("cosh(x)",)),
    Op("cosh", 1, fn("cosh"), lambda n, g, _: (g * call("sinh", n.args[0]),), "hyperbolic cosine", local=("sinh(x)",)),
    Op("tanh", 1, fn("tanh"), lambda n, g, _: (g * (1 - n ** 2),), "hyperbolic tangent", local=("1 - y^2",)),
    Op("exp", 1, fn("exp"), lambda n, g, _: (g * n,), "e to the power x", latex="e^{{{0}}}", local=("y",)),
    Op("log", 1, fn("log"), lambda n, g, _: (g / n.args[0],),
       "natural logarithm; log(x, b) is the logarithm to base b", latex="\\ln\\left({0}\\right)",
       domain=(0.2, 3.0), local=("1/x",)),
    Op("log2", 1, fn("log2"), lambda n, g, _: (g / (LN2 * n.args[0]),), "base-2 logarithm",
       domain=(0.2, 3.0), grad_fn="Log2Backward0", latex="\\log_2\\left({0}\\right)", local=("1/(log(2)*x)",)),
    Op("log10", 1, fn("log10"), lambda n, g, _: (g / (LN10 * n.args[0]),), "base-10 logarithm",
       domain=(0.2, 3.0), grad_fn="Log10Backward0", latex="\\log_{{10}}\\left({0}\\right)", local=("1/(log(10)*x)",)),
    Op("log1p", 1, fn("log1p"), lambda n, g, _: (g / (1 + n.args[0]),),
       "log(1 + x), exact near 0", domain=(-0.5, 2.0), grad_fn="Log1PBackward0", local=("1/(1 + x)",)),
    Op("expm1", 1, fn("expm1"), lambda n, g, _: (g * call("exp", n.args[0]),),
       "exp(x) - 1, exact near 0", grad_fn="Expm1Backward0", local=("exp(x)",)),
    Op("sqrt", 1, fn("sqrt"), lambda n, g, _: (g / (2 * n),), "square root (derivative inf at 0)",
       domain=(0.2, 3.0), latex="\\sqrt{{{0}}}", local=("1/(2*y)",)),
    Op("cbrt", 1, fn("cbrt"), lambda n, g, _: (g / (3 * n ** 2),),
       "cube root, real for negative x", domain=(0.2, 3.0), latex="\\sqrt[3]{{{0}}}", local=("1/(3*y^2)",)),
    Op("abs", 1, fn("abs"), lambda n, g, _: (g * call("sign", n.args[0]),),
       "absolute value (derivative 0 at 0)", latex="\\left|{0}\\right|", local=("sign(x)",)),
    Op("sign", 1, fn("sign"), lambda n, g, _: (None,), "sign: -1, 0 or 1 (derivative 0)",
       grad_fn="SignBackward0", local=("0",)),
    Op("sigmoid", 1, _sigmoid, lambda n, g, _: (g * n * (1 - n),), "logistic 1/(1+exp(-x))",
       latex="\\sigma\\left({0}\\right)", local=("y*(1 - y)",)),
    Op("relu", 1, lambda ev, n, x: ev.xp.maximum(x, 0),
       lambda n, g, _: (where(compare("gt", n.args[0], 0), g, 0),),
       "max(x, 0) (derivative 0 at 0)", local=("x > 0",)),
    Op("softplus", 1, lambda ev, n, x: ev.xp.logaddexp(0, x),
       lambda n, g, _: (g * call("sigmoid", n.args[0]),), "log(1 + exp(x)), exact at both ends", local=("sigmoid(x)",)),
    Op("detach", 1, lambda ev, n, x: x, lambda n, g, _: (None,),
       "stop gradient: a constant to everything above it", grad_fn="", elementwise=True, local=("0",)),
    Op("maximum", 2, fn("maximum"),
       lambda n, g, _: (g * (compare("gt", *n.args) + 0.5 * compare("eq", *n.args)),
                        g * (compare("lt", *n.args) + 0.5 * compare("eq", *n.args))),
       "elementwise max(a, b) (a tie gives 1/2 to each)", user=False, local=("(a > b) + 0.5*(a == b)", "(a < b) + 0.5*(a == b)")),
    Op("minimum", 2, fn("minimum"),
       lambda n, g, _: (g * (compare("lt", *n.args) + 0.5 * compare("eq", *n.args)),
                        g * (compare("gt", *n.args) + 0.5 * compare("eq", *n.args))),
       "elementwise min(a, b) (a tie gives 1/2 to each)", user=False, local=("(a < b) + 0.5*(a == b)", "(a > b) + 0.5*(a == b)")),
    Op("clamp", 3, lambda ev, n, x, lo, hi: ev.xp.minimum(ev.xp.maximum(x, lo), hi),
       lambda n, g, _: (
           where(compare("lt", n.args[0], n.args[1]), 0, where(compare("gt", n.args[0], n.args[2]), 0, g)),
           where(compare("lt", n.args[0], n.args[1]), g, 0),
           where(compare("gt", n.args[0], n.args[2]), g, 0)),
       "clamp(x, lo, hi) (gradient 1 at the bounds, as PyTorch)", grad_fn="ClampBackward1", local=("where(a < b, 0, where(a > c, 0, 1))", "a < b", "a > c")),
    # piecewise
    Op("where", 3, lambda ev, n, c, a, b: ev.xp.where(c != 0, a, b),
       lambda n, g, _: (None, where(n.args[0], g, 0), where(n.args[0], 0, g)),
       "where(cond, a, b) (also if): a where cond holds, else b; only the chosen branch is differentiated",
       simplify=simplify_where, local=("0", "a != 0", "a == 0")),
    # reductions and vector ops (payload: how many trailing axes they reduce)
    Op("sum", 1, _reduce_forward("sum"), lambda n, g, _: (expand(g, n.payload),),
       "sum of all elements", shape=lambda s, k: _reduced(s, k), elementwise=False,
       simplify=simplify_sum, latex="\\sum {0}", local=("1",)),
    Op("mean", 1, _reduce_forward("mean"),
       lambda n, g, _: (expand(g, n.payload) / float(math.prod(n.args[0].shape[len(n.shape):])),),
       "mean of all elements", shape=lambda s, k: _reduced(s, k), elementwise=False, local=("1/n",)),
    Op("prod", 1, _reduce_forward("prod"), _prod_vjp,
       "product of all elements", shape=lambda s, k: _reduced(s, k), elementwise=False,
       domain=(0.5, 2.0), local=("where(x == 0, where(sum(x == 0) == 1, prod(where(x == 0, 1, x)), 0), y/x)",)),
    Op("norm", 1, lambda ev, n, x: ev.xp.sqrt(ev.xp.sum(x * x, axis=axes(n.payload))),
       lambda n, g, _: (n.args[0] * expand(where(compare("eq", n, 0), 0, g / n), n.payload),),
       "Euclidean (Frobenius) norm; norm(x, p) for other p (gradient 0 at 0)",
       shape=lambda s, k: _reduced(s, k), elementwise=False, grad_fn="NormBackward0",
       latex="\\left\\|{0}\\right\\|", local=("where(y == 0, 0, x/y)",)),
    Op("max", 1, _reduce_forward("max"), _extreme_vjp,
       "max(a, b) elementwise; max(v) the largest element (ties share the gradient)",
       shape=lambda s, k: _reduced(s, k), elementwise=False, grad_fn="MaxBackward1", local=("(x == y)/sum(x == y)",)),
    Op("min", 1, _reduce_forward("min"), _extreme_vjp,
       "min(a, b) elementwise; min(v) the smallest element (ties share the gradient)",
       shape=lambda s, k: _reduced(s, k), elementwise=False, grad_fn="MinBackward1", local=("(x == y)/sum(x == y)",)),
    Op("logsumexp", 1, _logsumexp,
       lambda n, g, _: (call("softmax", n.args[0]) * expand(g, 1),),
       "log(sum(exp(x))) over the last axis, max-shifted",
       shape=lambda s, p: _last_axis(s, p)[:-1], elementwise=False, local=("softmax(x)",)),
    Op("softmax", 1, _softmax,
       lambda n, g, _: (n * (g - expand(reduce_sum(g * n, 1), 1)),),
       "exp(x)/sum(exp(x)) over the last axis, max-shifted", shape=_last_axis, elementwise=False, local=("y*(g - sum(g*y))",)),
    # structure
    Op("index", 1, lambda ev, n, x: x[_index_key(n.payload, len(n.args[0].shape))],
       lambda n, g, _: (apply("scatter", g, payload=(n.args[0].shape, n.payload)),),
       "x[i], x[a:b], W[i, j]: numpy indexing", shape=lambda s, p: _index_shape(s, p),
       elementwise=False, grad_fn="IndexBackward0", user=False, local=("1",)),
    Op("scatter", 1, _scatter, lambda n, g, _: (apply("index", g, payload=n.payload[1]),),
       "zeros with the argument placed at an index", shape=lambda s, p: tuple(p[0]),
       elementwise=False, user=False, local=("1",)),
    Op("stack", None, _stack, lambda n, g, _: tuple(apply("index", g, payload=(i,)) for i in range(len(n.args))),
       "[a, b, c]: a vector (or a list of outputs)", shape=_stack_shape, elementwise=False, user=False, local=("g[i]",)),
    Op("transpose", 1, lambda ev, n, x: ev.xp.matrix_transpose(x),
       lambda n, g, _: (apply("transpose", g),), "matrix transpose",
       shape=lambda s, p: s[0][:-2] + s[0][-2:][::-1], elementwise=False, grad_fn="TBackward0",
       latex="{{{0}}}^T", user=False, local=("1",)),
    Op("expand", 1, lambda ev, n, x: x[(Ellipsis,) + (None,) * n.payload],
       lambda n, g, _: (reduce_sum(g, n.payload),), "append axes of length 1",
       shape=lambda s, k: s[0] + (1,) * k, elementwise=False, grad_fn="UnsqueezeBackward0", user=False, local=("1",),
       simplify=simplify_expand),
    Op("sum_to", 1, _sum_to, lambda n, g, _: (g,), "sum a broadcast adjoint back to a shape",
       shape=lambda s, p: tuple(p), elementwise=False, simplify=simplify_sum_to, user=False, local=("1",)),
    Op("broadcast_to", 1, _broadcast_to, lambda n, g, _: (g,), "broadcast to a shape",
       shape=lambda s, p: tuple(p), elementwise=False, simplify=simplify_broadcast,
       grad_fn="ExpandBackward0", user=False, local=("1",)),
]:
    register(_op)

# ---------------------------------------------------------------- kinks (SPEC: PyTorch's rule)

CONVEX = "minimum-norm subgradient at a convex kink"
TIE = "a tie gives 1/2 to each side (minimum norm)"
LIMIT = "the limit, which is infinite"


def _at_zero(n: Node) -> Node:
    return compare("eq", n.args[0], 0)


def _tie(n: Node) -> Node:
    return compare("eq", *n.args)


def _extreme_tie(n: Node) -> Node:
    hits = reduce_sum(compare("eq", n.args[0], expand(n, n.payload)), n.payload)
    return compare("gt", hits, 1)


def _where_boundary(n: Node) -> Node | None:
    cond = n.args[0]
    if cond.op not in ("lt", "le", "gt", "ge", "eq", "ne"):
        return None
    return compare("eq", *cond.args)


for _name, _kinks in {
    "abs": [Kink("its argument is 0", _at_zero, "-1", "1", CONVEX, ("abs(x)", "x=0", "x"), "0", "1")],
    "relu": [Kink("its argument is 0", _at_zero, "0", "1", CONVEX, ("relu(x)", "x=0", "x"), "0", "0")],
    "sign": [Kink("its argument is 0", _at_zero, "inf", "inf", "sign' = 0 everywhere (it jumps at 0)",
                  ("sign(x)", "x=0", "x"), "0", "0")],
    "maximum": [Kink("a tie: max(a, b) with a = b; derivatives by a", _tie, "0", "1", TIE, ("max(x, y)", "x=1,y=1", "x"), "0.5", "0.5")],
    "minimum": [Kink("a tie: min(a, b) with a = b; derivatives by a", _tie, "1", "0", TIE, ("min(x, y)", "x=1,y=1", "x"), "0.5", "0.5")],
    "max": [Kink("a tie for the largest element", _extreme_tie, "0", "1", "ties share the gradient evenly",
                 ("max(x)", "x=[1,1]", "x[0]"), "0.5", "0.5")],
    "min": [Kink("a tie for the smallest element", _extreme_tie, "1", "0", "ties share the gradient evenly",
                 ("min(x)", "x=[1,1]", "x[0]"), "0.5", "0.5")],
    "clamp": [Kink("x at the lower bound", lambda n: compare("eq", n.args[0], n.args[1]), "0", "1",
                   "gradient 1 at the bounds, as PyTorch (not minimum norm)", ("clamp(x, 0, 1)", "x=0", "x"), "1", "0.5"),
              Kink("x at the upper bound", lambda n: compare("eq", n.args[0], n.args[2]), "1", "0",
                   "gradient 1 at the bounds, as PyTorch (not minimum norm)", ("clamp(x, 0, 1)", "x=1", "x"), "1", "0.5")],
    "sqrt": [Kink("its argument is 0", _at_zero, "undefined", "inf", LIMIT, ("sqrt(x)", "x=0", "x"), "inf", "inf")],
    "norm": [Kink("its argument is 0", lambda n: compare("eq", n, 0), "-1", "1", CONVEX + " (gradient 0)",
                  ("norm(x)", "x=[0,0]", "x[0]"), "0", "nan")],
    "where": [Kink("the boundary of its condition", _where_boundary, "the lower branch's", "the upper branch's",
                   "the branch the condition picks; the other is not differentiated",
                   ("where(x > 0, x^2, x)", "x=0", "x"), "1", "1")],
}.items():
    OPS[_name].kinks = tuple(_kinks)

COMPARISONS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
for _symbol, _name in COMPARISONS.items():
    register(Op(_name, 2, (lambda np_name: lambda ev, n, a, b: as_float(ev, getattr(ev.xp, np_name)(a, b)))(
        {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
         "eq": "equal", "ne": "not_equal"}[_name]),
        lambda n, g, _: (None, None), f"a {_symbol} b: 1 where it holds, else 0 (no gradient, requires_grad false)",
        syntax=("infix", _symbol, 1), latex="{0} %s {1}" % _symbol.replace("<=", "\\le").replace(">=", "\\ge").replace("!=", "\\ne").replace("==", "="),
        user=False, local=("0", "0")))


# ---------------------------------------------------------------- callable names


def _reduction(op: str):
    def build(x):
        return G.node(op, (x,), len(x.shape))

    return build


def _log(x, base=None):
    if base is None:
        return G.node("log", (x,))
    return G.node("div", (G.node("log", (x,)), G.node("log", (base,))))


def _min_max(op: str, elementwise: str):
    def build(a, b=None):
        if b is None:
            if not a.shape:
                raise ShapeError(f"{op}(v) with one argument needs a vector; use {op}(a, b) for two numbers")
            return G.node(op, (a,), len(a.shape))
        return G.node(elementwise, (a, b))

    return build


def _norm(x, p=None):
    if p is None:
        return G.node("norm", (x,), len(x.shape))
    if not p.is_const:
        raise DiffcliError("norm(x, p) needs a number for p, such as norm(x, 1)")
    if not (p.value > 0 and math.isfinite(p.value)):  # 1/p below: p = 0 divided by zero
        raise DiffcliError(f"norm(x, p) needs a positive finite p, such as norm(x, 1), not {p.value:g}")
    return G.node("pow", (_reduction("sum")(G.node("pow", (G.node("abs", (x,)), p))), const(1.0 / p.value)))


def _dot(a, b):
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise ShapeError(f"dot(a, b) takes two vectors, got shapes {a.shape} and {b.shape}; use @ for matrices")
    return G.node("matmul", (a, b))


def _simple(op: str):
    return lambda *args: G.node(op, args)


# name -> (fewest arguments, most arguments, builder)
FUNCTIONS: dict[str, tuple[int, int, Callable]] = {
    name: (op.arity, op.arity, _simple(name))
    for name, op in OPS.items()
    if op.user and op.elementwise and op.arity and not op.syntax
}
FUNCTIONS.update({
    "log": (1, 2, _log),
    "pow": (2, 2, _simple("pow")),
    "if": (3, 3, _simple("where")),
    "sum": (1, 1, _reduction("sum")),
    "mean": (1, 1, _reduction("mean")),
    "prod": (1, 1, _reduction("prod")),
    "norm": (1, 2, _norm),
    "dot": (2, 2, _dot),
    "max": (1, 2, _min_max("max", "maximum")),
    "min": (1, 2, _min_max("min", "minimum")),
    "logsumexp": (1, 1, lambda x: G.node("logsumexp", (x,))),
    "softmax": (1, 1, lambda x: G.node("softmax", (x,))),
})

CONSTANTS = {"pi": math.pi, "e": math.e}

"""Entries: piecewise functions (elementwise max/min, clamp, where), comparisons and detach."""

from __future__ import annotations

from diffcli.core.ops import kernels
from diffcli.core.ops.rules import at_zero, call, compare, tie, where, where_boundary, zero_if_none
from diffcli.core.ops.simplify import simplify_where
from diffcli.core.ops.table import Kink, Op, Print

TIE = "a tie gives 1/2 to each side (minimum norm)"
PYTORCH_CLAMP = "gradient 1 at the bounds, as PyTorch (not minimum norm)"


def share(first: str, second: str):
    """max/min of two: the gradient goes to the extreme argument, half each on a tie."""

    def vjp(n, g, _):
        half = 0.5 * compare("eq", *n.args)
        return g * (compare(first, *n.args) + half), g * (compare(second, *n.args) + half)

    return vjp


def clamp_vjp(n, g, _):
    x, lo, hi = n.args
    return (
        where(compare("lt", x, lo), 0, where(compare("gt", x, hi), 0, g)),
        where(compare("lt", x, lo), g, 0),
        where(compare("gt", x, hi), g, 0),
    )


ENTRIES = (
    Op(
        "detach",
        1,
        kernels.identity,
        lambda n, g, _: (None,),
        "stop gradient: a constant to everything above it",
        no_grad=True,
        linear=True,
    ),
    Op(
        "maximum",
        2,
        "maximum",
        share("gt", "lt"),
        "elementwise max(a, b) (a tie gives 1/2 to each)",
        user=False,
        print=Print("call", "max"),
        latex="\\max\\left({0}, {1}\\right)",
        kinks=(
            Kink(
                "a tie: max(a, b) with a = b; derivatives by a",
                tie,
                "0",
                "1",
                TIE,
                ("max(x, y)", "x=1,y=1", "x"),
                "0.5",
                "0.5",
            ),
        ),
    ),
    Op(
        "minimum",
        2,
        "minimum",
        share("lt", "gt"),
        "elementwise min(a, b) (a tie gives 1/2 to each)",
        user=False,
        print=Print("call", "min"),
        latex="\\min\\left({0}, {1}\\right)",
        kinks=(
            Kink(
                "a tie: min(a, b) with a = b; derivatives by a",
                tie,
                "1",
                "0",
                TIE,
                ("min(x, y)", "x=1,y=1", "x"),
                "0.5",
                "0.5",
            ),
        ),
    ),
    Op(
        "clamp",
        3,
        kernels.clamp,
        clamp_vjp,
        "clamp(x, lo, hi) (gradient 1 at the bounds, as PyTorch)",
        grad_fn=lambda n: "ClampBackward1" if n.args[1].is_const and n.args[2].is_const else "ClampBackward0",
        kinks=(
            Kink(
                "x at the lower bound",
                lambda n: compare("eq", n.args[0], n.args[1]),
                "0",
                "1",
                PYTORCH_CLAMP,
                ("clamp(x, 0, 1)", "x=0", "x"),
                "1",
                "0.5",
            ),
            Kink(
                "x at the upper bound",
                lambda n: compare("eq", n.args[0], n.args[2]),
                "1",
                "0",
                PYTORCH_CLAMP,
                ("clamp(x, 0, 1)", "x=1", "x"),
                "1",
                "0.5",
            ),
        ),
    ),
    Op(
        "where",
        3,
        kernels.where,
        lambda n, g, _: (None, where(n.args[0], g, 0), where(n.args[0], 0, g)),
        "where(cond, a, b) (also if): a where cond holds, else b; only the chosen branch is differentiated",
        simplify=simplify_where,
        linear=True,
        latex="\\begin{{cases}} {1} & \\text{{if }} {0} \\\\ {2} & \\text{{otherwise}} \\end{{cases}}",
        jvp=lambda n, ts: where(n.args[0], *zero_if_none(ts[1:], n.args[1:])),
        kinks=(
            Kink(
                "the boundary of its condition",
                where_boundary,
                "the lower branch's",
                "the upper branch's",
                "the branch the condition picks; the other is not differentiated",
                ("where(x > 0, x^2, x)", "x=0", "x"),
                "1",
                "1",
            ),
        ),
    ),
)


def jumps(name: str, doc: str, latex: str, on, left: str, right: str, where_text: str, case: str, **fields) -> Op:
    """A step function: derivative 0 everywhere, a kink at each jump."""
    return Op(
        name,
        1,
        name if name != "round" else "rint",
        lambda n, g, _: (None,),
        doc,
        latex=latex,
        grad_fn=name.title() + "Backward0",
        rule="step function",
        kinks=(
            Kink(
                where_text,
                on,
                left,
                right,
                f"{name}' = 0 everywhere (it jumps there)",
                (case, "x=1", "x") if name != "round" else (case, "x=0.5", "x"),
                "0",
                "0",
            ),
        ),
        **fields,
    )


def mod_vjp(n, g, _):
    a, b = n.args
    return g, -(g * call("floor", a / b))


def whole(n):
    return compare("eq", n.args[0], call("floor", n.args[0]))


ROUNDING = (
    jumps(
        "floor",
        "the largest whole number <= x (derivative 0)",
        "\\left\\lfloor {0} \\right\\rfloor",
        whole,
        "inf",
        "0",
        "its argument is a whole number",
        "floor(x)",
    ),
    jumps(
        "ceil",
        "the smallest whole number >= x (derivative 0)",
        "\\left\\lceil {0} \\right\\rceil",
        whole,
        "0",
        "inf",
        "its argument is a whole number",
        "ceil(x)",
    ),
    jumps(
        "round",
        "the nearest whole number, halves to even as numpy and PyTorch (derivative 0)",
        "\\operatorname{{round}}\\left({0}\\right)",
        lambda n: compare("eq", n.args[0] - call("floor", n.args[0]), 0.5),
        "0",
        "inf",
        "its argument is a whole number and a half",
        "round(x)",
        overrides={"array_api_strict": "round"},
    ),
    jumps(
        "trunc",
        "x rounded toward 0 (derivative 0)",
        "\\operatorname{{trunc}}\\left({0}\\right)",
        lambda n: whole(n) * compare("ne", n.args[0], 0),
        "inf",
        "0",
        "its argument is a whole number other than 0",
        "trunc(x)",
    ),
    Op(
        "heaviside",
        2,
        "heaviside",
        lambda n, g, _: (None, None),
        "heaviside(x): 0 below 0, 1 above, 1/2 at 0; heaviside(x, h0) gives h0 at 0 (derivative 0)",
        latex="\\theta\\left({0}, {1}\\right)",
        rule="step function",
        overrides={"array_api_strict": lambda dev, n, x, h: dev.xp.where(x > 0, 1.0, dev.xp.where(x < 0, 0.0, h))},
        kinks=(
            Kink(
                "its argument is 0",
                at_zero,
                "inf",
                "inf",
                "heaviside' = 0 everywhere (it jumps at 0)",
                ("heaviside(x)", "x=0", "x"),
            ),
        ),
    ),
    Op(
        "mod",
        2,
        "remainder",
        mod_vjp,
        "mod(a, b): a - b*floor(a/b), the sign of b (Python's %, numpy's mod)",
        latex="{0} \\bmod {1}",
        domain=(0.5, 2.0),
        rule="modulo",
        kinks=(
            Kink(
                "a is a multiple of b; derivatives by a",
                lambda n: compare("eq", n, 0),
                "-inf",
                "1",
                "1 in a and -floor(a/b) in b, the right-hand side's (it jumps down at multiples of b)",
                ("mod(x, 2)", "x=2", "x"),
            ),
        ),
    ),
)

# symbol -> (op name, numpy function, LaTeX symbol)
COMPARISONS = {
    "<": ("lt", "less", "<"),
    "<=": ("le", "less_equal", "\\le"),
    ">": ("gt", "greater", ">"),
    ">=": ("ge", "greater_equal", "\\ge"),
    "==": ("eq", "equal", "="),
    "!=": ("ne", "not_equal", "\\ne"),
}

COMPARISON_ENTRIES = tuple(
    Op(
        name,
        2,
        kernels.comparison(numpy_name),
        lambda n, g, _: (None, None),
        f"a {symbol} b: 1 where it holds, else 0 (no gradient, requires_grad false)",
        no_grad=True,
        print=Print("infix", symbol, "compare"),
        latex="{0} %s {1}" % latex,
        user=False,
    )
    for symbol, (name, numpy_name, latex) in COMPARISONS.items()
)

"""Entries: leaves (numbers, variables), + - * / unary minus, power, and `@`."""

from __future__ import annotations

import operator

from diffcli.core.graph import apply
from diffcli.core.ops import elements, kernels, shapes
from diffcli.core.ops.rules import call, compare, expand, where
from diffcli.core.ops.simplify import simplify_add, simplify_div, simplify_mul, simplify_neg, simplify_pow, simplify_sub
from diffcli.core.ops.table import Kink, Op, Print


def one_input_needs(n, needs) -> bool:
    """A product is linear when at most one factor depends on the variables."""
    return sum(1 for a in n.args if id(a) in needs) <= 1


def denominator_free(n, needs) -> bool:
    return id(n.args[1]) not in needs


def exact_div(a, b):
    return a / b if b else None


def exact_pow(a, b):
    """a^b for a whole b of moderate size (0^-1 has no exact value)."""
    if b.denominator != 1 or abs(b) > 64 or (a == 0 and b < 0):
        return None
    return a ** int(b)


def mul_vjp(n, g, needs):
    """Only the partials that are wanted (a product's constant factor needs none)."""
    a, b = n.args
    return (g * b if needs[0] else None, g * a if needs[1] else None)


def div_vjp(n, g, needs):
    a, b = n.args
    return (g / b if needs[0] else None, -(g * a) / b**2 if needs[1] else None)


def pow_vjp(n, g, needs):
    a, b = n.args
    by_base = None
    if needs[0]:
        by_base = g * b * a ** (b - 1)
        if not b.is_const:  # 0 at a = b = 0 (x^0 is 1), not 0 * 0^-1 = nan: PyTorch's pow_backward_self. Only
            # there: masking all of b = 0, as PyTorch does, would lose d2/dadb = 1/a at (a, 0)
            at_zero = compare("eq", a, 0)  # x^x: a and b are one node, and so is the condition
            by_base = where(at_zero if a is b else at_zero * compare("eq", b, 0), 0, by_base)
    return (by_base, g * n * call("log", replace_zero(a)) if needs[1] else None)


def replace_zero(a):
    """a with 0 replaced by 1 (autograd's replace_zero): d/db a^b = a^b*log(a) is then 0 where
    a = 0 and b >= 0, as the function is (0 for b > 0), not 0*log(0) = nan; PyTorch's
    pow_backward_exponent gives 0 there too. A number base needs no guard (it folds away)."""
    return where(compare("eq", a, 0), 1, a)


def base_zero(n):
    """Where pow's base is 0, for a power whose exponent is not a number (x^2 at 0 is smooth)."""
    return None if n.args[1].is_const else compare("eq", n.args[0], 0)


ZERO_BASE = "the exponent's derivative is 0 where the base is 0 (log 0 taken as 0: autograd's replace_zero; PyTorch)"


# PyTorch's names where they depend on the arguments; a number of the text is a Python scalar.
def pow_name(n) -> str:
    base, exponent = n.args
    return "PowBackward2" if base.is_const else "PowBackward0" if exponent.is_const else "PowBackward1"


def sub_name(n) -> str:
    return "RsubBackward1" if n.args[0].is_const else "SubBackward0"  # 2 - x is x.__rsub__(2)


def div_name(n) -> str:
    return "MulBackward0" if n.args[0].is_const else "DivBackward0"  # 2/x is x.reciprocal() * 2


def matmul_name(n) -> str:
    names: dict[tuple[int, ...], str] = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}
    return names.get(tuple(len(a.shape) for a in n.args), "MmBackward0")


def matmul_jvp(n, tangents):
    (a, b), (ta, tb) = n.args, tangents
    left = None if ta is None else apply("matmul", ta, b)
    right = None if tb is None else apply("matmul", a, tb)
    return right if left is None else left if right is None else apply("add", left, right)


def matmul_vjp(n, g, needs):
    a, b = n.args
    da, db = len(a.shape), len(b.shape)
    if da == 1 and db == 1:
        return g * b, g * a
    if da == 2 and db == 1:
        return expand(g, 1) * b, apply("matmul", g, a)
    if da == 1 and db == 2:
        return apply("matmul", b, g), expand(a, 1) * g
    return apply("matmul", g, apply("transpose", b)), apply("matmul", apply("transpose", a), g)


ENTRIES = (
    Op(
        "const",
        0,
        kernels.const,
        None,
        "a number",
        shape=shapes.leaf,
        elementwise=False,
        user=False,
        linear=True,
        print=Print("number"),
    ),
    Op(
        "var",
        0,
        kernels.var,
        None,
        "a variable bound by --at",
        shape=shapes.leaf,
        elementwise=False,
        user=False,
        linear=True,
        print=Print("name"),
    ),
    Op(
        "add",
        2,
        "add",
        lambda n, g, _: (g, g),
        "a + b",
        simplify=simplify_add,
        fold=operator.add,
        exact=operator.add,
        linear=True,
        print=Print("infix", "+", "sum"),
        latex="{0} + {1}",
        rule="sum",
    ),
    Op(
        "sub",
        2,
        "subtract",
        lambda n, g, needs: (g, -g if needs[1] else None),
        "a - b",
        simplify=simplify_sub,
        fold=operator.sub,
        exact=operator.sub,
        linear=True,
        grad_fn=sub_name,
        print=Print("infix", "-", "sum"),
        latex="{0} - {1}",
        rule="difference",
    ),
    Op(
        "mul",
        2,
        "multiply",
        mul_vjp,
        "a * b",
        simplify=simplify_mul,
        fold=operator.mul,
        exact=operator.mul,
        linear=one_input_needs,
        print=Print("infix", "*", "product"),
        latex="{0} \\cdot {1}",
        rule="product",
    ),
    Op(
        "div",
        2,
        "divide",
        div_vjp,
        "a / b",
        simplify=simplify_div,
        exact=exact_div,
        linear=denominator_free,
        grad_fn=div_name,
        print=Print("infix", "/", "product"),
        latex="\\frac{{{0}}}{{{1}}}",
        domain=(0.5, 2.0),
        defined="b != 0 (±inf or nan at 0)",
        rule="quotient",
    ),
    Op(
        "neg",
        1,
        "negative",
        lambda n, g, _: (-g,),
        "-a",
        simplify=simplify_neg,
        fold=operator.neg,
        exact=operator.neg,
        linear=True,
        print=Print("prefix", "-", "unary"),
        latex="-{0}",
        rule="constant multiple",
    ),
    Op(
        "pow",
        2,
        "pow",
        pow_vjp,
        "a ^ b (also a ** b and pow(a, b)); a non-integer power of a negative base is nan",
        simplify=simplify_pow,
        exact=exact_pow,
        kernel=kernels.special_power,
        grad_fn=pow_name,
        print=Print("infix", "^", "power"),
        latex="{{{0}}}^{{{1}}}",
        domain=(0.5, 2.0),
        defined="a > 0; a < 0 for whole b; a = 0 for b >= 0 (nan for a negative base and a non-integer b)",
        rule="power",
        kinks=(
            Kink(
                "its base is 0, the edge of its domain",
                base_zero,
                "0",
                "0",
                ZERO_BASE,
                ("x^y", "y=2,x=0", "y"),
                "0",
                "0",
            ),
        ),
    ),
    Op(
        "matmul",
        2,
        kernels.matmul,
        matmul_vjp,
        "a @ b: matrix and vector products",
        shape=shapes.matmul,
        elementwise=False,
        jvp=matmul_jvp,
        linear=one_input_needs,
        grad_fn=matmul_name,
        print=Print("infix", "@", "product"),
        latex="{0} {1}",
        user=False,
        elements=elements.matmul,
    ),
)

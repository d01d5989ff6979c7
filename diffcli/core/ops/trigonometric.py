"""Entries: the trigonometric functions (sin, cos, tan and their reciprocals sec, csc, cot) and
their inverses (asin ... acot, atan2), the first family `diffcli functions` lists."""

from __future__ import annotations

from diffcli.core.ops import kernels
from diffcli.core.ops.rules import at_zero, call
from diffcli.core.ops.table import Kink, Op


def one_over_root(n):
    return call("sqrt", 1 - n.args[0] ** 2)


def root_of_square_minus_one(n):
    """|x| sqrt(x^2 - 1): the denominator of asec' and acsc'."""
    x = n.args[0]
    return call("abs", x) * call("sqrt", x**2 - 1)


def atan2_vjp(n, g, needs):
    y, x = n.args
    return g * x / (y**2 + x**2), -(g * y) / (y**2 + x**2)


ENTRIES = (
    Op("sin", 1, "sin", lambda n, g, _: (g * call("cos", n.args[0]),), "sine", rule="trigonometric"),
    Op("cos", 1, "cos", lambda n, g, _: (-(g * call("sin", n.args[0])),), "cosine", rule="trigonometric"),
    Op(
        "tan",
        1,
        "tan",
        lambda n, g, _: (g / call("cos", n.args[0]) ** 2,),
        "tangent",
        domain=(-1.2, 1.2),
        defined="x not an odd multiple of pi/2",
        rule="trigonometric",
    ),
    Op(
        "sec",
        1,
        kernels.reciprocal_of("cos"),
        lambda n, g, _: (g * n * call("tan", n.args[0]),),
        "secant 1/cos(x)",
        domain=(-1.2, 1.2),
        defined="x not an odd multiple of pi/2",
        rule="trigonometric",
    ),
    Op(
        "csc",
        1,
        kernels.reciprocal_of("sin"),
        lambda n, g, _: (-(g * n * call("cot", n.args[0])),),
        "cosecant 1/sin(x)",
        domain=(0.3, 2.8),
        defined="x not a multiple of pi (inf at 0)",
        rule="trigonometric",
    ),
    Op(
        "cot",
        1,
        kernels.reciprocal_of("tan"),
        lambda n, g, _: (-(g * (1 + n**2)),),
        "cotangent 1/tan(x)",
        domain=(0.3, 2.8),
        defined="x not a multiple of pi (inf at 0)",
        rule="trigonometric",
    ),
    Op(
        "asin",
        1,
        "asin",
        lambda n, g, _: (g / one_over_root(n),),
        "inverse sine",
        domain=(-0.9, 0.9),
        defined="-1 <= x <= 1 (derivative inf at ±1)",
        aliases=("arcsin",),
        rule="inverse trigonometric",
    ),
    Op(
        "acos",
        1,
        "acos",
        lambda n, g, _: (-(g / one_over_root(n)),),
        "inverse cosine",
        domain=(-0.9, 0.9),
        defined="-1 <= x <= 1 (derivative inf at ±1)",
        aliases=("arccos",),
        rule="inverse trigonometric",
    ),
    Op(
        "atan",
        1,
        "atan",
        lambda n, g, _: (g / (1 + n.args[0] ** 2),),
        "inverse tangent",
        aliases=("arctan",),
        rule="inverse trigonometric",
    ),
    Op(
        "atan2",
        2,
        "atan2",
        atan2_vjp,
        "atan2(y, x): the angle of the point (x, y)",
        domain=(0.5, 2.0),
        defined="every point; 0 at (0, 0), where the derivative is nan",
        aliases=("arctan2",),
        rule="inverse trigonometric",
    ),
    Op(
        "asec",
        1,
        kernels.of_reciprocal("acos"),
        lambda n, g, _: (g / root_of_square_minus_one(n),),
        "inverse secant acos(1/x), for |x| >= 1",
        domain=(1.2, 3.0),
        defined="|x| >= 1 (derivative inf at ±1)",
        latex="\\operatorname{{arcsec}}\\left({0}\\right)",
        rule="inverse trigonometric",
    ),
    Op(
        "acsc",
        1,
        kernels.of_reciprocal("asin"),
        lambda n, g, _: (-(g / root_of_square_minus_one(n)),),
        "inverse cosecant asin(1/x), for |x| >= 1",
        domain=(1.2, 3.0),
        defined="|x| >= 1 (derivative inf at ±1)",
        latex="\\operatorname{{arccsc}}\\left({0}\\right)",
        rule="inverse trigonometric",
    ),
    Op(
        "acot",
        1,
        kernels.of_reciprocal("atan"),
        lambda n, g, _: (-(g / (1 + n.args[0] ** 2)),),
        "inverse cotangent atan(1/x) (as SymPy and mpmath: it jumps by pi at 0)",
        domain=(0.2, 2.0),
        latex="\\operatorname{{arccot}}\\left({0}\\right)",
        rule="inverse trigonometric",
        kinks=(
            Kink(
                "its argument is 0",
                at_zero,
                "inf",
                "-1",
                "-1/(1 + x^2), the derivative on both sides (acot jumps from -pi/2 to pi/2 at 0)",
                ("acot(x)", "x=0", "x"),
            ),
        ),
    ),
)

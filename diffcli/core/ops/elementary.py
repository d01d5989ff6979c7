"""Entries: the elementary functions (trigonometric, hyperbolic, exponential, logarithmic,
roots, abs and sign) and the activations of machine learning."""

from __future__ import annotations

import math

from diffcli.core.ops import kernels
from diffcli.core.ops.rules import at_zero, call, compare, where
from diffcli.core.ops.table import Kink, Op

CONVEX = "minimum-norm subgradient at a convex kink"
LIMIT = "the limit, which is infinite"


def one_over_root(n):
    return call("sqrt", 1 - n.args[0] ** 2)


def root_of_square_minus_one(n):
    """|x| sqrt(x^2 - 1): the denominator of asec' and acsc'."""
    x = n.args[0]
    return call("abs", x) * call("sqrt", x ** 2 - 1)


def hypot_vjp(n, g, needs):
    a, b = n.args
    if any(arg.is_const and arg.shape == () and arg.value != 0 for arg in n.args):  # never 0: x/hypot(x, 3)
        return g * a / n, g * b / n
    scale = where(compare("eq", n, 0), 0, g / n)
    return scale * a, scale * b


def atan2_vjp(n, g, needs):
    y, x = n.args
    return g * x / (y ** 2 + x ** 2), -(g * y) / (y ** 2 + x ** 2)


ENTRIES = (
    Op("sin", 1, "sin", lambda n, g, _: (g * call("cos", n.args[0]),), "sine", rule="trigonometric"),
    Op("cos", 1, "cos", lambda n, g, _: (-(g * call("sin", n.args[0])),), "cosine", rule="trigonometric"),
    Op("tan", 1, "tan", lambda n, g, _: (g / call("cos", n.args[0]) ** 2,), "tangent", domain=(-1.2, 1.2),
       defined="x not an odd multiple of pi/2", rule="trigonometric"),
    Op("sec", 1, kernels.reciprocal_of("cos"), lambda n, g, _: (g * n * call("tan", n.args[0]),),
       "secant 1/cos(x)", domain=(-1.2, 1.2), defined="x not an odd multiple of pi/2", rule="trigonometric"),
    Op("csc", 1, kernels.reciprocal_of("sin"), lambda n, g, _: (-(g * n * call("cot", n.args[0])),),
       "cosecant 1/sin(x)", domain=(0.3, 2.8), defined="x not a multiple of pi (inf at 0)", rule="trigonometric"),
    Op("cot", 1, kernels.reciprocal_of("tan"), lambda n, g, _: (-(g * (1 + n ** 2)),), "cotangent 1/tan(x)",
       domain=(0.3, 2.8), defined="x not a multiple of pi (inf at 0)", rule="trigonometric"),
    Op("asin", 1, "asin", lambda n, g, _: (g / one_over_root(n),), "inverse sine", domain=(-0.9, 0.9),
       defined="-1 <= x <= 1 (derivative inf at ±1)", aliases=("arcsin",), rule="inverse trigonometric"),
    Op("acos", 1, "acos", lambda n, g, _: (-(g / one_over_root(n)),), "inverse cosine", domain=(-0.9, 0.9),
       defined="-1 <= x <= 1 (derivative inf at ±1)", aliases=("arccos",), rule="inverse trigonometric"),
    Op("atan", 1, "atan", lambda n, g, _: (g / (1 + n.args[0] ** 2),), "inverse tangent", aliases=("arctan",),
       rule="inverse trigonometric"),
    Op("atan2", 2, "atan2", atan2_vjp, "atan2(y, x): the angle of the point (x, y)", domain=(0.5, 2.0),
       defined="every point; 0 at (0, 0), where the derivative is nan", aliases=("arctan2",),
       rule="inverse trigonometric"),
    Op("asec", 1, kernels.of_reciprocal("acos"), lambda n, g, _: (g / root_of_square_minus_one(n),),
       "inverse secant acos(1/x), for |x| >= 1", domain=(1.2, 3.0), defined="|x| >= 1 (derivative inf at ±1)",
       latex="\\operatorname{{arcsec}}\\left({0}\\right)", rule="inverse trigonometric"),
    Op("acsc", 1, kernels.of_reciprocal("asin"), lambda n, g, _: (-(g / root_of_square_minus_one(n)),),
       "inverse cosecant asin(1/x), for |x| >= 1", domain=(1.2, 3.0), defined="|x| >= 1 (derivative inf at ±1)",
       latex="\\operatorname{{arccsc}}\\left({0}\\right)", rule="inverse trigonometric"),
    Op("acot", 1, kernels.of_reciprocal("atan"), lambda n, g, _: (-(g / (1 + n.args[0] ** 2)),),
       "inverse cotangent atan(1/x) (as SymPy and mpmath: it jumps by pi at 0)", domain=(0.2, 2.0),
       latex="\\operatorname{{arccot}}\\left({0}\\right)", rule="inverse trigonometric",
       kinks=(Kink("its argument is 0", at_zero, "inf", "-1", "-1/(1 + x^2), the derivative on both sides "
                   "(acot jumps from -pi/2 to pi/2 at 0)", ("acot(x)", "x=0", "x")),)),
    Op("sinh", 1, "sinh", lambda n, g, _: (g * call("cosh", n.args[0]),), "hyperbolic sine",
       defined="every x (overflows to inf beyond ±710.5)", rule="hyperbolic"),
    Op("cosh", 1, "cosh", lambda n, g, _: (g * call("sinh", n.args[0]),), "hyperbolic cosine",
       defined="every x (overflows to inf beyond ±710.5)", rule="hyperbolic"),
    Op("tanh", 1, "tanh", lambda n, g, _: (g * (1 - n ** 2),), "hyperbolic tangent", rule="hyperbolic"),
    Op("sech", 1, kernels.reciprocal_of("cosh"), lambda n, g, _: (-(g * n * call("tanh", n.args[0])),),
       "hyperbolic secant 1/cosh(x)", rule="hyperbolic"),
    Op("csch", 1, kernels.reciprocal_of("sinh"), lambda n, g, _: (-(g * n * call("coth", n.args[0])),),
       "hyperbolic cosecant 1/sinh(x)", domain=(0.3, 2.0), defined="x != 0 (inf at 0)", rule="hyperbolic"),
    Op("coth", 1, kernels.reciprocal_of("tanh"), lambda n, g, _: (g * (1 - n ** 2),),
       "hyperbolic cotangent 1/tanh(x)", domain=(0.3, 2.0), defined="x != 0 (inf at 0)", rule="hyperbolic"),
    Op("asinh", 1, "asinh", lambda n, g, _: (g / call("sqrt", n.args[0] ** 2 + 1),), "inverse hyperbolic sine",
       aliases=("arcsinh",), latex="\\operatorname{{arsinh}}\\left({0}\\right)", rule="inverse hyperbolic"),
    Op("acosh", 1, "acosh", lambda n, g, _: (g / call("sqrt", n.args[0] ** 2 - 1),),
       "inverse hyperbolic cosine, for x >= 1", domain=(1.2, 3.0), defined="x >= 1 (derivative inf at 1)",
       aliases=("arccosh",), latex="\\operatorname{{arcosh}}\\left({0}\\right)", rule="inverse hyperbolic"),
    Op("atanh", 1, "atanh", lambda n, g, _: (g / (1 - n.args[0] ** 2),), "inverse hyperbolic tangent, for |x| < 1",
       domain=(-0.9, 0.9), defined="-1 < x < 1 (±inf at ±1)", aliases=("arctanh",),
       latex="\\operatorname{{artanh}}\\left({0}\\right)", rule="inverse hyperbolic"),
    Op("exp", 1, "exp", lambda n, g, _: (g * n,), "e to the power x", latex="e^{{{0}}}",
       defined="every x (overflows to inf above 709.78)", rule="exponential"),
    Op("exp2", 1, "exp2", lambda n, g, _: (g * n * call("log", n.graph.const(2)),), "2 to the power x",
       latex="2^{{{0}}}", defined="every x (overflows to inf from 1024)", rule="exponential",
       overrides={"array_api_strict": lambda dev, n, x: dev.xp.pow(2.0, x)}),
    Op("log", 1, "log", lambda n, g, _: (g / n.args[0],),
       "natural logarithm (also ln); log(x, b) is the logarithm to base b", latex="\\ln\\left({0}\\right)",
       domain=(0.2, 3.0), defined="x > 0 (-inf at 0)", aliases=("ln",), rule="logarithm"),
    Op("log2", 1, "log2", lambda n, g, _: (g / (n.args[0] * call("log", n.graph.const(2))),), "base-2 logarithm",
       domain=(0.2, 3.0), defined="x > 0 (-inf at 0)",
       grad_fn="Log2Backward0", latex="\\log_2\\left({0}\\right)", rule="logarithm"),
    Op("log10", 1, "log10", lambda n, g, _: (g / (n.args[0] * call("log", n.graph.const(10))),), "base-10 logarithm",
       domain=(0.2, 3.0), defined="x > 0 (-inf at 0)",
       grad_fn="Log10Backward0", latex="\\log_{{10}}\\left({0}\\right)", rule="logarithm"),
    Op("log1p", 1, "log1p", lambda n, g, _: (g / (1 + n.args[0]),), "log(1 + x), exact near 0",
       domain=(-0.5, 2.0), defined="x > -1 (-inf at -1)", grad_fn="Log1PBackward0", rule="logarithm"),
    Op("expm1", 1, "expm1", lambda n, g, _: (g * call("exp", n.args[0]),), "exp(x) - 1, exact near 0",
       defined="every x (overflows to inf above 709.78)", grad_fn="Expm1Backward0", rule="exponential"),
    Op("sqrt", 1, "sqrt", lambda n, g, _: (g / (2 * n),), "square root (derivative inf at 0)", domain=(0.2, 3.0),
       defined="x >= 0",
       latex="\\sqrt{{{0}}}",
       kinks=(Kink("its argument is 0", at_zero, "undefined", "inf", LIMIT, ("sqrt(x)", "x=0", "x"), "inf", "inf"),),
       rule="root"),
    Op("cbrt", 1, "cbrt", lambda n, g, _: (g / (3 * n ** 2),), "cube root, real for negative x",
       domain=(0.2, 3.0), grad_fn="PowBackward0", latex="\\sqrt[3]{{{0}}}", rule="root"),
    Op("abs", 1, "abs", lambda n, g, _: (g * call("sign", n.args[0]),), "absolute value (derivative 0 at 0)",
       latex="\\left|{0}\\right|",
       kinks=(Kink("its argument is 0", at_zero, "-1", "1", CONVEX, ("abs(x)", "x=0", "x"), "0", "1"),),
       rule="absolute value"),
    Op("sign", 1, "sign", lambda n, g, _: (None,), "sign: -1, 0 or 1 (derivative 0)", grad_fn="SignBackward0",
       kinks=(Kink("its argument is 0", at_zero, "inf", "inf", "sign' = 0 everywhere (it jumps at 0)",
                   ("sign(x)", "x=0", "x"), "0", "0"),), rule="sign"),
    Op("sigmoid", 1, kernels.sigmoid, lambda n, g, _: (g * n * (1 - n),), "logistic 1/(1+exp(-x))",
       latex="\\sigma\\left({0}\\right)", rule="sigmoid"),
    Op("relu", 1, kernels.relu, lambda n, g, _: (where(compare("gt", n.args[0], 0), g, 0),),
       "max(x, 0) (derivative 0 at 0)",
       kinks=(Kink("its argument is 0", at_zero, "0", "1", CONVEX, ("relu(x)", "x=0", "x"), "0", "0"),), rule="relu"),
    Op("softplus", 1, kernels.softplus, lambda n, g, _: (g * call("sigmoid", n.args[0]),),
       "log(1 + exp(x)), exact at both ends", rule="softplus"),
    Op("erf", 1, kernels.by_element(math.erf),
       lambda n, g, _: (g * 2 * call("exp", -n.args[0] ** 2) / call("sqrt", n.graph.const(math.pi)),),
       "error function: 2/sqrt(pi) times the integral of exp(-t^2) from 0 to x", rule="error function"),
    Op("hypot", 2, "hypot", hypot_vjp, "hypot(a, b) = sqrt(a^2 + b^2), without overflow (gradient 0 at 0, 0)",
       latex="\\sqrt{{{{{0}}}^{{2}} + {{{1}}}^{{2}}}}", rule="hypotenuse",
       kinks=(Kink("both arguments are 0", lambda n: compare("eq", n, 0), "-1", "1", CONVEX + " (gradient 0)",
                   ("hypot(x, y)", "x=0,y=0", "x")),)),
    Op("erfc", 1, kernels.by_element(math.erfc),
       lambda n, g, _: (-(g * 2 * call("exp", -n.args[0] ** 2) / call("sqrt", n.graph.const(math.pi))),),
       "complementary error function 1 - erf(x), exact for large x", rule="error function"),
)

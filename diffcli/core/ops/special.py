"""Entries: special functions (sinc, gamma, lgamma, digamma) and undefined functions.

"Primed" ops carry a derivative order in their payload (None for the function itself), so that
the k-th derivative is one node, printed `sinc''(x)` or `f'(u)` and parsed back from that text:
`sinc` and `digamma` compute theirs (digamma' is the trigamma function), and an undefined
function `f` (declared with --function or a `function f` statement) is the op `function`
with payload (name, order), which `diff` differentiates and nothing evaluates.

gamma, lgamma and digamma come from scipy.special (the optional extra `diffcli[special]`);
without SciPy, evaluating them is an error that names the extra.
"""

from __future__ import annotations

import math

from diffcli.core.graph import Node, apply
from diffcli.core.ops import kernels
from diffcli.core.ops.table import Op, Print

PRIMED = Print("primed")


def order_of(n: Node) -> tuple[str, int]:
    """(the name printed, the derivative order) of a primed node."""
    if n.op == "function":
        return n.payload
    return n.op, n.payload or 0


def primes(k: int, latex: bool = False) -> str:
    """k primes: ' '' ''' (LaTeX writes ^{(4)} from the fourth on)."""
    return "^{(%d)}" % k if latex and k > 3 else "'" * k


def next_order(n: Node) -> Node:
    """The derivative of a primed node: the same op, one order higher."""
    if n.op == "function":
        name, k = n.payload
        return apply("function", *n.args, payload=(name, k + 1))
    return apply(n.op, *n.args, payload=(n.payload or 0) + 1)


def cannot_fold(*values: float) -> float:
    return math.nan  # an undefined function has no value: its calls with numbers stay nodes


ENTRIES = (
    Op(
        "sinc",
        1,
        kernels.sinc,
        lambda n, g, _: (g * next_order(n),),
        "sin(x)/x with sinc(0) = 1 (the calculus and SymPy convention; numpy's sinc is the normalised "
        "sin(pi*x)/(pi*x)); sinc'(x), sinc''(x) are its derivatives",
        domain=(-3.0, 3.0),
        print=PRIMED,
        latex="\\operatorname{{sinc}}{p}\\left({0}\\right)",
        rule="sinc",
    ),
    Op(
        "gamma",
        1,
        kernels.scipy_special("gamma"),
        lambda n, g, _: (g * n * apply("digamma", n.args[0]),),
        "the gamma function, (x-1)! at whole x (needs diffcli[special])",
        domain=(0.5, 4.0),
        latex="\\Gamma\\left({0}\\right)",
        rule="gamma function",
        defined="x not 0 or a negative whole number (overflows to inf above 171.6)",
    ),
    Op(
        "lgamma",
        1,
        kernels.scipy_special("gammaln"),
        lambda n, g, _: (g * apply("digamma", n.args[0]),),
        "log|gamma(x)| (needs diffcli[special])",
        domain=(0.5, 4.0),
        latex="\\ln\\left|\\Gamma\\left({0}\\right)\\right|",
        rule="log-gamma",
        defined="x not 0 or a negative whole number (inf there)",
    ),
    Op(
        "digamma",
        1,
        kernels.scipy_special("polygamma"),
        lambda n, g, _: (g * next_order(n),),
        "the digamma function gamma'(x)/gamma(x); digamma'(x) is the trigamma function (needs diffcli[special])",
        domain=(0.5, 4.0),
        print=PRIMED,
        latex="\\psi{p}\\left({0}\\right)",
        rule="polygamma",
        defined="x not 0 or a negative whole number",
    ),
    Op(
        "function",
        1,
        kernels.undefined,
        lambda n, g, _: (g * next_order(n),),
        "f(u): a function declared with --function f (or `function f`), known only by name; f'(u) is its derivative",
        print=PRIMED,
        user=False,
        fold=cannot_fold,
        latex="{name}{p}\\left({0}\\right)",
        rule="abstract function",
    ),
)

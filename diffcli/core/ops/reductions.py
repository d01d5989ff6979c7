"""Entries: reductions over trailing axes (payload: how many) and the last-axis vector ops."""

from __future__ import annotations

import math

from diffcli.core.graph import apply
from diffcli.core.ops import elements, kernels, shapes
from diffcli.core.ops.rules import call, compare, expand, extreme_tie, reduce_sum, reduced_jvp, same_op_jvp, where
from diffcli.core.ops.simplify import simplify_sum
from diffcli.core.ops.table import Kink, Op, Print

REDUCTION = Print("reduction")  # name(x) when it reduces every axis; the language has no other form

CONVEX = "minimum-norm subgradient at a convex kink"


def extreme_vjp(n, g, needs):
    (x,) = n.args
    k = n.payload
    hit = compare("eq", x, expand(n, k))
    return (expand(g, k) * hit / expand(reduce_sum(hit, k), k),)


def prod_vjp(n, g, needs):
    """prod of the others: out/x where x != 0; at a lone zero, the product of the rest."""
    (x,) = n.args
    k = n.payload
    zero = compare("eq", x, 0)
    rest = apply("prod", where(zero, 1, x), payload=k)
    lone = compare("eq", reduce_sum(zero, k), 1)
    at_zero = where(expand(lone, k), expand(rest, k), 0)
    return (expand(g, k) * where(zero, at_zero, expand(n, k) / x),)


def mean_vjp(n, g, needs):
    return (expand(g, n.payload) / float(math.prod(n.args[0].shape[len(n.shape) :])),)


def norm_vjp(n, g, needs):
    return (n.args[0] * expand(where(compare("eq", n, 0), 0, g / n), n.payload),)


def reduction(name: str, vjp, doc: str, **fields) -> Op:
    fields.setdefault("jvp", reduced_jvp)
    return Op(
        name,
        1,
        kernels.reduction(name),
        vjp,
        doc,
        shape=shapes.reduced,
        elementwise=False,
        print=REDUCTION,
        elements=elements.reduction,
        **fields,
    )


def softmax_jvp(n, tangents):
    (t,) = tangents
    return n * (t - expand(reduce_sum(n * t, 1), 1))


ENTRIES = (
    reduction(
        "sum",
        lambda n, g, _: (expand(g, n.payload),),
        "sum of all elements",
        simplify=simplify_sum,
        linear=True,
        latex="\\sum {0}",
        jvp=same_op_jvp,
    ),
    reduction("mean", mean_vjp, "mean of all elements", linear=True, jvp=same_op_jvp),
    reduction("prod", prod_vjp, "product of all elements", domain=(0.5, 2.0)),
    Op(
        "norm",
        1,
        kernels.norm,
        norm_vjp,
        "Euclidean (Frobenius) norm; norm(x, p) for other p (gradient 0 at 0)",
        shape=shapes.reduced,
        elementwise=False,
        grad_fn="LinalgVectorNormBackward0",
        jvp=reduced_jvp,
        latex="\\left\\|{0}\\right\\|",
        print=REDUCTION,
        elements=elements.reduction,
        kinks=(
            Kink(
                "its argument is 0",
                lambda n: compare("eq", n, 0),
                "-1",
                "1",
                CONVEX + " (gradient 0)",
                ("norm(x)", "x=[0,0]", "x[0]"),
                "0",
                "nan",
            ),
        ),
    ),
    reduction(
        "max",
        extreme_vjp,
        "max(a, b) elementwise; max(v) the largest element (ties share the gradient)",
        grad_fn="MaxBackward1",
        latex="\\max\\left({0}\\right)",
        kinks=(
            Kink(
                "a tie for the largest element",
                extreme_tie,
                "0",
                "1",
                "ties share the gradient evenly",
                ("max(x)", "x=[1,1]", "x[0]"),
                "0.5",
                "0.5",
            ),
        ),
    ),
    reduction(
        "min",
        extreme_vjp,
        "min(a, b) elementwise; min(v) the smallest element (ties share the gradient)",
        grad_fn="MinBackward1",
        latex="\\min\\left({0}\\right)",
        kinks=(
            Kink(
                "a tie for the smallest element",
                extreme_tie,
                "1",
                "0",
                "ties share the gradient evenly",
                ("min(x)", "x=[1,1]", "x[0]"),
                "0.5",
                "0.5",
            ),
        ),
    ),
    Op(
        "logsumexp",
        1,
        kernels.logsumexp,
        lambda n, g, _: (call("softmax", n.args[0]) * expand(g, 1),),
        "log(sum(exp(x))) over the last axis, max-shifted",
        shape=shapes.without_last_axis,
        elementwise=False,
        jvp=reduced_jvp,
        elements=elements.last_axis,
    ),
    Op(
        "softmax",
        1,
        kernels.softmax,
        lambda n, g, _: (n * (g - expand(reduce_sum(g * n, 1), 1)),),
        "exp(x)/sum(exp(x)) over the last axis, max-shifted",
        shape=shapes.last_axis,
        elementwise=False,
        jvp=softmax_jvp,
        elements=elements.softmax,
    ),
)

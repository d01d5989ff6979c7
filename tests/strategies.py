"""Hypothesis strategies for random expressions that are smooth on the whole real line, so
finite differences are a fair reference anywhere."""

from __future__ import annotations

from hypothesis import strategies as st

SMOOTH_UNARY = [
    "sin({})",
    "cos({})",
    "tanh({})",
    "sigmoid({})",
    "softplus({})",
    "atan({})",
    "exp(-({})^2)",
    "log(1 + ({})^2)",
    "sqrt(1 + ({})^2)",
    "-({})",
    "({})^2",
    "({})^3",
    "sinh({}/4)",
]
SMOOTH_BINARY = [
    "({}) + ({})",
    "({}) - ({})",
    "({}) * ({})",
    "({}) / (1 + ({})^2)",
    "atan2({}, 2 + cos({}))",
    "logsumexp([{}, {}])",
]

leaves = st.sampled_from(["x", "y", "x", "y", "0.5", "2", "pi"])


def _extend(children):
    unary = st.tuples(st.sampled_from(SMOOTH_UNARY), children).map(lambda t: t[0].format(t[1]))
    binary = st.tuples(st.sampled_from(SMOOTH_BINARY), children, children).map(lambda t: t[0].format(t[1], t[2]))
    return unary | binary


expressions = st.recursive(leaves, _extend, max_leaves=10)
coordinates = st.floats(min_value=-1.5, max_value=1.5, allow_nan=False)

"""Every user-callable function of the op table: value against numpy, first and second
derivatives against central differences at several points inside its domain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffcli.core import autodiff
from diffcli.core.numcheck import central_gradient
from diffcli.core.ops import FUNCTIONS, OPS
from diffcli.syntax.parse import parse
from helpers import evaluate, grad_of, numeric_grad_of, value_of

UNARY = sorted(
    name
    for name, (low, high, _) in FUNCTIONS.items()
    if name in OPS and OPS[name].arity == 1 and OPS[name].elementwise and name not in ("detach",)
)
BINARY = ["atan2", "pow", "hypot", "mod"]
POINTS = 4

# Reference of each unary op in test_unary_value_matches_numpy: numpy's function of the same name
# unless listed here. A new op whose numpy name differs needs one line.
REFERENCE = {
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "erf": np.vectorize(math.erf),
    "erfc": np.vectorize(math.erfc),
    "sec": lambda x: 1 / np.cos(x),
    "csc": lambda x: 1 / np.sin(x),
    "cot": lambda x: 1 / np.tan(x),
    "asec": lambda x: np.arccos(1 / x),
    "acsc": lambda x: np.arcsin(1 / x),
    "acot": lambda x: np.arctan(1 / x),
    "sech": lambda x: 1 / np.cosh(x),
    "csch": lambda x: 1 / np.sinh(x),
    "coth": lambda x: 1 / np.tanh(x),
    "sinc": lambda x: np.sin(x) / x,  # numpy's own sinc is the normalised sin(pi x)/(pi x)
    "gamma": np.vectorize(math.gamma),
    "lgamma": np.vectorize(math.lgamma),
    "digamma": lambda x: pytest.importorskip("scipy.special").digamma(x),
}


def sample(op_name: str, count: int, seed: int):
    lo, hi = OPS[op_name].domain
    rng = np.random.default_rng(seed)
    points = rng.uniform(lo, hi, size=count)
    return [p for p in points if abs(p) > 0.05]  # keep away from the kinks of abs/relu/sign


@pytest.mark.parametrize("name", UNARY)
def test_unary_first_derivative(name):
    for x in sample(name, POINTS, 1):
        point = {"x": x}
        assert np.allclose(
            grad_of(f"{name}(x)", point)["x"], numeric_grad_of(f"{name}(x)", point)["x"], rtol=1e-6, atol=1e-8
        ), (name, x)


@pytest.mark.parametrize("name", UNARY)
def test_unary_second_derivative(name):
    for x in sample(name, POINTS, 2):
        point = {"x": x}
        symbolic = grad_of(f"{name}(x)", point)["x"]
        # d/dx of the gradient's value, by differences of the exact first derivative
        numeric = np.asarray(numeric_of_gradient(f"{name}(x)", point))
        second = grad_second(f"{name}(x)", point)
        assert np.allclose(second, numeric, rtol=1e-5, atol=1e-7), (name, x, symbolic)


def numeric_of_gradient(text, point):
    return central_gradient(lambda pt: grad_of(text, pt)["x"], point, ["x"])["x"]


def grad_second(text, point):
    p = parse(text, {"x": ()})
    x = p.graph.var("x")
    (g,) = autodiff.gradient(p.output, [x])
    (h,) = autodiff.gradient(g, [x])
    (v,) = evaluate([h], point)
    return v


@pytest.mark.parametrize("name", UNARY)
def test_unary_value_matches_numpy(name):
    fn = REFERENCE.get(name) or getattr(np, name)
    for x in sample(name, POINTS, 3):
        assert value_of(f"{name}(x)", {"x": x}) == pytest.approx(fn(x), rel=1e-14)


@pytest.mark.parametrize("name", BINARY)
def test_binary_derivatives(name):
    rng = np.random.default_rng(4)
    for _ in range(POINTS):
        point = {"x": rng.uniform(0.5, 2.0), "y": rng.uniform(0.5, 2.0)}
        text = f"{name}(x, y)"
        exact, numeric = grad_of(text, point), numeric_grad_of(text, point)
        for v in point:
            assert np.allclose(exact[v], numeric[v], rtol=1e-6), (name, point)


@pytest.mark.parametrize(
    "text",
    [
        "x + y",
        "x - y",
        "x * y",
        "x / y",
        "x ^ y",
        "x ** 2",
        "log(x, y + 2)",
        "min(x, y)",
        "max(x, y)",
        "clamp(x, 0.2, 1.9)",
        "where(x > y, x*y, x + y)",
        "if(x <= y, sin(x), cos(y))",
        "sum([x, y, x*y])",
        "prod([x, y, 2])",
        "norm([x, y])",
        "norm([x, y], 3)",
        "dot([x, y], [y, 2])",
        "logsumexp([x, y, 1])",
        "softmax([x, y, 1])[1]",
        "max([x, y, 0.1])",
        "min([x, y, 3])",
        "mean([x, y])",
        "[x, y][1]*x",
        "sum([[x, y], [y, 1]] @ [x, 2])",
        "([x, y] @ [[1, x], [y, 2]])[0]",
        "sum([[x, y], [1, x]] @ [[y, 1], [x, x]])",
        "exp(-x^2) * y",
        "sinh(x) - cosh(y) + tanh(x*y)",
        "cbrt(x) + sqrt(y) + abs(x - 3)",
        "log1p(x) + expm1(y)",
        "log2(x) + log10(y)",
        "sigmoid(x - y) + softplus(x*y) + relu(x - 0.1)",
        "atan2(y, x) + atan(x)",
    ],
)
def test_compound_derivatives(text):
    rng = np.random.default_rng(len(text))
    for _ in range(3):
        point = {"x": rng.uniform(0.3, 1.7), "y": rng.uniform(0.3, 1.7)}
        exact, numeric = grad_of(text, point), numeric_grad_of(text, point)
        for v in point:
            assert np.allclose(exact[v], numeric[v], rtol=1e-6, atol=1e-8), (text, point, exact, numeric)


@pytest.mark.parametrize(
    "text,point",
    [
        ("sum(x * W @ x)", {"x": [1.0, 2.0], "W": [[1.0, 2.0], [3.0, 4.0]]}),
        ("sum(W @ v)", {"W": [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]], "v": [0.5, 1.5, -1.0]}),
        ("x[0] * x[-1] + sum(x[1:]) + sum(x[:-1]^2)", {"x": [1.0, 2.0, 3.0, 4.0]}),
        ("W[0, 1] * W[1][0] + sum(W[0, :]) + sum(W[:, 1])", {"W": [[1.0, 2.0], [3.0, 4.0]]}),
        ("sum(softmax(W))", {"W": [[1.0, 2.0], [3.0, 4.5]]}),
        ("sum(logsumexp(W) * [1, 2])", {"W": [[1.0, 2.0], [3.0, 4.5]]}),
        ("norm(W) + prod(x) + mean(W * x)", {"W": [[1.0, 2.0], [3.0, 4.5]], "x": [0.5, 2.0]}),
        ("sum(x + y)", {"x": [1.0, 2.0, 3.0], "y": 2.0}),
        ("max(x) + min(x)", {"x": [1.0, 5.0, 3.0]}),
    ],
)
def test_vector_derivatives(text, point):
    point = {k: np.array(v) for k, v in point.items()}
    exact, numeric = grad_of(text, point), numeric_grad_of(text, point)
    for v in point:
        assert np.allclose(exact[v], numeric[v], rtol=1e-6, atol=1e-8), (text, v, exact[v], numeric[v])


def test_every_function_is_documented_and_named():
    import re

    for name, op in OPS.items():
        assert op.doc, name
        assert callable(op.grad_fn) or re.fullmatch(r"[A-Z]\w*Backward\d", op.grad_fn), name


@pytest.mark.parametrize(
    "x,expected",
    [([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]), ([0.0, 0.0, 3.0], [0.0, 0.0, 0.0]), ([2.0, 5.0, 3.0], [15.0, 6.0, 10.0])],
)
def test_prod_gradient_with_zeros_is_the_product_of_the_others(x, expected):
    assert grad_of("prod(x)", {"x": np.array(x)})["x"].tolist() == expected


def test_by_element_rules_take_scalars_and_arrays():
    """A forward rule made from a Python float function (for functions numpy lacks) gives
    float arrays for a number and for a batch alike."""
    import math

    from diffcli.core.graph import Device
    from diffcli.core.ops.kernels import by_element

    rule = by_element(math.atan)
    assert float(rule(Device(), None, np.float64(1.0))) == math.atan(1.0)
    assert rule(Device(), None, np.array([0.0, 1.0])).tolist() == [0.0, math.atan(1.0)]

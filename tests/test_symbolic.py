"""Symbolic derivatives: `diff` text that parses back and agrees with finite differences of the
original (every function, random expressions, orders 1-3), the simplifier's rules, the printer's
parentheses, and the no-swell property of derivative DAGs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import to_text
from diffcli.compute import problem
from diffcli.core import autodiff
from diffcli.core.graph import Graph, Node, apply, topological
from diffcli.core.ops import FUNCTIONS, OPS
from diffcli.symbolic import diff as symbolic
from diffcli.syntax.parse import parse
from helpers import evaluate

G = Graph()  # the node space of the tests that build nodes by hand
X, Y = G.var("x"), G.var("y")


def count_nodes(outputs) -> int:
    return len(topological(outputs))


def value(text: str, point: dict) -> float:
    """text evaluated at point, its names bound as --at binds them (pi and e unbound are the
    constants, which a printed derivative may use: 2*exp(-x^2)/pi^0.5)."""
    (v,) = evaluate([parse(text, {k: () for k in point}).output], point)
    return float(v)


def derivative_text(text: str, names: list[str]) -> str:
    loaded = problem.load(text, free=True)
    return symbolic.diff(loaded, 1, [",".join(names)]).data["derivative"]


# Central stencils for the k-th derivative of a function of one variable, with steps
# h ~ eps^(1/(k+2)) that balance truncation against rounding.
STENCILS = {
    1: ([-1, 1], [-1, 1], lambda h: 2 * h),
    2: ([-1, 0, 1], [1, -2, 1], lambda h: h**2),
    3: ([-2, -1, 1, 2], [-1, 2, -2, 1], lambda h: 2 * h**3),
}


def finite_difference(f, x: float, order: int) -> tuple[float, float]:
    """(estimate, size of the values used) of f^(order)(x): the central stencil at h and h/2,
    combined by Richardson extrapolation (error O(h^4): a third derivative of sin(sin(x^3))
    near 1.4 is off by 1% with the stencil alone)."""
    offsets, weights, scale = STENCILS[order]
    h = np.finfo(float).eps ** (1 / (order + 2)) * max(1.0, abs(x))
    estimates, size = [], 0.0
    for step in (h, h / 2):
        values = [f(x + k * step) for k in offsets]
        estimates.append(sum(w * v for w, v in zip(weights, values)) / scale(step))
        size = max([size] + [abs(v) for v in values])
    return (4 * estimates[1] - estimates[0]) / 3, size


def assert_matches_differences(text: str, order: int, point: dict, var: str = "x"):
    printed = derivative_text(text, [var] * order)
    got = value(printed, point)
    estimate, size = finite_difference(lambda t: value(text, {**point, var: t}), point[var], order)
    tolerance = {1: 1e-6, 2: 1e-5, 3: 1e-4}[order] * (1 + size + abs(estimate))
    assert abs(got - estimate) <= tolerance, (text, order, printed, got, estimate)


# ---------------------------------------------------------------- seed examples 2, 11, 13


def test_seed_2_second_derivative_and_hessian():
    r = invoke("diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert (d["derivative"], d["value"], d["wrt"], d["order"]) == ("2*y", 6.0, ["x", "x"], 2)
    assert invoke("diff", "x*x*y", "--wrt", "x").stdout == "2*x*y\n"
    h = invoke("hessian", "x*x*y", "--at", "x=2,y=3", "--format", "json").json()
    assert h["hessian"] == [[6.0, 4.0], [4.0, 0.0]]


def test_seed_11_jacobian_and_vjp():
    r = invoke("jacobian", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--format", "plain")
    assert r.stdout.split("\n")[1:3] == ["4 3", "2 6"]
    r = invoke("grad", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1", "--format", "plain")
    assert r.stdout.split("\n")[1] == "6 9"


def test_seed_13_detach_sample():
    r = invoke("grad", "samples/detach.dc", "--at", "x=2", "--format", "json")
    assert r.json() == {"value": 14.0, "grad": {"x": 7.0}}
    r = invoke("diff", "samples/detach.dc", "--wrt", "x", "--format", "json")
    assert r.json()["derivative"] == "detach(x^2 + 3)"
    r = invoke("diff", "y = x^2 + 3; y*x", "--wrt", "x", "--at", "x=2", "--format", "json")
    assert r.json()["value"] == 15.0


# ---------------------------------------------------------------- diff: options and errors


def test_mixed_derivative_applies_in_order_and_keeps_repeats():
    d = invoke("diff", "x^3*y^2", "--wrt", "x,x,y", "--format", "json").json()
    assert d["wrt"] == ["x", "x", "y"] and d["order"] == 3
    assert value(d["derivative"], {"x": 1.5, "y": 0.5}) == pytest.approx(12 * 1.5 * 0.5)


def test_latex_flag_prints_latex_and_json_has_both():
    assert (
        invoke("diff", "sin(x)^2", "--wrt", "x", "--latex").stdout
        == "2 \\cdot \\sin\\left(x\\right) \\cdot \\cos\\left(x\\right)\n"
    )
    d = invoke("diff", "1/x", "--wrt", "x", "--format", "json").json()
    assert d["derivative"] == "-1/x^2" and d["latex"] == "-\\frac{1}{{x}^{2}}"


@pytest.mark.parametrize(
    "args,message",
    [
        (["x*y"], "name it with --wrt (one of x, y)"),
        (["x*y", "--wrt", "x,y", "--order", "2"], "give --order with a single --wrt"),
        (["x*y", "--wrt", "z", "--at", "x=1,y=2"], "`z` is not bound"),
        (["sum(x*y)", "--wrt", "x,y", "--at", "x=[1,2],y=[3,4]"], "with respect to scalars"),
        (["sum(x)", "--wrt", "x", "--at", "x=[1,2]"], None),  # one vector: matrix notation (test_matrix_calculus)
        (["[x, x^2]", "--wrt", "x"], "needs a scalar output"),
        (["sum(x*y)", "--wrt", "y", "--order", "2", "--at", "x=[1,2],y=3"], None),
        (["x[0]*y", "--wrt", "y", "--at", "x=[1,2],y=3"], None),
    ],
)
def test_diff_errors_and_vector_bindings(args, message):
    r = invoke("diff", *args)
    if message is None:
        assert r.code == 0, r.stderr
    else:
        assert r.code == 2 and message in r.stderr and "Traceback" not in r.stderr


VECTOR_POINT = {"W": [[1.0, 2.0], [3.0, 4.0]], "v": [1.0, -1.0], "y": 0.7, "x": [1.0, 2.0]}


@pytest.mark.parametrize(
    "text",
    [
        "sum(W @ v)*y",
        "norm(x*y)",
        "sum(softmax(x*y)*x)",
        "logsumexp(x*y)",
        "prod(x*y)",
        "max(x*y)",
        "sum(W @ (v*y))",
        "x[0]*y^3 + sum(x*y^2)",
    ],
)
@pytest.mark.parametrize("order", [1, 2])
def test_diff_over_vector_bindings_parses_back(text, order):
    """With vector variables bound, the derivative text (internal broadcasts written as
    `g + [0, 0]`) parses back and agrees with differences of the original in y."""
    at = ",".join(f"{k}={v}".replace(" ", "") for k, v in VECTOR_POINT.items())
    d = invoke("diff", text, "--wrt", "y", "--order", str(order), "--at", at, "--format", "json").json()
    shapes = {k: np.shape(v) for k, v in VECTOR_POINT.items()}
    point = {k: np.array(v) for k, v in VECTOR_POINT.items()}
    (reparsed,) = evaluate([parse(d["derivative"], shapes).output], point)
    assert float(reparsed) == pytest.approx(d["value"], rel=1e-12, abs=1e-12)

    def original(t):
        return float(evaluate([parse(text, shapes).output], {**point, "y": np.array(t)})[0])

    estimate, size = finite_difference(original, 0.7, order)
    assert d["value"] == pytest.approx(estimate, rel=1e-5, abs=1e-5 * (1 + size))


def test_derivative_the_language_cannot_write_is_a_clear_error():
    r = invoke("diff", "sum(softmax(W*y))", "--wrt", "y", "--at", "W=[[1,2],[3,4]],y=2")
    assert r.code == 2 and "cannot write" in r.stderr and "use grad, jacobian or hessian" in r.stderr


# ---------------------------------------------------------------- every function, orders 1-3

UNARY = sorted(
    n
    for n, (lo, hi, _) in FUNCTIONS.items()
    if n in OPS and OPS[n].arity == 1 and OPS[n].elementwise and n not in ("detach", "sign", "abs", "relu")
)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_every_function_diff_parses_back_and_matches_differences(name, order):
    lo, hi = OPS[name].domain
    for x in (lo + 0.3 * (hi - lo), lo + 0.8 * (hi - lo)):
        assert_matches_differences(f"{name}(x)", order, {"x": x})


@pytest.mark.parametrize(
    "text", ["atan2(y, x)", "pow(x, y)", "log(x, y)", "x^y", "x/y", "max(x, 2*y)", "clamp(x, 0.1, 0.5)*y"]
)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_binary_functions_diff(text, order):
    assert_matches_differences(text, order, {"x": 1.3, "y": 0.6})


# ---------------------------------------------------------------- random expressions

LEAVES = st.sampled_from(["x", "y", "2", "0.5", "3", "x", "x"])
UNARY_FORMS = [
    "sin({})",
    "cos({})",
    "tanh({})",
    "sigmoid({})",
    "atan({})",
    "exp(sin({}))",
    "log(1 + ({})^2)",
    "sqrt(2 + ({})^2)",
    "-({})",
    "({})^2",
    "({})^3",
    "softplus({})",
]
BINARY_FORMS = ["({}) + ({})", "({}) - ({})", "({})*({})", "({})/(1.5 + ({})^2)", "({})*-({})"]


def expressions():
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(UNARY_FORMS), inner).map(lambda t: t[0].format(t[1])),
            st.tuples(st.sampled_from(BINARY_FORMS), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
        ),
        max_leaves=6,
    )


@settings(max_examples=60, deadline=None)
@given(expressions(), st.integers(1, 3), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_expression_diff_parses_back_and_matches_differences(text, order, x, y):
    point = {"x": x, "y": y}
    # the printed text is the same function as the derivative node it was printed from
    loaded = problem.load(text, free=True)
    node, _ = symbolic.derivative(loaded, order, ["x"])
    (exact,) = evaluate([node], point)
    assert value(to_text(node), point) == pytest.approx(float(exact), rel=1e-9, abs=1e-9)
    assert_matches_differences(text, order, point)


@settings(max_examples=40, deadline=None)
@given(expressions(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_mixed_derivative_matches_differences(text, x, y):
    point = {"x": x, "y": y}
    printed = derivative_text(text, ["x", "y"])
    # d/dy of the exact d/dx, by central differences in y
    inner = derivative_text(text, ["x"])
    estimate, size = finite_difference(lambda t: value(inner, {"x": x, "y": t}), y, 1)
    assert value(printed, point) == pytest.approx(estimate, rel=1e-5, abs=1e-6 * (1 + size))


@settings(max_examples=60, deadline=None)
@given(expressions())
def test_printed_expression_reparses_to_the_same_function(text):
    node = parse(text).output
    printed = to_text(node, share=False)
    point = {"x": 0.7, "y": -1.1}
    assert value(printed, point) == pytest.approx(value(text, point), rel=1e-12, abs=1e-12)
    # re-parsing may re-associate (`2 + (2 + x)` prints `2 + 2 + x`, which parses as 4 + x),
    # after that printing is a fixed point
    again = to_text(parse(printed).output, share=False)
    assert to_text(parse(again).output, share=False) == again


# ---------------------------------------------------------------- printer and LaTeX


@pytest.mark.parametrize(
    "text",
    [
        "x - (y - 1)",
        "x/(y*x)",
        "x/y/2",
        "(x + y)^2",
        "x^y^2",
        "(x^y)^2",
        "-x^2",
        "(-x)^2",
        "2^(-x)",  # a signed exponent that is not a number is bracketed, for the reader
        "x*(y + 1)",
        "sin(x)^2",
        "x + y - (x - y)",
        "-(x + y)",
        "x*y/(x - y)",
        "(x < y) + 1",
        "(x - y)*(x + y)",
        "x^(y + 1)",
        "x^-1",
        "where(x > y, x, y)",
        "max(x, y) + min(x, y)",
        "sum(W @ (v*v))",
        "sum(v*(W @ v))",
        "W[0, 1] + v[1:] @ v[:-1]",
        "(v + v)[0]",
        "[x, y, 1][2]",
    ],
)
def test_minimal_parentheses_are_a_fixed_point(text):
    shapes = {"x": (), "y": (), "W": (2, 2), "v": (2,)} if "W" in text or "v" in text else None
    assert to_text(parse(text, shapes).output) == text


def test_non_finite_constants_print_as_text_that_parses():
    assert to_text(G.const(math.inf)) == "1e999" and value("1e999", {}) == math.inf
    assert to_text(apply("mul", G.const(-math.inf), X)) == "-1e999*x"


@pytest.mark.parametrize(
    "text,latex",
    [
        ("x^2/y", "\\frac{{x}^{2}}{y}"),
        ("-(x + y)", "-\\left(x + y\\right)"),
        ("x - (y - 1)", "x - \\left(y - 1\\right)"),
        ("x*-y", "x \\cdot \\left(-y\\right)"),
        ("exp(theta)*sqrt(w_2)", "e^{\\theta} \\cdot \\sqrt{w_{2}}"),
        ("3*atan(x1)", "3 \\arctan\\left(x_{1}\\right)"),
        ("sigmoid(x) <= 1", "\\sigma\\left(x\\right) \\le 1"),
    ],
)
def test_latex(text, latex):
    assert to_latex(parse(text).output) == latex


# ---------------------------------------------------------------- simplification rules


def vec(name="v", n=3):
    return G.var(name, (n,))


@pytest.mark.parametrize(
    "build,expected",
    [
        (lambda: X * 1, "x"),
        (lambda: 1 * X, "x"),
        (lambda: X + 0, "x"),
        (lambda: 0 - X, "-x"),
        (lambda: X**1, "x"),
        (lambda: X**0, "1"),
        (lambda: -(-X), "x"),
        (lambda: X * 0, "0"),
        (lambda: 2 * X + 3 * X, "5*x"),
        (lambda: X * 2, "2*x"),
        (lambda: 2 * (3 * X), "6*x"),
        (lambda: (X + 1) + (X + 2), "2*x + 3"),
        (lambda: X - X, "0"),
        (lambda: X + -Y, "x - y"),
        (lambda: X - (-2 * Y), "x + 2*y"),
        (lambda: X * X, "x^2"),
        (lambda: X**2 * X, "x^3"),
        (lambda: X / X, "1"),
        (lambda: (6 * X) / 3, "2*x"),
        (lambda: (X**2) ** 3, "x^6"),
        (lambda: X * (1 / Y), "x/y"),
        (lambda: (1 / X) / Y, "1/(x*y)"),
        (lambda: -(X - Y), "y - x"),
        (lambda: 2 * (X + 1) - 2 * X, "2"),
        (lambda: X * Y + 3 * (Y * X), "4*x*y"),
        (lambda: G.const(2.0) + 3, "5"),
    ],
)
def test_simplification_rule(build, expected):
    assert to_text(build()) == expected


def test_simplification_keeps_static_shapes():
    v = vec()
    for n in (v * 0, 0 * v, v - v, X**0 + 0 * v, (X - X) * v, apply("pow", v, G.const(0.0))):
        assert n.shape == (3,), n
    assert (X + 0 * v).shape == (3,) and (X + 0 * v).op == "broadcast_to"
    s = apply("sum_to", G.const(2.0, (3, 2)), payload=(2,))
    assert s.shape == (2,) and s.value == 6.0  # each element sums 3 equal entries
    assert apply("broadcast_to", G.const(2.0), payload=(3,)).shape == (3,)


@settings(max_examples=40, deadline=None)
@given(expressions(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_simplified_gradient_equals_unsimplified_evaluation(text, x, y):
    """Simplification never changes a value: the gradient of a parsed expression (built with the
    rules) agrees with differences of the unsimplified original at random points."""
    point = {"x": x, "y": y}
    p = parse(text)
    grads = evaluate(autodiff.gradient(p.output, [p.graph.var("x"), p.graph.var("y")]), point)
    for name, g in zip("xy", grads):
        estimate, size = finite_difference(lambda t: value(text, {**point, name: t}), point[name], 1)
        assert float(g) == pytest.approx(estimate, rel=1e-6, abs=1e-6 * (1 + size))


# ---------------------------------------------------------------- no swell

SWELL_FACTOR = 4  # gradient DAG nodes per node of the function, at most


def composition(depth: int) -> Node:
    """f_0 = x, f_{k+1} = sin(f_k)*f_k + y*f_k, built as parsing builds it (no simplification)."""
    f = X
    for _ in range(depth):
        f = G.node("add", (G.node("mul", (G.node("sin", (f,)), f)), G.node("mul", (Y, f))))
    return f


@pytest.mark.parametrize("depth", [50, 200])
def test_gradient_stays_linear_in_depth(depth):
    f = composition(depth)
    assert count_nodes(autodiff.gradient(f, [X, Y])) <= SWELL_FACTOR * count_nodes([f])


def test_gradient_of_depth_20_composition_does_not_swell():
    f = composition(20)
    grads = autodiff.gradient(f, [X, Y])
    n_f, n_g = count_nodes([f]), count_nodes(grads)
    assert n_f == 82
    assert n_g <= SWELL_FACTOR * n_f, (n_f, n_g)
    # the tree form would have about 2^20 copies; the printer names shared nodes instead
    text = to_text(grads[0])
    assert len(text.splitlines()) <= n_g and len(text) < 100 * n_g
    point = {"x": 0.3, "y": 0.4}
    assert value(text, point) == pytest.approx(float(evaluate([grads[0]], point)[0]), rel=1e-12)


def test_depth_20_derivative_through_the_cli_parses_back(tmp_path):
    lines = ["f0 = x"] + [f"f{k + 1} = sin(f{k})*f{k} + y*f{k}" for k in range(20)]
    path = tmp_path / "deep.dc"
    path.write_text("\n".join(lines) + "\n")
    r = invoke("diff", str(path), "--wrt", "x", "--at", "x=0.3,y=0.4", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["derivative"].startswith("t1 = ")
    reparsed = value(d["derivative"], {"x": 0.3, "y": 0.4})
    estimate, _ = finite_difference(lambda t: value(str(path.read_text()), {"x": t, "y": 0.4}), 0.3, 1)
    assert reparsed == pytest.approx(d["value"], rel=1e-12)
    assert reparsed == pytest.approx(estimate, rel=1e-6)

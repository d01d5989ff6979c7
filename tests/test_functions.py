"""The functions added for calculus coursework, against mpmath at 30 digits: values on each
function's domain, first and second derivatives (against mpmath's own `diff`), the special
points a textbook lists, the aliases, and the optional SciPy extra."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest

from conftest import invoke
from diffcli.core import autodiff
from diffcli.core.ops import FUNCTIONS, OPS
from diffcli.syntax.parse import parse
from helpers import evaluate

mp = pytest.importorskip("mpmath")
mp.mp.dps = 30


def mp_sinc(x):
    return mp.mpf(1) if x == 0 else mp.sin(x) / x


# name -> (mpmath function, points on its domain); each is checked to 30 digits' worth of float.
MPMATH = {
    "sec": (mp.sec, [-1.2, -0.3, 0.7, 1.4]),
    "csc": (mp.csc, [-2.5, -0.4, 0.3, 2.0]),
    "cot": (mp.cot, [-2.5, -0.4, 0.3, 2.0]),
    "asec": (mp.asec, [-3.0, -1.1, 1.2, 4.5]),
    "acsc": (mp.acsc, [-3.0, -1.1, 1.2, 4.5]),
    "acot": (mp.acot, [-2.0, -0.3, 0.4, 3.0]),
    "sech": (mp.sech, [-2.0, -0.3, 0.4, 3.0]),
    "csch": (mp.csch, [-2.0, -0.3, 0.4, 3.0]),
    "coth": (mp.coth, [-2.0, -0.3, 0.4, 3.0]),
    "asinh": (mp.asinh, [-3.0, -0.2, 0.5, 10.0]),
    "acosh": (mp.acosh, [1.1, 1.5, 3.0, 10.0]),
    "atanh": (mp.atanh, [-0.9, -0.2, 0.5, 0.95]),
    "sinc": (mp_sinc, [-7.0, -2.5, -0.8, -1e-3, 1e-8, 0.5, 1.9, 3.2, 12.0]),
    "exp2": (lambda x: mp.power(2, x), [-3.5, -0.2, 0.5, 7.25]),
    "erf": (mp.erf, [-2.0, -0.1, 0.6, 3.0]),
    "erfc": (mp.erfc, [-2.0, -0.1, 0.6, 5.0]),
    "gamma": (mp.gamma, [-2.5, -0.5, 0.3, 1.5, 4.2, 9.5]),
    "lgamma": (lambda x: mp.log(abs(mp.gamma(x))), [-2.5, -0.5, 0.3, 1.5, 4.2, 30.0]),
    "digamma": (mp.digamma, [-2.5, -0.5, 0.3, 1.5, 4.2, 30.0]),
}
SPECIAL = {"gamma", "lgamma", "digamma"}
BINARY = {
    "hypot": (lambda a, b: mp.sqrt(a * a + b * b), [(3.0, 4.0), (-1.5, 0.25), (1e-3, -2.0)]),
    "mod": (lambda a, b: a - b * mp.floor(a / b), [(7.5, 2.0), (-1.25, 3.0), (2.5, -0.75)]),
}


def needs_scipy(name):
    if name in SPECIAL or name == "digamma":
        pytest.importorskip("scipy")


def derivatives(text: str, x: float, order: int = 2) -> list[float]:
    """f, f', f'' ... of text in x, by diffcli's reverse mode applied again and again."""
    p = parse(text, {"x": ()})
    var = p.graph.var("x")
    nodes = [p.output]
    for _ in range(order):
        (d,) = autodiff.gradient(nodes[-1], [var])
        nodes.append(d)
    return [float(v) for v in evaluate(nodes, {"x": np.float64(x)})]


def close(mine: float, exact, rel: float, abs_: float = 0.0) -> bool:
    exact = float(exact)
    return abs(mine - exact) <= rel * abs(exact) + abs_


@pytest.mark.parametrize("name", sorted(MPMATH))
def test_value_and_two_derivatives_match_mpmath(name):
    needs_scipy(name)
    function, points = MPMATH[name]
    for x in points:
        value, first, second = derivatives(f"{name}(x)", x)
        assert close(value, function(mp.mpf(x)), 4e-15, 1e-300), (name, x, value)
        # mpmath's diff works at 30 digits on the exact function
        assert close(first, mp.diff(function, mp.mpf(x)), 1e-12, 1e-14), (name, x, first)
        assert close(second, mp.diff(function, mp.mpf(x), 2), 1e-11, 1e-13), (name, x, second)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_value_and_partials_match_mpmath(name):
    function, points = BINARY[name]
    for a, b in points:
        p = parse(f"{name}(x, y)", {"x": (), "y": ()})
        x, y = p.graph.var("x"), p.graph.var("y")
        nodes = [p.output, *autodiff.gradient(p.output, [x, y])]
        value, da, db = (float(v) for v in evaluate(nodes, {"x": np.float64(a), "y": np.float64(b)}))
        exact_a = mp.diff(lambda t: function(t, mp.mpf(b)), mp.mpf(a))
        exact_b = mp.diff(lambda t: function(mp.mpf(a), t), mp.mpf(b))
        assert close(value, function(mp.mpf(a), mp.mpf(b)), 4e-15), (name, a, b)
        assert close(da, exact_a, 1e-12, 1e-14) and close(db, exact_b, 1e-12, 1e-14), (name, a, b, da, db)


def test_sinc_at_zero_is_the_limit_to_every_order():
    """sin(x)/x at 0 (and within a hair of it): 1, 0, -1/3, 0, 1/5 (the series' coefficients
    times k!), where the naive formulas divide 0 by 0."""
    values = derivatives("sinc(x)", 0.0, order=4)
    assert values == [1.0, 0.0, pytest.approx(-1 / 3, rel=1e-15), 0.0, pytest.approx(1 / 5, rel=1e-15)]
    near = derivatives("sinc(x)", 1e-9, order=4)
    exact = [mp.diff(mp_sinc, mp.mpf(1e-9), k) for k in range(5)]
    for k in range(5):
        assert close(near[k], exact[k], 1e-13, 1e-15), (k, near[k], exact[k])


@pytest.mark.parametrize("x", [0.5, 1.0, 1.5, 2.99, 3.0, 3.01, 6.5])
def test_sinc_derivatives_are_accurate_across_the_switch_between_series_and_formula(x):
    values = derivatives("sinc(x)", x, order=3)
    for k, mine in enumerate(values):
        exact = mp.diff(mp_sinc, mp.mpf(x), k)
        assert close(mine, exact, 1e-13, 1e-15), (x, k, mine, exact)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("sinc(0)", 1.0),
        ("sinc(pi)", math.sin(math.pi) / math.pi),
        ("asec(1)", 0.0),
        ("acsc(1)", math.pi / 2),
        ("acot(0)", math.pi / 2),
        ("acot(1)", math.pi / 4),
        ("acosh(1)", 0.0),
        ("asinh(0)", 0.0),
        ("atanh(0)", 0.0),
        ("sech(0)", 1.0),
        ("exp2(10)", 1024.0),
        ("exp2(-1)", 0.5),
        ("hypot(3, 4)", 5.0),
        ("hypot(1e300, 1e300)", math.sqrt(2) * 1e300),
        ("floor(-0.5)", -1.0),
        ("ceil(-0.5)", 0.0),
        ("round(2.5)", 2.0),
        ("round(3.5)", 4.0),
        ("round(-0.5)", 0.0),
        ("trunc(-1.7)", -1.0),
        ("sign(-3)", -1.0),
        ("heaviside(0)", 0.5),
        ("heaviside(0, 1)", 1.0),
        ("heaviside(-2)", 0.0),
        ("heaviside(2)", 1.0),
        ("mod(-1, 3)", 2.0),
        ("mod(7, -3)", -2.0),
        ("mod(5.5, 2)", 1.5),
        ("gamma(5)", 24.0),
        ("gamma(0.5)", math.sqrt(math.pi)),
        ("lgamma(1)", 0.0),
        ("lgamma(2)", 0.0),
        ("digamma(1)", -0.5772156649015329),
        ("digamma'(1)", math.pi**2 / 6),
        ("sinc''(0)", -1 / 3),
    ],
)
def test_special_points(text, expected):
    if "gamma" in text:
        pytest.importorskip("scipy")
    r = invoke("eval", text, "--format", "json")
    assert r.code == 0, r.stderr
    assert r.json()["value"] == pytest.approx(expected, rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_functions_have_derivative_zero_and_a_kink_at_each_jump(name):
    jump = "0.5" if name == "round" else ("0" if name == "sign" else "1")
    r = invoke("grad", f"{name}(x)*x", "--at", "x=2.25", "--format", "json")
    assert r.json()["grad"]["x"] == float(
        invoke("eval", f"{name}(x)", "--at", "x=2.25", "--format", "json").json()["value"]
    )
    r = invoke("grad", f"{name}(x)", "--at", f"x={jump}", "--format", "json")
    assert r.code == 0 and r.json()["grad"] == {"x": 0.0} and "kink" in r.stderr


def test_heaviside_and_mod_derivatives():
    assert invoke("grad", "heaviside(x)*x", "--at", "x=-2", "--format", "json").json()["grad"] == {"x": 0.0}
    d = invoke("grad", "mod(x, y)", "--at", "x=7.5,y=2", "--format", "json").json()["grad"]
    assert d == {"x": 1.0, "y": -3.0}
    assert "kink" in invoke("grad", "mod(x, 2)", "--at", "x=4").stderr


@pytest.mark.parametrize(
    "alias,name",
    [
        ("ln", "log"),
        ("arcsin", "asin"),
        ("arccos", "acos"),
        ("arctan", "atan"),
        ("arcsinh", "asinh"),
        ("arccosh", "acosh"),
        ("arctanh", "atanh"),
        ("arctan2", "atan2"),
    ],
)
def test_aliases_are_the_same_function(alias, name):
    assert alias in OPS[name].aliases and FUNCTIONS[alias] is FUNCTIONS[name]
    args = "x, 0.5" if name == "atan2" else "x"
    mine = invoke("grad", f"{alias}({args})", "--at", "x=1.25" if name == "acosh" else "x=0.5", "--format", "json")
    theirs = invoke("grad", f"{name}({args})", "--at", "x=1.25" if name == "acosh" else "x=0.5", "--format", "json")
    assert mine.code == 0 and mine.stdout == theirs.stdout
    # an alias prints under the function's own name, so the text parses back anywhere
    d = invoke("diff", f"{alias}({args})", "--wrt", "x", "--format", "json").json()
    assert alias + "(" not in d["derivative"] or name == "log"


def test_derivatives_of_sinc_and_digamma_print_with_primes_and_parse_back():
    d = invoke("diff", "sinc(x)*digamma(x)", "--wrt", "x", "--order", "2", "--format", "json").json()
    assert "sinc''(x)" in d["derivative"] and "digamma''(x)" in d["derivative"]
    assert "\\operatorname{sinc}''" in d["latex"] and "\\psi''" in d["latex"]
    pytest.importorskip("scipy")
    again = invoke("eval", d["derivative"], "--at", "x=1.7", "--format", "json").json()["value"]
    direct = invoke("diff", "sinc(x)*digamma(x)", "--wrt", "x", "--order", "2", "--at", "x=1.7", "--format", "json")
    assert again == direct.json()["value"]


def test_without_scipy_the_special_functions_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    for args in (("eval", "gamma(x)", "--at", "x=2"), ("grad", "lgamma(x)", "--at", "x=2"), ("eval", "digamma(3)")):
        r = invoke(*args)
        assert r.code == 2 and r.stdout == ""
        assert "needs SciPy" in r.stderr and "diffcli[special]" in r.stderr and "Traceback" not in r.stderr
    # the symbolic derivative needs no values
    r = invoke("diff", "gamma(x)", "--wrt", "x")
    assert r.code == 0 and r.stdout.strip() == "gamma(x)*digamma(x)"


def test_numpy_sinc_is_not_diffcli_sinc():
    """numpy's sinc is the normalised sin(pi x)/(pi x); diffcli's is sin(x)/x (the doc says so)."""
    assert "numpy's sinc is the normalised" in OPS["sinc"].doc
    x = 0.7
    value = invoke("eval", "sinc(x)", "--at", f"x={x}", "--format", "json").json()["value"]
    assert value == pytest.approx(math.sin(x) / x, rel=1e-15) and value != pytest.approx(float(np.sinc(x)))


def test_calculus_guide_lists_every_function():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "calculus.md").read_text()
    reference = text.split("## Functions", 1)[1].split("\n## ", 1)[0]
    listed = set(reference.replace("`", " ").replace("(", " ").replace(")", " ").replace(",", " ").split())
    # the tensor spellings are listed in docs/tensors.md (README.md is kept short)
    tensors = (Path(__file__).resolve().parent.parent / "docs" / "tensors.md").read_text()
    listed |= set(re.findall(r"`(\w+)\(", tensors))
    # eye(n) (matrix calculus) is documented in docs/matrix-calculus.md and docs/language.md
    listed.add("eye")
    assert set(FUNCTIONS) <= listed, sorted(set(FUNCTIONS) - listed)

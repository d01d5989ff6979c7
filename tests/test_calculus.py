"""Taylor polynomials, the second-derivative test, implicit differentiation, undefined
functions and vector calculus: against mpmath (30 digits) and by parsing the printed formulas
back and evaluating them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import invoke
from helpers import value_of

mp = pytest.importorskip("mpmath")
mp.mp.dps = 30


def json_of(*args):
    r = invoke(*args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


# ---------------------------------------------------------------- taylor


@pytest.mark.parametrize(
    "text,mp_f,centre,order",
    [
        ("exp(x)", mp.exp, 0.0, 6),
        ("sin(x)", mp.sin, 1.0, 5),
        ("log(1 + x)", lambda x: mp.log(1 + x), 0.5, 7),
        ("1/(1 - x)", lambda x: 1 / (1 - x), -0.5, 5),
        ("sinc(x)", lambda x: mp.sin(x) / x if x else mp.mpf(1), 0.0, 6),
        ("atan(x)*cosh(x)", lambda x: mp.atan(x) * mp.cosh(x), 0.3, 4),
    ],
)
def test_taylor_coefficients_match_mpmath(text, mp_f, centre, order):
    d = json_of("taylor", text, "--at", f"x={centre!r}", "--order", str(order))
    exact = mp.taylor(mp_f, mp.mpf(centre), order)
    assert len(d["coefficients"]) == order + 1
    for mine, theirs in zip(d["coefficients"], exact):
        assert mine == pytest.approx(float(theirs), rel=1e-11, abs=1e-13), (text, d["coefficients"])
    # the polynomial text parses back to the same polynomial
    for x in (centre - 0.3, centre + 0.1):
        expected = sum(c * (x - centre) ** k for k, c in enumerate(d["coefficients"]))
        assert float(value_of(d["polynomial"], {"x": x})) == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_taylor_exp_prints_the_textbook_polynomial():
    r = invoke("taylor", "exp(x)", "--at", "x=0", "--order", "4")
    assert r.code == 0 and r.stdout.splitlines()[0] == "1 + x + x^2/2 + x^3/6 + x^4/24"
    d = json_of("taylor", "exp(x)", "--at", "x=0", "--order", "4")
    assert d["coefficients"] == [1.0, 1.0, 0.5, 1 / 6, 1 / 24]
    assert d["latex"] == "1 + x + \\frac{x^{2}}{2} + \\frac{x^{3}}{6} + \\frac{x^{4}}{24}"
    assert invoke("taylor", "cos(x)", "--at", "x=2", "--order", "1").stdout.startswith(
        f"{math.cos(2)!r} - {math.sin(2)!r}*(x - 2)"
    )


def test_several_variables_order_two_is_the_quadratic_model():
    text, at = "exp(x)*sin(y) + x*y^3", "x=0.5,y=-0.25"
    d = json_of("taylor", text, "--at", at, "--order", "2")
    h = json_of("hessian", text, "--at", at)
    terms = {tuple(t["powers"]): t["coefficient"] for t in d["terms"]}
    assert terms[(0, 0)] == h["value"]
    assert [terms[(1, 0)], terms[(0, 1)]] == [h["grad"]["x"], h["grad"]["y"]]
    hxx, hxy, hyy = h["hessian"][0][0], h["hessian"][0][1], h["hessian"][1][1]
    assert terms[(2, 0)] == pytest.approx(hxx / 2, rel=1e-15) and terms[(0, 2)] == pytest.approx(hyy / 2, rel=1e-15)
    assert terms[(1, 1)] == pytest.approx(hxy, rel=1e-14)
    for x, y in ((0.6, -0.2), (0.1, 1.0)):
        model = sum(c * (x - 0.5) ** i * (y + 0.25) ** j for (i, j), c in terms.items())
        assert float(value_of(d["polynomial"], {"x": x, "y": y})) == pytest.approx(model, rel=1e-13)


def test_several_variables_higher_order_against_mpmath():
    d = json_of("taylor", "exp(x)*cos(y)", "--at", "x=0,y=0", "--order", "4")
    terms = {tuple(t["powers"]): t["coefficient"] for t in d["terms"]}
    assert len(terms) == 15
    for (i, j), c in terms.items():
        exact = mp.diff(lambda a, b: mp.exp(a) * mp.cos(b), (0, 0), (i, j)) / (math.factorial(i) * math.factorial(j))
        assert c == pytest.approx(float(exact), abs=1e-12), (i, j)


def test_taylor_along_a_direction_is_the_expansion_of_f_on_the_line():
    d = json_of("taylor", "x^2*y + sin(x*y)", "--at", "x=1,y=2", "--u", "1,-0.5", "--order", "5")
    line = lambda t: (1 + t) ** 2 * (2 - 0.5 * t) + mp.sin((1 + t) * (2 - 0.5 * t))  # noqa: E731
    for mine, theirs in zip(d["coefficients"], mp.taylor(line, 0, 5)):
        assert mine == pytest.approx(float(theirs), rel=1e-12, abs=1e-13)
    assert d["u"] == [1.0, -0.5] and "t" in d["polynomial"]
    # vector variables along a direction
    d = json_of("taylor", "sum(v^3)", "--at", "v=[1,2]", "--u", "1,1", "--order", "3")
    assert d["coefficients"] == [9.0, 15.0, 9.0, 2.0]


def test_taylor_plot_writes_a_picture(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "t.png"
    r = invoke("taylor", "cos(x)", "--at", "x=0", "--order", "4", "--plot", str(out))
    assert r.code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = invoke("taylor", "x*y", "--at", "x=0,y=0", "--plot", str(tmp_path / "u.png"))
    assert r.code == 2 and "--plot draws a polynomial in one variable" in r.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (("taylor", "x^2"), "--at x=VALUE"),
        (("taylor", "2"), "taylor needs a point"),
        (("taylor", "[x, x^2]", "--at", "x=0"), "scalar expression"),
        (("taylor", "sum(v)", "--at", "v=[1,2]"), "--u"),
        (("taylor", "x*y*z*w", "--at", "x=0,y=0,z=0,w=0", "--order", "20"), "terms"),
    ],
)
def test_taylor_bad_input(args, message):
    r = invoke(*args)
    assert r.code == 2 and message in r.stderr and r.stdout == ""


# ---------------------------------------------------------------- hessian --classify


@pytest.mark.parametrize(
    "text,at,verdict",
    [
        ("x^2 + y^2", "x=0,y=0", "minimum"),
        ("0 - x^2 - 2*y^2", "x=0,y=0", "maximum"),
        ("x^2 - y^2", "x=0,y=0", "saddle"),
        ("x^4 + y^2", "x=0,y=0", "degenerate"),
        ("x^2 + y^2", "x=1,y=0", "not a critical point"),
        ("(1-x)^2 + 100*(y-x^2)^2", "x=1,y=1", "minimum"),
    ],
)
def test_hessian_classify(text, at, verdict):
    d = json_of("hessian", text, "--at", at, "--classify")
    assert d["classification"] == verdict
    assert d["eigenvalues"] == pytest.approx(sorted(np.linalg.eigvalsh(np.array(d["hessian"]))), rel=1e-14)
    assert d["grad_norm"] == pytest.approx(float(np.hypot(*d["grad"].values())), rel=1e-15)
    assert d["critical"] == (verdict != "not a critical point")


def test_hessian_classify_plain_and_errors():
    lines = invoke("hessian", "x^2 - y^2", "--at", "x=0,y=0", "--classify", "--format", "plain").stdout.splitlines()
    assert lines[-3:] == ["-2 2", "0", "saddle"]
    assert "classification" in invoke("hessian", "x^2", "--at", "x=0", "--classify", "--format", "csv").stdout
    r = invoke("hessian", "x^2", "--at", "x=0", "--classify", "--sparse")
    assert r.code == 2 and "--classify" in r.stderr
    assert json_of("hessian", "x^2 + y^2", "--at", "x=1e-7,y=0", "--classify", "--tol", "1e-6")["critical"]


# ---------------------------------------------------------------- implicit differentiation


def test_implicit_circle():
    r = invoke("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x")
    assert r.code == 0 and r.stdout == "-x/y\n"
    d = json_of("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--at", "x=0.6,y=0.8")
    assert d["value"] == pytest.approx(-0.75, rel=1e-15) and d["implicit"] == "y" and "warnings" not in d
    # on the upper half circle y = sqrt(1 - x^2): mpmath's derivatives of the explicit function
    for order in (1, 2, 3):
        d = json_of(
            "diff",
            "x^2 + y^2 = 1",
            "--implicit",
            "y",
            "--wrt",
            "x",
            "--order",
            str(order),
            "--at",
            f"x=0.6,y={math.sqrt(1 - 0.36)!r}",
        )
        exact = mp.diff(lambda t: mp.sqrt(1 - t * t), mp.mpf("0.6"), order)
        assert d["value"] == pytest.approx(float(exact), rel=1e-12), order
        assert d["order"] == order and d["wrt"] == ["x"] * order


@pytest.mark.parametrize(
    "text,explicit,x",
    [
        ("y = sin(x*y) + x", None, None),
        ("exp(y) + y = x^2", lambda x: mp.findroot(lambda y: mp.exp(y) + y - x * x, 0), 0.7),
        ("y^3 + y = x", lambda x: mp.findroot(lambda y: y**3 + y - x, 0), 1.3),
    ],
)
def test_implicit_derivative_matches_the_explicit_function(text, explicit, x):
    if explicit is None:
        return
    y = float(explicit(mp.mpf(x)))
    for order in (1, 2):
        d = json_of("diff", text, "--implicit", "y", "--order", str(order), "--at", f"x={x!r},y={y!r}")
        assert d["value"] == pytest.approx(float(mp.diff(explicit, mp.mpf(x), order)), rel=1e-10)


def test_implicit_formula_parses_back_and_off_curve_warns():
    d = json_of("diff", "y = sin(x*y) + x", "--implicit", "y", "--wrt", "x")
    # dy/dx = (y cos(xy) + 1)/(1 - x cos(xy)), checked at a point of the plane
    x, y = 0.3, 0.4
    expected = (y * math.cos(x * y) + 1) / (1 - x * math.cos(x * y))
    assert float(value_of(d["derivative"], {"x": x, "y": y})) == pytest.approx(expected, rel=1e-14)
    r = invoke("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--at", "x=0.6,y=0.7", "--format", "json")
    assert r.code == 0 and "not on the curve" in r.stderr and "lhs - rhs = -0.15" in r.stderr
    assert r.json()["residual"] == pytest.approx(-0.15, rel=1e-12)


@pytest.mark.parametrize(
    "args,message",
    [
        (("diff", "x^2 + y^2 = 1", "--wrt", "x"), "only `diff --implicit y` takes"),
        (("grad", "x + 1 = 2", "--at", "x=1"), "makes an equation"),
        (("diff", "x^2 + y^2 + z = 1", "--implicit", "y"), "name the variable y depends on with --wrt"),
        (("diff", "x^2 = 1", "--implicit", "y", "--wrt", "x"), "does not depend on y"),
        (("diff", "x = y; x + 1 = 2; 3", "--implicit", "y"), "must be the last statement"),
    ],
)
def test_implicit_bad_input(args, message):
    r = invoke(*args)
    assert r.code == 2 and message in r.stderr and r.stdout == ""


# ---------------------------------------------------------------- undefined functions


def substitute(text: str, functions: dict, point: dict) -> float:
    """The value of a printed formula with f, f', f'' replaced by known functions (text
    substitution of whole calls, longest prime run first)."""
    import re

    for (name, order), known in sorted(functions.items(), key=lambda kv: -kv[0][1]):
        text = re.sub(rf"\b{name}{chr(39) * order}\(", f"{known}(", text)
    return float(value_of(text, point))


def test_undefined_functions_follow_the_chain_and_product_rules():
    r = invoke("diff", "f(x^2)*g(x)", "--function", "f,g", "--wrt", "x")
    assert r.code == 0, r.stderr
    text = r.stdout.strip()
    assert "f'(x^2)" in text and "g'(x)" in text
    # with f = sin (f' = cos) and g = exp (g' = exp): d/dx sin(x^2)*exp(x)
    known = {("f", 0): "sin", ("f", 1): "cos", ("g", 0): "exp", ("g", 1): "exp"}
    for x in (0.3, -1.1):
        expected = 2 * x * math.cos(x * x) * math.exp(x) + math.sin(x * x) * math.exp(x)
        assert substitute(text, known, {"x": x}) == pytest.approx(expected, rel=1e-14)
    # the second derivative, with f'' = -sin and g'' = exp
    d = json_of("diff", "f(x^2)*g(x)", "--function", "f,g", "--wrt", "x", "--order", "2")
    assert "\\frac" in d["latex"] or "f''" in d["latex"]
    known.update({("f", 2): "(-sin)", ("g", 2): "exp"})
    text2 = d["derivative"].replace("(-sin)(", "-sin(")
    exact = mp.diff(lambda t: mp.sin(t * t) * mp.exp(t), mp.mpf("0.7"), 2)
    assert substitute(
        text2, {k: v.strip("()") if k != ("f", 2) else "-sin" for k, v in known.items()}, {"x": 0.7}
    ) == pytest.approx(float(exact), rel=1e-12)


def test_primes_parse_back_and_files_declare_functions(tmp_path):
    first = invoke("diff", "f(x)^3", "--function", "f", "--wrt", "x").stdout.strip()
    again = invoke("diff", first, "--function", "f", "--wrt", "x")
    assert again.code == 0 and "f''(x)" in again.stdout
    source = tmp_path / "fg.dc"
    source.write_text("function f, g\nh = f(x)*g(x)\nh^2\n")
    assert invoke("diff", str(source), "--wrt", "x").code == 0
    r = invoke("grad", str(source), "--at", "x=1")
    assert r.code == 2 and "`f` is an undefined function" in r.stderr and "only `diff`" in r.stderr
    r = invoke("eval", "f(1)", "--at", "x=1")
    assert r.code == 2 and "unknown function `f`" in r.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (("diff", "foo(x) + fo(x)", "--function", "foo", "--wrt", "x"), "did you mean `foo`"),
        (("diff", "f'(x)", "--wrt", "x"), "declare it with --function f"),
        (("diff", "sin'(x)", "--wrt", "x"), "primes follow"),
        (("diff", "f(x, y)", "--function", "f", "--wrt", "x"), "one argument"),
        (("diff", "sin(x)", "--function", "sin", "--wrt", "x"), "built in"),
        (("diff", "f + 1", "--function", "f", "--wrt", "x"), "is a function"),
        (("diff", "f(x)", "--function", "f", "--wrt", "x", "--at", "x=1"), "undefined function"),
    ],
)
def test_undefined_function_errors(args, message):
    r = invoke(*args)
    assert r.code == 2 and message in r.stderr and r.stdout == ""


# ---------------------------------------------------------------- vector calculus


def test_curl_of_the_rotation_field():
    r = invoke("curl", "[-y, x, 0]", "--wrt", "x,y,z", "--at", "x=1,y=1,z=0", "--format", "plain")
    assert r.stdout == "[0, 0, 2]\n0 0 2\n"
    d = json_of("curl", "[-y, x, 0]", "--wrt", "x,y,z", "--at", "x=1,y=1,z=0")
    assert d["curl"] == ["0", "0", "2"] and d["value"] == [0.0, 0.0, 2.0]


FIELD = "[x*y*z, sin(y)*x^2, exp(z*x) + y]"
COMPONENTS = [lambda x, y, z: x * y * z, lambda x, y, z: mp.sin(y) * x**2, lambda x, y, z: mp.exp(z * x) + y]


def mp_partial(i, j, point):
    return mp.diff(COMPONENTS[i], point, tuple(1 if k == j else 0 for k in range(3)))


def test_divergence_and_curl_against_mpmath():
    point = (mp.mpf("0.5"), mp.mpf("-1.25"), mp.mpf("0.75"))
    at = "x=0.5,y=-1.25,z=0.75"
    d = json_of("div", FIELD, "--wrt", "x,y,z", "--at", at)
    assert d["value"] == pytest.approx(float(sum(mp_partial(i, i, point) for i in range(3))), rel=1e-12)
    c = json_of("curl", FIELD, "--wrt", "x,y,z", "--at", at)
    expected = [
        mp_partial(2, 1, point) - mp_partial(1, 2, point),
        mp_partial(0, 2, point) - mp_partial(2, 0, point),
        mp_partial(1, 0, point) - mp_partial(0, 1, point),
    ]
    assert c["value"] == pytest.approx([float(e) for e in expected], rel=1e-12, abs=1e-14)
    # the formulas parse back to the same values
    values = {"x": 0.5, "y": -1.25, "z": 0.75}
    assert float(value_of(d["divergence"], values)) == pytest.approx(d["value"], rel=1e-15)
    assert [float(value_of(t, values)) for t in c["curl"]] == pytest.approx(c["value"], rel=1e-15)


def test_laplacian_and_the_plane_curl():
    d = json_of("laplacian", "x^2*y + z^3 + sin(x)*y")
    assert d["wrt"] == ["x", "y", "z"]
    at = {"x": 0.3, "y": 2.0, "z": -1.0}
    exact = 2 * at["y"] + 6 * at["z"] - math.sin(at["x"]) * at["y"]
    assert float(value_of(d["laplacian"], at)) == pytest.approx(exact, rel=1e-14)
    assert json_of("laplacian", "x^2 + y^2", "--at", "x=1,y=2")["laplacian"] == "4"
    assert json_of("curl", "[x*y, x^2]", "--wrt", "x,y")["curl"] == "x"  # 2x - x


@pytest.mark.parametrize(
    "args,message",
    [
        (("div", "[x*y, y^2, z]"), "--wrt x,y,z"),
        (("curl", "[x, y, z, x]", "--wrt", "x,y,z,w"), "three components"),
        (("div", "x*y", "--wrt", "x,y"), "vector field"),
        (("laplacian", "[x, y]"), "scalar expression"),
        (("div", "[x, y]", "--wrt", "x,y,z"), "2 components but there are 3 variables"),
    ],
)
def test_vector_calculus_bad_input(args, message):
    r = invoke(*args)
    assert r.code == 2 and message in r.stderr and r.stdout == ""


def test_the_issue_examples_in_a_real_process():
    """The installed program (a separate process, not the in-process runner)."""
    import subprocess
    import sys

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "diffcli", *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("taylor", "exp(x)", "--at", "x=0", "--order", "4").startswith("1 + x + x^2/2 + x^3/6 + x^4/24\n")
    assert run("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x") == "-x/y\n"
    assert "f'(x^2)" in run("diff", "f(x^2)*g(x)", "--function", "f,g", "--wrt", "x")
    assert run("jvp", "x^2*y", "--at", "x=2,y=3", "--u", "1,1") == "12\n16\n"
    assert run("curl", "[-y, x, 0]", "--wrt", "x,y,z", "--at", "x=1,y=1,z=0") == "[0, 0, 2]\n0 0 2\n"

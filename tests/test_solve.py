"""`diffcli solve`: Newton's method with its table; 30+ textbook equations and systems converge
with the order the theory states (quadratic at a simple root, linear at a multiple root, cubic
for Halley, superlinear for the secant method), and failures are exit 3 with the point reached."""

from __future__ import annotations

import math
import subprocess

import pytest

from conftest import invoke

CASES = [
    # (EXPR, --at, root (None: check the residual only), method, order in words)
    ("x^3 - 2*x - 5", "x=2", [2.0945514815423265], "newton", "quadratic"),
    ("x^2 - 2", "x=1", [math.sqrt(2)], "newton", "quadratic"),
    ("cos(x) - x", "x=1", [0.7390851332151607], "newton", "quadratic"),
    ("exp(x) - 3", "x=2", [math.log(3)], "newton", "quadratic"),
    ("x*exp(x) - 1", "x=2", [0.5671432904097838], "newton", "quadratic"),
    ("x^3 - x - 1", "x=2", [1.324717957244746], "newton", "quadratic"),
    ("log(x) - 1", "x=1", [math.e], "newton", "quadratic"),
    ("sin(x)", "x=2.5", [math.pi], "newton", "cubic"),  # f''(pi) = 0: e_(k+1) ~ e_k^3
    ("x^5 - 3", "x=2", [3 ** (1 / 5)], "newton", "quadratic"),
    ("tan(x) - x", "x=4.6", [4.493409457909064], "newton", "quadratic"),
    ("x^2 - 612", "x=10", [math.sqrt(612)], "newton", "quadratic"),
    ("exp(-x) - x", "x=0", [0.5671432904097838], "newton", "quadratic"),
    ("x^4 - 10", "x=3", [10**0.25], "newton", "quadratic"),
    ("cosh(x) - 2", "x=3", [math.acosh(2)], "newton", "quadratic"),
    ("atan(x)", "x=1", [0.0], "newton", "cubic"),  # f''(0) = 0: Newton is cubic at this root
    ("(x - 1)^2", "x=2", [1.0], "newton", "linear"),
    ("x^2 - 2*x + 1", "x=0", [1.0], "newton", "linear"),
    ("(x - 2)^2*(x + 1)", "x=3", [2.0], "newton", "linear"),
    ("(x - 1)^3", "x=2", [1.0], "newton", "linear"),
    ("x^3 - 2*x - 5", "x=3", [2.0945514815423265], "halley", "cubic"),
    ("cos(x) - x", "x=2", [0.7390851332151607], "halley", "cubic"),
    ("x^3 - 2*x - 5", "x=3", [2.0945514815423265], "secant", "superlinear"),
    ("x^2 - 2", "x=3", [math.sqrt(2)], "secant", "superlinear"),
    ("[x^2 + y^2 - 4, x*y - 1]", "x=2,y=0.5", [1.9318516525781366, 0.5176380902050415], "newton", "quadratic"),
    ("[x + y - 3, x*y - 2]", "x=0.2,y=3.5", [1.0, 2.0], "newton", "quadratic"),
    ("[x^2 - 2, y^2 - 3]", "x=1,y=1", [math.sqrt(2), math.sqrt(3)], "newton", "quadratic"),
    ("[x^2 + y^2 + z^2 - 3, x - y, y - z]", "x=2,y=1.5,z=1", [1.0, 1.0, 1.0], "newton", "quadratic"),
    ("[x^3 - 3*x*y^2 - 1, 3*x^2*y - y^3]", "x=1.5,y=0.3", [1.0, 0.0], "newton", "quadratic"),
    ("[-2*(1 - x) - 400*x*(y - x^2), 200*(y - x^2)]", "x=0.95,y=0.9", [1.0, 1.0], "newton", "quadratic"),
    ("[exp(x) - y, x + y - 2]", "x=1,y=1", None, "newton", "quadratic"),
    ("[sin(x) + y - 1, x - y^2]", "x=1,y=0.5", None, "newton", "quadratic"),
    ("[4*x^2 + y^2 - 4, x + y - sin(x - y)]", "x=1,y=0", None, "newton", "quadratic"),
    ("[x*y*z - 6, x + y + z - 6, x^2 + y^2 + z^2 - 14]", "x=0.5,y=2.5,z=3.5", [1.0, 2.0, 3.0], "newton", "quadratic"),
]


def run(*args):
    return invoke("solve", *args, "--format", "json")


@pytest.mark.parametrize("expr, at, root, method, order", CASES)
def test_textbook_equations_converge_with_the_stated_order(expr, at, root, method, order):
    r = run(expr, "--at", at, "--method", method)
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["converged"] and d["residual"] <= 1e-10
    if root is not None:  # a multiple root is found to about sqrt(machine epsilon) only
        close = 1e-7 if order == "linear" else 1e-12
        assert list(d["root"].values()) == pytest.approx(root, rel=close, abs=close)
    assert d["order_words"].startswith(order), d["order_words"]


def test_newtons_own_example_to_the_last_digit():
    r = invoke("solve", "x^3 - 2*x - 5", "--at", "x=2", "--format", "plain")
    assert r.code == 0 and r.stdout.splitlines()[0] == "2.0945514815423265"
    d = run("x^3 - 2*x - 5", "--at", "x=2").json()
    first = d["table"][0]
    assert first["x"] == [2.0] and first["f"] == [-1.0] and first["fprime"] == 10.0 and first["step"] == 0.1
    assert d["order_words"] == "quadratic" and d["order"] == pytest.approx(2, abs=0.05)


def test_double_root_rate_is_one_half():
    d = run("(x - 1)^2", "--at", "x=2").json()
    assert d["order"] == pytest.approx(1, abs=0.01) and "0.5" in d["order_words"]


def test_equation_form():
    d = run("x^2 = 2", "--at", "x=1").json()
    assert d["root"]["x"] == pytest.approx(math.sqrt(2), rel=1e-15)


@pytest.mark.parametrize(
    "expr, at, extra, words",
    [
        ("exp(x)", "x=0", [], "without a root"),
        ("x^2 + 1", "x=0", [], "derivative is zero"),
        ("x^3 - 2*x + 2", "x=0", ["--no-line-search"], "cycles"),
        ("x^3 - 2*x + 2", "x=0", [], "not a root"),
        ("[x + y - 1, 2*x + 2*y - 5]", "x=0,y=0", [], "singular"),
        ("x^(1/3)", "x=1", ["--no-line-search"], "x"),
    ],
)
def test_failures_are_exit_3_with_the_point_reached(expr, at, extra, words):
    r = run(expr, "--at", at, *extra)
    assert r.code == 3, r.stderr
    assert r.stderr.startswith("error: no root found") and words in r.stderr and "the point reached" in r.stderr
    assert r.json()["converged"] is False


def test_bad_input_is_exit_2():
    assert invoke("solve", "[x^2, y]", "--at", "x=1").code == 2
    assert invoke("solve", "x^2 - 2", "--at", "x=1,y=2").code == 2  # 1 equation, 2 unknowns
    assert invoke("solve", "[x - 1, y - 2]", "--at", "x=1,y=2", "--method", "halley").code == 2
    assert invoke("solve", "x - 1").code == 2


def test_formats_and_trace(tmp_path):
    trace = tmp_path / "t.csv"
    r = invoke("solve", "x^2 - 2", "--at", "x=1", "--format", "csv", "--trace", str(trace))
    assert r.code == 0 and r.stdout.splitlines()[0] == "k,x,f,fprime,step,t,order"
    lines = trace.read_text().splitlines()
    assert lines[0] == "k,x,residual" and lines[1].startswith("0,1,1")
    r = invoke("solve", "x^3 - 2*x - 5", "--at", "x=2", "--format", "rich")
    assert "quadratic" in r.stdout and "2.0945514815423265" in r.stdout


def test_newton_is_a_foreign_name_for_solve():
    r = invoke("newton", "x^2 - 2", "--at", "x=1")
    assert r.code == 2 and "solve" in r.stderr


def test_installed_command():
    p = subprocess.run(
        ["diffcli", "solve", "x^3 - 2*x - 5", "--at", "x=2", "--format", "plain"], capture_output=True, text=True
    )
    assert p.returncode == 0 and p.stdout.splitlines()[0] == "2.0945514815423265"

"""Formulas for the calculus student (issue 25): constants and slips in every mode, printed
formulas without the rules' guards, symbolic grad/hessian/jacobian (and --det), --check, and
implicit `y = expr` with --at. Symbolic matrices and --check are compared with SymPy: frozen
references (tests/data/sympy_matrices.json, made once by tests/data/make_sympy_matrices.py),
checked numerically, and live where SymPy is installed."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Graph, topological
from diffcli.syntax.parse import parse

CASES = json.loads((Path(__file__).parent / "data" / "sympy_matrices.json").read_text())


def same(a: str, b: str, points: int = 60) -> bool:
    """Whether two formulas in x and y agree (1e-9 relative) wherever the first is finite."""
    graph = Graph()
    nodes = [parse(t, None, graph=graph).output for t in (a, b)]
    names = sorted({n.name for n in topological(nodes) if n.op == "var"})
    rng = np.random.default_rng(7)
    at = {n: rng.uniform(0.1, 2.0, points) for n in names}
    values = [
        np.broadcast_to(np.asarray(to_numpy(v), float), (points,)) for v in Plan(nodes, set(names)).evaluate(at, points)
    ]
    ok = np.isfinite(values[0])
    assert ok.sum() >= points // 2, (a, b)
    return bool(np.allclose(values[1][ok], values[0][ok], rtol=1e-9, atol=1e-9))


def formulas(*args: str) -> dict:
    r = invoke(*args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json() if hasattr(r, "json") else json.loads(r.stdout)


# -- the examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr,printed", [("e^x", "e^x"), ("pi*r^2", "2*pi*r"), ("a^x", "log(a)*a^x"), ("x^x", "x^x*(log(x) + 1)")]
)
def test_constants_and_textbook_forms(expr, printed):
    r = invoke("diff", expr, *(["--wrt", "x"] if "a" in expr else []))
    assert (r.code, r.stdout.strip()) == (0, printed)


@pytest.mark.parametrize(
    "args,fix",
    [
        (["sinx"], "`sin(x)`"),
        (["x*sinx", "--wrt", "x"], "`sin(x)`"),
        (["lnx"], "`ln(x)`"),
        (["expx"], "`exp(x)`"),
        (["sqrtx"], "`sqrt(x)`"),
        (["cos^2(x)"], "`cos(x)^2`"),
        (["PI*x"], "written `pi`"),
        (["x^2*y^3", "--wrt", "xy"], "did you mean `--wrt x,y`?"),
        (["x^2", "--wrt", "e"], "Euler's number"),
        (["pi*x", "--at", "pi=1,x=2"], "--at pi: `pi` is pi"),
    ],
)
def test_slips_without_at_are_errors_naming_the_fix(args, fix):
    r = invoke("diff", *args)
    assert r.code == 2 and r.stdout == "" and fix in r.stderr, r.stderr


def test_the_same_slip_with_at_keeps_its_hint():
    r = invoke("diff", "x*sinx", "--wrt", "x", "--at", "x=1")
    assert r.code == 2 and "sin(x)" in r.stderr


def test_x_to_the_x_prints_no_guard_and_matches_the_textbook():
    out = formulas("diff", "x^x")
    assert "where" not in out["derivative"] and "cases" not in out["latex"]
    assert same(out["derivative"], "x^x*(log(x) + 1)")
    assert invoke("diff", "x^x", "--check", "x^x*(log(x) + 1)").code == 0


def test_a_note_says_when_the_point_sits_on_a_guard():
    r = invoke("diff", "x^y", "--wrt", "y", "--at", "x=0,y=2")
    assert r.stdout.splitlines() == ["log(x)*x^y", "0"]
    assert "log(x) is undefined where x = 0" in r.stderr
    assert "undefined" not in invoke("diff", "x^y", "--wrt", "y", "--at", "x=2,y=2").stderr


def test_symbolic_gradient_hessian_jacobian_in_every_format():
    assert invoke("grad", "x^2*y").stdout.splitlines() == ["2*x*y", "x^2"]
    assert invoke("hessian", "x^2+y^2").stdout.splitlines() == ["2", "0", "0", "2"]
    polar = ["jacobian", "[r*cos(t), r*sin(t)]", "--wrt", "r,t"]
    assert invoke(*polar).stdout.splitlines() == ["cos(t)", "-r*sin(t)", "sin(t)", "r*cos(t)"]
    assert formulas(*polar) == {
        "jacobian": [["cos(t)", "-r*sin(t)"], ["sin(t)", "r*cos(t)"]],
        "latex": "\\begin{pmatrix} \\cos\\left(t\\right) & -r \\cdot \\sin\\left(t\\right) \\\\ "
        "\\sin\\left(t\\right) & r \\cdot \\cos\\left(t\\right) \\end{pmatrix}",
        "wrt": ["r", "t"],
    }
    assert invoke(*polar, "--format", "csv").stdout.splitlines() == [
        "J[0;r],J[0;t],J[1;r],J[1;t]",
        "cos(t),-r*sin(t),sin(t),r*cos(t)",
    ]
    assert invoke(*polar, "--latex").stdout.startswith("\\begin{pmatrix}")
    assert invoke(*polar, "--det").stdout.strip() == "r"
    spherical = "[r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)]"
    assert invoke("jacobian", spherical, "--wrt", "r,p,t", "--det").stdout.strip() == "r^2*sin(p)"
    assert invoke("hessian", "x^2*y^3", "--det").stdout.strip() == "-24*x^2*y^4"
    assert "gradient" in invoke("grad", "x^2*y", "--format", "rich").stdout


def test_partial_evaluation_and_every_missing_name_at_once():
    assert invoke("grad", "x^2*y", "--at", "x=1").stdout.splitlines() == ["2*y", "1"]
    assert invoke("grad", "x^2*y", "--at", "x=1,y=2").stdout.splitlines() == ["2", "4 1"]  # numbers as today
    r = invoke("eval", "x*y*z", "--at", "x=1")
    assert r.code == 2 and "(y, z)" in r.stderr and "--at y=VALUE,z=VALUE" in r.stderr
    r = invoke("hessian", "x*y", "--classify")
    assert r.code == 2


def test_check_verdicts():
    assert invoke("diff", "x^3", "--check", "3*x^2").code == 0
    r = invoke("diff", "x^3", "--check", "x^2")
    assert r.code == 1 and "1/3 times the derivative" in r.stdout
    r = invoke("diff", "x^2*y", "--wrt", "x", "--check", "-2*x*y")
    assert r.code == 1 and "wrong sign" in r.stdout
    assert "plus 1" in invoke("diff", "x^2 + 1", "--check", "2*x + 1").stdout
    d = json.loads(invoke("diff", "x^2*y", "--wrt", "x", "--check", "4*x*y", "--format", "json").stdout)
    assert d["correct"] is False and set(d["point"]) == {"x", "y"} and d["factor"] == 2.0
    assert d["got"] == pytest.approx(2 * d["expected"])
    assert invoke("grad", "x^2*y", "--check", "2*x*y; x^2").code == 0
    assert invoke("hessian", "x^2+y^2", "--check", "[[2, 0], [0, 2]]").code == 0
    r = invoke("grad", "x^2*y", "--check", "2*x*y, x")
    assert r.code == 1 and "entry d_y" in r.stdout
    assert invoke("grad", "x^2*y", "--check", "2*x*y").code == 2  # one answer for two entries
    assert invoke("diff", "x^2", "--check", "2*y").code == 2  # a name the expression lacks


def test_implicit_y_equals_expression_with_at():
    for text in ("y = x^2", "x^2 = y"):
        r = invoke("diff", text, "--implicit", "y", "--wrt", "x", "--at", "x=0.5,y=0.25")
        assert (r.code, r.stdout.splitlines()) == (0, ["2*x", "1"]), r.stderr


def test_through_the_installed_command():
    run = subprocess.run(
        ["diffcli", "jacobian", "[r*cos(t), r*sin(t)]", "--wrt", "r,t", "--det"], capture_output=True, text=True
    )
    assert (run.returncode, run.stdout) == (0, "r\n")
    run = subprocess.run(["diffcli", "diff", "sinx"], capture_output=True, text=True)
    assert run.returncode == 2 and "sin(x)" in run.stderr


# -- no guard in a printed formula ----------------------------------------------------------

UNARY = ["sin({})", "exp({})", "log({})", "sqrt({})", "({})^2", "atan({})", "x^({})", "({})^x", "2^({})"]
BINARY = ["({}) + ({})", "({})*({})", "({})/({})", "({})^({})", "hypot({}, {})"]
leaves = st.sampled_from(["x", "y", "x", "2", "0.5"])
guarded = st.recursive(
    leaves,
    lambda kids: (
        st.tuples(st.sampled_from(UNARY), kids).map(lambda t: t[0].format(t[1]))
        | st.tuples(st.sampled_from(BINARY), kids, kids).map(lambda t: t[0].format(t[1], t[2]))
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(guarded, st.sampled_from(["1", "1", "2"]))
def test_no_printed_formula_holds_where_unless_the_input_does(expr, order):
    r = invoke("diff", expr, "--wrt", "x", "--order", order, "--format", "json")
    if r.code != 0:
        return  # a node budget or a constant: nothing printed
    d = json.loads(r.stdout)
    assert "where(" not in d["derivative"] and "cases" not in d["latex"]
    # the printed formula parses back and gives the evaluated derivative where both are finite
    at = "x=1.3,y=0.7"
    printed = invoke("eval", d["derivative"], "--at", at, "--format", "json")
    value = invoke("diff", expr, "--wrt", "x", "--order", order, "--at", at, "--format", "json")
    if printed.code == 0 and value.code == 0:
        a, b = json.loads(printed.stdout)["value"], json.loads(value.stdout)["value"]
        if a is not None and b is not None and np.isfinite(a) and np.isfinite(b):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_the_input_s_own_where_keeps_its_guards():
    assert "where(" in invoke("diff", "where(x > 0, x^2, x)").stdout


# -- symbolic matrices against SymPy --------------------------------------------------------


def answer(entries: list[str]) -> str:
    return "; ".join(entries)


# The first 25 run by default; all 100 with `-m slow` (CI runs both): each case is about 0.4 s.
FROZEN = [case if k < 25 else pytest.param(case, marks=pytest.mark.slow) for k, case in enumerate(CASES[:100])]


@pytest.mark.parametrize("case", FROZEN, ids=lambda c: c["expr"][:40])
def test_matrices_and_check_against_frozen_sympy(case):
    f, vector = case["expr"], f"[{case['expr']}, {case['second']}]"
    wrt = ["--wrt", "x,y"]
    r = invoke("grad", f, *wrt, "--check", answer(case["grad"]))  # --check takes SymPy's answer
    assert r.code == 0, (r.stdout, r.stderr)
    for command, expr, key in (("grad", f, "grad"), ("hessian", f, "hessian"), ("jacobian", vector, "jacobian")):
        printed = formulas(command, expr, *wrt)[key]
        flat = printed if command == "grad" else [e for row in printed for e in row]
        assert all("where(" not in e and same(s, e) for s, e in zip(case[key], flat)), (command, flat, case[key])
    for command, expr, key in (("hessian", f, "hessian_det"), ("jacobian", vector, "jacobian_det")):
        det = formulas(command, expr, *wrt, "--det")["det"]
        assert "where(" not in det and same(case[key], det), (command, det, case[key])


@pytest.mark.slow  # 100 random expressions through SymPy: about 6 s
def test_matrices_against_live_sympy():
    sp = pytest.importorskip("sympy", reason="the live SymPy comparison needs sympy")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", Path(__file__).parent / "data" / "make_sympy_matrices.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    rng = random.Random(2026)
    x, y = sp.symbols("x y")
    done = 0
    while done < 100:
        source = make.expression(rng, 2)
        f = sp.sympify(source.replace("^", "**"), locals={"x": x, "y": y})
        if not f.free_symbols >= {x, y}:
            continue
        grad = [make.text(sp.diff(f, v)) for v in (x, y)]
        hessian = [make.text(e) for e in sp.hessian(f, (x, y))]
        assert invoke("grad", source, "--wrt", "x,y", "--check", answer(grad)).code == 0, source
        assert invoke("hessian", source, "--wrt", "x,y", "--check", answer(hessian)).code == 0, source
        wrong = [make.text(2 * sp.diff(f, x)), grad[1]]  # a forgotten factor is caught
        if sp.diff(f, x) != 0:
            assert invoke("grad", source, "--wrt", "x,y", "--check", answer(wrong)).code == 1, source
        done += 1


def test_simplest_forms_students_recognise():
    assert invoke("diff", "erf(x)").stdout.strip() == "2*exp(-x^2)/sqrt(pi)"
    assert invoke("diff", "sqrt(x)").stdout.strip() == "1/(2*sqrt(x))"
    assert "\\sqrt{x}" in invoke("diff", "sqrt(x)", "--latex").stdout
    rows = [line for line in Path("docs/language.md").read_text().splitlines() if line.startswith("| `mean(x)`")]
    assert rows and "`g/n`" in rows[0]


@pytest.mark.parametrize(
    "expr,order,textbook",
    [
        ("x^x", 2, "x^x*((log(x) + 1)^2 + 1/x)"),
        ("x^x", 3, "x^x*((log(x) + 1)^3 + 3*(log(x) + 1)/x - 1/x^2)"),
        ("x^(x + 1)", 1, "x^(x + 1)*(log(x) + (x + 1)/x)"),
        ("x^y", 2, "y*(y - 1)*x^(y - 2)"),
        ("x^sin(x)", 2, "x^sin(x)*((cos(x)*log(x) + sin(x)/x)^2 - sin(x)*log(x) + 2*cos(x)/x - sin(x)/x^2)"),
    ],
)
def test_higher_orders_of_a_variable_power_print_no_guard(expr, order, textbook):
    out = formulas("diff", expr, "--wrt", "x", "--order", str(order))
    assert "where(" not in out["derivative"] and "cases" not in out["latex"]
    assert same(out["derivative"], textbook)


def test_each_kind_of_edge_is_noted_once():
    r = invoke("diff", "x^x", "--order", "2", "--at", "x=0", "--kinks", "quiet")
    notes = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert r.code == 0 and len(notes) == 2 and len(set(notes)) == 2


@pytest.mark.parametrize(
    "expr,order,printed",
    [
        ("0.5*y", 1, "0.5"),  # a typed decimal stays a decimal
        ("0.5*y^3", 1, "1.5*y^2"),
        ("y^3/2", 1, "3*y^2/2"),  # a typed fraction stays a fraction
        ("y/2", 1, "1/2"),
        ("2^y", 1, "log(2)*2^y"),  # factors in one order, at every order
        ("2^y", 3, "log(2)^3*2^y"),
        ("exp2(y)", 1, "log(2)*exp2(y)"),
        ("exp2(y)", 3, "log(2)^3*exp2(y)"),
        ("y*log(y)", 1, "log(y) + 1"),  # the number after the other terms of its degree
    ],
)
def test_numbers_as_typed_and_factors_in_one_order(expr, order, printed):
    r = invoke("diff", expr, "--wrt", "y", "--order", str(order))
    assert (r.code, r.stdout.strip()) == (0, printed)


def test_latex_writes_pi_as_the_greek_letter():
    assert invoke("diff", "pi*r^2", "--latex").stdout.strip() == "2 \\pi \\cdot r"


@pytest.mark.parametrize(
    "expr,printed",
    [
        ("x^pi", "pi*x^(pi - 1)"),  # a folded pi - 1 prints as pi - 1, not 2.141592653589793
        ("x^e", "e*x^(e - 1)"),
        ("x^(e + 1)", "(e + 1)*x^e"),  # not 8372826328553321*x^e/2251799813685248
        ("e^(-x^2)", "-2*x*e^(-x^2)"),  # a signed exponent in brackets
        ("x*e^(-x)", "e^(-x)*(1 - x)"),
        ("x^-2", "-2/x^3"),
        ("sqrt(x + 2)*(x + 2)^(1/3)", "5/(6*(x + 2)^(1/6))"),  # one power of x + 2
    ],
)
def test_named_constants_and_signs_print_as_a_textbook_does(expr, printed):
    r = invoke("diff", expr, "--wrt", "x")
    assert r.code == 0 and same(r.stdout.strip(), printed) and r.stdout.strip() == printed, r.stdout


def test_second_derivative_of_x_to_the_pi_keeps_its_constants():
    assert invoke("diff", "x^pi", "--order", "2").stdout.strip() == "pi*(pi - 1)*x^(pi - 2)"


@pytest.mark.parametrize(
    "expr,order,sympy",  # SymPy's diff, as it prints it (`**` read as `^`)
    [
        ("x^sin(x)", 2, "x^sin(x)*((log(x)*cos(x) + sin(x)/x)^2 - log(x)*sin(x) + 2*cos(x)/x - sin(x)/x^2)"),
        ("x^(x + 1)", 1, "x^(x + 1)*(log(x) + (x + 1)/x)"),
        ("(1 + x)^x", 2, "(x + 1)^x*((x/(x + 1) + log(x + 1))^2 - (x/(x + 1) - 2)/(x + 1))"),
        ("x^(1/x)", 3, "-x^(1/x)*(6*log(x) - 11 + 3*(log(x) - 1)*(2*log(x) - 3)/x + (log(x) - 1)^3/x^2)/x^4"),
        ("sqrt(x^(x + 3))", 2, "(log(x) + (x + 3)/x)^2*sqrt(x^(x + 3))/4 + (2 - (x + 3)/x)*sqrt(x^(x + 3))/(2*x)"),
    ],
)
def test_variable_powers_are_no_longer_than_sympy_s(expr, order, sympy):
    printed = formulas("diff", expr, "--wrt", "x", "--order", str(order))["derivative"]
    assert same(printed, sympy) and "where(" not in printed
    assert len(printed.replace(" ", "")) <= 1.5 * len(sympy.replace(" ", "")), printed

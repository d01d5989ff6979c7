"""The coursework functions and commands under the textbook printer, the teaching hints and
`--wrt` of an intermediate: each rule named in `diff --steps`, primed derivatives that print
and parse back, implicit derivatives and fields in textbook form, Taylor coefficients written
as `diff` writes numbers."""

from __future__ import annotations

import pytest
from test_robust import bad  # exit 2, one `error:` line naming every fragment, nothing on stdout

from conftest import invoke
from diffcli.core.ops import OPS


def out(*args: str) -> str:
    r = invoke(*args)
    assert r.code == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize(
    "expr,rule",
    [
        ("sec(x^2)", "trigonometric rule: d/du sec(u) = sec(u)*tan(u)"),
        ("acot(2*x)", "inverse trigonometric rule"),
        ("coth(3*x)", "hyperbolic rule"),
        ("atanh(x/2)", "inverse hyperbolic rule"),
        ("gamma(2*x)", "gamma function rule"),
        ("lgamma(x^2)", "log-gamma rule"),
        ("digamma(x^2)", "polygamma rule"),
        ("sinc(3*x)", "sinc rule"),
        ("floor(x^2)", "step function rule"),
        ("exp2(x^2)", "exponential rule"),
        ("hypot(x^2, 3)", "hypotenuse rule"),
    ],
)
def test_steps_name_the_rule_of_each_coursework_function(expr, rule):
    assert f"[chain rule; {rule}" in out("diff", expr, "--wrt", "x", "--steps")


def test_every_function_of_one_argument_has_a_textbook_rule():
    unnamed = [
        name
        for name, op in OPS.items()
        if op.user and op.arity == 1 and op.elementwise and op.rule == f"{name}'s" and name != "detach"
    ]
    assert not unnamed, f'give these a `rule=` (diff --steps would say "the NAME\'s rule"): {unnamed}'


@pytest.mark.parametrize("expr,args", [("sinc(x^2)", ()), ("digamma(x^2)", ()), ("f(sin(x))", ("--function", "f"))])
def test_primed_derivatives_print_and_parse_back(expr, args):
    second = out("diff", expr, "--wrt", "x", "--order", "2", *args).strip()
    assert "''(" in second
    if not args:  # sinc'' and digamma' have values: the printed text evaluates to the derivative's value
        printed = float(out("eval", second, "--at", "x=0.7", "--format", "plain"))
        value = float(out("diff", expr, "--wrt", "x", "--order", "2", "--at", "x=0.7", "--format", "plain").split()[-1])
        assert printed == pytest.approx(value, rel=1e-12)
    steps = out("diff", expr, "--wrt", "x", "--order", "2", "--steps", *args)  # order 2 parses order 1's text
    assert steps.strip().splitlines()[-1].endswith(second)


def test_implicit_derivatives_print_in_textbook_form():
    assert out("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--order", "2").strip() == "-x^2/y^3 - 1/y"
    assert out("diff", "exp(y) = x", "--implicit", "y", "--wrt", "x").strip() == "exp(-y)"  # not a definition
    assert out("diff", "f(y) = x", "--function", "f", "--implicit", "y", "--wrt", "x").strip() == "1/f'(y)"
    bad(invoke("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--order", "0"), "--order 1 or more")
    bad(invoke("diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--steps"), "--steps")
    bad(invoke("grad", "f(x) = x^2", "--at", "x=1"), "defines a function")  # the teaching hint stays


def test_fields_print_in_textbook_form():
    assert out("div", "[x^2*y/x, y*sin(x), z^3]", "--wrt", "x,y,z").strip() == "3*z^2 + y + sin(x)"
    assert out("curl", "[x*y*z, sin(x*y), z^2*x]", "--wrt", "x,y,z").strip() == "[0, x*y - z^2, y*cos(x*y) - x*z]"


def test_taylor_writes_numbers_as_diff_does():
    text = out("taylor", "2.3*x + 0.1*x^2 + 1.5*x^3 + x^4/2", "--at", "x=0", "--order", "4").splitlines()[0]
    assert text == "2.3*x + x^2/10 + 1.5*x^3 + x^4/2"
    assert "2.3" in out("diff", "2.3*x", "--wrt", "x")


def test_hypot_with_a_nonzero_constant_needs_no_mask():
    assert out("diff", "hypot(x, 3)", "--wrt", "x").strip() == "x/hypot(x, 3)"
    # 0 at (0, 0) is the kink's convention, kept in the evaluation and said in a note, not printed
    assert out("diff", "hypot(x, y)", "--wrt", "x").strip() == "x/hypot(x, y)"


MODEL = {"model.dc": "a = x + 1\ny = a*a\n"}


def test_forward_mode_by_an_intermediate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.dc").write_text(MODEL["model.dc"])
    assert out("jvp", "model.dc", "--at", "x=2", "--wrt", "a", "--u", "1", "--format", "plain").split() == ["9", "6"]
    shown = out("explain", "model.dc", "--at", "x=2", "--wrt", "a", "--u", "1", "--format", "plain")
    assert "da = 1" in shown and "dy = da*a + da*a = 1*3 + 1*3 = 6" in shown and "da = 0" not in shown
    bad(invoke("taylor", "model.dc", "--at", "x=2", "--wrt", "a"), "`a` is defined in the expression")
    bad(invoke("laplacian", "model.dc", "--wrt", "a"), "`a` is defined in the expression")


def test_classify_keeps_one_part_with_only():
    r = invoke("hessian", "x^2 - y^2", "--at", "x=0,y=0", "--classify", "--only", "classification", "--format", "plain")
    assert r.code == 0 and r.stdout == "saddle\n", r.stderr
    bad(invoke("hessian", "x^2", "--at", "x=0", "--classify", "--keep", "x"), "--classify")


def test_implicit_orders_stop_at_zero_and_skip_periods():
    """As `diff`'s unbounded orders: a derivative that is 0 or repeats ends the work at once."""
    assert out("diff", "v*x + y", "--implicit", "y", "--wrt", "x", "--order", "99999999").strip() == "0"
    assert out("diff", "y = sin(x)", "--implicit", "y", "--wrt", "x", "--order", "10000003").strip() == "-cos(x)"

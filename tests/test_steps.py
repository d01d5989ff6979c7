"""`diff --steps`: the derivation as a student writes it (steps.py, render/steps.py): rules
named from the op table, every step's result right, text, LaTeX and JSON views."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from conftest import invoke
from diffcli.compute import problem
from diffcli.core.ops import OPS
from diffcli.symbolic import diff as symbolic
from diffcli.syntax.parse import parse
from helpers import evaluate
from strategies import coordinates, expressions

PRODUCT = """\
d/dx(x^2*sin(3*x)) = d/dx(x^2)*sin(3*x) + x^2*d/dx(sin(3*x))   [product rule]
  d/dx(x^2) = 2*x   [power rule]
  d/dx(sin(3*x)) = cos(3*x)*d/dx(3*x)   [chain rule; trigonometric rule: d/du sin(u) = cos(u)]
    d/dx(3*x) = 3   [constant multiple rule]
  d/dx(sin(3*x)) = 3*cos(3*x)
d/dx(x^2*sin(3*x)) = 3*x^2*cos(3*x) + 2*x*sin(3*x)
"""


def test_steps_text_names_each_rule_and_ends_in_the_result():
    r = invoke("diff", "x^2*sin(3*x)", "--wrt", "x", "--steps")
    assert r.code == 0 and r.stdout == PRODUCT
    assert r.stdout.splitlines()[-1].endswith(invoke("diff", "x^2*sin(3*x)", "--wrt", "x").stdout.strip())


def test_steps_latex_is_one_align_block():
    text = invoke("diff", "x^2*sin(3*x)", "--wrt", "x", "--steps", "--latex").stdout
    lines = text.strip().splitlines()
    assert lines[0] == "\\begin{align}" and lines[-1] == "\\end{align}"
    assert len(lines) == 2 + len(PRODUCT.splitlines())
    assert "&& \\text{product rule}" in lines[1] and lines[1].startswith("\\frac{d}{dx}\\left(")
    assert all(line.endswith(" \\\\") for line in lines[1:-2]) and "&=" in lines[-2]


def test_steps_json_lists_rule_expr_result():
    d = invoke("diff", "x^2*sin(3*x)", "--wrt", "x", "--steps", "--format", "json").json()
    assert d["derivative"] == "3*x^2*cos(3*x) + 2*x*sin(3*x)" and d["order"] == 1
    steps = d["steps"]
    assert [s["rule"] for s in steps] == ["product", "power", "chain", "constant multiple"]
    assert [s["expr"] for s in steps] == ["x^2*sin(3*x)", "x^2", "sin(3*x)", "3*x"]
    assert steps[0]["result"] == d["derivative"] and steps[2]["result"] == "3*cos(3*x)"
    assert steps[0]["formula"] == "d/dx(x^2)*sin(3*x) + x^2*d/dx(sin(3*x))"
    assert [s["level"] for s in steps] == [0, 1, 1, 2]


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "asin", "atan", "sinh", "tanh", "exp", "log", "sqrt", "log2"])
def test_rule_names_come_from_the_op_table(name):
    steps = invoke("diff", f"{name}(x)", "--wrt", "x", "--steps", "--format", "json").json()["steps"]
    assert steps[0]["rule"] == OPS[name].rule
    chained = invoke("diff", f"{name}(2*x)", "--wrt", "x", "--steps", "--format", "json").json()["steps"]
    assert chained[0]["rule"] == "chain" and chained[0]["detail"].startswith(
        f"{OPS[name].rule} rule: d/du {name}(u) = "
    )


@pytest.mark.parametrize(
    "text,rule",
    [
        ("x^5", "power"),
        ("2^x", "exponential"),
        ("x^x", "general power (exp and log)"),
        ("3*x", "constant multiple"),
        ("x/4", "constant multiple"),
        ("(-x^2)", "constant multiple"),
        ("x + sin(x)", "sum"),
        ("x - sin(x)", "difference"),
        ("x*sin(x)", "product"),
        ("sin(x)/x", "quotient"),
        ("5", "constant"),
        ("x", "variable"),
    ],
)
def test_rules_by_the_shape_of_the_operation(text, rule):
    assert invoke("diff", text, "--wrt", "x", "--steps", "--format", "json").json()["steps"][0]["rule"] == rule


def test_higher_orders_differentiate_the_printed_result_again():
    text = invoke("diff", "sin(x)", "--wrt", "x", "--order", "3", "--steps").stdout.splitlines()
    assert (
        text[1] == "second derivative, d/dx of the first:"
        and text[2] == "d/dx(cos(x)) = -sin(x)   [trigonometric rule]"
    )
    assert text[-1] == "d/dx(-sin(x)) = -cos(x)"
    mixed = invoke("diff", "x^2*y", "--wrt", "x,y", "--steps", "--at", "x=1,y=2").stdout.splitlines()
    assert (
        "second derivative, d/dy of the first:" in mixed and mixed[-2] == "d/dy(2*x*y) = 2*x   [constant multiple rule]"
    )
    assert mixed[-1] == "2"


def test_a_shared_subexpression_is_derived_once():
    steps = invoke("diff", "s = sin(x); s*s", "--wrt", "x", "--steps", "--format", "json").json()["steps"]
    assert [s["rule"] for s in steps] == ["product", "trigonometric", "shown above"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["sum(x)*y", "--wrt", "y", "--at", "x=[1,2],y=1"], "scalar expression"),
        (["+".join(f"sin({k}*x)" for k in range(150)), "--wrt", "x"], "at most 400 operations"),
    ],
)
def test_steps_refuses_what_it_cannot_write_out(args, message):
    r = invoke("diff", *args, "--steps")
    assert r.code == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_wrt_an_intermediate_prints_its_derivative_and_refuses_steps(tmp_path):
    """`--wrt a` where the file defines `a = x + 1` (retain_grad): the function's own form,
    which has no name `a`, must not compete with the derivative (it would print 0)."""
    path = tmp_path / "ex1.dc"
    path.write_text("a = x + 1\nb = x + 2\ny = a*b\n")
    assert invoke("diff", str(path), "--wrt", "a").stdout == "x + 2\n"
    assert invoke("diff", str(path), "--wrt", "a,x").stdout == "1\n"
    r = invoke("diff", str(path), "--wrt", "a", "--steps")
    assert r.code == 2 and "`a` is defined in the expression" in r.stderr and r.stdout == ""


def value(text: str, point: dict) -> float:
    (v,) = evaluate([parse(text, {k: () for k in point}).output], point)
    return float(v)


@settings(max_examples=40, deadline=None)
@given(expressions, coordinates, coordinates)
def test_every_step_result_is_the_derivative_of_its_expression(text, x, y):
    point = {"x": x, "y": y, "pi": math.pi}
    loaded = problem.load(text, free=True)
    try:
        steps = symbolic.diff(loaded, 1, ["x"], kinks=False, steps=True).data["steps"]
    except Exception as e:  # logsumexp of a list: a vector inside, no steps
        assert "scalar expression" in str(e)
        return
    for step in steps:
        node, _ = symbolic.derivative(problem.load(step["expr"], free=True), 1, ["x"])
        (exact,) = evaluate([node], point)
        if math.isfinite(float(exact)):
            assert value(step["result"], point) == pytest.approx(float(exact), rel=1e-9, abs=1e-9), step


def test_steps_in_rich_show_the_value_as_rich_views_do():
    r = invoke("diff", "x^3/3", "--wrt", "x", "--steps", "--at", "x=0.1", "--format", "rich")
    assert r.code == 0 and r.stdout.endswith("d/dx(x^3/3) = x^2\nvalue = 0.01\n")  # plain: 0.010000000000000002

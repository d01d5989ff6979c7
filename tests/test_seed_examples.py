"""The worked examples of ../shared/seed-examples.md, through the CLI with JSON output."""

from __future__ import annotations

import pytest

from conftest import invoke


def grad_json(expr, *args):
    r = invoke("grad", expr, *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


def test_example_1_product_of_sums():
    d = grad_json("(x+1)*(x+2)", "--at", "x=2")
    assert d == {"value": 12.0, "grad": {"x": 7.0}}


def test_example_2_gradient():
    d = grad_json("x*x*y", "--at", "x=2,y=3")
    assert d == {"value": 12.0, "grad": {"x": 12.0, "y": 4.0}}


def test_example_2_hessian():
    r = invoke("hessian", "x*x*y", "--at", "x=2,y=3", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["hessian"] == [[6.0, 4.0], [4.0, 0.0]]
    assert d["wrt"] == ["x", "y"] and d["grad"] == {"x": 12.0, "y": 4.0}


def test_example_3_cube():
    assert grad_json("x^3", "--at", "x=1")["grad"] == {"x": 3.0}


def test_example_4_square_plus_constant():
    assert grad_json("x^2 + 20", "--at", "x=10") == {"value": 120.0, "grad": {"x": 20.0}}


def test_example_5_mean_over_vector():
    d = grad_json("mean(x^2 + 20)", "--at", "x=[10,20,30,40]")
    assert d == {"value": 770.0, "grad": {"x": [5.0, 10.0, 15.0, 20.0]}}


def test_example_6_two_variables():
    d = grad_json("x1^2 + x2^2 + x1*x2", "--at", "x1=10,x2=20")
    assert d == {"value": 700.0, "grad": {"x1": 40.0, "x2": 50.0}}


def test_example_7_mean_of_vector_expression():
    r = invoke("eval", "x1^2 + x2^2 + x1*x2", "--at", "x1=[10,20],x2=[30,40]", "--format", "json")
    assert r.json() == {"value": [1300.0, 2800.0]}
    d = grad_json("mean(x1^2 + x2^2 + x1*x2)", "--at", "x1=[10,20],x2=[30,40]")
    assert d == {"value": 2050.0, "grad": {"x1": [25.0, 40.0], "x2": [35.0, 50.0]}}


def test_example_8_non_scalar_needs_v():
    r = invoke("grad", "x + 1", "--at", "x=[1,2]")
    assert r.code == 2
    assert r.stderr.startswith("error: grad needs a scalar output")
    assert "--v" in r.stderr and "sum(" in r.stderr and "jacobian" in r.stderr
    assert r.stdout == "" and "Traceback" not in r.stderr


def test_example_9_sum_of_squares():
    assert grad_json("sum(x*x)", "--at", "x=[1,2]")["grad"] == {"x": [2.0, 4.0]}


def test_example_10_vjp():
    d = grad_json("x*y", "--at", "x=[0,2,8],y=[5,1,7]", "--v", "1,1,1")
    assert d["grad"] == {"x": [5.0, 1.0, 7.0], "y": [0.0, 2.0, 8.0]}


def test_example_11_jacobian_and_vjp():
    r = invoke("jacobian", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--format", "json")
    assert r.code == 0, r.stderr
    assert r.json()["jacobian"] == [[4.0, 3.0], [2.0, 6.0]]
    d = grad_json("[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1")
    assert d["grad"] == {"x1": 6.0, "x2": 9.0}


def test_example_12_const_leaf():
    d = grad_json("w*x + b", "--at", "w=2,x=5,b=1", "--const", "x")
    assert d["grad"] == {"w": 5.0, "b": 1.0}
    assert list(d["grad"]) == ["w", "b"]


def test_example_13_detach_in_file(tmp_path):
    path = tmp_path / "detach.dc"
    path.write_text("y = x^2 + 3\ndetach(y)*x\n")
    assert grad_json(str(path), "--at", "x=2")["grad"] == {"x": 7.0}
    path.write_text("y = x^2 + 3\ny*x\n")
    assert grad_json(str(path), "--at", "x=2")["grad"] == {"x": 15.0}


@pytest.mark.parametrize("n", [1, 3, 7])
def test_example_16_sum_is_n_times_mean(n):
    at = "x=[" + ",".join(str(i + 0.5) for i in range(n)) + "]"
    s = grad_json("sum(sin(x)*x)", "--at", at)["grad"]["x"]
    m = grad_json("mean(sin(x)*x)", "--at", at)["grad"]["x"]
    assert s == pytest.approx([n * v for v in m], rel=1e-15)


def test_repeated_calls_do_not_accumulate():
    # PyTorch's pitfall: a second backward() adds to .grad (12 + 6 = 18); diffcli starts afresh.
    first = grad_json("x*x*y", "--at", "x=2,y=3")
    second = grad_json("x*x*y", "--at", "x=2,y=3")
    assert first == second

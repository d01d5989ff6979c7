"""minimize --optimizer newton (exact Hessian, damped) and bfgs / lbfgs (scipy.optimize with
exact gradients): they reach Rosenbrock's minimum in tens of steps where gd and adam need
thousands, keep descending through indefinite regions, and fail clearly without scipy."""

from __future__ import annotations

import builtins

import pytest

from conftest import invoke

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


def run(*args):
    r = invoke("minimize", *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


@pytest.mark.parametrize("optimizer, most", [("newton", 30), ("bfgs", 60), ("lbfgs", 60)])
def test_rosenbrock_in_few_steps(optimizer, most):
    if optimizer != "newton":
        pytest.importorskip("scipy.optimize")
    d = run(ROSENBROCK, "--at", "x=-1.2,y=1", "--optimizer", optimizer, "--tol", "1e-8")
    assert d["converged"] and d["steps"] <= most
    assert [d["at"]["x"], d["at"]["y"]] == pytest.approx([1, 1], abs=1e-6)


def test_gd_needs_thousands_of_steps_on_rosenbrock():
    d = run(ROSENBROCK, "--at", "x=-1.2,y=1", "--lr", "0.001", "--steps", "2000")
    assert not d["converged"]


def test_newton_on_a_quadratic_is_one_step():
    d = run("(x - 3)^2 + 2*(y + 1)^2 + x*y", "--at", "x=0,y=0", "--optimizer", "newton")
    assert d["steps"] == 1 and d["converged"]


def test_newton_descends_from_a_saddle_region():
    """x^4/4 - x^2/2 + y^2 from x = 0.1: the Hessian is indefinite there; the damped step still
    descends, to a minimum (+-1, 0), never to the saddle at 0."""
    d = run("x^4/4 - x^2/2 + y^2", "--at", "x=0.1,y=1", "--optimizer", "newton")
    assert d["converged"] and abs(d["at"]["x"]) == pytest.approx(1) and d["value"] == pytest.approx(-0.25)


def test_newton_vector_variable():
    d = run("sum((w - [1, 2, 3])^2) + sum(w^4)", "--at", "w=[0,0,0]", "--optimizer", "newton")
    assert d["converged"]


def test_trace_with_newton(tmp_path):
    trace = tmp_path / "t.csv"
    r = invoke("minimize", ROSENBROCK, "--at", "x=-1.2,y=1", "--optimizer", "newton", "--trace", str(trace))
    assert r.code == 0
    rows = trace.read_text().splitlines()
    assert rows[0] == "step,x,y,value" and len(rows) >= 10


def test_without_scipy_one_line_naming_the_extra(monkeypatch):
    real = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    r = invoke("minimize", ROSENBROCK, "--at", "x=-1.2,y=1", "--optimizer", "bfgs")
    assert r.code == 2 and "diffcli[optimize]" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_fit_does_not_take_second_order_optimizers():
    r = invoke("fit", "w*x", "--data", "-", "--params", "w=0", "--optimizer", "newton", input="x,y\n1,2\n")
    assert r.code == 2


def test_newton_too_many_variables_points_to_lbfgs(tmp_path):
    values = tmp_path / "w.txt"
    values.write_text(" ".join(["1"] * 300))
    r = invoke("minimize", "sum(w^2)", "--at", f"w=@{values}", "--optimizer", "newton")
    assert r.code == 2 and "lbfgs" in r.stderr

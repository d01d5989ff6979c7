"""Issue 24, beyond files: numbers that were silently wrong (pow at 0^0, norm's overflow and
underflow, ties of a node with itself), work that was unbounded, errors that were exit 70,
and a Dask cluster that fails under a run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import invoke


def grad(expr: str, at: str, *extra: str) -> dict:
    r = invoke("grad", expr, "--at", at, "--format", "json", *extra)
    assert r.code == 0, r.stderr
    return r.json()


# ---------------------------------------------------------------- silently wrong


def test_pow_at_zero_to_the_zero_is_zero_by_the_base_as_pytorch():
    found = grad("x^y", "x=0,y=0")
    assert found["value"] == 1.0 and found["grad"] == {"x": 0.0, "y": 0.0}
    torch = pytest.importorskip("torch")
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (x**y).backward()
    assert [x.grad.item(), y.grad.item()] == [found["grad"]["x"], found["grad"]["y"]]


def test_pow_keeps_its_mixed_second_derivative_at_a_zero_exponent():
    """Only a = b = 0 is masked: d2(x^y)/dxdy at (2, 0) is 1/x = 0.5 (finite differences agree)."""
    r = invoke("hessian", "x^y", "--at", "x=2,y=0", "--format", "json")
    h = np.array(r.json()["hessian"])
    step = 1e-5
    f = lambda x, y: x**y  # noqa: E731
    mixed = (f(2 + step, step) - f(2 + step, -step) - f(2 - step, step) + f(2 - step, -step)) / (4 * step * step)
    assert h[0, 1] == h[1, 0] == pytest.approx(0.5) and mixed == pytest.approx(0.5, rel=1e-5)
    assert grad("x^y", "x=2,y=3")["grad"] == {"x": 12.0, "y": pytest.approx(8 * math.log(2))}


@pytest.mark.parametrize("size", [1e200, 1e-200, 1e300, 1e-300, 3.0])
def test_norm_is_scaled_before_squaring(size):
    found = grad("norm(x)", f"x=[{size!r},{size!r}]")
    assert found["value"] == pytest.approx(math.hypot(size, size), rel=1e-15)
    assert found["grad"]["x"] == pytest.approx([math.sqrt(0.5)] * 2, rel=1e-14)
    assert "warnings" not in found


def test_norm_edges_stay():
    assert grad("norm(x)", "x=[3,4]") == {"value": 5.0, "grad": {"x": [0.6000000000000001, 0.8]}}
    r = invoke("grad", "norm(x)", "--at", "x=[0,0]", "--format", "json")
    assert r.json()["grad"]["x"] == [0.0, 0.0] and "kink" in r.stderr
    r = invoke("eval", "norm(x)", "--at", "x=[1e308,1e308,1e308]", "--format", "json")
    assert r.json()["value"] == pytest.approx(math.sqrt(3) * 1e308)
    r = invoke("eval", "norm(W)", "--at", "W=[[1e-200,0],[0,1e-200]]", "--format", "json")
    assert r.json()["value"] == pytest.approx(math.sqrt(2) * 1e-200)


@pytest.mark.parametrize("expr", ["max(x, x)", "max([x, x])", "min(x, x)", "min([x, x, x])"])
def test_a_node_tied_with_itself_is_no_kink(expr):
    r = invoke("grad", expr, "--at", "x=1", "--kinks", "error", "--format", "json")
    assert r.code == 0 and r.stderr == "" and r.json()["grad"] == {"x": 1.0}, r


def test_a_real_tie_still_is_a_kink():
    r = invoke("grad", "max(x, y)", "--at", "x=1,y=1", "--kinks", "error")
    assert r.code == 3 and "a tie" in r.stderr
    r = invoke("grad", "max([x, x, y])", "--at", "x=1,y=1", "--kinks", "error")
    assert r.code == 3

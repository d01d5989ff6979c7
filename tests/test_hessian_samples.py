"""Hessians of classic test functions against differences of the exact gradient, symmetry,
zero gradients at known minima, and every file in samples/ through the CLI (the README's
sample commands are shown; tests/test_examples.py runs them and compares their output)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from conftest import invoke
from diffcli.core.numcheck import central_gradient
from helpers import grad_of, numeric_grad_of

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.dc"))

FUNCTIONS = {
    "rosenbrock": ("(1 - x)^2 + 100*(y - x^2)^2", [(1.0, 1.0)]),
    "himmelblau": (
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        [
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.283185991286170),
            (3.584428340330492, -1.848126526964404),
        ],
    ),
    "beale": ("(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", [(3.0, 0.5)]),
    "goldstein_price": (
        "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
        "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
        [(0.0, -1.0)],
    ),
}


def hessian_json(expr: str, at: str, *extra: str) -> dict:
    r = invoke("hessian", expr, "--at", at, "--format", "json", *extra)
    assert r.code == 0, r.stderr
    return r.json()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_hessian_matches_differences_of_the_gradient(name):
    text, _ = FUNCTIONS[name]
    rng = np.random.default_rng(len(name))
    for x, y in rng.uniform(-1.5, 1.5, size=(3, 2)).tolist():
        d = hessian_json(text, f"x={x!r},y={y!r}")
        h = np.array(d["hessian"])
        rows = [central_gradient(lambda pt: grad_of(text, pt)[k], {"x": x, "y": y}, ["x", "y"]) for k in "xy"]
        reference = np.array([[row["x"], row["y"]] for row in rows])
        scale = 1 + np.abs(reference).max()
        assert np.allclose(h, reference, rtol=1e-6, atol=1e-7 * scale), (name, h, reference)
        assert np.array_equal(h, h.T)  # exactly symmetric, not just to rounding
        exact = grad_of(text, {"x": x, "y": y})
        assert [d["grad"]["x"], d["grad"]["y"]] == [float(exact["x"]), float(exact["y"])]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_zero_gradient_at_known_minima(name):
    text, minima = FUNCTIONS[name]
    for x, y in minima:
        d = hessian_json(text, f"x={x!r},y={y!r}")
        assert np.allclose(list(d["grad"].values()), 0, atol=1e-9 if float(x).is_integer() else 1e-6), d
        assert np.all(np.linalg.eigvalsh(np.array(d["hessian"])) > 0)  # a strict minimum


def test_goldstein_price_minimum_value_and_known_hessian():
    d = hessian_json(FUNCTIONS["goldstein_price"][0], "x=0,y=-1")
    assert d["value"] == 3.0
    d = hessian_json(FUNCTIONS["rosenbrock"][0], "x=1,y=1")
    assert d["hessian"] == [[802.0, -400.0], [-400.0, 200.0]]


# ---------------------------------------------------------------- samples/

POINTS = {
    "rosenbrock.dc": "x=-1.2,y=1",
    "rosenbrock10.dc": "x=[-1.2,1,0.5,0.8,1.1,0.9,1.3,0.7,1,1.05]",
    "himmelblau.dc": "x=1,y=1",
    "logistic.dc": "w=[0.5,-0.25],b=0.1",
    "network.dc": "W1=[[1,-1,0.5],[0.5,1,-1]],b1=[0,0.1,-0.1],w2=[1,-1,0.5],b2=0",
    "detach.dc": "x=2",
    "composition.dc": "x=0.3,y=0.4",
}


def test_every_sample_has_a_point():
    assert sorted(p.name for p in SAMPLES) == sorted(POINTS)


def point_of(at: str) -> dict:
    from diffcli.syntax.points import parse_at

    return {k: np.asarray(v, dtype=float) for k, v in parse_at([at]).items()}


@pytest.mark.parametrize("sample", sorted(POINTS))
def test_sample_hessian_and_gradient_through_the_cli(sample):
    path = str(ROOT / "samples" / sample)
    d = hessian_json(path, POINTS[sample])
    h = np.array(d["hessian"])
    assert np.all(np.isfinite(h)) and np.array_equal(h, h.T) and "warnings" not in d
    if sample == "detach.dc":
        return  # differences see through detach (15); the exact gradient must not (7)
    text = (ROOT / "samples" / sample).read_text()
    point = point_of(POINTS[sample])
    numeric = numeric_grad_of(text, point)
    for name, g in d["grad"].items():
        assert np.allclose(g, numeric[name], rtol=1e-6, atol=1e-7), (sample, name)
    # row i of the Hessian is the gradient of gradient entry i: compare with its differences
    flat = lambda pt: np.concatenate([np.ravel(grad_of(text, pt)[n]) for n in point])  # noqa: E731
    for i, row in enumerate(h):
        numeric = central_gradient(lambda pt: flat(pt)[i], point, list(point))
        reference = np.concatenate([np.ravel(numeric[n]) for n in point])
        assert np.allclose(row, reference, rtol=1e-6, atol=1e-6), (sample, i, row, reference)
    assert invoke("jacobian", path, "--at", POINTS[sample]).code == 0


@pytest.mark.parametrize("sample,of", [("logistic.dc", "z"), ("network.dc", "out"), ("rosenbrock10.dc", "steps")])
def test_sample_jacobian_of_a_named_vector(sample, of):
    path = str(ROOT / "samples" / sample)
    r = invoke("jacobian", path, "--of", of, "--at", POINTS[sample], "--format", "json")
    assert r.code == 0, r.stderr
    jac = np.array(r.json()["jacobian"])
    text = (ROOT / "samples" / sample).read_text()
    point = point_of(POINTS[sample])
    for row in range(len(jac)):
        # row i of the Jacobian is the gradient of output i
        expr = text + f"\n{of}[{row}]"
        numeric = numeric_grad_of(expr, point)
        assert np.allclose(jac[row], np.concatenate([np.ravel(numeric[n]) for n in point]), rtol=1e-6, atol=1e-7)


def test_jacobian_of_softmax_and_an_elementwise_map():
    x = np.array([1.0, 2.0, 3.0])
    s = np.exp(x) / np.exp(x).sum()
    d = invoke("jacobian", "softmax(x)", "--at", "x=[1,2,3]", "--format", "json").json()
    assert np.allclose(d["jacobian"], np.diag(s) - np.outer(s, s), rtol=1e-14, atol=1e-16)
    assert d["labels"] == ["x[0]", "x[1]", "x[2]"]
    d = invoke("jacobian", "sin(x)*y", "--at", "x=[1,2],y=3", "--format", "json").json()
    assert np.allclose(d["jacobian"], [[3 * np.cos(1), 0, np.sin(1)], [0, 3 * np.cos(2), np.sin(2)]])


@pytest.mark.parametrize("sample,wrt", [("rosenbrock.dc", "x"), ("himmelblau.dc", "y"), ("detach.dc", "x")])
def test_sample_diff_parses_back(sample, wrt):
    path = str(ROOT / "samples" / sample)
    d = invoke("diff", path, "--wrt", wrt, "--at", POINTS[sample], "--format", "json").json()
    from diffcli.syntax.parse import parse
    from helpers import evaluate

    (v,) = evaluate(
        [parse(d["derivative"], {k: () for k in point_of(POINTS[sample])}).output], point_of(POINTS[sample])
    )
    # the printed formula is the derivative rearranged (collected, factored): the same value up
    # to rounding, not bit for bit
    assert float(v) == pytest.approx(d["value"], rel=1e-12)


def test_readme_shows_sample_commands():
    """The README and the guides show the sample files at work (test_examples runs them)."""
    text = "".join((ROOT / name).read_text() for name in ("README.md", "docs/calculus.md", "docs/pytorch.md"))
    shown = re.findall(r"^\$ diffcli (\w+) samples/", text, re.M)
    assert {"hessian", "diff", "jacobian"} <= set(shown)


def test_diff_in_a_real_process_round_trips(tmp_path):
    """Outside the in-process runner: the printed statements, saved as a file, are an
    expression file diffcli reads back to the same value."""
    import subprocess
    import sys

    run = lambda *args: (  # noqa: E731
        subprocess.run(
            [sys.executable, "-m", "diffcli", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    printed = run("diff", "samples/composition.dc", "--wrt", "x", "--at", "x=0.3,y=0.4")
    formula, value = printed.rstrip("\n").rsplit("\n", 1)
    (tmp_path / "d.dc").write_text(formula + "\n")
    assert float(run("eval", str(tmp_path / "d.dc"), "--at", "x=0.3,y=0.4")) == pytest.approx(float(value), rel=1e-12)

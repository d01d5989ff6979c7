"""The engine (core/engine.py): a Plan evaluated over many points at once equals the one-point
evaluation row by row, with threads, and on another array namespace (array-api-strict)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcli.core import autodiff
from diffcli.core.engine import Plan
from diffcli.core.graph import Device
from diffcli.syntax.parse import parse

# expressions over x, y (scalars per point) and v (a 3-vector per point), with a fixed w
EXPRESSIONS = [
    "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1)",
    "x^3 - 2*x*y + y^-1 + tanh(x) / (1 + y^2)",
    "sum(v^2) * x + max(v) - min(v[0], y) + v[1:] @ [x, y]",
    "where(x > y, x*y, relu(x - y)) + abs(x) + clamp(y, -1, 1)",
    "logsumexp(v * x) + dot(softmax(v), [1, 2, 3]) + norm(v) * w",
    "atan2(y, x) + asin(x / 10) + cbrt(y) + sigmoid(x*y) + softplus(y)",
]


def _problem(text: str):
    p = parse(text, {"x": (), "y": (), "v": (3,), "w": ()})
    wrt = [p.graph.var("x"), p.graph.var("y"), p.graph.var("v", (3,))]
    grads = autodiff.gradient(p.output, wrt)
    return [p.output] + grads


def _rows(seed: int, rows: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"x": rng.uniform(0.3, 2, rows), "y": rng.uniform(-2, 2, rows) + 0.1, "v": rng.uniform(-1, 1, (rows, 3))}


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(EXPRESSIONS), st.integers(0, 10**6), st.integers(1, 40), st.sampled_from([1, 4, 7, 64]))
def test_batch_equals_each_point(text, seed, rows, chunk):
    """Leading batch axes, hoisted constants, buffer reuse and chunk edges change no number."""
    outputs = _problem(text)
    points = _rows(seed, rows)
    fixed = {"w": np.float64(0.5)}
    got = Plan(outputs, {"x", "y", "v"}, chunk=chunk).evaluate({**points, **fixed}, rows)
    for r in range(rows):
        one = Plan(outputs).run({**{k: v[r] for k, v in points.items()}, **fixed})
        for g, e in zip(got, one):
            np.testing.assert_allclose(g[r], e, rtol=1e-13, atol=1e-13)


def test_threads_give_the_same_numbers():
    outputs = _problem(EXPRESSIONS[0])
    points = _rows(1, 50_000)
    one = Plan(outputs, {"x", "y", "v"}, chunk=1024).evaluate(points, 50_000)
    two = Plan(outputs, {"x", "y", "v"}, chunk=1024).evaluate(points, 50_000, threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "text",
    [e for e in EXPRESSIONS if "cbrt" not in e]  # cbrt is not in the array API
    + ["sum(W @ W @ v) + W[0, 1] * W[1][2] + sum(softmax(v) * v) + mean(v) * x"],
)
def test_another_array_namespace(text):
    """The engine uses only `dev.xp` calls: array-api-strict runs them (no `out=` there)."""
    xp = pytest.importorskip("array_api_strict")
    dev = Device(xp, xp.float64)
    p = parse(text, {"x": (), "y": (), "v": (3,), "w": (), "W": (3, 3)})
    wrt = [p.graph.var("x"), p.graph.var("y"), p.graph.var("v", (3,)), p.graph.var("W", (3, 3))]
    outputs = [p.output] + autodiff.gradient(p.output, wrt)
    points = {**_rows(2, 10), "W": np.random.default_rng(2).normal(size=(10, 3, 3))}
    everything = {"x", "y", "v", "W"}
    expected = Plan(outputs, everything).evaluate({**points, "w": 0.5}, 10)
    strict = {**{k: xp.asarray(v) for k, v in points.items()}, "w": xp.asarray(0.5)}
    got = Plan(outputs, everything, dev, chunk=4).evaluate(strict, 10)
    single = Plan(outputs, dev=dev).run({k: v[3, ...] for k, v in strict.items() if k != "w"} | {"w": strict["w"]})
    for g, s, e in zip(got, single, expected):
        assert type(g).__module__.startswith("array_api_strict")
        np.testing.assert_allclose(np.asarray(g), e, rtol=1e-14)
        np.testing.assert_allclose(np.asarray(s), e[3], rtol=1e-14)

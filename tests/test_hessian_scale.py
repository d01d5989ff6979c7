"""Batched forward-over-reverse Hessians, their sparsity pattern and colouring, and --sparse."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.compute import request
from diffcli.compute.problem import Problem
from diffcli.compute.request import Request
from diffcli.core import autodiff, sparsity
from diffcli.core.graph import Device
from diffcli.syntax.parse import parse
from helpers import evaluate

SCALAR = [
    "100*(b - a^2)^2 + (1 - a)^2 + 100*(c - b^2)^2 + (1 - b)^2 + sin(d)*d",
    "exp(a*b) / (1 + c^2) + log(2 + d^2)*a + where(a > 0, a*c, c^3) + sqrt(b^2 + 1)",
    "max(a*b, c) + abs(d - a)^3 + tanh(a + b + c + d)^2 + (a + 2*b)/(3 + c^2)",
    "a^2 + 3*b + c*d + d^3 + 2*a*c",
]
VECTOR = ["sum(v^2 * w) + prod(v) + norm(v)^3 + logsumexp(v*w)", "sum(softmax(v) * v) + dot(v, v)^2 * w"]


def _point(rng, shapes):
    return {k: rng.uniform(0.3, 1.5, size=s) for k, s in shapes.items()}


def _problem(p, wrt, point) -> Problem:
    return Problem(p, dict(point), wrt, Device())


def _dense(p, wrt, point) -> np.ndarray:
    """The dense Hessian of the request layer (batched Hessian-vector products)."""
    return request.compute(_problem(p, wrt, point), Request(hessian="dense"), "hessian").data["hessian"]


def _sparse(p, wrt, point):
    """(rows, cols, entries, directions) of the sparse Hessian of the request layer."""
    problem = _problem(p, wrt, point)
    coordinates = request.compute(problem, Request(hessian="sparse"), "hessian").data["hessian"]
    directions = len(request.build(problem, Request(hessian="sparse")).basis)
    return coordinates.rows, coordinates.cols, coordinates.values, directions


def _reference(f, wrt, point):
    """Reverse over reverse, one gradient per Hessian row (the old, slow way)."""
    rows = [row for g in autodiff.gradient(f, wrt) for row in autodiff.jacobian(g, wrt)]
    width = len(rows)
    return np.array([float(np.asarray(x)) for x in evaluate([e for row in rows for e in row], point)]).reshape(
        width, width
    )


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(SCALAR + VECTOR), st.integers(0, 10**6))
def test_dense_matches_reverse_over_reverse_and_differences(text, seed):
    shapes = {"a": (), "b": (), "c": (), "d": ()} if text in SCALAR else {"v": (3,), "w": ()}
    p = parse(text, shapes)
    wrt = [p.graph.var(k, s) for k, s in shapes.items()]
    point = _point(np.random.default_rng(seed), shapes)
    matrix = _dense(p, wrt, point)
    np.testing.assert_allclose(matrix, _reference(p.output, wrt, point), rtol=1e-10, atol=1e-10)
    # column j is the derivative of the gradient along element j, by central differences
    grad_nodes = autodiff.gradient(p.output, wrt)

    def flat_grad(pt):
        return np.concatenate([np.ravel(g) for g in evaluate(grad_nodes, pt)])

    flat = np.concatenate([np.ravel(point[k]) for k in shapes])
    sizes = np.cumsum([0] + [int(np.prod(s)) for s in shapes.values()])

    def unflatten(x):
        return {k: x[sizes[i] : sizes[i + 1]].reshape(s) for i, (k, s) in enumerate(shapes.items())}

    h = 1e-6
    columns = np.column_stack(
        [(flat_grad(unflatten(flat + h * e)) - flat_grad(unflatten(flat - h * e))) / (2 * h) for e in np.eye(len(flat))]
    )
    np.testing.assert_allclose(matrix, columns, rtol=1e-5, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(SCALAR), st.integers(0, 10**6))
def test_sparse_equals_dense(text, seed):
    shapes = {"a": (), "b": (), "c": (), "d": ()}
    p = parse(text, shapes)
    wrt = [p.graph.var(k) for k in shapes]
    point = _point(np.random.default_rng(seed), shapes)
    dense = _dense(p, wrt, point)
    rows, cols, entries, _ = _sparse(p, wrt, point)
    rebuilt = np.zeros_like(dense)
    rebuilt[rows, cols] = entries
    np.testing.assert_allclose(rebuilt, dense, rtol=1e-12, atol=1e-12)  # pattern covers every non-zero


def rosenbrock(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


def test_rosenbrock_is_tridiagonal_in_three_directions():
    n = 60
    names = [f"x{i}" for i in range(1, n + 1)]
    p = parse(rosenbrock(n), {k: () for k in names})
    wrt = [p.graph.var(k) for k in names]
    found = sparsity.pattern(p.output, wrt)
    assert [(r, c) for r, c in zip(found.rows.tolist(), found.cols.tolist())] == [
        (i, j) for i in range(n) for j in (i - 1, i, i + 1) if 0 <= j < n
    ]
    assert max(sparsity.colour(found)) + 1 == 3
    point = {k: 0.1 * i for i, k in enumerate(names)}
    rows, cols, entries, directions = _sparse(p, wrt, point)
    assert directions == 3 and len(rows) == 3 * n - 2
    dense = _dense(p, wrt, point)
    np.testing.assert_allclose(entries, dense[rows, cols], rtol=1e-13)


def test_linear_and_constant_products_couple_nothing():
    p = parse("3*a + b/2 + 2*c*4 + sum([a, b]) + a*d", {k: () for k in "abcd"})
    found = sparsity.pattern(p.output, [p.graph.var(k) for k in "abcd"])
    assert list(zip(found.rows.tolist(), found.cols.tolist())) == [(0, 0), (0, 3), (3, 0), (3, 3)]


def test_sparse_cli():
    text = "100*(x2-x1^2)^2 + (1-x1)^2"
    run = invoke("hessian", text, "--at", "x1=1,x2=2", "--sparse", "--format", "json")
    assert run.code == 0, run.stderr
    data = run.json()
    dense = invoke("hessian", text, "--at", "x1=1,x2=2", "--format", "json").json()
    assert data["value"] == dense["value"] and data["grad"] == dense["grad"]
    matrix = np.zeros((2, 2))
    matrix[data["hessian"]["rows"], data["hessian"]["cols"]] = data["hessian"]["values"]
    np.testing.assert_array_equal(matrix, dense["hessian"])
    plain = invoke("hessian", text, "--at", "x1=1,x2=2", "--sparse", "--format", "plain").stdout.split("\n")
    assert plain[2:6] == ["0 0 402", "0 1 -400", "1 0 -400", "1 1 200"]
    assert invoke("hessian", "x*y", "--at", "x=1,y=2", "--sparse", "--format", "csv").stdout.split("\n")[:2] == [
        "row,col,value",
        "x,x,0",
    ]
    run = invoke("hessian", "sum(v^2)", "--at", "v=[1,2]", "--sparse", "--format", "csv")
    assert run.code == 0 and run.stdout.split("\n") == ["row,col,value", "v[0],v[0],2", "v[1],v[1],2", ""]
    assert invoke("hessian", "sqrt(x)*y", "--at", "x=0,y=1", "--sparse", "--strict").code == 3


def test_no_variables_give_an_empty_hessian():
    run = invoke("hessian", "2 + 3", "--format", "json")
    assert run.code == 0 and run.json()["hessian"] == [] and run.json()["value"] == 5

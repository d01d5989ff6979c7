"""Element-level Hessian sparsity (sparsity.py, ops/elements.py): the pattern over the elements
of vector and matrix variables covers every non-zero of the dense Hessian, the colouring reads
each entry back, the values agree with central differences, and `--out FILE.npz` is scipy's."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.compute import request
from diffcli.compute.problem import Problem
from diffcli.compute.request import Request
from diffcli.core import autodiff, sparsity
from diffcli.core.graph import Device
from diffcli.render.output import plain_joined, plain_number, plain_numbers
from diffcli.syntax.parse import parse
from helpers import evaluate
from strategies import SMOOTH_UNARY

ROSENBROCK = "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"
# vectors of length n - 1 from a vector x of length n and a scalar y
PIECES = ["x[1:]", "x[:-1]", "x[1:]*y", "sin(x[:-1])", "x[::-1][1:]", "2*x[1:] + x[:-1]"]
BINARY = ["({}) + ({})", "({}) * ({})", "({}) - ({})", "({}) / (1 + ({})^2)"]
REDUCE = [
    "sum({})",
    "prod({})",
    "norm({})^2",
    "logsumexp({})",
    "dot({}, x[:-1])",
    "sum(softmax({}) * x[1:])",
    "mean({})",
    "sum({})^2",
    "max({})",
]
SCALAR = ["0", "x[0]*y", "x[-1]^3", "y^2*x[1]", "sum(x)*0", "sum([x[0], x[1]^2])"]


def _vector(children):
    unary = st.tuples(st.sampled_from(SMOOTH_UNARY), children).map(lambda t: t[0].format(t[1]))
    binary = st.tuples(st.sampled_from(BINARY), children, children).map(lambda t: t[0].format(t[1], t[2]))
    return unary | binary


vectors = st.recursive(st.sampled_from(PIECES), _vector, max_leaves=5)
expressions = st.tuples(st.sampled_from(REDUCE), vectors, st.sampled_from(SCALAR)).map(
    lambda t: f"{t[0].format(t[1])} + {t[2]}"
)


def _setup(text: str, point: dict):
    shapes = {k: np.shape(v) for k, v in point.items()}
    p = parse(text, shapes)
    wrt = [p.graph.var(k, s) for k, s in shapes.items()]
    return p, wrt, Problem(p, dict(point), wrt, Device())


def _both(text: str, point: dict):
    """(pattern, dense Hessian, sparse Hessian, directions)."""
    p, wrt, problem = _setup(text, point)
    found = sparsity.pattern(p.output, wrt)
    dense = request.compute(problem, Request(hessian="dense"), "hessian").data["hessian"]
    coordinates = request.compute(problem, Request(hessian="sparse"), "hessian").data["hessian"]
    directions = len(request.build(problem, Request(hessian="sparse")).basis)
    return found, dense, coordinates, directions


def _check_covers(found, dense, coordinates):
    mask = np.zeros(dense.shape, dtype=bool)
    mask[found.rows, found.cols] = True
    assert not np.any(dense[~mask]), "a non-zero outside the pattern"
    assert np.array_equal(found.rows, coordinates.rows) and np.array_equal(found.cols, coordinates.cols)
    assert np.array_equal(mask, mask.T)  # symmetric
    keys = found.rows * found.size + found.cols
    assert np.all(np.diff(keys) > 0)  # row by row, sorted, no repeats
    scale = max(1.0, float(np.abs(dense).max()))
    np.testing.assert_allclose(coordinates.values, dense[found.rows, found.cols], rtol=1e-9, atol=1e-9 * scale)


@settings(max_examples=40, deadline=None)
@given(expressions, st.integers(3, 6), st.integers(0, 10**6))
def test_pattern_covers_the_dense_hessian(text, n, seed):
    rng = np.random.default_rng(seed)
    point = {"x": rng.uniform(0.3, 1.2, n), "y": float(rng.uniform(0.3, 1.2))}
    found, dense, coordinates, directions = _both(text, point)
    _check_covers(found, dense, coordinates)
    assert directions <= n + 1


@pytest.mark.parametrize(
    "text, point",
    [
        (
            "sum(W*W) + sum((W @ v)^3) + v[0]*W[1,2]",
            {"W": np.arange(6.0).reshape(2, 3) / 5, "v": np.array([0.5, 1.0, 1.5])},
        ),
        (
            "sum(transpose(W)[0]^2 * v[:2]) + sum(v^2)^2",
            {"W": np.arange(6.0).reshape(2, 3) / 5, "v": np.array([0.5, 1.0, 1.5])},
        ),
        ("sum(exp(W[0, :] * W[1, :]))", {"W": np.arange(6.0).reshape(2, 3) / 5}),
        ("logsumexp(v*w) + sum(softmax(v)*v)", {"v": np.array([0.1, 0.2, 0.3]), "w": 2.0}),
        ("x[2]*x[0] + sin(x[1])", {"x": np.array([0.1, 0.2, 0.3, 0.4])}),
    ],
)
def test_pattern_of_matrices_and_structure(text, point):
    found, dense, coordinates, _ = _both(text, point)
    _check_covers(found, dense, coordinates)


def test_pattern_follows_elements_not_variables():
    # a product couples its factors' elements (with themselves too: the pattern is structural,
    # per nonlinear node); x[1] only with itself, x[3] with nothing
    found, _, _, _ = _both("x[2]*x[0] + sin(x[1])", {"x": np.array([0.1, 0.2, 0.3, 0.4])})
    assert list(zip(found.rows.tolist(), found.cols.tolist())) == [(0, 0), (0, 2), (1, 1), (2, 0), (2, 2)]


def test_vector_rosenbrock_is_tridiagonal_and_matches_differences():
    n = 40
    x = np.random.default_rng(3).uniform(-1, 1, n)
    found, dense, coordinates, directions = _both(ROSENBROCK, {"x": x})
    assert len(found.rows) == 3 * n - 2 and directions == 3
    assert np.all(np.abs(found.rows - found.cols) <= 1)
    _check_covers(found, dense, coordinates)
    p, wrt, _ = _setup(ROSENBROCK, {"x": x})
    (g,) = autodiff.gradient(p.output, wrt)
    h = 1e-6
    column = {
        j: (evaluate([g], {"x": x + h * e})[0] - evaluate([g], {"x": x - h * e})[0]) / (2 * h)
        for j, e in enumerate(np.eye(n))
    }
    for r, c, value in zip(coordinates.rows, coordinates.cols, coordinates.values):
        assert math.isclose(value, column[c][r], rel_tol=1e-6, abs_tol=1e-5)


def test_colouring_is_valid_for_a_pattern_that_is_not_banded():
    found, _, _, _ = _both("sum(x[1:]*x[0]) + sum(x^3)", {"x": np.linspace(0.2, 1, 7)})  # an arrow
    colours = sparsity.colour(found)
    keys = found.rows * (colours.max() + 1) + colours[found.cols]
    assert len(np.unique(keys)) == len(keys)  # no row holds two columns of one colour


def test_a_dense_pattern_beyond_the_element_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sparsity.limits, "MAX_ELEMENTS", 50)
    run = invoke("hessian", "sum(x)^2", "--at", "x=[1,2,3,4,5,6,7,8]", "--sparse")
    assert run.code == 2 and run.stderr.startswith("error: the Hessian's sparsity pattern has more than")


def test_cli_coordinates_and_labels(tmp_path):
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0, 0.5]))
    run = invoke("hessian", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--sparse", "--format", "csv")
    assert run.code == 0, run.stderr
    assert run.stdout.split("\n")[:3] == ["row,col,value", "x[0],x[0],402", "x[0],x[1],-400"]
    data = invoke("hessian", ROSENBROCK, "--at", "x=[1,2,0.5]", "--sparse", "--format", "json").json()
    assert data["labels"] == ["x[0]", "x[1]", "x[2]"] and data["hessian"]["shape"] == [3, 3]
    assert len(data["hessian"]["rows"]) == 7


def test_npz_is_scipy_csr(tmp_path):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    x = np.random.default_rng(1).uniform(-1, 1, 30)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "h.npz"
    run = invoke(
        "hessian", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--sparse", "--out", str(out), "--format", "json"
    )
    assert run.code == 0, run.stderr
    assert set(run.json()) == {"value", "grad", "wrt", "labels"}  # the Hessian went to the file
    matrix = scipy_sparse.load_npz(out)
    assert matrix.format == "csr" and matrix.shape == (30, 30) and matrix.nnz == 3 * 30 - 2
    _, dense, _, _ = _both(ROSENBROCK, {"x": x})
    np.testing.assert_array_equal(matrix.toarray(), dense)


def test_out_format_by_extension(tmp_path):
    run = invoke("hessian", "sum(x^2)", "--at", "x=[1,2]", "--sparse", "--out", str(tmp_path / "h.txt"))
    assert run.code == 2 and ".npz" in run.stderr  # .npy, .npz, .csv, .parquet: tests/test_out_single.py
    x = tmp_path / "x.npz"
    run = invoke("hessian", "sum(x^2)", "--at", f"x=@{tmp_path / 'x.npy'}", "--sparse", "--out", str(x))
    assert run.code == 2 and not x.exists()  # the missing input is the one error


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1.0, 1e16, 1e-300]), max_size=20
    )
)
def test_plain_numbers_is_plain_number_of_each(values):
    assert plain_numbers(np.array(values, dtype=float)) == [plain_number(v) for v in values]
    assert plain_joined(np.array(values, dtype=float)) == " ".join(plain_number(v) for v in values)

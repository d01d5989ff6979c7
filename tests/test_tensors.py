"""The tensor ops (axis reductions, shapes, joining, products, linear algebra, integer-array
indexing), one case per spelling: value against numpy, gradient against central differences,
second order (Hessian-vector products against differences of the exact gradient), forward mode
against reverse mode; special points (singular det, repeated eigenvalues); PyTorch 2.13 where
installed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from diffcli.core import autodiff, forward
from diffcli.core.graph import apply
from diffcli.core.numcheck import central_gradient
from diffcli.syntax.parse import parse
from helpers import evaluate, grad_of, value_of

RNG = np.random.default_rng(7)
_M = RNG.normal(size=(3, 3))
POINT = {
    "A": RNG.normal(size=(3, 3)) + 3 * np.eye(3),
    "S": _M @ _M.T + 3 * np.eye(3),
    "B": RNG.normal(size=(3, 2)),
    "T": RNG.normal(size=(2, 3, 4)),
    "P": RNG.uniform(0.5, 2.0, size=(2, 3)),
    "x": RNG.normal(size=3),
    "y": RNG.normal(size=3),
    "v": RNG.normal(size=4),
}


def sym(a):
    return (a + a.T) / 2


def lse(a, axis):
    m = a.max(axis=axis, keepdims=True)
    return np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m


CASES = {
    # reductions along an axis
    "sum(T, axis=1)": lambda p: p["T"].sum(axis=1),
    "sum(T, axis=[0, 2], keepdims=1)": lambda p: p["T"].sum(axis=(0, 2), keepdims=True),
    "mean(T, axis=-1)": lambda p: p["T"].mean(axis=-1),
    "prod(P, axis=0)": lambda p: p["P"].prod(axis=0),
    "max(T, axis=1)": lambda p: p["T"].max(axis=1),
    "min(T, axis=0, keepdims=1)": lambda p: p["T"].min(axis=0, keepdims=True),
    "norm(T, axis=2)": lambda p: np.linalg.norm(p["T"], axis=2),
    "logsumexp(T, axis=1)": lambda p: lse(p["T"], 1)[:, 0],
    "softmax(T, axis=1)": lambda p: np.exp(p["T"] - lse(p["T"], 1)),
    "log_softmax(T, axis=0)": lambda p: p["T"] - lse(p["T"], 0),
    "var(T, axis=1)": lambda p: p["T"].var(axis=1),
    "std(T, axis=2, ddof=1)": lambda p: p["T"].std(axis=2, ddof=1),
    "var(x)": lambda p: p["x"].var(),
    "cumsum(T, axis=1)": lambda p: np.cumsum(p["T"], axis=1),
    "cumsum(A)": lambda p: np.cumsum(p["A"]),
    "cumprod(P, axis=1)": lambda p: np.cumprod(p["P"], axis=1),
    # shapes
    "reshape(T, [4, 6])": lambda p: p["T"].reshape(4, 6),
    "reshape(T, [-1, 2])": lambda p: p["T"].reshape(-1, 2),
    "flatten(T)": lambda p: p["T"].ravel(),
    "squeeze(reshape(x, [1, 3]))": lambda p: p["x"],
    "expand_dims(x, 0)": lambda p: p["x"][None],
    "unsqueeze(T, 3)": lambda p: p["T"][..., None],
    "transpose(T, axes=[2, 0, 1])": lambda p: np.transpose(p["T"], (2, 0, 1)),
    "swapaxes(T, 0, 2)": lambda p: np.swapaxes(p["T"], 0, 2),
    "moveaxis(T, 0, -1)": lambda p: np.moveaxis(p["T"], 0, -1),
    "flip(T, axis=1)": lambda p: np.flip(p["T"], axis=1),
    "repeat(x, 2)": lambda p: np.repeat(p["x"], 2),
    "repeat(B, [1, 2], axis=1)": lambda p: np.repeat(p["B"], [1, 2], axis=1),
    "tile(x, [2, 2])": lambda p: np.tile(p["x"], (2, 2)),
    "broadcast_to(x, [2, 3])": lambda p: np.broadcast_to(p["x"], (2, 3)),
    # joining and splitting
    "concatenate([A, B], axis=1)": lambda p: np.concatenate([p["A"], p["B"]], axis=1),
    "concatenate([x, v, x])": lambda p: np.concatenate([p["x"], p["v"], p["x"]]),
    "stack([x, y], axis=1)": lambda p: np.stack([p["x"], p["y"]], axis=1),
    "hstack([x, v])": lambda p: np.hstack([p["x"], p["v"]]),
    "vstack([x, y])": lambda p: np.vstack([p["x"], p["y"]]),
    "split(T, 2, axis=2)": lambda p: np.array(np.split(p["T"], 2, axis=2)),
    # products
    'einsum("ij,jk->ik", A, B)': lambda p: p["A"] @ p["B"],
    'einsum("ij,j->i", A, x)': lambda p: p["A"] @ p["x"],
    'einsum("ii", A)': lambda p: np.trace(p["A"]),
    'einsum("ijk,jl->ikl", T, B)': lambda p: np.einsum("ijk,jl->ikl", p["T"], p["B"]),
    'einsum("i,i->", x, x)': lambda p: p["x"] @ p["x"],
    'einsum("ij->", B)': lambda p: p["B"].sum(),
    "tensordot(T, B, axes=[[1], [0]])": lambda p: np.tensordot(p["T"], p["B"], axes=([1], [0])),
    "tensordot(A, A)": lambda p: np.tensordot(p["A"], p["A"]),
    "dot(A, x)": lambda p: p["A"].dot(p["x"]),
    "dot(T, v)": lambda p: p["T"].dot(p["v"]),
    "inner(T, v)": lambda p: np.inner(p["T"], p["v"]),
    "outer(x, y)": lambda p: np.outer(p["x"], p["y"]),
    "kron(A, B)": lambda p: np.kron(p["A"], p["B"]),
    "cross(x, y)": lambda p: np.cross(p["x"], p["y"]),
    # linear algebra
    "trace(A)": lambda p: np.trace(p["A"]),
    "diag(x)": lambda p: np.diag(p["x"]),
    "diag(A)": lambda p: np.diag(p["A"]),
    "diag(x, k=1)": lambda p: np.diag(p["x"], k=1),
    "diagonal(A, offset=1)": lambda p: np.diagonal(p["A"], offset=1),
    "triu(A)": lambda p: np.triu(p["A"]),
    "tril(A, k=-1)": lambda p: np.tril(p["A"], k=-1),
    "det(A)": lambda p: np.linalg.det(p["A"]),
    "logdet(A)": lambda p: np.linalg.slogdet(p["A"])[1],
    "slogdet(A)": lambda p: np.array(np.linalg.slogdet(p["A"])),
    "inv(A)": lambda p: np.linalg.inv(p["A"]),
    "solve(A, x)": lambda p: np.linalg.solve(p["A"], p["x"]),
    "solve(A, B)": lambda p: np.linalg.solve(p["A"], p["B"]),
    "matrix_power(A, 3)": lambda p: np.linalg.matrix_power(p["A"], 3),
    "matrix_power(A, -2)": lambda p: np.linalg.matrix_power(p["A"], -2),
    "cholesky(S)": lambda p: np.linalg.cholesky(p["S"]),
    "eigvalsh(S)": lambda p: np.linalg.eigvalsh(p["S"]),
    "eigh(A)": lambda p: np.linalg.eigvalsh(sym(p["A"])),
    "svd(B)": lambda p: np.linalg.svd(p["B"], compute_uv=False),
    "svd(transpose(B))": lambda p: np.linalg.svd(p["B"].T, compute_uv=False),
    'norm(A, "nuc")': lambda p: np.linalg.norm(p["A"], "nuc"),
    "norm(A, 2)": lambda p: np.linalg.norm(p["A"], 2),
    "norm(A, -2)": lambda p: np.linalg.norm(p["A"], -2),
    "norm(A, 1)": lambda p: np.linalg.norm(p["A"], 1),
    'norm(A, "inf")': lambda p: np.linalg.norm(p["A"], np.inf),
    'norm(A, "fro")': lambda p: np.linalg.norm(p["A"], "fro"),
    "norm(x, 1)": lambda p: np.linalg.norm(p["x"], 1),
    'norm(x, "-inf")': lambda p: np.linalg.norm(p["x"], -np.inf),
    # integer-array indexing
    "x[[0, 2]]": lambda p: p["x"][[0, 2]],
    "A[[2, 0, 2]]": lambda p: p["A"][[2, 0, 2]],
    "A[:, [1, 0]]": lambda p: p["A"][:, [1, 0]],
    "T[1, :, [3, 0]]": None,  # refused: numpy moves the list's axis first there (see test below)
}
CASES = {k: v for k, v in CASES.items() if v is not None}


def names_in(text: str) -> list[str]:
    words = set(re.findall(r"\b\w+\b", re.sub(r'"[^"]*"', "", text)))
    return [n for n in POINT if n in words]


def case_point(text: str) -> dict:
    return {n: POINT[n] for n in names_in(text)}


def weighted(text: str) -> tuple[str, dict]:
    """sum(f * W) with W fixed random weights: a scalar that sees every element of f."""
    point = case_point(text)
    shape = np.shape(value_of(text, point))
    point["W_"] = np.random.default_rng(len(text)).normal(size=shape)
    return f"sum(({text}) * W_)", point


@pytest.mark.parametrize("text", CASES)
def test_value_matches_numpy(text):
    point = case_point(text)
    found, expected = value_of(text, point), np.asarray(CASES[text](point))
    assert found.shape == expected.shape, (text, found.shape, expected.shape)
    assert np.allclose(found, expected, rtol=1e-12, atol=1e-12), (text, found, expected)


@pytest.mark.parametrize("text", CASES)
def test_gradient_matches_differences(text):
    scalar, point = weighted(text)
    names = names_in(text)
    exact = grad_of(scalar, point, names)
    numeric = central_gradient(lambda pt: value_of(scalar, pt), point, names)
    for n in names:
        assert np.allclose(exact[n], numeric[n], rtol=1e-6, atol=1e-7), (text, n, exact[n], numeric[n])


def _products(scalar: str, point: dict, names: list[str]):
    """(graph pieces) gradient nodes, Hessian-vector products along random directions U_*."""
    shapes = {k: np.shape(v) for k, v in point.items()}
    directions = {f"U_{n}": np.random.default_rng(len(n)).normal(size=shapes[n]) for n in names}
    shapes.update({k: np.shape(v) for k, v in directions.items()})
    p = parse(scalar, shapes)
    wrt = [p.graph.var(n, shapes[n]) for n in names]
    us = [p.graph.var(f"U_{n}", shapes[n]) for n in names]
    grads = autodiff.gradient(p.output, wrt)
    inner = None
    for g, u in zip(grads, us):
        term = apply("sum", g * u, payload=len(g.shape)) if g.shape else g * u
        inner = term if inner is None else inner + term
    return p, wrt, us, grads, inner, {**point, **directions}


@pytest.mark.parametrize("text", CASES)
def test_second_order_matches_differences_of_the_gradient(text):
    scalar, point = weighted(text)
    names = names_in(text)
    p, wrt, us, grads, inner, bound = _products(scalar, point, names)
    hvp = evaluate(autodiff.gradient(inner, wrt), bound)
    step = 1e-5
    for k, n in enumerate(names):
        up = {m: point[m] + step * bound[f"U_{m}"] if m in names else point[m] for m in point}
        down = {m: point[m] - step * bound[f"U_{m}"] if m in names else point[m] for m in point}
        g_up, g_down = grad_of(scalar, up, names)[n], grad_of(scalar, down, names)[n]
        numeric = (g_up - g_down) / (2 * step)
        assert np.allclose(hvp[k], numeric, rtol=1e-4, atol=1e-6), (text, n, hvp[k], numeric)


@pytest.mark.parametrize("text", CASES)
def test_forward_mode_agrees_with_reverse_mode(text):
    scalar, point = weighted(text)
    names = names_in(text)
    p, wrt, us, grads, inner, bound = _products(scalar, point, names)
    tangent = forward.jvp(p.output, wrt, us)
    found, expected = evaluate([tangent, inner], bound)
    assert np.allclose(found, expected, rtol=1e-9, atol=1e-10), (text, found, expected)


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # rank 2
    cof = np.array(
        [[np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) * (-1) ** (i + j) for j in range(3)] for i in range(3)]
    )
    assert np.allclose(grad_of("det(A)", {"A": a})["A"], cof, atol=1e-12)
    zero_rank = np.zeros((2, 2))
    assert np.allclose(grad_of("det(A)", {"A": zero_rank})["A"], 0.0)


def test_eigenvalue_gradient_with_repeated_eigenvalues_stays_finite():
    """At the identity every eigenvalue repeats; the sum of eigenvalues (the trace) has the
    identity as its gradient whatever eigenvectors numpy picks."""
    assert np.allclose(grad_of("sum(eigvalsh(A))", {"A": np.eye(3)})["A"], np.eye(3))


def test_list_index_with_an_integer_is_refused():
    from conftest import invoke

    r = invoke("eval", "T[1, :, [3, 0]]", "--at", "T=[[[1,2,3,4]]]")
    assert r.code == 2 and "two steps" in r.stderr


def test_keyword_outside_a_call_and_unknown_keyword_are_refused():
    from conftest import invoke

    r = invoke("eval", "sum(x, axis=0, foo=1)", "--at", "x=[1,2]")
    assert r.code == 2 and "no keyword argument `foo`" in r.stderr
    r = invoke("eval", "sin(x, axis=0)", "--at", "x=1")
    assert r.code == 2 and "keyword" in r.stderr


def test_a_reduction_of_a_scalar_is_the_scalar():
    assert value_of("max(x) + sum(x) + min(x)", {"x": 3.5}) == 10.5


# -- PyTorch 2.13 (optional): values, gradients and Hessians by torch.func on the same inputs ----


def _torch_cases():
    import torch

    def sym_t(a):
        return (a + a.T) / 2

    la = torch.linalg
    return {
        "sum(T, axis=1)": lambda p: p["T"].sum(dim=1),
        "sum(T, axis=[0, 2], keepdims=1)": lambda p: p["T"].sum(dim=(0, 2), keepdim=True),
        "mean(T, axis=-1)": lambda p: p["T"].mean(dim=-1),
        "prod(P, axis=0)": lambda p: p["P"].prod(dim=0),
        "max(T, axis=1)": lambda p: p["T"].amax(dim=1),
        "min(T, axis=0, keepdims=1)": lambda p: p["T"].amin(dim=0, keepdim=True),
        "norm(T, axis=2)": lambda p: la.vector_norm(p["T"], dim=2),
        "logsumexp(T, axis=1)": lambda p: torch.logsumexp(p["T"], dim=1),
        "softmax(T, axis=1)": lambda p: torch.softmax(p["T"], dim=1),
        "log_softmax(T, axis=0)": lambda p: torch.log_softmax(p["T"], dim=0),
        "var(T, axis=1)": lambda p: p["T"].var(dim=1, correction=0),
        "std(T, axis=2, ddof=1)": lambda p: p["T"].std(dim=2, correction=1),
        "var(x)": lambda p: p["x"].var(correction=0),
        "cumsum(T, axis=1)": lambda p: torch.cumsum(p["T"], dim=1),
        "cumsum(A)": lambda p: torch.cumsum(p["A"].reshape(-1), dim=0),
        "cumprod(P, axis=1)": lambda p: torch.cumprod(p["P"], dim=1),
        "reshape(T, [4, 6])": lambda p: p["T"].reshape(4, 6),
        "transpose(T, axes=[2, 0, 1])": lambda p: p["T"].permute(2, 0, 1),
        "repeat(x, 2)": lambda p: torch.repeat_interleave(p["x"], 2),
        "tile(x, [2, 2])": lambda p: p["x"].repeat(2, 2),
        "concatenate([A, B], axis=1)": lambda p: torch.cat([p["A"], p["B"]], dim=1),
        "stack([x, y], axis=1)": lambda p: torch.stack([p["x"], p["y"]], dim=1),
        'einsum("ijk,jl->ikl", T, B)': lambda p: torch.einsum("ijk,jl->ikl", p["T"], p["B"]),
        'einsum("ii", A)': lambda p: torch.einsum("ii", p["A"]),
        "tensordot(T, B, axes=[[1], [0]])": lambda p: torch.tensordot(p["T"], p["B"], dims=([1], [0])),
        "inner(T, v)": lambda p: torch.inner(p["T"], p["v"]),
        "outer(x, y)": lambda p: torch.outer(p["x"], p["y"]),
        "kron(A, B)": lambda p: torch.kron(p["A"], p["B"]),
        "cross(x, y)": lambda p: la.cross(p["x"], p["y"]),
        "trace(A)": lambda p: torch.trace(p["A"]),
        "diag(x, k=1)": lambda p: torch.diag(p["x"], 1),
        "diagonal(A, offset=1)": lambda p: torch.diagonal(p["A"], offset=1),
        "triu(A)": lambda p: torch.triu(p["A"]),
        "tril(A, k=-1)": lambda p: torch.tril(p["A"], -1),
        "det(A)": lambda p: la.det(p["A"]),
        "logdet(A)": lambda p: la.slogdet(p["A"])[1],
        "inv(A)": lambda p: la.inv(p["A"]),
        "solve(A, x)": lambda p: la.solve(p["A"], p["x"]),
        "solve(A, B)": lambda p: la.solve(p["A"], p["B"]),
        "matrix_power(A, -2)": lambda p: la.matrix_power(p["A"], -2),
        "cholesky(S)": lambda p: la.cholesky(sym_t(p["S"])),
        "eigvalsh(S)": lambda p: la.eigvalsh(sym_t(p["S"])),
        "eigh(A)": lambda p: la.eigvalsh(sym_t(p["A"])),
        "svd(B)": lambda p: la.svdvals(p["B"]),
        "svd(transpose(B))": lambda p: la.svdvals(p["B"].T),
        'norm(A, "nuc")': lambda p: la.matrix_norm(p["A"], "nuc"),
        "norm(A, 2)": lambda p: la.matrix_norm(p["A"], 2),
        "norm(A, 1)": lambda p: la.matrix_norm(p["A"], 1),
        "x[[0, 2]]": lambda p: p["x"][[0, 2]],
        "A[:, [1, 0]]": lambda p: p["A"][:, [1, 0]],
    }


TORCH_CASES = [
    "sum(T, axis=1)", "sum(T, axis=[0, 2], keepdims=1)", "mean(T, axis=-1)", "prod(P, axis=0)", "max(T, axis=1)",
    "min(T, axis=0, keepdims=1)", "norm(T, axis=2)", "logsumexp(T, axis=1)", "softmax(T, axis=1)",
    "log_softmax(T, axis=0)", "var(T, axis=1)", "std(T, axis=2, ddof=1)", "var(x)", "cumsum(T, axis=1)", "cumsum(A)",
    "cumprod(P, axis=1)", "reshape(T, [4, 6])", "transpose(T, axes=[2, 0, 1])", "repeat(x, 2)", "tile(x, [2, 2])",
    "concatenate([A, B], axis=1)", "stack([x, y], axis=1)", 'einsum("ijk,jl->ikl", T, B)', 'einsum("ii", A)',
    "tensordot(T, B, axes=[[1], [0]])", "inner(T, v)", "outer(x, y)", "kron(A, B)", "cross(x, y)", "trace(A)",
    "diag(x, k=1)", "diagonal(A, offset=1)", "triu(A)", "tril(A, k=-1)", "det(A)", "logdet(A)", "inv(A)",
    "solve(A, x)", "solve(A, B)", "matrix_power(A, -2)", "cholesky(S)", "eigvalsh(S)", "eigh(A)", "svd(B)",
    "svd(transpose(B))", 'norm(A, "nuc")', "norm(A, 2)", "norm(A, 1)", "x[[0, 2]]", "A[:, [1, 0]]",
]  # fmt: skip


@pytest.mark.parametrize("text", TORCH_CASES)
def test_against_pytorch(text):
    torch = pytest.importorskip("torch", reason="PyTorch 2.13 is optional (pip install torch==2.13.0)")
    from torch.func import grad, hessian

    reference = _torch_cases()[text]
    scalar, point = weighted(text)
    names = names_in(text)
    weights = torch.tensor(point["W_"], dtype=torch.float64)
    fixed = {k: torch.tensor(v, dtype=torch.float64) for k, v in point.items()}

    def f(*values):
        return (reference({**fixed, **dict(zip(names, values))}) * weights).sum()

    inputs = [fixed[n] for n in names]
    assert np.allclose(value_of(text, case_point(text)), reference(fixed).numpy(), rtol=1e-12, atol=1e-12)
    exact = grad_of(scalar, point, names)
    for k, n in enumerate(names):
        theirs = grad(f, argnums=k)(*inputs).numpy()
        assert np.allclose(exact[n], theirs, rtol=1e-9, atol=1e-10), (text, n, exact[n], theirs)
    # the Hessian block of the first variable, row by row from Hessian-vector products
    first = names[0]
    theirs = hessian(f, argnums=0)(*inputs).numpy().reshape(point[first].size, -1)
    p, wrt, us, grads, inner, bound = _products(scalar, point, names)
    rows = []
    for e in range(point[first].size):
        basis = {f"U_{m}": np.zeros_like(point[m]) for m in names}
        basis[f"U_{first}"].flat[e] = 1.0
        (row,) = evaluate([autodiff.gradient(inner, wrt)[0]], {**bound, **basis})
        rows.append(np.asarray(row).reshape(-1))
    assert np.allclose(np.array(rows), theirs, rtol=1e-8, atol=1e-9), text


GRAD_FN = {
    "reshape(T, [4, 6])": lambda p: p["T"].reshape(4, 6),
    "transpose(T, axes=[2, 0, 1])": lambda p: p["T"].permute(2, 0, 1),
    "concatenate([A, B], axis=1)": lambda p: __import__("torch").cat([p["A"], p["B"]], dim=1),
    "x[[0, 2]]": lambda p: p["x"][[0, 2]],
    "cumsum(T, axis=1)": lambda p: p["T"].cumsum(dim=1),
    "cumprod(P, axis=1)": lambda p: p["P"].cumprod(dim=1),
    "triu(A)": lambda p: p["A"].triu(),
    "tril(A, k=-1)": lambda p: p["A"].tril(-1),
    "diagonal(A, offset=1)": lambda p: p["A"].diagonal(offset=1),
    "diag(x)": lambda p: __import__("torch").diag(p["x"]),
    'einsum("ij,jk->ik", A, B)': lambda p: __import__("torch").einsum("ij,jk->ik", p["A"], p["B"]),
    'einsum("ij->", B)': lambda p: __import__("torch").einsum("ij->", p["B"]),
    "outer(x, y)": lambda p: __import__("torch").einsum("i,j->ij", p["x"], p["y"]),
    "det(A)": lambda p: __import__("torch").linalg.det(p["A"]),
    "inv(A)": lambda p: __import__("torch").linalg.inv(p["A"]),
    "logdet(A)": lambda p: __import__("torch").linalg.slogdet(p["A"])[1],
    "solve(A, x)": lambda p: __import__("torch").linalg.solve(p["A"], p["x"]),
    "eigvalsh(S)": lambda p: __import__("torch").linalg.eigvalsh(p["S"]),
    "svd(B)": lambda p: __import__("torch").linalg.svdvals(p["B"]),
    "cholesky(S)": lambda p: __import__("torch").linalg.cholesky(p["S"]),
}


@pytest.mark.parametrize("text", GRAD_FN)
def test_grad_fn_names_are_pytorchs(text):
    torch = pytest.importorskip("torch", reason="PyTorch 2.13 is optional (pip install torch==2.13.0)")
    from diffcli.core.ops import OPS

    point = case_point(text)
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in point.items()}
    theirs = type(GRAD_FN[text](tensors).grad_fn).__name__
    node = parse(text, {k: np.shape(v) for k, v in point.items()}).output
    assert OPS[node.op].backward_name(node) == theirs, text


@pytest.mark.parametrize("text", CASES)
def test_batched_evaluation_matches_point_by_point(text):
    """Evaluation over many points adds a leading axis: every forward rule addresses the
    node's own axes from the right. The first variable varies per point, the others not;
    its gradient too is evaluated over the points."""
    from diffcli.core.engine import Plan

    scalar, point = weighted(text)
    names = names_in(text)
    first = names[0]
    shapes = {k: np.shape(v) for k, v in point.items()}
    p = parse(scalar, shapes)
    wrt = [p.graph.var(first, shapes[first])]
    outputs = [p.output, *autodiff.gradient(p.output, wrt)]
    stacked = np.stack([point[first], point[first] * 1.1, point[first] * 0.9])
    found = Plan(outputs, batched={first}).run({**point, first: stacked})
    for k in range(3):
        one = evaluate(outputs, {**point, first: stacked[k]})
        for got, want in zip(found, one):
            got = np.asarray(got)
            got = got if got.shape == np.shape(want) else got[k]  # constant over the points: computed once
            assert np.allclose(got, want, rtol=1e-10, atol=1e-12), (text, k)


@pytest.mark.parametrize(
    "text",
    [
        "sum(cumprod(x, axis=0))",
        "sum(concatenate([x*x, x[[0, 0]]^3]))",
        "sum(reshape(x, [2, 3])^3)",
        "sum(transpose(reshape(x, [2, 3]), axes=[1, 0])[0]^3)",
        "det(reshape(x[[0, 1, 2, 3]], [2, 2]))",
        "sum(diag(x)^3)",
        "sum(diagonal(reshape(x, [2, 3]), offset=1)^3)",
        'sum(einsum("i,i->i", x, x)^2)',
        "sum(triu(reshape(x, [2, 3]))^3)",
        "sum(repeat(x, 2)^3) + sum(cumsum(x)^2)",
        "sum(stack([x, x^2], axis=1)^2)",
    ],
)
def test_sparse_hessian_equals_the_dense_one(text):
    """The element maps of the new ops (sparsity.py): the sparse Hessian is the dense one."""
    from conftest import invoke

    at = "x=[1.5,2,0.7,1.2,-0.4,0.9]"
    dense = np.array(invoke("hessian", text, "--at", at, "--format", "json").json()["hessian"])
    sparse = invoke("hessian", text, "--at", at, "--sparse", "--format", "json").json()["hessian"]
    rebuilt = np.zeros(sparse["shape"])
    rebuilt[sparse["rows"], sparse["cols"]] = sparse["values"]
    assert np.allclose(rebuilt, dense, rtol=1e-12, atol=1e-12), text

"""Matrix calculus in matrix notation (diffcli.matrix, `diff --shape`): Matrix Cookbook
identities (Petersen and Pedersen, chapter 2, unstructured matrices; equation numbers of the
2012 edition), matrixcalculus.org's examples and the ML classics.

Each printed derivative (a) parses back, (b) equals reverse mode's numbers at random values of
random sizes (and so does the Cookbook's own form, parsed: the table's forms are checked too),
and (c) is no longer than the Cookbook's form by more than half. The linear-algebra names
(trace, det, logdet, inv, solve, diag, outer, kron) are issue 28's spellings, built from the op
table's primitives (diagonal, diag_embed, einsum, cofactor, ...); the matrix reader reads those
primitives back into the Cookbook's vocabulary.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import invoke
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Graph
from diffcli.core.ops import FUNCTIONS
from diffcli.matrix.derive import Ask, matrix_diff
from diffcli.matrix.sizes import parse_shapes
from diffcli.syntax.parse import parse

LINALG = ("trace", "det", "logdet", "inv", "solve", "diag", "outer", "kron")

# (name, expression, --shape, --wrt, order, the Cookbook's (or the page's) form, spelled in the language)
CASES = [
    # linear forms (eqs. 69-72)
    ("69 d x'a / dx", "x@a", "x=n,a=n", "x", 1, "a"),
    ("69 d a'x / dx", "a@x", "x=n,a=n", "x", 1, "a"),
    ("70 d a'Xb / dX", "a@X@b", "a=m,X=m*n,b=n", "X", 1, "outer(a, b)"),
    ("71 d a'X'b / dX", "a@transpose(X)@b", "a=n,X=m*n,b=m", "X", 1, "outer(b, a)"),
    ("72 d a'Xa / dX", "a@X@a", "a=n,X=n*n", "X", 1, "outer(a, a)"),
    ("72 d a'X'a / dX", "a@transpose(X)@a", "a=n,X=n*n", "X", 1, "outer(a, a)"),
    ("d Ax / dx (Jacobian)", "A@x", "A=m*n,x=n", "x", 1, "A"),
    ("d x'A / dx (Jacobian)", "x@A", "A=m*n,x=m", "x", 1, "transpose(A)"),
    ("d x / dx (Jacobian)", "x", "x=n", "x", 1, "eye(n)"),
    ("d (Ax + b) / dx (Jacobian)", "A@x + b", "A=m*n,x=n,b=m", "x", 1, "A"),
    # second order (eqs. 77-84)
    ("77 d b'X'Xc / dX", "b@transpose(X)@X@c", "b=n,X=m*n,c=n", "X", 1, "X@(outer(b, c) + outer(c, b))"),
    (
        "78 d (Bx+b)'C(Dx+d) / dx",
        "(B@x + b)@C@(D@x + d)",
        "B=m*n,x=n,b=m,C=m*k,D=k*n,d=k",
        "x",
        1,
        "transpose(B)@C@(D@x + d) + transpose(D)@transpose(C)@(B@x + b)",
    ),
    (
        "79 d b'X'DXc / dX",
        "b@transpose(X)@D@X@c",
        "b=n,X=m*n,D=m*m,c=n",
        "X",
        1,
        "transpose(D)@X@outer(b, c) + D@X@outer(c, b)",
    ),
    (
        "80 d (Xb+c)'D(Xb+c) / dX",
        "(X@b + c)@D@(X@b + c)",
        "X=m*n,b=n,c=m,D=m*m",
        "X",
        1,
        "outer((D + transpose(D))@(X@b + c), b)",
    ),
    ("81 d x'Bx / dx", "x@B@x", "x=n,B=n*n", "x", 1, "(B + transpose(B))@x"),
    ("d x'x / dx", "x@x", "x=n", "x", 1, "2*x"),
    ("d x'Bx / dB", "x@B@x", "x=n,B=n*n", "B", 1, "outer(x, x)"),
    ("81 Hessian of x'Bx", "x@B@x", "x=n,B=n*n", "x", 2, "B + transpose(B)"),
    ("Hessian of x'x", "x@x", "x=n", "x", 2, "2*eye(n)"),
    ("Hessian of b'x", "b@x", "x=n,b=n", "x", 2, "0*eye(n)"),
    # weighted least squares (eqs. 84-88, W not symmetric)
    (
        "84 d (x-As)'W(x-As) / ds",
        "(x - A@s)@W@(x - A@s)",
        "x=m,A=m*n,s=n,W=m*m",
        "s",
        1,
        "-transpose(A)@(W + transpose(W))@(x - A@s)",
    ),
    (
        "85 d (x-As)'W(x-As) / dx",
        "(x - A@s)@W@(x - A@s)",
        "x=m,A=m*n,s=n,W=m*m",
        "x",
        1,
        "(W + transpose(W))@(x - A@s)",
    ),
    (
        "88 d (x-As)'W(x-As) / dA",
        "(x - A@s)@W@(x - A@s)",
        "x=m,A=m*n,s=n,W=m*m",
        "A",
        1,
        "-outer((W + transpose(W))@(x - A@s), s)",
    ),
    ("d a'x x'b / dx", "(a@x)*(x@b)", "x=n,a=n,b=n", "x", 1, "(outer(a, b) + outer(b, a))@x"),
    (
        "Hessian of (x-As)'W(x-As) by s",
        "(x - A@s)@W@(x - A@s)",
        "x=m,A=m*n,s=n,W=m*m",
        "s",
        2,
        "transpose(A)@(W + transpose(W))@A",
    ),
    # norms (section 2.6)
    ("d |x|^2 / dx", "norm(x)^2", "x=n", "x", 1, "2*x"),
    ("d |x| / dx", "norm(x)", "x=n", "x", 1, "x/norm(x)"),
    ("130 d |x-a| / dx", "norm(x - a)", "x=n,a=n", "x", 1, "(x - a)/norm(x - a)"),
    ("d |X|_F^2 / dX", "norm(X)^2", "X=m*n", "X", 1, "2*X"),
    ("d |X|_F / dX", "norm(X)", "X=m*n", "X", 1, "X/norm(X)"),
    ("d |Ax - b|^2 / dx", "norm(A@x - b)^2", "A=m*n,x=n,b=m", "x", 1, "2*transpose(A)@(A@x - b)"),
    # elementwise and matrixcalculus.org's examples
    ("page: x'Ax + c sin(y)'x", "x@A@x + c*(sin(y)@x)", "x=n,A=n*n,y=n", "x", 1, "(A + transpose(A))@x + c*sin(y)"),
    ("page: 0.5 x'Ax Hessian", "0.5*(x@A@x)", "x=n,A=n*n", "x", 2, "0.5*(A + transpose(A))"),
    ("page: exp(x'Ax)", "exp(x@A@x)", "x=n,A=n*n", "x", 1, "exp(x@A@x)*(A + transpose(A))@x"),
    ("page: sin(x)'Ax", "sin(x)@A@x", "x=n,A=n*n", "x", 1, "cos(x)*(A@x) + transpose(A)@sin(x)"),
    ("Hessian of sum(exp(x))", "sum(exp(x))", "x=n", "x", 2, "diag(exp(x))"),
    ("Jacobian of exp(x)", "exp(x)", "x=n", "x", 1, "diag(exp(x))"),
    ("gradient of logsumexp", "logsumexp(x)", "x=n", "x", 1, "softmax(x)"),
    ("Hessian of logsumexp", "logsumexp(x)", "x=n", "x", 2, "diag(softmax(x)) - outer(softmax(x), softmax(x))"),
    ("Jacobian of softmax", "softmax(x)", "x=n", "x", 1, "diag(softmax(x)) - outer(softmax(x), softmax(x))"),
    ("Jacobian of tanh(Wx + b)", "tanh(W@x + b)", "W=n*k,x=k,b=n", "x", 1, "diag(1 - tanh(W@x + b)^2)@W"),
    # traces (section 2.5, eqs. 99-121): need trace
    ("100 d tr(X) / dX", "trace(X)", "X=n*n", "X", 1, "eye(n)"),
    ("101 d tr(XA) / dX", "trace(X@A)", "X=n*m,A=m*n", "X", 1, "transpose(A)"),
    ("102 d tr(AXB) / dX", "trace(A@X@B)", "A=k*n,X=n*m,B=m*k", "X", 1, "transpose(A)@transpose(B)"),
    ("103 d tr(AX'B) / dX", "trace(A@transpose(X)@B)", "A=k*m,X=n*m,B=n*k", "X", 1, "B@A"),
    ("104 d tr(X'A) / dX", "trace(transpose(X)@A)", "X=n*m,A=n*m", "X", 1, "A"),
    ("106 d tr(X^2) / dX", "trace(X@X)", "X=n*n", "X", 1, "2*transpose(X)"),
    ("108 d tr(X'X) / dX", "trace(transpose(X)@X)", "X=m*n", "X", 1, "2*X"),
    ("111 d tr(X'BX) / dX", "trace(transpose(X)@B@X)", "X=m*n,B=m*m", "X", 1, "B@X + transpose(B)@X"),
    ("112 d tr(XBX') / dX", "trace(X@B@transpose(X))", "X=m*n,B=n*n", "X", 1, "X@transpose(B) + X@B"),
    (
        "page: tr(AX'BXC)",
        "trace(A@transpose(X)@B@X@C)",
        "A=n*n,X=m*n,B=m*m,C=n*n",
        "X",
        1,
        "transpose(B)@X@transpose(A)@transpose(C) + B@X@C@A",
    ),
    # determinants (section 2.1.1, eqs. 49-57): need det, logdet, inv
    ("49 d det(X) / dX", "det(X)", "X=n*n", "X", 1, "det(X)*transpose(inv(X))"),
    ("51 d det(AXB) / dX", "det(A@X@B)", "A=n*n,X=n*n,B=n*n", "X", 1, "det(A@X@B)*transpose(inv(X))"),
    ("57 d log det(X) / dX", "log(det(X))", "X=n*n", "X", 1, "transpose(inv(X))"),
    ("57 d logdet(X) / dX", "logdet(X)", "X=n*n", "X", 1, "transpose(inv(X))"),
    ("page: log(det(inv(X)))", "log(det(inv(X)))", "X=n*n", "X", 1, "-transpose(inv(X))"),
    # inverses (section 2.2, eqs. 59-64): need inv
    ("61 d a'inv(X)b / dX", "a@inv(X)@b", "a=n,X=n*n,b=n", "X", 1, "-transpose(inv(X))@outer(a, b)@transpose(inv(X))"),
    ("63 d tr(A inv(X) B) / dX", "trace(A@inv(X)@B)", "A=n*n,X=n*n,B=n*n", "X", 1, "-transpose(inv(X)@B@A@inv(X))"),
    ("d b'solve(A, c) / dc", "b@solve(A, c)", "b=n,A=n*n,c=n", "c", 1, "solve(transpose(A), b)"),
    ("d tr(kron(A, B)) / dA", "trace(kron(A, B))", "A=n*n,B=m*m", "A", 1, "trace(B)*eye(n)"),
    ("d x'diag(a)x / dx", "x@diag(a)@x", "x=n,a=n", "x", 1, "2*a*x"),
    ("107 d tr(X^3) / dX", "trace(X@X@X)", "X=n*n", "X", 1, "3*transpose(X@X)"),
    ("d tr(inv(X)) / dX", "trace(inv(X))", "X=n*n", "X", 1, "-transpose(inv(X)@inv(X))"),
    ("d det(inv(X)) / dX", "det(inv(X))", "X=n*n", "X", 1, "-det(inv(X))*transpose(inv(X))"),
    ("d logdet(AX) / dX", "logdet(A@X)", "A=n*n,X=n*n", "X", 1, "transpose(inv(X))"),
    ("d tr(kron(A, B)) / dB", "trace(kron(A, B))", "A=n*n,B=m*m", "B", 1, "trace(A)*eye(m)"),
    ("d tr(X'X) / dX, matrix_power", "trace(matrix_power(X, 2))", "X=n*n", "X", 1, "2*transpose(X)"),
]

# the same identities spelled with the tensor vocabulary (einsum, tensordot, inner, dot,
# diagonal, transpose with axes): the reader sees issue 28's primitives and writes the Cookbook's form
PRIMITIVE_SPELLINGS = [
    ("einsum ij,ij-> (Frobenius product)", 'einsum("ij,ij->", A, X)', "A=m*n,X=m*n", "X", 1, "A"),
    ("einsum ii-> (trace)", 'einsum("ii->", A@X)', "A=n*n,X=n*n", "X", 1, "transpose(A)"),
    ("einsum i,ij,j-> (bilinear form)", 'einsum("i,ij,j->", a, X, b)', "a=m,X=m*n,b=n", "X", 1, "outer(a, b)"),
    (
        "einsum ij,j->i inside a norm",
        'norm(einsum("ij,j->i", A, x) - y)^2',
        "A=m*n,x=n,y=m",
        "x",
        1,
        "2*transpose(A)@(A@x - y)",
    ),
    ("tensordot (Frobenius product)", "tensordot(A, X)", "A=m*n,X=m*n", "X", 1, "A"),
    ("inner of a and Xb", "inner(a, X@b)", "a=m,X=m*n,b=n", "X", 1, "outer(a, b)"),
    ("dot of a and dot(X, b)", "dot(a, dot(X, b))", "a=m,X=m*n,b=n", "X", 1, "outer(a, b)"),
    ("sum(diagonal(X))", "sum(diagonal(X))", "X=n*n", "X", 1, "eye(n)"),
    ("sum(diag(X)*a)", "sum(diag(X)*a)", "X=n*n,a=n", "X", 1, "diag(a)"),
    ("trace of transpose with axes", "trace(transpose(X, axes=[1, 0])@A)", "X=n*n,A=n*n", "X", 1, "A"),
    ("outer inside a trace", "trace(outer(a, b)@X)", "a=n,b=n,X=n*n", "X", 1, "outer(b, a)"),
]

ML = [
    ("least squares", "sum((X@w - y)^2)", "X=m*n,w=n,y=m", "w", 1, "2*transpose(X)@(X@w - y)"),
    ("least squares, norm", "norm(X@w - y)^2", "X=m*n,w=n,y=m", "w", 1, "2*transpose(X)@(X@w - y)"),
    ("least squares Hessian", "sum((X@w - y)^2)", "X=m*n,w=n,y=m", "w", 2, "2*transpose(X)@X"),
    ("ridge", "sum((X@w - y)^2) + lam*(w@w)", "X=m*n,w=n,y=m", "w", 1, "2*transpose(X)@(X@w - y) + 2*lam*w"),
    ("ridge Hessian", "sum((X@w - y)^2) + lam*(w@w)", "X=m*n,w=n,y=m", "w", 2, "2*transpose(X)@X + 2*lam*eye(n)"),
    (
        "logistic regression",
        "sum(log(1 + exp(-y*(X@w))))",
        "X=m*n,w=n,y=m",
        "w",
        1,
        "-transpose(X)@(y*sigmoid(-y*(X@w)))",
    ),
    ("softmax cross-entropy by W", "logsumexp(W@x) - y@(W@x)", "W=k*n,x=n,y=k", "W", 1, "outer(softmax(W@x) - y, x)"),
    (
        "softmax cross-entropy by x",
        "logsumexp(W@x) - y@(W@x)",
        "W=k*n,x=n,y=k",
        "x",
        1,
        "transpose(W)@(softmax(W@x) - y)",
    ),
    (
        "two-layer network by W1",
        "sum((W2@tanh(W1@x) - y)^2)",
        "W1=h*n,x=n,W2=k*h,y=k",
        "W1",
        1,
        "outer((1 - tanh(W1@x)^2)*(2*transpose(W2)@(W2@tanh(W1@x) - y)), x)",
    ),
    (
        "Gaussian log-density by its mean",
        "-0.5*((x - mu)@P@(x - mu))",
        "x=n,mu=n,P=n*n",
        "mu",
        1,
        "0.5*(P + transpose(P))@(x - mu)",
    ),
    (
        "Gaussian log-density by its covariance",
        "-0.5*((x - mu)@inv(S)@(x - mu)) - 0.5*logdet(S)",
        "x=n,mu=n,S=n*n",
        "S",
        1,
        "0.5*transpose(inv(S))@outer(x - mu, x - mu)@transpose(inv(S)) - 0.5*transpose(inv(S))",
    ),
]


def test_the_language_has_the_vocabulary():
    assert all(name in FUNCTIONS for name in LINALG)


def point(shapes: str, rng) -> tuple[dict, dict]:
    """Random sizes (distinct, 2 to 6) for the symbols and random values for the names; a
    square matrix is shifted to be well conditioned (det, inv, log det are then defined)."""
    sizes = parse_shapes([shapes])
    numbers = dict(zip(sizes.number, rng.choice(np.arange(2, 7), size=len(sizes.number), replace=False).tolist()))
    values = {}
    for name, axes in sizes.declared.items():
        shape = tuple(numbers[a] if isinstance(a, str) else a for a in axes)
        v = rng.normal(size=shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            v = v + shape[0] * np.eye(shape[0])
        values[name] = v
    values.setdefault("c", np.array(rng.normal()))  # the scalars of the page's examples and of ridge
    values.setdefault("lam", np.array(abs(rng.normal())))
    return numbers, values


def at_text(values: dict) -> list[str]:
    return [f"{k}={np.asarray(v).tolist()!r}".replace(" ", "") for k, v in values.items()]


def evaluate_text(text: str, values: dict, numbers: dict) -> np.ndarray:
    """A printed formula parsed back and evaluated, its size symbols bound to their numbers."""
    for symbol, k in numbers.items():
        text = re.sub(rf"\beye\({symbol}\)", f"eye({k})", text)
    shapes = {k: np.shape(v) for k, v in values.items()}
    node = parse(text, shapes, graph=Graph()).output
    return np.asarray(to_numpy(Plan([node]).run(values)[0]), dtype=float)


def run_case(expr, shapes, wrt, order, cookbook, seed):
    symbolic = matrix_diff(Ask(expr, (shapes,), (), (wrt,), order)).data
    printed = symbolic["derivative"]
    rng = np.random.default_rng(seed)
    numbers, values = point(shapes, rng)
    used = {k: v for k, v in values.items() if re.search(rf"\b{k}\b", expr)}
    numeric = matrix_diff(Ask(expr, (shapes,), tuple(at_text(used)), (wrt,), order)).data
    reverse = np.asarray(numeric["check"]["reverse_mode"], dtype=float)
    assert numeric["check"]["agrees"], (printed, numeric["check"])
    mine = evaluate_text(printed, values, numbers)  # (a) parses back, (b) equals reverse mode
    np.testing.assert_allclose(np.broadcast_to(mine, reverse.shape), reverse, rtol=1e-9, atol=1e-9)
    theirs = evaluate_text(cookbook, values, numbers)  # the table's form is right too
    np.testing.assert_allclose(np.broadcast_to(theirs, reverse.shape), reverse, rtol=1e-9, atol=1e-9)
    assert len(printed) <= 1.5 * len(cookbook), (printed, cookbook)  # (c), in the same spelling
    return printed


@pytest.mark.parametrize("name,expr,shapes,wrt,order,cookbook", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_cookbook_identity(name, expr, shapes, wrt, order, cookbook, seed):
    run_case(expr, shapes, wrt, order, cookbook, seed)


@pytest.mark.parametrize(
    "name,expr,shapes,wrt,order,cookbook", PRIMITIVE_SPELLINGS, ids=[c[0] for c in PRIMITIVE_SPELLINGS]
)
def test_tensor_spellings_read_back_as_matrix_notation(name, expr, shapes, wrt, order, cookbook):
    assert run_case(expr, shapes, wrt, order, cookbook, 3) == cookbook


def test_det_gradient_is_the_cookbook_form_and_its_steps():
    d = matrix_diff(Ask("det(X)", ("X=n*n",), (), ("X",))).data
    assert d["derivative"] == "det(X)*transpose(inv(X))"
    assert d["latex"] == "\\det\\left(X\\right) X^{-\\top}"
    d = matrix_diff(Ask("log(det(X))", ("X=n*n",), (), ("X",))).data
    assert d["derivative"] == "transpose(inv(X))" and d["latex"] == "X^{-\\top}"
    d = matrix_diff(Ask("trace(A@X)", ("A=n*n,X=n*n",), (), ("X",))).data
    assert d["derivative"] == "transpose(A)" and d["latex"] == "A^{\\top}"


def test_a_tensor_primitive_with_no_matrix_form_is_refused_with_the_way_to_numbers():
    r = invoke("diff", "sum(cumsum(X@a))", "--wrt", "X", "--shape", "X=n*n,a=n")
    assert r.code == 2 and "no matrix form" in r.stderr and "--at" in r.stderr


@pytest.mark.parametrize("name,expr,shapes,wrt,order,cookbook", ML, ids=[c[0] for c in ML])
def test_ml_classics_print_in_matrix_notation(name, expr, shapes, wrt, order, cookbook):
    printed = run_case(expr, shapes, wrt, order, cookbook, 7)
    assert "[" not in printed or "transpose([" in printed  # no element-by-element answer


def test_there_are_forty_cookbook_identities():
    assert len({c[0].split(" ")[0] for c in CASES if c[0][0].isdigit()}) >= 15
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    "expr,shapes,wrt,order,expected",
    [
        ("x@A@x", "x=n,A=n*n", "x", 1, "(A + transpose(A))@x"),
        ("sum((X@w - y)^2)", "X=m*n,w=n,y=m", "w", 1, "2*transpose(X)@(X@w - y)"),
        ("norm(X@w - y)^2", "X=m*n,w=n,y=m", "w", 1, "2*transpose(X)@(X@w - y)"),
        ("sum((X@w - y)^2)", "X=m*n,w=n,y=m", "w", 2, "2*transpose(X)@X"),
        ("x@A@x", "x=n,A=n*n", "x", 2, "A + transpose(A)"),
        ("x@x", "x=n", "x", 2, "2*eye(n)"),
    ],
)
def test_exact_forms(expr, shapes, wrt, order, expected):
    assert matrix_diff(Ask(expr, (shapes,), (), (wrt,), order)).data["derivative"] == expected


def test_latex_uses_matrix_notation():
    d = matrix_diff(Ask("sum((X@w - y)^2)", ("X=m*n,w=n,y=m",), (), ("w",))).data
    assert d["latex"] == "2 X^{\\top} \\left(X w - y\\right)"
    h = matrix_diff(Ask("sum(exp(x))", ("x=n",), (), ("x",), 2)).data
    assert h["latex"] == "\\operatorname{diag}\\left(\\exp\\left(x\\right)\\right)"
    o = matrix_diff(Ask("a@X@b", ("a=m,X=m*n,b=n",), (), ("X",))).data
    assert o["latex"] == "a b^{\\top}" and o["shape"] == ["m", "n"]


def test_cli_text_latex_and_check():
    r = invoke("diff", "x@A@x", "--wrt", "x", "--shape", "x=n,A=n*n")
    assert r.code == 0 and r.stdout.strip() == "(A + transpose(A))@x"
    r = invoke("diff", "x@A@x", "--wrt", "x", "--shape", "x=n,A=n*n", "--latex")
    assert r.stdout.strip() == "\\left(A + A^{\\top}\\right) x"
    r = invoke("diff", "x@A@x", "--wrt", "x", "--at", "x=[1,2],A=[[1,2],[3,4]]", "--format", "json")
    d = r.json()
    assert d["value"] == [12.0, 21.0] and d["check"]["agrees"] and d["derivative"] == "(A + transpose(A))@x"


def test_symbolic_sizes_mismatch_names_both():
    r = invoke("diff", "X@x", "--wrt", "x", "--shape", "X=m*n,x=m")
    assert r.code == 2 and "(m, n) and (m,)" in r.stderr and "Traceback" not in r.stderr


def test_values_must_match_declared_sizes():
    r = invoke("diff", "x@A@x", "--wrt", "x", "--shape", "x=n,A=n*n", "--at", "x=[1,2],A=[[1,2,3],[3,4,5]]")
    assert r.code == 2 and "size n is 2" in r.stderr
    r = invoke("diff", "x@A@x", "--wrt", "x", "--shape", "x=n*n", "--at", "x=[1,2],A=[[1,2],[3,4]]")
    assert r.code == 2 and "declares 2 axes" in r.stderr


@pytest.mark.parametrize("bad", ["x", "x=", "x=n*n*n", "x=n-1", "x=n,x=m"])
def test_bad_shape_declarations(bad):
    r = invoke("diff", "x@x", "--wrt", "x", "--shape", bad)
    assert r.code == 2 and r.stderr.startswith("error: --shape") and "Traceback" not in r.stderr


def test_tensor_of_order_three_offers_numbers():
    r = invoke("diff", "A@x", "--wrt", "A", "--shape", "A=m*n,x=n")
    assert r.code == 2 and "no matrix form" in r.stderr and "--at" in r.stderr
    r = invoke("diff", "A@x", "--wrt", "A", "--at", "A=[[1,2],[3,4]],x=[1,1]")
    assert r.code == 0 and "no matrix form" in r.stderr


def test_steps_name_the_matrix_rules():
    r = invoke("diff", "x@A@x", "--wrt", "x", "--shape", "x=n,A=n*n", "--steps")
    assert r.code == 0 and "product rule for matrices" in r.stdout
    assert r.stdout.splitlines()[-1] == "(A + transpose(A))@x"
    r = invoke("diff", "sum(exp(A@x))", "--wrt", "x", "--shape", "x=n,A=n*n", "--steps", "--latex")
    assert "\\begin{align}" in r.stdout and "chain rule, elementwise" in r.stdout and "sum rule" in r.stdout
    r = invoke("diff", "log(det(X))", "--wrt", "X", "--shape", "X=n*n", "--steps")
    assert "chain rule through det" in r.stdout


def test_check_covers_matrix_variables():
    r = invoke("check", "x@A@x", "--at", "x=[1,2],A=[[1,2],[3,4]]", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["ok"] and d["symbolic"]["A"] == [[1.0, 2.0], [2.0, 4.0]]


def test_eye_parses_and_evaluates():
    r = invoke("eval", "eye(3)@[1,2,3]")
    assert r.code == 0 and r.stdout.split() == ["1", "2", "3"]
    r = invoke("eval", "eye(0)")
    assert r.code == 2 and "whole number" in r.stderr


def test_through_the_installed_command():
    import subprocess

    out = subprocess.run(
        ["diffcli", "diff", "sum((X@w - y)^2)", "--wrt", "w", "--shape", "X=m*n,w=n,y=m"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "2*transpose(X)@(X@w - y)"


def test_eval_binds_size_symbols_from_the_values():
    hessian = matrix_diff(Ask("sum((X@w - y)^2) + lam*(w@w)", ("X=m*n,w=n,y=m",), (), ("w",), 2)).data["derivative"]
    assert hessian == "2*transpose(X)@X + 2*lam*eye(n)"
    r = invoke("eval", hessian, "--shape", "X=m*n", "--at", "X=[[1,2],[3,4],[5,6]],lam=0.5", "--format", "json")
    assert r.code == 0, r.stderr
    X = np.array([[1, 2], [3, 4], [5, 6]])
    np.testing.assert_allclose(r.json()["value"], 2 * X.T @ X + np.eye(2))
    r = invoke("eval", "eye(n)", "--shape", "x=n", "--at", "y=[1,2]")
    assert r.code == 2 and "size n is not known" in r.stderr


def test_docs_console_examples_run_as_written(monkeypatch):
    """Every ```console block of docs/matrix-calculus.md: the output shown is the output."""
    import shlex
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    text = (root / "docs" / "matrix-calculus.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    for block in blocks:
        for command, shown in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            argv = shlex.split(command)
            assert argv[0] == "diffcli"
            r = invoke(*argv[1:])
            expected = shown
            if r.code:
                expected = expected.replace(f"[exit {r.code}]\n", "")
            assert (r.stdout + r.stderr) == expected, command


def test_det_at_a_singular_matrix_gives_the_cofactor_numbers_and_says_why():
    r = invoke("diff", "det(X)", "--wrt", "X", "--at", "X=[[1,2],[2,4]]", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["derivative"] == "det(X)*transpose(inv(X))" and "check" not in d
    np.testing.assert_allclose(d["value"], [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)  # the cofactor matrix
    assert "not defined at this point" in r.stderr and "cofactor" in r.stderr


def test_kron_parses_with_symbolic_sizes_without_the_element_limit():
    """kron of n*n and m*m is a four-axis value of (211*223)^2 elements at the stand-in sizes:
    never computed, so the limit does not apply; with real values it still does."""
    d = matrix_diff(Ask("trace(kron(A, B))", ("A=n*n,B=m*m",), (), ("A",))).data
    assert d["derivative"] == "trace(B)*eye(n)"
    from diffcli import limits
    from diffcli.errors import DiffcliError

    with pytest.raises(DiffcliError, match="per value"):
        limits.check_elements((211, 223, 211, 223))
    with limits.shapes_only():
        assert limits.check_elements((211, 223, 211, 223)) == (211, 223, 211, 223)

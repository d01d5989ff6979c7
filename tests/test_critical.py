"""`diffcli critical`: every critical point in the box, classified. Textbook problems (Stewart
14.7-style exercises, Himmelblau) with their known answers, checked against SymPy's exact
solutions of grad f = 0 (solve_poly_system: Groebner bases) where SymPy is installed, and
constrained problems by Lagrange multipliers (Stewart 14.8)."""

from __future__ import annotations

import math
import random
import subprocess

import numpy as np
import pytest

from conftest import invoke
from diffcli.work.exact import exact

S2 = math.sqrt(2) / 2

# (EXPR, --range, known points as (coordinates, classification)); None: SymPy's answer only
TEXTBOOK = [
    ("x^3 - 3*x*y + y^3", "x=-3:3,y=-3:3", [((0, 0), "saddle"), ((1, 1), "minimum")]),
    ("x^2 + y^2", "x=-3:3,y=-3:3", [((0, 0), "minimum")]),
    ("x^2 - y^2", "x=-3:3,y=-3:3", [((0, 0), "saddle")]),
    ("x^4 + y^4 - 4*x*y + 1", "x=-3:3,y=-3:3", [((-1, -1), "minimum"), ((0, 0), "saddle"), ((1, 1), "minimum")]),
    (
        "x*y - x^2*y - x*y^2",
        "x=-2:2,y=-2:2",
        [((0, 0), "saddle"), ((0, 1), "saddle"), ((1 / 3, 1 / 3), "maximum"), ((1, 0), "saddle")],
    ),
    ("x^2 + x*y + y^2 + y", "x=-3:3,y=-3:3", [((1 / 3, -2 / 3), "minimum")]),
    ("9 - 2*x + 4*y - x^2 - 4*y^2", "x=-3:3,y=-3:3", [((-1, 0.5), "maximum")]),
    ("x^3*y + 12*x^2 - 8*y", "x=-5:5,y=-5:5", [((2, -4), "saddle")]),
    ("x^2 + y^4 + 2*x*y", "x=-2:2,y=-2:2", [((-S2, S2), "minimum"), ((0, 0), "saddle"), ((S2, -S2), "minimum")]),
    ("x^3 - 12*x*y + 8*y^3", "x=-4:4,y=-4:4", [((0, 0), "saddle"), ((2, 1), "minimum")]),
    ("x^3 + y^3 - 3*x - 12*y + 20", "x=-3:3,y=-3:3", None),
    ("2*x^3 + x*y^2 + 5*x^2 + y^2", "x=-3:3,y=-3:3", None),
    ("y^3 + 3*x^2*y - 6*x^2 - 6*y^2 + 2", "x=-5:5,y=-5:5", None),
    ("x^4 - 2*x^2 + y^2", "x=-2:2,y=-2:2", [((-1, 0), "minimum"), ((0, 0), "saddle"), ((1, 0), "minimum")]),
    ("(x - 1)^2 + (y + 2)^2", "x=-4:4,y=-4:4", [((1, -2), "minimum")]),
    ("x*y", "x=-2:2,y=-2:2", [((0, 0), "saddle")]),
    ("x*y*(3 - x - y)", "x=-1:4,y=-1:4", None),
    ("x^2*y - 2*x*y + 2*y^2 - 15*y", "x=-6:8,y=-6:8", None),
    ("x^3 - 3*x + y^2", "x=-3:3,y=-3:3", [((-1, 0), "saddle"), ((1, 0), "minimum")]),
    ("x^4 + y^4 - 2*x^2 - 2*y^2", "x=-2:2,y=-2:2", None),
    ("3*x*y - x^3 - y^3", "x=-3:3,y=-3:3", None),
    ("x^3 - 6*x*y + 8*y^3", "x=-3:3,y=-3:3", None),
    ("x^2 + y^2 + x^2*y + 4", "x=-3:3,y=-3:3", None),
    ("x^4 + 4*x*y + y^4", "x=-3:3,y=-3:3", None),
    ("x^2 + y^2 + z^2 - x*y + x - 2*z", "x=-3:3,y=-3:3,z=-3:3", None),
    ("x^2 - y^2 + 2*z^2 + x*z", "x=-3:3,y=-3:3,z=-3:3", None),
    ("x^3 - 3*x", "x=-3:3", [((-1,), "maximum"), ((1,), "minimum")]),
]
NONPOLYNOMIAL = [
    (
        "x*y*exp(-(x^2 + y^2)/2)",
        "x=-3:3,y=-3:3",
        [((-1, -1), "maximum"), ((-1, 1), "minimum"), ((0, 0), "saddle"), ((1, -1), "minimum"), ((1, 1), "maximum")],
    ),
    (
        "sin(x) + sin(y)",
        "x=0.1:6.2,y=0.1:6.2",
        [
            ((math.pi / 2, math.pi / 2), "maximum"),
            ((math.pi / 2, 3 * math.pi / 2), "saddle"),
            ((3 * math.pi / 2, math.pi / 2), "saddle"),
            ((3 * math.pi / 2, 3 * math.pi / 2), "minimum"),
        ],
    ),
    ("x*y + 1/x + 1/y", "x=0.2:3,y=0.2:3", [((1, 1), "minimum")]),
    ("exp(x - x^2 - y^2)", "x=-2:2,y=-2:2", [((0.5, 0), "maximum")]),
    ("(x^2 + y^2)*exp(-x)", "x=-1:4,y=-2:2", [((0, 0), "minimum"), ((2, 0), "saddle")]),
]
HIMMELBLAU = [
    ((3.0, 2.0), "minimum"),
    ((-2.805118086952745, 3.131312518250573), "minimum"),
    ((-3.779310253377747, -3.283185991286170), "minimum"),
    ((3.584428340330492, -1.848126526964404), "minimum"),
    ((-0.270844590667, -0.923038556480), "maximum"),
    ((-3.073025750923, -0.081353044288), "saddle"),
    ((-0.127961346731, -1.953714980244), "saddle"),
    ((0.086677504555, 2.884254701175), "saddle"),
    ((3.385154183607, 0.073851879838), "saddle"),
]


def found(expr, box, *extra):
    r = invoke("critical", expr, "--range", box, "--format", "json", *extra)
    assert r.code == 0, r.stderr
    return r.json()


def same_points(points, expected, tol=1e-7):
    """The same points (each expected one matched to a found one within tol) and classifications."""
    got = [(np.array(list(p["at"].values())), p["classification"]) for p in points]
    want = [(np.array(x, dtype=float), c) for x, c in expected]
    assert len(got) == len(want), (got, want)
    for x, c in want:
        match = [k for k, (y, _) in enumerate(got) if np.max(np.abs(y - x)) <= tol]
        assert len(match) == 1, (x, got)
        assert got[match[0]][1] == c, (x, c, got[match[0]])
        got.pop(match[0])


def kind_of(eig: np.ndarray) -> str:
    """A critical point's kind from its Hessian's eigenvalues (the reference's own test)."""
    zero = 1e-9 * max(1, np.abs(eig).max())
    if (eig > zero).all():
        return "minimum"
    if (eig < -zero).all():
        return "maximum"
    return "saddle" if (eig > zero).any() and (eig < -zero).any() else "degenerate"


def sympy_points(expr: str, box: str):
    """Real critical points in the box by SymPy's Groebner-based solver, classified by the
    eigenvalues of the exact Hessian there."""
    sympy = pytest.importorskip("sympy")
    bounds = {}
    for part in box.split(","):
        name, interval = part.split("=")
        bounds[name] = tuple(map(float, interval.split(":")))
    names = list(bounds)
    symbols = sympy.symbols(names)
    f = sympy.sympify(expr.replace("^", "**"), locals=dict(zip(names, symbols)))
    grad = [sympy.diff(f, s) for s in symbols]
    hessian = sympy.hessian(f, symbols)
    out = []
    for solution in sympy.solve_poly_system(grad, *symbols) or []:
        values = [complex(sympy.N(v, 30)) for v in solution]
        if any(abs(v.imag) > 1e-12 for v in values):
            continue
        x = [v.real for v in values]
        if not all(bounds[n][0] <= v <= bounds[n][1] for n, v in zip(names, x)):
            continue
        h = np.array(hessian.subs(dict(zip(symbols, solution))).evalf(30).tolist(), dtype=complex).real
        out.append((tuple(x), kind_of(np.linalg.eigvalsh(h))))
    return out


@pytest.mark.parametrize("expr, box, known", TEXTBOOK)
def test_textbook_problems(expr, box, known):
    points = found(expr, box)["points"]
    if known is not None:
        same_points(points, known)
    same_points(points, sympy_points(expr, box))


@pytest.mark.parametrize("expr, box, known", NONPOLYNOMIAL)
def test_textbook_problems_beyond_polynomials(expr, box, known):
    same_points(found(expr, box)["points"], known)


def test_himmelblau_all_nine():
    d = found("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x=-5:5,y=-5:5")
    same_points(d["points"], HIMMELBLAU, tol=1e-9)
    kinds = [p["classification"] for p in d["points"]]
    assert (kinds.count("minimum"), kinds.count("maximum"), kinds.count("saddle")) == (4, 1, 4)


def test_exact_coordinates_and_values():
    d = found("x^2 + y^4 + 2*x*y", "x=-2:2,y=-2:2")
    exacts = sorted((p["exact"]["x"], p["exact"]["y"], p["value_exact"]) for p in d["points"])
    assert exacts == [("-sqrt(2)/2", "sqrt(2)/2", "-1/4"), ("0", "0", "0"), ("sqrt(2)/2", "-sqrt(2)/2", "-1/4")]
    d = found("x*y - x^2*y - x*y^2", "x=-2:2,y=-2:2")
    assert {(p["exact"]["x"], p["exact"]["y"]) for p in d["points"]} == {
        ("0", "0"),
        ("0", "1"),
        ("1", "0"),
        ("1/3", "1/3"),
    }


@pytest.mark.parametrize(
    "value, text",
    [(0.5, "1/2"), (-2.0, "-2"), (math.sqrt(3) / 3, "sqrt(3)/3"), (3 * math.sqrt(5), "3*sqrt(5)"), (math.pi, None)],
)
def test_exact_forms(value, text):
    assert exact(value) == text


def test_lagrange_multipliers_on_the_circle():
    d = found("x*y", "x=-2:2,y=-2:2", "--subject-to", "x^2 + y^2 = 1")
    same_points(d["points"], [((a, b), "maximum" if a * b > 0 else "minimum") for a in (-S2, S2) for b in (-S2, S2)])
    for p in d["points"]:
        assert p["value"] == pytest.approx(0.5 if p["classification"] == "maximum" else -0.5)
        # the bordered Hessian's determinant: positive at a constrained maximum (n = 2, m = 1)
        assert (p["bordered_determinant"] > 0) == (p["classification"] == "maximum")


@pytest.mark.parametrize(
    "expr, box, constraints, expected",
    [
        (
            "x^2 + 2*y^2",
            "x=-2:2,y=-2:2",
            ["x^2 + y^2 = 1"],
            [((-1, 0), "minimum"), ((0, -1), "maximum"), ((0, 1), "maximum"), ((1, 0), "minimum")],
        ),
        ("x + y", "x=-2:2,y=-2:2", ["x^2 + y^2 = 1"], [((-S2, -S2), "minimum"), ((S2, S2), "maximum")]),
        ("x^2 + y^2", "x=-2:2,y=-2:2", ["x + y = 1"], [((0.5, 0.5), "minimum")]),
        ("x*y*z", "x=0.1:3,y=0.1:3,z=0.1:3", ["x + y + z = 3"], [((1, 1, 1), "maximum")]),
    ],
)
def test_constrained_textbook_problems(expr, box, constraints, expected):
    extra = [a for c in constraints for a in ("--subject-to", c)]
    same_points(found(expr, box, *extra)["points"], expected)


def test_two_constraints_stewart_example():
    """Stewart 14.8 example 5: x + 2y + 3z on the plane x - y + z = 1 and the cylinder
    x^2 + y^2 = 1: maximum 3 + sqrt(29), and the minimum 3 - sqrt(29)."""
    d = found("x + 2*y + 3*z", "x=-2:2,y=-2:2,z=-6:6", "--subject-to", "x - y + z = 1", "--subject-to", "x^2 + y^2 = 1")
    values = sorted((p["value"], p["classification"]) for p in d["points"])
    assert values[0][0] == pytest.approx(3 - math.sqrt(29)) and values[0][1] == "minimum"
    assert values[-1][0] == pytest.approx(3 + math.sqrt(29)) and values[-1][1] == "maximum"


def test_degenerate_point_warns():
    r = invoke("critical", "x^4 + y^4", "--range", "x=-1:1,y=-1:1", "--format", "json")
    assert r.code == 0 and "inconclusive" in r.stderr
    assert [p["classification"] for p in r.json()["points"]] == ["degenerate"]


def test_no_critical_points():
    d = found("exp(x)*cos(y)", "x=-2:2,y=0.1:3")
    assert d["points"] == []


def random_polynomial(rng: random.Random) -> str:
    terms = []
    for i in range(5):
        for j in range(5 - i):
            if i + j and rng.random() < 0.45:
                terms.append(f"({rng.randint(-4, 4)})*x^{i}*y^{j}")
    terms.append("x^4 + y^4")  # bounded below: the critical points are isolated and in the box
    return " + ".join(terms)


def groebner_points(expr: str, bound: float):
    """Real critical points of a polynomial in x, y with |x|, |y| <= bound: a lex Groebner
    basis of the gradient, the real roots of its univariate last element (in y), then for each
    the real roots in x of the basis' first element there, kept where the gradient vanishes."""
    sympy = pytest.importorskip("sympy")
    x, y = sympy.symbols("x y")
    f = sympy.sympify(expr.replace("^", "**"), locals={"x": x, "y": y})
    grad = [sympy.diff(f, x), sympy.diff(f, y)]
    basis = sympy.groebner(grad, x, y, order="lex")
    assert basis.is_zero_dimensional
    last = sympy.Poly(basis.exprs[-1], y)
    gx, gy = (sympy.lambdify((x, y), g) for g in grad)
    hessian = sympy.lambdify((x, y), sympy.hessian(f, (x, y)))
    points = []
    for ry in np.roots([float(c) for c in last.all_coeffs()]):
        if abs(ry.imag) > 1e-7 or abs(ry.real) > bound:
            continue
        for first in basis.exprs[:-1]:
            px = sympy.Poly(first.subs(y, ry.real), x)
            if px.degree() >= 1:
                break
        for rx in np.roots([float(c) for c in px.all_coeffs()]):
            if abs(rx.imag) > 1e-7 or abs(rx.real) > bound:
                continue
            p = (rx.real, ry.real)
            if abs(gx(*p)) + abs(gy(*p)) > 1e-6 or any(np.max(np.abs(np.subtract(p, q[0]))) < 1e-6 for q in points):
                continue
            points.append((p, kind_of(np.linalg.eigvalsh(np.array(hessian(*p), dtype=float)))))
    return points


@pytest.mark.parametrize("seed", range(16))
def test_random_polynomials_against_groebner(seed):
    expr = random_polynomial(random.Random(seed))
    expected = groebner_points(expr, 4)
    if any(kind == "degenerate" for _, kind in expected):
        pytest.skip("a degenerate point: not isolated enough to compare")
    d = found(expr, "x=-4:4,y=-4:4", "--starts", "1024")
    same_points(d["points"], expected, tol=1e-5)


@pytest.mark.parametrize(
    "args",
    [
        ["x*y", "--range", "x=-1:1"],
        ["x*y", "--range", "x=1:-1,y=0:1"],
        ["x*y", "--range", "x=-1:1,y=0:1", "--subject-to", "x + y"],
        ["[x, y]", "--range", "x=-1:1,y=0:1"],
    ],
)
def test_bad_input_is_exit_2(args):
    r = invoke("critical", *args)
    assert r.code == 2 and r.stderr.startswith("error: ")


def test_formats_and_installed_command():
    r = invoke("critical", "x^3 - 3*x*y + y^3", "--range", "x=-3:3,y=-3:3", "--format", "plain")
    assert r.stdout.splitlines() == ["0 0 0 saddle", "1 1 -1 minimum"]
    r = invoke("critical", "x^3 - 3*x*y + y^3", "--range", "x=-3:3,y=-3:3", "--format", "csv")
    assert r.stdout.splitlines()[0] == "x,y,value,classification,x_exact,y_exact,starts"
    p = subprocess.run(
        ["diffcli", "critical", "x^3 - 3*x*y + y^3", "--range", "x=-3:3,y=-3:3", "--format", "rich"],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0 and "saddle" in p.stdout and "minimum" in p.stdout

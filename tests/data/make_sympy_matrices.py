"""Generate tests/data/sympy_matrices.json once with SymPy: random expressions in x and y with
their gradient, Hessian, Hessian determinant, and a random 2-vector's Jacobian and its
determinant, as SymPy writes them (converted to diffcli's syntax). tests/test_formulas.py checks
diffcli's formulas against them numerically (never textually). Run from the repository root:
`python tests/data/make_sympy_matrices.py` (needs sympy)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import sympy

COUNT = 110
UNARY = ["sin({})", "cos({})", "exp({})", "log(1 + ({})^2)", "sqrt(1 + ({})^2)", "atan({})", "tanh({})", "({})^2"]
BINARY = ["({}) + ({})", "({}) - ({})", "({})*({})", "({})/(2 + ({})^2)", "({})^3*({})"]
LEAVES = ["x", "y", "x", "y", "2", "3*x", "x*y"]


def expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(LEAVES)
    if rng.random() < 0.5:
        return rng.choice(UNARY).format(expression(rng, depth - 1))
    return rng.choice(BINARY).format(expression(rng, depth - 1), expression(rng, depth - 1))


def text(e) -> str:
    return str(e).replace("**", "^")


def main() -> None:
    rng = random.Random(25)
    x, y = sympy.symbols("x y")
    names = {"x": x, "y": y}
    cases = []
    while len(cases) < COUNT:
        source = expression(rng, 3)
        f = sympy.sympify(source.replace("^", "**"), locals=names)
        if not f.free_symbols >= {x, y}:
            continue
        g = [sympy.diff(f, v) for v in (x, y)]
        h = sympy.hessian(f, (x, y))
        second = expression(rng, 2)
        v = sympy.Matrix([f, sympy.sympify(second.replace("^", "**"), locals=names)])
        j = v.jacobian([x, y])
        cases.append(
            {
                "expr": source,
                "second": second,
                "grad": [text(e) for e in g],
                "hessian": [text(e) for e in h],
                "hessian_det": text(h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]),
                "jacobian": [text(e) for e in j],
                "jacobian_det": text(j[0, 0] * j[1, 1] - j[0, 1] * j[1, 0]),
            }
        )
    Path(__file__).with_name("sympy_matrices.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""How long are diffcli's printed derivatives next to SymPy's? `python bench/sympy_compare.py`.

A corpus of derivatives (see `corpus()`): a calculus textbook's derivative table (every
elementary function to orders 1-6, constant multiples, sums, products, quotients, the chain
rule), random expressions (seeded) and high-order products such as
2*y*x*sin(x)*cos(x)*log(x)*exp(x) to order 6. For each, the printed length of `diffcli diff`
(the library call behind it, `symbolic.diff`; blanks removed, a
line break counted as one character) against SymPy's `diff` of the same expression (`str`,
`**` read as `^`, blanks removed). Prints the distribution of the ratio diffcli / SymPy, the
totals, and the cases where diffcli is longest; `--json FILE` writes every case.

The goal (issue 16): at least 90% of the cases no longer than SymPy's, none over 1.5x, the
summed length at most SymPy's. Then the no-swell case SymPy does not have: the derivative of
the depth-20 composition f_(k+1) = sin(f_k)*f_k + y*f_k, printed by diffcli in linear size;
SymPy gets `--sympy-seconds` (default 60) to do the same in a child process.

Needs SymPy: `pip install '.[bench]'`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffcli.compute import problem
from diffcli.core.graph import topological  # noqa: E402
from diffcli.symbolic import diff as symbolic  # noqa: E402

FUNCTIONS = [
    "sin(x)",
    "cos(x)",
    "tan(x)",
    "asin(x)",
    "acos(x)",
    "atan(x)",
    "sinh(x)",
    "cosh(x)",
    "tanh(x)",
    "exp(x)",
    "log(x)",
    "sqrt(x)",
    "x^7",
    "x^-3",
    "x^(1/3)",
    "x^2.5",
    "1/x",
    "2^x",
    "log(x, 10)",
    "x*exp(x)",
    "x*log(x)",
    "exp(-x^2)",
    "1/(1 + x^2)",
    "x/(1 + x)",
    "x^x",  # variable powers: the guard issue 25 took out of the printed formula
    "x^sin(x)",
    "x^(1/x)",
    "(1 + x)^x",
]
INNER = ["3*x", "x^2", "x^2 + 1", "2*x - 1", "sin(x)", "exp(x)", "sqrt(x)", "1/x"]
OUTER = [
    "sin({})",
    "cos({})",
    "tan({})",
    "exp({})",
    "log({})",
    "sqrt({})",
    "atan({})",
    "({})^5",
    "1/({})",
    "tanh({})",
    "asin({})",
]
FACTORS = ["x^2", "sin(x)", "cos(x)", "exp(x)", "log(x)", "sqrt(x)", "x^3 + 1", "tan(x)", "atan(x)", "1/x"]
MIXED = [
    "tan(x)*exp(sin(x))/(1 + x^2)",
    "exp(x)/(1 + x^2)",
    "sin(x)/x",
    "x*exp(-x^2)",
    "log(x)/x",
    "sqrt(1 + x^2)",
    "atan(x)/x",
    "exp(sin(x))",
]
HIGH = [
    "2*y*x*sin(x)*cos(x)*log(x)*exp(x)",
    "x^2*exp(x)*sin(x)",
    "x*sin(x)*cos(x)",
    "exp(x)*sin(x)*cos(x)",
    "x^3*log(x)*exp(-x)",
    "sin(x)*cos(x)*tan(x)",
    "x*exp(2*x)*sin(3*x)",
    "log(x)^2*sqrt(x)",
]


def corpus() -> list[tuple[str, int]]:
    """(expression in x (and y), order): about 530 derivatives."""
    cases = [(f, k) for f in FUNCTIONS for k in range(1, 7)]  # the table, orders 1-6
    cases += [
        ("3*sin(x) - 2*cos(x)", 1),
        ("5*x^4 - 3*x^2 + 7*x - 2", 1),
        ("x^3/3 + x^2/2 + x", 2),
        ("4*exp(x) + log(x)/2", 2),
        ("(x + 1)*(x + 2)", 1),
        ("(x + 1)^2*(x - 1)", 2),
    ]
    cases += [(o.format(i), k) for o in OUTER for i in INNER for k in (1, 2)]  # chain rule
    pairs = [(a, b) for i, a in enumerate(FACTORS) for b in FACTORS[i + 1 :]]
    cases += [(f"{a}*{b}", k) for a, b in pairs[::2] for k in (1, 3)]  # products
    cases += [(f"({a})/({b})", k) for a, b in pairs[1::3] for k in (1, 2)]  # quotients
    cases += [(h, k) for h in HIGH for k in range(1, 7)]  # high-order products
    cases += [(h, k) for h in MIXED for k in range(1, 6)]  # high orders of quotients and compositions
    rng = random.Random(16)
    cases += [(random_expression(rng, 4), rng.randint(1, 3)) for _ in range(40)]
    return cases


def random_expression(rng: random.Random, size: int) -> str:
    if size <= 1:
        return rng.choice(["x", "x", "y", "2", "3", "x"])
    if rng.random() < 0.4:
        form = rng.choice(
            [
                "sin({})",
                "cos({})",
                "exp({})",
                "log(1 + ({})^2)",
                "sqrt(2 + ({})^2)",
                "atan({})",
                "({})^2",
                "({})^3",
                "-({})",
            ]
        )
        return form.format(random_expression(rng, size - 1))
    left = rng.randint(1, size - 1)
    op = rng.choice(["+", "-", "*", "*", "/"])
    a, b = random_expression(rng, left), random_expression(rng, size - left)
    return f"({a}) {op} (1 + ({b})^2)" if op == "/" else f"({a}) {op} ({b})"


def diffcli_text(expr: str, order: int) -> str:
    """What `diffcli diff EXPR --wrt x --order N` prints."""
    return symbolic.diff(problem.load(expr, free=True), order, ["x"], kinks=False).data["derivative"]


def sympy_text(expr: str, order: int) -> str:
    import sympy

    x, y = sympy.symbols("x y")
    f = sympy.sympify(
        expr.replace("^", "**"),
        locals={"x": x, "y": y, "log": lambda a, b=None: sympy.log(a, b) if b is not None else sympy.log(a)},
    )
    return str(sympy.diff(f, x, order))


def length(text: str, sympy: bool = False) -> int:
    """Printed length with blanks removed; a statement's line break counts as one character."""
    if sympy:
        text = text.replace("**", "^")
    return len(text.replace(" ", ""))


def compare(cases) -> list[dict]:
    rows = []
    for expr, order in cases:
        ours = diffcli_text(expr, order)
        theirs = sympy_text(expr, order)
        a, b = length(ours), length(theirs, sympy=True)
        rows.append(
            {
                "expr": expr,
                "order": order,
                "diffcli": ours,
                "sympy": theirs.replace("**", "^"),
                "diffcli_length": a,
                "sympy_length": b,
                "ratio": a / b if b else (1.0 if a == b else float("inf")),
            }
        )
    return rows


def distribution(rows: list[dict]) -> str:
    ratios = sorted(r["ratio"] for r in rows)
    n = len(rows)
    ours, theirs = sum(r["diffcli_length"] for r in rows), sum(r["sympy_length"] for r in rows)
    bins = [
        ("<= 0.5x", 0, 0.5),
        ("0.5x-0.9x", 0.5, 0.9),
        ("0.9x-1x", 0.9, 1.0),
        ("1x-1.2x", 1.0, 1.2),
        ("1.2x-1.5x", 1.2, 1.5),
        ("> 1.5x", 1.5, float("inf")),
    ]
    lines = [
        f"cases: {n}",
        f"no longer than SymPy: {sum(r <= 1 for r in ratios)} ({100 * sum(r <= 1 for r in ratios) / n:.1f}%)",
        f"shorter than SymPy: {sum(r < 1 for r in ratios)}; equal: {sum(r == 1 for r in ratios)}",
        f"median ratio: {ratios[n // 2]:.3f}; largest: {ratios[-1]:.3f}",
        f"summed length: diffcli {ours}, SymPy {theirs} (ratio {ours / theirs:.3f})",
        "ratio diffcli/SymPy:",
    ]
    for label, low, high in bins:
        count = sum(1 for r in ratios if (low < r <= high) or (low == 0 and r <= high))
        lines.append(f"  {label:>10}: {count:4d} {'#' * round(60 * count / n)}")
    return "\n".join(lines)


def composition_text(depth: int) -> str:
    return "\n".join(["f0 = x"] + [f"f{k + 1} = sin(f{k})*f{k} + y*f{k}" for k in range(depth)])


def sympy_composition(depth: int, out) -> None:
    import sympy

    x, y = sympy.symbols("x y")
    f = x
    for _ in range(depth):
        f = sympy.sin(f) * f + y * f
    out.put(len(str(sympy.diff(f, x))))


def no_swell(depth: int, seconds: float) -> str:
    loaded = problem.load(composition_text(depth), free=True)
    start = time.perf_counter()
    text = symbolic.diff(loaded, 1, ["x"], kinks=False).data["derivative"]
    took = time.perf_counter() - start
    nodes = len(topological([loaded.output]))
    line = (
        f"depth-{depth} composition: diffcli prints d/dx in {length(text)} characters "
        f"({len(text.splitlines())} lines) for a function of {nodes} nodes, in {took:.2f} s; "
    )
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=sympy_composition, args=(depth, queue))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.terminate()
        child.join()
        return line + f"SymPy's diff did not finish in {seconds:g} s"
    return line + f"SymPy's str(diff) has {queue.get()} characters"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every case (both texts, lengths, ratio) to this file")
    parser.add_argument("--worst", type=int, default=10, help="list this many cases where diffcli is longest")
    parser.add_argument("--sympy-seconds", type=float, default=60.0, help="SymPy's time for the no-swell case")
    parser.add_argument("--depth", type=int, default=20, help="depth of the no-swell composition")
    args = parser.parse_args(argv)
    rows = compare(corpus())
    print(distribution(rows))
    print("\nlongest against SymPy (ratio, diffcli length / SymPy length):")
    for r in sorted(rows, key=lambda r: -r["ratio"])[: args.worst]:
        print(
            f"  {r['ratio']:.2f}  {r['diffcli_length']}/{r['sympy_length']}  d^{r['order']}/dx^{r['order']} {r['expr']}"
        )
    print()
    print(no_swell(args.depth, args.sympy_seconds))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

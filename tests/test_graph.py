"""The graph (core/graph.py), and issue 18's cheap nodes: what makes construction cheap must not
change what is built. The simplifier's memo answers with the node the rules gave, const keys and
exact values stay exact, the topological order is the plain recursive depth-first one, and the
backward loop's shortcuts give the values' gradient. (The parser's shortcuts: test_parse.py.)"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from diffcli.core import autodiff
from diffcli.core.graph import Graph, exact, topological
from diffcli.core.ops import simplify
from diffcli.syntax.parse import parse
from helpers import evaluate


def test_a_simplified_node_is_built_once(monkeypatch):
    g = Graph()
    x, y = g.var("x"), g.var("y")
    first = 3 * x + 2 * x  # collected: 5*x
    calls = []
    original = simplify.linear_terms
    monkeypatch.setattr(simplify, "linear_terms", lambda n: calls.append(n) or original(n))
    again = 3 * x + 2 * x
    assert again is first and first.op == "mul" and exact(first.args[0]) == 5
    assert calls == []  # answered from the memo, the rules not run again
    other = 3 * y + 2 * y
    assert other.op == "mul" and calls  # a new construction still runs them


def test_const_keys_and_exact_values():
    g = Graph()
    assert g.const(3) is g.const(3.0) is g.const(Fraction(3))
    assert g.const(0.0) is not g.const(-0.0)
    assert math.isnan(g.const(math.nan).value) and g.const(math.nan) is g.const(math.nan)
    big = g.const(2**60 + 1)  # an int past 2^53 keeps its exact value
    assert exact(big) == 2**60 + 1 and big is not g.const(float(2**60))
    tenth = g.const(Fraction(1, 10))
    assert exact(tenth) == Fraction(1, 10) and tenth.value == 0.1 and tenth is not g.const(0.1)
    half = g.const(Fraction(1, 2))  # exactly a float: the same node as 0.5
    assert half is g.const(0.5) and exact(half) == Fraction(1, 2)
    assert exact(g.const(math.inf)) is None


def test_coefficients_stay_exact():
    g = Graph()
    x = g.var("x")
    assert exact((6 * x / 4).args[0]) == Fraction(3, 2)
    assert exact(((2 * x) * (3 * x)).args[0]) == 6
    total = g.const(Fraction(23, 10)) * x + g.const(Fraction(7, 10)) * x
    assert total.op == "mul" and exact(total.args[0]) == 3  # 2.3x + 0.7x, exactly


def _recursive(outputs):
    order, seen = [], set()

    def visit(n):
        if id(n) in seen:
            return
        seen.add(id(n))
        for a in n.args:
            visit(a)
        order.append(n)

    for n in outputs:
        visit(n)
    return order


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 40))
def test_topological_is_the_recursive_order(seed, size):
    rng = random.Random(seed)
    g = Graph()
    nodes = [g.var(f"v{i}") for i in range(3)]
    for _ in range(size):
        op = rng.choice(["add", "mul", "sub", "neg", "sin"])
        args = (rng.choice(nodes),) if op in ("neg", "sin") else (rng.choice(nodes), rng.choice(nodes))
        nodes.append(g.node(op, args))
    outputs = rng.sample(nodes, 3)
    assert topological(outputs) == _recursive(outputs)


def test_a_long_sum_of_products_differentiates_to_the_same_gradient():
    """The backward loop's shortcuts (no mask, no shape fitting) against the values."""
    n = 30
    text = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))
    p = parse(text, {f"x{i}": () for i in range(1, n + 1)})
    xs = [p.graph.var(f"x{i}") for i in range(1, n + 1)]
    grads = autodiff.gradient(p.output, xs)
    point = [0.5 + 0.01 * i for i in range(1, n + 1)]
    env = {f"x{i}": v for i, v in enumerate(point, 1)}
    got = [float(v) for v in evaluate(grads, env)]
    x = point
    want = [0.0] * n
    for i in range(n - 1):
        d = x[i + 1] - x[i] ** 2
        want[i] += -400 * x[i] * d - 2 * (1 - x[i])
        want[i + 1] += 200 * d
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(got, want))

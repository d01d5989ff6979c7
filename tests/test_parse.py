"""The parser (syntax/parse.py): its shortcuts (unit reductions, numbers built once) build the
nodes of the long way. The LALR runtime against Lark: test_lalr.py; parse errors that teach:
test_teaching.py; the grammar on random text: test_fuzz.py."""

from __future__ import annotations

from fractions import Fraction

from diffcli.core.graph import Graph, exact
from diffcli.syntax.parse import parse


def test_parser_shortcuts_build_the_same_nodes():
    text = "100*(x2 - x1^2)^2 + (1 - x1)^2 + 2.3*x1 + 2.3*x2 - -+x2 + ((x1))"
    p = parse(text, {"x1": (), "x2": ()})
    consts = [n for n in p.graph.table.values() if n.op == "const"]
    assert sorted(n.value for n in consts) == [1.0, 2.0, 2.3, 100.0]  # each number once
    assert exact(next(n for n in consts if n.value == 2.3)) == Fraction(23, 10)
    g = Graph()
    x1, x2 = g.var("x1"), g.var("x2")
    n = g.node
    c = g.const
    a = n("mul", (c(100), n("pow", (n("sub", (x2, n("pow", (x1, c(2))))), c(2)))))
    b = n("pow", (n("sub", (c(1), x1)), c(2)))
    total = n("add", (n("add", (a, b)), n("mul", (c(Fraction(23, 10)), x1))))
    total = n("add", (total, n("mul", (c(Fraction(23, 10)), x2))))
    by_hand = n("add", (n("sub", (total, n("neg", (x2,)))), x1))
    assert _shape(p.output) == _shape(by_hand)


def _shape(n):
    """A node's structure as nested tuples (names and values, not identities)."""
    if n.op in ("var", "const"):
        return (n.op, n.payload)
    return (n.op, n.payload, tuple(_shape(a) for a in n.args))

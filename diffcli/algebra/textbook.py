"""Derivatives as a textbook writes them: `textbook(node)` is a node of a print graph that the
text and LaTeX printers write, the shortest of a few canonical ways to write each node.

Every scalar node gets its canonical form (render/canonical.py: collected sums, products of
powers, exact rational numbers). It can then be written several ways, and the shortest text
wins: term by term; with the common factor taken out (`2*y*exp(x)*(...)`, `(x + 1)/x^2`, a
common denominator); multiplied out (`x*(x + 1)` as `x^2 + x`); with a denominator multiplied
out (`1/((1 + x)*(1 - x))` as `1/(1 - x^2)`); or as the node's own operation over its
arguments' best forms. Negative powers are written as quotients (`-6/x^4`), a coefficient as
a decimal or a fraction, whichever is shorter (`2.99*x^0.3`, `x/2`). Chosen bottom-up, once
per node, so a DAG stays a DAG: shared pieces stay shared, and the printer names them
(`t1 = ...`) where that shortens the text.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

from diffcli.algebra import poly as algebra
from diffcli.algebra.canonical import ALGEBRA, LIMIT, OverBudget
from diffcli.algebra.form_derivative import FormDerivative
from diffcli.algebra.poly import ONE, Poly
from diffcli.algebra.terms import Terms
from diffcli.algebra.text import to_text
from diffcli.core.graph import Node, topological

DEPTH = 2  # how deep the ways of writing a sum nest (a factor taken out, terms collected, within)
COLLECT = 24  # most terms of a sum whose terms are tried in groups
GROUPINGS = 4  # atoms tried for grouping terms (those in most terms)
EFFORT = 20_000  # terms looked at in all; past that, each sum is only written out or factored
# The printer's budget (Forms.spend counts terms handled): a base plus so much per node of the
# DAGs printed. The golden records' largest formula spends 400,000 (876 nodes); the 6th derivative
# of tan(x)*exp(sin(x))/(1 + x^2) 1,040,000 (about 4 s); past the budget the canonical forms
# stop and the DAG as built is printed, its shared pieces named.
BUDGET_BASE, BUDGET_PER_NODE = 1_500_000, 20
FORM_ORDERS = 12  # most orders taken of the function's form (render/form_derivative.py)


def textbook(root: Node, function: Node | None = None, wrt: tuple = (), unguarded: bool = False) -> Node:
    """`root` in textbook form, as a node of a print graph of its own (for to_text, to_latex).
    Given the `function` that `root` is the derivative of (by the names `wrt`, in order), the
    shorter of root's form and the derivative of the function's form (render/form_derivative.py);
    `unguarded`: that form is taken without the rules' guards (algebra/guards.py), as `root` is.
    Within a budget proportional to the DAGs (BUDGET_*); past it, the DAG as built."""
    nodes = topological([root])
    names = {n.name for n in nodes if n.op == "var"}
    printer = Printer(names, root.graph.decimals or (function is not None and function.graph.decimals))
    sized = len(nodes) + (len(topological([function])) if function is not None else 0)
    printer.forms.budget = BUDGET_BASE + BUDGET_PER_NODE * sized
    best = None
    try:
        best = printer.run(root)
        if function is not None and 0 < len(wrt) <= FORM_ORDERS:
            other = printer.forward(function, wrt, unguarded)
            if other is not None:
                best = printer.shortest([best, other])
    except OverBudget:  # the canonical forms would cost more than the formula is worth: the DAG as built
        pass
    # The DAG as built, its shared pieces named, can still be shorter (a deep composition
    # whose every level is used twice): the whole text decides, statements included.
    raw = printer.raw(root)
    if best is None:
        return raw
    return min((best, raw), key=lambda n: len(to_text(n).replace(" ", "")))


class Printer(Terms):
    def __init__(self, taken: set, decimals: bool = False):
        super().__init__(taken, decimals)
        self.best: dict[int, Node] = {}
        self.spent = 0

    def run(self, root: Node) -> Node:
        """Forms for every node, children first; the printed form only where it is asked for
        (the root, arguments of calls, operands of nodes kept whole), children first too."""
        self.nodes = {}
        for n in topological([root]):
            self.nodes[id(n)] = n
            if n.shape == ():
                self.forms.settle(n)
        return self.printed(root)

    def settle(self, root: Node) -> Poly:
        """The form of a node built after `run` (a derivative rule's partial), settling what is new."""
        for n in topological([root], stop=lambda m: id(m) in self.forms.form):
            if id(n) not in self.forms.form and n.shape == ():
                self.nodes[id(n)] = n
                self.forms.settle(n)
        return self.forms.of(root)

    def forward(self, f: Node, wrt: tuple, unguarded: bool = False) -> Node | None:
        """The derivative of f's form by the names in `wrt`, printed; None where there is none."""
        self.settle(f)
        p = self.forms.of(f)
        for name in wrt:
            derived = FormDerivative(self.forms, self.settle, name, unguarded).poly(p)
            if derived is None:
                return None
            p = derived
        return self.shortest(self.candidates(p))

    def printed(self, n: Node) -> Node:
        found = self.best.get(id(n))
        if found is None:
            if n.shape != ():
                found = self.rebuild(n)
            else:
                candidates = self.candidates(self.forms.of(n))
                if n.op in ALGEBRA and n.args and self.kept(n):
                    candidates.append(self.structural(n))
                found = self.shortest(candidates)
            self.best[id(n)] = found
        return found

    def kept(self, n: Node) -> bool:
        """Whether n's form is n itself as an atom (too large, or no exact rewrite)."""
        one = algebra.single(self.forms.of(n))
        return (
            one is not None
            and len(one[1]) == 1
            and self.atoms[one[1][0][0]].kind == "leaf"
            and self.atoms[one[1][0][0]].node.op == n.op
        )

    # ---------------------------------------------------------------- print nodes

    def raw(self, root: Node) -> Node:
        """root node for node as built, numbers as floats: the printer's old output."""
        done: dict[int, Node] = {}
        for n in topological([root]):
            if n.op == "const":
                done[id(n)] = self.g.const(n.value, n.shape)
            elif n.op == "var":
                done[id(n)] = self.g.var(n.name, n.shape)
            else:
                done[id(n)] = self.g.intern(n.op, tuple(done[id(a)] for a in n.args), n.payload, n.shape)
        return done[id(root)]

    def rebuild(self, n: Node) -> Node:
        if n.op == "const":
            return self.g.const(n.value, n.shape)
        if n.op == "var":
            return self.g.var(n.name, n.shape)
        return self.g.intern(n.op, tuple(self.printed(a) for a in n.args), n.payload, n.shape)

    def structural(self, n: Node) -> Node:
        """n's own operation over its arguments' best forms, signs tidied (a + -b is a - b)."""
        kids = [self.printed(a) for a in n.args]
        op = n.op
        if op == "neg":
            return kids[0].args[0] if kids[0].op == "neg" else self.node("neg", kids[0])
        if op in ("add", "sub") and kids[1].op == "neg":
            return self.node("sub" if op == "add" else "add", kids[0], kids[1].args[0])
        if op in ("mul", "div") and "neg" in (kids[0].op, kids[1].op):
            a, b = (k.args[0] if k.op == "neg" else k for k in kids)
            inner = self.node(op, a, b)
            return inner if kids[0].op == kids[1].op == "neg" else self.node("neg", inner)
        if op == "sqrt":
            return self.node("sqrt", kids[0])
        return self.g.intern(op, tuple(kids), n.payload, ())

    # ---------------------------------------------------------------- sums

    def degree(self, m: tuple) -> Fraction:
        return algebra.degree(m, lambda i: self.atoms[i].rank[0] == 1)

    def plain(self, p: Poly) -> Node:
        """p term by term: highest degree first, a number after the other terms of its degree
        (log(x) + 1), a positive term in front (1 - x^2, not -x^2 + 1)."""
        if not p:
            return self.const(0)
        self.forms.spend(len(p))
        terms = sorted(
            p.items(),
            key=lambda t: (-self.degree(t[0]), not t[0], [(self.atoms[i].rank, i, -e) for i, e in self.ordered(t[0])]),
        )
        first = next((k for k, (_, c) in enumerate(terms) if c > 0), 0)
        terms.insert(0, terms.pop(first))
        out = self.term(*reversed(terms[0]))
        for m, c in terms[1:]:
            out = self.node("add" if c > 0 else "sub", out, self.term(abs(c), m))
        return out

    def best_of(self, p: Poly, depth: int) -> Node:
        key = (frozenset(p.items()), depth)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.shortest(self.candidates(p, depth))
        return found

    def candidates(self, p: Poly, depth: int = DEPTH) -> list[Node]:
        if len(p) == 1:
            return self.fractions(*next((c, m) for m, c in p.items()), None)
        if not p:
            return [self.plain(p)]
        self.spent += len(p)
        self.forms.spend(len(p))
        if self.spent > EFFORT:  # a huge formula: the cheap ways only, so printing stays linear
            return [self.plain(p)] + self.factored(p, 0)
        out = [self.plain(p)] + self.factored(p, depth)
        e = self.forms.expand(p)
        if e is not None and e != p:
            out.append(self.plain(e))
            if len(e) > 1:
                out += self.factored(e, depth)
        if depth > 0 and 3 <= len(p) <= COLLECT:
            out += self.collected(p, depth)
        if depth > 0:
            out += self.divisions(p, {j for m in p for j, _ in m if self.atoms[j].kind == "sum"})
        return out

    def divisions(self, p: Poly, sums: set) -> list[Node]:
        """p as (a sum it holds somewhere) times the quotient, where that sum divides p exactly:
        (1 - t^2) - 2*e*t*(1 - t^2) as (1 - t^2)*(1 - 2*e*t)."""
        expanded = self.forms.expand(p)
        if expanded is None or len(expanded) < 2:
            return []
        out = []
        for i in sorted(sums):
            divisor = self.forms.expanded(i)
            self.forms.spend(len(expanded) * len(divisor or ()))
            quotient = algebra.divide(expanded, divisor, LIMIT) if divisor is not None else None
            if quotient:
                out += self.fractions(ONE, ((i, 1),), quotient, 1)
        return out

    def collected(self, p: Poly, depth: int) -> list[Node]:
        """p as (the terms with one atom, its factor taken out) + (the other terms), for the
        atoms most terms share: SymPy's `collect`, 2*(4*x^2/(x^2 + 1) - 1)/(x^2 + 1)^2 + ..."""
        counts = Counter(i for m in p for i, _ in m)
        out = []
        for i, _ in counts.most_common(GROUPINGS):
            for below in (False, True):  # the terms with a positive, or a negative, power of it
                group = {m: c for m, c in p.items() if any(j == i and (e < 0) == below for j, e in m)}
                if 2 <= len(group) < len(p):
                    rest = {m: c for m, c in p.items() if m not in group}
                    out.append(self.join(self.shortest(self.factored(group, depth - 1)), self.best_of(rest, depth - 1)))
        return out

    def join(self, a: Node, b: Node) -> Node:
        """a + b, a sign in front of b written as a subtraction."""
        if b.op == "neg":
            return self.node("sub", a, b.args[0])
        if a.op == "neg":
            return self.node("sub", b, a.args[0])
        return self.node("add", a, b)

    def factored(self, p: Poly, depth: int = DEPTH) -> list[Node]:
        """p with its common factor taken out: all of it (a common denominator, cancelled where
        a denominator divides the rest), or only its positive part (fractions kept per term)."""
        common = algebra.common(p)
        c = algebra.content(p)
        self.forms.spend(len(p))
        out = []
        for g in {common, tuple((i, e) for i, e in common if e > 0)}:
            if not g and c == 1:
                continue
            inner = algebra.divided(p, g, c)
            expanded = self.forms.expand(inner)
            if expanded == {}:
                return [self.const(0)]
            variants = [(inner, g)]
            if expanded is not None and expanded != inner:
                variants.append(self.cancelled(expanded, g))
            for q, h in variants:
                sign = 1 if any(v > 0 for v in q.values()) else -1  # -(x + 1), not (-x - 1)
                out += self.fractions(sign * c, h, algebra.scale(q, Fraction(sign)), depth)
        return out

    def merged(self, c: Fraction, g: tuple, inner: Poly | None) -> tuple[Fraction, tuple, Poly | None]:
        """c * g * inner with inner, where it is (minus) one of g's sums, as one more power of
        that sum: (1 - log(x))^4, not (1 - log(x))^3*(1 - log(x))."""
        if inner is None or len(inner) < 2:
            return c, g, inner
        for sign in (1, -1):
            i = self.forms.keys.get(("sum", frozenset(algebra.scale(inner, Fraction(sign)).items())))
            if i is not None and any(j == i for j, _ in g):
                return sign * c, algebra.mono_mul(g, ((i, 1),)), None
        return c, g, inner

    def cancelled(self, q: Poly, g: tuple) -> tuple[Poly, tuple]:
        """q / (sums in g's denominator) where they divide it exactly; g corrected."""
        powers = dict(g)
        for i in list(powers):
            expanded = self.forms.expanded(i)
            while powers[i] < 0 and expanded is not None:
                self.forms.spend(len(q) * len(expanded))
                quotient = algebra.divide(q, expanded, LIMIT)
                if quotient is None:
                    break
                q, powers[i] = quotient, powers[i] + 1
        return q, tuple(sorted((i, e) for i, e in powers.items() if e))

    def fractions(self, c: Fraction, g: tuple, inner: Poly | None, depth: int = 0) -> list[Node]:
        """c * g * inner, g's negative powers below the line: as factors, and, where the
        denominator holds sums, multiplied out (1/((1 + x)*(1 - x)) as 1/(1 - x^2))."""
        c, g, inner = self.merged(c, g, inner)
        one = algebra.single(inner) if inner is not None else None
        self.forms.spend(1 + len(inner or ()))
        if one is not None:  # the rest cancelled to one term
            c, g, inner = c * one[0], algebra.mono_mul(g, one[1]), None
        rest = [self.best_of(inner, depth) if depth else self.plain(inner)] if inner is not None else []
        out = [self.assemble(*v) for v in self.factors(c, g, tuple(rest))]
        top = [self.power_node(i, e) for i, e in self.ordered(g) if e > 0] + rest
        bottom_mono = tuple((i, -e) for i, e in g if e < 0)
        sums = [(i, e) for i, e in bottom_mono if self.atoms[i].kind == "sum"]
        if sums and (len(sums) > 1 or sums[0][1] > 1):
            rest = [self.power_node(i, e) for i, e in self.ordered(bottom_mono) if self.atoms[i].kind != "sum"]
            # all multiplied out, or, where every sum has the power k, their product to the k:
            # 4*x/(1 - x^2)^2, not 4*x/(x^4 - 2*x^2 + 1)
            k = math.gcd(*(e.numerator for _, e in sums)) if all(e.denominator == 1 for _, e in sums) else 1
            for power in {1, k} if len(sums) > 1 else {1}:
                product = self.forms.expand({tuple((i, algebra.whole(Fraction(e) / power)) for i, e in sums): ONE})
                if product is None or len(product) < 2:
                    continue
                for sign in (1, -1) if power % 2 else (1,):
                    below = self.plain(algebra.scale(product, Fraction(sign)))
                    if power > 1:
                        below = self.node("pow", below, self.const(power))
                    out.append(self.assemble(sign * c if power % 2 else c, top, rest + [below]))
        return out

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

from ..graph import Node, topological
from . import algebra
from .algebra import ONE, Poly
from .canonical import ALGEBRA, LIMIT, Forms
from .text import measure

# Named constants a coefficient may be a rational multiple of (the printed name parses back to
# the same number, so `2*pi` is exactly the folded 6.283185307179586)
CONSTANTS = {"pi": Fraction(math.pi), "e": Fraction(math.e)}
SMALL = 1000  # largest numerator and denominator of a rational written beside a named constant
DEPTH = 2  # how deep the ways of writing a sum nest (a factor taken out, terms collected, within)
COLLECT = 24  # most terms of a sum whose terms are tried in groups
GROUPINGS = 4  # atoms tried for grouping terms (those in most terms)
EFFORT = 20_000  # terms looked at in all; past that, each sum is only written out or factored


def textbook(root: Node) -> Node:
    """`root` in textbook form, as a node of a print graph of its own (for to_text, to_latex)."""
    names = {n.name for n in topological([root]) if n.op == "var"}
    return Printer(names).run(root)


class Printer:
    def __init__(self, taken: set):
        self.forms = Forms(self.printed)
        self.g = self.forms.graph
        self.atoms = self.forms.atoms
        self.best: dict[int, Node] = {}
        self.sizes: dict = {}
        self.shown: dict[int, Node] = {}
        self.memo: dict = {}
        self.spent = 0
        self.constants = {k: v for k, v in CONSTANTS.items() if k not in taken}

    def run(self, root: Node) -> Node:
        """Forms for every node, children first; the printed form only where it is asked for
        (the root, arguments of calls, operands of nodes kept whole), children first too."""
        self.nodes = {}
        for n in topological([root]):
            self.nodes[id(n)] = n
            if n.shape == ():
                self.forms.settle(n)
        return self.printed(root)

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
        return one is not None and len(one[1]) == 1 and self.atoms[one[1][0][0]].kind == "leaf" \
            and self.atoms[one[1][0][0]].node.op == n.op

    # ---------------------------------------------------------------- choosing

    def size(self, n: Node) -> tuple[int, int]:
        length, blanks, _ = measure(n, self.sizes)
        return length - blanks, length

    def negative(self, n: Node) -> bool:
        return measure(n, self.sizes)[2]

    def shortest(self, candidates: list[Node]) -> Node:
        return min(candidates, key=self.size)

    # ---------------------------------------------------------------- print nodes

    def node(self, op: str, *args: Node) -> Node:
        return self.g.intern(op, args, None, ())

    def const(self, value: float) -> Node:
        return self.g.const(value)

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

    # ---------------------------------------------------------------- numbers

    def number(self, q: Fraction) -> tuple[list[Node], list[Node]]:
        """A positive rational as numerator and denominator factors, the shorter of: a decimal
        (2.99), a fraction split over the term (x/2: [] over [2]), a named constant's multiple
        (pi/2), the float's shortest text (for an inexact 17-digit value)."""
        options = []
        if q.denominator == 1 and q.numerator < 2 ** 53:
            return ([self.const(q.numerator)] if q != 1 else []), []
        decimal = self.const(float(q))
        if Fraction(repr(float(q))) == q or max(q.numerator, q.denominator) >= 2 ** 53:
            options.append(([decimal], []))
        if max(q.numerator, q.denominator) < 2 ** 53:
            options.append(([self.const(q.numerator)] if q.numerator != 1 else [], [self.const(q.denominator)]))
        for name, value in self.constants.items():
            for k in (1, 2, -1):
                r = q / value ** k
                if r.numerator <= SMALL and r.denominator <= SMALL:
                    top, bottom = self.number(r) if r != 1 else ([], [])
                    named = self.g.var(name)
                    factor = named if abs(k) == 1 else self.node("pow", named, self.const(abs(k)))
                    options.append((top + [factor], bottom) if k > 0 else (top, bottom + [factor]))
        if not options:
            options.append(([decimal], []))
        return min(options, key=lambda o: sum(self.size(f)[0] + 1 for f in o[0] + o[1]))

    def exponent(self, e: Fraction) -> Node:
        if e.denominator == 1:
            return self.const(e.numerator)
        if Fraction(repr(float(e))) == e and len(repr(float(e))) <= len(str(e)):
            return self.const(float(e))  # x^0.3, x^1.5
        return self.node("div", self.const(e.numerator), self.const(e.denominator))  # x^(1/3)

    # ---------------------------------------------------------------- atoms and terms

    def atom_node(self, i: int) -> Node:
        a = self.atoms[i]
        if a.kind == "leaf":
            return a.node
        if a.kind == "number":
            top, bottom = self.number(a.value)
            numerator = self.chain("mul", top) or self.const(1)
            return self.node("div", numerator, self.chain("mul", bottom)) if bottom else numerator
        if a.kind == "abs":
            return self.node("abs", self.atom_node(a.value))
        if i not in self.shown:
            self.show_sums(i)
        return self.shown[i]

    def show_sums(self, top: int) -> None:
        """Print sum atom `top` and, first, the sums it is written with (older atoms), without
        recursion: a deep composition nests sums hundreds deep."""
        stack = [top]
        while stack:
            i = stack[-1]
            a = self.atoms[i]
            waiting = [j for p in [a.poly] + a.alternatives for m in p for j, _ in m
                       if self.atoms[j].kind == "sum" and j not in self.shown]
            if waiting:
                stack.extend(dict.fromkeys(waiting))
                continue
            stack.pop()
            if i not in self.shown:
                known = {j for p in a.alternatives for m in p for j, _ in m if self.atoms[j].kind == "sum"}
                self.shown[i] = self.shortest([c for p in [a.poly] + a.alternatives for c in self.candidates(p)]
                                              + self.divisions(a.poly, known))

    def power_node(self, i: int, e: Fraction, flip: bool = False) -> Node:
        """Atom i to the power e > 0 (`flip`: a sum with its signs turned, for an odd e)."""
        key = ("power", i, e, flip)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._power_node(i, e, flip)
        return found

    def _power_node(self, i: int, e: Fraction, flip: bool) -> Node:
        base = self.flipped(i) if flip else self.atom_node(i)
        if e == 1:
            return base
        power = self.node("pow", base, self.exponent(e))
        return self.shortest([self.node("sqrt", base), power]) if e == Fraction(1, 2) else power

    def flipped(self, i: int) -> Node:
        key = ("flipped", i)
        if key not in self.memo:
            self.memo[key] = self.best_of(algebra.scale(self.atoms[i].poly, Fraction(-1)), 0)
        return self.memo[key]

    def chain(self, op: str, items: list[Node]) -> Node | None:
        out = None
        for item in items:
            out = item if out is None else self.node(op, out, item)
        return out

    def ordered(self, m: tuple) -> list:
        return sorted(m, key=lambda f: (self.atoms[f[0]].rank, f[0]))

    def assemble(self, c: Fraction, top: list[Node], bottom: list[Node]) -> Node:
        """c * product(top) / product(bottom), the sign in front."""
        num_top, num_bottom = self.number(abs(c))
        numerator = self.chain("mul", top)
        if num_top:  # 2*(x*y): LaTeX writes `2 x` only for a single factor
            coefficient = self.chain("mul", num_top)
            numerator = coefficient if numerator is None else self.node("mul", coefficient, numerator)
        numerator = numerator or self.const(1)
        denominator = self.chain("mul", num_bottom + bottom)
        out = numerator if denominator is None else self.node("div", numerator, denominator)
        return self.node("neg", out) if c < 0 else out

    def term(self, c: Fraction, m: tuple) -> Node:
        key = ("term", c, m)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.shortest([self.assemble(*v) for v in self.factors(c, m)])
        return found

    def factors(self, c: Fraction, m: tuple, rest: tuple = ()) -> list[tuple]:
        """Ways to write c*m: [(coefficient, factors above, factors below)]; `rest` nodes go on
        top. Besides the plain one: a minus sign taken into a sum of odd power (-2/(1 - 2*x) as
        2/(2*x - 1)), and 1/exp(u) as exp(-u)."""
        ordered = self.ordered(m)
        plain = (c, [self.power_node(i, e) for i, e in ordered if e > 0] + list(rest),
                 [self.power_node(i, -e) for i, e in ordered if e < 0])
        out = [plain]
        odd = next((i for i, e in ordered if self.atoms[i].kind == "sum" and e.denominator == 1 and e % 2), None)
        if c < 0 and odd is not None:
            out.append((-c, [self.power_node(i, e, i == odd) for i, e in ordered if e > 0] + list(rest),
                        [self.power_node(i, -e, i == odd) for i, e in ordered if e < 0]))
        roots = [(i, e) for i, e in ordered if self.atoms[i].kind == "number" and 0 < e < 1]
        if roots:  # 2*sqrt(pi)/pi as 2/sqrt(pi)
            moved = tuple(sorted((i, e - 1 if (i, e) in roots else e) for i, e in m))
            value = c
            for i, _ in roots:
                value *= self.atoms[i].value
            out.append(self.factors(value, moved, rest)[0])
        exps = [(i, e) for i, e in ordered if e < 0 and self.exp_argument(i) is not None]
        if exps:
            top = [self.power_node(i, e) for i, e in ordered if e > 0] + list(rest)
            top += [self.node("exp", self.best_of(algebra.scale(self.exp_argument(i), Fraction(e)), 0)) for i, e in exps]
            out.append((c, top, [self.power_node(i, -e) for i, e in ordered if e < 0 and (i, e) not in exps]))
        return out

    def exp_argument(self, i: int) -> Poly | None:
        """The argument's form of an atom that is exp(u), else None."""
        a = self.atoms[i]
        if a.kind == "leaf" and a.node.op == "exp" and a.value and a.value[0] is not None:
            return a.value[0]
        return None

    # ---------------------------------------------------------------- sums

    def degree(self, m: tuple) -> Fraction:
        return algebra.degree(m, lambda i: self.atoms[i].rank[0] == 1)

    def plain(self, p: Poly) -> Node:
        """p term by term: highest degree first, a positive term in front (1 - x^2, not -x^2 + 1)."""
        if not p:
            return self.const(0)
        terms = sorted(p.items(), key=lambda t: (-self.degree(t[0]), [(self.atoms[i].rank, i, -e)
                                                                     for i, e in self.ordered(t[0])]))
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
        out = []
        for g in {common, tuple((i, e) for i, e in common if e > 0)}:
            if not g and c == 1:
                continue
            inner = algebra.divided(p, g, c)
            expanded = self.forms.expand(inner)
            variants = [(inner, g)]
            if expanded is not None and expanded != inner:
                variants.append(self.cancelled(expanded, g))
            for q, h in variants:
                sign = 1 if any(v > 0 for v in q.values()) else -1  # -(x + 1), not (-x - 1)
                out += self.fractions(sign * c, h, algebra.scale(q, Fraction(sign)), depth)
        return out

    def cancelled(self, q: Poly, g: tuple) -> tuple[Poly, tuple]:
        """q / (sums in g's denominator) where they divide it exactly; g corrected."""
        g = dict(g)
        for i in list(g):
            expanded = self.forms.expanded(i)
            while g[i] < 0 and expanded is not None:
                quotient = algebra.divide(q, expanded, LIMIT)
                if quotient is None:
                    break
                q, g[i] = quotient, g[i] + 1
        return q, tuple(sorted((i, e) for i, e in g.items() if e))

    def fractions(self, c: Fraction, g: tuple, inner: Poly | None, depth: int = 0) -> list[Node]:
        """c * g * inner, g's negative powers below the line: as factors, and, where the
        denominator holds sums, multiplied out (1/((1 + x)*(1 - x)) as 1/(1 - x^2))."""
        one = algebra.single(inner) if inner is not None else None
        if one is not None:  # the rest cancelled to one term
            c, g, inner = c * one[0], algebra.mono_mul(g, one[1]), None
        rest = [self.best_of(inner, depth) if depth else self.plain(inner)] if inner is not None else []
        out = [self.assemble(*v) for v in self.factors(c, g, tuple(rest))]
        top = [self.power_node(i, e) for i, e in self.ordered(g) if e > 0] + rest
        bottom_mono = tuple((i, -e) for i, e in g if e < 0)
        sums = [(i, e) for i, e in bottom_mono if self.atoms[i].kind == "sum"]
        if sums and (len(sums) > 1 or sums[0][1] > 1):
            product = self.forms.expand({tuple(sums): ONE})
            if product is not None and len(product) > 1:
                rest = [self.power_node(i, e) for i, e in self.ordered(bottom_mono) if self.atoms[i].kind != "sum"]
                for sign in (1, -1):
                    below = self.plain(algebra.scale(product, Fraction(sign)))
                    out.append(self.assemble(sign * c, top, rest + [below]))
        return out

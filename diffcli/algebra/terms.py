"""How one term of a printed derivative is written: a coefficient times powers of atoms, the
negative powers below the line (`-6/x^4`), the coefficient as a decimal or a fraction, whichever
is shorter (`2.99*x^0.3`, `x/2`), a named constant where it is one (`pi/2`), a sum of odd power
with its signs turned to take a minus in (`2/(2*x - 1)`), `1/exp(u)` as `exp(-u)`.

`Terms` is the base of the textbook printer (render/textbook.py): it holds the print graph, the
measured sizes of its nodes and the printed atoms; the printer adds the ways to write sums.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from diffcli.algebra import poly as algebra
from diffcli.algebra.canonical import Forms
from diffcli.algebra.poly import ONE, Poly
from diffcli.algebra.text import measure, to_text
from diffcli.core.graph import Node, is_one, to_float, topological

# Named constants a coefficient may be a rational multiple of (the printed name parses back to
# the same number, so `2*pi` is exactly the folded 6.283185307179586)
CONSTANTS = {"pi": Fraction(math.pi), "e": Fraction(math.e)}
INNER_NUMBER = re.compile(r"\*\d")  # a number after a factor: exp(-x)*2*sin(x)
SHORT_DECIMAL = 8  # most characters of a decimal written as typed (0.0625, 12.375)
SMALL = 1000  # largest numerator and denominator of a rational written beside a named constant
FOLDED = 10**6  # a larger numerator or denominator: a float folded from an irrational (pi - 1)


class Terms:
    def __init__(self, taken: set, decimals: bool = False):
        self.decimals = decimals  # the input typed decimals: write an exact decimal as one (0.5, 1.5)
        self.forms = Forms(self.printed)
        self.g = self.forms.graph
        self.atoms = self.forms.atoms
        self.sizes: dict = {}
        self.shown: dict[int, Node] = {}
        self.memo: dict = {}
        self.constants = {k: v for k, v in CONSTANTS.items() if k not in taken}

    def printed(self, n: Node) -> Node:
        raise NotImplementedError  # the printer's: a source node's best print

    def candidates(self, p: Poly, depth: int = 0) -> list[Node]:
        raise NotImplementedError  # the printer's: the ways to write a sum

    def best_of(self, p: Poly, depth: int) -> Node:
        raise NotImplementedError

    def divisions(self, p: Poly, sums: set) -> list[Node]:
        raise NotImplementedError  # the printer's: p written over the sums that divide it

    def size(self, n: Node) -> tuple[int, int]:
        length, blanks, _ = measure(n, self.sizes)
        return length - blanks, length

    def negative(self, n: Node) -> bool:
        return measure(n, self.sizes)[2]

    def shortest(self, candidates: list[Node]) -> Node:
        """The shortest (characters without blanks, then with them); on a tie, the one with
        its numbers in front of its products (`2*exp(-x)*sin(x)`, not `exp(-x)*2*sin(x)`), then
        the one that writes its pieces fewest times, as a textbook takes a common factor out:
        `x^x*(log(x) + 1)`, not `log(x)*x^x + x^x` (and keeps `4*x + 4*y`: numbers do not count)."""
        sizes = [self.size(c) for c in candidates]
        least = min(sizes)
        tied = [c for c, s in zip(candidates, sizes) if s == least]
        return (
            tied[0] if len(tied) == 1 else min(tied, key=lambda c: (len(INNER_NUMBER.findall(to_text(c))), repeats(c)))
        )

    def node(self, op: str, *args: Node) -> Node:
        self.forms.spend(1)
        return self.g.intern(op, args, None, ())

    def const(self, value: float) -> Node:
        return self.g.const(value)

    def number(self, q: Fraction) -> tuple[list[Node], list[Node]]:
        """A positive rational as numerator and denominator factors, the shorter of: a fraction
        split over the term (x/2: [] over [2]), a decimal (2.99), a named constant's multiple
        (pi/2), the float's shortest text (for an inexact 17-digit value). On a tie the
        fraction (3*x^2/2), unless the input typed decimals: then a short exact decimal is
        written as one (0.5, 1.5*x^2), as typed."""
        options: list[tuple[list[Node], list[Node]]] = []
        if q.denominator == 1 and q.numerator < 2**53:
            return ([self.const(q.numerator)] if q != 1 else []), []
        decimal = self.const(to_float(q))
        if math.isinf(decimal.value):
            return [decimal], []  # past the largest float: it is inf, as its value is
        exact_decimal = Fraction(repr(float(q))) == q
        if self.decimals and exact_decimal and len(repr(float(q))) <= SHORT_DECIMAL:
            return [decimal], []
        if max(q.numerator, q.denominator) < 2**53:
            options.append(([self.const(q.numerator)] if q.numerator != 1 else [], [self.const(q.denominator)]))
        folded = max(q.numerator, q.denominator) > FOLDED  # a float folded from an irrational
        if exact_decimal or folded:
            options.append(([decimal], []))
        if folded:  # pi - 1; pi*(pi - 1), the second derivative of x^pi
            for by, rest in [(None, q)] + [(name, q / value) for name, value in self.constants.items()]:
                shifted = self.shifted_constant(rest)
                if shifted is not None:
                    options.append(([self.g.var(by), shifted] if by else [shifted], []))
        for name, value in self.constants.items():
            for k in (1, 2, -1):
                r = q / value**k
                if r.numerator <= SMALL and r.denominator <= SMALL:
                    top, bottom = self.number(r) if r != 1 else ([], [])
                    named = self.g.var(name)
                    factor = named if abs(k) == 1 else self.node("pow", named, self.const(abs(k)))
                    options.append((top + [factor], bottom) if k > 0 else (top, bottom + [factor]))
        if not options:
            options.append(([decimal], []))
        return min(options, key=lambda o: sum(self.size(f)[0] + 1 for f in o[0] + o[1]))

    def shifted_constant(self, q: Fraction) -> Node | None:
        """q as a named constant's small multiple plus a whole number (pi - 1, e + 1, 1 - 1/pi),
        within a few ulps: the power rule folds x^pi's exponent pi - 1 in floats."""
        v = float(q)
        for name, value in self.constants.items():
            for k in (1, -1):
                base = float(value) ** k
                for s in (1, -1, 2, -2, 3, -3):
                    r = Fraction((v - s) / base).limit_denominator(12)
                    if r == 0 or abs(r.numerator) > 12 or abs(float(r) * base + s - v) > 4 * math.ulp(v):
                        continue
                    if r < 0 and s < 0:
                        continue  # -(pi + 1): q is positive
                    top, bottom = self.number(abs(r))
                    named = self.g.var(name)
                    term = self.assemble(ONE, *((top + [named], bottom) if k > 0 else (top, bottom + [named])))
                    if r < 0:
                        return self.node("sub", self.const(s), term)
                    return self.node("add" if s > 0 else "sub", term, self.const(abs(s)))
        return None

    def exponent(self, e: Fraction) -> Node:
        if e.denominator == 1:
            return self.const(e.numerator)
        shorter = len(repr(float(e))) < len(str(e)) + (1 if self.decimals else 0)
        if Fraction(repr(float(e))) == e and shorter:
            return self.const(float(e))  # x^0.3; x^1.5 where the input typed decimals, else x^(3/2)
        return self.node("div", self.const(e.numerator), self.const(e.denominator))  # x^(1/3)

    def atom_node(self, i: int) -> Node:
        a = self.atoms[i]
        if a.kind == "leaf":
            return a.node
        if a.kind == "number":
            top, bottom = self.number(a.value)
            numerator = self.chain("mul", top) or self.const(1)
            denominator = self.chain("mul", bottom)
            return numerator if denominator is None else self.node("div", numerator, denominator)
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
            waiting = [
                j
                for p in [a.poly] + a.alternatives
                for m in p
                for j, _ in m
                if self.atoms[j].kind == "sum" and j not in self.shown
            ]
            if waiting:
                stack.extend(dict.fromkeys(waiting))
                continue
            stack.pop()
            if i not in self.shown:
                known = {j for p in a.alternatives for m in p for j, _ in m if self.atoms[j].kind == "sum"}
                self.shown[i] = self.shortest(
                    [c for p in [a.poly] + a.alternatives for c in self.candidates(p)] + self.divisions(a.poly, known)
                )

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
        # by kind (numbers, named constants, variables, calls, ...); among calls, those of
        # numbers first, so that log(2)*exp2(x) and log(2)^3*exp2(x) read alike
        constant = self.forms.constant_atom
        return sorted(m, key=lambda f: (self.atoms[f[0]].rank[0], not constant(f[0]), self.atoms[f[0]].rank, f[0]))

    def assemble(self, c: Fraction, top: list[Node], bottom: list[Node]) -> Node:
        """c * product(top) / product(bottom), the sign in front; a quotient among the top
        factors gives its denominator to the bottom: (log(x) + 2)/(2*sqrt(x)), not
        (log(x) + 2)/sqrt(x)/2."""
        num_top, num_bottom = self.number(abs(c))
        if num_bottom or bottom:
            bottom = bottom + [f.args[1] for f in top if f.op == "div"]
            top = [f.args[0] if f.op == "div" else f for f in top if f.op != "div" or not is_one(f.args[0])]
        numerator = self.chain("mul", top)
        if num_top:  # 2*(x*y): LaTeX writes `2 x` only for a single factor
            numerator = self.chain("mul", num_top + ([] if numerator is None else [numerator]))
        numerator = numerator or self.const(1)
        denominator = self.chain("mul", num_bottom + bottom)
        out = numerator if denominator is None else self.node("div", numerator, denominator)
        if c < 0 and out.op == "sub":  # -(1 - 1/pi) as 1/pi - 1
            return self.node("sub", out.args[1], out.args[0])
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
        plain = (
            c,
            [self.power_node(i, e) for i, e in ordered if e > 0] + list(rest),
            [self.power_node(i, -e) for i, e in ordered if e < 0],
        )
        out = [plain]
        odd = next((i for i, e in ordered if self.atoms[i].kind == "sum" and e.denominator == 1 and e % 2), None)
        if c < 0 and odd is not None:
            out.append(
                (
                    -c,
                    [self.power_node(i, e, i == odd) for i, e in ordered if e > 0] + list(rest),
                    [self.power_node(i, -e, i == odd) for i, e in ordered if e < 0],
                )
            )
        roots = [(i, e) for i, e in ordered if self.atoms[i].kind == "number" and 0 < e < 1]
        if roots:  # 2*sqrt(pi)/pi as 2/sqrt(pi)
            moved = tuple(sorted((i, e - 1 if (i, e) in roots else e) for i, e in m))
            value = c
            for i, _ in roots:
                value *= self.atoms[i].value
            out.append(self.factors(value, moved, rest)[0])
        arguments = {i: u for i, e in ordered if e < 0 and (u := self.exp_argument(i)) is not None}
        exps = [(i, e) for i, e in ordered if i in arguments]
        if exps:
            top = [self.power_node(i, e) for i, e in ordered if e > 0] + list(rest)
            top += [self.node("exp", self.best_of(algebra.scale(arguments[i], Fraction(e)), 0)) for i, e in exps]
            out.append((c, top, [self.power_node(i, -e) for i, e in ordered if e < 0 and (i, e) not in exps]))
        return out

    def exp_argument(self, i: int) -> Poly | None:
        """The argument's form of an atom that is exp(u), else None."""
        a = self.atoms[i]
        if a.kind == "leaf" and a.node.op == "exp" and a.value and a.value[0] is not None:
            return a.value[0]
        return None


def repeats(root: Node) -> int:
    """How many times root's text writes a piece (not a number) again: the occurrences of each
    node of the print DAG (its paths from the root) past the first."""
    count = {id(root): 1}
    total = 0
    for n in reversed(topological([root])):
        k = count.get(id(n), 0)
        if n.op != "const":
            total += k - 1
        for a in n.args:
            count[id(a)] = count.get(id(a), 0) + k
    return total

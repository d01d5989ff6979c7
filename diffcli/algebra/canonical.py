"""The canonical form of a formula for printing: each scalar node as a polynomial over atoms.

`Forms` reads a DAG (a derivative) bottom-up, once per node, and gives every scalar node a
form: a polynomial (render/algebra.py) with exact rational coefficients over atoms. Sums are
collected (`2*x + 3*x` is `5*x`), products are a coefficient times powers with the exponents
of one base added across the whole product and quotient (`x^4/x^8` is `x^-4`, `(1-x)^2/(1-x)`
is `1 - x`), and numbers are exact (`2.3*1.3` is 2.99: a typed decimal is its decimal).
An atom is what the algebra does not look into: a variable, a function call (its arguments in
their own forms), a sum that multiplies or divides something (kept whole, as SymPy keeps
`x*(x + 1)`: printing decides whether to multiply it out), a number with a fractional power.

Each rewrite keeps the value wherever the original is defined; they differ only at points
where the original is undefined or infinite: `x - x`, `0*x` and `x/x` at x = +-inf or nan
(and `x/x` at 0), `x^a*x^b` and `(x^a)^n` where a power of a negative or zero base is nan or
infinite, `sqrt(x)^2` (x at negative x, where the original is nan), and common factors taken
out of a sum at a pole (`1/x + 1/x^2` as `(x + 1)/x^2` at x = 0). A fractional power is taken
apart only where that is exact: `(x^2)^(1/2)` is |x| and stays as written, `(x^4)^(1/2)` is
`x^2`, `sqrt(x*y)` stays whole (both may be negative), `sqrt(4*x)` is `2*sqrt(x)`.

The work is bounded: a form with more than TERMS terms or a monomial of more than FACTORS
atoms is not made (the node becomes an atom, printed as its operation over its arguments), nor
an expansion of more than LIMIT terms, so every node's own text is bounded and a depth-20
composition keeps a size linear in its DAG.
"""

from __future__ import annotations

import math
from fractions import Fraction

from diffcli.algebra import poly as algebra
from diffcli.algebra.poly import ONE, Poly
from diffcli.core.graph import EXACT_BITS, Graph, Node, exact

LIMIT = 96  # most terms of one expansion
TERMS = 32  # most terms of one form
FACTORS = 8  # most factors of one monomial: a longer product stays as built (shared, not copied)
ZERO_CHECK = 8  # sums of up to this many terms holding sums are multiplied out to see if they are 0
HALF = Fraction(1, 2)
ALGEBRA = {"const", "var", "add", "sub", "neg", "mul", "div", "pow", "sqrt"}


class Atom:
    """A factor the algebra does not look into. kind: "leaf" (`node`: how it prints; for a call,
    `value` holds its arguments' forms), "sum" (a sum kept whole: `poly`, normalised: no common
    factor, first term positive), "number" (a positive rational that has a fractional power:
    `value`), "abs" (|atom `value`|, from the square root of a square)."""

    __slots__ = ("index", "kind", "node", "poly", "value", "rank", "alternatives", "source")

    def __init__(self, index: int, kind: str, node=None, poly=None, value=None, rank=()):
        self.index, self.kind, self.node, self.poly, self.value, self.rank = index, kind, node, poly, value, rank
        self.alternatives: list = []  # other forms of the same sum (as built, before multiplying out)
        self.source = None  # a node this atom stands for (a call, a node kept whole)


def frozen(p: Poly) -> frozenset:
    return frozenset(p.items())


class OverBudget(Exception):
    """The printer spent its budget (Forms.spend): the caller falls back to the plain DAG."""


class Forms:
    """The forms of the scalar nodes of one DAG, and the atoms they are written over."""

    def __init__(self, printed):
        # printed(node) -> the print node of a source node (the caller's choice among the ways
        # to write it), used for the arguments of function calls and for nodes kept whole
        self.printed = printed
        self.graph = Graph()  # the print graph: the nodes of the printed formula
        self.atoms: list[Atom] = []
        self.keys: dict = {}
        self.form: dict[int, Poly] = {}
        self._expanded: dict[int, Poly | None] = {}
        self._constant: list[bool] = []  # atom i -> whether it holds no variable
        self.work, self.budget = 0, None  # terms handled so far, and the most allowed (None: no limit)

    def spend(self, terms: int) -> None:
        """Count work; past the budget the printer stops (`OverBudget`) and prints the DAG as
        built, so that printing stays proportional to the formula however it is written."""
        self.work += terms
        if self.budget is not None and self.work > self.budget:
            raise OverBudget(self.work)

    # ---------------------------------------------------------------- atoms

    def atom(self, key, kind: str, **fields) -> int:
        found = self.keys.get(key)
        if found is None:
            found = self.keys[key] = len(self.atoms)
            self.atoms.append(Atom(found, kind, **fields))
        return found

    def leaf(self, key, node: Node, group: int = 2) -> Poly:
        text = node.payload[0] if node.op == "var" else ""
        return algebra.atom(self.atom(key, "leaf", node=node, rank=(group, text)))

    def sum_atom(self, p: Poly) -> int:
        return self.atom(("sum", frozen(p)), "sum", poly=p, rank=(4, ""))

    def number_atom(self, q: Fraction) -> int:
        q = Fraction(q)
        return self.atom(("number", q), "number", value=q, rank=(0, ""))

    def expanded(self, index: int) -> Poly | None:
        """The sum of atom `index` multiplied out (None: not a sum, or too large)."""
        if index not in self._expanded:
            a = self.atoms[index]
            self._expanded[index] = None  # (a sum never contains itself; this guards anyway)
            self._expanded[index] = self.expand(a.poly) if a.poly is not None else None
        return self._expanded[index]

    def expand(self, p: Poly) -> Poly | None:
        """p with every positive whole power of a sum atom multiplied out, when that stays
        within LIMIT terms; like terms collected."""
        out: Poly = {}
        self.spend(len(p))
        for m, c in p.items():
            term: Poly = {(): c}
            kept = []
            for i, e in m:
                inner = self.expanded(i) if e > 0 and e.denominator == 1 else None
                if inner is None:
                    kept.append((i, e))
                    continue
                powered = algebra.power(inner, int(e), LIMIT)
                self.spend(len(term) * len(powered or ()))
                product = algebra.mul(term, powered, LIMIT) if powered is not None else None
                if product is None:
                    return None
                term = product
                self.spend(len(term))
            out = algebra.add(out, algebra.scale(term, ONE, tuple(kept)))
            if len(out) > LIMIT:
                return None
        return out

    # ---------------------------------------------------------------- sums as factors

    def factor(self, p: Poly) -> tuple[Fraction, tuple] | None:
        """p as c * monomial: a sum becomes c * (common factor) * (sum atom); None for 0."""
        if not p:
            return None
        one = algebra.single(p)
        if one is not None:
            return one
        built, e = p, self.expand(p)
        if e is not None:
            one = algebra.single(e)
            if one is not None:
                return one
            if not e:
                return None
            p = e
        common = algebra.common(p)
        q = algebra.divided(p, common)
        c = algebra.content(q)
        if q[min(q)] < 0:  # the first term (numbers first) positive: 1 - x^2, not x^2 - 1
            c = -c
        index = self.sum_atom(algebra.scale(q, 1 / c))
        alternatives = self.atoms[index].alternatives
        if built is not p and len(alternatives) < 4:  # the sum as built may print shorter
            alternative = algebra.divided(built, common, c)
            # only atoms older than this one: printing never comes back to it
            if alternative not in alternatives and all(i < index for m in alternative for i, _ in m):
                alternatives.append(alternative)
        return c, algebra.mono_mul(common, ((index, 1),))

    def product(self, p: Poly, q: Poly) -> Poly | None:
        """p*q, multiplied out only by numbers (2*(x + 1) is 2*x + 2, as SymPy writes it)."""
        if not p or not q:
            return {}
        for a, b in ((p, q), (q, p)):
            one = algebra.single(a)
            if one is not None and one[1] == ():
                return algebra.scale(b, one[0])
        fp, fq = self.factor(p), self.factor(q)
        if fp is None or fq is None:
            return {}
        m = algebra.mono_mul(fp[1], fq[1])
        return self.tidy({m: fp[0] * fq[0]}) if len(m) <= FACTORS else None

    # ---------------------------------------------------------------- powers

    def power(self, p: Poly, k: Fraction) -> Poly | None:
        """p^k for a rational k, or None where no exact rewrite exists (the node stays whole)."""
        if k == 0:
            return algebra.number(1)  # x^0 = 1 everywhere, as numpy
        if k == 1:
            return p
        if not p:
            return {} if k > 0 else None
        f = self.factor(p)
        if f is None:
            return {} if k > 0 else None
        c, m = f
        size = max(abs(Fraction(c).numerator), Fraction(c).denominator).bit_length() * abs(k)
        if size > EXACT_BITS or abs(k.numerator) > EXACT_BITS or k.denominator > 64:
            return None  # (2*x)^1e9: a coefficient of a billion digits; kept as written
        if k.denominator == 1:
            return self.tidy({algebra.mono_pow(m, k): Fraction(c) ** int(k)})
        if c < 0 and len(m) == 1 and m[0][1] == 1 and self.atoms[m[0][0]].kind == "sum":
            # (x - 2)^(1/3): the sum as written, not -(2 - x), whose root is not real
            c, m = -c, ((self.sum_atom(algebra.scale(self.atoms[m[0][0]].poly, -ONE)), 1),)
        if c < 0:
            return None
        factors, unknown = [], 0
        for i, e in m:
            even = e.denominator == 1 and e.numerator % 2 == 0
            if even and not ((e * k).denominator == 1 and (e * k).numerator % 2 == 0):
                i = self.abs_atom(i)  # (x^2)^(1/2) is |x|: x^2 = |x|^2, and |x| >= 0
            elif not even and e.denominator == 1 and self.atoms[i].kind != "number":
                unknown += 1  # may be negative: at most one such factor splits off exactly
            factors.append((i, algebra.whole(Fraction(e) * k)))
        if unknown > 1:
            return None
        root = rational_root(c, k)
        number = algebra.number(root) if root is not None else {((self.number_atom(c), k),): ONE}
        return self.tidy({algebra.mono_mul(mm, tuple(sorted(factors))): v for mm, v in number.items()})

    def abs_atom(self, i: int) -> int:
        return self.atom(("abs", i), "abs", value=i, rank=(2, ""))

    def tidy(self, p: Poly) -> Poly:
        """Monomials in their normal form: a number to a power between 0 and 1 (sqrt(3)^3 is
        3*sqrt(3)), and x^2 beside |x| written as |x|^2 (so that x^2/|x|^3 is 1/|x|)."""
        out: Poly = {}
        for m, c in p.items():
            here = dict(m)
            for i, e in m:
                a = self.atoms[i]
                if a.kind == "number" and not 0 <= e < 1:
                    whole = e.numerator // e.denominator
                    c *= Fraction(a.value) ** whole
                    here[i] = e - whole
                elif a.kind == "abs" and a.value in here and here[a.value] % 2 == 0:
                    here[i] = here[i] + here.pop(a.value)
            m = tuple(sorted((i, algebra.whole(Fraction(e))) for i, e in here.items() if e))
            out = algebra.add(out, {m: c})
        return out

    # ---------------------------------------------------------------- nodes

    def of(self, n: Node) -> Poly:
        return self.form[id(n)]

    def build(self, n: Node) -> Poly | None:
        """The form of scalar node n from its arguments' forms (None: keep n as an atom)."""
        op = n.op
        if op == "const":
            q = exact(n)
            return (
                algebra.number(q)
                if q is not None
                else self.leaf(("const", repr(n.value)), self.graph.const(n.value), 0)
            )
        if op == "var":
            return self.leaf(("var", n.name), self.graph.var(n.name), 1)
        found = [self.form.get(id(a)) for a in n.args]
        forms = [f for f in found if f is not None]
        if op not in ALGEBRA or len(forms) != len(found):
            return None
        if op in ("add", "sub"):
            return algebra.add(forms[0], forms[1], 1 if op == "add" else -1)
        if op == "neg":
            return algebra.scale(forms[0], -ONE)
        if op == "mul":
            return self.product(forms[0], forms[1])
        if op == "div":
            inverse = self.power(forms[1], Fraction(-1))
            return None if inverse is None else self.product(forms[0], inverse)
        k = HALF if op == "sqrt" else exact(n.args[1]) if n.args[1].op == "const" else None
        if k is None and op == "pow":
            return self.shifted_power(n, forms[0], forms[1])
        return None if k is None else self.power(forms[0], k)

    def shifted_power(self, n: Node, base: Poly, exponent: Poly) -> Poly | None:
        """a^(b + c) with c < 0 and a not a number, as a^(b + c - k)*a^k for the whole
        k = floor(c): then x^(x - 1) and x^(x - 2), which the power rule makes of x^x, are
        x^x/x and x^x/x^2 (and x^(-y - 2.5) is x^(0.5 - y)/x^3), so that its derivatives
        gather as a textbook's x^x*(log(x) + 1). A power typed with a positive shift
        (x^(x + 3)) stays as typed. None: n stays an atom."""
        c = exponent.get((), 0)
        k = math.floor(c)
        if k >= 0 or len(exponent) < 2 or self.constant(base):
            return None
        graph = n.graph
        shift = graph.const(float(k))
        rest = graph.node("sub", (n.args[1], shift), None, True)
        lifted = graph.node("pow", (n.args[0], rest), None, True)
        for m in (shift, rest, lifted):
            if id(m) not in self.form:
                self.settle(m)
        lowered = self.power(base, Fraction(k))
        return None if lowered is None else self.product(self.form[id(lifted)], lowered)

    def constant(self, p: Poly) -> bool:
        """Whether form p holds no variable (numbers, named constants, calls of those)."""
        return all(self.constant_atom(i) for m in p for i, _ in m)

    def constant_atom(self, i: int) -> bool:
        # the atoms below i first, in order (an atom is made after those it holds), so that a
        # composition 1,000 deep is no recursion 1,000 deep
        for j in range(len(self._constant), i + 1):
            self._constant.append(self._constant_atom(j))
        return self._constant[i]

    def _constant_atom(self, i: int) -> bool:
        a = self.atoms[i]
        if a.kind == "number":
            return True
        if a.kind == "abs":
            return self.constant_atom(a.value)
        if a.kind == "sum":
            return self.constant(a.poly)
        if a.node.op in ("const", "var"):
            return a.node.op == "const"
        return isinstance(a.value, tuple) and all(f is not None and self.constant(f) for f in a.value)

    def settle(self, n: Node) -> Poly:
        """The form of scalar node n (its arguments settled before): built from theirs, or n
        kept whole as an atom."""
        p = self.build(n)
        self.spend(1 + len(p or ()))
        if p is not None and 1 < len(p) <= ZERO_CHECK and any(self.atoms[i].kind == "sum" for m in p for i, _ in m):
            if self.expand(p) == {}:  # (x + 1)*(x - 1) - (x^2 - 1): sums that cancel when multiplied out
                p = {}
        if p is None or len(p) > TERMS or any(len(m) > FACTORS for m in p):
            p = self.keep(n, p)
        self.form[id(n)] = p
        return p

    def keep(self, n: Node, form: Poly | None = None) -> Poly:
        """n as an atom: printed as its operation over its arguments' printed forms; keyed by
        the op and the arguments' forms, so that equal calls are one atom. A form too large to
        spread into every user is remembered: multiplying out may still look inside."""
        args = tuple(frozen(self.form[id(a)]) if id(a) in self.form else id(a) for a in n.args)
        node = self.graph.intern(n.op, tuple(self.printed(a) for a in n.args), n.payload, n.shape)
        p = self.leaf(("node", n.op, repr(n.payload), args), node, 3 if n.op in ALGEBRA else 2)
        ((index, _),) = next(iter(p))
        if self.atoms[index].value is None:
            self.atoms[index].value = tuple(self.form.get(id(a)) for a in n.args)
            self.atoms[index].source = n
        if form is not None and self.atoms[index].poly is None:
            self.atoms[index].poly = form
        return p


def rational_root(c: Fraction, k: Fraction) -> Fraction | None:
    """c^k when it is rational (4^(1/2) = 2), else None."""
    q = k.denominator
    roots = []
    for part in (c.numerator, c.denominator):
        if part.bit_length() > 1000:
            return None
        r = round(part ** (1 / q))
        found = next((s for s in (r - 1, r, r + 1) if s >= 0 and s**q == part), None)
        if found is None:
            return None
        roots.append(found)
    return Fraction(roots[0], roots[1]) ** k.numerator

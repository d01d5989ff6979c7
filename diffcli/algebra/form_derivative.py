"""Derivatives of canonical forms, as a textbook takes them: the product rule over each
monomial, the chain rule through each atom (its op's own derivative rule from the op table).

`diff` prints the shorter of two equal derivatives: the canonical form of the derivative DAG
that reverse mode built (and that is evaluated), and the derivative taken here of the
function's canonical form, order after order. Reverse mode accumulates adjoints, so at high
orders of products and quotients its sums nest in other ways than the Leibniz terms a textbook
(or SymPy) writes; taking the derivative of the form gives those terms. Where an op's rule
masks by a condition (`where`, relu, the 0^y guard) or a form grows past its limit, there is no
form derivative and the reverse-mode one is printed: the masks are what make the values right.
"""

from __future__ import annotations

from fractions import Fraction

from diffcli.algebra import poly as algebra
from diffcli.algebra.canonical import LIMIT, Forms
from diffcli.algebra.guards import unguard
from diffcli.algebra.poly import Poly
from diffcli.core.graph import Node, topological
from diffcli.core.ops import OPS


class FormDerivative:
    """d/dx of forms over the atoms of `forms`; `settle(node)` gives a new node's form."""

    def __init__(self, forms: Forms, settle, x: str, unguarded: bool = False):
        self.forms, self.settle, self.x = forms, settle, x
        self.unguarded = unguarded  # the rules' guards taken out (algebra/guards.py): a printed form only
        self.atoms = forms.atoms
        self.memo: dict[int, Poly | None] = {}
        self.warm = 0  # the atoms below this index are done (or being done)
        self.depends: dict[int, bool] = {}

    def poly(self, p: Poly) -> Poly | None:
        out: Poly = {}
        for m, c in p.items():
            d = self.mono(m)
            if d is None:
                return None
            out = algebra.add(out, algebra.scale(d, c))
            if len(out) > LIMIT:
                return None
        return out

    def mono(self, m: tuple) -> Poly | None:
        """The product rule: each factor's derivative times the rest."""
        out: Poly = {}
        for i, e in m:
            d = self.atom(i)
            if d is None:
                return None
            if not d:
                continue
            rest = tuple((j, f - 1 if j == i else f) for j, f in m if j != i or f != 1)
            term = self.forms.product({rest: e}, d)
            if term is None:
                return None
            out = algebra.add(out, term)
        return out

    def atom(self, i: int) -> Poly | None:
        if i not in self.memo:
            # The atoms below i first, in order (an atom is made after those it holds): each then
            # finds its own inner atoms done, so a composition 1,000 deep is no recursion 1,000 deep.
            for j in range(self.warm, i):
                self.warm = j + 1
                if j not in self.memo:
                    self._settle(j)
            self._settle(i)
        return self.memo[i]

    def _settle(self, i: int) -> None:
        self.memo[i] = None  # an atom never contains itself; this guards anyway
        self.memo[i] = self._atom(i)

    def _atom(self, i: int) -> Poly | None:
        a = self.atoms[i]
        if a.kind == "number":
            return {}
        if a.kind == "sum":
            return self.poly(a.poly)
        if a.kind == "abs" or a.node is None:
            return None
        if a.node.op == "var":
            return algebra.number(1 if a.node.name == self.x else 0)
        if a.node.op == "const":
            return {}
        n = a.source
        if n is None or any(m.shape != () for m in (n, *n.args)):
            return None  # vectors inside: no forms to differentiate
        needs = [self.depend(arg) for arg in n.args]
        if not any(needs):
            return {}
        if n.op == "pow" and needs[1] and self.unguarded:
            return self.variable_power(i, n)
        out: Poly = {}
        for arg, need, partial in zip(n.args, needs, OPS[n.op].pullback(n, n.graph.const(1.0), needs)):
            if not need or partial is None:
                continue
            if self.unguarded:
                partial = unguard(partial)[0]
            if any(m.op == "where" for m in topological([partial])):
                return None  # a masked rule: only reverse mode keeps its values
            inner = self.poly(self.forms.of(arg))
            if inner is None:
                return None
            term = self.forms.product(self.settle(partial), inner) if inner else {}
            if term is None:
                return None
            out = algebra.add(out, term)
        return self.logarithmic(i, out) if n.op in ("exp", "pow") else out

    def variable_power(self, i: int, n: Node) -> Poly | None:
        """d/dx a^b for an exponent b that varies, as a textbook takes it: a^b*(b'*log(a) + b*a'/a)
        (x^(x + 1)*(log(x) + (x + 1)/x)), with no a^(b - 1) beside a^b. Printed forms only:
        log(a) is the textbook's, not the evaluated rule's guarded one."""
        a, b = n.args
        da, db = self.poly(self.forms.of(a)), self.poly(self.forms.of(b))
        inverse = self.forms.power(self.forms.of(a), Fraction(-1))
        if da is None or db is None or inverse is None:
            return None
        by_exponent = self.forms.product(db, self.settle(n.graph.node("log", (a,), None, True))) if db else {}
        scaled = self.forms.product(self.forms.of(b), da) if da else {}
        by_base = self.forms.product(scaled, inverse) if scaled else {}  # a form too large: None, no form
        if by_exponent is None or scaled is None or by_base is None:
            return None
        return self.forms.product(algebra.atom(i), algebra.add(by_exponent, by_base))

    def logarithmic(self, i: int, d: Poly) -> Poly | None:
        """The derivative d of atom i (exp(h), a^b) as the atom times its logarithmic
        derivative kept whole, as SymPy keeps it: x^sin(x)*(cos(x)*log(x) + sin(x)/x), whose
        next derivative is x^sin(x)*((...)^2 + ...), not a sum multiplied out order by order."""
        if len(d) < 2 or not all(any(j == i and e >= 1 for j, e in m) for m in d):
            return d
        return self.forms.product(algebra.atom(i), algebra.divided(d, ((i, 1),)))

    def depend(self, n: Node) -> bool:
        """Whether node n depends on the variable."""
        for m in topological([n], stop=lambda k: id(k) in self.depends):
            if id(m) not in self.depends:
                self.depends[id(m)] = (m.op == "var" and m.name == self.x) or any(self.depends[id(a)] for a in m.args)
        return self.depends[id(n)]

"""The names `explain` shows: of nodes (a, b, ..., t1, ...), of the output, of adjoints.

Formulas for display are nodes of the explanation's own `Graph` built over placeholder
variables; `Names.show` renders one (text or LaTeX) and puts each placeholder's name in.
"""

from __future__ import annotations

import re

from diffcli.algebra.latex import latex_name as latex_variable
from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import to_text
from diffcli.core.graph import Graph, Node, variables

RESERVED = {"e", "pi", "d", "i", "n", "v", "L", "J", "H"}  # never used as a node's display name
OUTPUT_NAMES = ("y", "f", "out", "F")
PLACEHOLDER = re.compile(r"qz[a-y]+zq")


def placeholder(k: int) -> str:
    """The k-th placeholder variable name: qzazq, qzbzq, ... (letters only: a renderer keeps
    it whole, and no user name looks like it)."""
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 25)
        letters = "abcdefghijklmnopqrstuvwxy"[r] + letters
    return f"qz{letters}zq"


class Names:
    """Display names of nodes and adjoints; formulas are built over placeholder variables that
    the renderers replace by the text or LaTeX of the name."""

    def __init__(self, taken):
        self.graph = Graph()  # the display formulas' own node space
        self.taken = set(taken) | RESERVED
        self.of: dict[int, str] = {}
        self.table: dict[str, tuple[str, str]] = {}  # placeholder -> (text, latex)
        self._letters = (c for c in "abcdefghijklmnopqrstuvwxyz")
        self._counter = 0

    @classmethod
    def for_problem(cls, problem) -> "Names":
        """The names of a problem's nodes that have one: variables, the --wrt names (a file's
        intermediates among them), the file's statements, and the output (y, or f, out, F
        when taken); `fresh` names the other operations in the order they are shown."""
        f, parsed = problem.output, problem.parsed
        leaves = variables([f])
        names = cls([v.name for v in leaves] + list(problem.bindings) + list(parsed.names) + problem.names())
        for v in leaves:
            names.give(v, v.name)
        for v, name in zip(problem.wrt, problem.names()):
            names.give(v, name)
        for name, n in parsed.names.items():
            if not n.is_const and n.op != "var":
                names.give(n, name)
        if id(f) not in names.of:
            names.give(f, names.pick(OUTPUT_NAMES))
        return names

    def name_all(self, order) -> None:
        """A name for every operation of `order` that has none yet, in that order (as
        `explain`'s forward pass gives them)."""
        for n in order:
            if n.args and id(n) not in self.of:
                self.give(n, self.fresh())

    def fresh(self) -> str:
        for c in self._letters:
            if c not in self.taken:
                self.taken.add(c)
                return c
        while True:
            self._counter += 1
            name = f"t{self._counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def pick(self, choices) -> str:
        for c in choices:
            if c not in self.taken:
                self.taken.add(c)
                return c
        return self.fresh()

    def give(self, n: Node, name: str) -> str:
        self.of.setdefault(id(n), name)
        self.taken.add(name)
        return self.of[id(n)]

    def symbol(self, text: str, latex: str, shape=()) -> Node:
        key = placeholder(len(self.table))
        self.table[key] = (text, latex)
        return self.graph.var(key, tuple(shape))

    def node(self, n: Node) -> Node:
        """What n looks like in a formula: a number stays a number, a named node its name."""
        if n.is_const:
            return self.graph.const(n.value, n.shape)
        if id(n) not in self.of:
            return n
        name = self.of[id(n)]
        return self.symbol(name, latex_name(name), n.shape)

    def adjoint(self, of: str, n: Node) -> Node:
        name = self.of[id(n)]
        return self.symbol(adjoint_text(of, name), adjoint_latex(of, name), n.shape)

    def spelled(self, n: Node) -> Node:
        """A node that text cannot write faithfully (an `expand` of a vector) as a name saying
        what it is: expand(dy/da), as LaTeX writes it too."""
        text = f"{n.op}({self.show(n.args[0])})"
        return self.symbol(text, self.show(n, "latex"), n.shape)

    def show(self, n: Node, fmt: str = "text") -> str:
        rendered = to_latex(n) if fmt == "latex" else to_text(n)
        col = 1 if fmt == "latex" else 0
        return PLACEHOLDER.sub(lambda m: self.table[m.group(0)][col], rendered)


def latex_name(name: str) -> str:
    """A display name in LaTeX; `y[1]` (an output element) gets a subscript."""
    m = re.fullmatch(r"(\w+)\[(.*)\]", name)
    if m:
        return f"{latex_variable(m.group(1))}_{{{m.group(2)}}}"
    return latex_variable(name)


def adjoint_text(of: str, name: str) -> str:
    return f"d{of}/d{name}"


def adjoint_latex(of: str, name: str) -> str:
    return f"\\frac{{\\partial {latex_name(of)}}}{{\\partial {latex_name(name)}}}"

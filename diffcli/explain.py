"""`explain`: the chain rule step by step, with the numbers in.

The forward pass names every operation node once (named intermediates of a file keep their
names, the output is `y`, the rest get a, b, c, ... then t1, t2, ...) and shows each as a
formula over its arguments' names with its value. The backward pass walks the reverse
topological order of `autodiff.backward` and shows each node's adjoint as the sum, over the
nodes that use it, of incoming adjoint times local derivative, with the numbers substituted.

The local derivative text comes from the op table (`Op.local`); it is parsed with diffcli's own
parser and its names are replaced by nodes: placeholders for display, the real argument nodes
for the numbers. So there is no per-op code here. Every number comes from ONE evaluation
program: node values, adjoints, the op rules' contributions and the local derivatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import api, autodiff
from . import graph as G
from .errors import DiffcliError
from .graph import Node, is_one, is_zero, topological
from .ops import OPS, fit_shape
from .parse import parse
from .render.explain import value_text

ARG_NAMES = {1: ("x",), 2: ("a", "b"), 3: ("a", "b", "c")}
RESERVED = {"e", "pi", "d", "i", "n", "v", "L", "J", "H"}  # never used as a node's display name
OUTPUT_NAMES = ("y", "f", "out", "F")


# ---------------------------------------------------------------- local derivative templates


def local_text(op_name: str, i: int) -> str:
    """Op's local derivative text for argument i (`i` substituted for ops of any arity)."""
    op = OPS[op_name]
    if op.arity is None:
        return re.sub(r"\bi\b", str(i), op.local[0])
    return op.local[i]


@lru_cache(maxsize=None)
def _template(text: str, shapes: tuple) -> Node:
    return parse(text, dict(shapes)).output


def local_formula(p: Node, i: int, bind: dict, simplify: bool = False) -> Node:
    """p's local derivative for argument i, its names replaced by bind's nodes.

    bind maps the template names (x / a, b, c for the arguments, y, g, n) to nodes of the
    right shapes; names a template does not use may be left out.
    """
    text = local_text(p.op, i)
    shapes = tuple(sorted((k, tuple(v.shape)) for k, v in bind.items()))
    return substitute(_template(text, shapes), bind, simplify)


def template_bind(p: Node, y: Node, g: Node, args) -> dict:
    """The names of p's local templates bound to y (output), g (adjoint) and args."""
    names = ARG_NAMES.get(OPS[p.op].arity, ())
    bind = dict(zip(names, args))
    reduced = max(p.args[0].size // max(p.size, 1), 1) if p.args else 1  # n, for mean
    bind.update(y=y, g=g, n=G.const(float(reduced)))
    return bind


def names_g(p: Node, i: int) -> bool:
    """Whether the template is a whole contribution (it names the incoming adjoint g)."""
    return re.search(r"\bg\b", local_text(p.op, i)) is not None


def substitute(root: Node, mapping: dict, simplify: bool = False) -> Node:
    """root with its variables replaced by mapping[name] (same shapes), rebuilt bottom up;
    `simplify` (for display) lets `2*x^1` read `2*x`."""
    done: dict[int, Node] = {}
    for n in topological([root]):
        if n.op == "var":
            done[id(n)] = mapping.get(n.payload[0], n)
        elif not n.args:
            done[id(n)] = n
        else:
            done[id(n)] = G.node(n.op, tuple(done[id(a)] for a in n.args), n.payload, simplify)
    return done[id(root)]


# ---------------------------------------------------------------- names shown to the user


def _placeholder(k: int) -> str:
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
        self.taken = set(taken) | RESERVED
        self.of: dict[int, str] = {}
        self.table: dict[str, tuple[str, str]] = {}  # placeholder -> (text, latex)
        self._letters = (c for c in "abcdefghijklmnopqrstuvwxyz")
        self._counter = 0

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
        key = _placeholder(len(self.table))
        self.table[key] = (text, latex)
        return G.var(key, tuple(shape))

    def node(self, n: Node) -> Node:
        """What n looks like in a formula: a number stays a number, a named node its name."""
        if n.is_const or id(n) not in self.of:
            return n
        name = self.of[id(n)]
        return self.symbol(name, latex_name(name), n.shape)

    def adjoint(self, of: str, n: Node) -> Node:
        name = self.of[id(n)]
        return self.symbol(adjoint_text(of, name), adjoint_latex(of, name), n.shape)

    def show(self, n: Node, fmt: str = "text") -> str:
        from .render.latex import to_latex
        from .render.text import to_text

        rendered = to_latex(n) if fmt == "latex" else to_text(n)
        col = 1 if fmt == "latex" else 0
        return re.sub(r"qz[a-y]+zq", lambda m: self.table[m.group(0)][col], rendered)


def latex_name(name: str) -> str:
    from .render.latex import _name

    m = re.fullmatch(r"(\w+)\[(.*)\]", name)
    if m:
        return f"{_name(m.group(1))}_{{{m.group(2)}}}"
    return _name(name)


def adjoint_text(of: str, name: str) -> str:
    return f"d{of}/d{name}"


def adjoint_latex(of: str, name: str) -> str:
    return f"\\frac{{\\partial {latex_name(of)}}}{{\\partial {latex_name(name)}}}"


# ---------------------------------------------------------------- steps


@dataclass
class Step:
    section: str
    node: str  # the node the step is about
    lhs: Node  # display: the name defined (a node or an adjoint)
    formula: Node | list | None  # display: a node, or a list of terms (each a display node)
    terms: list  # numbers substituted: per term, the nodes whose values are its factors
    value: Node  # the node whose value the step shows
    note: str = ""
    parts: list = field(default_factory=list)  # each term's contribution by the op's rule


@dataclass
class Explanation:
    steps: list
    names: Names
    values: dict = field(default_factory=dict)  # id(node) -> value
    warnings: list = field(default_factory=list)
    value: object = None
    grad: dict = field(default_factory=dict)

    def number(self, n: Node):
        return self.values[id(n)]


class Builder:
    """Collects the steps; every number stays a node until the one evaluation at the end."""

    def __init__(self, problem: api.Problem):
        self.problem = problem
        self.steps: list[Step] = []
        f = problem.output
        parsed = problem.parsed
        self.names = Names([v.payload[0] for v in G.variables([f])] + list(problem.bindings) + list(parsed.names))
        for v in G.variables([f]) + problem.wrt:
            self.names.give(v, v.payload[0])
        for name, n in parsed.names.items():
            if not n.is_const and n.op != "var":
                self.names.give(n, name)
        if id(f) not in self.names.of:
            self.names.give(f, self.names.pick(OUTPUT_NAMES))
        self.out = self.names.of[id(f)]
        self.order = topological([f])

    # -- forward

    def forward(self, order: list, section: str, skip: set = frozenset(), notes: dict | None = None) -> None:
        """One step per node of `order` not in skip: leaves with their values, then operations."""
        wrt = {id(v) for v in self.problem.wrt}
        for n in order:
            if n.op == "var" and id(n) not in skip:
                note = "" if id(n) in wrt else "constant (requires_grad=False)"
                self.steps.append(Step(section, self.names.of[id(n)], self.names.node(n), None, [], n, note))
        for n in order:
            if id(n) in skip or not n.args:
                continue
            name = self.names.of.get(id(n)) or self.names.give(n, self.names.fresh())
            shown = G.node(n.op, tuple(self.names.node(a) for a in n.args), n.payload)
            note = (notes or {}).get(id(n), "")
            self.steps.append(Step(section, name, self.names.node(n), shown, [], n, note))

    # -- backward

    def backward(self, root: Node, seed: Node, seed_shown: Node | None, wrt: list, of: str,
                 section: str) -> autodiff.Adjoints:
        """Steps for d(of)/d(node), seeded at root; wrt leaves come last, in their order."""
        adj = autodiff.backward([(root, seed)], wrt)
        users: dict[int, list] = {}
        for p in adj.order:
            if id(p) in adj.adjoint:
                for i, a in enumerate(p.args):
                    users.setdefault(id(a), []).append((p, i))
        parts_of: dict[int, tuple] = {}
        seed_note = "seed: the output's own derivative" if seed_shown is None else ""
        self.steps.append(Step(section, self.names.of[id(root)], self.names.adjoint(of, root),
                               seed_shown, [], adj.adjoint.get(id(root), seed), seed_note))
        ops = [n for n in reversed(adj.order) if n.args and n is not root and id(n) in adj.adjoint]
        for n in ops + [w for w in wrt if w is not root]:
            self.steps.append(self._adjoint_step(n, root, adj, users.get(id(n), []), parts_of, of, section))
        return adj

    def _adjoint_step(self, n: Node, root: Node, adj, users: list, parts_of: dict, of: str, section: str) -> Step:
        """d(of)/dn as the sum over its users p of adjoint(p) times p's local derivative."""
        shown_terms, number_terms, parents, contributions = [], [], {}, []
        for p, i in users:
            part = self._parts(p, adj, parts_of)[i]
            if part is None or is_zero(part):
                continue
            parents[id(p)] = p
            contributions.append(part)
            shown, numbers = self._term(p, i, root, adj.adjoint[id(p)], part, of)
            shown_terms.append(shown)
            number_terms.append(numbers)
        name = self.names.of[id(n)]
        note = ""
        if len(parents) > 1:
            note = f"{name} feeds {len(parents)} nodes: their contributions are summed"
        elif len(number_terms) > 1:
            note = f"{name} enters {self.names.of[next(iter(parents))]} {len(number_terms)} times: the contributions are summed"
        elif not number_terms:
            note = f"{name} does not affect {of}"
        return Step(section, name, self.names.adjoint(of, n), shown_terms, number_terms, adj.of(n), note,
                    contributions)

    def _term(self, p: Node, i: int, root: Node, g: Node, part: Node, of: str) -> tuple:
        """((shown adjoint or None, shown local), factor nodes) of p's contribution to argument i."""
        shown_g = self.names.adjoint(of, p)
        shown_args = [self.names.node(a) for a in p.args]
        local_shown = local_formula(p, i, template_bind(p, self.names.node(p), shown_g, shown_args), True)
        if names_g(p, i):  # the text is the whole contribution
            return (None, local_shown), (part,)
        local = local_formula(p, i, template_bind(p, p, g, p.args))
        if p is root and is_one(g) and g.shape == ():  # the seed dy/dy = 1 goes unsaid
            return (None, local_shown), (local,)
        return (shown_g, local_shown), (g, local)

    def _parts(self, p: Node, adj, parts_of: dict) -> tuple:
        """The op rule's contributions of p to its arguments (as autodiff.backward forms them)."""
        if id(p) not in parts_of:
            flags = tuple(id(a) in adj.requires for a in p.args)
            raw = OPS[p.op].vjp(p, adj.adjoint[id(p)], flags) if any(flags) else (None,) * len(p.args)
            parts_of[id(p)] = tuple(None if part is None or not flag else fit_shape(part, a.shape)
                                    for part, flag, a in zip(raw, flags, p.args))
        return parts_of[id(p)]

    # -- summary lines

    def line(self, section: str, node: str, lhs: Node, formula, terms: list, value: Node, note: str = ""):
        self.steps.append(Step(section, node, lhs, formula, terms, value, note))


def explain(problem: api.Problem, v: str | None = None, jacobian: bool = False,
            hessian: str | None = None) -> Explanation:
    """The steps of the forward pass, the backward pass (seeded by 1, or by v), optionally the
    Jacobian row by row and one Hessian entry, evaluated in one program."""
    f = problem.output
    if f.shape != () and v is None and not jacobian:
        raise DiffcliError(f"explain needs a scalar output, but this one has shape {f.shape}: weight the "
                           "outputs with --v, show the Jacobian row by row with --jacobian, or reduce with sum(...)")
    b = Builder(problem)
    b.forward(b.order, "forward pass")
    if f.is_const:  # a constant output has no operation step of its own
        b.line("forward pass", b.out, b.names.symbol(b.out, latex_name(b.out)), None, [], f)
    grads = []
    if v is not None or f.shape == ():
        grads = _gradient_sections(b, problem, v)
    if jacobian:
        _jacobian_sections(b, problem)
    if hessian is not None:
        _hessian_section(b, problem, hessian)
    wanted = [f] + grads
    for s in b.steps:
        wanted.append(s.value)
        wanted.extend(n for term in s.terms for n in term)
        wanted.extend(s.parts)
    wanted = _unique(wanted)
    result = api.Result({})
    values = api._run(problem, wanted, result)  # one program: values, adjoints, locals, parts
    ex = Explanation(b.steps, b.names, {id(n): val for n, val in zip(wanted, values)}, result.warnings)
    ex.value = ex.values[id(f)]
    ex.grad = {name: ex.values[id(g)] for name, g in zip(problem.names(), grads)}
    return ex


def _unique(nodes: list) -> list:
    seen: dict[int, Node] = {}
    for n in nodes:
        seen.setdefault(id(n), n)
    return list(seen.values())


def _gradient_sections(b: Builder, problem: api.Problem, v: str | None) -> list:
    f = problem.output
    if v is None:
        adj = b.backward(f, G.const(1.0), None, problem.wrt, b.out,
                         f"backward pass: d{b.out}/d(node), reverse topological order")
        return [adj.of(w) for w in problem.wrt]
    seed = api._seed(problem, v)
    b.names.give(seed, "v")
    of = "L"
    weighted = G.node("sum", (G.node("mul", (seed, f)),), len(f.shape))
    b.line("vector-Jacobian product", "L", b.names.symbol("L", "L"),
           G.node("sum", (G.node("mul", (b.names.node(seed), b.names.node(f))),), len(f.shape)), [], weighted,
           f"L = v . {b.out}: the outputs weighted by v = {v}")
    adj = b.backward(f, seed, b.names.node(seed), problem.wrt, of,
                     "backward pass: dL/d(node), reverse topological order")
    grads = [adj.of(w) for w in problem.wrt]
    rows = autodiff.jacobian(f, problem.wrt)
    flat_v = autodiff.flat_entries(seed)
    total = G.node("stack", tuple(e for g in grads for e in autodiff.flat_entries(g)))
    terms = [(vi, G.node("stack", tuple(row))) for vi, row in zip(flat_v, rows)]
    shown_v = b.names.node(seed)
    shown = [(G.node("index", (shown_v,), _index(f.shape, k)) if f.shape else shown_v,
              b.names.symbol(f"J[{k}]", f"J_{{{k}}}")) for k in range(len(rows))]
    b.line("vector-Jacobian product", "J^T v", b.names.symbol("J^T v", "J^{T} v"), shown, terms, total,
           "a weighted sum of the Jacobian's rows: one vector, not the Jacobian; --jacobian shows the rows")
    return grads


def _index(shape, k: int) -> tuple:
    return tuple(int(i) for i in np.unravel_index(k, shape)) if shape else ()


def _jacobian_sections(b: Builder, problem: api.Problem) -> None:
    f = problem.output
    labels = [b.out] if f.shape == () else [f"{b.out}[{','.join(map(str, _index(f.shape, k)))}]" for k in range(f.size)]
    rows = []
    for k, label in enumerate(labels):
        onehot = np.zeros(f.shape)
        onehot[_index(f.shape, k)] = 1.0
        key = f"e#{k}"
        problem.bindings[key] = onehot
        seed = G.var(key, f.shape)
        b.names.give(seed, f"e{k + 1}")
        adj = b.backward(f, seed if f.shape else G.const(1.0), b.names.node(seed) if f.shape else None,
                         problem.wrt, label,
                         f"Jacobian row {k + 1} of {len(labels)}: v = e{k + 1} = {value_text(onehot.reshape(-1))}")
        row = G.node("stack", tuple(e for w in problem.wrt for e in autodiff.flat_entries(adj.of(w))))
        rows.append(row)
        b.line(b.steps[-1].section, f"J[{k}]", b.names.symbol(f"J[{k}]", f"J_{{{k}}}"), None, [], row,
               f"row {k + 1}: the derivatives of {label} by {', '.join(problem.labels())}")
    b.line("Jacobian", "J", b.names.symbol("J", "J"), None, [], G.node("stack", tuple(rows)))


def _hessian_section(b: Builder, problem: api.Problem, spec: str) -> None:
    names = [s.strip() for s in spec.split(",") if s.strip()]
    if len(names) == 1:
        names = names * 2
    by_name = {w.payload[0]: w for w in problem.wrt}
    if len(names) != 2 or any(n not in by_name for n in names):
        raise DiffcliError(f"--hessian {spec}: give two differentiated variables, such as --hessian x,y "
                           f"(one of {', '.join(by_name) or 'none'}; --hessian x means x,x)")
    first, second = by_name[names[0]], by_name[names[1]]
    if first.shape != () or second.shape != () or problem.output.shape != ():
        raise DiffcliError("--hessian explains one entry: it needs a scalar output and scalar variables")
    (g,) = autodiff.gradient(problem.output, [first])
    section = f"Hessian entry: d2{b.out}/d{names[0]}d{names[1]} = d/d{names[1]} (d{b.out}/d{names[0]})"
    known = {id(n) for n in b.order}
    if g.is_const:
        b.line(section, "H", b.names.symbol("H", "H"), None, [], G.const(0.0),
               f"d{b.out}/d{names[0]} = {g.value} is a constant: its derivative is 0")
        return
    from .render.text import to_text

    gname = b.names.of[id(g)] if id(g) in known else b.names.give(g, b.names.pick(("g", "h")))
    b.forward(topological([g]), section, skip=known,
              notes={id(g): f"{gname} = d{b.out}/d{names[0]} = {to_text(g)}: the derivative is a graph too"})
    adj = b.backward(g, G.const(1.0), None, [second], gname, section)
    b.line(section, "H", b.names.symbol(f"H[{names[0]},{names[1]}]", f"H_{{{latex_name(names[0])},{latex_name(names[1])}}}"),
           None, [], adj.of(second), f"the Hessian entry: row {names[0]}, column {names[1]}")

"""`explain`: the chain rule step by step, with the numbers in.

The forward pass names every operation node once (named intermediates of a file keep their
names, the output is `y`, the rest get a, b, c, ... then t1, t2, ...; see explain_names.py) and
shows each as a formula over its arguments' names with its value. The backward pass walks the
reverse topological order of `autodiff.backward` and shows each node's adjoint as the sum, over
the nodes that use it, of incoming adjoint times local derivative, with the numbers substituted.

The local derivatives are derived from the ops' own derivative rules (local.py): no per-op
code or text here. Every number comes from ONE evaluation (`request.evaluate`): node values,
adjoints, the rules' contributions, the local derivatives and the kink probes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from diffcli.algebra.text import to_text, value_text
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, vjp_seed
from diffcli.core import autodiff, local
from diffcli.core.graph import Node, is_one, is_zero, topological
from diffcli.core.ops import OPS, fit_shape
from diffcli.errors import DiffcliError
from diffcli.explain.forward import forward_section
from diffcli.explain.names import Names, latex_name


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
    value: object = None
    grad: dict = field(default_factory=dict)

    def number(self, n: Node):
        return self.values[id(n)]


class Builder:
    """Collects the steps; every number stays a node until the one evaluation at the end."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.steps: list[Step] = []
        self.bindings: dict = {}  # seeds and one-hot rows, for the evaluation
        self.locals: dict = {}  # (op, argument shapes, payload) -> local.Local, for this run
        f = problem.output
        self.names = Names.for_problem(problem)
        self.out = self.names.of[id(f)]
        self.order = topological([f])

    # -- forward

    def forward(
        self, order: list, section: str, skip: set | frozenset = frozenset(), notes: dict | None = None
    ) -> None:
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
            shown = self.names.graph.node(n.op, tuple(self.names.node(a) for a in n.args), n.payload)
            note = (notes or {}).get(id(n), "")
            self.steps.append(Step(section, name, self.names.node(n), shown, [], n, note))

    # -- backward

    def backward(
        self, root: Node, seed: Node, seed_shown: Node | None, wrt: list, of: str, section: str
    ) -> autodiff.Adjoints:
        """Steps for d(of)/d(node), seeded at root; wrt leaves come last, in their order."""
        adj = autodiff.backward([(root, seed)], wrt)
        users: dict[int, list] = {}
        for p in adj.order:
            if id(p) in adj.adjoint:
                for i, a in enumerate(p.args):
                    users.setdefault(id(a), []).append((p, i))
        parts_of: dict[int, tuple] = {}
        seed_note = "seed: the output's own derivative" if seed_shown is None else ""
        self.steps.append(
            Step(
                section,
                self.names.of[id(root)],
                self.names.adjoint(of, root),
                seed_shown,
                [],
                adj.adjoint.get(id(root), seed),
                seed_note,
            )
        )
        ops = [n for n in reversed(adj.order) if n.args and n is not root and id(n) in adj.adjoint]
        for n in ops + [w for w in wrt if w is not root and not w.args]:  # an intermediate is among ops
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
        return Step(section, name, self.names.adjoint(of, n), shown_terms, number_terms, adj.of(n), note, contributions)

    def local(self, p: Node) -> local.Local:
        """p's local derivatives, derived from its op's rule once per op, shapes and payload."""
        key = (p.op, tuple(a.shape for a in p.args), p.payload)
        if key not in self.locals:
            self.locals[key] = local.derive(p.op, key[1], p.payload)
        return self.locals[key]

    def _term(self, p: Node, i: int, root: Node, g: Node, part: Node, of: str) -> tuple:
        """((shown adjoint or None, shown local), factor nodes) of p's contribution to argument i."""
        rule = self.local(p)
        names = self.names
        unsaid = p is root and is_one(g) and g.shape == ()  # the seed dy/dy = 1 goes unsaid
        shown_g = names.adjoint(of, p)
        shown_map = rule.bind(
            names.node(p), [names.node(a) for a in p.args], names.graph.const(1.0) if unsaid else shown_g
        )
        local_shown = local.substitute(
            rule.parts[i], shown_map, names.graph, simplify=True, implicit=True, spell=names.spelled
        )
        if rule.kind == "whole":  # the text names g: it is the whole contribution
            return (None, local_shown), (part,)
        factor = local.substitute(rule.parts[i], rule.bind(p, p.args), p.graph)
        p.graph.made_by.setdefault(factor, p)  # built from p's rule (anomaly reports name p)
        if unsaid:
            return (None, local_shown), (factor,)
        return (shown_g, local_shown), (g, factor)

    def _parts(self, p: Node, adj, parts_of: dict) -> tuple:
        """The op rule's contributions of p to its arguments (as autodiff.backward forms them)."""
        if id(p) not in parts_of:
            flags = tuple(id(a) in adj.requires for a in p.args)
            raw = OPS[p.op].pullback(p, adj.adjoint[id(p)], flags) if any(flags) else (None,) * len(p.args)
            parts_of[id(p)] = tuple(
                None if part is None or not flag else fit_shape(part, a.shape)
                for part, flag, a in zip(raw, flags, p.args)
            )
        return parts_of[id(p)]

    # -- summary lines

    def line(self, section: str, node: str, lhs: Node, formula, terms: list, value: Node, note: str = ""):
        self.steps.append(Step(section, node, lhs, formula, terms, value, note))


def explain(
    problem: Problem,
    v: str | None = None,
    jacobian: bool = False,
    hessian: str | None = None,
    probes: Sequence = (),
    u: str | None = None,
) -> Result:
    """The steps of the forward pass, the backward pass (seeded by 1, or by v), optionally the
    Jacobian row by row and one Hessian entry, evaluated in one program with the kink `probes`.
    The `Result` holds the `Explanation` (data["explanation"]), the value and the gradient."""
    f = problem.output
    if f.shape != () and v is None and not jacobian and u is None:
        raise DiffcliError(
            f"explain needs a scalar output, but this one has shape {f.shape}: weight the "
            "outputs with --v, show the Jacobian row by row with --jacobian, or reduce with sum(...)"
        )
    b = Builder(problem)
    b.forward(b.order, "forward pass")
    if f.is_const:  # a constant output has no operation step of its own
        b.line("forward pass", b.out, b.names.symbol(b.out, latex_name(b.out)), None, [], f)
    grads = []
    jvp = None
    if u is not None:  # the forward sweep first, as it runs: from the inputs to the output
        jvp = forward_section(b, problem, u)
    if v is not None or f.shape == ():
        grads = _gradient_sections(b, problem, v)
    if jacobian:
        _jacobian_sections(b, problem)
    if hessian is not None:
        _hessian_section(b, problem, hessian)
    wanted = [f] + grads + ([jvp] if jvp is not None else [])
    for s in b.steps:
        wanted.append(s.value)
        wanted.extend(n for term in s.terms for n in term)
        wanted.extend(s.parts)
    wanted = _unique(wanted)
    result = Result("explain")
    values = evaluate(problem, wanted, result, probes, b.bindings)  # values, adjoints, locals, parts
    ex = Explanation(b.steps, b.names, {id(n): val for n, val in zip(wanted, values)})
    ex.value = ex.values[id(f)]
    ex.grad = {name: ex.values[id(g)] for name, g in zip(problem.names(), grads)}
    result.data.update(value=ex.value, grad=ex.grad, explanation=ex)
    if jvp is not None:
        result.data["jvp"] = ex.values[id(jvp)]
    return result


def _unique(nodes: list) -> list:
    seen: dict[int, Node] = {}
    for n in nodes:
        seen.setdefault(id(n), n)
    return list(seen.values())


def _gradient_sections(b: Builder, problem: Problem, v: str | None) -> list:
    f = problem.output
    if v is None:
        adj = b.backward(
            f,
            f.graph.const(1.0),
            None,
            problem.wrt,
            b.out,
            f"backward pass: d{b.out}/d(node), reverse topological order",
        )
        return [adj.of(w) for w in problem.wrt]
    seed, bindings = vjp_seed(problem, v)
    assert seed is not None  # --v is given: its seed variable
    b.bindings.update(bindings)
    b.names.give(seed, "v")
    show = b.names.graph.node
    weighted = f.graph.node("sum", (f.graph.node("mul", (seed, f)),), len(f.shape))
    b.line(
        "vector-Jacobian product",
        "L",
        b.names.symbol("L", "L"),
        show("sum", (show("mul", (b.names.node(seed), b.names.node(f))),), len(f.shape)),
        [],
        weighted,
        f"L = v . {b.out}: the outputs weighted by v = {v}",
    )
    adj = b.backward(
        f, seed, b.names.node(seed), problem.wrt, "L", "backward pass: dL/d(node), reverse topological order"
    )
    grads = [adj.of(w) for w in problem.wrt]
    rows = autodiff.jacobian(f, problem.wrt)
    flat_v = autodiff.flat_entries(seed)
    total = f.graph.node("stack", tuple(e for g in grads for e in autodiff.flat_entries(g)))
    terms = [(vi, f.graph.node("stack", tuple(row))) for vi, row in zip(flat_v, rows)]
    shown_v = b.names.node(seed)
    shown = [
        (show("index", (shown_v,), _index(f.shape, k)) if f.shape else shown_v, b.names.symbol(f"J[{k}]", f"J_{{{k}}}"))
        for k in range(len(rows))
    ]
    b.line(
        "vector-Jacobian product",
        "J^T v",
        b.names.symbol("J^T v", "J^{T} v"),
        shown,
        terms,
        total,
        "a weighted sum of the Jacobian's rows: one vector, not the Jacobian; --jacobian shows the rows",
    )
    return grads


def _index(shape, k: int) -> tuple:
    return tuple(int(i) for i in np.unravel_index(k, shape)) if shape else ()


def _jacobian_sections(b: Builder, problem: Problem) -> None:
    f = problem.output
    labels = [b.out] if f.shape == () else [f"{b.out}[{','.join(map(str, _index(f.shape, k)))}]" for k in range(f.size)]
    seeds = problem.fresh(*[("e", f.shape)] * len(labels)) if f.shape else [f.graph.const(1.0)]
    rows = []
    for k, (label, seed) in enumerate(zip(labels, seeds)):
        onehot = np.zeros(f.shape)
        onehot[_index(f.shape, k)] = 1.0
        shown_seed = None
        if f.shape:
            b.bindings[seed.name] = onehot
            b.names.give(seed, f"e{k + 1}")
            shown_seed = b.names.node(seed)
        adj = b.backward(
            f,
            seed,
            shown_seed,
            problem.wrt,
            label,
            f"Jacobian row {k + 1} of {len(labels)}: v = e{k + 1} = {value_text(onehot.reshape(-1))}",
        )
        row = f.graph.node("stack", tuple(e for w in problem.wrt for e in autodiff.flat_entries(adj.of(w))))
        rows.append(row)
        b.line(
            b.steps[-1].section,
            f"J[{k}]",
            b.names.symbol(f"J[{k}]", f"J_{{{k}}}"),
            None,
            [],
            row,
            f"row {k + 1}: the derivatives of {label} by {', '.join(problem.labels())}",
        )
    b.line("Jacobian", "J", b.names.symbol("J", "J"), None, [], f.graph.node("stack", tuple(rows)))


def _hessian_section(b: Builder, problem: Problem, spec: str) -> None:
    names = [s.strip() for s in spec.split(",") if s.strip()]
    if len(names) == 1:
        names = names * 2
    by_name = {w.name: w for w in problem.wrt}
    if len(names) != 2 or any(n not in by_name for n in names):
        raise DiffcliError(
            f"--hessian {spec}: give two differentiated variables, such as --hessian x,y "
            f"(one of {', '.join(by_name) or 'none'}; --hessian x means x,x)"
        )
    first, second = by_name[names[0]], by_name[names[1]]
    f = problem.output
    if first.shape != () or second.shape != () or f.shape != ():
        raise DiffcliError("--hessian explains one entry: it needs a scalar output and scalar variables")
    (g,) = autodiff.gradient(f, [first])
    section = f"Hessian entry: d2{b.out}/d{names[0]}d{names[1]} = d/d{names[1]} (d{b.out}/d{names[0]})"
    known = {id(n) for n in b.order}
    if g.is_const:
        b.line(
            section,
            "H",
            b.names.symbol("H", "H"),
            None,
            [],
            f.graph.const(0.0),
            f"d{b.out}/d{names[0]} = {g.value} is a constant: its derivative is 0",
        )
        return
    gname = b.names.of[id(g)] if id(g) in known else b.names.give(g, b.names.pick(("g", "h")))
    b.forward(
        topological([g]),
        section,
        skip=known,
        notes={id(g): f"{gname} = d{b.out}/d{names[0]} = {to_text(g)}: the derivative is a graph too"},
    )
    adj = b.backward(g, f.graph.const(1.0), None, [second], gname, section)
    b.line(
        section,
        "H",
        b.names.symbol(f"H[{names[0]},{names[1]}]", f"H_{{{latex_name(names[0])},{latex_name(names[1])}}}"),
        None,
        [],
        adj.of(second),
        f"the Hessian entry: row {names[0]}, column {names[1]}",
    )

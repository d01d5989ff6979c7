"""Forward mode: tangents as nodes of the same DAG (`torch.func.jvp`, JAX's `jvp`).

One sweep in topological order gives every node's tangent (its directional derivative along
the seeds' directions): d n = sum over its arguments a of (dn/da) * d a. For an elementwise op
the local partials dn/da are derived from its reverse-mode rule (`Op.vjp` called with g = 1,
the same derivation `explain` shows, local.py), so no op needs a second rule; ops whose rule
cannot be derived that way (matmul, reductions, indexing, lists, softmax, where...) have an
explicit `Op.jvp` in the op table. Tangents are built by the simplifying constructors, so a
zero tangent (a constant, a variable not seeded) is simply absent.

`jvp` is one sweep along a direction (the `jvp` command, `taylor` along a direction);
`jacobian` one sweep per input element, seeded with a unit vector (`jacobian --mode forward`).
"""

from __future__ import annotations

from dataclasses import dataclass

from diffcli.core import local
from diffcli.core.autodiff import Growth, flat_entries
from diffcli.core.graph import Node, apply, is_zero, topological
from diffcli.core.ops import OPS
from diffcli.core.ops.rules import keep_shape


@dataclass
class Tangents:
    """d(node) along the seeds for every node of `order` that depends on a seeded variable."""

    order: list
    tangent: dict  # id(node) -> tangent node (shaped like the node)

    def of(self, n: Node) -> Node:
        found = self.tangent.get(id(n))
        return found if found is not None else n.graph.zeros(n.shape)


def derived(n: Node, tangents: tuple, rules: dict) -> Node | None:
    """An elementwise op's tangent: its local partials (from its VJP with g = 1) times the
    arguments' tangents, summed."""
    key = (n.op, tuple(a.shape for a in n.args), n.payload)
    if key not in rules:
        rules[key] = local.derive(n.op, key[1], n.payload)
    rule = rules[key]
    total = None
    for part, t in zip(rule.parts, tangents):
        if part is None or t is None:
            continue
        term = apply("mul", local.substitute(part, rule.bind(n, n.args), n.graph, simplify=True), t)
        total = term if total is None else apply("add", total, term)
    return total


def step(n: Node, tangents: tuple, rules: dict) -> Node | None:
    """Node n's tangent from its arguments' (None where an argument has none)."""
    op = OPS[n.op]
    if op.no_grad or all(t is None for t in tangents):
        return None
    if op.jvp is not None:
        found = op.jvp(n, tangents)
    elif op.elementwise:
        found = derived(n, tangents, rules)
    else:
        raise AssertionError(f"op `{n.op}` has neither a forward rule nor an elementwise derivation")
    if found is None or is_zero(found):
        return None
    return keep_shape(found, n.shape)


def sweep(outputs: list[Node], seeds: dict) -> Tangents:
    """Tangents of every node of `outputs`' graph, seeded by `seeds` (id(var) -> tangent node
    shaped like the variable)."""
    order = topological(outputs)
    tangent: dict = {}
    rules: dict = {}
    for n in order:
        if id(n) in seeds:
            tangent[id(n)] = seeds[id(n)]
        elif n.args:
            found = step(n, tuple(tangent.get(id(a)) for a in n.args), rules)
            if found is not None:
                tangent[id(n)] = found
    return Tangents(order, tangent)


def jvp(f: Node, wrt: list[Node], directions: list[Node]) -> Node:
    """J u: the tangent of f when each wrt variable moves along its direction node."""
    return sweep([f], {id(w): u for w, u in zip(wrt, directions)}).of(f)


def unit(w: Node, index: tuple) -> Node:
    """The unit vector of one element of variable w, as a node (a scatter of 1)."""
    one = w.graph.const(1.0)
    return one if w.shape == () else apply("scatter", one, payload=(w.shape, index))


def columns(f: Node, wrt: list[Node]) -> list[list[Node]]:
    """d f / d (each wrt element, C order): one forward sweep per element, as flat entries."""
    import numpy as np

    cols = []
    growth = Growth(f.graph, sum(w.size for w in wrt), (f.size, sum(w.size for w in wrt)))
    for w in wrt:
        for index in np.ndindex(*w.shape):
            cols.append(flat_entries(jvp(f, [w], [unit(w, tuple(int(i) for i in index))])))
            growth.step()
    return cols


def jacobian(f: Node, wrt: list[Node]) -> list[list[Node]]:
    """Rows d f_i / d wrt, as `autodiff.jacobian` gives them, computed column by column."""
    cols = columns(f, wrt)
    return [[col[i] for col in cols] for i in range(f.size)]

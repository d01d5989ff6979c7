"""`explain --u`: the forward-mode sweep step by step, beside the backward pass.

Forward mode carries a tangent d(node) from the inputs to the output: each leaf starts at its
part of the direction u, and each operation's tangent is the sum over its arguments of the
local derivative times the argument's tangent (for an elementwise op, the same local
derivatives the backward pass shows, derived from its rule; for the others, the op table's
forward rule written over the names). The output's tangent is J u, the Jacobian-vector
product (torch.func.jvp); the backward pass computes v^T J (PyTorch's backward).
"""

from __future__ import annotations

from diffcli.algebra.text import value_text
from diffcli.compute.problem import Problem, directions
from diffcli.core import forward, local
from diffcli.core.graph import Node, apply
from diffcli.core.ops import OPS
from diffcli.explain.names import latex_name

WHICH = (
    "forward mode: J u, the derivative along u, in one sweep from the inputs (torch.func.jvp); "
    "the backward pass gives v^T J, one sweep from the output (PyTorch's backward)"
)


def forward_section(b, problem: Problem, u: str) -> Node:
    """Steps for every tangent d(node) along u, added to b (explain's `Builder`); returns the
    node of J u."""
    us, bindings, flat = directions(problem, u)
    b.bindings.update(bindings)
    f = problem.output
    tangents = forward.sweep([f], {id(w): d for w, d in zip(problem.wrt, us)})
    names = b.names
    section = (
        f"forward-mode sweep along u = {value_text(flat)}: d(node) = sum of local derivative times "
        "d(argument), topological order"
    )

    def d(n: Node) -> Node:
        name = names.of[id(n)]
        return names.symbol(f"d{name}", f"\\mathrm{{d}}{latex_name(name)}", n.shape)

    for w, direction in zip(problem.wrt, us):
        b.line(section, names.of[id(w)], d(w), None, [], direction, "seed: how far this input moves along u")
    seeded = {id(w) for w in problem.wrt}  # a --wrt intermediate is seeded, not computed
    for n in tangents.order:
        if not n.args or id(n) not in tangents.tangent or id(n) in seeded:
            continue
        op = OPS[n.op]
        args_t = [tangents.tangent.get(id(a)) for a in n.args]
        shown_args = tuple(names.node(a) for a in n.args)
        if op.jvp is None and op.elementwise:
            rule = b.local(n)
            formula, numbers, parts = [], [], []
            for i, (a, t) in enumerate(zip(n.args, args_t)):
                part = rule.parts[i]
                if t is None or part is None:
                    continue
                shown = local.substitute(
                    part,
                    rule.bind(names.node(n), shown_args),
                    names.graph,
                    simplify=True,
                    implicit=True,
                    spell=names.spelled,
                )
                factor = local.substitute(part, rule.bind(n, n.args), n.graph)
                formula.append((d(a), shown))
                numbers.append((t, factor))
                parts.append(apply("mul", t, factor))
            note = ""
        else:
            shown_node = names.graph.node(n.op, shown_args, n.payload)
            assert op.jvp is not None  # an op that is not elementwise has a forward rule (test_forward checks)
            formula = op.jvp(shown_node, tuple(None if t is None else d(a) for a, t in zip(n.args, args_t)))
            numbers, parts = [], []
            note = f"the forward rule of `{n.op}`"
        b.line(section, names.of[id(n)], d(n), formula, numbers, tangents.tangent[id(n)], note)
        b.steps[-1].parts = parts
    total = tangents.of(f)
    b.line("Jacobian-vector product", "J u", names.symbol("J u", "J u", f.shape), None, [], total, WHICH)
    return total

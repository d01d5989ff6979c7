"""`diffcli graph`: every node of the computation graph with its value and its grad.

One reverse sweep (`autodiff.backward`) gives every node's adjoint as a node; the function's
nodes and all adjoints are then evaluated in one program. Each node becomes one record with
SPEC's keys, in topological order (inputs before the nodes that use them), so a shared node is
listed once and referred to by its `id` afterwards.

Conventions, as PyTorch's: a node that does not require grad has `grad` None and `grad_fn`
None, and it counts as a leaf (`is_leaf`), like a tensor computed without autograd; numbers
of the expression are leaves that do not require grad.
"""

from __future__ import annotations

from . import autodiff
from .api import Problem, Result, _run, _seed
from .graph import const
from .ops import OPS


def graph(problem: Problem, v: str | None = None) -> Result:
    result = Result({}, command="graph")
    out = problem.output
    seed = _seed(problem, v)
    if seed is None:
        seed = const(1.0, out.shape)
    adj = autodiff.backward([(out, seed)], problem.wrt)
    order = adj.order
    needs = [n for n in order if id(n) in adj.requires]
    values = _run(problem, order + [adj.of(n) for n in needs], result)
    value_of = {id(n): values[i] for i, n in enumerate(order)}
    grad_of = {id(n): values[len(order) + i] for i, n in enumerate(needs)}
    ids = {id(n): i for i, n in enumerate(order)}
    names = {id(node): name for name, node in problem.parsed.names.items()}
    result.data["nodes"] = [_record(n, ids, names, value_of, grad_of) for n in order]
    result.data["output"] = ids[id(out)]
    return result


def _record(n, ids: dict, names: dict, value_of: dict, grad_of: dict) -> dict:
    requires = id(n) in grad_of
    name = names.get(id(n))
    if n.op == "var":
        name = n.payload[0]
    return {
        "id": ids[id(n)],
        "op": n.op,
        "name": name,
        "inputs": [ids[id(a)] for a in n.args],
        "value": value_of[id(n)],
        "grad": grad_of.get(id(n)),
        "grad_fn": OPS[n.op].grad_fn or None if requires and n.args else None,
        "is_leaf": not n.args or not requires,
        "requires_grad": requires,
        "expr": formula(n, ids, names),
    }


def label(n, ids: dict, names: dict) -> str:
    """How a node is referred to: its name, or `#id` for an unnamed operation."""
    if n.op == "var":
        return n.payload[0]
    return names.get(id(n)) or f"#{ids[id(n)]}"


def formula(n, ids: dict, names: dict) -> str:
    """The node's operation over its inputs' labels (`a * b`, `x + 1`); numbers inline."""
    from .graph import Node
    from .render.text import to_text

    if not n.args:
        return to_text(n)
    refs = tuple(a if a.is_const and a.shape == () else Node("var", (), (label(a, ids, names), a.shape), a.shape)
                 for a in n.args)
    return to_text(Node(n.op, refs, n.payload, n.shape))

"""`diffcli graph`: every node of the computation graph with its value and its grad.

One reverse sweep (`autodiff.backward`) gives every node's adjoint as a node; the function's
nodes, all adjoints and the kink probes are then evaluated in one plan (`request.evaluate`).
Each node becomes one record with SPEC's keys, in topological order (inputs before the nodes
that use them), so a shared node is listed once and referred to by its `id` afterwards.

Conventions, as PyTorch's: a node that does not require grad has `grad` None and `grad_fn`
None, and it counts as a leaf (`is_leaf`), like a tensor computed without autograd; numbers
of the expression are leaves that do not require grad.
"""

from __future__ import annotations

from diffcli.algebra.text import to_text
from diffcli.compute.kinks import probes
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, kink_probes, vjp_seed
from diffcli.core import autodiff
from diffcli.core.graph import Graph, Node
from diffcli.core.ops import OPS
from diffcli.explain.names import Names


def graph(problem: Problem, v: str | None = None, kinks: bool = True) -> Result:
    """Every node's record; `v` weighs a non-scalar output (the grads are then a VJP's);
    `kinks`: also look for kinks the point sits on (findings in the result)."""
    result = Result("graph")
    out = problem.output
    seed, bindings = vjp_seed(problem, v)
    adj = autodiff.backward([(out, seed if seed is not None else out.graph.const(1.0, out.shape))], problem.wrt)
    found: list[tuple] = []
    if kinks:  # the probes want d(sum of outputs)/d(node): this pass's adjoints unless --v weighs them
        found = probes(adj) if seed is None else kink_probes(problem)
    order = adj.order
    needs = [n for n in order if id(n) in adj.requires]
    values = evaluate(problem, order + [adj.of(n) for n in needs], result, found, bindings)
    value_of = {id(n): values[i] for i, n in enumerate(order)}
    grad_of = {id(n): values[len(order) + i] for i, n in enumerate(needs)}
    ids = {id(n): i for i, n in enumerate(order)}
    shown = Names.for_problem(problem)  # as explain names them: variables, statements, y, then a, b, ...
    shown.name_all(order)
    names = {k: v for k, v in shown.of.items() if k in ids}
    starts = {id(w) for w in problem.wrt if w.args}  # intermediates named by --wrt: leaves of this differentiation
    result.data["nodes"] = [record(n, ids, names, value_of, grad_of, id(n) in starts) for n in order]
    result.data["output"] = ids[id(out)]
    return result


def record(n: Node, ids: dict, names: dict, value_of: dict, grad_of: dict, start: bool = False) -> dict:
    requires = id(n) in grad_of
    leaf = not n.args or not requires or start
    return {
        "id": ids[id(n)],
        "op": n.op,
        "name": n.name if n.op == "var" else names.get(id(n)),
        "inputs": [ids[id(a)] for a in n.args],
        "value": value_of[id(n)],
        "grad": grad_of.get(id(n)),
        "grad_fn": None if leaf else OPS[n.op].backward_name(n) or None,
        "is_leaf": leaf,
        "requires_grad": requires,
        "expr": formula(n, ids, names),
    }


def label(n: Node, ids: dict, names: dict) -> str:
    """How a node is referred to: its name (every operation has one), or `#id` failing that."""
    if n.op == "var":
        return n.name
    return names.get(id(n)) or f"#{ids[id(n)]}"


def formula(n: Node, ids: dict, names: dict) -> str:
    """The node's operation over its inputs' labels (`a * b`, `x + 1`); numbers inline.

    The inputs become variables named by their labels in a scratch graph, so the printer
    (render.text, with its precedence rules) writes the operation and the problem's graph
    gains no nodes."""
    if not n.args:
        return to_text(n)
    scratch = Graph()
    refs = tuple(
        scratch.const(a.value) if a.is_const and a.shape == () else scratch.var(label(a, ids, names), a.shape)
        for a in n.args
    )
    return to_text(scratch.intern(n.op, refs, n.payload, n.shape))

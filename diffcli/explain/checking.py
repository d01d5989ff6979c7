"""`diffcli check`: three answers compared, like torch's gradcheck and more.

1. reverse mode: the derivative nodes evaluated in one plan with the function;
2. symbolic: the same derivatives printed as formulas (render.text), parsed back and evaluated
   on their own, which also tests the printer, the parser and the simplifier; a formula that
   uses an internal op with no syntax (sum_to, expand...) is evaluated as a graph instead;
3. central differences of the value (a step scaled to each variable element, numcheck.step).
The Hessian (up to HESSIAN_LIMIT variable elements) is compared likewise, its numeric answer
from central differences of the reverse-mode gradient, as gradgradcheck does. Its reverse-mode
and symbolic answers come from hessian.py's Hessian-vector products H u, the one Hessian
method: the direction variables u are ordinary names, bound to the unit basis as a batch, so
the printed products parse back and run with the same basis.
A non-scalar output is checked through its vector-Jacobian product with --v.
"""

from __future__ import annotations

import numpy as np

from diffcli.algebra.text import to_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.kinks import probes
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, kink_probes, vjp_seed
from diffcli.core import autodiff
from diffcli.core import hessian as hvp
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Graph, Node, apply, topological
from diffcli.core.layout import columns
from diffcli.core.numcheck import central_jacobian, compare
from diffcli.errors import DiffcliError
from diffcli.syntax.parse import parse

HESSIAN_LIMIT = 30  # variable elements: the Hessian is one batch of that many directions
TEXT_LIMIT = 100_000  # characters: a formula written out longer than this is not re-parsed


def target(problem: Problem, v: str | None) -> tuple[Node, dict]:
    """(the scalar that is differentiated, the bindings it needs beside the point's): the
    output, or sum(v * output) with --v (v a fresh variable, bound here)."""
    seed, bindings = vjp_seed(problem, v)
    out = problem.output
    if seed is None:
        return out, bindings
    return apply("sum", apply("mul", seed, out), payload=len(out.shape)), bindings


def check(
    problem: Problem,
    v: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hessian: bool = True,
    kinks: bool = True,
) -> Result:
    """The three answers, entry by entry, in SPEC's keys; `kinks`: also look for kinks the
    point sits on (findings in the result)."""
    result = Result("check")
    for name in problem.intermediates():
        raise DiffcliError(
            f"--wrt {name}: check compares with central differences, which move variables, and `{name}` "
            "is an intermediate of the file: check by its variables, or see d output/d "
            f"{name} with grad --wrt {name}"
        )
    f, bindings = target(problem, v)
    wrt, layout = problem.wrt, problem.layout
    adj = autodiff.backward([(f, f.graph.const(1.0, f.shape))], wrt)
    grads = [adj.of(w) for w in wrt]
    found: list[tuple] = []
    if kinks:  # the probes want d(output)/d(node): this pass's adjoints unless --v weighs them
        found = probes(adj) if v is None else kink_probes(problem)
    products, batched, basis = [], set(), np.eye(layout.size)
    with_hessian = hessian and layout.size <= HESSIAN_LIMIT
    if with_hessian:
        directions = problem.fresh(*(("u", w.shape) for w in wrt))
        made = hvp.products(grads, wrt, directions)
        products = made.products
        bindings.update(made.bindings(wrt, basis))
        batched = {u.name for u in directions}
    values = evaluate(problem, [f] + grads + products, result, found, bindings, batched)
    point = {**problem.bindings, **bindings}
    symbolic, reparsed = symbolic_values(problem, grads + products, point, batched)
    exact = layout.pack(values[1 : 1 + len(grads)])
    f_plan = Plan([f], dev=problem.device)
    names = problem.names()
    numeric = central_jacobian(lambda pt: to_numpy(f_plan.run(pt)[0]), point, names)
    labels = problem.labels()
    symbolic_grad = layout.pack(symbolic[: len(grads)])
    table = compare_rows(labels, exact, symbolic_grad, numeric, rtol, atol)
    data = result.data
    data["value"] = values[0]
    data["grad"] = layout.unpack(exact)
    data["symbolic"] = layout.unpack(symbolic_grad)
    data["numeric"] = layout.unpack(numeric)
    data["symbolic_from_text"] = reparsed
    data["wrt"] = names
    if with_hessian:
        table += hessian_rows(
            data, problem, grads, values[1 + len(grads) :], symbolic[len(grads) :], products, basis, point, rtol, atol
        )
    if any(w.shape != () for w in wrt):
        data["labels"] = labels
    errors = [row[4] for row in table]
    data["ok"] = all(row[6] for row in table)
    data["max_abs_error"] = max(errors) if errors and all(np.isfinite(errors)) else (0.0 if not errors else None)
    data["rows"] = table
    data["tolerance"] = {"rtol": rtol, "atol": atol}
    return result


def hessian_rows(
    data: dict,
    problem: Problem,
    grads: list,
    exact: list,
    symbolic: list,
    products: list,
    basis: np.ndarray,
    point: dict,
    rtol: float,
    atol: float,
) -> list[tuple]:
    """The Hessian's three answers into `data`, and its rows of the table (`H[x;y]` entries):
    reverse mode and symbolic from the products over `basis`, numeric from central
    differences of the reverse-mode gradient."""
    layout = problem.layout
    exact_h = hessian_matrix(exact, products, basis)
    symbolic_h = hessian_matrix(symbolic, products, basis)
    grad_plan = Plan(grads, dev=problem.device)
    numeric_h = central_jacobian(
        lambda pt: layout.pack([to_numpy(g) for g in grad_plan.run(pt)]), point, problem.names()
    )
    entries = [label for label, _ in columns({"labels": problem.labels(), "hessian": exact_h})]
    data["hessian"] = exact_h
    data["symbolic_hessian"] = symbolic_h
    data["numeric_hessian"] = numeric_h
    return compare_rows(entries, exact_h.reshape(-1), symbolic_h.reshape(-1), numeric_h.reshape(-1), rtol, atol)


def hessian_matrix(values: list, products: list, basis: np.ndarray) -> np.ndarray:
    """The n x n Hessian from the values of the H u products over the unit basis; a product
    that does not depend on u (a constant, zero) has no batch axis and is broadcast to one."""
    return hvp.symmetric(hvp.matrix(values, len(basis), [n.shape for n in products]))


def symbolic_values(problem: Problem, nodes: list, point: dict, batched=frozenset()) -> tuple[list, bool]:
    """(values, all read back from text): each derivative printed, parsed into a graph of its
    own (names bound as at `point`, direction variables among them) and evaluated apart from
    the reverse-mode plan, with the `batched` names carrying the batch of directions."""
    shapes = {name: np.shape(value)[1:] if name in batched else np.shape(value) for name, value in point.items()}
    formulas, reparsed = [], True
    for n in nodes:
        back = None
        if printed_length(n) <= TEXT_LIMIT:  # text writes shared nodes out: it can grow as n^2
            try:
                back = parse(to_text(textbook(n)), shapes, graph=Graph()).output
            except DiffcliError:  # an internal op (sum_to, expand...) has no syntax
                pass
        if back is None or back.shape != n.shape:
            back, reparsed = n, False
        formulas.append(back)
    if not formulas:
        return [], reparsed
    values = Plan(formulas, batched, problem.device).run(point)
    return [to_numpy(x) for x in values], reparsed


def printed_length(root: Node) -> int:
    """An upper bound of len(to_text(root)), without writing it (capped to stay small)."""
    size: dict[int, int] = {}
    for n in topological([root]):
        own = len(str(n.payload[0])) if n.op == "var" else 24  # a number, or an op's name and brackets
        size[id(n)] = min(TEXT_LIMIT + 1, own + sum(size[id(a)] + 4 for a in n.args))
    return size[id(root)]


def compare_rows(labels, exact, symbolic, numeric, rtol, atol) -> list[tuple]:
    """(label, reverse, symbolic, numeric, abs error, rel error, ok) per entry; the errors are
    reverse against numeric; ok needs reverse to agree with both other answers."""
    abs_err, rel_err, agrees = compare(exact, numeric, rtol, atol)
    same = compare(exact, symbolic, rtol, atol)[2]
    return [
        (label, float(e), float(s), float(n), float(a), float(r), bool(ok and sm))
        for label, e, s, n, a, r, ok, sm in zip(labels, exact, symbolic, numeric, abs_err, rel_err, agrees, same)
    ]

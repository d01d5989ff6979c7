"""`diffcli check`: three answers compared, like torch's gradcheck and more.

1. reverse mode: the derivative nodes evaluated in one program with the function;
2. symbolic: the same derivatives printed as formulas (render.text), parsed back and evaluated
   on their own, which also tests the printer, the parser and the simplifier; a formula that
   uses an internal op with no syntax (sum_to, expand...) is evaluated as a graph instead;
3. central differences of the value (a step scaled to each variable element, numcheck.step).
The Hessian (scalar outputs, up to HESSIAN_LIMIT variable elements) is compared likewise, its
numeric answer from central differences of the reverse-mode gradient, as gradgradcheck does.
A non-scalar output is checked through its vector-Jacobian product with --v.
"""

from __future__ import annotations

import numpy as np

from . import autodiff
from .api import Problem, Result, _run, _seed
from .evaluate import Program
from .graph import apply
from .numcheck import central_jacobian, compare

HESSIAN_LIMIT = 30  # variable elements; the Hessian costs one reverse sweep per element
TEXT_LIMIT = 100_000  # characters: a formula written out longer than this is not re-parsed


def target(problem: Problem, v: str | None):
    """The scalar that is differentiated: the output, or sum(v * output) with --v."""
    seed = _seed(problem, v)
    out = problem.output
    if seed is None:
        return out
    return apply("sum", apply("mul", seed, out), payload=len(out.shape))


def check(problem: Problem, v: str | None = None, rtol: float = 1e-5, atol: float = 1e-6,
          hessian: bool = True) -> Result:
    result = Result({}, command="check")
    f = target(problem, v)
    names = problem.names()
    width = len(problem.labels())
    with_hessian = hessian and width <= HESSIAN_LIMIT
    if with_hessian:
        grads, rows = autodiff.hessian(f, problem.wrt)
    else:
        grads, rows = autodiff.gradient(f, problem.wrt), []
    flat_h = [e for row in rows for e in row]
    values = _run(problem, [f] + grads + flat_h, result)
    exact = _flatten(values[1:1 + len(grads)])
    symbolic, reparsed = symbolic_values(problem, grads + flat_h)
    program = Program([f])
    numeric = central_jacobian(lambda pt: program.run(pt, problem.ev)[0], problem.bindings, names)
    entries = [_compare_rows(problem.labels(), exact, symbolic[:width], numeric, rtol, atol)]
    data = result.data
    data["value"] = values[0]
    data["grad"] = _by_name(problem, exact)
    data["symbolic"] = _by_name(problem, symbolic[:width])
    data["numeric"] = _by_name(problem, numeric)
    data["symbolic_from_text"] = reparsed
    data["wrt"] = names
    if with_hessian:
        exact_h = _flatten(values[1 + len(grads):]).reshape(width, width)
        grad_program = Program(grads)
        numeric_h = central_jacobian(lambda pt: _flatten(grad_program.run(pt, problem.ev)), problem.bindings, names)
        labels = [f"H[{r};{c}]" for r in problem.labels() for c in problem.labels()]
        entries.append(_compare_rows(labels, exact_h.reshape(-1), symbolic[width:], numeric_h.reshape(-1), rtol, atol))
        data["hessian"] = exact_h
        data["symbolic_hessian"] = symbolic[width:].reshape(width, width)
        data["numeric_hessian"] = numeric_h
    if any(s != () for s in (v.shape for v in problem.wrt)):
        data["labels"] = problem.labels()
    table = [row for part in entries for row in part]
    errors = [row[4] for row in table]
    data["ok"] = all(row[6] for row in table)
    data["max_abs_error"] = max(errors) if errors and all(np.isfinite(errors)) else (0.0 if not errors else None)
    data["rows"] = table
    data["tolerance"] = {"rtol": rtol, "atol": atol}
    return result


def _flatten(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays]) if arrays else np.zeros(0)


def _by_name(problem: Problem, flat: np.ndarray) -> dict:
    out, start = {}, 0
    for var in problem.wrt:
        size = var.size
        out[var.payload[0]] = flat[start:start + size].reshape(var.shape)
        start += size
    return out


def symbolic_values(problem: Problem, nodes: list) -> tuple[np.ndarray, bool]:
    """(values, all read back from text): each derivative printed, parsed and evaluated alone."""
    from .errors import DiffcliError
    from .parse import parse
    from .render.text import to_text

    shapes = {k: np.shape(v) for k, v in problem.bindings.items()}
    formulas, reparsed = [], True
    for n in nodes:
        back = None
        if printed_length(n) <= TEXT_LIMIT:  # text writes shared nodes out: it can grow as n^2
            try:
                back = parse(to_text(n), shapes).output
            except DiffcliError:  # an internal op (sum_to, expand, a seed) has no syntax
                pass
        if back is None or back.shape != n.shape:
            back, reparsed = n, False
        formulas.append(back)
    return _flatten(Program(formulas).run(problem.bindings, problem.ev) if formulas else []), reparsed


def printed_length(root) -> int:
    """An upper bound of len(to_text(root)), without writing it (capped to stay small)."""
    from .graph import topological

    size: dict[int, int] = {}
    for n in topological([root]):
        own = len(str(n.payload[0])) if n.op == "var" else 24  # a number, or an op's name and brackets
        size[id(n)] = min(TEXT_LIMIT + 1, own + sum(size[id(a)] + 4 for a in n.args))
    return size[id(root)]


def _compare_rows(labels, exact, symbolic, numeric, rtol, atol) -> list[tuple]:
    """(label, reverse, symbolic, numeric, abs error, rel error, ok) per entry; the errors are
    reverse against numeric; ok needs reverse to agree with both other answers."""
    abs_err, rel_err, agrees = compare(exact, numeric, rtol, atol)
    same = compare(exact, symbolic, rtol, atol)[2]
    return [(label, float(e), float(s), float(n), float(a), float(r), bool(ok and sm))
            for label, e, s, n, a, r, ok, sm in zip(labels, exact, symbolic, numeric, abs_err, rel_err, agrees, same)]

"""Hessians at scale: forward-over-reverse in one batched pass, and structural sparsity.

H u = d/dx (grad f . u) is one more reverse pass over the gradient's graph, with the direction
u a new variable per wrt variable. Every direction is then evaluated in ONE batched run of that
graph (the directions are the batch axis; everything that depends only on x is computed once):
the n unit vectors give the dense Hessian, and for a sparse one a few colour vectors suffice.

The sparsity pattern comes from the DAG: a node that is nonlinear in its inputs couples every
pair of variables it depends on; linear nodes (sums, indexing, products with a constant)
couple nothing. Columns that share no row get one colour (greedy distance-2 colouring), so a
tridiagonal Hessian takes three directions whatever n is. The pattern is per variable: a vector
variable's elements count as one block.
"""

from __future__ import annotations

import numpy as np

from . import autodiff
from . import graph as G
from .compiled import Batch, to_numpy
from .graph import Node, topological

LINEAR = {"add", "sub", "neg", "sum", "mean", "index", "stack", "expand", "sum_to", "broadcast_to",
          "transpose", "scatter", "where", "detach", "const", "var"}


def directions(f: Node, wrt: list[Node]):
    """(gradient nodes, H u nodes, direction variables u)."""
    grads = autodiff.gradient(f, wrt)
    us = [G.var(f"u#{k}", v.shape) for k, v in enumerate(wrt)]
    total = None
    for g, u in zip(grads, us):
        term = G.apply("mul", g, u)
        if term.shape:
            term = G.apply("sum", term, payload=len(term.shape))
        total = term if total is None else G.apply("add", total, term)
    hv = autodiff.gradient(total, wrt) if total is not None else []
    return grads, hv, us


def hessian_products(f: Node, wrt: list[Node], bindings: dict, ev, basis: np.ndarray):
    """(value, gradient values, H @ basis.T as rows) for direction rows `basis` (k x n)."""
    grads, hv, us = directions(f, wrt)
    sizes = [max(v.size, 1) for v in wrt]
    offsets = np.cumsum([0] + sizes)
    points = {u.payload[0]: basis[:, offsets[k]:offsets[k + 1]].reshape((len(basis),) + tuple(v.shape))
              for k, (u, v) in enumerate(zip(us, wrt))}
    batch = Batch([f] + grads + hv, set(points), ev)
    values = batch.evaluate({**bindings, **points}, len(basis))
    n = len(grads)
    values = [to_numpy(v) for v in values]
    products = np.concatenate([h.reshape(len(basis), -1) for h in values[1 + n:]], axis=1)
    return values[0][0], [g[0] for g in values[1:1 + n]], products


def dense(f: Node, wrt: list[Node], bindings: dict, ev):
    """(value, gradient values, Hessian): all n unit directions in one batched pass."""
    width = sum(max(v.size, 1) for v in wrt)
    if width == 0:  # no variables: an empty Hessian
        from .evaluate import Program

        return to_numpy(Program([f]).run(bindings, ev)[0]), [], np.zeros((0, 0))
    value, grads, products = hessian_products(f, wrt, bindings, ev, np.eye(width))
    # row d is (H e_d)^T = column d of H; the upper triangle is mirrored so that H is exactly
    # symmetric (two products may round differently in the last bit)
    return value, grads, np.triu(products) + np.triu(products, 1).T


def pattern(f: Node, wrt: list[Node]) -> list[set]:
    """For each wrt variable k, the variables j whose H[k, j] may be non-zero.

    Variable sets are built only below nonlinear nodes: a long linear sum on top (Rosenbrock's)
    would otherwise make the work quadratic."""
    position = {id(v): k for k, v in enumerate(wrt)}
    needs = autodiff.requires_grad(topological([f]), wrt)
    nonlinear = [n for n in topological([f]) if id(n) in needs and not _linear(n, needs)]
    deps: dict[int, frozenset] = {}
    for n in topological(nonlinear):
        if id(n) in position:
            deps[id(n)] = frozenset((position[id(n)],))
        elif id(n) in needs:
            parts = [deps[id(a)] for a in n.args if id(a) in needs]
            deps[id(n)] = parts[0] if len(parts) == 1 else frozenset().union(*parts)
    coupled = [set() for _ in wrt]
    for n in nonlinear:
        for k in deps[id(n)]:
            coupled[k] |= deps[id(n)]
    return coupled


def _linear(n: Node, needs: set) -> bool:
    """Whether n is linear in the inputs that depend on the variables."""
    if n.op in LINEAR:
        return True
    if n.op in ("mul", "matmul"):
        return sum(1 for a in n.args if id(a) in needs) <= 1
    if n.op == "div":
        return id(n.args[1]) not in needs
    return False


def colour(coupled: list[set]) -> list[int]:
    """Greedy colouring of columns: two columns sharing a row never share a colour."""
    colours = [-1] * len(coupled)
    for j in range(len(coupled)):
        taken = {colours[k] for row in coupled[j] for k in coupled[row] if colours[k] >= 0}
        c = 0
        while c in taken:
            c += 1
        colours[j] = c
    return colours


def sparse(f: Node, wrt: list[Node], bindings: dict, ev):
    """(value, gradient values, rows, cols, entries, number of directions) for scalar variables."""
    if any(v.shape != () for v in wrt):
        from .errors import DiffcliError

        raise DiffcliError("--sparse works with scalar variables (x1, x2, ...); a vector variable's "
                           "Hessian is dense: drop --sparse")
    if not wrt:
        value, _, _ = dense(f, wrt, bindings, ev)
        return value, [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), 0
    coupled = pattern(f, wrt)
    colours = colour(coupled)
    count = max(colours, default=-1) + 1
    basis = np.zeros((max(count, 1), len(wrt)))
    basis[colours, np.arange(len(wrt))] = 1.0
    value, grads, products = hessian_products(f, wrt, bindings, ev, basis)
    rows, cols = [], []
    for i, row in enumerate(coupled):
        for j in sorted(row):
            rows.append(i)
            cols.append(j)
    rows, cols = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    # column j's colour direction holds H[:, j] on the rows coupled to j (no other column of
    # that colour reaches those rows)
    entries = products[np.asarray(colours, dtype=np.int64)[cols], rows] if len(rows) else np.zeros(0)
    return value, grads, rows, cols, entries, count


def run_sparse(problem, fmt: str, strict: bool) -> int:
    """`hessian --sparse`: value, gradient and the Hessian as coordinates (row, col, value) of
    its structural non-zeros, 0-based, row by row."""
    import json
    import sys

    from .api import Result
    from .quick import show, warn
    from .render.text import number

    f = problem.output
    if f.shape != ():
        from .errors import DiffcliError

        raise DiffcliError(f"hessian needs a scalar output, but this one has shape {f.shape}")
    value, grads, rows, cols, entries, _ = sparse(f, problem.wrt, problem.bindings, problem.ev)
    names = problem.names()
    result = Result({"value": value, "grad": dict(zip(names, grads))}, command="hessian")
    if not all(np.isfinite(x) for x in [value, *grads, *entries]):
        result.warnings.append("a result is not finite")
    if fmt in ("json", "csv"):
        warn(result, strict)
        if fmt == "json":
            data = {"value": _json_number(value), "grad": {k: _json_number(g) for k, g in zip(names, grads)},
                    "wrt": names, "hessian": {"shape": [len(names)] * 2, "rows": rows.tolist(),
                                              "cols": cols.tolist(), "values": [_json_number(e) for e in entries]}}
            print(json.dumps(data))
        else:
            sys.stdout.write("row,col,value\n" + "".join(
                f"{names[r]},{names[c]},{number(e)}\n" for r, c, e in zip(rows.tolist(), cols.tolist(), entries.tolist())))
        return 0
    show(result, "plain", strict)
    sys.stdout.write("".join(f"{r} {c} {number(e)}\n" for r, c, e in zip(rows.tolist(), cols.tolist(), entries.tolist())))
    return 0


def _json_number(x):
    x = float(x)
    return x if np.isfinite(x) else None

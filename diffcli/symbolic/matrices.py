"""Symbolic gradient, Hessian and Jacobian: the matrices of formulas a textbook (or SymPy's
`hessian`) writes, for `grad`/`hessian`/`jacobian` without a full --at point.

The entries are the derivative DAGs reverse mode builds (the ones the numeric commands
evaluate), with the names --at binds replaced by their numbers (the partial evaluation a student
means by `grad "x^2*y" --at x=1`: formulas in y), printed as `diff` prints: the rules' guards
taken out (algebra/guards.py) and the textbook form. `--det` is the determinant of the square
matrix, by cofactors, simplified, with sin(u)^2 + cos(u)^2 = 1 tried (the polar Jacobian's is r).
"""

from __future__ import annotations

import numpy as np

from diffcli.algebra.guards import has_where, unguard
from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import to_text, writable_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result
from diffcli.core import autodiff
from diffcli.core.graph import Node, apply, topological
from diffcli.core.local import substitute
from diffcli.errors import DiffcliError
from diffcli.symbolic import checking

MOST_DET = 4  # the largest matrix whose determinant is expanded by cofactors (4! terms)
KEYS = {"grad": "grad", "hessian": "hessian", "jacobian": "jacobian"}


def entries(problem: Problem, command: str) -> list[list[Node]]:
    """The matrix of derivative nodes: grad one row, hessian n x n, jacobian m x n."""
    f, wrt = problem.output, problem.wrt
    for name, w in zip(problem.names(), wrt):
        if w.shape != ():
            raise DiffcliError(
                f"the formulas of {command} are by scalar variables, and `{name}` has shape {w.shape}: "
                "give every name a value with --at for numbers"
            )
    if command == "jacobian":
        # a vector written [f1, f2]: each component's gradient (no scatter of an indexed stack)
        parts = list(f.args) if f.op == "stack" and all(a.shape == () for a in f.args) else None
        if parts is None:
            return autodiff.jacobian(f, wrt) if wrt else [[] for _ in range(max(f.size, 1))]
        return [autodiff.gradient(p, wrt) if wrt else [] for p in parts]
    if f.shape != ():
        raise DiffcliError(
            f"{command} needs a scalar output, but this one has shape {f.shape}: "
            "reduce it with sum(...), pick an element with [i], or use jacobian"
        )
    gradient = autodiff.gradient(f, wrt) if wrt else []
    if command == "grad":
        return [gradient]
    if problem.intermediates():
        raise DiffcliError(
            f"hessian differentiates twice by variables, and `{problem.intermediates()[0]}` is defined "
            "in the input: give the variables to --wrt"
        )
    return [autodiff.gradient(g, wrt) for g in gradient]


def bind(nodes: list[Node], values: dict) -> list[Node]:
    """The nodes with the names of `values` (scalars) replaced by their numbers."""
    if not values or not nodes:
        return nodes
    graph = nodes[0].graph
    found = {n.name: n for n in topological(nodes) if n.op == "var"}
    mapping = {}
    for name, value in values.items():
        if name in found:
            if np.shape(value) != ():
                raise DiffcliError(
                    f"--at {name}: the formulas take numbers for scalar names only, and `{name}` is given "
                    f"shape {np.shape(value)}: bind every name for numbers"
                )
            mapping[id(found[name])] = graph.const(float(value))
    if not mapping:
        return nodes
    return [substitute(n, mapping, graph, simplify=True) for n in nodes]


def determinant(rows: list[list[Node]]) -> Node:
    """det by cofactors along the first row (sizes up to MOST_DET)."""
    n = len(rows)
    if n == 0:
        raise DiffcliError("--det: the matrix is empty")
    if any(len(r) != n for r in rows):
        raise DiffcliError(f"--det needs a square matrix, and this one is {n} x {len(rows[0])}")
    if n > MOST_DET:
        raise DiffcliError(
            f"--det expands determinants up to {MOST_DET} x {MOST_DET} as formulas; this one is {n} x {n}: "
            "give every name a value with --at for numbers"
        )
    if n == 1:
        return rows[0][0]
    total = None
    for j, head in enumerate(rows[0]):
        minor = [[r[k] for k in range(n) if k != j] for r in rows[1:]]
        term = apply("mul", head, determinant(minor))
        total = term if total is None else apply("add" if j % 2 == 0 else "sub", total, term)
    assert total is not None, "n >= 2 here, so the first row has terms"
    return total


def pythagoras(n: Node) -> Node:
    """n with each cos(u)^2 written 1 - sin(u)^2 (where sin(u) appears too), to be simplified."""
    nodes = topological([n])
    sines = {id(m.args[0]) for m in nodes if m.op == "sin"}
    graph = n.graph
    mapping = {
        id(m): graph.node("sub", (graph.const(1.0), graph.node("pow", (graph.node("sin", m.args[0].args), m.args[1]))))
        for m in nodes
        if m.op == "pow" and m.args[0].op == "cos" and id(m.args[0].args[0]) in sines and is_two(m.args[1])
    }
    return substitute(n, mapping, graph, simplify=True) if mapping else n


def is_two(n: Node) -> bool:
    return n.op == "const" and n.shape == () and n.value == 2.0


def shown(node: Node, keep: bool) -> Node:
    """A node as printed: its guards out (unless the input's own `where` keeps them), textbook form."""
    return textbook(node if keep else unguard(node)[0])


def simplest(node: Node, keep: bool) -> Node:
    """The printed determinant: the textbook form, or that of its Pythagorean rewrite if shorter."""
    best = shown(node, keep)
    other = shown(pythagoras(best), keep)
    return min((best, other), key=lambda m: len(to_text(m).replace(" ", "")))


def pmatrix(rows: list[list[str]]) -> str:
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(r) for r in rows) + " \\end{pmatrix}"


def formulas(problem: Problem, command: str, values: dict, det: bool = False) -> Result:
    """The matrix of formulas (or its determinant) as text that parses back and LaTeX."""
    rows = entries(problem, command)
    width = len(rows[0]) if rows else 0
    flat = bind([e for r in rows for e in r], values)
    rows = [flat[i * width : (i + 1) * width] for i in range(len(rows))]
    keep = has_where(problem.output)
    names = problem.names()
    if det:
        d = simplest(determinant(rows), keep)
        return Result(command, {"det": writable_text(d), "latex": to_latex(d), "wrt": names})
    printed = [[shown(e, keep) for e in r] for r in rows]
    texts = [[writable_text(e) for e in r] for r in printed]
    latex = pmatrix([[to_latex(e) for e in r] for r in printed])
    key = KEYS[command]
    return Result(command, {key: texts[0] if command == "grad" else texts, "latex": latex, "wrt": names})


def labels(command: str, names: list[str], rows: int) -> list[str]:
    """Each entry's label, row-major, as the numeric CSV writes it (d_x, H[x;y], J[0;x])."""
    if command == "grad":
        return [f"d_{n}" for n in names]
    row_names = names if command == "hessian" else [str(i) for i in range(rows)]
    letter = "H" if command == "hessian" else "J"
    return [f"{letter}[{r};{n}]" for r in row_names for n in names]


def check(problem: Problem, command: str, values: dict, answer: str) -> Result:
    """grad/hessian/jacobian --check: an answer per entry (symbolic/checking.py)."""
    rows = entries(problem, command)
    flat = bind([e for r in rows for e in r], values)
    got = bind(checking.answers(problem, checking.split_answers(answer), len(flat)), values)
    return checking.compare(problem, flat, got, labels(command, problem.names(), len(rows)), command)

"""`diff` in matrix notation: d/dx x@A@x = (A + transpose(A))@x.

The expression is parsed with the declared shapes (size symbols as stand-in numbers, see
sizes.py) or with the --at values; reverse mode builds the derivative DAG from the op table's
matrix rules (`g @ transpose(b)`); terms.py reads it as a matrix term, simplify.py writes it the
Matrix Cookbook way and printer.py prints it. A Jacobian or a Hessian is read off a
vector-Jacobian product (linear.py). Layout: matrixcalculus.org's, the derivative's last axes
contract with the variable's: the gradient of a scalar has the variable's shape, the Jacobian
of a vector f by a vector x is J[i, j] = df_i/dx_j, the Hessian H[i, j] = d^2 f/dx_i dx_j.
With --at, the printed form's own numbers are computed and compared with reverse mode's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffcli.compute.problem import Problem, load, read_expression
from diffcli.compute.request import Result, evaluate
from diffcli.core import autodiff
from diffcli.core.engine import device
from diffcli.core.graph import Graph, Node
from diffcli.errors import DiffcliError, ShapeError
from diffcli.matrix import linear, numbers, printer, rules, simplify
from diffcli.matrix.reading import from_node
from diffcli.matrix.sizes import Sizes, bind, parse_shapes
from diffcli.matrix.terms import NoMatrixForm, Term, var
from diffcli.syntax.parse import names_used, parse
from diffcli.syntax.points import parse_at

SEED = "<u>"  # the seed of a vector-Jacobian product: a name no text can hold
TOLERANCE = 1e-8  # relative, for the check of the matrix form against reverse mode


@dataclass(frozen=True)
class Ask:
    """What the matrix `diff` is asked: the text, --shape, --at, --wrt, --order, --of."""

    expr: str
    shapes: tuple = ()
    at: tuple = ()
    wrt: tuple = ()
    order: int = 1
    of: str | None = None
    steps: bool = False


@dataclass
class Derived:
    """The derivative as a term, what kind of thing it is, and the node it came from."""

    term: Term | None
    form: str  # gradient, jacobian, hessian, derivative
    node: Node  # reverse mode's (a VJP in the seed for a Jacobian or Hessian)
    seed: Node | None = None
    shape: tuple = ()  # the derivative's shape
    why: str = ""  # when term is None: why there is no matrix form


def problem_of(ask: Ask) -> tuple[Problem, Sizes]:
    """The expression bound to its shapes: the declared ones (symbols as stand-ins), or the
    --at values' (checked against the declaration)."""
    sizes = parse_shapes(ask.shapes)
    if ask.at and sizes.declared:
        bind(sizes, parse_at(list(ask.at)))  # a value that contradicts --shape, named before parsing
    try:
        if ask.at:
            problem = load(ask.expr, list(ask.at), list(ask.wrt) or None, of=ask.of)
            return problem, bind(sizes, problem.bindings)
        read = read_expression(ask.expr)
        shapes = {name: () for name in names_used(read[0])}
        shapes.update(sizes.shapes())
        parsed = parse(read[0], shapes, ask.of, Graph())
    except ShapeError as e:
        raise ShapeError(sizes.translate(str(e))) from None
    names = list(ask.wrt) or [name for name in sizes.declared if name in shapes]
    wrt = [parsed.graph.var(name, shapes.get(name, ())) for name in names]
    return Problem(parsed, {}, wrt, device(), read[1], names), sizes


def wanted(ask: Ask) -> list[str]:
    names = [part.strip() for spec in ask.wrt for part in spec.split(",") if part.strip()]
    if len(names) != 1:
        raise DiffcliError("matrix notation differentiates by one variable: name it with --wrt x")
    return names


def derive(problem: Problem, name: str, order: int) -> Derived:
    """Reverse mode's derivative node, and its matrix term where it has one."""
    f, graph, v = problem.output, problem.graph, variable(problem, name)
    if order not in (1, 2):
        raise DiffcliError("matrix notation prints first and second derivatives: use --order 1 or 2")
    if len(f.shape) > 1 or len(v.shape) > 1 and f.shape != () or (order == 2 and (f.shape or len(v.shape) > 1)):
        return Derived(None, "tensor", f, why=order_note(f, v, order))
    if order == 1 and f.shape != ():  # a vector by a vector (or a scalar): the Jacobian, from the VJP in a seed u
        seed = graph.var(SEED, f.shape)
        made = Derived(None, "jacobian", autodiff.gradient(f, [v], seed)[0], seed, shape=f.shape + v.shape)
    else:
        first = autodiff.gradient(f, [v])[0]  # f is a scalar here: order 2 of a non-scalar returned above
        if order == 1:
            made = Derived(None, "gradient" if v.shape else "derivative", first, shape=v.shape)
        elif not v.shape:
            made = Derived(None, "derivative", autodiff.gradient(first, [v])[0])
        else:
            seed = graph.var(SEED, v.shape)
            made = Derived(None, "hessian", autodiff.gradient(first, [v], seed)[0], seed, shape=v.shape * 2)
    try:
        made.term = read(made, v)
    except NoMatrixForm as e:
        made.why = f"no matrix form: {e}; " + (
            "the numbers below are reverse mode's" if problem.bindings else "give values with --at for the numbers"
        )
    return made


def read(made: Derived, v: Node) -> Term:
    """The matrix term of a derivative node (a Jacobian's or Hessian's matrix read off its VJP)."""
    if made.seed is None:
        return from_node(made.node)
    m = linear.matrix_of(from_node(made.node), var(made.seed.name, made.seed.shape))
    if made.form == "jacobian" and v.shape:  # m is J^T (for a scalar variable, the vector df/dv)
        return simplify.transpose(m)
    return m


def variable(problem: Problem, name: str) -> Node:
    found = dict(zip(problem.names(), problem.wrt)).get(name)
    if found is None:
        raise DiffcliError(f"--wrt {name}: `{name}` is not declared with --shape nor bound with --at")
    return found


def order_note(f: Node, v: Node, order: int) -> str:
    axes = len(f.shape) + order * len(v.shape)
    return (
        f"the derivative is a tensor with {axes} axes, which has no matrix form: "
        "its numbers come from jacobian or hessian with --at"
    )


def matrix_diff(ask: Ask) -> Result:
    """The derivative in matrix notation (text, LaTeX), and with --at its numbers and the check."""
    (name,) = wanted(ask)
    problem, sizes = problem_of(ask)
    derived = derive(problem, name, ask.order)
    symbols = sizes.symbol_of()
    data: dict = {"wrt": [name], "order": ask.order, "form": derived.form}
    result = Result("diff", data)
    if derived.term is None:
        if not problem.bindings:
            raise NoMatrixForm(derived.why)
        result.notes.append(derived.why)
        if derived.form != "tensor":
            data["value"] = reverse_numbers(problem, derived, result)
        return result
    data["derivative"] = printer.text(derived.term, symbols)
    data["latex"] = printer.latex(derived.term, symbols)
    data["shape"] = [symbols.get(k, k) for k in derived.term.shape]
    if ask.steps:
        data["steps"] = rules.steps(problem.output, variable(problem, name), symbols)
    if sizes.declared:
        data["sizes"] = {s: k for s, k in sizes.number.items()} if problem.bindings else list(sizes.number)
    if problem.bindings:
        check(problem, derived, result)
    return result


def check(problem: Problem, derived: Derived, result: Result) -> None:
    """The matrix form's numbers beside reverse mode's, and whether they agree."""
    assert derived.term is not None, "matrix_diff checks only a derivative that has a matrix form"
    env = {k: np.asarray(v, dtype=float) for k, v in problem.bindings.items()}
    mine = numbers.value(derived.term, env)
    theirs = reverse_numbers(problem, derived, result)
    if theirs.shape != mine.shape:
        theirs = np.broadcast_to(theirs, mine.shape) if theirs.size == 1 or theirs.ndim < mine.ndim else theirs
    gap = float(np.max(np.abs(mine - theirs))) if mine.size else 0.0
    scale = max(1.0, float(np.max(np.abs(theirs))) if theirs.size else 1.0)
    result.data["value"] = mine
    result.data["check"] = {
        "reverse_mode": theirs,
        "max_abs_difference": gap,
        "agrees": bool(gap <= TOLERANCE * scale),
    }


def reverse_numbers(problem: Problem, derived: Derived, result: Result) -> np.ndarray:
    """Reverse mode's numbers of the same derivative: the gradient, or the VJP at each basis
    vector u = e_j (column j of the matrix read off it)."""
    if derived.seed is None:
        (value,) = evaluate(problem, [derived.node], result)
        return np.asarray(value, dtype=float)
    n = derived.seed.shape[0]
    (columns,) = evaluate(problem, [derived.node], result, bindings={SEED: np.eye(n)}, batched={SEED})
    columns = np.broadcast_to(np.asarray(columns, dtype=float), (n, *derived.node.shape)).reshape(n, -1)
    if derived.form == "jacobian":  # column j is J^T e_j, the j-th row of J
        return columns.reshape(derived.shape)
    return columns.T.reshape(derived.shape)

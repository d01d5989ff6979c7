"""The way into matrix terms from the DAG: a (derivative) node read as a matrix term, each
operation through simplify.py's smart constructors, so the term comes out simplified; where
the DAG leaves matrix notation (an index, a tensor of order 3), NoMatrixForm."""

from __future__ import annotations

from diffcli.core.graph import Node, topological
from diffcli.matrix import primitives as p
from diffcli.matrix import simplify as s
from diffcli.matrix.terms import NoMatrixForm, Term, num, var

# ops whose adjoint the converter writes as a call of the same name (elementwise functions,
# the last-axis ops and the issue-28 linear algebra when its ops exist)
CALLS = {"trace", "det", "logdet", "inv", "solve", "kron", "softmax", "logsumexp", "where"}


# issue 28's primitives, from which the language builds trace, diag, outer, kron, dot, ...
PRIMITIVES = {
    "cofactor": lambda n, a: p.cofactor(a[0]),
    "diagonal": lambda n, a: p.diagonal(n, a[0]),
    "diag_embed": lambda n, a: p.diag_embed(n, a[0]),
    "einsum": p.einsum,
    "permute": lambda n, a: p.permute(n, a[0]),
    "reshape": lambda n, a: p.reshape(n, a[0]),
}


def from_node(root: Node, expand_ok: bool = True) -> Term:
    """The term of a (derivative) node; NoMatrixForm where the DAG leaves matrix notation."""
    made: dict = {}
    for n in topological([root]):
        a = [made[id(x)] for x in n.args]
        made[id(n)] = convert(n, a)
    return made[id(root)]


def convert(n: Node, a: list) -> Term:
    op, shape = n.op, n.shape
    if op == "var":
        return var(n.name, shape)
    if op == "const":
        return num(n.value, shape)
    if op == "add":
        return s.add(a[0], a[1], shape=shape)
    if op == "sub":
        return s.add(a[0], s.scale(-1.0, a[1]), shape=shape)
    if op == "neg":
        return s.scale(-1.0, a[0])
    if op == "mul":
        return s.had(a[0], a[1], shape=shape)
    if op == "div":
        return s.div(a[0], a[1], shape)
    if op == "pow" and n.args[1].op == "const" and n.args[1].shape == ():
        return s.power(a[0], n.args[1].value)
    if op == "matmul":
        return s.mm(a[0], a[1])
    if op == "transpose":
        return s.transpose(a[0])
    if op == "expand":
        if a[0].shape == () or (a[0].rank == 1 and n.payload == 1):
            return Term("col", (a[0],), None, shape) if a[0].shape else a[0]
        raise NoMatrixForm("an axis added to a matrix")
    if op in ("sum_to", "broadcast_to"):
        return reshaped(a[0], shape)
    if op == "sum" and n.payload == len(n.args[0].shape):
        return p.total(a[0])
    if op in PRIMITIVES:
        return PRIMITIVES[op](n, a)
    if op == "norm" and n.payload == len(n.args[0].shape):
        return s.fn("norm", a, shape)
    if op in ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sqrt", "abs", "sigmoid", "relu", "softplus"):
        return s.fn(op, a, shape)
    if op == "where" and at_zero_of_norm(n):
        return a[2] if n.args[1].op == "const" and n.args[1].value == 0.0 else a[1]
    if op in CALLS or op in ("diag", "outer", "eye"):
        return s.fn(op, a, shape, n.payload)
    if op in ("index", "scatter", "stack"):
        raise NoMatrixForm("an index or a list: the derivative is written element by element")
    if n.payload is None:
        return s.fn(op, a, shape)
    raise NoMatrixForm(f"`{op}` over some axes has no matrix form here")


def reshaped(t: Term, shape: tuple) -> Term:
    """A broadcast or its sum back to `shape`, where matrix notation can say it."""
    if t.shape == shape:
        return t
    if t.kind == "col" and shape == t.args[0].shape + (1,):
        return t
    if shape == ():
        return s.total(t)
    if t.shape == ():
        return Term("fill", (t,), None, shape)
    if t.kind == "col" and len(shape) == 2:
        return t
    raise NoMatrixForm(f"a broadcast from shape {t.shape} to {shape}")


def at_zero_of_norm(n: Node) -> bool:
    """where(norm(u) == 0, 0, g): the norm's gradient convention at 0; matrix notation writes
    the derivative where it exists (u != 0), as the Cookbook does."""
    c = n.args[0]
    return (
        c.op == "eq"
        and c.args[0].op == "norm"
        and c.args[1].op == "const"
        and c.args[1].value == 0.0
        and any(b.op == "const" and b.value == 0.0 for b in n.args[1:])
    )

"""Issue 28's primitive ops read back into the Cookbook's vocabulary.

The language's `trace`, `diag`, `outer`, `kron`, `tensordot`, `dot` are built from a few op-table
primitives (diagonal, diag_embed, einsum, permute, reshape, cofactor), so a derivative DAG holds
those primitives, never the names a reader expects. Here each is read as a matrix term:
sum(diagonal(A)) is trace(A), diag_embed(v) is diag(v), an einsum of matrices and vectors is a
chain of `@`, an outer product, an elementwise product or trace(transpose(A)@B), a permutation of
a matrix is its transpose, and det's gradient cofactor(X) is det(X)*transpose(inv(X)) (the
Cookbook's form, where X is invertible; the op table's cofactor is also defined at a singular X).
Anything else (a tensor of order 3, an offset diagonal, a batch) is NoMatrixForm.
"""

from __future__ import annotations

from diffcli.core.graph import Node
from diffcli.matrix import simplify as s
from diffcli.matrix.terms import NoMatrixForm, Term, is_num


def cofactor(x: Term) -> Term:
    """d det(X)/dX = det(X)*transpose(inv(X)) (Cookbook eq. 49)."""
    return s.had(s.fn("det", (x,), ()), s.transpose(s.fn("inv", (x,), x.shape)), shape=x.shape)


def diagonal(n: Node, x: Term) -> Term:
    """diagonal(A) of a matrix, offset 0: the language's diag(A)."""
    if x.rank != 2 or n.payload not in (0, None):
        raise NoMatrixForm("an offset diagonal or a diagonal of a tensor")
    return Term("fn", (x,), "diag", n.shape)


def diag_embed(n: Node, v: Term) -> Term:
    """diag_embed(v) with no offset: diag(v); of a filled scalar c: c*eye(n)."""
    size, _, offset = n.payload
    if v.rank != 1 or offset != 0 or n.shape != (size, size):
        raise NoMatrixForm("a diagonal off the main one or of a batch")
    if v.kind == "fill":
        return s.had(v.args[0], Term("eye", (), None, n.shape), shape=n.shape)
    if is_num(v):
        return s.scale(v.data, Term("eye", (), None, n.shape))
    return s.diagonal(v)


def total(x: Term) -> Term:
    """sum of all elements; of a diagonal, the trace."""
    if x.kind == "fn" and x.data == "diag" and x.args[0].rank == 2:
        return s.fn("trace", x.args, ())
    return s.total(x)


def permute(n: Node, x: Term) -> Term:
    axes = tuple(n.payload) if n.payload is not None else ()
    if axes == tuple(range(x.rank)):
        return x
    if x.rank == 2 and axes == (1, 0):
        return s.transpose(x)
    raise NoMatrixForm("a permutation of a tensor's axes")


def reshape(n: Node, x: Term) -> Term:
    """A reshape that changes nothing matrix notation sees (same shape, or a flattened vector),
    or one between kron(P, Q) and its four-axis form (kron's builder and its adjoint)."""
    if x.shape == n.shape or (x.rank <= 1 and len(n.shape) <= 1):
        return x
    if x.kind == "kron4" and len(n.shape) == 2:
        return s.fn("kron", x.args, n.shape)
    if x.rank == 2 and len(n.shape) == 4:
        return kron4(x, n.shape)
    raise NoMatrixForm(f"a reshape from {x.shape} to {n.shape}")


def kron4(x: Term, shape: tuple) -> Term:
    """A (p*q) by (r*s) matrix as the four-axis T[a, c, b, d] = P[a, b]*Q[c, d], where it is
    kron(P, Q): c*eye(p*q) = kron(c*eye(p), eye(q)), or kron(P, Q) itself."""
    p, q, r, t = shape
    k, base = s.split(x)
    if base.kind == "fn" and base.data == "kron" and base.args[0].shape == (p, r) and base.args[1].shape == (q, t):
        left, right = base.args
    elif base.kind == "eye" and (p, q) == (r, t):
        left, right = Term("eye", (), None, (p, p)), Term("eye", (), None, (q, q))
    elif base.kind == "had" and len(base.args) == 2 and base.args[0].shape == () and base.args[1].kind == "eye":
        left, right = s.had(base.args[0], Term("eye", (), None, (p, p))), Term("eye", (), None, (q, q))
    else:
        raise NoMatrixForm(f"a reshape of a matrix to {shape}")
    return Term("kron4", (s.scale(k, left), right), None, shape)


def einsum(n: Node, args: list) -> Term:
    """An einsum of vectors and matrices as matrix operations, contracted a pair at a time."""
    inputs, output = str(n.payload).split("->")
    factors = []
    for t, labels in zip(args, inputs.split(",")):
        if t.kind == "kron4":  # T[a, c, b, d] = P[a, b]*Q[c, d]: two matrix factors
            factors += [(t.args[0], labels[0] + labels[2]), (t.args[1], labels[1] + labels[3])]
        elif t.rank > 2:
            raise NoMatrixForm("an einsum over a tensor of order 3 or more")
        else:
            factors.append((t, labels))
    if len(output) == 4 and len(factors) == 2 and output == "".join(a + b for a, b in zip(*(f[1] for f in factors))):
        return Term("kron4", tuple(t for t, _ in factors), None, n.shape)  # kron's builder
    while len(factors) > 1:
        i, j = sharing(factors)
        (a, la), (b, lb) = factors[i], factors[j]
        later = "".join(labels for k, (_, labels) in enumerate(factors) if k not in (i, j)) + output
        factors = [f for k, f in enumerate(factors) if k not in (i, j)] + [pair(a, la, b, lb, later)]
    t, labels = factors[0]
    return arrange(t, labels, output)


def sharing(factors: list) -> tuple[int, int]:
    """The first two factors with an index in common (else the first two)."""
    for i, (_, li) in enumerate(factors):
        for j in range(i + 1, len(factors)):
            if set(li) & set(factors[j][1]):
                return i, j
    return 0, 1


def pair(a: Term, la: str, b: Term, lb: str, keep: str) -> tuple[Term, str]:
    """Two factors as one, summing the labels that no later factor nor the output has."""
    a, la = summed_alone(a, la, lb + keep)
    b, lb = summed_alone(b, lb, la + keep)
    shared = [c for c in la if c in lb]
    gone = [c for c in shared if c not in keep]
    if not la or not lb:  # a scalar times the other
        rest = la or lb
        return s.had(a, b), rest
    if not shared:
        if len(la) == 1 and len(lb) == 1:
            return s.outer(a, b), la + lb
        raise NoMatrixForm("an outer product of matrices (a tensor of order 3 or more)")
    if len(gone) == 1 and len(shared) == 1:  # one index summed: a chain of @
        c = gone[0]
        a = s.transpose(a) if la[0] == c and len(la) == 2 else a
        b = s.transpose(b) if lb[-1] == c and len(lb) == 2 else b
        return s.mm(a, b), la.replace(c, "") + lb.replace(c, "")
    if sorted(la) == sorted(lb):
        b = b if lb == la else s.transpose(b)
        if not gone:
            return s.had(a, b, shape=a.shape), la
        if len(gone) == len(la):
            return (s.mm(a, b) if len(la) == 1 else s.fn("trace", (s.mm(s.transpose(a), b),), ())), ""
    raise NoMatrixForm("an einsum with no matrix form")


def summed_alone(t: Term, labels: str, elsewhere: str) -> tuple[Term, str]:
    """An index only this factor has, summed: of a vector, its sum."""
    alone = [c for c in labels if c not in elsewhere]
    if not alone:
        return t, labels
    if len(alone) == len(labels):
        return s.total(t), ""
    raise NoMatrixForm("a sum of a matrix along one axis")


def arrange(t: Term, labels: str, output: str) -> Term:
    t, labels = summed_alone(t, labels, output)
    if labels == output:
        return t
    if labels[::-1] == output:
        return s.transpose(t)
    raise NoMatrixForm("an einsum with no matrix form")

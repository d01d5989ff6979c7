"""The matrix of a linear map given as a term: E(u) = M@u -> M.

A Jacobian or a Hessian comes out of reverse mode as a vector-Jacobian product, a term linear
in a seed vector u (`transpose(A)@u + A@u`); reading off the matrix that multiplies u gives the
derivative in matrix notation (`transpose(A) + A`). Elementwise factors become `diag`, a
scalar that depends on u linearly (`x*(x@u)`) an outer product.
"""

from __future__ import annotations

from diffcli.matrix import simplify as s
from diffcli.matrix.terms import NoMatrixForm, Term, num


def holds(t: Term, u: Term, memo: dict) -> bool:
    found = memo.get(t)
    if found is None:
        found = memo[t] = t == u or any(holds(a, u, memo) for a in t.args)
    return found


def matrix_of(e: Term, u: Term) -> Term:
    """M with e = M@u (e a vector: M a matrix; e a scalar: M a vector, e = M@u)."""
    memo: dict = {}
    return _matrix(e, u, memo)


def _matrix(e: Term, u: Term, memo: dict) -> Term:
    n = u.shape
    if not holds(e, u, memo):
        return num(0.0, e.shape + n)
    if e == u:
        return Term("eye", (), None, n + n)
    kind = e.kind
    if kind == "add":  # a scalar term of a vector sum is broadcast: its matrix is ones times its row
        return s.add(
            *(
                s.outer(s.fill(num(1.0), e.shape), _matrix(t, u, memo))
                if t.shape == () and e.shape
                else _matrix(t, u, memo)
                for t in e.args
                if holds(t, u, memo)
            )
        )
    if kind == "scale":
        return s.scale(e.data, _matrix(e.args[0], u, memo))
    if kind == "mm":
        return chain(e, u, memo)
    if kind == "had":
        return product(e, u, memo)
    if kind == "div" and not holds(e.args[1], u, memo):
        a, b = e.args
        inner = _matrix(a, u, memo)
        if b.shape == () or e.shape == ():
            return s.div(inner, b)
        return s.mm(s.diagonal(s.div(num(1.0), b, b.shape)), inner)
    if kind == "T" and e.args[0].rank < 2:
        return _matrix(e.args[0], u, memo)
    raise NoMatrixForm("the derivative is not linear in matrix form here")


def chain(e: Term, u: Term, memo: dict) -> Term:
    factors = e.args
    inside = [i for i, f in enumerate(factors) if holds(f, u, memo)]
    if len(inside) != 1:
        raise NoMatrixForm("u on both sides of a product")
    (i,) = inside
    if i == len(factors) - 1:
        return s.mm(*factors[:-1], _matrix(factors[-1], u, memo))
    if i == 0 and e.shape == () and factors[0].rank == 1:  # f(u)@r is r@f(u)
        return s.mm(s.mm(*factors[1:]), _matrix(factors[0], u, memo))
    raise NoMatrixForm("a derivative in the middle of a matrix product")


def product(e: Term, u: Term, memo: dict) -> Term:
    inside = [f for f in e.args if holds(f, u, memo)]
    if len(inside) != 1:
        raise NoMatrixForm("a product of two factors that both depend on u")
    (f,) = inside
    rest = [g for g in e.args if g is not f]
    if not rest:
        return _matrix(f, u, memo)
    others = rest[0]
    for g in rest[1:]:
        others = s.had(others, g)
    inner = _matrix(f, u, memo)
    if others.shape == ():
        return s.had(others, inner)
    if f.shape == ():  # vector * (scalar linear in u): an outer product
        return s.outer(others, inner)
    if others.rank == 1 and f.rank == 1:
        return s.mm(s.diagonal(others), inner)
    raise NoMatrixForm("an elementwise product of matrices")

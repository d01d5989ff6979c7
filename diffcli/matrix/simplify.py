"""Smart constructors of matrix terms: each builds its term simplified the Matrix Cookbook way.

Numbers and scalars come out front (`2*transpose(X)@r`), a transpose moves inward
(transpose(A@B) = transpose(B)@transpose(A), transpose(transpose(A)) = A, a vector is its own
transpose), a vector times a matrix is a column (`v@A` is `transpose(A)@v`), like terms collect
(`x + x` is `2*x`), sums with a common right or left factor are factored
(`A@x + transpose(A)@x` is `(A + transpose(A))@x`), and `sum(a*b)` of vectors is `a@b`.
"""

from __future__ import annotations

from diffcli.matrix.terms import NoMatrixForm, Term, is_num, num


def broadcast(*shapes) -> tuple:
    out = ()
    for sh in shapes:
        if len(sh) > len(out):
            out = sh
    return out


def split(t: Term) -> tuple[float, Term]:
    """(coefficient, base): 2*x -> (2, x)."""
    if t.kind == "scale":
        return t.data, t.args[0]
    return 1.0, t


def scale(c: float, t: Term) -> Term:
    if c == 1.0:
        return t
    if t.kind == "num":
        return num(c * t.data, t.shape)
    if c == 0.0:
        return num(0.0, t.shape)
    k, base = split(t)
    return Term("scale", (base,), c * k, t.shape) if c * k != 1.0 else base


def add(*terms: Term, shape: tuple | None = None) -> Term:
    shape = broadcast(*(t.shape for t in terms)) if shape is None else shape
    flat: list = []
    for t in terms:
        flat.extend(t.args if t.kind == "add" else (t,))
    coef: dict = {}
    for t in flat:
        if t.kind == "fill" and t.shape == shape:
            t = t.args[0]
        if is_num(t, 0.0):
            continue
        k, base = split(t)
        if base.kind == "num":
            k, base = k * base.data, num(1.0, base.shape)
        coef[base] = coef.get(base, 0.0) + k
    kept = sorted((scale(k, b) for b, k in coef.items() if k != 0.0), key=lambda t: (split(t)[0] < 0, transposed(t)))
    if not kept:
        return num(0.0, shape)
    if len(kept) == 1 and kept[0].shape == shape:
        return kept[0]
    return factor(Term("add", tuple(kept), None, shape))


def transposed(t: Term) -> bool:
    """Sort key of a sum's terms: A before transpose(A), as the Cookbook writes A + A^T."""
    return split(t)[1].kind == "T"


def common_scalar(t: Term) -> Term | None:
    """s*a + s*b -> s*(a + b) for a scalar s that every term has as a factor."""
    firsts = []
    for u in t.args:
        k, base = split(u)
        if base.kind != "had" or base.args[0].shape != ():
            return None
        firsts.append(base.args[0])
    if any(f != firsts[0] for f in firsts):
        return None
    s = firsts[0]
    return had(s, add(*(scale(split(u)[0], had_without(split(u)[1], s)) for u in t.args)))


def factor(t: Term) -> Term:
    """A sum whose terms share the last (or first) factor of their `@` chains, factored:
    A@x + transpose(A)@x -> (A + transpose(A))@x; a term that is the factor itself counts
    as eye@factor, which only a square factor allows."""
    shared = common_scalar(t)
    if shared is not None:
        return shared
    for side in (-1, 0):
        parts = [chain(u) for u in t.args]
        ends = [p[1][side] if len(p[1]) > 1 else None for p in parts]
        common = ends[0]
        if common is None or any(e != common for e in ends):
            continue
        rest = []
        for k, factors in parts:
            inner = factors[:-1] if side == -1 else factors[1:]
            rest.append(scale(k, mm(*inner)))
        if any(r.rank > 2 for r in rest):
            continue
        c, together = common_coefficient(add(*rest))
        return scale(c, mm(together, common) if side == -1 else mm(common, together))
    return t


def common_coefficient(t: Term) -> tuple[float, Term]:
    """-0.5*P - 0.5*transpose(P) -> (-0.5, P + transpose(P)): a factored sum's shared number."""
    if t.kind != "add":
        return split(t)
    ks = {split(u)[0] for u in t.args}
    if len(ks) != 1:
        return 1.0, t
    (k,) = ks
    return k, Term("add", tuple(split(u)[1] for u in t.args), None, t.shape)


def chain(t: Term) -> tuple[float, tuple]:
    k, base = split(t)
    return k, base.args if base.kind == "mm" else (base,)


def had(a: Term, b: Term, shape: tuple | None = None) -> Term:
    """The elementwise product, with scalars and numbers out front."""
    shape = broadcast(a.shape, b.shape) if shape is None else shape
    ka, a = split(a)
    kb, b = split(b)
    k = ka * kb
    if a.kind == "fill":
        a = a.args[0]
    if b.kind == "fill":
        b = b.args[0]
    if is_num(a):
        return scale(k * a.data, b if b.shape == shape else fill(b, shape))
    if is_num(b):
        return scale(k * b.data, a if a.shape == shape else fill(a, shape))
    if a.kind == "col" or b.kind == "col":
        return scale(k, columns(a, b))
    if b.kind == "div" and is_num(b.args[0], 1.0):  # a*(1/b) -> a/b
        return scale(k, div(a, b.args[1], shape))
    factors: list[Term] = []
    for t in (a, b):
        factors.extend(t.args if t.kind == "had" else (t,))
    factors.sort(key=lambda f: f.shape != ())  # scalars first: s*x, as the Cookbook writes them
    if len(factors) == 2 and factors[0].shape == () and factors[1].kind == "div" and factors[1].args[1] == factors[0]:
        return scale(k, factors[1].args[0])  # s*(u/s) -> u
    return scale(k, Term("had", tuple(factors), None, shape))


def fill(t: Term, shape: tuple) -> Term:
    return t if t.shape == shape else Term("fill", (t,), None, shape)


def columns(a: Term, b: Term) -> Term:
    """The elementwise product where a factor is a vector as a column (an adjoint's expand):
    col(u)*v is the outer product, col(u)*B is diag(u)@B."""
    if b.kind == "col":
        a, b = b, a
    u = a.args[0]
    if b.kind == "col":
        return Term("col", (had(u, b.args[0]),), None, a.shape)
    if b.shape == ():
        return Term("col", (had(u, b),), None, a.shape)
    if b.rank == 1:
        return outer(u, b)
    if b.rank == 2:
        return mm(diagonal(u), b)
    raise NoMatrixForm("a product of a column and a tensor")


def outer(u: Term, v: Term) -> Term:
    """u v^T, numbers and scalar factors out front: outer(s*x, x) = s*outer(x, x)."""
    ku, u = split(u)
    kv, v = split(v)
    scalars = []
    for side in (u, v):
        if side.kind == "had" and side.args[0].shape == ():
            scalars.append(side.args[0])
    u = had_without(u, u.args[0]) if u.kind == "had" and u.args[0].shape == () else u
    v = had_without(v, v.args[0]) if v.kind == "had" and v.args[0].shape == () else v
    out = Term("outer", (u, v), None, u.shape + v.shape)
    for c in scalars:
        out = had(c, out)
    return scale(ku * kv, out)


def diagonal(v: Term) -> Term:
    return Term("diag", (v,), None, v.shape + v.shape)


def div(a: Term, b: Term, shape: tuple | None = None) -> Term:
    shape = broadcast(a.shape, b.shape) if shape is None else shape
    ka, a = split(a)
    kb, b = split(b)
    if is_num(b):
        return scale(ka / (kb * b.data), a)
    if a == b:
        return num(ka / kb, shape)
    logistic = sigmoid_of(a, b)
    if logistic is not None:
        return scale(ka / kb, logistic)
    if a.kind == "had" and b in a.args:  # (s*u)/s -> u
        rest = list(a.args)
        rest.remove(b)
        return scale(ka / kb, rest[0] if len(rest) == 1 else Term("had", tuple(rest), None, shape))
    return scale(ka / kb, Term("div", (a, b), None, shape))


def power(a: Term, p: float) -> Term:
    if p == 1.0:
        return a
    if p == 0.0:
        return num(1.0, a.shape)
    return Term("pow", (a,), p, a.shape)


def mm(*factors: Term) -> Term:
    """The chain of `@`, numbers out front, written column-wise: a vector times a matrix,
    v@A, is transpose(A)@v, so a chain whose value is a vector ends in a vector."""
    if len(factors) == 1:
        return factors[0]
    k = 1.0
    flat: list[Term] = []
    for f in factors:
        kf, f = split(f)
        k *= kf
        if is_num(f, 0.0):
            return num(0.0, matmul_shape([x.shape for x in factors]))
        for g in f.args if f.kind == "mm" else (f,):
            if g.kind == "eye" and (flat or len(factors) > 1):
                continue
            if (
                flat
                and g.rank == 2
                and matmul_shape([x.shape for x in flat])
                and len(matmul_shape([x.shape for x in flat])) == 1
            ):
                t = transpose(g)  # (chain)@G, the chain a vector: transpose(G)@chain
                flat[:0] = t.args if t.kind == "mm" else (t,)
            else:
                flat.append(g)
    if not flat:
        return scale(k, Term("eye", (), None, factors[0].shape))
    scalars = [f.args[0] for f in flat if f.kind == "had" and f.args[0].shape == ()]
    if scalars:  # A@(s*x) -> s*(A@x): a scalar factor comes out front
        flat = [had_without(f, f.args[0]) if f.kind == "had" and f.args[0].shape == () else f for f in flat]
        out = mm(*flat)
        for c in scalars:
            out = had(c, out)
        return scale(k, out)
    shape = matmul_shape([f.shape for f in flat])
    if shape == () and flat[0].rank == 2:  # transpose(A)@x@y is x@A@y: a scalar reads left to right
        p = next(i for i, f in enumerate(flat) if f.rank == 1)
        flat = [flat[p]] + [transpose(f) for f in reversed(flat[:p])] + flat[p + 1 :]
        flat = [x for f in flat for x in (f.args if f.kind == "mm" else (f,))]
    flat = pairs(flat)
    if not flat:  # everything cancelled: P@inv(P)
        return scale(k, Term("eye", (), None, matmul_shape([x.shape for x in factors])))
    if len(flat) == 1:
        return scale(k, flat[0])
    return scale(k, Term("mm", tuple(flat), None, matmul_shape([f.shape for f in flat])))


def pairs(flat: list) -> list:
    """Neighbours that make one term: diag(v)@outer(a, b) = outer(v*a, b), outer(a, b)@diag(v)
    = outer(a, b*v), outer(a, b)@c = (b@c)*a, and diag(v)@(eye - outer(1, w)) distributed
    (softmax's Jacobian: diag(s) - outer(s, s))."""
    out: list = []
    for g in flat:
        f = out[-1] if out else None
        if f is not None and inverse_pair(f, g):  # P@inv(P) = eye, transpose(P)@transpose(inv(P)) = eye
            out.pop()
            continue
        if f is not None and f.kind == "diag" and g.rank == 1:  # diag(v)@w = v*w
            out[-1] = had(f.args[0], g)
        elif f is not None and f.kind == "diag" and g.kind == "outer":
            out[-1] = outer(had(f.args[0], g.args[0]), g.args[1])
        elif f is not None and f.kind == "outer" and g.kind == "diag":
            out[-1] = outer(f.args[0], had(f.args[1], g.args[0]))
        elif (
            f is not None
            and f.kind == "diag"
            and g.kind == "add"
            and any(t.kind in ("eye", "outer") for t in map(lambda t: split(t)[1], g.args))
        ):
            out[-1] = add(*(mm(f, t) for t in g.args))
        elif (
            f is not None
            and f.kind == "add"
            and g.kind == "diag"
            and any(t.kind in ("eye", "outer") for t in map(lambda t: split(t)[1], f.args))
        ):
            out[-1] = add(*(mm(t, g) for t in f.args))
        else:
            out.append(g)
    return out


def inverse_pair(f: Term, g: Term) -> bool:
    def inv_of(t: Term) -> Term | None:
        return t.args[0] if t.kind == "fn" and t.data == "inv" else None

    if f.kind == "T" and g.kind == "T":
        f, g = f.args[0], g.args[0]
    return inv_of(g) == f or inv_of(f) == g


def had_without(t: Term, factor: Term) -> Term:
    rest = list(t.args)
    rest.remove(factor)
    return rest[0] if len(rest) == 1 else Term("had", tuple(rest), None, t.shape)


def matmul_shape(shapes: list) -> tuple:
    shape = shapes[0]
    for sh in shapes[1:]:
        shape = shape[:-1] + sh[1:]
    return shape


def transpose(t: Term) -> Term:
    if t.rank < 2:
        return t
    kind = t.kind
    if kind == "T":
        return t.args[0]
    if kind == "scale":
        return scale(t.data, transpose(t.args[0]))
    if kind == "add":
        return add(*(transpose(u) for u in t.args))
    if kind == "mm":
        return mm(*(transpose(u) for u in reversed(t.args)))
    if kind == "outer":
        return outer(t.args[1], t.args[0])
    if kind in ("diag", "eye") or (kind == "num"):
        return t
    if kind == "had":
        return Term("had", tuple(transpose(u) for u in t.args), None, t.shape[::-1])
    return Term("T", (t,), None, t.shape[::-1])


def total(t: Term) -> Term:
    """sum(t): sum(a*b) of two vectors is a@b (the inner product)."""
    k, base = split(t)
    if base.kind == "had" and len(base.args) == 2 and all(u.rank == 1 for u in base.args):
        return scale(k, mm(*base.args))
    if base.kind == "fill":
        return scale(k, total(base.args[0]))
    if base.shape == ():
        return t
    return scale(k, Term("sum", (base,), None, ()))


def fn(name: str, args, shape: tuple, payload=None) -> Term:
    args = tuple(args)
    if name == "diag" and args and args[0].rank == 1:
        return diagonal(args[0])
    if name == "outer":
        return outer(*args)
    if name == "eye":
        return Term("eye", (), None, shape)
    if name == "inv" and args[0].kind == "T":  # inv(transpose(X)) -> transpose(inv(X))
        return transpose(fn("inv", args[0].args, shape))
    if name == "inv" and args[0].kind == "fn" and args[0].data == "inv":  # inv(inv(X)) -> X
        return args[0].args[0]
    if (
        name == "inv"
        and args[0].kind == "mm"
        and all(len(f.shape) == 2 and f.shape[0] == f.shape[1] for f in args[0].args)
    ):
        return mm(*(fn("inv", (f,), f.shape) for f in reversed(args[0].args)))  # inv(A@B) = inv(B)@inv(A), squares
    return Term("fn", args, name, shape)


def sigmoid_of(a: Term, b: Term) -> Term | None:
    """exp(z)*r/(1 + exp(z)) -> sigmoid(z)*r (logistic regression's gradient)."""
    if b.kind != "add" or len(b.args) != 2:
        return None
    one, e = b.args if is_num(b.args[0], 1.0) else b.args[::-1]
    if not is_num(one, 1.0) or e.kind != "fn" or e.data != "exp":
        return None
    factors = a.args if a.kind == "had" else (a,)
    if e not in factors:
        return None
    rest = list(factors)
    rest.remove(e)
    out = fn("sigmoid", e.args, e.shape)
    for r in rest:
        out = had(out, r)
    return out

"""Polynomials over atoms with exact rational coefficients: the arithmetic of the printing stage.

A monomial is a tuple of (atom number, exponent) pairs sorted by atom number, each exponent
a nonzero Fraction (negative and fractional ones too: x^-4 is ((x, -4),), sqrt(x) is
((x, 1/2),)); a polynomial is a dict monomial -> nonzero Fraction, {} being 0 and {(): c} the
number c. What an atom is (a variable, a function call, a sum kept whole) is the caller's
business (render/canonical.py); here atoms are numbers. Every operation that can grow returns
None past `limit` terms, so the work per node stays bounded.
"""

from __future__ import annotations

import math
from fractions import Fraction

Mono = tuple
Poly = dict
ONE = Fraction(1)


def whole(e):
    """An exponent or coefficient as an int when it is whole (ints hash and multiply far faster
    than Fractions, and equal ones are the same dict key)."""
    return int(e) if e.denominator == 1 else e


def number(c) -> Poly:
    c = whole(Fraction(c))
    return {(): c} if c else {}


def atom(index: int, exponent=1) -> Poly:
    return {((index, whole(Fraction(exponent))),): 1}


def mono_mul(a: Mono, b: Mono) -> Mono:
    """The product of two monomials: exponents of the same atom added, zeros dropped."""
    if not a:
        return b
    if not b:
        return a
    merged = dict(a)
    for i, e in b:
        total = merged.get(i, 0) + e
        if total:
            merged[i] = total if type(total) is int else whole(total)
        else:
            del merged[i]
    return tuple(sorted(merged.items()))


def mono_pow(a: Mono, k) -> Mono:
    return tuple((i, whole(Fraction(e) * k)) for i, e in a) if k else ()


def add(p: Poly, q: Poly, sign=1) -> Poly:
    out = dict(p)
    for m, c in q.items():
        total = out.get(m, 0) + sign * c
        if total:
            out[m] = total
        else:
            out.pop(m, None)
    return out


def scale(p: Poly, c: Fraction, by: Mono = ()) -> Poly:
    """c * by * p."""
    if not c:
        return {}
    c = whole(c) if type(c) is not int else c
    return {mono_mul(m, by): c * v for m, v in p.items()}


def mul(p: Poly, q: Poly, limit: int) -> Poly | None:
    if len(p) * len(q) > 4 * limit:
        return None
    out: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = mono_mul(m1, m2)
            total = out.get(m, 0) + c1 * c2
            if total:
                out[m] = total
            else:
                out.pop(m, None)
    return out if len(out) <= limit else None


def power(p: Poly, k: int, limit: int) -> Poly | None:
    """p^k for a whole k >= 0 (by squaring)."""
    result: Poly | None = number(1)
    base: Poly | None = p
    while k and result is not None and base is not None:
        if k & 1:
            result = mul(result, base, limit)
        k >>= 1
        if k:
            base = mul(base, base, limit)
    return result if base is not None else None


def single(p: Poly):
    """(coefficient, monomial) when p has one term, else None."""
    if len(p) != 1:
        return None
    ((m, c),) = p.items()
    return c, m


def content(p: Poly) -> Fraction:
    """The largest positive rational dividing every coefficient (gcd of numerators over lcm of
    denominators)."""
    num = den = 0
    for c in p.values():
        num = math.gcd(num, c.numerator)
        den = c.denominator if not den else den * c.denominator // math.gcd(den, c.denominator)
    return Fraction(num, den or 1)


def common(p: Poly) -> Mono:
    """The common monomial factor: each atom to its least exponent over the terms (an atom
    missing from a term counts 0), so negative powers come out too: x + 1/x -> x^-1."""
    terms = list(p)
    if not terms:
        return ()
    least = dict(terms[0])
    for m in terms[1:]:
        here = dict(m)
        for i in set(least) | set(here):
            least[i] = min(least.get(i, 0), here.get(i, 0))
    return tuple(sorted((i, whole(Fraction(e))) for i, e in least.items() if e))


def divided(p: Poly, by: Mono, c: Fraction = ONE) -> Poly:
    """p / (c * by), term by term."""
    inverse = mono_pow(by, Fraction(-1))
    return {mono_mul(m, inverse): whole(Fraction(v) / c) for m, v in p.items()}


def degree(m: Mono, of) -> Fraction:
    """The total exponent in m of the atoms `of` picks."""
    return sum((e for i, e in m if of(i)), Fraction(0))


def divide(p: Poly, s: Poly, limit: int) -> Poly | None:
    """p / s when s divides p exactly as polynomials (non-negative exponents), else None."""
    if any(e < 0 for m in list(p) + list(s) for _, e in m):
        return None
    universe = sorted({i for m in list(p) + list(s) for i, _ in m})

    def key(m: Mono):
        here = dict(m)
        return tuple(here.get(i, 0) for i in universe)

    lead = max(s, key=key)
    lead_exponents = dict(lead)
    rest = dict(p)
    quotient: Poly = {}
    for _ in range(4 * limit):
        if not rest:
            return quotient
        top = max(rest, key=key)
        here = dict(top)
        if any(here.get(i, 0) < e for i, e in lead_exponents.items()):
            return None
        factor = tuple(
            sorted(
                (i, whole(Fraction(e - lead_exponents.get(i, 0))))
                for i, e in here.items()
                if e != lead_exponents.get(i, 0)
            )
        )
        c = Fraction(rest[top]) / s[lead]
        quotient[factor] = quotient.get(factor, 0) + c
        rest = add(rest, scale(s, c, factor), -1)
        if len(rest) > 4 * limit:
            return None
    return None

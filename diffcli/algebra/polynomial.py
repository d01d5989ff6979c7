"""A polynomial sum c_alpha * prod (x_i - a_i)^alpha_i as text that parses back, or as LaTeX.

A coefficient that is a fraction p/q with a small q (exactly, as floats compare) is written as
one: `x^3/6`, not `0.16666666666666666*x^3`, or as a decimal where that is shorter (`2.3*x`,
`1.5*x^2`, but `x^2/10`): the choice `diff` makes (render/terms.py); any other number with
`repr` (exact). Zero terms are left out, terms come in the order given (lowest degree first).
"""

from __future__ import annotations

from fractions import Fraction

from diffcli.algebra.latex import latex_name
from diffcli.algebra.text import literal

DENOMINATOR = 10**6  # the largest denominator written as a fraction


def fraction(c: float) -> Fraction | None:
    if c != c or c in (float("inf"), float("-inf")):
        return None
    found = Fraction(c).limit_denominator(DENOMINATOR)
    return found if float(found) == c and abs(found.numerator) < 10**12 else None


def as_decimal(q: Fraction) -> bool:
    """Whether `diff`'s printer writes the rational q as a decimal rather than p/q: when the
    decimal is exact and not longer (`2.3`, `1.5`; `1/2`, `x/10` over `0.5`, `0.1*x`)."""
    if q.denominator == 1 or Fraction(literal(float(q))) != q:
        return False
    over = (len(str(q.numerator)) + 1 if q.numerator != 1 else 0) + len(str(q.denominator)) + 1
    return len(literal(float(q))) + 1 <= over


def _base(name: str, centre: float, latex: bool) -> tuple[str, bool]:
    """(x or (x - a), whether it is bracketed)."""
    shown = latex_name(name) if latex else name
    if centre == 0:
        return shown, False
    sign = "-" if centre > 0 else "+"
    inner = f"{shown} {sign} {literal(abs(centre))}"
    return (f"\\left({inner}\\right)" if latex else f"({inner})"), True


def _factor(name: str, centre: float, power: int, latex: bool) -> str:
    base, _ = _base(name, centre, latex)
    if power == 1:
        return base
    return f"{base}^{{{power}}}" if latex else f"{base}^{power}"


def _term(c: float, factors: list[str], latex: bool) -> tuple[bool, str]:
    """(negative, the term's text without its sign)."""
    negative = c < 0
    size = abs(c)
    product = (" " if latex else "*").join(factors)
    exact = fraction(size)
    if exact is not None and as_decimal(exact):
        exact = None  # written as the decimal
    if not factors:
        if exact is not None and exact.denominator != 1:
            text = (
                f"\\frac{{{exact.numerator}}}{{{exact.denominator}}}"
                if latex
                else f"{exact.numerator}/{exact.denominator}"
            )
            return negative, text
        return negative, literal(size)
    if exact is not None:
        p, q = exact.numerator, exact.denominator
        if latex:
            head = "" if p == 1 else f"{p} "
            return negative, (f"\\frac{{{head}{product}}}{{{q}}}" if q != 1 else f"{head}{product}")
        head = product if p == 1 else f"{p}*{product}"
        return negative, head if q == 1 else f"{head}/{q}"
    return negative, (f"{literal(size)} {product}" if latex else f"{literal(size)}*{product}")


def polynomial(terms: list, names: list[str], centre: list[float], latex: bool = False) -> str:
    """terms: [(powers per variable, coefficient)]; the sum as text (or LaTeX)."""
    pieces: list[str] = []
    for powers, c in terms:
        if c == 0:
            continue
        factors = [_factor(name, a, p, latex) for name, a, p in zip(names, centre, powers) if p]
        negative, text = _term(c, factors, latex)
        if not pieces:
            pieces.append(f"-{text}" if negative else text)
        else:
            pieces.append(f"{'-' if negative else '+'} {text}")
    return " ".join(pieces) if pieces else "0"

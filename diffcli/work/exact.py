"""Recognising exact numbers: a float that is a simple fraction p/q or a simple surd
s*sqrt(k)/m, written so, when the exact form agrees with the float to 1e-10 (relative)."""

from __future__ import annotations

import math
from fractions import Fraction

DENOMINATOR = 1000  # the largest denominator tried
RADICAND = 10_000  # the largest k under a square root
CLOSE = 1e-10


def square_free(k: int) -> tuple[int, int]:
    """k = a^2 * b with b square-free: (a, b)."""
    a, b, d = 1, k, 2
    while d * d <= b:
        while b % (d * d) == 0:
            b //= d * d
            a *= d
        d += 1
    return a, b


def fraction_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def exact(value: float) -> str | None:
    """`1/3`, `-2`, `sqrt(2)/2`, `3*sqrt(5)/7` for a float that is one of those, else None."""
    found = recognise(value)
    return found[0] if found else None


def recognise(value: float) -> tuple[str, float] | None:
    """(exact text, the float nearest to it) for a simple fraction or surd, else None."""
    if not math.isfinite(value):
        return None
    scale = max(1.0, abs(value))
    if abs(value) < 1e-12:
        return "0", 0.0
    f = Fraction(value).limit_denominator(DENOMINATOR)
    if abs(float(f) - value) <= CLOSE * scale:
        return fraction_text(f), float(f)
    square = Fraction(value * value).limit_denominator(DENOMINATOR)
    if abs(math.sqrt(float(square)) - abs(value)) > CLOSE * scale or square.numerator * square.denominator > RADICAND:
        return None
    # sqrt(p/q) = sqrt(p q) / q = a sqrt(b) / q
    a, b = square_free(square.numerator * square.denominator)
    if b == 1:
        return None  # a fraction after all, caught above unless its denominator is large
    coefficient = Fraction(a, square.denominator)
    sign = "-" if value < 0 else ""
    top = f"sqrt({b})" if coefficient.numerator == 1 else f"{coefficient.numerator}*sqrt({b})"
    text = f"{sign}{top}" if coefficient.denominator == 1 else f"{sign}{top}/{coefficient.denominator}"
    return text, math.copysign(coefficient.numerator * math.sqrt(b) / coefficient.denominator, value)

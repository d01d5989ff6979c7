"""Declared shapes with symbolic sizes: `--shape x=n,A=n*n,X=m*n,y=m`.

A size symbol stands for a distinct stand-in whole number (a prime above any size a typed list
is likely to have), so the graph, its shape checks and reverse mode work unchanged on concrete
shapes; the printers map each stand-in back to its symbol, and shape errors are translated
back (a mismatch of n and m in X@x names both). With --at, the symbols are bound to the sizes
of the values instead, and a value that contradicts a declaration is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from diffcli.errors import DiffcliError

# Stand-ins: distinct primes, so that no product or sum of two of them is another (n*n is not m)
STAND_INS = (211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271)
SYMBOL = re.compile(r"^[A-Za-z_]\w*$")


@dataclass
class Sizes:
    """name -> declared axes (symbols or whole numbers), and each symbol's number."""

    declared: dict = field(default_factory=dict)
    number: dict = field(default_factory=dict)  # symbol -> its size (a stand-in, or from --at)

    def shape(self, name: str) -> tuple:
        return tuple(self.number[a] if isinstance(a, str) else a for a in self.declared[name])

    def shapes(self) -> dict:
        return {name: self.shape(name) for name in self.declared}

    def symbol_of(self) -> dict:
        """stand-in number -> symbol (only the stand-ins: a size from --at prints as a number)."""
        return {k: s for s, k in self.number.items() if k in STAND_INS}

    def translate(self, message: str) -> str:
        """A shape error with the stand-ins written as their symbols."""
        for k, s in self.symbol_of().items():
            message = re.sub(rf"\b{k}\b", s, message)
        return message


def parse_shapes(specs) -> Sizes:
    """`x=n,A=n*n` (repeatable) -> Sizes; a scalar is `c=1` or `c=()`."""
    sizes = Sizes()
    for spec in specs or ():
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, axes = item.partition("=")
            name, axes = name.strip(), axes.strip()
            if not sep or not SYMBOL.match(name) or not axes:
                raise DiffcliError(f"--shape {item}: write NAME=SIZES, such as x=n or A=n*n or X=m*3")
            parts = [] if axes in ("()", "1") else [a.strip() for a in re.split(r"[*x×]", axes)]
            shape: list[int | str] = []
            for a in parts:
                if a.isdigit() and int(a) > 0:
                    shape.append(int(a))
                elif SYMBOL.match(a):
                    shape.append(a)
                else:
                    raise DiffcliError(f"--shape {item}: `{a}` is not a size: give a symbol (n) or a whole number")
            if len(shape) > 2:
                raise DiffcliError(f"--shape {item}: matrix notation has vectors and matrices (at most 2 axes)")
            if name in sizes.declared:
                raise DiffcliError(f"--shape declares `{name}` twice: keep one")
            sizes.declared[name] = tuple(shape)
    symbols = dict.fromkeys(a for shape in sizes.declared.values() for a in shape if isinstance(a, str))
    if len(symbols) > len(STAND_INS):
        raise DiffcliError(f"--shape: at most {len(STAND_INS)} size symbols")
    sizes.number = dict(zip(symbols, STAND_INS))
    return sizes


def bind(sizes: Sizes, values: dict) -> Sizes:
    """The sizes from the --at values: each symbol gets the size of the values that use it,
    and a value that contradicts the declaration (or another value) is refused."""
    number: dict = {}
    for name, axes in sizes.declared.items():
        if name not in values:
            continue
        actual = values[name].shape
        if len(actual) != len(axes):
            raise DiffcliError(f"--at {name}: --shape declares {len(axes)} axes, the value has shape {actual}")
        for a, k in zip(axes, actual):
            if isinstance(a, int) and a != k:
                raise DiffcliError(f"--at {name}: --shape declares size {a}, the value has {k}")
            if isinstance(a, str):
                if number.setdefault(a, k) != k:
                    raise DiffcliError(
                        f"--at {name}: the size {a} is {number[a]} in an earlier value but {k} here: "
                        "give values of matching sizes"
                    )
    missing = [a for a in sizes.number if a not in number]
    if missing:
        raise DiffcliError(f"the size {missing[0]} is not known from the --at values: give values for its names")
    return Sizes(sizes.declared, number)


def written(text: str, sizes: Sizes) -> str:
    """A printed matrix answer with its size symbols bound: eye(n) -> eye(3) (the only place
    a size is written in an expression)."""
    for symbol, k in sizes.number.items():
        text = re.sub(rf"\beye\(\s*{symbol}\s*\)", f"eye({k})", text)
    return text

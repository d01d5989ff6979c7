"""Matrix terms: the small algebra the matrix printer works in, and the way in from the DAG.

A `Term` is a kind, arguments, a datum and a shape (concrete numbers; the stand-ins of size
symbols among them). Kinds: var (datum: name), num (datum: value, filling the shape), add, scale
(datum: a number times one argument), had (elementwise product), div (elementwise quotient),
pow (datum: the exponent), mm (a chain of `@`), T (transpose), outer, diag, eye, sum (of all
elements) and fn (datum: an op's name; elementwise functions, softmax, and the linear-algebra
ops of the op table). Terms are frozen and compare by structure, so like terms collect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diffcli.errors import DiffcliError


class NoMatrixForm(DiffcliError):
    """The derivative has no form in matrix notation (a tensor of order 3, an index, ...)."""


@dataclass(frozen=True)
class Term:
    kind: str
    args: tuple = ()
    # the datum's type follows the kind (float for num, scale, pow; str for var, fn; None else):
    # Any, because a union would need a check at every use the kind already settles
    data: Any = None
    shape: tuple = ()

    @property
    def rank(self) -> int:
        return len(self.shape)


def var(name: str, shape: tuple) -> Term:
    return Term("var", (), name, shape)


def num(value: float, shape: tuple = ()) -> Term:
    return Term("num", (), float(value), shape)


def is_num(t: Term, value: float | None = None) -> bool:
    return t.kind == "num" and (value is None or t.data == value)

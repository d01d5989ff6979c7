"""Calls with keyword arguments, string literals and ragged lists, and integer-array indexing:
the parts of the tensor spellings that the parser's builder hands over (parse.py).

A keyword argument (`sum(X, axis=0)`) is a static parameter: only builders that declare it
(`tensor_names.takes`) accept it. A list literal of unequal shapes (`[x, v]` with x of 3 and v
of 4 elements) is a `Ragged` list that only the joining functions take.
"""

from __future__ import annotations

from diffcli.core.graph import Node
from diffcli.core.ops.tensor_names import Text
from diffcli.errors import DiffcliError

TAKES_LISTS = {"args", "call", "vector", "keyword"}  # rules a ragged list or keyword may reach
JOINS = {"concatenate", "cat", "stack", "hstack", "vstack"}


class Keyword:
    """`name=expr` among a call's arguments: a static parameter of the function called."""

    def __init__(self, name: str, value):
        self.name, self.value = name, value

    def misplaced(self) -> DiffcliError:
        return DiffcliError(f"`{self.name}=...` is a keyword argument: it goes inside a call, such as sum(X, axis=0)")


class Ragged(list):
    """[a, b] of unequal shapes: a list that only concatenate and its kin take."""

    def __init__(self, items, error: DiffcliError):
        super().__init__(items)
        self.error = error

    def misplaced(self) -> DiffcliError:
        return self.error


def keyword(kids: list) -> Keyword:
    return Keyword(str(kids[0]), kids[2])


def string(kids: list) -> Text:
    return Text(str(kids[0])[1:-1])


def special_call(name: str, args: list, functions: dict, declared) -> Node | None:
    """A call with keywords, a string or a ragged list, built; None for a plain call (or an
    unknown name, which the parser refuses as such)."""
    keywords = {k.name: k.value for k in args if isinstance(k, Keyword)}
    args = [a for a in args if not isinstance(a, Keyword)]
    if not keywords and not any(isinstance(a, (Text, Ragged)) for a in args):
        return None
    if name in functions:
        return call_with(name, functions[name], args, keywords)
    if name in declared:
        raise DiffcliError(f"{name}() is an undefined function of one argument: no keywords, strings or lists")
    return None


def call_with(name: str, entry, args: list, keywords: dict) -> Node:
    """A call with keywords, a string or a ragged list: only builders that declare them."""
    build = entry[2]
    accepted = getattr(build, "keywords", ())
    for key in keywords:
        if key not in accepted:
            takes = f"; it takes {', '.join(k + '=' for k in accepted)}" if accepted else ""
            raise DiffcliError(f"{name}() has no keyword argument `{key}`{takes}")
    if any(isinstance(a, Text) for a in args) and not getattr(build, "text", False) and name != "einsum":
        raise DiffcliError(f"{name}() takes no string argument (strings are for einsum and norm's ord)")
    if any(isinstance(a, Ragged) for a in args) and name not in JOINS:
        raise next(a for a in args if isinstance(a, Ragged)).misplaced()
    low, high = entry[0], entry[1]
    if not low <= len(args) <= high:
        wanted = f"{low}" if low == high else f"{low} to {high}"
        raise DiffcliError(f"{name}() takes {wanted} positional argument{'s' * (wanted != '1')}, got {len(args)}")
    try:
        return build(*args, **keywords)
    except TypeError as e:  # a keyword also given by position: sum(x, 0, axis=0)
        if "multiple values" not in str(e):
            raise
        raise DiffcliError(f"{name}(): an argument is given twice, by position and by keyword") from None


def pick(x: Node, subscripts: list, integer) -> Node:
    """x[[0, 2]], W[:, [1, 0]]: integer-array indexing along one axis (numpy's `take`)."""
    arrays = [i for i, k in enumerate(subscripts) if isinstance(k, Node) and k.op == "stack"]
    if len(arrays) > 1 or any(not isinstance(k, tuple) and i not in arrays for i, k in enumerate(subscripts)):
        raise DiffcliError(
            "an index list goes with slices only, one per subscript: index in two steps, such as x[[0, 2]][:, 1]"
        )
    (axis,) = arrays
    if axis >= len(x.shape):
        raise DiffcliError(f"too many indices for a value of shape {x.shape}")
    indices = [integer(a) for a in subscripts[axis].args]
    size = x.shape[axis]
    if any(not -size <= i < size for i in indices):
        raise DiffcliError(f"index out of range: {indices} for an axis of length {size}")
    found = x.graph.node("take", (x,), (axis, tuple(i % size for i in indices)))
    rest = tuple((None, None, None) if i == axis else k for i, k in enumerate(subscripts))
    return found if all(k == (None, None, None) for k in rest) else x.graph.node("index", (found,), rest)


def vector(graph, items: list):
    """A list literal: a stacked node, or a Ragged list when its items' shapes differ."""
    for k in items:
        if isinstance(k, (Keyword, Ragged)):
            raise k.misplaced()  # a ragged list inside a list: its own shape error
        if isinstance(k, Text):
            raise DiffcliError('a string is only an argument of einsum and norm, such as einsum("ij,j->i", A, x)')
    try:
        return graph.node("stack", tuple(items))
    except DiffcliError as e:  # [a, b] of unequal shapes: only concatenate and its kin take it
        return Ragged(items, e)


def check_placed(rule: str, kids: list) -> None:
    """A ragged list or a keyword outside a call's arguments is refused where it lands."""
    if rule not in TAKES_LISTS:
        for k in kids:
            if isinstance(k, (Ragged, Keyword)):
                raise k.misplaced()

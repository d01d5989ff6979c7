"""The errors of text the parser refuses: one `error:` line that says what is wrong and what to
write instead, with the input line and a caret beneath the place.

`parse` calls these at its three moments of failure: before parsing (a Unicode operator, a
function definition `f(x) = ...`), when the grammar rejects the text (code pasted from
elsewhere, an unexpected character or token), and when a name or function is not known.
"""

from __future__ import annotations

import re
from typing import NoReturn

from diffcli.core import ops
from diffcli.errors import DiffcliError, caret, suggest
from diffcli.syntax import hints, pasted, unicode_operators
from diffcli.syntax.lalr import UnexpectedCharacters, UnexpectedInput, UnexpectedToken


def refuse_written(text: str, known) -> None:
    """Refuse, before parsing, text written another way, with the ASCII or diffcli form to write."""
    for found, kind in (
        (unicode_operators.unicode_operator(text), hints.Written),
        (hints.definition(text, known), DiffcliError),
    ):
        if found is not None:
            line, column = place(text, found[0])
            raise kind(found[1], caret(text, line, column))


def refuse_pasted(text: str, known) -> None:
    """After a failed parse: refuse code pasted from elsewhere, with the diffcli way to write it."""
    found = pasted.check(text, known)
    if found is not None:
        line, column = place(text, found[0])
        raise hints.Written(found[1], caret(text, line, column)) from None


def unexpected(text: str, e: UnexpectedInput) -> NoReturn:
    """The error for text the grammar does not accept."""
    line, column = e.line, e.column
    at_end = isinstance(e, UnexpectedToken) and e.token.type == "$END"
    if at_end:
        lines = text.rstrip("\n").split("\n")
        raise DiffcliError(
            "the expression ends too early: something is missing at its end",
            caret(text, len(lines), len(lines[-1]) + 1),
        ) from None
    pos = e.pos_in_stream
    if isinstance(e, UnexpectedCharacters):
        ch = text[pos] if pos is not None and pos < len(text) else "?"
        message = f"unexpected character `{ch if ch.isprintable() else ascii(ch)[1:-1]}`"
        if ch == "=":
            message += ": compare with `==`; `name = expr` defines a name at the start of a statement"
        elif ch in "!&":
            message += ": use <, <=, >, >=, == or !="
        elif ch == "." and pos is not None:
            written = hints.dot(text, pos, ops.FUNCTIONS)
            if written is not None:
                written.detail = caret(text, line, column)
                raise written from None
    else:
        assert isinstance(e, UnexpectedToken)  # the lexer raises UnexpectedCharacters, the parser this
        message = f"unexpected `{e.token}`" + juxtaposition_hint(text, pos, e.token)
    raise DiffcliError(message, caret(text, line, column)) from None


def place(text: str, pos: int) -> tuple[int, int]:
    """(line, column), both 1-based, of offset `pos`."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


ENDS_OPERAND = r"[\w.)\]][ \t]*\Z"  # a name, number or closing bracket before the place


def juxtaposition_hint(text: str, pos: int | None, token) -> str:
    """`sin x` -> `sin(x)`, `2 x` -> `2*x`: the hint for a token right after an operand, or ""."""
    if pos is None or token.type not in ("NAME", "NUMBER", "LPAR"):
        return ""
    if token.type != "LPAR":
        call = hints.call_without_parentheses(text, pos, ops.FUNCTIONS)
        if call is not None:
            return f": a function's argument goes in parentheses; did you mean `{call}`?"
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:] if end < 0 else text[start:end]
    column = pos - start
    if not re.search(ENDS_OPERAND, line[:column]):
        return ""
    fixed = (
        f"{line[:column].rstrip()}*{line[column:]}".strip()
        if len(line) <= 60
        else f"...{line[max(column - 20, 0) : column].rstrip()}*{line[column : column + 20]}..."
    )
    return f": juxtaposition is not multiplication; did you mean `{fixed}`?"


def unbound(name: str, text: str, end: int, known) -> DiffcliError:
    """The error for a name that is neither bound nor defined (`known` are the names that are):
    a function used as a name, a function glued to its argument, another notation of a constant."""
    if name in ops.FUNCTIONS:
        power = hints.function_power(text, end, name, ops.FUNCTIONS)
        return DiffcliError(power or f"`{name}` is a function: call it as {name}(...)")
    unbound = f"name `{name}` is not bound: give it a value with --at {name}=VALUE"
    glued = hints.glued_call(name, known, ops.FUNCTIONS)
    if glued is not None:
        return DiffcliError(f"{unbound} (did you mean `{glued}`?)")
    if name in hints.CONSTANT_SPELLINGS:
        return DiffcliError(f"{unbound} (the constant is written `{hints.CONSTANT_SPELLINGS[name]}`)")
    return DiffcliError(unbound + suggest(name, known))


def unknown_function(token, primes: int, text: str, declared) -> DiffcliError:
    """The error for a call of a function that is neither built in nor `declared`."""
    name = str(token)
    hint = f": declare it with --function {name} (or a `function {name}` line)" if primes else ""
    foreign = hints.foreign_function(name, ops.FUNCTIONS) or pasted.unknown_function(
        name, text, ops.FUNCTIONS, declared
    )
    message = (None if primes else foreign) or (
        f"unknown function `{name}`{hint}" + suggest(name, [*ops.FUNCTIONS, *declared])
    )
    return DiffcliError(message, caret(text, token.line, token.column))

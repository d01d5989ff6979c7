"""The LALR runtime (diffcli/lalr.py) against Lark itself: the generated tables are current,
and on any text both give the same reductions (names, children, token positions) or the same
syntax error (kind, place, token)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters as LarkCharacters
from lark.exceptions import UnexpectedToken as LarkToken

from diffcli.syntax import lalr
from diffcli.syntax.parse import _grammar_text

GRAMMAR = _grammar_text()


def _token(t):
    return ("token", t.type, str(t), t.start_pos, t.line, t.column, t.end_pos)


def _value(v):
    if v is None:
        return None
    if isinstance(v, tuple):
        return v
    return _token(v)


class _Record:
    """Lark's transformer: each named rule as (name, children), `_rules` as trees to inline."""

    def __default__(self, name, children, meta):
        if name.startswith("_"):
            return Tree(name, children)
        return (name, tuple(_value(c) for c in children))


LARK = Lark(GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=True, keep_all_tokens=True, transformer=_Record())


def with_lark(text: str):
    try:
        return LARK.parse(text)
    except LarkCharacters as e:
        return ("characters", e.pos_in_stream, e.line, e.column)
    except LarkToken as e:
        return ("token", e.token.type, str(e.token), e.line, e.column)


def with_ours(text: str):
    try:
        return lalr.parse(text, lalr.tables(GRAMMAR), lambda name, children: (name, tuple(_value(c) for c in children)))
    except lalr.UnexpectedCharacters as e:
        return ("characters", e.pos_in_stream, e.line, e.column)
    except lalr.UnexpectedToken as e:
        return ("token", e.token.type, str(e.token), e.line, e.column)


def test_the_generated_tables_are_current():
    """`python -m diffcli.syntax.lalr` writes grammar/tables.py; it must match the grammar file."""
    assert lalr.GENERATED == lalr.generate(GRAMMAR), "run `python -m diffcli.syntax.lalr` after editing the grammar"
    assert len(lalr.GENERATED["states"]) == len(LARK.parser.parser.parser.parse_table.states)


def test_a_changed_grammar_is_built_by_lark():
    changed = GRAMMAR.replace('"@"', '"%"')
    assert with_ours("a @ b")[0] == "start"
    got = lalr.parse("a % b", lalr.tables(changed), lambda name, children: name)
    assert got == "start"


CASES = [
    "x*x*y",
    "(x+1)*(x+2)",
    "-x^2",
    "2^-1",
    "x**y**z",
    "a = x + 1; b = a*2\nb",
    "x[1:], x[:-1]",
    "x[::2]",
    "x[:]",
    "x[0, :]",
    "W[0][1]",
    "f()",
    "max(x, y, z)",
    "[1, [2, 3]]",
    "x < y",
    "x <= 1 == 2",
    "# only\nx # c\n",
    "x \\\n + 1",
    ";;x;;\n\ny;",
    "x +",
    "x * * y",
    "(x",
    "x)",
    "2x",
    "x $ y",
    "θ + λ",
    "x\n\n= 2",
    "",
    "   ",
    ".5e3 + 1.",
    "x[1:2:3:4]",
    "f(,)",
    "[,]",
    "a = = b",
    "a\r\nb",
    "x @ W",
    "+-+x",
    "x[",
    "1 2",
    "x..y",
    # the keyword `function` is a NAME match retyped (Lark's `unless`); primes; equations
    "function f, g\nf(x)*g(x)",
    "functions + function_1",
    "function",
    "function(x)",
    "f''(x) + g'(y)",
    "x^2 + y^2 = 1",
    "f'' (x)",
    "x'",
]


@pytest.mark.parametrize("text", CASES)
def test_agrees_with_lark(text):
    assert with_ours(text) == with_lark(text)


PIECES = [
    "x",
    "y",
    "2",
    "1.5e-3",
    " ",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "@",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ";",
    "\n",
    "=",
    "<",
    ">=",
    "==",
    "sin",
    "#c\n",
    "\\\n",
    "θ",
    "$",
    ".",
    "function",
    "'",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_agrees_with_lark_on_random_token_strings(pieces):
    text = "".join(pieces)
    assert with_ours(text) == with_lark(text)

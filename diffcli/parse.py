"""Text -> expression DAG.

The grammar (`grammar/diffcli.lark`, shipped inside the package as `diffcli.grammar`) is loaded
once per process from Lark's cache. Nodes are built while the LALR parser reduces (Lark's
`transformer=` option), so no parse tree is made and no Python recursion follows the nesting.
The reducer hands each rule to the builder of the current parse (a context variable, so
parsing is reentrant and thread-safe). Every token is kept (`keep_all_tokens`), brackets and
signs included, so a rule's span runs from its first token to its last: offsets only, no copy
of the text, and parsing time grows linearly with the text.
Syntax errors become one `error:` line with the input line and a caret beneath the place.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from . import hints, limits
from . import ops
from .errors import DiffcliError, caret, suggest
from .graph import Graph, Node

_parser = None
_builder: contextvars.ContextVar = contextvars.ContextVar("diffcli_parse_builder")


def parser():
    global _parser
    if _parser is None:
        from lark import Lark

        _parser = Lark(_grammar_text(), parser="lalr", lexer="basic", maybe_placeholders=True,
                       keep_all_tokens=True, cache=True, transformer=_Reducer())
    return _parser


class _Piece:
    """A rule's result during parsing, with the span of text it covers."""

    __slots__ = ("value", "line", "column", "start", "end")

    def __init__(self, value, line, column, start, end):
        self.value, self.line, self.column, self.start, self.end = value, line, column, start, end


class _Reducer:
    """Lark calls `__default__` for every rule it reduces; the current builder answers."""

    def __default__(self, name, children, meta):
        if name.startswith("_"):  # Lark's helper rules (repetitions) are inlined into their parent
            from lark import Tree

            return Tree(name, children)
        return _builder.get().reduce(name, children)


def _grammar_text() -> str:
    here = Path(__file__).resolve().parent
    installed = here / "grammar" / "diffcli.lark"  # the package `diffcli.grammar` of an install
    return (installed if installed.exists() else here.parent / "grammar" / "diffcli.lark").read_text()


@dataclass
class Parsed:
    """An expression (or file) turned into nodes."""

    text: str
    output: Node
    graph: Graph
    names: dict = field(default_factory=dict)  # intermediate name -> node, in file order
    variables: list = field(default_factory=list)  # var nodes in order of first use

    def name_of(self, n: Node) -> str | None:
        for name, bound in self.names.items():
            if bound is n:
                return name
        return None


LITERAL = re.compile(r"[0-9]{0,40}(\.[0-9]{0,40})?([eE][-+]?[0-9]{1,3})?\Z")


def literal(text: str):
    """A number as typed: its exact decimal value (so that `2.3*1.3` folds to 2.99, rounded
    once), or a float when the text is too long or its exponent too large to hold exactly."""
    return Fraction(text) if LITERAL.match(text) else float(text)


def parse(text: str, shapes: dict | None = None, of: str | None = None, graph: Graph | None = None,
          defined: dict | None = None) -> Parsed:
    """Parse `text` into `graph` (a new one by default); `shapes` maps bound variable names to
    shapes (None: every free name is a scalar variable, as `diff` without --at wants); `of`
    picks a named statement as the output; `defined` maps names to nodes of `graph` that the
    text may use as if it had defined them (`pred` in a fit's loss)."""
    builder = _Builder(text, shapes, graph or Graph())
    builder.names.update(defined or {})
    return builder.finish(_run(text, builder), of)


def names_used(text: str) -> list[str]:
    """Free names of an expression (or file) in order of first use, without building nodes,
    so that their shapes (parameter or column) can be chosen before parsing for real."""
    collector = _NameCollector(text)
    _run(text, collector)
    return [name for name in collector.seen if name not in collector.assigned]


def _run(text: str, builder) -> "_Piece":
    token = _builder.set(builder)
    try:
        return _parse_text(text)
    finally:
        _builder.reset(token)


def _parse_text(text: str):
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not re.sub(r"#[^\n]*|[\s;]", "", text):
        raise DiffcliError("empty expression (only blanks and comments): give one such as \"x^2 + 1\"")
    limits.check_text(text)
    for found, kind in ((hints.unicode_operator(text), hints.Written), (hints.definition(text), DiffcliError)):
        if found is not None:  # refused before parsing, with the ASCII or diffcli form to write
            line, column = _place(text, found[0])
            raise kind(found[1], caret(text, line, column))
    try:
        return parser().parse(text)
    except UnexpectedInput as e:
        line, column = getattr(e, "line", None), getattr(e, "column", None)
        at_end = isinstance(e, UnexpectedEOF) or line is None or line < 0 or \
            (isinstance(e, UnexpectedToken) and e.token.type == "$END")
        if at_end:
            lines = text.rstrip("\n").split("\n")
            raise DiffcliError("the expression ends too early: something is missing at its end",
                               caret(text, len(lines), len(lines[-1]) + 1)) from None
        pos = getattr(e, "pos_in_stream", None)
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
            message = f"unexpected `{e.token}`" + _juxtaposition_hint(text, pos, e.token)
        raise DiffcliError(message, caret(text, line, column)) from None


def _place(text: str, pos: int) -> tuple[int, int]:
    """(line, column), both 1-based, of offset `pos`."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


ENDS_OPERAND = r"[\w.)\]][ \t]*\Z"  # a name, number or closing bracket before the place


def _juxtaposition_hint(text: str, pos: int | None, token) -> str:
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
    fixed = f"{line[:column].rstrip()}*{line[column:]}".strip() if len(line) <= 60 else \
        f"...{line[max(column - 20, 0):column].rstrip()}*{line[column:column + 20]}..."
    return f": juxtaposition is not multiplication; did you mean `{fixed}`?"


def _span(children) -> tuple:
    """(line, column, start, end) from a rule's first and last token or piece."""
    first = last = None
    for c in children:
        if c is None:
            continue
        if isinstance(c, _Piece):
            first = first or (c.line, c.column, c.start)
            last = c.end
        elif hasattr(c, "start_pos"):
            first = first or (c.line, c.column, c.start_pos)
            last = c.end_pos
    return (*(first or (None, None, None)), last)


class _NameCollector:
    """A builder that only records names: the free ones in order of use, the assigned ones."""

    def __init__(self, text: str):
        self.seen: list[str] = []
        self.assigned: set[str] = set()

    def reduce(self, name: str, children: list):
        if name == "name" and str(children[0]) not in self.seen:
            self.seen.append(str(children[0]))
        elif name == "assign":
            self.assigned.add(str(children[0]))
        return None


class _Builder:
    def __init__(self, text: str, shapes: dict | None, graph: Graph):
        self.text = text
        self.shapes = shapes
        self.graph = graph
        self.names: dict[str, Node] = {}
        self.variables: dict[str, Node] = {}

    def reduce(self, name: str, children: list) -> _Piece:
        """One rule: its children (pieces, tokens, None) -> a piece spanning them."""
        line, column, start, end = _span(children)
        kids = [c.value if isinstance(c, _Piece) else c for c in children]
        try:
            value = self.rule(name, kids)
        except DiffcliError as e:
            if not e.detail and line is not None:
                e.detail = caret(self.text, line, column)
            raise
        if isinstance(value, Node) and value.span is None and line is not None:
            value.span = (line, column, start, end)  # the first place of a shared node
        return _Piece(value, line, column, start, end)

    def finish(self, result: _Piece, of: str | None) -> Parsed:
        statements = [s for s in result.value if isinstance(s, Node)]
        output = statements[-1]
        if of is not None:
            if of not in self.names:
                raise DiffcliError(f"--of {of}: no statement `{of} = ...` in the input" + suggest(of, self.names))
            output = self.names[of]
        return Parsed(self.text, output, self.graph, dict(self.names), list(self.variables.values()))

    # Each rule gets its children already converted: Nodes, lists, tokens (kept) or None.
    def rule(self, name: str, kids: list):
        node = self.graph.node
        if name in ("start", "args", "subscripts"):
            return [k for k in kids if not hasattr(k, "type")]  # drop separators and commas
        if name == "assign":
            token, _, value = kids
            check_name(str(token))
            if self.shapes is not None and str(token) in self.shapes:
                raise DiffcliError(f"`{token}` is bound by --at and also defined in the input; rename one of them")
            self.names[str(token)] = value
            return value
        if name in ("atom", "pos"):  # `( expr )` and unary plus
            return kids[1]
        if name == "number":
            return self.graph.const(literal(str(kids[0])))
        if name == "name":
            return self.lookup(kids[0])
        if name == "call":
            return self.call(kids[0], kids[2] or [])
        if name == "vector":
            return node("stack", tuple(kids[1]))
        if name == "slice":
            return tuple(None if k is None else self.integer(k) for k in (kids[0], kids[2], kids[4]))
        if name == "index":
            items = tuple(k if isinstance(k, tuple) else self.integer(k) for k in kids[2])
            return node("index", (kids[0],), items)
        if name == "compare":
            a, symbol, b = kids
            return node(ops.COMPARISONS[str(symbol)][0], (a, b))
        if name == "neg":
            return node("neg", (kids[1],))
        return node(name, (kids[0], kids[2]))  # add, sub, mul, div, matmul, pow

    def lookup(self, token) -> Node:
        name = str(token)
        if name in self.names:
            return self.names[name]
        check_name(name)
        if self.shapes is None or name in self.shapes:
            shape = () if self.shapes is None else self.shapes[name]
            found = self.variables.get(name)
            if found is None:
                found = self.variables[name] = self.graph.var(name, shape)
            return found
        if name in ops.CONSTANTS:
            return self.graph.const(ops.CONSTANTS[name])
        if name in ops.FUNCTIONS:
            power = hints.function_power(self.text, token.end_pos, name, ops.FUNCTIONS)
            raise DiffcliError(power or f"`{name}` is a function: call it as {name}(...)")
        known = set(self.names) | set(self.shapes) | set(ops.CONSTANTS)
        unbound = f"name `{name}` is not bound: give it a value with --at {name}=VALUE"
        glued = hints.glued_call(name, known, ops.FUNCTIONS)
        if glued is not None:
            raise DiffcliError(f"{unbound} (did you mean `{glued}`?)")
        if name in hints.CONSTANT_SPELLINGS:
            raise DiffcliError(f"{unbound} (the constant is written `{hints.CONSTANT_SPELLINGS[name]}`)")
        raise DiffcliError(unbound + suggest(name, known))

    def call(self, token, args: list) -> Node:
        name = str(token)
        entry = ops.FUNCTIONS.get(name)
        if entry is None:
            check_name(name)
            message = hints.foreign_function(name, ops.FUNCTIONS) or f"unknown function `{name}`" + suggest(name, ops.FUNCTIONS)
            raise DiffcliError(message, caret(self.text, token.line, token.column))
        low, high, build = entry
        if not low <= len(args) <= high:
            wanted = f"{low}" if low == high else f"{low} or {high}"
            plural = "" if wanted == "1" else "s"
            raise DiffcliError(f"{name}() takes {wanted} argument{plural}, got {len(args)}")
        return build(*args)

    def integer(self, n: Node) -> int:
        if not (n.is_const and n.shape == () and float(n.value).is_integer()):
            raise DiffcliError("an index must be a whole number, such as x[0], x[-1] or x[1:3]")
        return int(n.value)


def check_name(name: str) -> None:
    """Names are Unicode identifiers (x, w_2, θ); a word with other characters is refused."""
    if not name.isidentifier():
        bad = next((c for k, c in enumerate(name) if not (name[:k + 1]).isidentifier()), name[0])
        raise DiffcliError(f"`{name}` is not a name: `{bad}` cannot be part of one (names are letters, digits "
                           "and _, such as x, w_2 or θ)")

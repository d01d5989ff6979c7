"""Text -> expression DAG.

The grammar (`grammar/diffcli.lark`, shipped inside the package as `diffcli.grammar`) is loaded
once per process from Lark's cache. Nodes are built while the LALR parser reduces (Lark's
`transformer=` option), so no parse tree is made and no Python recursion follows the nesting;
each rule's span comes from its first and last token, cheaper than `propagate_positions`.
Syntax errors become one `error:` line with the input line and a caret beneath the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import graph as G
from . import limits
from . import ops  # noqa: F401  (fills the op registry)
from .errors import DiffcliError, caret, suggest
from .graph import Node

_parser = None


def parser():
    global _parser
    if _parser is None:
        from lark import Lark

        grammar = _grammar_text()
        _parser = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=True, cache=True, transformer=_REDUCER)
    return _parser


class _Piece:
    """A rule's result during parsing, with the span of text it covers."""

    __slots__ = ("value", "line", "column", "start", "end")

    def __init__(self, value, line, column, start, end):
        self.value, self.line, self.column, self.start, self.end = value, line, column, start, end


class _Reducer:
    """Lark calls `__default__` for every rule it reduces; the current `_Builder` answers."""

    builder: "_Builder"

    def __default__(self, name, children, meta):
        if name.startswith("_"):  # Lark's helper rules (repetitions) are inlined into their parent
            from lark import Tree

            return Tree(name, children)
        return self.builder.reduce(name, children)


_REDUCER = _Reducer()


def _grammar_text() -> str:
    try:  # installed: the grammar ships as the package `diffcli.grammar`
        return resources.files("diffcli.grammar").joinpath("diffcli.lark").read_text()
    except ModuleNotFoundError:  # running from a source checkout
        return (Path(__file__).resolve().parent.parent / "grammar" / "diffcli.lark").read_text()


@dataclass
class Parsed:
    """An expression (or file) turned into nodes."""

    text: str
    output: Node
    names: dict = field(default_factory=dict)  # intermediate name -> node, in file order
    variables: list = field(default_factory=list)  # var nodes in order of first use

    def name_of(self, n: Node) -> str | None:
        for name, bound in self.names.items():
            if bound is n:
                return name
        return None


def parse(text: str, shapes: dict | None = None, of: str | None = None) -> Parsed:
    """Parse `text`; `shapes` maps bound variable names to shapes (None: every free name is a
    scalar variable, as `diff` without --at wants); `of` picks a named statement as output."""
    builder = _Builder(text, shapes)
    _REDUCER.builder = builder
    return builder.finish(_parse_text(text, parser()), of)


def _parse_tree(text: str):
    """The Lark parse tree of `text` (for callers that walk it; parse() builds no tree)."""
    global _tree_parser
    if _tree_parser is None:
        from lark import Lark

        _tree_parser = Lark(_grammar_text(), parser="lalr", lexer="basic", maybe_placeholders=True, cache=True)
    return _parse_text(text, _tree_parser)


_tree_parser = None


def _parse_text(text: str, lark_parser):
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not re.sub(r"#[^\n]*|[\s;]", "", text):
        raise DiffcliError("empty expression (only blanks and comments): give one such as \"x^2 + 1\"")
    limits.check_text(text)
    try:
        return lark_parser.parse(text)
    except UnexpectedInput as e:
        line = getattr(e, "line", None)
        column = getattr(e, "column", None)
        if isinstance(e, UnexpectedEOF) or line is None or line < 0:
            lines = text.rstrip("\n").split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            raise DiffcliError("the expression ends too early: something is missing at its end",
                               caret(text, line, column)) from None
        if isinstance(e, UnexpectedToken) and e.token.type == "$END":
            lines = text.rstrip("\n").split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            raise DiffcliError("the expression ends too early: something is missing at its end",
                               caret(text, line, column)) from None
        pos = getattr(e, "pos_in_stream", None)
        if isinstance(e, UnexpectedCharacters):
            ch = text[pos] if pos is not None and pos < len(text) else "?"
            message = f"unexpected character `{ch if ch.isprintable() else ascii(ch)[1:-1]}`"
            if ch == "=":
                message += ": compare with `==`; `name = expr` defines a name at the start of a statement"
            elif ch in "!&|":
                message += ": use <, <=, >, >=, == or !="
        else:
            message = f"unexpected `{e.token}`" + _juxtaposition_hint(text, pos, e.token)
        raise DiffcliError(message, caret(text, line, column)) from None


def _juxtaposition_hint(text: str, pos: int | None, token) -> str:
    if pos is None or token.type not in ("NAME", "NUMBER", "LPAR"):
        return ""
    if not re.search(r"[A-Za-z_0-9.)\]]\s*$", text[:pos]):
        return ""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:] if end < 0 else text[start:end]
    column = pos - start
    fixed = f"{line[:column].rstrip()}*{line[column:]}".strip() if len(line) <= 60 else \
        f"...{line[max(column - 20, 0):column].rstrip()}*{line[column:column + 20]}..."
    return f": juxtaposition is not multiplication; did you mean `{fixed}`?"


class _Builder:
    def __init__(self, text: str, shapes: dict | None):
        self.text = text
        self.shapes = shapes
        self.names: dict[str, Node] = {}
        self.variables: dict[str, Node] = {}
        self.spanned: set[int] = set()

    def reduce(self, name: str, children: list) -> _Piece:
        """One rule: its children (pieces, tokens, None) -> a piece spanning them."""
        kids, first, last = [], None, None
        for c in children:
            if isinstance(c, _Piece):
                kids.append(c.value)
                first = first or (c.line, c.column, c.start)
                last = c.end
            else:
                kids.append(c)
                if c is not None:
                    first = first or (c.line, c.column, c.start_pos)
                    last = c.end_pos
        line, column, start = first or (None, None, None)
        if name in ("neg", "pos") and start is not None:  # the sign itself is a filtered token
            sign = len(self.text[:start].rstrip(" \t"))
            if sign and self.text[sign - 1] in "+-":
                column, start = column - (start - sign + 1), sign - 1
        if last is not None and (self.text[last:].lstrip(" \t")[:1] in ("", ")", "]")
                                 or self.text[:start].rstrip(" \t")[-1:] in ("(", "[")):
            start, column, last = self._balanced(start, column, last)
        try:
            value = self.rule(name, kids)
        except DiffcliError as e:
            if not e.detail and line is not None:
                e.detail = caret(self.text, line, column)
            raise
        if isinstance(value, Node) and id(value) not in self.spanned and line is not None:
            self.spanned.add(id(value))  # the first place in THIS text (interned nodes outlive a parse)
            value.span = (line, column, start, last)
        return _Piece(value, line, column, start, last)

    def _balanced(self, start: int, column: int, last: int):
        """Widen a span over the brackets Lark filtered out (`f(x`, `(a-b)/(c` -> `f(x)`,
        `(a-b)/(c)`), so that the fragment a warning quotes is balanced."""
        text = self.text
        for opener, closer in ("()", "[]"):
            depth = lowest = 0
            for ch in text[start:last]:
                if ch == opener:
                    depth += 1
                elif ch == closer:
                    depth -= 1
                    lowest = min(lowest, depth)
            missing_open, missing_close = -lowest, depth - lowest
            while missing_close:
                after = len(text) - len(text[last:].lstrip(" \t"))
                if text[after:after + 1] != closer:
                    break
                last, missing_close = after + 1, missing_close - 1
            while missing_open:
                before = len(text[:start].rstrip(" \t"))
                if not before or text[before - 1] != opener or "\n" in text[before - 1:start]:
                    break
                column, start, missing_open = column - (start - before + 1), before - 1, missing_open - 1
        return start, column, last

    def finish(self, result: _Piece, of: str | None) -> Parsed:
        statements = result.value
        output = statements[-1]
        if of is not None:
            if of not in self.names:
                raise DiffcliError(f"--of {of}: no statement `{of} = ...` in the input"
                                   + suggest(of, self.names))
            output = self.names[of]
        return Parsed(self.text, output, dict(self.names), list(self.variables.values()))

    # Each rule gets its children already converted: Nodes, lists, tokens or None.
    def rule(self, name: str, kids: list):
        if name == "start":
            return kids
        if name == "assign":
            token, value = kids
            if self.shapes is not None and str(token) in self.shapes:
                raise DiffcliError(f"`{token}` is bound by --at and also defined in the input; rename one of them")
            self.names[str(token)] = value
            return value
        if name == "number":
            return G.const(float(kids[0]))
        if name == "name":
            return self.lookup(kids[0])
        if name == "call":
            return self.call(kids[0], kids[1] or [])
        if name == "args" or name == "subscripts":
            return kids
        if name == "vector":
            return G.node("stack", tuple(kids[0]))
        if name == "slice":
            return tuple(None if k is None else self.integer(k) for k in kids)
        if name == "index":
            items = tuple(k if isinstance(k, tuple) else self.integer(k) for k in kids[1])
            return G.node("index", (kids[0],), items)
        if name == "compare":
            a, symbol, b = kids
            return G.node(ops.COMPARISONS[str(symbol)], (a, b))
        if name == "pow":
            return G.node("pow", (kids[0], kids[2]))
        if name == "neg":
            return G.node("neg", (kids[0],))
        if name == "pos":
            return kids[0]
        return G.node(name, tuple(kids))  # add, sub, mul, div, matmul

    def lookup(self, token) -> Node:
        name = str(token)
        if name in self.names:
            return self.names[name]
        if self.shapes is None or name in self.shapes:
            shape = () if self.shapes is None else self.shapes[name]
            found = self.variables.get(name)
            if found is None:
                found = self.variables[name] = G.var(name, shape)
            return found
        if name in ops.CONSTANTS:
            return G.const(ops.CONSTANTS[name])
        if name in ops.FUNCTIONS:
            raise DiffcliError(f"`{name}` is a function: call it as {name}(...)")
        known = set(self.names) | set(self.shapes) | set(ops.CONSTANTS)
        raise DiffcliError(f"name `{name}` is not bound: give it a value with --at {name}=VALUE"
                           + suggest(name, known))

    def call(self, token, args: list) -> Node:
        name = str(token)
        entry = ops.FUNCTIONS.get(name)
        if entry is None:
            raise DiffcliError(f"unknown function `{name}`" + suggest(name, ops.FUNCTIONS),
                               caret(self.text, token.line, token.column))
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

"""Text -> expression DAG.

The grammar (`grammar/diffcli.lark`, inside this package) is run by
`lalr.py` from tables Lark generated (Lark itself is not imported: start-up). Nodes are built
while the LALR parser reduces, so no parse tree is made and no Python recursion follows the
nesting; each parse hands its reductions to its own builder, so parsing is reentrant and
thread-safe. Every token is kept, brackets and signs included, so a rule's span runs from its
first token to its last: offsets only, no copy of the text, and parsing time grows linearly
with the text.
Syntax errors become one `error:` line with the input line and a caret beneath the place
(`mistakes.py` words them).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction

from diffcli import limits
from diffcli.core import ops
from diffcli.core.graph import Graph, Node
from diffcli.errors import DiffcliError, caret, suggest
from diffcli.syntax import calls, lalr, mistakes, slips
from diffcli.syntax.lalr import UnexpectedInput

_tables: lalr.Tables | None = None  # the grammar's, loaded once per process


def tables() -> lalr.Tables:
    global _tables
    if _tables is None:
        _tables = lalr.tables(_grammar_text())
    return _tables


class _Piece:
    """A rule's result during parsing, with the span of text it covers."""

    __slots__ = ("value", "line", "column", "start", "end")

    def __init__(self, value, line, column, start, end):
        self.value, self.line, self.column, self.start, self.end = value, line, column, start, end


def _grammar_text() -> str:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammar", "diffcli.lark")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@dataclass
class Parsed:
    """An expression (or file) turned into nodes."""

    text: str
    output: Node
    graph: Graph
    names: dict = field(default_factory=dict)  # intermediate name -> node, in file order
    variables: list = field(default_factory=list)  # var nodes in order of first use
    functions: tuple = ()  # undefined functions declared (--function f, `function f`)
    equation: tuple | None = None  # (lhs, rhs) when the output is an equation `lhs = rhs`

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


def parse(
    text: str,
    shapes: dict | None = None,
    of: str | None = None,
    graph: Graph | None = None,
    defined: dict | None = None,
    functions=(),
    equation: bool = False,
) -> Parsed:
    """Parse `text` into `graph` (a new one by default); `shapes` maps bound variable names to
    shapes (None: every free name is a scalar variable, as `diff` without --at wants); `of`
    picks a named statement as the output; `defined` maps names to nodes of `graph` that the
    text may use as if it had defined them (`pred` in a fit's loss). `functions` declares
    undefined functions (as a `function f, g` statement does); `equation` lets the output be an
    equation `lhs = rhs` (its node is lhs - rhs, and `Parsed.equation` holds both sides)."""
    builder = _Builder(text, shapes, graph or Graph(), functions, equation)
    builder.names.update(defined or {})
    return builder.finish(_run(text, builder), of, equation)


def names_used(text: str) -> list[str]:
    """Free names of an expression (or file) in order of first use, without building nodes,
    so that their shapes (parameter or column) can be chosen before parsing for real."""
    collector = _NameCollector(text)
    _run(text, collector)
    return [name for name in collector.seen if name not in collector.assigned]


DECLARED = re.compile(r"\bfunction[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)")  # the names of a `function f, g` line


def _run(text: str, builder) -> "_Piece":
    if not re.sub(r"#[^\n]*|[\s;]", "", text):
        raise DiffcliError('empty expression (only blanks and comments): give one such as "x^2 + 1"')
    limits.check_text(text)
    declared = [name for names in DECLARED.findall(text) for name in re.findall(r"\w+", names)]
    known = {*ops.FUNCTIONS, *getattr(builder, "functions", ()), *declared}  # f(x) = ...: an equation
    mistakes.refuse_written(text, known)
    try:
        return lalr.parse(text, tables(), builder.reduce)
    except (UnexpectedInput, DiffcliError) as e:
        mistakes.refuse_pasted(text, known)
        if isinstance(e, DiffcliError):
            raise
        mistakes.unexpected(text, e)


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
    def __init__(self, text: str, shapes: dict | None, graph: Graph, functions=(), equation: bool = False):
        self.text = text
        self.equations = equation  # equations are taken (diff --implicit): `y = x^2` with y bound is one
        self.shapes = shapes
        self.graph = graph
        self.names: dict[str, Node] = {}
        self.variables: dict[str, Node] = {}
        self.functions: dict[str, None] = {}
        self.equation: tuple | None = None  # (lhs, rhs, node) of an equation statement
        self.numbers: dict[str, Node] = {}  # a number's text -> its node (Fraction(text) is slow)
        for name in functions:
            self.declare(name)

    def reduce(self, name: str, children: list) -> _Piece:
        """One rule: its children (pieces, tokens, None) -> a piece spanning them."""
        if name == "number" or name == "name":  # the leaves, most of a long text: one token each
            (token,) = children
            line, column, start, end = token.line, token.column, token.start_pos, token.end_pos
            kids = children
        else:
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

    def finish(self, result: _Piece, of: str | None, equation: bool = False) -> Parsed:
        statements = [s for s in result.value if isinstance(s, Node)]
        if not statements:
            raise DiffcliError("the input only declares functions: add an expression that uses them, such as f(x^2)")
        output = statements[-1]
        if of is not None:
            if of not in self.names:
                raise DiffcliError(f"--of {of}: no statement `{of} = ...` in the input" + suggest(of, self.names))
            output = self.names[of]
        sides = None
        if self.equation is not None:
            lhs, rhs, node = self.equation
            if not equation:
                raise DiffcliError(
                    "`=` between two expressions makes an equation, which only `diff --implicit y` "
                    "takes: compare with `==`, or define a name with `name = expr`",
                    caret(self.text, node.span[0], node.span[1]) if node.span else "",
                )
            if node is not output:
                raise DiffcliError("an equation `lhs = rhs` must be the last statement (the output)")
            sides = (lhs, rhs)
        return Parsed(
            self.text, output, self.graph, dict(self.names), list(self.variables.values()), tuple(self.functions), sides
        )

    # One method per rule alias of the grammar (as Lark's calc example does); each gets its
    # children already converted: Nodes, lists, tokens (kept) or None. A binary operator's rule
    # (add, sub, mul, div, matmul, pow) is named for its op and has no method of its own.
    def rule(self, name: str, kids: list):
        calls.check_placed(name, kids)
        method = getattr(self, "rule_" + name, None)
        return method(kids) if method is not None else self.graph.node(name, (kids[0], kids[2]))

    def rule_start(self, kids: list) -> list:
        return [k for k in kids if not hasattr(k, "type")]  # drop separators and commas

    rule_args = rule_subscripts = rule_start

    rule_keyword, rule_string = staticmethod(calls.keyword), staticmethod(calls.string)

    def rule_assign(self, kids: list) -> Node:
        token, _, value = kids
        check_name(str(token))
        if self.shapes is not None and str(token) in self.shapes:
            if self.equations:  # --implicit y --at y=...: `y = x^2` is the curve, not a definition of y
                return self.rule_equation([self.lookup(token), None, value])
            raise DiffcliError(f"`{token}` is bound by --at and also defined in the input; rename one of them")
        self.names[str(token)] = value
        return value

    def rule_atom(self, kids: list) -> Node:  # `( expr )` and unary plus
        return kids[1]

    rule_pos = rule_atom

    def rule_number(self, kids: list) -> Node:
        text = str(kids[0])
        found = self.numbers.get(text)
        if found is None:
            found = self.numbers[text] = self.graph.const(literal(text))
            self.graph.decimals = self.graph.decimals or not text.isdigit()
        return found

    def rule_name(self, kids: list) -> Node:
        return self.lookup(kids[0])

    def rule_call(self, kids: list) -> Node:
        return self.call(kids[0], kids[2] or [])

    def rule_primed(self, kids: list) -> Node:  # f'(u), sinc''(x): a derivative written with primes
        return self.call(kids[0], kids[3] or [], len(kids[1]))

    def rule_declare(self, kids: list) -> None:
        for token in kids[1::2]:
            self.declare(str(token))

    def rule_equation(self, kids: list) -> Node:
        lhs, _, rhs = kids
        found = self.graph.node("sub", (lhs, rhs))
        if self.equation is not None:
            raise DiffcliError("only one equation `lhs = rhs` may be given")
        self.equation = (lhs, rhs, found)
        return found

    def rule_vector(self, kids: list) -> Node:
        return calls.vector(self.graph, kids[1])

    def rule_slice(self, kids: list) -> tuple:
        return tuple(None if k is None else self.integer(k) for k in (kids[0], kids[2], kids[4]))

    def rule_index(self, kids: list) -> Node:
        if any(isinstance(k, Node) and k.op == "stack" for k in kids[2]):  # x[[0, 2]]
            return calls.pick(kids[0], kids[2], self.integer)
        items = tuple(k if isinstance(k, tuple) else self.integer(k) for k in kids[2])
        return self.graph.node("index", (kids[0],), items)

    def rule_compare(self, kids: list) -> Node:
        a, symbol, b = kids
        return self.graph.node(ops.COMPARISONS[str(symbol)][0], (a, b))

    def rule_neg(self, kids: list) -> Node:
        return self.graph.node("neg", (kids[1],))

    def lookup(self, token) -> Node:
        name = str(token)
        if name in self.names:
            return self.names[name]
        found = self.variables.get(name)
        if found is not None:  # seen before, so checked before
            return found
        check_name(name)
        if name in self.functions:
            raise DiffcliError(f"`{name}` is a function: call it as {name}(...)")
        # e and pi are constants in every mode (load refuses them in --at and --wrt); only a
        # data file's column (fit --data, --points) may be named so, and is then that column
        if name in ops.CONSTANTS and not (self.shapes and name in self.shapes):
            return self.graph.const(ops.CONSTANTS[name])
        slip = self.shapes is None and slips.free_slip(name, self.text, token.end_pos, ops.FUNCTIONS, ops.CONSTANTS)
        if slip:
            raise DiffcliError(slip)
        if self.shapes is None or name in self.shapes:
            shape = () if self.shapes is None else self.shapes[name]
            found = self.variables.get(name)
            if found is None:
                found = self.variables[name] = self.graph.var(name, shape)
            return found
        known = set(self.names) | set(self.shapes) | set(ops.CONSTANTS)
        raise mistakes.unbound(name, self.text, token.end_pos, known)

    def declare(self, name: str) -> None:
        """An undefined function: `f(u)` and `f'(u)` become nodes that only `diff` handles."""
        if name in ops.FUNCTIONS or name in ops.CONSTANTS:
            raise DiffcliError(f"`{name}` is built in: declare undefined functions under other names, such as f or g")
        if self.shapes and name in self.shapes:
            raise DiffcliError(f"`{name}` is bound by --at and also declared a function; rename one of them")
        self.functions[name] = None

    def call(self, token, args: list, primes: int = 0) -> Node:
        name = str(token)
        special = calls.special_call(name, args, ops.FUNCTIONS, self.functions)
        if special is not None:  # keywords, a string or a ragged list among the arguments
            return special
        if name in self.functions:
            if len(args) != 1:
                raise DiffcliError(f"{name}() is an undefined function of one argument, got {len(args)}")
            return self.graph.node("function", (args[0],), (name, primes))
        entry = ops.FUNCTIONS.get(name)
        if entry is None:
            check_name(name)
            raise mistakes.unknown_function(token, primes, self.text, self.functions)
        if primes and (name not in ops.OPS or ops.OPS[name].print.kind != "primed"):
            raise DiffcliError(
                f"`{name}{chr(39) * primes}`: primes follow sinc, digamma and declared functions only; "
                f"differentiate {name} with `diffcli diff`",
                caret(self.text, token.line, token.column),
            )
        if primes:
            low = high = 1
            build = lambda x: self.graph.node(name, (x,), primes)  # noqa: E731
        else:
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
        bad = next((c for k, c in enumerate(name) if not (name[: k + 1]).isidentifier()), name[0])
        raise DiffcliError(
            f"`{name}` is not a name: `{bad}` cannot be part of one (names are letters, digits "
            "and _, such as x, w_2 or θ)"
        )

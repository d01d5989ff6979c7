"""The LALR(1) runtime that parses diffcli's language: a lexer and a shift-reduce loop over
tables that Lark computes from `grammar/diffcli.lark`.

Lark builds the tables (its grammar analysis is the hard part); running them takes a regex and
forty lines, so the tables are generated once into `grammar/tables.py` (`python -m
diffcli.syntax.lalr` rewrites it) and a run imports neither Lark nor its dependencies (start-up). The
tables carry the CRC-32 of the grammar they came from: when the grammar file differs (edited
without regenerating), they are built by Lark in the process instead, so the parser always
follows the grammar. A test checks that this runtime and Lark's agree, results and errors.

What the loop reproduces of Lark's tree building (options `keep_all_tokens`,
`maybe_placeholders`): every token is kept, rules named `_...` (Lark's repetitions) are
inlined into their parent, `?rule`s with one child pass the child up, and a missing `[item]`
is a None. Every other rule goes to `reduce(name, children)`.
"""

from __future__ import annotations

import re
import zlib

from diffcli.syntax.grammar.tables import DATA as GENERATED

TABLES_VERSION = 2  # the layout of the generated tables below


class Token(str):
    """A token: its text, with `type`, `start_pos`, `end_pos`, `line` and `column` (1-based)."""

    type: str
    start_pos: int
    line: int
    column: int
    end_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int, line: int, column: int, end_pos: int):
        self = super().__new__(cls, value)
        self.type, self.start_pos, self.line, self.column, self.end_pos = type_, start_pos, line, column, end_pos
        return self


class UnexpectedInput(Exception):
    """A syntax error at `pos_in_stream` (line and column 1-based)."""

    def __init__(self, pos: int, line: int, column: int):
        super().__init__(f"unexpected input at line {line}, column {column}")
        self.pos_in_stream, self.line, self.column = pos, line, column


class UnexpectedCharacters(UnexpectedInput):
    """No token starts here."""


class UnexpectedToken(UnexpectedInput):
    """A token the grammar does not allow here (`$END`: the text ended too early)."""

    def __init__(self, token: Token):
        super().__init__(token.start_pos, token.line, token.column)
        self.token = token


class _Inline(list):
    """The children of a `_rule`, inlined into the parent's."""


class Tables:
    """The lexer's terminals and the LALR automaton."""

    def __init__(self, data: dict):
        self.lexer = re.compile("|".join(f"(?P<{name}>{regexp})" for name, regexp in data["terminals"]))
        self.ignore = frozenset(data["ignore"])
        self.keywords = data["keywords"]  # per pattern terminal: keyword text -> its own terminal
        self.states = data["states"]  # per state: symbol -> shift target (>= 0) or ~rule (< 0)
        self.rules = data["rules"]  # (origin, size, name, expand1, include or None, trailing Nones)
        self.start, self.end = data["start"], data["end"]
        # per rule: its origin when it only passes one child up (`?rule` of one symbol), else None
        self.unit = [
            origin if size == 1 and expand1 and include is None and not nones else None
            for origin, size, name, expand1, include, nones in self.rules
        ]


_loaded: dict = {}


def tables(grammar: str) -> Tables:
    """The tables of `grammar`: the generated ones when they are current, else Lark's now."""
    crc = zlib.crc32(grammar.encode("utf-8"))
    found = _loaded.get(crc)
    if found is None:
        current = GENERATED is not None and GENERATED["crc"] == crc and GENERATED["version"] == TABLES_VERSION
        found = _loaded[crc] = Tables(GENERATED if current else generate(grammar))
    return found


def tokens(text: str, tables: Tables):
    """The tokens of `text` (ignored ones skipped); UnexpectedCharacters where none matches."""
    match, ignore, keywords = tables.lexer.match, tables.ignore, tables.keywords
    pos, line, line_start, end = 0, 1, 0, len(text)
    while pos < end:
        m = match(text, pos)
        if m is None:
            raise UnexpectedCharacters(pos, line, pos - line_start + 1)
        kind, stop = m.lastgroup, m.end()
        assert kind is not None  # every terminal is a named group of the lexer's pattern
        if kind not in ignore:
            value = m.group()
            if kind in keywords:  # `function` lexes as a NAME, then is the keyword (Lark's `unless`)
                kind = keywords[kind].get(value, kind)
            yield Token(kind, value, pos, line, pos - line_start + 1, stop)
        newlines = text.count("\n", pos, stop)
        if newlines:
            line += newlines
            line_start = text.rindex("\n", pos, stop) + 1
        pos = stop


def parse(text: str, tables: Tables, reduce):
    """Parse `text`; `reduce(name, children)` builds the value of each named rule."""
    states, rules, unit = tables.states, tables.rules, tables.unit
    stack = [tables.start]
    values: list = []  # tokens and whatever `reduce` builds
    token = None

    def reduce_by(rule):
        origin, size, name, expand1, include, nones = rule
        if size:
            children = values[-size:]
            del values[-size:]
            del stack[-size:]
        else:
            children = []
        if include is not None:
            kept = []
            for i, inline, before in include:
                if before:
                    kept += [None] * before
                if inline:
                    kept += children[i]
                else:
                    kept.append(children[i])
            children = kept + [None] * nones if nones else kept
        if expand1 and len(children) == 1:
            value = children[0]
        elif name[0] == "_":
            value = _Inline(children)
        else:
            value = reduce(name, children)
        stack.append(states[stack[-1]][origin])
        values.append(value)

    for token in tokens(text, tables):
        kind = token.type
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                raise UnexpectedToken(token)
            if action >= 0:
                stack.append(action)
                values.append(token)
                break
            origin = unit[~action]
            if origin is not None:  # `?a: b`: the value passes up, only the state changes
                stack[-1] = states[stack[-2]][origin]
            else:
                reduce_by(rules[~action])
    end = (
        Token("$END", "", token.start_pos, token.line, token.column, token.end_pos)
        if token is not None
        else Token("$END", "", 0, 1, 1, 0)
    )
    while True:
        action = states[stack[-1]].get("$END")
        if action is None:
            raise UnexpectedToken(end)
        reduce_by(rules[~action])  # at the end of the text only reductions remain
        if stack[-1] == tables.end:
            return values[-1]


def generate(grammar: str) -> dict:
    """The tables of `grammar`, computed by Lark (plain data: names, regexps and numbers)."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=True, keep_all_tokens=True)
    lexer = lark.parser.lexer
    table = lark.parser.parser.parser.parse_table
    keywords = _keywords(lexer.terminals)
    lexer.scanner  # building the scanner fills `callback`: only keyword callbacks are reproduced here
    if set(map(str, lexer.callback)) - set(keywords):
        raise AssertionError("the grammar needs Lark's lexer callbacks beyond keywords")
    rules: list[tuple] = []
    number: dict[int, int] = {}
    for rule in lark.rules:
        number[id(rule)] = len(rules)
        rules.append(_rule(rule))
    (start,), (end,) = table.start_states.values(), table.end_states.values()
    # Lark numbers states in an order that depends on string hashing: renumber them breadth
    # first from the start state, symbols in sorted order, so the generated file is reproducible.
    renumber, queue = {start: 0}, [start]
    for k in queue:
        for symbol, (action, arg) in sorted(table.states[k].items()):
            if action is Shift and arg not in renumber:
                renumber[arg] = len(renumber)
                queue.append(arg)
    states = [
        {
            str(symbol): renumber[arg] if action is Shift else ~number[id(arg)]
            for symbol, (action, arg) in sorted(table.states[k].items())
        }
        for k in queue
    ]
    return {
        "version": TABLES_VERSION,
        "crc": zlib.crc32(grammar.encode("utf-8")),
        "terminals": [
            (str(t.name), t.pattern.to_regexp())
            for t in lexer.terminals
            if not any(str(t.name) in kinds.values() for kinds in keywords.values())
        ],
        "keywords": keywords,
        "ignore": sorted(map(str, lexer.ignore_types)),
        "states": states,
        "rules": rules,
        "start": 0,
        "end": renumber[end],
    }


def _keywords(terminals) -> dict:
    """Lark's `unless`: a string terminal that a pattern terminal of the same priority matches
    whole (`function` and NAME) is not lexed itself; a match of the pattern with its text is it."""
    found: dict = {}
    for pattern in terminals:
        if pattern.pattern.type != "re":
            continue
        for word in terminals:
            if (
                word.pattern.type == "str"
                and word.priority == pattern.priority
                and re.fullmatch(pattern.pattern.to_regexp(), word.pattern.value)
            ):
                found.setdefault(str(pattern.name), {})[word.pattern.value] = str(word.name)
    return found


def _rule(rule) -> tuple:
    """(origin, size, callback name, expand1, include, trailing Nones) as Lark's tree builder
    treats the rule with keep_all_tokens and maybe_placeholders: `include` lists (child index,
    inline it, Nones before it), None when the children pass unchanged."""
    size = len(rule.expansion)
    empty = rule.options.empty_indices
    if empty:
        flags = "".join(str(int(b)) for b in empty)
        nones = [len(ones) for ones in flags.split("0")]
    else:
        nones = [0] * (size + 1)
    include = [(i, not sym.is_term and sym.name.startswith("_"), nones[i]) for i, sym in enumerate(rule.expansion)]
    changed = any(inline or before for _, inline, before in include) or nones[size]
    name = str(rule.alias or rule.origin.name)
    return (
        str(rule.origin.name),
        size,
        name,
        bool(rule.options.expand1 and not rule.alias),
        tuple(include) if changed else None,
        nones[size],
    )


def write(path: str, grammar: str) -> None:
    """Write the generated tables module (one line per state and per rule)."""
    data = generate(grammar)
    lines = [
        '"""LALR tables of diffcli/syntax/grammar/diffcli.lark, generated by `python -m diffcli.syntax.lalr`: do not edit."""',
        "",
        "DATA = {",
        f"    'version': {data['version']!r}, 'crc': {data['crc']!r},",
        f"    'start': {data['start']!r}, 'end': {data['end']!r}, 'ignore': {data['ignore']!r},",
        f"    'keywords': {data['keywords']!r},",
        "    'terminals': [",
    ]
    lines += [f"        {t!r}," for t in data["terminals"]]
    lines += ["    ],", "    'states': ["]
    lines += [f"        {row!r}," for row in data["states"]]
    lines += ["    ],", "    'rules': ["]
    lines += [f"        {rule!r}," for rule in data["rules"]]
    lines += ["    ],", "}", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    import os

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammar")
    with open(os.path.join(root, "diffcli.lark"), encoding="utf-8") as fh:
        write(os.path.join(root, "tables.py"), fh.read())

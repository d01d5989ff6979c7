"""A long sum typed term by term, read at the text level: its terms and their shapes, without
parsing every term.

The extended Rosenbrock written out (`100*(x2 - x1^2)^2 + (1 - x1)^2 + ...`), a loss typed
over data points, a discretised energy: thousands of terms of a few shapes. Parsing each costs
about 2 us per token; here the text is split at its top-level `+` and `-` by regular
expressions, and each term's shape is its text with every variable name replaced by a slot
(numbered by first appearance; numbers and called function names kept). The caller parses one
term per shape and evaluates the shapes over index arrays (core/template.py).

Only plain ASCII arithmetic qualifies (names, numbers, `+ - * / ^ **`, parentheses, blanks):
anything else (definitions, lists, comparisons, commas, comments, other scripts) gives None,
and the caller takes the general path, whose parser and hints see the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLAIN = re.compile(r"[A-Za-z0-9_.+\-*/^() \t]*", re.ASCII)
# a number's exponent sign is not a term's sign: 1e-3 masked before the split (one way to
# match a run of digits: a 10^5-digit literal stays linear)
EXPONENT = re.compile(r"(?<![\w.])(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
INNERMOST = re.compile(r"\([^()]*\)")
# a binary + or -: right after an operand (a name, a number, a masked bracket)
BINARY = re.compile(r"(?<=[\w.#])\s*([-+])", re.ASCII)
# a variable: a name not inside another word or number and not called
NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?![\w(])(?!\s+\()", re.ASCII)
MASKED = "#"
DEPTH = 32  # most bracket levels read here (one pass over the text each)


@dataclass(slots=True)
class Term:
    """One term of the sum: its sign, its text, its shape (the text with slots) and its
    variable names in order of first appearance."""

    sign: float
    text: str
    shape: tuple
    names: list[str]


def terms(text: str) -> list[Term] | None:
    """The top-level terms of `text`, or None when it is not plain arithmetic (a file's final
    line break is no part of it; a line break inside is: lines are statements)."""
    text = text.strip()
    if not PLAIN.fullmatch(text):
        return None
    masked = EXPONENT.sub(lambda m: "0" * len(m.group()), text)
    for _ in range(DEPTH):  # brackets masked innermost first, the length kept, so positions stay
        masked, found = INNERMOST.subn(lambda m: MASKED * len(m.group()), masked)
        if not found:
            break
    if "(" in masked or ")" in masked:
        return None  # unbalanced or deeper than DEPTH: the parser says where, or bounds it
    operators = [(m.start(), m.end(), m.group(1)) for m in BINARY.finditer(masked)]
    starts = [0] + [end for _, end, _ in operators]
    stops = [start for start, _, _ in operators] + [len(text)]
    signs = [1.0] + [1.0 if op == "+" else -1.0 for _, _, op in operators]
    return [shaped(sign, text[a:b]) for sign, a, b in zip(signs, starts, stops)]


def shaped(sign: float, text: str) -> Term:
    parts = NAME.split(text)
    names = parts[1::2]
    distinct = list(dict.fromkeys(names))
    # which slot each name fills; where no name repeats, their count says it (and hashes faster)
    slots = tuple(map(distinct.index, names)) if len(distinct) < len(names) else len(names)
    skeleton = "\x00".join(parts[0::2]).replace(" ", "").replace("\t", "")
    return Term(sign, text, (skeleton, slots), distinct)

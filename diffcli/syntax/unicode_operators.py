"""Unicode characters of textbooks and word processors (x², √x, 2×3, |x|, a ≤ b): the first
one outside a comment is reported with the whole line written in ASCII.

A family of `hints`: a pure text function the parser calls before parsing; nothing is
repaired silently."""

from __future__ import annotations

import re

from diffcli.syntax.hints import line_of, operand_after, shown

# Unicode characters of textbooks and word processors -> their ASCII form, and why.
SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "⁺": "+",
}
SUBSCRIPTS = {chr(0x2080 + k): str(k) for k in range(10)}
OPERATORS = {
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "∗": "*",
    "÷": "/",
    "−": "-",
    "–": "-",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "√": "sqrt",
    "∛": "cbrt",
    "|": "abs",
}
WHY = {
    "*": "multiplication is written *",
    "/": "division is written /",
    "-": "minus is the ASCII -",
    "<=": "comparisons are written <, <=, >, >=, ==, !=",
    ">=": "comparisons are written <, <=, >, >=, ==, !=",
    "!=": "comparisons are written <, <=, >, >=, ==, !=",
    "sqrt": "roots are functions: sqrt(x), cbrt(x)",
    "cbrt": "roots are functions: sqrt(x), cbrt(x)",
    "abs": "the absolute value is abs(x)",
}
UNICODE = re.compile("[" + re.escape("".join([*SUPERSCRIPTS, *SUBSCRIPTS, *OPERATORS])) + "]")


def unicode_operator(text: str) -> tuple[int, str] | None:
    """(position, message) for the first Unicode operator outside a comment, or None."""
    pos = 0
    while True:
        m = UNICODE.search(text, pos)
        if m is None:
            return None
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "#" in text[line_start : m.start()]:  # inside a comment: skip to the next line
            nl = text.find("\n", m.start())
            if nl < 0:
                return None
            pos = nl + 1
            continue
        ch = m.group(0)
        line, _ = line_of(text, m.start())
        if ch in SUPERSCRIPTS:
            why = "powers are written with ^"
        elif ch in SUBSCRIPTS:
            why = "names use plain digits (x2, w_1)"
        else:
            why = WHY[OPERATORS[ch]]
        return m.start(), f"unexpected character `{ch}`: {why}: did you mean `{shown(ascii_form(line))}`?"


def ascii_form(line: str) -> str:
    """`line` with its Unicode operators written in ASCII: x² -> x^2, √x -> sqrt(x), |x| -> abs(x)."""
    line = re.sub(
        "[" + "".join(SUPERSCRIPTS) + "]+", lambda m: "^" + "".join(SUPERSCRIPTS[c] for c in m.group(0)), line
    )
    line = "".join(SUBSCRIPTS.get(c, c) for c in line)
    out, i, bars = [], 0, 0
    while i < len(line):
        c = line[i]
        if c in ("√", "∛"):
            arg, i = operand_after(line, i + 1)
            out.append(f"{OPERATORS[c]}({arg})")
            continue
        if c == "|":
            out.append("abs(" if bars % 2 == 0 else ")")
            bars += 1
        else:
            out.append(OPERATORS.get(c, c) if c not in ("√", "∛", "|") else c)
        i += 1
    return "".join(out)

"""What students type from PyTorch, NumPy and textbooks, answered with the diffcli way.

Pure text functions: each looks at the text around a parse failure (or at a name the parser
could not resolve) and returns the fix to suggest, or None. Nothing is repaired silently: the
parser raises an error that carries the suggestion. The vocabulary of other libraries (module
prefixes, method names, functions diffcli spells otherwise) is kept here, in one place; the
Unicode operators of textbooks are answered by `unicode_operators`.
"""

from __future__ import annotations

import re

from diffcli.errors import DiffcliError

# Module prefixes of the libraries tutorials use (torch.sin, np.exp, math.pi, F.relu).
MODULES = {
    "torch",
    "np",
    "numpy",
    "math",
    "cmath",
    "jnp",
    "jax",
    "F",
    "nn",
    "functional",
    "sp",
    "sympy",
    "scipy",
    "special",
    "tf",
    "mp",
    "mpmath",
    "linalg",
}
# Methods whose function form is not `method(x, args)`.
TRANSPOSES = {"T", "mT", "t", "transpose", "H", "mH"}
IDENTITY_METHODS = {"item", "numpy", "tolist", "cpu", "float", "double", "clone", "contiguous", "squeeze"}
# Functions of other libraries (or textbooks) that diffcli writes otherwise. Consulted only for
# names that are not functions of diffcli, so a function added later simply takes over (the
# op table's aliases, such as ln and numpy's arcsin, are functions).
FOREIGN = {
    "square": "x^2",
    "sqr": "x^2",
    "power": "pow(x, y) or x^y",
    "fabs": "abs(x)",
    "absolute": "abs(x)",
    "expit": "sigmoid(x)",
    "logistic": "sigmoid(x)",
    "matmul": "a @ b",
    "mm": "a @ b",
    "mv": "a @ b",
    "amax": "max(x)",
    "amin": "min(x)",
    "maximum": "max(a, b)",
    "minimum": "min(a, b)",
    "clip": "clamp(x, lo, hi)",
    "reciprocal": "1/x",
    "rsqrt": "1/sqrt(x)",
    "neg": "-x",
    "negative": "-x",
    "exp10": "10^x",
}
# Names of other notations for diffcli's constants.
CONSTANT_SPELLINGS = {"π": "pi", "PI": "pi", "Pi": "pi", "E": "e", "ℯ": "e"}

SHOWN = 60  # a fixed line longer than this is shown as the piece around the place


class Written(DiffcliError):
    """Text written the way another language writes it (a module prefix, a method, a Unicode
    operator): the message carries the diffcli form. An expression argument that fails this
    way is reported as such, not as a missing file."""


def shown(fixed: str) -> str:
    """A rewritten line as the message shows it: spaces collapsed, at most SHOWN characters."""
    fixed = " ".join(fixed.split())
    return fixed if len(fixed) <= SHOWN else fixed[: SHOWN - 3] + "..."


def line_of(text: str, pos: int) -> tuple[str, int]:
    """The line of `text` holding position `pos`, and the column of `pos` in it."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return (text[start:] if end < 0 else text[start:end]), pos - start


def operand_after(line: str, i: int) -> tuple[str, int]:
    """The operand starting at i (a bracketed group without its brackets, or a name or
    number) and the position after it."""
    while i < len(line) and line[i] == " ":
        i += 1
    if i < len(line) and line[i] == "(":
        end = _closing(line, i)
        return line[i + 1 : end], end + 1
    m = re.compile(r"[\w.]*").match(line, i)
    assert m is not None  # the pattern matches the empty string
    return m.group(0), m.end()


def _closing(line: str, i: int) -> int:
    """The position of the bracket closing the one at i (or the end of the line)."""
    pairs = {"(": ")", "[": "]"}
    depth = 0
    for j in range(i, len(line)):
        if line[j] in pairs:
            depth += 1
        elif line[j] in (")", "]"):
            depth -= 1
            if depth == 0:
                return j
    return len(line)


def _opening(line: str, j: int) -> int:
    """The position of the bracket opening the one closed at j (or 0)."""
    depth = 0
    for i in range(j, -1, -1):
        if line[i] in ")]":
            depth += 1
        elif line[i] in "([":
            depth -= 1
            if depth == 0:
                return i
    return 0


# -- module prefixes and methods ---------------------------------------------------------

NAME_BEFORE = re.compile(r"[^\W\d]\w*\Z")
NAME_AT = re.compile(r"[^\W\d]\w*")


def _receiver_start(line: str, end: int) -> int:
    """Where the operand ending just before `end` starts: a name, a number, or a bracketed
    group with the name of its call or its indexed value before it."""
    start = end
    while start > 0 and line[start - 1] in ")]":
        start = _opening(line, start - 1)
        m = NAME_BEFORE.search(line, 0, start)
        if m:
            start = m.start()
            break
    if start == end:
        m = re.search(r"[\w.]+\Z", line[:end])
        start = m.start() if m else end
    return start


def dot(text: str, pos: int, functions) -> Written | None:
    """The error for an unexpected `.` at `pos`: a module prefix (torch.sin) or a method
    (x.pow(2), W.T), with the whole line rewritten in diffcli's form."""
    line, column = line_of(text, pos)
    fixed, kind = rewrite(line, functions)
    if fixed is None:
        return None
    if kind == "module":
        start = _receiver_start(line, column)
        found = re.compile(r"(?:[^\W\d]\w*\.)+").match(line, start)
        prefix = found.group(0) if found else "."
        message = f"unexpected character `.`: diffcli has no modules: drop `{prefix}` and write `{shown(fixed)}`"
    elif kind == "backward":
        message = (
            "unexpected character `.`: there is no .backward(): `diffcli grad EXPR --at ...` computes the "
            "gradient (and `diffcli graph` shows every node's grad)"
        )
    else:
        message = f"unexpected character `.`: diffcli has no methods: write the function form `{shown(fixed)}`"
    return Written(message)


def rewrite(line: str, functions) -> tuple[str | None, str]:
    """(line in diffcli's form, "module"/"method"/"backward") for the first `.` after an
    operand, every such `.` rewritten in turn; (None, "") when it is neither form."""
    kind = ""
    for _ in range(20):  # a chain x.exp().sum().mean() is a few rewrites
        m = re.search(r"(?<=[\w)\]])\.(?=[^\W\d])", line)
        if m is None:
            break
        step = _rewrite_one(line, m.start(), functions)
        if step is None:
            return (None, "") if not kind else (line, kind)
        line, this = step
        kind = kind or this
        if this == "backward":
            return line, this
    return (line, kind) if kind else (None, "")


def _rewrite_one(line: str, at: int, functions) -> tuple[str, str] | None:
    name_m = NAME_AT.match(line, at + 1)
    assert name_m is not None  # rewrite() finds a `.` followed by a letter
    attr, after = name_m.group(0), name_m.end()
    start = _receiver_start(line, at)
    receiver = line[start:at]
    if receiver in MODULES:  # torch.sin(x), np.pi, torch.nn.functional.relu(x)
        return line[:start] + line[at + 1 :], "module"
    if not receiver or receiver[0].isdigit():
        return None
    args, end = "", after
    called = after < len(line) and line[after] == "("
    if called:
        end = _closing(line, after) + 1
        args = line[after + 1 : end - 1].strip()
    inner = receiver[1:-1] if receiver.startswith("(") and _closing(receiver, 0) == len(receiver) - 1 else receiver
    if attr == "backward":
        return line, "backward"
    if attr in TRANSPOSES:
        form = f"transpose({inner})"
    elif attr in IDENTITY_METHODS:
        form = receiver
    elif attr in ("matmul", "mm", "mv", "dot") and args:
        form = f"dot({inner}, {args})" if attr == "dot" else f"{receiver} @ {args}"
    elif attr in ("square",):
        form = f"{receiver}^2"
    elif attr in functions:
        form = f"{attr}({inner}{', ' + args if args else ''})"
    elif re.fullmatch(r"\w+\(x\)", foreign_forms(functions).get(attr, "")):  # x.fabs() -> abs(x)
        form = FOREIGN[attr].replace("(x)", f"({inner})")
    else:
        return None
    return line[:start] + form + line[end:], "method"


# -- functions written as in a textbook ---------------------------------------------------


def call_without_parentheses(text: str, pos: int, functions) -> str | None:
    """`sin x` -> `sin(x)`: a function name, then an operand without parentheses."""
    line, column = line_of(text, pos)
    before = NAME_BEFORE.search(line[:column].rstrip())
    if before is None or before.group(0) not in functions:
        return None
    arg = re.compile(r"[\w.]+").match(line, column)
    if arg is None:
        return None
    return f"{before.group(0)}({arg.group(0)})"


def function_power(text: str, end: int, name: str, functions) -> str | None:
    """`cos^2(x)`, `sin^2 x`, `sin^-1(x)`: what to write instead, or None."""
    m = re.compile(r"\s*(\^|\*\*)\s*(-?\d+)\s*").match(text, end)
    if m is None:
        return None
    line, column = line_of(text, m.end())
    arg, _ = operand_after(line, column)
    if not arg:
        return None
    power = m.group(2)
    if power == "-1":
        inverse = "a" + name
        if inverse in functions:
            return (
                f"`{name}^-1` is not a function: write `{inverse}({arg})` for the inverse, or "
                f"`1/{name}({arg})` for the reciprocal"
            )
        return f"`{name}^-1` is not a function: write `1/{name}({arg})` for the reciprocal"
    return f"a power of a function is written after its call: write `{name}({arg})^{power}`"


def glued_call(name: str, known, functions) -> str | None:
    """`sinx` -> `sin(x)`, `cos2x` -> `cos(2*x)`: a function name glued to a bound name."""
    for k in range(len(name) - 1, 0, -1):
        head, rest = name[:k], name[k:]
        if head not in functions:
            continue
        if rest in known:
            return f"{head}({rest})"
        m = re.fullmatch(r"(\d+(?:\.\d*)?)(\w*)", rest)
        if m and (not m.group(2) or m.group(2) in known):
            return f"{head}({m.group(1)}{'*' + m.group(2) if m.group(2) else ''})"
    return None


DEFINITION = re.compile(r"(?m)(?:^|;)[ \t]*([^\W\d]\w*)[ \t]*\(([^()\n]*)\)[ \t]*=(?!=)[ \t]*([^;\n]*)")


def definition(text: str, functions=()) -> tuple[int, str] | None:
    """`f(x) = x^2`: (position, message) saying to write the body and bind x, or None (also
    when f is one of `functions`: `sin(y) = x` is an equation, `diff --implicit` takes it)."""
    m = DEFINITION.search(text)
    if m is None or m.group(1) in functions:
        return None
    name, params, body = m.group(1), m.group(2).strip(), m.group(3).strip()
    names = [p.strip() for p in params.split(",") if p.strip()]
    at = ",".join(f"{p}=VALUE" for p in names) or "x=VALUE"
    what = f"the body, `{shown(body)}`," if body else "the body"
    return m.start(1), (
        f"`{name}({params}) = ...` defines a function, which diffcli does not do: write {what} "
        f"and bind {', '.join(names) or 'its variables'} with --at {at}"
    )


def foreign_forms(functions) -> dict[str, str]:
    """Other libraries' names that diffcli does not have, with what to write instead: only
    forms whose function exists (`expit` points to `sigmoid` while there is one)."""
    forms = {}
    for name, form in FOREIGN.items():
        called = re.match(r"(\w+)\(", form)
        if name in functions or (called and called.group(1) not in functions):
            continue
        forms[name] = form
    return forms


def foreign_function(name: str, functions) -> str | None:
    """The error for another library's function name, or None."""
    form = foreign_forms(functions).get(name)
    if form is None:
        called = re.match(r"(\w+)\(", FOREIGN.get(name, ""))
        if called and name not in functions:  # expit while there is no sigmoid: say so, suggest nothing
            return f"unknown function `{name}`: diffcli has no `{called.group(1)}` either"
        return None
    return f"unknown function `{name}`: write `{form}`"

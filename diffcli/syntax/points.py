"""Points: `--at x=2,y=[1,2]`, `--v 1,1` and name lists, parsed without eval.

A value is a constant expression of the expression language (`pi/4`, `sqrt(2)`, `[1/3, e]`),
read by the same parser and evaluated by the same engine. Plain numbers and lists of numbers,
the common case (and the long one: a vector of thousands of numbers), are read by a small
tokenizer instead, which gives the same values (a test checks both ways agree), faster.
`x=@FILE` reads the value from a `.npy` file or a text file of numbers (`value_file`).
"""

from __future__ import annotations

import os
import re
import warnings
from typing import BinaryIO, Callable

import numpy as np

from diffcli import limits
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.ops import CONSTANTS
from diffcli.errors import DiffcliError
from diffcli.limits import MAX_RANK
from diffcli.syntax.parse import names_used, parse

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))|(?P<sym>[\[\],]))",
    re.IGNORECASE,
)


def is_name(text: str) -> bool:
    """A name of the language: a Unicode identifier (x, w_2, θ)."""
    return text.isidentifier()


def split_top(text: str) -> list[str]:
    """Split on commas outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[({":  # braces too: `x={1,2,3}` is one (foreign) value, answered by `other_spelling`
            depth += 1
        elif ch in "])}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_value(text: str, what: str) -> np.ndarray:
    """A constant expression (a number, a list, pi/4, [1/3, e]) as a float64 array."""
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return constant(text, what)
        tokens.append(m.group("num") or m.group("sym"))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise DiffcliError(f"{what}: a value is missing: write a number or a list such as [1, 2]")
    stack: list[list] = [[]]
    expect_value = True
    for tok in tokens:
        if tok == "[":
            if not expect_value:
                raise DiffcliError(f"{what}: a comma is missing in `{text}`")
            stack.append([])
            if len(stack) > MAX_RANK + 1:
                raise DiffcliError(f"{what}: lists nest deeper than the {MAX_RANK} axes a value may have")
        elif tok == "]":
            if len(stack) == 1:
                raise DiffcliError(f"{what}: unbalanced `]` in `{text}`")
            inner = stack.pop()
            stack[-1].append(inner)
            expect_value = False
        elif tok == ",":
            if expect_value:
                raise DiffcliError(f"{what}: a value is missing before a comma in `{text}`")
            expect_value = True
        else:
            if not expect_value:
                raise DiffcliError(f"{what}: a comma is missing in `{text}`")
            stack[-1].append(float(tok))
            expect_value = False
    if len(stack) != 1:
        raise DiffcliError(f"{what}: unbalanced `[` in `{text}`")
    if len(stack[0]) != 1:
        raise DiffcliError(f"{what}: give one value, not `{text}`")
    try:
        array = np.array(stack[0][0], dtype=np.float64)
    except ValueError:
        raise DiffcliError(f"{what}: rows of different lengths in `{text}`: arrays must be rectangular") from None
    if array.size == 0:
        raise DiffcliError(f"{what}: an empty list has no values")
    return array


def constant(text: str, what: str) -> np.ndarray:
    """A constant expression of the language, parsed by its parser and evaluated by its engine."""
    try:
        free = [n for n in names_used(text) if n not in CONSTANTS]
        if free:
            raise DiffcliError(
                f"`{free[0]}` is not a constant: a value is a number, a list, or a constant "
                "expression such as pi/4, sqrt(2) or [1/3, e]"
            )
        parsed = parse(text, {})
        if parsed.names:
            raise DiffcliError("a value is one expression, not a statement `name = ...`")
        with np.errstate(all="ignore"):
            value = to_numpy(Plan([parsed.output]).run({})[0])
    except DiffcliError as e:
        raise DiffcliError(f"{what}: {e.message}", e.detail) from None
    array = np.array(value, dtype=np.float64)
    if array.size == 0:
        raise DiffcliError(f"{what}: an empty list has no values")
    return array


def parse_at(specs: list[str] | None, opened: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
    """`--at x=2,y=[1,2]` (repeatable) -> {name: array}, in the order given. `opened(path)` is
    told of every `@FILE` read (the outputs must not replace it)."""
    bindings: dict[str, np.ndarray] = {}
    for spec in specs or []:
        parts = split_top(spec)
        for k, part in enumerate(parts):
            if not part.strip():
                continue
            name, eq, value = part.partition("=")
            name = name.strip()
            if not eq and is_name(name):
                raise DiffcliError(f"--at: `{name}` has no value: write NAME=VALUE, such as {name}=2")
            if not eq:
                raise DiffcliError(
                    f"--at: `{part.strip()}` has no name: "
                    + (_vector_hint(parts, k) or "write NAME=VALUE, such as x=2")
                )
            if not is_name(name):
                raise DiffcliError(f"--at: `{name}` is not a name: names start with a letter, such as x, w_2 or θ")
            if name in bindings:
                raise DiffcliError(f"--at: `{name}` is given twice")
            value = value.strip()
            uncertain(name, value)
            if value.startswith("@"):
                if opened is not None:
                    opened(value[1:])
                bindings[name] = value_file(value[1:], f"--at {name}=@{value[1:]}")
            else:
                bindings[name] = _value_or_hint(name, value)
    return bindings


# The concise form 1.000(2): no two parts may match the same digits (a long literal stays linear).
PLUS_MINUS = re.compile(r"±|\+-|\+/-|^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\(\d+(?:\.\d*)?\)")


def uncertain(name: str, value: str) -> None:
    """A value with an uncertainty (1.00±0.01, 1.00+-0.01, 1.00(1)) is not a number: reading
    `1.00+-0.01` as 1.00 + (-0.01) would compute with 0.99 without a word."""
    if PLUS_MINUS.search(value):
        raise DiffcliError(
            f"--at {name}={value}: a value with an uncertainty is not a point; to propagate the "
            f'uncertainty use `diffcli uncertainty EXPR --at "{name}={value}"`, or give the value alone here'
        )


# Another library's way to make an array: torch.tensor([1, 2]), np.array(...), jnp.asarray(...).
MADE = re.compile(
    r"\s*(?P<lib>(?:torch|np|numpy|jnp|jax\.numpy|tf|cp)\.)?"
    r"(?P<fn>tensor|Tensor|FloatTensor|DoubleTensor|array|asarray|as_tensor|constant)\s*\((?P<inner>.*)\)\s*",
    re.S,
)
FILE_VALUE = re.compile(r"[^=,\s]*\.(?:npy|txt|csv|dat)")


def _value_or_hint(name: str, value: str) -> np.ndarray:
    """The value, or, when it does not read, the diffcli spelling of what was meant."""
    try:
        return parse_value(value, f"--at {name}")
    except DiffcliError as e:
        if FILE_VALUE.fullmatch(value):
            raise DiffcliError(f"--at {name}: to read the value from a file, write {name}=@{value}") from None
        fixed = other_spelling(value)
        if fixed is None:
            raise
        try:
            parse_value(fixed, "")
        except DiffcliError:
            raise e from None
        raise DiffcliError(f"--at {name}: `{value}` is another language's spelling: write {name}={fixed}") from None


def other_spelling(value: str) -> str | None:
    """`torch.tensor([1,2])`, `np.array(...)`, `(1,2,3)`, `{1,2,3}`, `[1;2;3]` (MATLAB) as a
    diffcli list, or None when the text is none of these."""
    made = MADE.fullmatch(value)
    if made:
        inner = split_top(made.group("inner"))[0].strip()  # drop requires_grad=True, dtype=...
        return other_spelling(inner) or inner
    if re.search(r"[^\W\d_eE]", value.replace("inf", "").replace("nan", "").replace("pi", "")):
        return None  # names: a constant expression, not a foreign list
    fixed = value.translate(BRACKETS)
    if ";" in fixed:  # MATLAB: rows separated by ;, columns by , or blanks
        rows = [",".join(r.replace(",", " ").split()) for r in fixed.strip().strip("[]").split(";")]
        columns = any("," in r for r in rows)
        fixed = "[" + ",".join(f"[{r}]" if columns else r for r in rows) + "]"
    return fixed if fixed != value else None


BRACKETS = str.maketrans("(){}", "[][]")  # Python's tuples, set braces (Mathematica's lists)


TEXT_BYTES = 32  # a text value file may hold at most this many bytes per element allowed
NUMERIC = "biuf"  # dtype kinds read as numbers: booleans, integers, floats


def value_file(path: str, what: str) -> np.ndarray:
    """`@FILE`: a `.npy` array (any shape, numbers) or a text file of numbers separated by
    blanks or commas, one row a line (`#` comments): one number is a scalar, one line or one
    column a vector, several lines of several numbers a matrix (numpy.loadtxt's shapes). At
    most limits.MAX_ELEMENTS elements, refused before the data is read."""
    if not path:
        raise DiffcliError(f"{what}: give a file after @, such as x=@x.npy")
    if os.path.isdir(path):
        raise DiffcliError(f"{what}: `{path}` is a directory: give a .npy file or a text file of numbers")
    if not os.path.exists(path):
        raise DiffcliError(f"{what}: no such file: {path}")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(6)
            fh.seek(0)
            if magic == b"\x93NUMPY":
                array = _npy(fh, what)
            elif path.lower().endswith(".npy"):
                raise DiffcliError(f"{what}: not a .npy file (no NumPy header): save it with numpy.save")
            else:
                array = _text(fh, what)
    except OSError as e:
        raise DiffcliError(f"{what}: cannot read `{path}`: {e.strerror}") from None
    if array.size == 0:
        raise DiffcliError(f"{what}: the file holds no numbers")
    return array


def _npy(fh: BinaryIO, what: str) -> np.ndarray:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        shape, _, dtype = (fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0)(fh)
    except ValueError as e:
        raise DiffcliError(f"{what}: not a readable .npy file: {e}") from None
    if dtype.names is not None or dtype.kind not in NUMERIC:
        kind = (
            "a structured array"
            if dtype.names is not None
            else {"c": "complex numbers", "O": "Python objects", "U": "text", "S": "bytes"}.get(
                dtype.kind, f"dtype {dtype}"
            )
        )
        raise DiffcliError(f"{what}: the file holds {kind}; a value is real numbers (save a float64 array)")
    _check_size(shape, what)
    fh.seek(0)
    try:
        return np.asarray(np.load(fh, allow_pickle=False), dtype=np.float64)
    except (ValueError, EOFError) as e:
        raise DiffcliError(f"{what}: not a complete .npy file: {e}") from None


def _text(fh: BinaryIO, what: str) -> np.ndarray:
    most = TEXT_BYTES * limits.MAX_ELEMENTS
    data = fh.read(most + 1)  # bounded: /dev/zero or a huge file stops here
    if len(data) > most:
        raise DiffcliError(
            f"{what}: the file is larger than a text file of {limits.MAX_ELEMENTS:,} numbers can be: "
            "save the value as .npy"
        )
    if b"\0" in data:
        raise DiffcliError(f"{what}: a binary file: give a .npy file or a text file of numbers")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise DiffcliError(f"{what}: not UTF-8 text (byte {e.start})") from None
    comma = any("," in line.partition("#")[0] for line in lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file: numpy warns and returns no numbers
            array = np.loadtxt(lines, dtype=np.float64, delimiter="," if comma else None, comments="#", ndmin=0)
    except ValueError as e:
        cause = str(e).split(";")[0].rstrip(".")  # numpy's own words, without its advice on its options
        raise DiffcliError(
            f"{what}: {cause}: the file needs numbers separated by blanks or commas, the same count on every line"
        ) from None
    _check_size(array.shape, what)
    return array


def _check_size(shape: tuple, what: str) -> None:
    if len(shape) > MAX_RANK:
        raise DiffcliError(f"{what}: the array has {len(shape)} axes; a value may have at most {MAX_RANK}")
    elements = int(np.prod(shape, dtype=np.float64))
    if elements > limits.MAX_ELEMENTS:
        raise DiffcliError(
            f"{what}: the array has {elements:,} elements; diffcli accepts at most {limits.MAX_ELEMENTS:,} per value"
        )


def _vector_hint(parts: list[str], k: int) -> str:
    """For `x=1,2`: the nameless values after a binding, suggested as its vector 'x=[1,2]'."""
    if k == 0 or "=" not in parts[k - 1]:
        return ""
    name, _, first = parts[k - 1].partition("=")
    values = [first.strip()]
    for part in parts[k:]:
        if "=" in part:
            break
        values.append(part.strip())
    return f"a vector is written in brackets: '{name.strip()}=[{','.join(values)}]'"


def parse_names(specs: list[str] | None, option: str) -> list[str]:
    names: list[str] = []
    for spec in specs or []:
        for part in spec.split(","):
            name = part.strip()
            if not name:
                continue
            if not is_name(name):
                raise DiffcliError(f"{option}: `{name}` is not a name")
            if name not in names:
                names.append(name)
    return names


def parse_vector(text: str, shape: tuple, option: str = "--v") -> np.ndarray:
    """`--v 1,1` or a nested list shaped like the output; a flat list of the right length is accepted."""
    stripped = text.strip()
    value = parse_value(stripped if stripped.startswith("[") or "," not in stripped else f"[{stripped}]", option)
    size = int(np.prod(shape))
    if value.shape == tuple(shape):
        return value
    if value.size == size:
        return value.reshape(shape)
    raise DiffcliError(
        f"{option}: the output has {size} element{'s' if size != 1 else ''} (shape {shape}), "
        f"but {option} gives {value.size}: give one weight per output element"
    )

"""An expression bound to a point: read EXPR (text, file or stdin), parse it against the --at
point in a fresh graph, and choose the variables whose derivatives are reported."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from diffcli import limits
from diffcli.algebra.text import to_text
from diffcli.core.engine import device as make_device
from diffcli.core.graph import Device, Graph, Node, topological, variables
from diffcli.core.layout import Layout
from diffcli.core.ops import CONSTANTS
from diffcli.data.inputs import note_input, standard_input
from diffcli.errors import DiffcliError, shorten, suggest
from diffcli.syntax.hints import Written
from diffcli.syntax.parse import Parsed, names_used, parse
from diffcli.syntax.paths import looks_like_path
from diffcli.syntax.points import parse_at, parse_names, parse_value
from diffcli.syntax.slips import constant_name, missing_wrt


def read_expression(arg: str) -> tuple[str, str | None]:
    """(text, file name or None): `-` reads stdin; an argument that looks like a path (a `/`,
    or a file extension) reads that file; anything else is expression text. A path-like
    argument naming no file is still text when it is a valid expression (`x/y`)."""
    # Read at most one byte more than the largest input allowed, so a huge file is refused
    # without first loading it into memory (4 bytes per character is UTF-8's worst case).
    most = 4 * limits.MAX_CHARS + 1
    if arg == "-":
        data = standard_input("EXPR -").read(most)
        return decode(data, "<stdin>"), "<stdin>"
    if not looks_like_path(arg):
        return arg, None
    if os.path.isdir(arg):
        raise DiffcliError(f"`{arg}` is a directory: give an expression file or an expression")
    if os.path.exists(arg):  # a file, or a device, FIFO or /dev/fd/N: read, bounded
        note_input(arg)
        try:
            with open(arg, "rb") as fh:
                data = fh.read(most)
        except OSError as e:
            raise DiffcliError(f"cannot read `{arg}`: {e.strerror}") from None
        return decode(data, arg), arg
    try:
        names_used(arg)
    except Written:
        raise  # torch.sin(x)/2, x.T: the diffcli form is the better answer
    except DiffcliError:
        raise DiffcliError(f"no such file: {arg}") from None
    return arg, None


def unshown(e: DiffcliError, source: str | None) -> DiffcliError:
    """An error that shows a line of a file not named `.dc`, said without the file's text: a path-like EXPR from
    someone else (`/etc/passwd`) must not show its first line. A `.dc` file and standard input
    are shown with the caret as usual."""
    if source is None or source == "<stdin>" or source.lower().endswith(".dc") or not e.detail:
        return e  # no excerpt of the text to hide
    found = re.search(r"line (\d+):", e.detail or "")
    return DiffcliError(
        f"`{source}` does not read as an expression (line {found.group(1) if found else 1}); only a .dc "
        "file's text is shown in errors: name it .dc to see where, or pass expression text with - on standard input",
        exit_code=e.exit_code,
    )


def decode(data: bytes | str, where: str) -> str:
    if len(data) >= 4 * limits.MAX_CHARS + 1:
        raise DiffcliError(f"{where} is larger than the {limits.MAX_CHARS:,} characters diffcli accepts")
    if isinstance(data, str):
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DiffcliError(f"{where} is UTF-16 or UTF-32 text: save it as UTF-8")
    if b"\0" in data:
        raise DiffcliError(f"{where} is a binary file, not an expression: give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DiffcliError(f"{where} is not UTF-8 text (byte {e.start}): save it as UTF-8") from None


NUMBERS = re.compile(r"[-+\d.eE\[\],\s]+")  # a number or a list of numbers, as written


@dataclass
class Problem:
    """An expression bound to a point: the nodes, the values and the variable order."""

    parsed: Parsed
    bindings: dict
    wrt: list  # nodes whose derivatives are reported, in output order: variables, or a file's intermediates
    device: Device
    source: str | None = None
    wrt_names: list | None = None  # their names (a variable's own, an intermediate's statement name)

    @property
    def output(self) -> Node:
        return self.parsed.output

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def graph(self) -> Graph:
        return self.parsed.graph

    @property
    def layout(self) -> Layout:
        return Layout(self.names(), [v.shape for v in self.wrt])

    def labels(self) -> list[str]:
        """One label per flattened variable element, C order: x[0], W[0,1], y."""
        return self.layout.labels()

    def names(self) -> list[str]:
        return list(self.wrt_names) if self.wrt_names is not None else [v.name for v in self.wrt]

    def intermediates(self) -> list[str]:
        """The --wrt names that are a file's intermediates rather than variables."""
        return [name for name, v in zip(self.names(), self.wrt) if v.op != "var"]

    def constant_notes(self) -> list[str]:
        """For a command that differentiates: the warning when nothing is, because the input
        defines a name as a constant (`x = 3; x^2`) instead of binding it with --at."""
        if self.wrt and set(map(id, self.wrt)) & {id(n) for n in topological([self.output])}:
            return []
        defined = [(name, n) for name, n in self.parsed.names.items() if not variables([n])]
        if not defined:
            return []
        values = [
            (name, shorten(self.text[n.span[2] : n.span[3]] if n.span and n.span[2] is not None else to_text(n)))
            for name, n in defined
        ]
        # the names set to a number (`x = 3`, as the tutorials set a tensor) go to --at; those
        # computed from them (`y = x^2 + 1`) stay in the file
        given = [(name, value) for name, value in values if NUMBERS.fullmatch(value)] or values[:1]
        first = given[0]
        at = shorten(",".join(f"{name}={value}" for name, value in given), 300)
        return [
            f"nothing is differentiated: `{first[0]} = {first[1]}` makes {first[0]} a constant; to differentiate "
            f"by {first[0]}, drop that definition and bind it with --at {at}"
        ]

    def fresh(self, *wanted: tuple[str, tuple]) -> list[Node]:
        """Variables named like each (hint, shape) that no variable of the graph or the point
        uses yet: the seeds and directions the request layer binds itself."""
        taken = {n.name for n in self.graph.table.values() if n.op == "var"} | set(self.bindings)
        made: list[Node] = []
        next_number: dict[str, int] = {}
        for hint, shape in wanted:
            k = next_number.get(hint, 0)
            name = f"{hint}{k}" if k else hint
            while name in taken:
                k += 1
                name = f"{hint}{k}"
            next_number[hint] = k + 1
            taken.add(name)
            made.append(self.graph.var(name, shape))
        return made


def load(
    expr: str,
    at: list[str] | None = None,
    wrt: list[str] | None = None,
    const: list[str] | None = None,
    of: str | None = None,
    dtype: str = "float64",
    free: bool = False,
    points: dict | None = None,
    device: str = "cpu",
    read: tuple[str, str | None] | None = None,
    functions: list[str] | None = None,
    equation: bool = False,
    wrt_present: bool = False,
) -> Problem:
    """Read EXPR, parse it against the --at point and choose the variables.

    With `free=True` (symbolic `diff` without --at) every unknown name is a scalar variable.
    `points` maps the columns of a --points file to their per-point shapes: they come first in
    variable order, bound to placeholders that the engine replaces row by row. `read` is
    `read_expression(expr)` when the caller has already read EXPR (stdin can be read once).
    `functions` (--function f,g) declares undefined functions; `equation` accepts an equation
    `lhs = rhs`. `wrt_present`: a --wrt name of a free expression must be one of its
    variables (`diff "x^2*y^3" --wrt xy` is refused, pointing to `--wrt x,y`).
    """
    text, source = read or read_expression(expr)
    bindings = {name: np.zeros(shape) for name, shape in (points or {}).items()}
    for name, value in parse_at(at, opened=note_input).items():
        if name in bindings:
            raise DiffcliError(f"`{name}` is given by both --points and --at: keep one")
        bindings[name] = value
    consts = parse_names(const, "--const")
    wrt_names = parse_names(wrt, "--wrt")
    for name in (*bindings, *wrt_names):  # e and pi are constants in every mode
        if name in CONSTANTS:
            raise DiffcliError(constant_name(name, f"--at {name}" if name in bindings else f"--wrt {name}"))
    for name in consts:
        if not free and name not in bindings:
            raise DiffcliError(f"--const {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
    overlap = set(wrt_names) & set(consts)
    if overlap:
        raise DiffcliError(f"`{sorted(overlap)[0]}` is named by both --wrt and --const: choose one")
    shapes = None if free and not bindings else {k: v.shape for k, v in bindings.items()}
    try:
        parsed = parse(text, shapes, of, Graph(), functions=parse_names(functions, "--function"), equation=equation)
    except DiffcliError as e:
        raise unshown(e, source) from None
    for name in wrt_names:  # a variable, or a file's intermediate (retain_grad: d output / d intermediate)
        if not free and name not in bindings and name not in parsed.names:
            raise DiffcliError(
                f"--wrt {name}: `{name}` is not bound: give it a value with --at {name}=VALUE"
                + suggest(name, [*bindings, *parsed.names])
            )
    if free and not bindings:
        present = [v.name for v in parsed.variables]
        for name in wrt_names if wrt_present and present else ():  # d/dx 5 = 0 stays a textbook answer
            if name not in present and name not in parsed.names:
                raise DiffcliError(missing_wrt(name, present))
        order = wrt_names or present
        shape_of = {v.name: v.shape for v in parsed.variables}
    else:
        order = wrt_names or [n for n in bindings if n not in consts]
        shape_of = {k: v.shape for k, v in bindings.items()}
    wrt_nodes = [
        parsed.names[name] if name in parsed.names else parsed.graph.var(name, shape_of.get(name, ())) for name in order
    ]
    return Problem(parsed, bindings, wrt_nodes, make_device(device, dtype), source, list(order))


def directions(problem: Problem, u: str, option: str = "--u") -> tuple[list, dict, list]:
    """(direction variables shaped like the wrt variables, their bindings, the flat numbers)
    from the --u text."""
    layout = problem.layout
    text = u.strip()
    flat = parse_value(text if text.startswith("[") or "," not in text else f"[{text}]", option).reshape(-1)
    if flat.size != layout.size:
        labels = ", ".join(problem.labels()) or "none"
        raise DiffcliError(
            f"{option}: the variables ({labels}) have {layout.size} element"
            f"{'s' if layout.size != 1 else ''}, but {option} gives {flat.size}: give one number "
            "per variable element, in that order"
        )
    us = problem.fresh(*(("u", w.shape) for w in problem.wrt))
    values = layout.unpack(flat)
    return us, {d.name: values[name] for d, name in zip(us, problem.names())}, flat.tolist()

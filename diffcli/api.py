"""The library behind the commands: read an expression, bind a point, compute results.

Each command of the CLI is one function here returning a `Result` (a dict with SPEC's JSON
keys plus warnings), so tests and other programs can call diffcli without a shell.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import numpy as np

from . import autodiff
from .anomaly import locate, nonfinite_note, shorten  # noqa: F401  (shorten: used by callers)
from . import graph as G
from . import limits
from .errors import DiffcliError
from .compiled import to_numpy
from .evaluate import Program, is_finite
from .graph import EvalContext, Node
from .parse import Parsed, parse
from .points import parse_at, parse_names, parse_vector

DTYPES = {"float64": np.float64, "float32": np.float32}


def read_expression(arg: str) -> tuple[str, str | None]:
    """(text, file name or None): `-` reads stdin, an existing file's path reads the file."""
    # Read at most one byte more than the largest input allowed, so a huge file is refused
    # without first loading it into memory (4 bytes per character is UTF-8's worst case).
    most = 4 * limits.MAX_CHARS + 1
    if arg == "-":
        data = sys.stdin.buffer.read(most) if hasattr(sys.stdin, "buffer") else sys.stdin.read(most)
        return _decode(data, "<stdin>"), "<stdin>"
    if os.path.isdir(arg):
        raise DiffcliError(f"`{arg}` is a directory: give an expression file or an expression")
    if os.path.isfile(arg):
        try:
            with open(arg, "rb") as fh:
                data = fh.read(most)
        except OSError as e:
            raise DiffcliError(f"cannot read `{arg}`: {e.strerror}") from None
        return _decode(data, arg), arg
    return arg, None


def _decode(data, where: str) -> str:
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


@dataclass
class Problem:
    """An expression bound to a point: the nodes, the values and the variable order."""

    parsed: Parsed
    bindings: dict
    wrt: list  # var nodes whose derivatives are reported, in output order
    ev: EvalContext
    source: str | None = None

    @property
    def output(self) -> Node:
        return self.parsed.output

    @property
    def text(self) -> str:
        return self.parsed.text

    def labels(self) -> list[str]:
        """One label per flattened variable element, C order: x[0], W[0,1], y."""
        out = []
        for v in self.wrt:
            name, shape = v.payload
            if shape == ():
                out.append(name)
            else:
                out.extend(f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape))
        return out

    def names(self) -> list[str]:
        return [v.payload[0] for v in self.wrt]


def load(expr: str, at=None, wrt=None, const=None, of=None, dtype="float64",
         free: bool = False, points: dict | None = None) -> Problem:
    """Read EXPR, parse it against the --at point and choose the variables.

    With `free=True` (symbolic `diff` without --at) every unknown name is a scalar variable.
    `points` maps the columns of a --points file to their per-point shapes: they come first in
    variable order, bound to placeholders that the batch evaluator replaces row by row.
    """
    text, source = read_expression(expr)
    G.set_budget(limits.MAX_NODES)
    bindings = {name: np.zeros(shape) for name, shape in (points or {}).items()}
    for name, value in parse_at(at).items():
        if name in bindings:
            raise DiffcliError(f"`{name}` is given by both --points and --at: keep one")
        bindings[name] = value
    consts = parse_names(const, "--const")
    wrt_names = parse_names(wrt, "--wrt")
    for option, names in (("--wrt", wrt_names), ("--const", consts)):
        for name in names:
            if not free and name not in bindings:
                raise DiffcliError(f"{option} {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
    overlap = set(wrt_names) & set(consts)
    if overlap:
        raise DiffcliError(f"`{sorted(overlap)[0]}` is named by both --wrt and --const: choose one")
    shapes = None if free and not bindings else {k: v.shape for k, v in bindings.items()}
    parsed = parse(text, shapes, of)
    if free and not bindings:
        order = wrt_names or [v.payload[0] for v in parsed.variables]
        shape_of = {v.payload[0]: v.shape for v in parsed.variables}
    else:
        order = wrt_names or [n for n in bindings if n not in consts]
        shape_of = {k: v.shape for k, v in bindings.items()}
    wrt_nodes = [G.var(name, shape_of.get(name, ())) for name in order]
    ev = EvalContext(np, DTYPES[dtype])
    return Problem(parsed, bindings, wrt_nodes, ev, source)


@dataclass
class Result:
    data: dict
    warnings: list = field(default_factory=list)
    command: str = ""
    show_latex: bool = False  # diff --latex: plain and rich output show the LaTeX form


def _run(problem: Problem, outputs: list[Node], result: Result) -> list:
    """Evaluate outputs; a non-finite result gets a warning naming the node that produced it."""
    program = Program(outputs)
    values, every = program.run(problem.bindings, problem.ev, keep=True)
    values = [to_numpy(v) for v in values]
    if not all(is_finite(v) for v in values):
        result.warnings.append(nonfinite_message(problem, program.order, every))
    return values


def nonfinite_message(problem: Problem, order: list, values: list) -> str:
    """The warning (an `anomaly.Note`: one line plus caret lines) naming the first bad node."""
    return nonfinite_note(problem.text, problem.output, order, values)


def describe(problem: Problem, n: Node) -> str:
    """Where node `n` stands in the input, for a warning."""
    where, _ = locate(problem.text, n)
    return f"{where} first gives a non-finite value"


def evaluate(problem: Problem) -> Result:
    result = Result({}, command="eval")
    (value,) = _run(problem, [problem.output], result)
    result.data["value"] = value
    return result


def _seed(problem: Problem, v: str | None) -> Node | None:
    out = problem.output
    if v is None:
        if out.shape != ():
            raise DiffcliError(
                f"grad needs a scalar output, but this one has shape {out.shape}: weight the outputs "
                "with --v (e.g. --v " + ",".join(["1"] * min(out.size, 3)) + ("..." if out.size > 3 else "")
                + "), reduce with sum(...) or mean(...), or use `diffcli jacobian`")
        return None
    problem.bindings["v#"] = parse_vector(v, out.shape)
    return G.var("v#", out.shape)


def grad(problem: Problem, v: str | None = None) -> Result:
    result = Result({}, command="grad")
    seed = _seed(problem, v)
    grads = autodiff.gradient(problem.output, problem.wrt, seed)
    values = _run(problem, [problem.output] + grads, result)
    result.data["value"] = values[0]
    result.data["grad"] = {name: g for name, g in zip(problem.names(), values[1:])}
    return result


def jacobian(problem: Problem) -> Result:
    result = Result({}, command="jacobian")
    rows = autodiff.jacobian(problem.output, problem.wrt)
    flat = [e for row in rows for e in row]
    values = _run(problem, [problem.output] + flat, result)
    width = len(problem.labels())
    entries = np.array([np.asarray(x, dtype=float) for x in values[1:]]).reshape(len(rows), width)
    result.data.update(value=values[0], wrt=problem.names(), jacobian=entries)
    _add_labels(problem, result)
    return result


def hessian(problem: Problem) -> Result:
    result = Result({}, command="hessian")
    if problem.output.shape != ():
        raise DiffcliError(f"hessian needs a scalar output, but this one has shape {problem.output.shape}: "
                           "reduce it with sum(...) or mean(...), or pick one element with [i]")
    from .hessian import dense  # forward-over-reverse, every direction in one batched pass

    grads = autodiff.gradient(problem.output, problem.wrt)
    values = _run(problem, [problem.output] + grads, result)
    matrix = dense(problem.output, problem.wrt, problem.bindings, problem.ev)[2]
    if not result.warnings and not is_finite(matrix):  # name the node, row by row (rare, slow)
        _run(problem, [e for row in autodiff.hessian(problem.output, problem.wrt)[1] for e in row], result)
    result.data.update(
        value=values[0],
        grad={name: g for name, g in zip(problem.names(), values[1:])},
        wrt=problem.names(),
        hessian=matrix,
    )
    _add_labels(problem, result)
    return result


def _add_labels(problem: Problem, result: Result) -> None:
    if any(v.shape != () for v in problem.wrt):
        result.data["labels"] = problem.labels()


def derivative_node(problem: Problem, order: int = 1, wrt: list[str] | None = None) -> tuple[Node, list[str]]:
    """d^order f / d wrt... as a node: `--wrt x --order 3`, or `--wrt x,y` (d/dy d/dx).

    `wrt` is the --wrt text as typed (repeats kept: `--wrt x,x,y`); without it the
    expression must have exactly one variable.
    """
    names = [part.strip() for spec in wrt or [] for part in spec.split(",") if part.strip()]
    if not names:
        found = problem.names()
        if len(found) != 1:
            raise DiffcliError("diff needs one variable: name it with --wrt" + (f" (one of {', '.join(found)})" if found else ""))
        names = found
    if len(names) == 1:
        names = names * order
    elif order != 1:
        raise DiffcliError("give --order with a single --wrt variable, or list the variables (--wrt x,y) for a mixed derivative")
    f = problem.output
    if f.shape != ():
        raise DiffcliError(f"diff needs a scalar output, but this one has shape {f.shape}: "
                           "reduce it with sum(...), pick an element with [i], or use jacobian")
    for name in names:
        if problem.bindings and name not in problem.bindings:
            raise DiffcliError(f"--wrt {name}: `{name}` is not bound: give it a value with --at {name}=VALUE")
        v = next((w for w in problem.wrt if w.payload[0] == name), None) or G.var(name)
        if v.shape != ():
            raise DiffcliError(f"diff differentiates with respect to scalars; `{name}` has shape {v.shape}: use grad, jacobian or hessian")
        (f,) = autodiff.gradient(f, [v])
    return f, names


def diff(problem: Problem, order: int = 1, wrt: list[str] | None = None) -> Result:
    """The derivative as text that parses back, as LaTeX, and its value where the point is given."""
    from .render.latex import to_latex
    from .render.text import writable_text

    node, names = derivative_node(problem, order, wrt)
    result = Result({"derivative": writable_text(node), "latex": to_latex(node), "wrt": names,
                     "order": len(names)}, command="diff")
    if problem.bindings:
        (result.data["value"],) = _run(problem, [node], result)
    return result

"""The language reference, derived from the op table: every function and operator with its
derivative rule, LaTeX form, domain, kink conventions and PyTorch `grad_fn` name.

Nothing here is written twice. Each callable name is called through its own builder
(`ops.FUNCTIONS`) on placeholder variables in a scratch graph: the node it builds says which op
it is (names that build the same node are aliases: `if` is `where`), or, for a composite form,
what it is defined as (`log(a, b)` is `log(a)/log(b)`). The derivative texts come from each
op's derivative rule, as `explain` derives them (`local.py`). `diffcli functions` prints the
rows; `diffcli functions --format markdown` prints docs/language.md, which a test keeps current.
"""

from __future__ import annotations

import re

from diffcli.algebra.latex import to_latex
from diffcli.algebra.precedence import PRECEDENCE
from diffcli.algebra.text import to_text
from diffcli.compute.request import Result
from diffcli.core import local
from diffcli.core.graph import Graph, Node
from diffcli.core.ops import COMPARISONS, CONSTANTS, FUNCTIONS, OPS
from diffcli.core.ops.tensor_docs import EXAMPLES
from diffcli.core.ops.tensor_docs import SHAPES as EXAMPLE_SHAPES
from diffcli.errors import DiffcliError
from diffcli.syntax import hints
from diffcli.syntax.parse import parse

SHAPES = ((), (3,), (2, 2))  # tried in turn: a function that is not elementwise is shown on a vector
ARITY_SHAPES = {"matmul": ((2, 2), (2, 2)), "index": ((3,),)}
PRECEDENCE_WORDS = {
    "compare": "comparison",
    "sum": "sum",
    "product": "product",
    "unary": "sign",
    "power": "power",
    "atom": "call, index, bracket",
}


def reference() -> Result:
    """The rows of the reference: functions, operators, constants, other libraries' names."""
    return Result(
        "functions",
        {"functions": functions(), "operators": operators(), "constants": dict(CONSTANTS), "foreign": foreign()},
    )


def _build(name: str, count: int, shape: tuple) -> tuple[Node, tuple] | None:
    graph = Graph()
    args = tuple(graph.var(a, shape) for a in local.arg_names(count))
    try:
        return FUNCTIONS[name][2](*args), args
    except DiffcliError:
        pass
    if shape:
        return None
    try:  # a function of a whole number, such as eye(n): the row shows it called with n = 3
        node = FUNCTIONS[name][2](*(graph.const(3.0) for _ in args))
    except DiffcliError:
        return None
    if node.op != name or len(node.args) != len(args):
        return None  # a tensor spelling built from other ops: its row comes from its example
    return graph.node(node.op, args, node.payload), args


def _call(name: str, count: int) -> tuple[Node, tuple] | None:
    """`name` called with `count` placeholder arguments, scalars where it is elementwise."""
    found = None
    for shape in SHAPES:
        built = _build(name, count, shape)
        if built is None:
            continue
        node, args = built
        if node.op != "var" and (OPS[node.op].elementwise or shape):
            return built
        found = found or built
    return found


def _direct(node: Node, args: tuple) -> bool:
    return node.args == args


def derivative(node: Node) -> list[dict]:
    """Per argument: its name and the local derivative's text from the op's rule."""
    rule = local.derive(node.op, tuple(a.shape for a in node.args), node.payload)
    parts = []
    for i, a in enumerate(node.args):
        shown = local.shown(rule, i)
        text = "0 (no gradient)" if shown is None else to_text(shown)
        if rule.kind == "route" and shown is not None:
            text = "1: the adjoint g is routed back to the elements it came from"
        elif not OPS[node.op].elementwise and a.size > 1:  # mean of the sample vector: g/n, not g/3
            text = re.sub(rf"/{a.size}\b", "/n", text)
        parts.append({"argument": a.name, "kind": rule.kind, "rule": text})
    return parts


def _entry(op_name: str, node: Node, name: str | None = None, derive: bool = True) -> dict:
    op = OPS[op_name]
    return {
        "name": name or (op.print.symbol or op_name if op.print.kind == "call" else op_name),
        "op": op_name,
        "aliases": [],
        "call": to_text(node),
        "also": [],
        "doc": op.doc,
        "derivative": derivative(node) if derive else [],
        "latex": to_latex(node),
        "defined": op.defined or "everywhere",
        "kinks": [{"at": k.at, "rule": k.rule} for k in op.kinks],
        "grad_fn": op.backward_name(node) if not op.no_grad else None,
        "elementwise": op.elementwise,
    }


def functions() -> list[dict]:
    """One row per op callable by name, in op table order; aliases and other forms folded in."""
    rows: dict[str, dict] = {}
    composite = []
    for name, (low, high, _) in FUNCTIONS.items():
        for count in range(low, high + 1):
            built = _call(name, count)
            if built is None:
                continue
            node, args = built
            if not _direct(node, args):
                composite.append((name, node, args))
                continue
            row = rows.get(node.op)
            if row is None:  # named as called: pow(a, b) prints a^b, dot(a, b) prints a @ b
                called = name if OPS[node.op].print.kind != "call" else None
                row = rows[node.op] = _entry(node.op, node, called)
                if called:
                    row["call"] = f"{name}({', '.join(a.name for a in args)})"
            if name != row["name"] and name not in row["aliases"]:
                row["aliases"].append(name)
    for name, node, args in composite:
        owner = next((r for r in rows.values() if r["name"] == name), None)
        call = f"{name}({', '.join(a.name for a in args)})"
        line = call if node.op == "var" else f"{call} = {to_text(node)}"
        if owner is not None:
            owner["also"].append(line)
    for row in rows.values():  # aliases declared by an op entry itself
        for alias in getattr(OPS[row["op"]], "aliases", ()) or ():
            if alias not in row["aliases"]:
                row["aliases"].append(alias)
    _tensor_rows(rows)
    order = list(OPS)
    return sorted(rows.values(), key=lambda r: order.index(r["op"]))


def _tensor_rows(rows: dict) -> None:
    """The tensor spellings, shown by their examples (their arguments are static parameters
    that placeholders cannot stand for): one row each, or its example on the row of its op."""
    listed = {n for r in rows.values() for n in (r["name"], *r["aliases"])}
    for name, (example, doc) in EXAMPLES.items():
        if name not in FUNCTIONS:
            continue
        parsed = parse(example, dict(EXAMPLE_SHAPES))
        node = parsed.output
        owner = next((r for r in rows.values() if r["name"] == name), None)
        if owner is not None:
            owner["also"].append(f"{example} = {to_text(node)}" if example != to_text(node) else example)
            owner["doc"] = doc
            continue
        if name in listed:
            continue
        direct = all(a.op == "var" for a in node.args)
        row = _entry(node.op, node, name, derive=direct)
        row.update(call=example, doc=doc, elementwise=False)
        if not direct:
            row["derivative"] = [{"argument": "", "kind": "definition", "rule": "by its definition: " + to_text(node)}]
        rows["call " + name] = row  # not an op's key: the op's own row stays


def operators() -> list[dict]:
    """The infix and prefix operators, indexing and lists, with precedence (1 binds loosest)."""
    rows = []
    for name, op in OPS.items():
        kind = op.print.kind
        if kind not in ("infix", "prefix", "index", "list"):
            continue
        graph = Graph()
        count = op.arity or 2
        shapes = ARITY_SHAPES.get(name, ((),) * count)
        args = tuple(graph.var(a, s) for a, s in zip(local.arg_names(count), shapes))
        payload = (0,) if name == "index" else None
        node = graph.node(name, args, payload)
        row = _entry(name, node)
        symbol = {"index": "x[i]", "list": "[a, b]"}.get(kind, op.print.symbol)
        rank = PRECEDENCE[op.print.precedence]
        row.update(
            symbol=symbol,
            precedence=rank,
            binds=PRECEDENCE_WORDS[op.print.precedence],
            associativity="right" if name == "pow" else "left" if kind == "infix" else "",
        )
        rows.append(row)
    return sorted(rows, key=lambda r: (r["precedence"], list(OPS).index(r["op"])))


def foreign() -> dict:
    """What users of other libraries type, and how diffcli writes it (errors say the same)."""
    return {
        "functions": hints.foreign_forms(FUNCTIONS),
        "modules": sorted(hints.MODULES),
        "comparisons": sorted(COMPARISONS),
    }

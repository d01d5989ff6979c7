"""Views of a `graph` result: Rich tree (small graphs) or compact table, plain, JSON, CSV, DOT.

A node is referred to by its name (a variable or a file's intermediate) or `#id`; numbers are
written inline in the formula of the node that uses them, so the Rich view and the picture
show operations and variables, not every constant. JSON and CSV list every node.
Pictures go through Graphviz's `dot` program (SVG, PNG); DOT text needs nothing installed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import suppress
from functools import partial

import numpy as np

from diffcli import limits
from diffcli.algebra.text import to_json_value
from diffcli.data.fileio import write_bytes, write_text
from diffcli.errors import DiffcliError
from diffcli.render.output import flag, plain_number

COMPACT_BEYOND = 40  # shown nodes; above this the Rich view is one table row per node
FIELDS = ["id", "name", "op", "expr", "inputs", "value", "grad", "grad_fn", "is_leaf", "requires_grad"]


def shown(nodes: list[dict]) -> list[dict]:
    """The nodes drawn in the tree, table and picture: all but scalar numbers (written inline)."""
    return [n for n in nodes if not (n["op"] == "const" and np.ndim(n["value"]) == 0)]


def ref(n: dict) -> str:
    return n["name"] or f"#{n['id']}"


def short(x) -> str:
    """A value in a few characters: 6 significant digits, arrays abbreviated."""
    if x is None:
        return "-"
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        v = float(arr)
        return plain_number(v) if not np.isfinite(v) or (v.is_integer() and abs(v) < 1e15) else f"{v:.6g}"
    flat = [short(v) for v in arr.reshape(-1)[:3]]
    more = ", …" if arr.size > 3 else ""
    return f"[{', '.join(flat)}{more}]" + (f" {arr.shape}" if arr.size > 3 or arr.ndim > 1 else "")


def role(n: dict) -> str:
    if n["grad_fn"]:
        return n["grad_fn"]
    if not n["requires_grad"]:
        return "leaf, no grad" if n["is_leaf"] else "no grad"
    return "leaf, requires_grad"


# ---------------------------------------------------------------- text formats


def render_json(result) -> str:
    d = result.data
    nodes = [
        {k: to_json_value(n[k]) if k in ("value", "grad") and n[k] is not None else n[k] for k in FIELDS}
        for n in d["nodes"]
    ]
    data = {"nodes": nodes, "output": d["output"]}
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return json.dumps(data)


def _cell(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return flag(x)
    if isinstance(x, (str, int)):
        return str(x)
    return ",".join(plain_number(v) for v in np.asarray(x, dtype=float).reshape(-1))


PLAIN = ("id", "name", "op", "value", "grad", "grad_fn", "is_leaf", "requires_grad")


def render_plain(result) -> str:
    """A header line, then one line a node: id name op value grad grad_fn is_leaf requires_grad
    (`-` for none, booleans 1 or 0 as in every plain output)."""
    lines = [" ".join(PLAIN)]
    for n in result.data["nodes"]:
        lines.append(" ".join(_cell(n[k]) for k in PLAIN))
    return "\n".join(lines)


def render_csv(result) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for n in result.data["nodes"]:
        row = dict(n, inputs=" ".join(map(str, n["inputs"])))
        writer.writerow(
            [
                ""
                if row[k] is None
                else _cell(row[k]).replace(",", " ")
                if k in ("value", "grad")
                else flag(row[k])
                if isinstance(row[k], bool)
                else row[k]
                for k in FIELDS
            ]
        )
    return buffer.getvalue().rstrip("\n")


# ---------------------------------------------------------------- Rich


def render_rich(result, console) -> None:
    nodes = result.data["nodes"]
    drawn = shown(nodes)
    out = nodes[result.data["output"]]
    from rich.markup import escape

    leaves = sum(n["is_leaf"] for n in drawn)
    console.print(
        f"[bold]graph[/bold]: {len(drawn)} nodes, {leaves} lea{'f' if leaves == 1 else 'ves'}, "
        f"output {escape(ref(out))}; grad = d output / d node",
        highlight=False,
    )
    if len(drawn) > COMPACT_BEYOND:
        console.print(compact_table(drawn))
    else:
        console.print(tree(nodes, out))


def _line(n: dict) -> str:
    from rich.markup import escape

    head = f"[bold cyan]{escape(ref(n))}[/bold cyan]"
    if n["inputs"] or n["op"] == "const":
        head += f" = {escape(n['expr'])}"
    grad = f"  grad [bold]{escape(short(n['grad']))}[/bold]" if n["requires_grad"] else ""
    return f"{head}  [dim]{role(n)}[/dim]  value {escape(short(n['value']))}{grad}"


def tree(nodes: list[dict], out: dict):
    """The output at the root, inputs beneath; a node met again is named, not repeated."""
    from rich.markup import escape
    from rich.tree import Tree

    root = Tree("")
    stack = [(out, root)]
    expanded: set[int] = set()
    while stack:  # preorder, so "shown above" always points upwards
        n, branch = stack.pop()
        if n["id"] in expanded:
            branch.label = f"[cyan]{escape(ref(n))}[/cyan] [dim](shown above)[/dim]"
            continue
        expanded.add(n["id"])
        branch.label = _line(n)
        kids = [nodes[i] for i in n["inputs"]]
        kids = [k for k in kids if not (k["op"] == "const" and np.ndim(k["value"]) == 0)]
        subtrees = [(k, branch.add("")) for k in kids]
        stack.extend(reversed(subtrees))
    return root


def compact_table(drawn: list[dict]):
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, caption=f"compact view (more than {COMPACT_BEYOND} nodes)")
    table.add_column("node", style="cyan", no_wrap=True, max_width=12)
    table.add_column("= op of inputs", no_wrap=True, max_width=28, overflow="ellipsis")
    table.add_column("value", justify="right", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("grad", justify="right", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("grad_fn", no_wrap=True, max_width=14, overflow="ellipsis")
    for n in drawn:
        table.add_row(
            escape(ref(n)),
            escape(n["expr"]) if n["inputs"] else "",
            short(n["value"]),
            short(n["grad"]) if n["requires_grad"] else "",
            role(n).replace("Backward0", "").replace("leaf, requires_grad", "leaf"),
        )
    return table


# ---------------------------------------------------------------- DOT and pictures


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(result) -> str:
    """Leaves as ellipses, operations as boxes, `value | grad` in each, edges in data-flow order."""
    nodes = result.data["nodes"]
    drawn = shown(nodes)
    keep = {n["id"] for n in drawn}
    lines = ["digraph diffcli {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];']
    if len(drawn) > COMPACT_BEYOND:  # fewer layout passes: 625 nodes draw in ~1 s instead of ~10 s
        lines.append("  nslimit=2; mclimit=0.5;")
    for n in drawn:
        title = ref(n) + (f" = {n['expr']}" if n["inputs"] else "")
        numbers = f"value {short(n['value'])}" + (f" | grad {short(n['grad'])}" if n["requires_grad"] else " | no grad")
        label = "\n".join([title] + ([n["grad_fn"]] if n["grad_fn"] else []) + [numbers])
        shape = "ellipse" if n["is_leaf"] and not n["inputs"] else "box"
        style = "filled" if n["requires_grad"] else "filled,dashed"
        fill = (
            "lightblue" if n["requires_grad"] and not n["inputs"] else ("white" if n["requires_grad"] else "lightgrey")
        )
        extra = ", penwidth=2" if n["id"] == result.data["output"] else ""
        lines.append(
            f"  n{n['id']} [shape={shape}, style={_quote(style)}, fillcolor={fill}, label={_quote(label)}{extra}];"
        )
    for n in drawn:
        for i in n["inputs"]:
            if i in keep:
                lines.append(f"  n{i} -> n{n['id']};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def require_dot(option: str) -> str:
    """The path of Graphviz's `dot`, or a clear error saying how to get it."""
    found = shutil.which("dot")
    if found is None:
        raise DiffcliError(
            f"{option} needs Graphviz's `dot` program, which is not installed: install graphviz "
            "(apt-get install graphviz, brew install graphviz), or write DOT text with --dot FILE"
        )
    return found


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies


def picture_within_limit(nodes: int, option: str) -> None:
    """Refuse a picture Graphviz would spend minutes and gigabytes on (limits.MAX_PICTURE_NODES)."""
    if nodes > limits.MAX_PICTURE_NODES:
        raise DiffcliError(
            f"{option}: the graph has {nodes:,} nodes, more than the {limits.MAX_PICTURE_NODES:,} a picture "
            "is drawn for (Graphviz's layout grows much faster than the graph): write --dot FILE, or --format json"
        )


def dies_with(parent: int) -> None:
    """In the child, before `dot` starts: on Linux, the kernel kills it when diffcli (`parent`)
    dies, even by SIGKILL, so no orphaned `dot` goes on drawing. Elsewhere, nothing."""
    if sys.platform.startswith("linux"):
        import ctypes

        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # diffcli died before the line above ran
                os._exit(1)


def write_dot(path: str, dot: str, inputs=()) -> None:
    write_text(path, dot, inputs)


def write_picture(path: str, dot: str, fmt: str, inputs=()) -> None:
    """Render DOT text to `fmt` (svg, png, pdf) through `dot`, then write it as fileio writes files."""
    program = require_dot(f"--{fmt}")
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"],
            input=dot.encode(),
            capture_output=True,
            timeout=300,
            preexec_fn=partial(dies_with, os.getpid()),
        )
    except subprocess.TimeoutExpired:
        raise DiffcliError(f"Graphviz took too long to draw {path}: write --dot FILE instead") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise DiffcliError(f"Graphviz failed to draw {path}: {message[-1] if message else done.returncode}")
    write_bytes(path, done.stdout, inputs)

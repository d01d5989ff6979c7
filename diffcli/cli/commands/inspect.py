"""graph and check: see inside the computation (every node's value and grad, a picture) and
check reverse mode against finite differences.

Each command gets the option values read by the CLI (cli/spec.py declares them), asks the
library for a `Result` and hands it to the presenter with its view; the files of `graph` and
the mismatch line of `check` are this layer's."""

from __future__ import annotations

import sys

from diffcli.cli.spec import Options
from diffcli.compute.problem import load
from diffcli.data.fileio import picture_format
from diffcli.errors import EXIT_MISMATCH
from diffcli.explain.checking import check as check_problem
from diffcli.explain.graphview import graph as graph_problem
from diffcli.render import check as check_view
from diffcli.render import graph as graph_view
from diffcli.render.present import present, write


def graph(o: Options) -> int:
    for fmt in ("svg", "png"):
        if getattr(o, fmt):
            picture_format(getattr(o, fmt), f"--{fmt}", fmt)  # a bad name fails before any work
            graph_view.require_dot(f"--{fmt}")  # and so does a missing Graphviz
    problem = load(o.expr, o.at, o.wrt, o.const, o.of, o.dtype)
    write(problem.constant_notes())
    result = graph_problem(problem, o.v, kinks=o.kinks != "quiet")
    if not (o.kinks == "error" and result.kinks):  # a kink that stops the command stops it first
        write_files(result, o, (problem.source,) if problem.source else ())
    return present(result, o.format, graph_view, strict=o.strict, kinks=o.kinks)


def write_files(result, o: Options, inputs: tuple) -> None:
    """--dot text, then the --svg and --png pictures drawn from it."""
    if not (o.dot or o.svg or o.png):
        return
    for option in ("svg", "png"):
        if getattr(o, option):  # before any file is written
            graph_view.picture_within_limit(len(result.data["nodes"]), f"--{option}")
    text = graph_view.to_dot(result)
    if o.dot:
        graph_view.write_dot(o.dot, text, inputs)
    for option in ("svg", "png"):
        if getattr(o, option):  # the file's extension decides (--png graph.svg writes SVG), as for every picture
            graph_view.write_picture(
                getattr(o, option), text, picture_format(getattr(o, option), f"--{option}", option), inputs
            )


def check(o: Options) -> int:
    problem = load(o.expr, o.at, o.wrt, o.const, o.of)
    write(problem.constant_notes())
    result = check_problem(problem, o.v, o.rtol, o.atol, o.hessian, kinks=o.kinks != "quiet")
    present(result, o.format, check_view, strict=o.strict, kinks=o.kinks)
    if result.data["ok"]:
        return 0
    bad = [row for row in result.data["rows"] if not row[6]]
    label, exact, symbolic, numeric = bad[0][:4]
    print(
        f"check failed: {len(bad)} {'entry disagrees' if len(bad) == 1 else 'entries disagree'}; first {label}: "
        f"reverse mode {exact!r}, symbolic {symbolic!r}, central differences {numeric!r}",
        file=sys.stderr,
    )
    return EXIT_MISMATCH

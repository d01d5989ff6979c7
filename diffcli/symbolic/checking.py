""" "Is my answer right?": `diff EXPR --check ANSWER` and `grad`/`hessian`/`jacobian --check`.

An answer is correct when each entry has the derivative's canonical form (the printed textbook
text), or else equals it at POINTS random points of the domain (the points where the
derivative is finite) to TOLERANCE relative, allowing for rounding at a few badly
conditioned points (at most ROUNDING of them). A wrong answer is shown at a point where it
differs, with both values; when it is the derivative times one number (a forgotten factor, a
sign) or plus one number at every point, the report says so. The points come from a fixed seed,
so a verdict is the same on every run.
"""

from __future__ import annotations

import numpy as np

from diffcli.algebra.guards import has_where, unguard
from diffcli.algebra.text import writable_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Node, topological
from diffcli.errors import DiffcliError
from diffcli.syntax.parse import parse

POINTS = 400  # random points tried
TOLERANCE = 1e-9  # relative (absolute below 1)
FEWEST = 20  # points where the derivative is finite needed for a verdict
SEED = 20260527
ROUNDING = 0.05  # the share of points where rounding alone may exceed TOLERANCE (cos(x^6*y^8) at 2)


def split_answers(text: str) -> list[str]:
    """An answer per entry: `a; b; c` or `a, b` (top-level separators), or one bracketed list
    `[a, b]` / `[[a, b], [c, d]]` (rows flattened)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        rows = _top_split(inner, ",")
        if all(r.strip().startswith("[") and r.strip().endswith("]") for r in rows):
            return [e for r in rows for e in _top_split(r.strip()[1:-1], ",")]
        return rows
    parts = _top_split(text, ";")
    return parts if len(parts) > 1 else _top_split(text, ",")


def _top_split(text: str, separator: str) -> list[str]:
    """`text` split at the separators outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p] or [""]


def answers(problem: Problem, texts: list[str], count: int) -> list[Node]:
    """The answers as nodes of the problem's graph (free names are scalar variables)."""
    if len(texts) != count:
        raise DiffcliError(
            f"--check: the derivative has {count} entr{'y' if count == 1 else 'ies'} and the answer gives "
            f"{len(texts)}: give one per entry, row-major, separated by ; (or a list [a, b])"
        )
    known = {v.name for v in problem.parsed.variables}
    nodes = []
    for text in texts:
        try:
            node = parse(text, None, graph=problem.graph, functions=problem.parsed.functions).output
        except DiffcliError as e:
            raise DiffcliError(f"--check: the answer `{text}` does not parse: {e}") from None
        if node.shape != ():
            raise DiffcliError(f"--check: each answer is one formula, and `{text}` has shape {node.shape}")
        extra = sorted({n.name for n in topological([node]) if n.op == "var"} - known)
        if extra:
            raise DiffcliError(
                f"--check: the answer uses `{extra[0]}`, which the expression does not have "
                f"(its variables: {', '.join(sorted(known)) or 'none'})"
            )
        nodes.append(node)
    return nodes


def printed(node: Node, keep: bool) -> str:
    return writable_text(textbook(node if keep else unguard(node)[0]))


def sample(names: list[str], rng: np.random.Generator) -> dict:
    """POINTS points: half in (-2, 2), half positive (0.05, 2.5) for the logs and roots, each a
    number of two decimals (a point a student can check by hand)."""
    half = POINTS // 2
    return {
        name: np.round(np.concatenate([rng.uniform(-2, 2, half), rng.uniform(0.05, 2.5, POINTS - half)]), 2)
        for name in names
    }


def compare(problem: Problem, expected: list[Node], got: list[Node], labels: list[str], command: str) -> Result:
    """The verdict as a Result: `correct`, and for a wrong answer `point`, `expected`, `got`,
    the entry, and the kind of error (`factor`, `offset`) where one number explains it."""
    keep = has_where(problem.output)
    shown = [printed(e, keep) for e in expected]
    if all(printed(g, keep) == s for g, s in zip(got, shown)):
        return Result(command, {"correct": True, "derivative": shown})
    names = sorted({n.name for n in topological([*expected, *got]) if n.op == "var"})
    points = sample(names, np.random.default_rng(SEED))
    plan = Plan([*expected, *got], set(names), problem.device)
    values = [np.broadcast_to(np.asarray(to_numpy(v), dtype=float), (POINTS,)) for v in plan.evaluate(points, POINTS)]
    want, have = np.array(values[: len(expected)]), np.array(values[len(expected) :])
    defined = np.all(np.isfinite(want), axis=0)
    if defined.sum() < FEWEST:
        raise DiffcliError("--check: the derivative is not finite at enough random points to compare; check by hand")
    # where the answer overflows (inf/inf of an unsimplified form) it is not compared, unless it
    # never gives a number where the derivative does
    usable = defined & np.all(np.isfinite(have), axis=0)
    if usable.sum() < FEWEST:
        usable = defined
    want, have = want[:, usable], have[:, usable]
    close = np.abs(have - want) <= TOLERANCE * np.maximum(1.0, np.maximum(np.abs(want), np.abs(have)))
    if (~close).sum() <= ROUNDING * close.shape[1]:  # a wrong answer differs at most points
        return Result(command, {"correct": True, "derivative": shown})
    entry, k = (int(i) for i in np.argwhere(~close)[0])
    point = {name: float(points[name][usable][k]) for name in names}
    data = {
        "correct": False,
        "point": point,
        "expected": float(want[entry, k]),
        "got": float(have[entry, k]),
        "derivative": shown,
    }
    if len(expected) > 1:
        data["entry"] = labels[entry]
    data.update(explain(want, have))
    return Result(command, data)


def explain(want: np.ndarray, have: np.ndarray) -> dict:
    """`factor` c when the answer is c times the derivative everywhere (c = -1: the sign), or
    `offset` c when it is the derivative plus c, else nothing."""
    nonzero = np.abs(want) > 1e-12
    if nonzero.sum() >= FEWEST and np.all(np.abs(have[~nonzero]) <= 1e-9):
        ratios = have[nonzero] / want[nonzero]
        c = float(np.median(ratios))
        if np.all(np.abs(ratios - c) <= 1e-9 * max(1.0, abs(c))) and c != 0:
            return {"factor": c}
    difference = have - want
    c = float(np.median(difference))
    if np.all(np.abs(difference - c) <= 1e-9 * np.maximum(1.0, np.abs(want))):
        return {"offset": c}
    return {}


def check_derivative(problem: Problem, node: Node, answer: str) -> Result:
    """diff --check: one answer for the derivative `node`."""
    return compare(problem, [node], answers(problem, [answer.strip()], 1), ["derivative"], "diff")

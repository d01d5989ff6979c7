"""Anomaly report: which node first turned non-finite, in the forward or the backward pass.

Like `torch.autograd.detect_anomaly`, but pointing into the user's text. The culprit is the
first node in evaluation order whose value is not finite while all its inputs are. A forward
node is named by its own fragment of the text; a derivative node by the operation whose
derivative rule built it (`Graph.made_by`), followed back to a node of the user's text
(through derivative rules of derivatives, for a Hessian). The warning's first line names the
fragment with line and column; `detail` holds the input line with carets under the fragment.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from diffcli.algebra.text import to_text
from diffcli.core.engine import is_finite
from diffcli.core.graph import Node, topological
from diffcli.errors import DiffcliError, caret, shorten


class Note(str):
    """A warning: one line (what JSON's `warnings` holds) plus `detail` lines for stderr."""

    detail: str = ""


def note(message: str, detail: str = "") -> Note:
    out = Note(message)
    out.detail = detail
    return out


def nonfinite_note(text: str, output: Node, order: list, values: list) -> Note:
    """The warning for a program (`order`, `values` by slot) whose results are not all finite."""
    culprit = first_nonfinite(order, values)
    if culprit is None:
        return note("a result is not finite")
    forward = {id(n) for n in topological([output])}
    shown = _value_text(values[order.index(culprit)])
    if id(culprit) in forward:
        where, detail = locate(text, culprit)
        root = _root_hint(culprit, order, values)
        return note(f"a result is not finite: {where} first gives a non-finite value ({shown}){root}", detail)
    source = rule_owner(culprit, order, forward)
    if source is None:
        return note(
            f"a result is not finite: the derivative node `{shorten(to_text(culprit))}` "
            f"first gives a non-finite value ({shown})"
        )
    where, detail = locate(text, source)
    return note(
        f"a result is not finite: the derivative rule of {where} first gives a non-finite adjoint ({shown})", detail
    )


def _root_hint(culprit: Node, order: list, values: list) -> str:
    """x^(2/3) at a negative x: a negative number to a fractional power is nan (numpy and PyTorch
    agree); a power whose denominator is 3 has a real cube root, cbrt."""
    if culprit.op != "pow" or culprit.args[1].op != "const":
        return ""
    power = float(culprit.args[1].payload[0])
    if power == int(power) or not np.any(np.asarray(values[order.index(culprit.args[0])]) < 0):
        return ""
    shown = Fraction(power).limit_denominator(1000)
    if shown.denominator == 3:
        base = shorten(to_text(culprit.args[0]), 40)
        form = f"cbrt({base})" + ("" if shown.numerator == 1 else f"^{shown.numerator}")
        return f": a negative number to the power {shown} is nan; for the real cube root write {form}"
    return f": a negative number to the fractional power {shown} is nan (a real power needs a base >= 0)"


def rule_owner(culprit: Node, order: list, forward: set) -> Node | None:
    """The node of the user's expression whose derivative rule built `culprit`.

    A rule's result is a small graph; `made_by` knows its root, so ownership is handed down
    from consumers to their non-forward inputs (reverse evaluation order), then followed back
    through rules of derivative nodes until a forward node is reached.
    """
    made_by = culprit.graph.made_by
    owner: dict[int, Node] = {}
    for m in reversed(order):
        if id(m) in forward:
            continue
        found = made_by.get(m) or owner.get(id(m))
        if found is None:
            continue
        owner[id(m)] = found
        for a in m.args:
            if id(a) not in forward:
                owner.setdefault(id(a), found)
    source = owner.get(id(culprit))
    seen = set()
    while source is not None and id(source) not in forward and id(source) not in seen:
        seen.add(id(source))
        source = owner.get(id(source), made_by.get(source))
    return source if source is not None and id(source) in forward else None


def locate(text: str, n: Node) -> tuple[str, str]:
    """("`fragment` (line L, column C)", caret lines) for a node; its formula when it has no span."""
    if n.span is None:
        try:
            return f"`{shorten(to_text(n))}`", ""
        except DiffcliError:  # too large to print (limits.MAX_PRINT): name the operation
            return f"a `{n.op}` node", ""
    line, column, start, end = n.span
    where = f"line {line}, column {column}" if "\n" in text.strip() else f"column {column}"
    width = len(text[start:end].split("\n")[0])
    return f"`{shorten(text[start:end])}` ({where})", caret(text, line, column, width)


def first_nonfinite(order: list[Node], values: list) -> Node | None:
    """The first node (in evaluation order) that turned non-finite with finite inputs."""
    position = {id(n): i for i, n in enumerate(order)}
    for i, n in enumerate(order):
        if values[i] is None or is_finite(values[i]):
            continue
        if all(is_finite(values[position[id(a)]]) for a in n.args):
            return n
    return None


def _value_text(value: object) -> str:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return _number(float(arr))
    bad = [i for i in np.ndindex(*arr.shape) if not np.isfinite(arr[i])]
    first = bad[0]
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    return f"{_number(float(arr[first]))} at [{','.join(map(str, first))}]{more}"


def _number(v: float) -> str:
    return "nan" if v != v else ("inf" if v > 0 else "-inf")

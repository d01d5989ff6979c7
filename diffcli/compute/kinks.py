"""Kink findings: a point that sits where an operation has no derivative.

What an op knows about its kinks lives in its op table entry (`Op.kinks`): where they are, the
one-sided derivatives and the convention diffcli follows there. This module builds, from the
adjoints of the request's own backward pass, one probe node per kink of every node that
requires grad; the probes are evaluated with everything else, and a kink is a finding only
where the node's adjoint is nonzero (a kink inside the branch a `where` did not take, or
otherwise multiplied by zero, changes no derivative). Reporting (`--kinks warn|error|quiet`)
is the caller's.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from diffcli.compute.anomaly import Note, locate, note
from diffcli.core.autodiff import Adjoints
from diffcli.core.graph import apply
from diffcli.core.ops import OPS
from diffcli.core.ops.rules import compare


def probes(adj: Adjoints) -> list[tuple]:
    """(node, kink, probe node) for every kink a point could sit on."""
    found = []
    for n in adj.order:
        if id(n) not in adj.requires:
            continue
        for kink in OPS[n.op].kinks:
            probe = kink.on(n)
            if probe is not None and not (probe.is_const and probe.value == 0):
                found.append((n, kink, apply("mul", probe, compare("ne", adj.of(n), 0))))
    return found


def findings(text: str, probed: Sequence[tuple], values: list) -> list[Note]:
    """One note per kink the point sits on, in evaluation order (`values`: the probes')."""
    out = []
    for (n, kink, _), hit in zip(probed, values):
        hit = np.asarray(hit)
        if not np.any(hit):
            continue
        where, detail = locate(text, n)
        element = "" if hit.ndim == 0 else f" at [{','.join(map(str, np.argwhere(hit)[0]))}]"
        out.append(
            note(
                f"kink: {where} is not differentiable here ({kink.at}{element}): one-sided derivatives "
                f"{kink.left} from below, {kink.right} from above; convention: {kink.rule}",
                detail,
            )
        )
    return out

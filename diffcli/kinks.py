"""Kink report: a point that sits where an operation has no derivative is named on stderr.

What an op knows about its kinks lives in the op table (`Op.kinks`, ops.py): where they are,
the one-sided derivatives and the convention diffcli follows there. This module only asks every
node of the expression that requires grad whether its inputs sit on one, in one evaluation. A
kink is reported only where the node's adjoint is nonzero: a kink inside the branch a `where`
did not take (or otherwise multiplied by zero) does not change any derivative.
`--kinks warn` (default) prints a warning with a caret, `error` exits 3, `quiet` says nothing.
"""

from __future__ import annotations

import sys

import numpy as np

from .anomaly import locate
from .autodiff import backward
from .errors import EXIT_NONFINITE, DiffcliError
from .evaluate import Program
from .graph import apply, const
from .ops import OPS, compare


def find(problem) -> list:
    """(message, caret lines) for every kink the point sits on, in evaluation order."""
    out = problem.output
    adj = backward([(out, const(1.0, out.shape))], problem.wrt)
    probes = []
    for n in adj.order:
        if id(n) not in adj.requires:
            continue
        for kink in OPS[n.op].kinks:
            probe = kink.on(n)
            if probe is not None and not (probe.is_const and probe.value == 0):
                probes.append((n, kink, apply("mul", probe, compare("ne", adj.of(n), 0))))
    if not probes:
        return []
    values = Program([p for _, _, p in probes]).run(problem.bindings, problem.ev)
    found = []
    for (n, kink, _), hit in zip(probes, values):
        hit = np.asarray(hit)
        if not np.any(hit):
            continue
        where, detail = locate(problem.text, n)
        element = "" if hit.ndim == 0 else f" at [{','.join(map(str, np.argwhere(hit)[0]))}]"
        found.append((f"kink: {where} is not differentiable here ({kink.at}{element}): one-sided derivatives "
                      f"{kink.left} from below, {kink.right} from above; convention: {kink.rule}", detail))
    return found


def report(problem, mode: str) -> None:
    """Print the kinks (warn), stop with exit 3 (error), or nothing (quiet)."""
    if mode == "quiet":
        return
    found = find(problem)
    if not found:
        return
    if mode == "error":
        message, detail = found[0]
        raise DiffcliError(f"{message} (--kinks error)", detail=detail, exit_code=EXIT_NONFINITE)
    for message, detail in found:
        print(f"warning: {message}", file=sys.stderr)
        if detail:
            print(detail, file=sys.stderr)

"""minimize's watch on the value it descends: a climb that shows the steps overshoot."""

from __future__ import annotations

import math

from diffcli.compute.anomaly import Note, note
from diffcli.compute.request import Result

GROWING_STEPS = 5  # steps in a row of a growing value that earn minimize's warning...
GROWTH = 10.0  # ...once it has grown this many times over


class Growth:
    """minimize's watch on the value: when it grows GROWING_STEPS steps in a row and to GROWTH
    times where the streak began (the steps overshoot: x^2 with --lr 1.5 quadruples each step),
    a warning suggesting a smaller --lr, kept unless the run converges all the same (Adam's
    transient climbs in a valley)."""

    def __init__(self, lr: float):
        self.lr = lr
        self.first: tuple[int, float] | None = None  # (step, value) where the current climb began
        self.last, self.grew = math.inf, 0
        self.warning: Note | None = None

    def see(self, step: int, value: float) -> None:
        if not value > self.last:
            self.first, self.grew = (step, value), 0
        else:
            self.grew += 1
            start = self.first
            if self.warning is None and start is not None and self.grew >= GROWING_STEPS and value >= GROWTH * start[1]:
                self.warning = note(
                    f"the value grew for {self.grew} steps in a row (from {start[1]:.6g} at step {start[0]} to "
                    f"{value:.6g} at step {step}): the steps overshoot: lower --lr, such as to {self.lr / 10:g}"
                )
        self.last = value

    def report(self, result: Result, converged: bool) -> None:
        if self.warning is not None and not converged:
            result.warnings.append(self.warning)  # after a non-finite one, which --strict reports

"""Entries: angle conversions, numpy's deg2rad and rad2deg (also radians and degrees).

diffcli works in radians, as numpy, PyTorch and every calculus text do; these two let a
degree-minded formula say so: sin(deg2rad(90)) is 1. Both are multiplications by a constant,
so their derivative is that constant (pi/180 and 180/pi, printed so)."""

from __future__ import annotations

import math

from diffcli.core.ops.table import Op

TO_RADIANS = math.pi / 180  # numpy's factor: np.deg2rad(x) is x * (pi/180)
TO_DEGREES = 180 / math.pi


def _deg2rad(dev, n, x):
    return x * TO_RADIANS


def _rad2deg(dev, n, x):
    return x * TO_DEGREES


ENTRIES = (
    Op(
        "deg2rad",
        1,
        _deg2rad,
        lambda n, g, _: (g * math.pi / 180,),
        "degrees to radians: x*pi/180 (numpy's deg2rad; radians is the same)",
        fold=lambda x: x * TO_RADIANS,
        linear=True,
        domain=(-360.0, 360.0),
        aliases=("radians",),
        grad_fn="Deg2RadBackward0",
        rule="constant multiple",
    ),
    Op(
        "rad2deg",
        1,
        _rad2deg,
        lambda n, g, _: (g * 180 / math.pi,),
        "radians to degrees: x*180/pi (numpy's rad2deg; degrees is the same)",
        fold=lambda x: x * TO_DEGREES,
        linear=True,
        domain=(-7.0, 7.0),
        aliases=("degrees",),
        grad_fn="Rad2DegBackward0",
        rule="constant multiple",
    ),
)

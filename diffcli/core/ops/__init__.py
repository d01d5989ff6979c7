"""The op table: every operation defined once, one entry each (see `table.Op`).

Entries are grouped by family in this package's modules and registered here in a fixed order
(the order `diffcli functions` and the tests list them in). `FUNCTIONS` maps the names a user
may call to builders; a new function needs one `Op` entry and nothing else.
"""

from diffcli.core.ops import (
    angles,
    arithmetic,
    einsum,
    elementary,
    linalg,
    linalg_calls,
    piecewise,
    reductions,
    special,
    structure,
    tensors,
    trigonometric,
)
from diffcli.core.ops.names import CONSTANTS, functions
from diffcli.core.ops.piecewise import COMPARISONS
from diffcli.core.ops.rules import fit_shape
from diffcli.core.ops.table import OPS, Kink, Op, Print, register

register(
    *arithmetic.ENTRIES,
    *trigonometric.ENTRIES,
    *elementary.ENTRIES,
    *angles.ENTRIES,
    *special.ENTRIES,
    *piecewise.ENTRIES,
    *piecewise.ROUNDING,
    *reductions.ENTRIES,
    *structure.ENTRIES,
    *tensors.ENTRIES,
    *einsum.ENTRIES,
    *linalg.ENTRIES,
    *piecewise.COMPARISON_ENTRIES,
)
FUNCTIONS = functions()
FUNCTIONS.update(linalg_calls.TABLE)  # the tensor spellings (numpy's), built from the entries above

__all__ = ["OPS", "Op", "Kink", "Print", "FUNCTIONS", "CONSTANTS", "COMPARISONS", "fit_shape"]

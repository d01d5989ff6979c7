"""The declarations of diff: the derivative as a simplified formula (cli/commands/formulas.py)."""

from __future__ import annotations

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import AT, CHECK, EXPR, FORMAT, KINKS, LATEX, MAX_ORDER, OF, SHAPE, STRICT, WRT

DIFF_COMMAND = Command(
    "diff",
    "The derivative as a simplified formula (and its value with --at).",
    'diffcli diff "x*x*y" --wrt x --order 2 --at x=2,y=3',
    "formulas:diff",
    (EXPR,),
    (
        WRT,
        Option(
            "--order",
            "How many times to differentiate by a single --wrt variable (0: the function "
            "itself; stops at a derivative that is 0).",
            "int",
            1,
            low=0,
            high=MAX_ORDER,
        ),
        AT,
        OF,
        LATEX,
        CHECK,
        Option(
            "--steps",
            "Show the derivation step by step, each rule named (with --latex: an align block; JSON: `steps`).",
            "flag",
            False,
        ),
        FORMAT,
        STRICT,
        KINKS,
        Option(
            "--implicit",
            'Differentiate an equation such as "x^2 + y^2 = 1" implicitly: the derivative '
            "of this variable along the curve (dy/dx with --implicit y --wrt x).",
        ),
        Option("--function", "Undefined functions, such as f,g: f(x^2) differentiates to 2*x*f'(x^2).", "list"),
        SHAPE,
    ),
)

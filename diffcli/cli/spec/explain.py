"""The declarations of explain: the chain rule step by step (cli/commands/explain.py)."""

from __future__ import annotations

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import AT, CONST, EXPR, KINKS, OF, STRICT, WRT, V

EXPLAIN_COMMAND = Command(
    "explain",
    "The chain rule step by step: forward pass node by node, then each adjoint as incoming "
    "adjoint times local derivative, with the numbers substituted.",
    'diffcli explain "(x+1)*(x+2)" --at x=2',
    "explain:explain",
    (EXPR,),
    (
        AT,
        WRT,
        CONST,
        V,
        Option(
            "--u",
            "Also show the forward-mode sweep along this direction (J u, a JVP), one number per variable element.",
        ),
        OF,
        Option("--jacobian", "Also build the Jacobian row by row, one one-hot v per output element.", "flag", False),
        Option(
            "--hessian",
            "Explain one Hessian entry as a derivative of a derivative: --hessian x,y is "
            "d/dy (d/dx f); --hessian x is x,x.",
        ),
        Option("--full", "Show every step (by default a section shows at most 40).", "flag", False),
        Option(
            "--format",
            "auto: rich on a terminal, plain otherwise; latex: one aligned block; json: the steps.",
            "choice",
            "auto",
            ("auto", "rich", "plain", "json", "latex"),
        ),
        STRICT,
        KINKS,
    ),
)

"""The declarations of graph and check: the computation graph, and the gradient against finite
differences (cli/commands/inspect.py)."""

from __future__ import annotations

import math

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import AT, CONST, DTYPE, EXPR, FORMAT, KINKS, OF, STRICT, WRT, V

GRAPH_COMMAND = Command(
    "graph",
    "Every node of the computation graph: op, value, grad, grad_fn, is_leaf, requires_grad.",
    'diffcli graph "(x+1)*(x+2)" --at x=2',
    "inspect:graph",
    (EXPR,),
    (
        AT,
        WRT,
        CONST,
        V,
        OF,
        Option("--dot", "Write the graph as Graphviz DOT text."),
        Option("--svg", "Draw the graph into this file (needs Graphviz): SVG, or PNG/PDF by the extension."),
        Option("--png", "Draw the graph into this file (needs Graphviz): PNG, or SVG/PDF by the extension."),
        DTYPE,
        FORMAT,
        STRICT,
        KINKS,
    ),
)

CHECK_COMMAND = Command(
    "check",
    "Reverse-mode gradient (and Hessian) against central finite differences; exit 1 on mismatch.",
    'diffcli check "x*x*y" --at x=2,y=3',
    "inspect:check",
    (EXPR,),
    (
        AT,
        WRT,
        CONST,
        V,
        OF,
        Option("--rtol", "Relative tolerance.", "float", 1e-5, low=0, high=math.inf),
        Option("--atol", "Absolute tolerance.", "float", 1e-6, low=0, high=math.inf),
        Option("--hessian", "Also check the Hessian (scalar output, up to 30 variable elements).", "switch", True),
        FORMAT,
        STRICT,
        KINKS,
    ),
)

"""The declarations of jvp, taylor and the vector calculus of div, curl and laplacian
(cli/commands/calculus.py)."""

from __future__ import annotations

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import AT, CONST, DTYPE, EXPR, FIELD, FORMAT, KINKS, LATEX, OF, STRICT, WRT, U, out

JVP_COMMAND = Command(
    "jvp",
    "The Jacobian-vector product J u (the derivative along U, not normalised) by one forward-mode sweep.",
    'diffcli jvp "x^2*y" --at x=2,y=3 --u 1,1',
    "calculus:jvp",
    (EXPR,),
    (
        AT,
        WRT,
        CONST,
        U,
        OF,
        DTYPE,
        FORMAT,
        STRICT,
        KINKS,
        out(
            "The product J u, one vector, to a .npy, .npz (key jvp), .csv or .parquet file; the value is printed.",
            points=False,
        ),
    ),
)

TAYLOR_COMMAND = Command(
    "taylor",
    "The Taylor polynomial of EXPR at the --at point (text that parses back, LaTeX, JSON "
    "coefficients); with --u, along a direction.",
    'diffcli taylor "exp(x)" --at x=0 --order 4',
    "calculus:taylor",
    (EXPR,),
    (
        AT,
        Option("--order", "The polynomial's degree.", "int", 2, low=0, high=20),
        WRT,
        CONST,
        Option("--u", "Expand g(t) = f(at + t*u) along this direction (one number per variable element)."),
        OF,
        Option(
            "--plot",
            "Draw f and its polynomial into this file, PNG, SVG or PDF by its extension (needs diffcli[plot]).",
        ),
        Option("--range", "The interval --plot draws: x=-2:2 (t=-1:1 along --u); default the point +- 2."),
        LATEX,
        FORMAT,
        STRICT,
        KINKS,
    ),
)

DIV_COMMAND = Command(
    "div",
    "The divergence of a vector field [F1, F2, ...] (component i goes with the i-th --wrt "
    "variable): a formula, and its value with --at.",
    'diffcli div "[x*y, y^2, z]" --wrt x,y,z --at x=1,y=2,z=3',
    "calculus:div",
    (EXPR,),
    FIELD,
)

CURL_COMMAND = Command(
    "curl",
    "The curl of a field [F1, F2, F3] (two components: the scalar curl of the plane): formulas, and values with --at.",
    'diffcli curl "[-y, x, 0]" --wrt x,y,z --at x=1,y=1,z=0',
    "calculus:curl",
    (EXPR,),
    FIELD,
)

LAPLACIAN_COMMAND = Command(
    "laplacian",
    "The Laplacian of a scalar EXPR (the sum of its second derivatives by the --wrt "
    "variables, default all): a formula, and its value with --at.",
    'diffcli laplacian "x^2*y + z^3"',
    "calculus:laplacian",
    (EXPR,),
    FIELD,
)

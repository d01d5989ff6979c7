"""The declarations of eval, grad, jacobian and hessian: values and derivatives at a point
(cli/commands/core.py)."""

from __future__ import annotations

import math

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import (
    AT,
    CHECK,
    CONST,
    DET,
    DEVICE,
    DTYPE,
    ENGINE,
    EXPR,
    FORMAT,
    KEEP,
    LATEX,
    OF,
    OUT,
    POINTS,
    SCHEDULER,
    SHAPE,
    STRICT,
    WRT,
    V,
    numeric,
)

EVAL_COMMAND = Command(
    "eval",
    "The value of EXPR at a point (no gradient work).",
    'diffcli eval "x^2 + 20" --at x=10',
    "core:evaluate",
    (EXPR,),
    (AT, OF, DTYPE, FORMAT, STRICT, POINTS, OUT, KEEP, ENGINE, SCHEDULER, DEVICE, SHAPE),
)

GRAD_COMMAND = Command(
    "grad",
    "The value and reverse-mode gradient of EXPR at a point.",
    'diffcli grad "x*x*y" --at x=2,y=3',
    "core:grad",
    (EXPR,),
    (
        AT,
        WRT,
        CONST,
        V,
        *numeric(
            "One point: the gradient, one vector in --wrt order (as plain prints it), to a .npy, .npz "
            "(key grad), .csv or .parquet file; the value is printed."
        )[3:],
        LATEX,
        CHECK,
    ),
)

JACOBIAN_COMMAND = Command(
    "jacobian",
    "The Jacobian of a vector-valued EXPR (a scalar gives its 1 x n row).",
    'diffcli jacobian "[x1^2 + 3*x2, x2^2 + 2*x1]" --at x1=2,x2=3',
    "core:jacobian",
    (EXPR,),
    (
        *numeric(
            "One point: the Jacobian, outputs x input elements, to a .npy, .npz (key jacobian), .csv or "
            ".parquet file (a column per input element); the value is printed."
        ),
        Option(
            "--mode",
            "forward: a column per input element (JVPs); reverse: a row per output "
            "element (VJPs); auto: forward when there are fewer inputs than outputs.",
            "choice",
            "auto",
            ("auto", "forward", "reverse"),
        ),
        LATEX,
        DET,
        CHECK,
    ),
)

HESSIAN_COMMAND = Command(
    "hessian",
    "The value, gradient and exact Hessian of a scalar EXPR.",
    'diffcli hessian "x*x*y" --at x=2,y=3',
    "core:hessian",
    (EXPR,),
    (
        *numeric(
            "One point: the Hessian, n x n, to a .npy, .npz (key hessian), .csv or .parquet file; with "
            "--sparse its non-zeros as row, col, value (a .npz in scipy.sparse's CSR form, read by "
            "scipy.sparse.load_npz); the value and gradient are printed."
        ),
        Option("--sparse", "Coordinates (row col value) of the structural non-zeros only.", "flag", False),
        Option(
            "--classify",
            "The second-derivative test: eigenvalues, gradient norm, and minimum, maximum, saddle or degenerate.",
            "flag",
            False,
        ),
        Option(
            "--tol",
            "With --classify: the gradient norm of a critical point, and the size of a zero "
            "eigenvalue relative to the largest.",
            "float",
            1e-8,
            low=0.0,
            high=math.inf,
        ),
        LATEX,
        DET,
        CHECK,
    ),
)

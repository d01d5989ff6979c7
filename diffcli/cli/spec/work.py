"""The declarations of uncertainty, solve and critical: propagated uncertainties, Newton's
method, critical points (cli/commands/work.py)."""

from __future__ import annotations

import math

from diffcli.cli.spec.records import Command, Option
from diffcli.cli.spec.shared import EXPR, FORMAT, MAX_COUNT, MAX_SEED, OF, STRICT

UNCERTAINTY_COMMAND = Command(
    "uncertainty",
    "Propagate measurement uncertainties through EXPR (GUM): value, combined standard "
    "uncertainty and the budget; correlations, second order, Monte Carlo, expanded uncertainty.",
    'diffcli uncertainty "4*pi^2*L/T^2" --at "L=1.000±0.002,T=2.006±0.004"',
    "work:uncertainty",
    (EXPR,),
    (
        Option(
            "--at",
            "Measured values with standard uncertainties: L=1.000±0.002 (or 1.000+-0.002, or "
            "1.000(2)); a value without ± is exact (repeatable).",
            "list",
        ),
        Option("--corr", "A correlation between two inputs: L,T=0.3 (repeatable).", "list"),
        Option("--cov", "The inputs' covariance matrix, in --at order: [[a, b], [b, c]].", default=None),
        Option(
            "--second-order",
            "Add the GUM's second-order terms (note to 5.1.2; uncorrelated normal inputs).",
            "flag",
            False,
        ),
        Option(
            "--mc",
            "Monte Carlo (GUM Supplement 1) with this many draws, such as 1e6.",
            "int",
            None,
            low=2,
            high=10**9,
        ),
        Option(
            "--dist",
            "With --mc: an input's distribution, normal (default), uniform, triangular or t "
            "(u after ± is its standard deviation; for t the scale): L=uniform (repeatable).",
            "list",
        ),
        Option(
            "--seed",
            "With --mc: the random seed (the run reports the one it used).",
            "int",
            None,
            low=0,
            high=MAX_SEED,
        ),
        Option("--k", "Expanded uncertainty U = k u with this coverage factor.", "float", None, low=0.0, high=math.inf),
        Option(
            "--level",
            "Expanded uncertainty for this coverage probability (0.95): k from Student's t "
            "with the Welch-Satterthwaite degrees of freedom.",
            "float",
            None,
            low=0.0001,
            high=0.9999,
        ),
        Option("--dof", "Degrees of freedom of inputs (default infinite): L=5,T=9 (repeatable).", "list"),
        Option(
            "--points",
            "A lab table (CSV): columns named like the variables, u_NAME their standard "
            "uncertainties; one result row per line.",
        ),
        OF,
        Option("--latex", "The propagation formula with the partial derivatives written out, as LaTeX.", "flag", False),
        FORMAT,
        STRICT,
    ),
)

SOLVE_COMMAND = Command(
    "solve",
    "Solve f(x) = 0 (or a system [f1, f2]) by Newton's method from the --at point, with the "
    "iteration table and the observed order of convergence.",
    'diffcli solve "x^3 - 2*x - 5" --at x=2',
    "work:solve",
    (EXPR,),
    (
        Option("--at", "The starting point: x=2 (one value per unknown; repeatable).", "list"),
        Option(
            "--method",
            "newton; for one equation also secant or halley (with the second derivative).",
            "choice",
            "newton",
            ("newton", "secant", "halley"),
        ),
        Option(
            "--tol",
            "Converged when |f| <= tol and the step <= tol (1 + |x|).",
            "float",
            1e-10,
            low=0.0,
            high=math.inf,
        ),
        Option("--max-iter", "Most iterations.", "int", 100, low=1, high=MAX_COUNT),
        Option(
            "--no-line-search",
            "The pure method: full steps (by default each step is damped by backtracking until |f| decreases).",
            "flag",
            False,
        ),
        OF,
        Option("--trace", "Write every iteration (k, the variables, |f|) to this CSV file."),
        FORMAT,
    ),
)

CRITICAL_COMMAND = Command(
    "critical",
    "Every critical point of EXPR in a box, found by Newton's method on the gradient from many "
    "starts and classified (minimum, maximum, saddle, degenerate); --subject-to: by Lagrange multipliers.",
    'diffcli critical "x^3 - 3*x*y + y^3" --range x=-3:3,y=-3:3',
    "work:critical",
    (EXPR,),
    (
        Option("--range", "The box searched, one interval per variable: x=-3:3,y=-3:3.", required=True),
        Option(
            "--subject-to",
            'A constraint, an equation such as "x^2 + y^2 = 1" (repeatable): Lagrange multipliers.',
            "list",
        ),
        Option("--at", "Values of other names (constants): a=2.", "list"),
        Option(
            "--starts",
            "Starting points of Newton's method (Sobol points in the box).",
            "int",
            256,
            low=1,
            high=1_000_000,
        ),
        Option("--seed", "Seed of the scrambled Sobol starts.", "int", 0, low=0, high=MAX_SEED),
        Option(
            "--tol",
            "A start has converged when Newton's step is below tol (1 + |x|).",
            "float",
            1e-10,
            low=0.0,
            high=math.inf,
        ),
        OF,
        FORMAT,
    ),
)

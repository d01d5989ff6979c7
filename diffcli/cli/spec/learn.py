"""The declarations of minimize, fit and plot: descent on an expression, learning a model's
parameters, pictures (cli/commands/learn.py)."""

from __future__ import annotations

import math

from diffcli.cli.spec.records import Argument, Command, Option
from diffcli.cli.spec.shared import (
    AT,
    CONST,
    DTYPE,
    EXPR,
    FORMAT,
    FORMATS,
    LR,
    MAX_COUNT,
    MAX_SEED,
    OF,
    ONLY,
    OPTIMIZER,
    PLOT,
    STRICT,
    TRACE,
)

MINIMIZE_COMMAND = Command(
    "minimize",
    "Gradient descent on EXPR from the --at point: the final point, value, steps, converged.",
    'diffcli minimize "x^2" --at x=10 --lr 0.001 --steps 5000',
    "learn:minimize",
    (EXPR,),
    (
        AT,
        CONST,
        OF,
        LR,
        Option("--steps", "Most updates to make.", "int", 1000, low=0, high=MAX_COUNT),
        Option(
            "--optimizer",
            "gd (also sgd), momentum (0.9), adam (0.9, 0.999); newton (exact Hessian, damped to keep "
            "descending); bfgs, lbfgs (scipy.optimize with exact gradients; needs diffcli[optimize]).",
            "choice",
            "gd",
            ("gd", "momentum", "adam", "newton", "bfgs", "lbfgs"),
        ),
        Option("--tol", "Stop when the gradient norm falls under this.", "float", 1e-6, low=0.0, high=math.inf),
        TRACE,
        PLOT,
        DTYPE,
        ONLY,
        FORMAT,
        STRICT,
    ),
)

FIT_COMMAND = Command(
    "fit",
    "Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss.",
    "printf 'x,y\\n0,1\\n1,3\\n2,5\\n' | diffcli fit \"w*x + b\" --data - --params w=0,b=0 --lr 0.1",
    "learn:fit",
    (Argument("MODEL", "The model: an expression in parameters and CSV column names."),),
    (
        Option("--data", "CSV file (- for stdin): a header of column names, rows of numbers.", required=True),
        Option(
            "--params",
            "Parameters and starting values: w=0,b=0 (default: every name of MODEL that is not a column, from 0).",
            "list",
        ),
        Option("--target", 'The column the model should predict (MODEL "y = w*x + b" names it too).', default="y"),
        Option(
            "--loss",
            "mse (mean squared error), sse (sum), mae (mean absolute), huber (delta 1), or an "
            "expression of pred and the target column: '0.5*sum((pred - y)^2)'.",
            default="mse",
        ),
        OPTIMIZER,
        LR,
        Option("--epochs", "Passes over the data.", "int", 100, low=1, high=MAX_COUNT),
        Option("--batch-size", "Rows per step (default: all rows).", "int", None, low=1, high=MAX_COUNT),
        Option("--seed", "Seed of the row shuffling of mini-batches.", "int", 0, low=0, high=MAX_SEED),
        TRACE,
        PLOT,
        DTYPE,
        ONLY,
        FORMAT,
        STRICT,
    ),
)

PLOT_COMMAND = Command(
    "plot",
    "Draw EXPR and its derivatives over an interval (other names take values from --at).",
    'diffcli plot "sin(x)*x" --range x=-3:3 --order 2 --png plot.png',
    "learn:plot",
    (EXPR,),
    (
        Option(
            "--range",
            "The variable and its interval: x=-3:3 (default: the first free name, from -5 to 5 around 0 "
            "or its --at value).",
        ),
        Option(
            "--png",
            "Draw into this file: PNG, SVG or PDF by its extension (needs diffcli[plot]); "
            "without it, draw in the terminal (needs diffcli[term]), or print the points in a pipe.",
        ),
        Option("--order", "Draw derivatives up to this order.", "int", 1, low=0, high=10),
        AT,
        OF,
        Option(
            "--format",
            "auto: a picture on a terminal, the points (plain) otherwise; csv and json: the points.",
            "choice",
            "auto",
            FORMATS,
        ),
    ),
)

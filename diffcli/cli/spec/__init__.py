"""Every command and option of the command line, declared once.

The argument reader (cli/args.py) runs every command line from these declarations; the typer
app (cli/app.py) is built from them to render `--help` and shell completion. Nothing here
imports typer or the library, and the records are plain classes (defining a dataclass costs a
fraction of a millisecond), so reading them costs next to nothing at start-up. A command's `run`
names its implementation (`module:function` under diffcli.cli.commands), imported only when used.

The declarations live in one module per command family, named like the module of cli/commands/
that runs them (a command whose `run` is "calculus:jvp" is declared in spec/calculus.py); the
records in spec/records.py, the options many commands share in spec/shared.py. This module
puts the commands in the order help lists them and re-exports every name, so `spec.X` and
`from diffcli.cli.spec import X` are all a caller needs. (A family module must not take the name
of a re-exported function such as `numeric` or `out`: importing it would replace that name here.)
"""

from __future__ import annotations

from diffcli.cli.spec import calculus, core, explain, formulas, inspect, learn, reference, work
from diffcli.cli.spec.records import Argument, Call, Command, Option, Options, no, options_type
from diffcli.cli.spec.shared import (
    AT,
    CHECK,
    CONST,
    DET,
    DEVICE,
    DTYPE,
    ENGINE,
    EXPR,
    FIELD,
    FORMAT,
    FORMATS,
    KEEP,
    KINKS,
    LATEX,
    LR,
    MAX_COUNT,
    MAX_LR,
    MAX_ORDER,
    MAX_SEED,
    NUMERIC,
    OF,
    ONLY,
    OPTIMIZER,
    OUT,
    PLOT,
    POINTS,
    POINTS_OUT,
    SCHEDULER,
    SHAPE,
    STRICT,
    TRACE,
    WRT,
    U,
    V,
    numeric,
    out,
)

__all__ = [
    "APP_HELP",
    "AT",
    "Argument",
    "BY_NAME",
    "CHECK",
    "CHOICE_ALIASES",
    "COMMANDS",
    "CONST",
    "Call",
    "Command",
    "DET",
    "DEVICE",
    "DTYPE",
    "ENGINE",
    "EXPR",
    "FIELD",
    "FOREIGN_COMMANDS",
    "FOREIGN_OPTIONS",
    "FORMAT",
    "FORMATS",
    "KEEP",
    "KINKS",
    "LATEX",
    "LR",
    "MAX_COUNT",
    "MAX_LR",
    "MAX_ORDER",
    "MAX_SEED",
    "NUMERIC",
    "OF",
    "ONLY",
    "OPTIMIZER",
    "OUT",
    "Option",
    "Options",
    "PLOT",
    "POINTS",
    "POINTS_OUT",
    "SCHEDULER",
    "SHAPE",
    "STRICT",
    "TRACE",
    "U",
    "V",
    "WRT",
    "no",
    "numeric",
    "options_type",
    "out",
]

# The order `diffcli --help`, completion and docs/reference.md list the commands in.
COMMANDS = (
    core.EVAL_COMMAND,
    core.GRAD_COMMAND,
    core.JACOBIAN_COMMAND,
    calculus.JVP_COMMAND,
    core.HESSIAN_COMMAND,
    formulas.DIFF_COMMAND,
    explain.EXPLAIN_COMMAND,
    calculus.TAYLOR_COMMAND,
    calculus.DIV_COMMAND,
    calculus.CURL_COMMAND,
    calculus.LAPLACIAN_COMMAND,
    inspect.GRAPH_COMMAND,
    inspect.CHECK_COMMAND,
    learn.MINIMIZE_COMMAND,
    learn.FIT_COMMAND,
    learn.PLOT_COMMAND,
    work.UNCERTAINTY_COMMAND,
    work.SOLVE_COMMAND,
    work.CRITICAL_COMMAND,
    reference.FUNCTIONS_COMMAND,
    reference.COMPLETION_COMMAND,
)

BY_NAME = {c.name: c for c in COMMANDS}
# Choices are read ignoring case; these other names are accepted too (option dest -> name -> choice).
CHOICE_ALIASES = {"optimizer": {"sgd": "gd"}}
# What PyTorch users type, answered with the diffcli way (the reader's message for an unknown
# option or command).
FOREIGN_OPTIONS = {
    "--retain-graph": "not needed: every run starts fresh from the text, and nothing is freed before diffcli is done",
    "--create-graph": "second derivatives come from `diffcli diff --order 2` (a formula) or `diffcli hessian`",
    "--requires-grad": "every name bound by --at requires grad; --const NAME makes one a constant",
    "--no-grad": "`diffcli eval` computes the value without gradient work; --const NAME holds one name fixed",
    "--retain-grad": "`diffcli graph` shows every node's grad; --wrt NAME of a file's intermediate gives d output/d NAME",
    "--detach": "write detach(e) in the expression",
    "--backward": "`diffcli grad` computes the gradient",
}
FOREIGN_COMMANDS = {
    "backward": "grad",
    "autograd": "grad",
    "gradient": "grad",
    "derivative": "diff",
    "derive": "diff",
    "differentiate": "diff",
    "gradcheck": "check",
    "hess": "hessian",
    "jac": "jacobian",
    "evaluate": "eval",
    "optimize": "minimize",
    "minimise": "minimize",
    "optimise": "minimize",
    "train": "fit",
    "vjp": "grad --v V",
    "newton": "solve",
    "roots": "solve",
    "findroot": "solve",
    "fsolve": "solve",
    "critical_points": "critical",
    "critical-points": "critical",
    "stationary": "critical",
    "extrema": "critical",
    "propagate": "uncertainty",
    "gum": "uncertainty",
    "tangent": "taylor --order 1",
    "integrate": "diffcli differentiates and does not integrate: SymPy's integrate() or scipy.integrate.quad do",
}
APP_HELP = (
    "Symbolic-plus-numeric differentiation from the shell: values, gradients, Jacobians, Hessians and "
    "simplified derivative formulas of expressions such as (x+1)*(x+2)."
)

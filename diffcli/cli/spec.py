"""Every command and option of the command line, declared once.

The argument reader (cli/args.py) runs every command line from these declarations; the typer
app (cli/app.py) is built from them to render `--help` and shell completion. Nothing here
imports typer or the library, and the records are plain classes (defining a dataclass costs a
fraction of a millisecond), so reading them costs next to nothing at start-up. A command's `run`
names its implementation (`module:function` under diffcli.cli.commands), imported only when used.
"""

from __future__ import annotations

import dataclasses
from typing import Any


class Option:
    """One option: its flag, help, kind (text, list (repeatable), flag, switch (--x/--no-x),
    int, float, choice), default, choices, bounds of numbers, and whether it is required."""

    __slots__ = ("flag", "help", "kind", "default", "choices", "low", "high", "required", "dest")

    def __init__(
        self,
        flag: str,
        help: str,
        kind: str = "text",
        default=None,
        choices: tuple = (),
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
    ):
        self.flag, self.help, self.kind, self.default, self.choices = flag, help, kind, default, choices
        self.low, self.high, self.required = low, high, required
        self.dest = flag[2:].replace("-", "_")

    @property
    def takes_value(self) -> bool:
        return self.kind not in ("flag", "switch")


class Argument:
    __slots__ = ("name", "help", "dest")

    def __init__(self, name: str, help: str):
        self.name, self.help, self.dest = name, help, name.lower()


class Command:
    """A command: name, help, the example its --help shows (and runs), the implementation
    (`module:function` under diffcli.cli.commands), its arguments and options."""

    __slots__ = ("name", "help", "example", "run", "arguments", "options")

    def __init__(self, name: str, help: str, example: str, run: str, arguments: tuple = (), options: tuple = ()):
        self.name, self.help, self.example, self.run = name, help, example, run
        self.arguments, self.options = arguments, options

    def option(self, flag: str) -> Option | None:
        return next((o for o in self.options if o.flag == flag or (o.kind == "switch" and flag == no(o))), None)


def no(option: Option) -> str:
    """The negative flag of a switch: --hessian -> --no-hessian."""
    return "--no-" + option.flag[2:]


FORMATS = ("auto", "rich", "plain", "json", "csv")

EXPR = Argument("EXPR", "Expression text, an expression file, or - for stdin.")
AT = Option("--at", "The point: x=2,y=3 or 'x=[1,2,3]' (repeatable).", "list")
WRT = Option("--wrt", "Variables to differentiate by, in output order: x,y.", "list")
CONST = Option("--const", "Bound names that get no gradient (requires_grad=False).", "list")
OF = Option("--of", "In a file, the named statement to use as output.")
FORMAT = Option("--format", "auto: rich on a terminal, plain otherwise.", "choice", "auto", FORMATS)
DTYPE = Option("--dtype", "Floating-point type of the computation.", "choice", "float64", ("float64", "float32"))
STRICT = Option("--strict", "Exit 3 when a result is not finite.", "flag", False)
V = Option("--v", "Weights of a non-scalar output: vector-Jacobian product.")
POINTS = Option(
    "--points",
    "Evaluate at every row of a CSV (header: variable names), .npy, .npz or .parquet "
    "file, or a folder of .parquet files.",
)
OUT = Option(
    "--out",
    "With --points: write the rows to a .csv, .npy (one named field per column), .npz (one "
    "array per column) or .parquet file, or a folder (DIR/) as a Parquet data set. hessian --sparse: "
    "the Hessian to a .npz (scipy.sparse.load_npz reads it).",
)
KEEP = Option("--keep", "With --points: carry these input columns into the output, first: --keep id,x.", "list")
ONLY = Option(
    "--only",
    "Print only this result, named by its JSON key (value, grad, jacobian, hessian; at for "
    "minimize; params, loss for fit): --format plain then gives numbers numpy.loadtxt reads.",
)
ENGINE = Option(
    "--engine",
    "With --points: local (this process) or dask (the partitions of a Parquet input on a "
    "Dask cluster; needs diffcli[dask]).",
    "choice",
    "local",
    ("local", "dask"),
)
SCHEDULER = Option(
    "--scheduler",
    "With --engine dask: the address of a running scheduler of a cluster you trust, as you would an SSH host "
    "(Dask's protocol unpickles what it sends): tcp://HOST:PORT, or tls://HOST:PORT with Dask's security "
    "settings (docs/edges.md); without it a local cluster starts and stops with the command.",
)
DEVICE = Option(
    "--device", "cpu (numpy) or gpu (CuPy, when installed and a GPU is present).", "choice", "cpu", ("cpu", "gpu")
)
KINKS = Option(
    "--kinks",
    "A point on a kink (abs at 0, a max tie...): warn, error (exit 3) or quiet.",
    "choice",
    "warn",
    ("warn", "error", "quiet"),
)
OPTIMIZER = Option(
    "--optimizer", "gd (also sgd), momentum (0.9) or adam (0.9, 0.999).", "choice", "gd", ("gd", "momentum", "adam")
)
LR = Option("--lr", "Learning rate (step size).", "float", 0.01)
PLOT = Option("--plot", "Draw a picture into this file, PNG, SVG or PDF by its extension (needs diffcli[plot]).")
TRACE = Option("--trace", "Write every step (minimize) or epoch (fit: epoch, parameters, loss) to this CSV file.")
LATEX = Option("--latex", "Show the formula as LaTeX.", "flag", False)
U = Option("--u", "The direction: one number per variable element, in variable order (1,1), or a list.", required=True)

NUMERIC = (AT, WRT, CONST, OF, DTYPE, FORMAT, STRICT, KINKS, POINTS, OUT, KEEP, ONLY, ENGINE, SCHEDULER, DEVICE)
FIELD = (WRT, AT, OF, LATEX, FORMAT, STRICT, KINKS)

COMMANDS = (
    Command(
        "eval",
        "The value of EXPR at a point (no gradient work).",
        'diffcli eval "x^2 + 20" --at x=10',
        "core:evaluate",
        (EXPR,),
        (AT, OF, DTYPE, FORMAT, STRICT, POINTS, OUT, KEEP, ENGINE, SCHEDULER, DEVICE),
    ),
    Command(
        "grad",
        "The value and reverse-mode gradient of EXPR at a point.",
        'diffcli grad "x*x*y" --at x=2,y=3',
        "core:grad",
        (EXPR,),
        (AT, WRT, CONST, V, *NUMERIC[3:]),
    ),
    Command(
        "jacobian",
        "The Jacobian of a vector-valued EXPR (a scalar gives its 1 x n row).",
        'diffcli jacobian "[x1^2 + 3*x2, x2^2 + 2*x1]" --at x1=2,x2=3',
        "core:jacobian",
        (EXPR,),
        (
            *NUMERIC,
            Option(
                "--mode",
                "forward: a column per input element (JVPs); reverse: a row per output "
                "element (VJPs); auto: forward when there are fewer inputs than outputs.",
                "choice",
                "auto",
                ("auto", "forward", "reverse"),
            ),
        ),
    ),
    Command(
        "jvp",
        "The Jacobian-vector product J u (the derivative along U, not normalised) by one forward-mode sweep.",
        'diffcli jvp "x^2*y" --at x=2,y=3 --u 1,1',
        "calculus:jvp",
        (EXPR,),
        (AT, WRT, CONST, U, OF, DTYPE, FORMAT, STRICT, KINKS),
    ),
    Command(
        "hessian",
        "The value, gradient and exact Hessian of a scalar EXPR.",
        'diffcli hessian "x*x*y" --at x=2,y=3',
        "core:hessian",
        (EXPR,),
        (
            *NUMERIC,
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
            ),
        ),
    ),
    Command(
        "diff",
        "The derivative as a simplified formula (and its value with --at).",
        'diffcli diff "x*x*y" --wrt x --order 2 --at x=2,y=3',
        "core:diff",
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
            ),
            AT,
            OF,
            LATEX,
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
        ),
    ),
    Command(
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
            Option(
                "--jacobian", "Also build the Jacobian row by row, one one-hot v per output element.", "flag", False
            ),
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
    ),
    Command(
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
    ),
    Command(
        "div",
        "The divergence of a vector field [F1, F2, ...] (component i goes with the i-th --wrt "
        "variable): a formula, and its value with --at.",
        'diffcli div "[x*y, y^2, z]" --wrt x,y,z --at x=1,y=2,z=3',
        "calculus:div",
        (EXPR,),
        FIELD,
    ),
    Command(
        "curl",
        "The curl of a field [F1, F2, F3] (two components: the scalar curl of the plane): formulas, and "
        "values with --at.",
        'diffcli curl "[-y, x, 0]" --wrt x,y,z --at x=1,y=1,z=0',
        "calculus:curl",
        (EXPR,),
        FIELD,
    ),
    Command(
        "laplacian",
        "The Laplacian of a scalar EXPR (the sum of its second derivatives by the --wrt "
        "variables, default all): a formula, and its value with --at.",
        'diffcli laplacian "x^2*y + z^3"',
        "calculus:laplacian",
        (EXPR,),
        FIELD,
    ),
    Command(
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
    ),
    Command(
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
            Option("--rtol", "Relative tolerance.", "float", 1e-5, low=0),
            Option("--atol", "Absolute tolerance.", "float", 1e-6, low=0),
            Option("--hessian", "Also check the Hessian (scalar output, up to 30 variable elements).", "switch", True),
            FORMAT,
            STRICT,
            KINKS,
        ),
    ),
    Command(
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
            Option("--steps", "Most updates to make.", "int", 1000, low=0),
            OPTIMIZER,
            Option("--tol", "Stop when the gradient norm falls under this.", "float", 1e-6, low=0.0),
            TRACE,
            PLOT,
            DTYPE,
            ONLY,
            FORMAT,
            STRICT,
        ),
    ),
    Command(
        "fit",
        "Learn the parameters of MODEL from CSV data by gradient descent: the parameters and final loss.",
        "printf 'x,y\\n0,1\\n1,3\\n2,5\\n' | diffcli fit \"w*x + b\" --data - --params w=0,b=0 --lr 0.1",
        "learn:fit",
        (Argument("MODEL", "The model: an expression in parameters and CSV column names."),),
        (
            Option("--data", "CSV file (- for stdin): a header of column names, rows of numbers.", required=True),
            Option("--params", "Parameters and starting values: w=0,b=0.", "list", required=True),
            Option("--target", "The column the model should predict.", default="y"),
            Option(
                "--loss",
                "mse (mean squared error), sse (sum), mae (mean absolute), huber (delta 1), or an "
                "expression of pred and the target column: '0.5*sum((pred - y)^2)'.",
                default="mse",
            ),
            OPTIMIZER,
            LR,
            Option("--epochs", "Passes over the data.", "int", 100, low=1),
            Option("--batch-size", "Rows per step (default: all rows).", "int", None, low=1),
            Option("--seed", "Seed of the row shuffling of mini-batches.", "int", 0),
            TRACE,
            PLOT,
            DTYPE,
            ONLY,
            FORMAT,
            STRICT,
        ),
    ),
    Command(
        "plot",
        "Draw EXPR and its derivatives over an interval (other names take values from --at).",
        'diffcli plot "sin(x)*x" --range x=-3:3 --order 2 --png plot.png',
        "learn:plot",
        (EXPR,),
        (
            Option("--range", "The variable and its interval: x=-3:3.", required=True),
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
    ),
    Command(
        "functions",
        "Every function and operator of the expression language with its derivative rule, "
        "LaTeX form, domain, kink conventions and PyTorch grad_fn name (--format markdown: the language "
        "reference, docs/language.md).",
        "diffcli functions --format plain",
        "reference:functions",
        (),
        (
            Option(
                "--format",
                "auto: rich on a terminal, plain otherwise; json; markdown: the whole reference.",
                "choice",
                "auto",
                ("auto", "rich", "plain", "json", "markdown"),
            ),
        ),
    ),
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
}
APP_HELP = (
    "Symbolic-plus-numeric differentiation from the shell: values, gradients, Jacobians, Hessians and "
    "simplified derivative formulas of expressions such as (x+1)*(x+2)."
)


class Options:
    """A command's values, read and checked by cli/args.py: one frozen attribute per argument
    and option the command declares (`o.expr`, `o.at`, `o.wrt`), made by `options_type` from the
    declaration, so no command reads a string-keyed dict. A name the command does not declare
    is an AttributeError (tests/test_cli_options.py checks every `o.NAME` the commands read)."""

    if False:  # for type checkers only: the attributes are made per command below

        def __getattr__(self, name: str) -> Any: ...


_TYPES: dict[str, type] = {}


def options_type(command: Command) -> type:
    """The frozen dataclass of `command`'s values (made once per process, on first use)."""
    made = _TYPES.get(command.name)
    if made is None:
        names = [a.dest for a in command.arguments] + [o.dest for o in command.options]
        made = _TYPES[command.name] = dataclasses.make_dataclass(
            command.name.title() + "Options", names, bases=(Options,), frozen=True, slots=True
        )
    return made


class Call:
    """A command line read against the declarations: the command and every option's value."""

    __slots__ = ("command", "values")

    def __init__(self, command: Command, values: dict | None = None):
        self.command, self.values = command, values or {}

    def options(self) -> Options:
        return options_type(self.command)(**self.values)

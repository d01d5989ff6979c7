"""Every command and option of the command line, declared once.

The argument reader (cli/args.py) runs every command line from these declarations; the typer
app (cli/app.py) is built from them to render `--help` and shell completion. Nothing here
imports typer or the library, and the records are plain classes (defining a dataclass costs a
fraction of a millisecond), so reading them costs next to nothing at start-up. A command's `run`
names its implementation (`module:function` under diffcli.cli.commands), imported only when used.
"""

from __future__ import annotations

import dataclasses
import math
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
POINTS_OUT = (
    "With --points: write the rows to a .csv, .npy (one named field per column), .npz (one "
    "array per column) or .parquet file, or a folder (DIR/) as a Parquet data set."
)
OUT = Option("--out", POINTS_OUT)


def out(single: str, points: bool = True) -> Option:
    """--out as a command with a result too big for text states it: what one point writes."""
    return Option("--out", (POINTS_OUT + " " if points else "") + single)


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
# Every number an option takes has a range (checked by the reader, shown by --help): a count of
# work (steps, epochs, a derivative's order) is bounded so it stays a machine-sized integer and a
# finite amount of work; a tolerance is any number >= 0 (inf: accept anything).
MAX_COUNT = 10**12  # steps, epochs, rows of a batch: beyond any run that ends (a step takes >= 1 us)
MAX_ORDER = 10**9  # diff --order: the derivatives repeat or reach 0, or the node budget stops it first
MAX_SEED = 2**64 - 1  # numpy's default_rng takes any non-negative integer; PyTorch's seeds are 64-bit
MAX_LR = 1e6  # no step size above a million converges; the optimizer refuses 0 itself, with its reason
LR = Option("--lr", "Learning rate (step size).", "float", 0.01, low=0, high=MAX_LR)
PLOT = Option("--plot", "Draw a picture into this file, PNG, SVG or PDF by its extension (needs diffcli[plot]).")
TRACE = Option("--trace", "Write every step (minimize) or epoch (fit: epoch, parameters, loss) to this CSV file.")
LATEX = Option("--latex", "Show the formula as LaTeX.", "flag", False)
SHAPE = Option(
    "--shape",
    "Declared shapes with symbolic sizes, for matrix notation: x=n,A=n*n,X=m*n (with --at the "
    "sizes come from the values, checked against these).",
    "list",
)
DET = Option(
    "--det", "The determinant of the matrix, as a simplified formula (the polar Jacobian's is r).", "flag", False
)
CHECK = Option(
    "--check",
    "Is my answer right? Compare ANSWER with the derivative: exit 0 correct, 1 not (with a point where "
    "they differ). grad/hessian/jacobian: one answer per entry, row-major, separated by ; (or a list [..]).",
)
U = Option("--u", "The direction: one number per variable element, in variable order (1,1), or a list.", required=True)

NUMERIC = (AT, WRT, CONST, OF, DTYPE, FORMAT, STRICT, KINKS, POINTS, OUT, KEEP, ONLY, ENGINE, SCHEDULER, DEVICE)


def numeric(single: str) -> tuple:
    """NUMERIC with the --out of a command that writes one point's result as a file too."""
    return tuple(out(single) if option is OUT else option for option in NUMERIC)


FIELD = (WRT, AT, OF, LATEX, FORMAT, STRICT, KINKS)

COMMANDS = (
    Command(
        "eval",
        "The value of EXPR at a point (no gradient work).",
        'diffcli eval "x^2 + 20" --at x=10',
        "core:evaluate",
        (EXPR,),
        (AT, OF, DTYPE, FORMAT, STRICT, POINTS, OUT, KEEP, ENGINE, SCHEDULER, DEVICE, SHAPE),
    ),
    Command(
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
    ),
    Command(
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
    ),
    Command(
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
    ),
    Command(
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
    ),
    Command(
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
            Option("--rtol", "Relative tolerance.", "float", 1e-5, low=0, high=math.inf),
            Option("--atol", "Absolute tolerance.", "float", 1e-6, low=0, high=math.inf),
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
    ),
    Command(
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
    ),
    Command(
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
    ),
    Command(
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
            Option(
                "--k", "Expanded uncertainty U = k u with this coverage factor.", "float", None, low=0.0, high=math.inf
            ),
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
            Option(
                "--latex", "The propagation formula with the partial derivatives written out, as LaTeX.", "flag", False
            ),
            FORMAT,
            STRICT,
        ),
    ),
    Command(
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
    ),
    Command(
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
    Command(
        "completion",
        "Print the shell completion script for bash, zsh or fish (commands, options, choices, file "
        "names). `diffcli --install-completion` installs it for the shell you use.",
        "diffcli completion bash",
        "reference:completion",
        (Argument("SHELL", "bash, zsh or fish."),),
        (),
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

"""The options many commands share, declared once (--at, --wrt, --format, --points, --out...), the
ranges of numbers, and the groups of options commands take whole (NUMERIC, FIELD)."""

from __future__ import annotations

from diffcli.cli.spec.records import Argument, Option

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

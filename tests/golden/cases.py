"""The golden cases: command lines whose current output is frozen in expected.jsonl.

Each `add(category, *argv, stdin=..., files=..., read=..., env=...)` is one run of
`diffcli ARGV` in a fresh working folder that holds a copy of samples/ plus `files`; `read`
names output files to read back afterwards (pictures only as "exists, PNG/SVG"). Input data is
written out literally or computed here without randomness, so the inputs are the same on every
machine. Keep every case fast: the whole golden test must stay well under a minute.

Adding a case: append an `add(...)` line, run `python tests/golden/freeze.py`, review the new
record in expected.jsonl. Changing or removing a case also needs a refreeze.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import shlex

import numpy as np

CASES: list[dict] = []
_SEEN: set[str] = set()


def add(
    category: str, *argv: str, stdin: str | None = None, files: dict | None = None, read=(), env: dict | None = None
) -> None:
    """One case. An exact repeat of an earlier case (same argv, stdin, files) is skipped."""
    key = json.dumps(
        [
            list(argv),
            stdin,
            sorted((k, v if isinstance(v, str) else v.hex()) for k, v in (files or {}).items()),
            list(read),
            env,
        ],
        sort_keys=True,
    )
    if key in _SEEN:
        return
    _SEEN.add(key)
    CASES.append(
        {
            "category": category,
            "argv": list(argv),
            "stdin": stdin,
            "files": dict(files or {}),
            "read": list(read),
            "env": dict(env or {}),
        }
    )


# ---------------------------------------------------------------- input data (no randomness)


def _seed15_csv(rows: int = 60) -> str:
    """Seed example 15's data: y = 3x^2 + 2 plus small deterministic 'noise', 6 decimals."""
    lines = ["x,y"]
    for i in range(rows):
        x = -2 + 4 * i / (rows - 1)
        noise = 0.1 * math.sin(12.9898 * i + 78.233)
        lines.append(f"{x:.6f},{3 * x * x + 2 + noise:.6f}")
    return "\n".join(lines) + "\n"


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v, dtype=float) for k, v in arrays.items()})
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _structured_npy() -> bytes:
    data = np.zeros(4, dtype=[("x", "f8"), ("y", "f8")])
    data["x"], data["y"] = [1, 2, 3, 4], [0.5, 0.25, 2, -1]
    return _npy(data)


SEED15 = _seed15_csv()
POINTS_CSV = "x,y\n2,3\n1,1\n"
POINTS3 = "x,y\n2.0,3.0\n1.0,1.5\n-0.5,0.25\n"
LINE_CSV = "x,y\n0,1\n1,3\n2,5\n"
VEC_NPZ = _npz(
    v=[[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5], [0.1, 0.2, 0.3], [3.0, -3.0, 1.0]],
    x=[0.5, -1.25, 2.0, 0.75, -0.1],
)
STRUCT_NPY = _structured_npy()
EX1 = "a = x+1\nb = x+2\ny = a*b\n"

NETWORK_AT = "W1=[[1,-1,0.5],[0.5,1,-1]],b1=[0,0.1,-0.1],w2=[1,-1,0.5],b2=0"
LOGISTIC_AT = "w=[0.5,-0.25],b=0.1"

# sample: (the point every command starts from, its scalar variables for `diff --wrt`)
SAMPLES = {
    "rosenbrock": ("x=-1.2,y=1", ["x", "y"]),
    "rosenbrock10": ("x=[-1.2,1,0.5,-0.5,1.5,0.8,1.1,-0.2,0.3,0.9]", []),
    "himmelblau": ("x=1,y=1.5", ["x", "y"]),
    "logistic": (LOGISTIC_AT, ["b"]),
    "network": (NETWORK_AT, ["b2"]),
    "detach": ("x=2", ["x"]),
    "composition": ("x=0.3,y=0.4", ["x", "y"]),
}

FORMATS = ("plain", "json", "csv", "rich")

# ================================================================ README: every `$ diffcli` line
R = "readme"
add(R, "grad", "x*x*y", "--at", "x=2,y=3", "--format", "plain")
add(R, "grad", "x*x*y", "--at", "x=2,y=3", "--format", "json")
add(R, "hessian", "x*x*y", "--at", "x=2,y=3", "--format", "plain")
add(R, "diff", "x*x*y", "--wrt", "x")
add(R, "jacobian", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--format", "plain")
add(R, "grad", "mean(x^2 + 20)", "--at", "x=[10,20,30,40]", "--format", "json")
add(R, "diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3")
add(R, "diff", "x*x*y", "--wrt", "x,y")
add(R, "diff", "(x+1)*(x+2)", "--wrt", "x")
add(R, "diff", "sqrt(x^2 + y^2)", "--wrt", "x")
add(R, "diff", "sin(x)^2/x", "--wrt", "x", "--latex")
add(R, "diff", "x^3*y^2", "--wrt", "x,x,y", "--format", "json")
add(R, "diff", "samples/rosenbrock.dc", "--wrt", "x")
add(R, "diff", "samples/himmelblau.dc", "--wrt", "x,y", "--at", "x=3,y=2")
add(R, "diff", "samples/composition.dc", "--wrt", "x")
add(R, "hessian", "samples/rosenbrock.dc", "--at", "x=-1.2,y=1")
add(R, "hessian", "samples/rosenbrock10.dc", "--at", "x=[1,1,1,1,1,1,1,1,1,1]")
add(R, "hessian", "samples/himmelblau.dc", "--at", "x=3,y=2")
add(R, "hessian", "samples/logistic.dc", "--at", LOGISTIC_AT)
add(R, "hessian", "samples/network.dc", "--at", NETWORK_AT, "--wrt", "w2,b2")
add(R, "grad", "samples/detach.dc", "--at", "x=2")
add(R, "jacobian", "samples/logistic.dc", "--of", "z", "--at", LOGISTIC_AT)
add(R, "jacobian", "samples/network.dc", "--of", "out", "--at", NETWORK_AT, "--wrt", "w2,b2")
add(R, "jacobian", "softmax(x)", "--at", "x=[1,2,3]")
add(R, "minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--format", "plain")
# (its 4,399-row trace is not stored: the listing records that steps.csv was written, and the
# `learn` cases below read traces back)
add(
    R,
    "minimize",
    "(1-x)^2 + 100*(y-x^2)^2",
    "--at",
    "x=-1.2,y=1",
    "--optimizer",
    "adam",
    "--lr",
    "0.02",
    "--steps",
    "10000",
    "--tol",
    "1e-8",
    "--format",
    "json",
    "--trace",
    "steps.csv",
    "--plot",
    "descent.png",
    read=["descent.png"],
)
add(
    R,
    "fit",
    "w*x + b",
    "--data",
    "-",
    "--params",
    "w=0,b=0",
    "--lr",
    "0.1",
    "--epochs",
    "3000",
    "--format",
    "json",
    stdin=LINE_CSV,
)
add(
    R,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--optimizer",
    "adam",
    "--lr",
    "0.05",
    "--epochs",
    "100",
    "--batch-size",
    "32",
    "--plot",
    "fit.png",
    files={"data.csv": SEED15},
    read=["fit.png"],
)
add(R, "plot", "sin(x)*x", "--range", "x=-3:3", "--order", "2", "--png", "plot.png", read=["plot.png"])
add(R, "graph", "ex1.dc", "--at", "x=2", "--format", "rich", files={"ex1.dc": EX1})
add(
    R,
    "graph",
    "ex1.dc",
    "--at",
    "x=2",
    "--svg",
    "ex1.svg",
    "--png",
    "ex1.png",
    "--dot",
    "ex1.dot",
    files={"ex1.dc": EX1},
    read=["ex1.svg", "ex1.png", "ex1.dot"],
)
add(R, "check", "x*x*y", "--at", "x=2,y=3", "--format", "plain")
add(R, "grad", "x + sqrt(x)", "--at", "x=0")
add(R, "grad", "where(x > 0, sqrt(x), 0)", "--at", "x=0", "--format", "json", "--kinks", "quiet")
add(R, "grad", "3 + abs(x - 1)*2", "--at", "x=1", "--format", "plain")
add(R, "diff", "where(x > 0, x^3, 0)", "--wrt", "x")
add(R, "explain", "(x+1)*(x+2)", "--at", "x=2")
add(R, "explain", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1")
add(R, "explain", "x*x*y", "--at", "x=2,y=3", "--hessian", "x,y")
add(R, "grad", "x*x*y", "--points", "points.csv", files={"points.csv": POINTS_CSV})
# README pipes the file into `--points /dev/stdin`; in-process that would read the real stdin
# (`--points -` reads the case's stdin, see the points cases), so this case names the file.
add(R, "grad", "x*x*y", "--points", "points.csv", "--format", "json", files={"points.csv": POINTS_CSV})
add(R, "hessian", "100*(x2-x1^2)^2 + (1-x1)^2", "--at", "x1=1,x2=2", "--sparse")
add(R, "diff", "tan(x)*exp(sin(x))/(1+x^2)", "--wrt", "x", "--order", "4")  # (--order 10 takes 7 s)
# The examples of each command's --help.
# The examples of each command's --help not shown above (the others differ only in --format).
add(R, "eval", "x^2 + 20", "--at", "x=10")
add(R, "graph", "(x+1)*(x+2)", "--at", "x=2")
add(R, "fit", "w*x + b", "--data", "-", "--params", "w=0,b=0", "--lr", "0.1", stdin=LINE_CSV)

# ================================================================ samples/ through every command
# Every sample through every command: grad and hessian in all four formats, the other commands
# in plain and json (eval and jacobian, whose output is a number or the gradient's row, in plain),
# and in all formats on two samples whose variables are scalars (rosenbrock) and matrices (network).
S = "samples"
WIDE = ("rosenbrock", "network")
EXPLAIN_WIDE = ("rosenbrock",)  # (explain fails on logistic and network)
for name, (at, scalars) in SAMPLES.items():
    path = f"samples/{name}.dc"
    steps = "5" if name in ("network", "composition", "rosenbrock10") else "25"
    for command in ("eval", "grad", "jacobian", "hessian", "graph", "check", "minimize"):
        extra = ["--lr", "0.001", "--steps", steps] if command == "minimize" else []
        if command in ("grad", "hessian") or (name in WIDE and command != "jacobian"):
            formats = FORMATS
        elif command in ("eval", "jacobian"):
            formats = ("plain",)
        else:
            formats = ("plain", "json")
        for fmt in formats:
            add(S, command, path, "--at", at, *extra, "--format", fmt)
    for fmt in ("plain", "json", "latex", "rich") if name in EXPLAIN_WIDE else ("plain", "json"):
        add(S, "explain", path, "--at", at, "--format", fmt)
    if scalars:
        for fmt in FORMATS if name in WIDE else ("plain", "json"):
            add(S, "diff", path, "--wrt", scalars[0], "--at", at, "--format", fmt)
    else:
        add(S, "diff", path, "--wrt", "x", "--at", at)  # a vector variable: exit 2, points to grad
add(S, "diff", "samples/rosenbrock.dc", "--wrt", "x", "--latex")
add(S, "diff", "samples/composition.dc", "--wrt", "x,y", "--at", "x=0.3,y=0.4")
for name in ("rosenbrock", "logistic", "network"):
    add(S, "graph", f"samples/{name}.dc", "--at", SAMPLES[name][0], "--dot", f"{name}.dot", read=[f"{name}.dot"])
for fmt in ("json", "csv", "rich"):
    add(S, "jacobian", "samples/logistic.dc", "--of", "z", "--at", LOGISTIC_AT, "--format", fmt)
add(S, "jacobian", "samples/network.dc", "--of", "h", "--at", NETWORK_AT, "--wrt", "b1", "--format", "json")
add(
    S,
    "minimize",
    "samples/himmelblau.dc",
    "--at",
    "x=1,y=1.5",
    "--optimizer",
    "momentum",
    "--lr",
    "0.005",
    "--steps",
    "40",
    "--trace",
    "h.csv",
    "--format",
    "json",
    read=["h.csv"],
)

# ================================================================ the 16 seed examples
E = "seed"
add(E, "grad", "(x+1)*(x+2)", "--at", "x=2", "--format", "json")  # 1
add(E, "graph", "(x+1)*(x+2)", "--at", "x=2", "--format", "json")
add(E, "graph", "ex1.dc", "--at", "x=2", "--format", "plain", files={"ex1.dc": EX1})
add(E, "grad", "x*x*y", "--at", "x=2,y=3", "--format", "json")  # 2
add(E, "hessian", "x*x*y", "--at", "x=2,y=3", "--format", "json")
add(E, "diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3", "--format", "json")
add(E, "grad", "x^3", "--at", "x=1", "--format", "json")  # 3
add(E, "grad", "x^2 + 20", "--at", "x=10", "--format", "json")  # 4
add(E, "grad", "mean(x^2 + 20)", "--at", "x=[10,20,30,40]", "--format", "json")  # 5
add(E, "grad", "x1^2 + x2^2 + x1*x2", "--at", "x1=10,x2=20", "--format", "json")  # 6
add(E, "eval", "x1^2 + x2^2 + x1*x2", "--at", "x1=[10,20],x2=[30,40]", "--format", "json")  # 7
add(E, "grad", "mean(x1^2 + x2^2 + x1*x2)", "--at", "x1=[10,20],x2=[30,40]", "--format", "json")
add(E, "grad", "x + 1", "--at", "x=[1,2]")  # 8
add(E, "grad", "sum(x*x)", "--at", "x=[1,2]", "--format", "json")  # 9
add(E, "grad", "x*y", "--at", "x=[0,2,8],y=[5,1,7]", "--v", "1,1,1", "--format", "json")  # 10
add(E, "jacobian", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--format", "json")  # 11
add(E, "grad", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1", "--format", "json")
add(E, "grad", "w*x + b", "--at", "w=2,x=5,b=1", "--const", "x", "--format", "json")  # 12
add(E, "graph", "w*x + b", "--at", "w=2,x=5,b=1", "--const", "x", "--format", "json")
add(E, "grad", "detach.dc", "--at", "x=2", "--format", "json", files={"detach.dc": "y = x^2 + 3\ndetach(y)*x\n"})  # 13
add(E, "grad", "nodetach.dc", "--at", "x=2", "--format", "json", files={"nodetach.dc": "y = x^2 + 3\ny*x\n"})
add(E, "minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "1", "--format", "json")  # 14
add(E, "minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--format", "json")
add(
    E,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--lr",
    "0.02",
    "--epochs",
    "300",  # 15
    "--format",
    "json",
    files={"data.csv": SEED15},
)
for n in (1, 3, 7):  # 16
    at = "x=[" + ",".join(str(i + 0.5) for i in range(n)) + "]"
    add(E, "grad", "sum(sin(x)*x)", "--at", at, "--format", "json")
    add(E, "grad", "mean(sin(x)*x)", "--at", at, "--format", "json")

# ================================================================ errors (tests and SPEC)
X = "errors"
add(X, "eval", "x + * 2", "--at", "x=1")
add(X, "eval", "f.dc", "--at", "x=1", files={"f.dc": "a = x + 1\nb = a * * 2\nb\n"})
for expr in ("2x", "(x+1)(x+2)", "x y"):
    add(X, "eval", expr, "--at", "x=1,y=2")
add(X, "eval", "sni(x)", "--at", "x=1")
add(X, "eval", "thta + 1", "--at", "theta=1")
add(X, "eval", "sin + 1")
add(X, "eval", "sin(x, x)", "--at", "x=1")
add(X, "eval", "x + y", "--at", "x=[1,2],y=[1,2,3]")
add(X, "eval", "W @ x", "--at", "W=[[1,2],[3,4]],x=[1,2,3]")
add(X, "eval", "x[3]", "--at", "x=[1,2]")
add(X, "grad", "x*y", "--at", "x=1,y=2", "--wrt", "z")
add(X, "grad", "x*y", "--at", "x=1,y=2", "--const", "z")
add(X, "grad", "x * 2", "--at", "x=[1,2,3]", "--v", "1,1")
for at in ("x", "x=", "x=abc", "x=[1,2", "x=[[1,2],[3]]", "1x=2", "x=1,x=2", "x=[]"):
    add(X, "eval", "1", "--at", at)
add(X, "eval", "./adir", files={"adir/keep.txt": ""})
add(X, "eval", "b.dc", files={"b.dc": b"\x00\x01\x02"})
add(X, "eval", "l.dc", "--at", "x=1", files={"l.dc": "x + \u00e9t\u00e9".encode("latin-1")})
add(X, "eval", "u16.txt", "--at", "x=1", files={"u16.txt": "x + 1".encode("utf-16")})
add(X, "eval", "e.dc", files={"e.dc": "# only a comment\n"})
add(X, "grad", "-", "--at", "x=1")  # empty stdin
add(X, "eval", "-", "--at", "x=2", stdin="\ufeffx*3\n")  # a byte-order mark is read
add(X, "eval", "missing.dc", "--at", "x=1")
add(X, "eval", "model.dc", "--at", "x=1", "--of", "los", files={"model.dc": "loss = x^2\n"})
add(X, "grad", "x", "--bogus")
add(X, "grad")
add(X, "eval", "   ")
add(X, "eval", "x +", "--at", "x=1")
add(X, "eval", "x", "--at", "x=1", "--format", "xml")
add(X, "eval", "x", "--at", "x=1", "--out", "o.npy")
add(X, "diff", "x*y")
add(X, "diff", "x*y", "--wrt", "x,y", "--order", "2")
add(X, "diff", "[x, x^2]", "--wrt", "x")
add(X, "diff", "sum(softmax(W*y))", "--wrt", "y", "--at", "W=[[1,2],[3,4]],y=2")
add(X, "eval", "a.dc", "--at", "x=1", files={"a.dc": "x = 2\nx^2\n"})
add(X, "hessian", "[x, y]", "--at", "x=1,y=2")
add(X, "explain", "x + 1", "--at", "x=[1,2]")
add(X, "explain", "sum(x*x)", "--at", "x=[1,2]", "--hessian", "x")
add(X, "grad", "x*y", "--at", "x=1,y=2", "--device", "gpu")
# SPEC promises frozen as errors before they were built (jvp, --mode and asinh/sinc work since issue 17)
add(X, "jvp", "x*y", "--at", "x=1,y=2", "--u", "1,0")
add(X, "jacobian", "[x*y, x+y]", "--at", "x=1,y=2", "--mode", "forward")
add(X, "eval", "asinh(x) + sinc(x)", "--at", "x=1")
add(X, "fit", "w*x", "--data", "d.csv", "--params", "w=0", "--loss", "sse", files={"d.csv": LINE_CSV})
# limits and hostile input (tests/test_robust.py), small enough to store
D = 10_000
add(X, "eval", "(" * (D + 1) + "x" + ")" * (D + 1), "--at", "x=3")
add(X, "eval", "[" * 17 + "x" + "]" * 17, "--at", "x=2")
add(X, "eval", "x", "--at", "x=" + "[" * 17 + "1" + "]" * 17)
add(X, "eval", "x+" * 2000 + "(", "--at", "x=1")
add(X, "eval", "x", "--at", "x=" + "1," * 2000 + "[")
add(X, "eval", "q" * 3000, "--at", "x=1")
add(X, "eval", "zero.txt", "--at", "x=1", files={"zero.txt": b""})
add(X, "eval", "/proc/self/mem")
add(X, "eval", "--at", "x=2", "-" * 5000 + "x")  # without `--` it reads as an option
add(X, "eval", "x+\x1b[31mred\x07", "--at", "x=1")
add(X, "eval", "1e99999999999", "--format", "json")
for hostile in ("__import__('os').system('touch pwned')", "x.__class__", "__class__(x)", "x.real"):
    add(X, "eval", hostile, "--at", "x=1")
# minimize / fit / plot input errors
for args in (["2 + 3"], ["x^2", "--at", "x=1", "--lr", "0"]):
    add(X, "minimize", *args)
add(X, "minimize", "m.dc", "--at", "x=1", "--steps", "3", "--trace", "m.dc", files={"m.dc": "x^2\n"}, read=["m.dc"])
for content, extra in (
    ("x,y\n1,2\n3,abc\n", []),
    ("x,y\n1,2\n\n3,nan\n", []),
    ("x,y\n1,2\n3\n", []),
    ("x,y\n1,2\n", ["--target", "t"]),
):
    add(X, "fit", "w*x + b", "--data", "data.csv", "--params", "w=0,b=0", *extra, files={"data.csv": content})
for model, params in (("w*z + b", "w=0,b=0"), ("w + x[0:2]", "w=[0,0]")):
    add(X, "fit", model, "--data", "d.csv", "--params", params, files={"d.csv": "x,y\n1,2\n2,3\n3,4\n"})
add(X, "fit", "-", "--data", "-", "--params", "w=0", stdin="x,y\n0,1\n")
add(X, "fit", "w*x", "--data", "none.csv", "--params", "w=0")
for spec in ("x=3:1",):
    add(X, "plot", "x^2", "--range", spec, "--png", "p.png", read=["p.png"])
add(X, "plot", "x^2", "--range", "x=0:1", "--at", "x=2", "--png", "p.png", read=["p.png"])
add(X, "plot", "x^2", "--range", "x=0:1", "--png", "no/f.png")

# ================================================================ non-finite values, --strict, anomaly reports
N = "nonfinite"
for expr in ("exp(1000)", "log(-1)", "sqrt(x - 3)"):
    add(N, "grad", expr, "--at", "x=1", "--format", "json")
add(N, "hessian", "x^2 + exp(1000*x)", "--at", "x=1", "--format", "json", "--strict")
add(N, "jacobian", "2^2^2^2^2^2^2 + asin(2)*x", "--at", "x=1", "--format", "json")
add(N, "eval", "1" + "0" * 400 + " - " + "1" + "0" * 400, "--format", "json")
add(N, "eval", "3 + log(x - 2)", "--at", "x=2", "--format", "plain")
add(N, "grad", "x + sqrt(x)", "--at", "x=0", "--strict")
add(
    N,
    "grad",
    "f.dc",
    "--at",
    "x=1",
    "--format",
    "json",
    files={"f.dc": "# comment\nu = x * 2\n  v = log(u - 4) + u\nv * x\n"},
)
add(N, "hessian", "x*sqrt(x)", "--at", "x=0", "--format", "json")
add(N, "grad", "x^y", "--at", "x=-2,y=3", "--format", "json")
add(N, "explain", "sqrt(x)", "--at", "x=0", "--strict")
add(N, "minimize", "x^2", "--at", "x=10", "--lr", "2", "--steps", "2000", "--format", "json")
add(
    N,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--lr",
    "10",
    "--epochs",
    "100",
    "--strict",
    files={"data.csv": SEED15},
)
add(N, "eval", "[1/x, x, -1/x]", "--at", "x=0", "--format", "csv")
add(N, "eval", "x/3", "--at", "x=1", "--dtype", "float32", "--format", "json")

# ================================================================ kinks
K = "kinks"
add(K, "grad", "abs(x) + relu(y) + sign(z)", "--at", "x=0,y=0,z=0", "--format", "json")
add(K, "grad", "max(x, y) + min(x, y) + clamp(x, 0, 1)", "--at", "x=1,y=1", "--format", "json")
add(K, "grad", "norm(x) + max(x) + min(x)", "--at", "x=[0,0]", "--format", "json")
add(K, "grad", "abs(x)", "--at", "x=0", "--kinks", "error")
add(K, "grad", "where(x > 1, abs(x), x) + abs(c)*x", "--at", "x=0,c=0", "--const", "c")
add(K, "graph", "k.dc", "--at", "x=1,y=0", "--format", "json", files={"k.dc": "a = x - 1\nb = 2 * max(a, y)\nb\n"})
add(K, "check", "relu(x)", "--at", "x=0", "--format", "plain")
add(K, "hessian", "sum(where(x > 0, sqrt(x), 0))", "--at", "x=[0,4,-1]", "--format", "json", "--kinks", "quiet")

# ================================================================ --points and --out
P = "points"
for command, expr in (
    ("eval", "x*x*y + sin(z)*y"),
    ("grad", "x*x*y + sin(z)*y"),
    ("hessian", "x*x*y + sin(z)*y"),
    ("jacobian", "[x*y + sin(z), x^2*z]"),
):
    for fmt in {"eval": ("json",), "hessian": ("csv",)}.get(command, ("csv", "json")):
        add(P, command, expr, "--points", "p.csv", "--at", "z=0.7", "--format", fmt, files={"p.csv": POINTS3})
add(P, "grad", "x*x*y + sin(z)*y", "--points", "p.csv", "--at", "z=0.7", "--format", "rich", files={"p.csv": POINTS3})
add(P, "grad", "sum(v^2)*x", "--points", "p.npz", "--format", "json", files={"p.npz": VEC_NPZ})
add(P, "grad", "x/y", "--points", "p.npy", "--out", "out.npy", files={"p.npy": STRUCT_NPY}, read=["out.npy"])
add(P, "grad", "x/y", "--points", "p.npy", "--out", "out.csv", files={"p.npy": STRUCT_NPY}, read=["out.csv"])
add(P, "hessian", "x*x*y", "--points", "p.csv", "--out", "h.npy", files={"p.csv": POINTS3}, read=["h.npy"])
for body in ("1,2\n3,oops\n", "1,2\n\n3,4,5\n"):
    add(P, "grad", "x*y", "--points", "bad.csv", files={"bad.csv": "x,y\n" + body})
add(P, "eval", "x*y", "--points", "p.csv", "--at", "x=1", files={"p.csv": "x,y\n1,2\n"})
add(P, "eval", "x*y", "--points", "p.csv", "--out", "o.txt", files={"p.csv": "x,y\n1,2\n"}, read=["o.txt"])
add(P, "eval", "x*y", "--points", "p.csv", "--out", "p.csv", files={"p.csv": "x,y\n1,2\n"}, read=["p.csv"])
add(P, "eval", "x*y", "--points", "-", stdin="x,y\n1,2\n")
add(P, "eval", "x", "--points", "missing.csv")
add(P, "eval", "log(x-y)", "--points", "p.csv", "--strict", files={"p.csv": "x,y\n1,2\n"})
add(P, "eval", "sqrt(x)", "--points", "p.csv", "--format", "json", files={"p.csv": "x\n1\n-1\n"})
add(P, "grad", "abs(x)", "--points", "p.csv", files={"p.csv": "x\n0\n2\n"})
# --engine dask: the option errors need no Dask (the cluster runs are in tests/test_dask.py)
add(P, "grad", "x*y", "--points", "p.csv", "--engine", "dask", files={"p.csv": "x,y\n1,2\n"})
add(P, "grad", "x*y", "--points", "p.csv", "--scheduler", "tcp://127.0.0.1:8786", files={"p.csv": "x,y\n1,2\n"})
add(P, "grad", "x*y", "--at", "x=1,y=2", "--engine", "dask")

# ================================================================ hessian --sparse
H = "sparse"
for fmt in ("json", "csv", "rich"):
    add(H, "hessian", "100*(x2-x1^2)^2 + (1-x1)^2", "--at", "x1=1,x2=2", "--sparse", "--format", fmt)
chain = " + ".join(f"100*(x{i + 1}-x{i}^2)^2 + (1-x{i})^2" for i in range(1, 5))
add(H, "hessian", chain, "--at", "x1=0.5,x2=1,x3=-0.5,x4=2,x5=1", "--sparse")
add(H, "hessian", "sum(x^3)", "--at", "x=[1,2,3]", "--sparse")

# ================================================================ minimize and fit
L = "learn"
for kind, lr in (("gd", "0.001"), ("momentum", "0.001"), ("adam", "0.05")):
    add(
        L,
        "minimize",
        "(1-x)^2 + 100*(y-x^2)^2",
        "--at",
        "x=-1.2,y=1",
        "--optimizer",
        kind,
        "--lr",
        lr,
        "--steps",
        "30",
        "--tol",
        "0",
        "--trace",
        "t.csv",
        "--format",
        "json",
        read=["t.csv"],
    )
add(
    L,
    "minimize",
    "x^2",
    "--at",
    "x=10",
    "--lr",
    "0.1",
    "--tol",
    "1e-3",
    "--trace",
    "t.csv",
    "--format",
    "plain",
    read=["t.csv"],
)
add(L, "minimize", "x^2 + 1", "--at", "x=3", "--steps", "0", "--format", "json")
add(
    L,
    "minimize",
    "sum((x - c)^2)",
    "--at",
    "x=[0,0,0],c=[1,2,3]",
    "--const",
    "c",
    "--lr",
    "0.1",
    "--steps",
    "50",
    "--trace",
    "t.csv",
    "--format",
    "csv",
    read=["t.csv"],
)
add(
    L,
    "minimize",
    "sum((W @ v - t)^2)",
    "--at",
    "W=[[1,0],[0,1]],v=[1,2],t=[3,4]",
    "--const",
    "v,t",
    "--lr",
    "0.05",
    "--steps",
    "20",
    "--format",
    "rich",
)
add(L, "minimize", "x^2", "--at", "x=1", "--steps", "4", "--lr", "0.25", "--trace", "-", "--format", "plain")
for kind, lr, epochs, batch in (("adam", "0.05", "5", "16"),):
    extra = ["--batch-size", batch] if batch else []
    add(
        L,
        "fit",
        "w*x^2 + b",
        "--data",
        "data.csv",
        "--params",
        "w=0,b=0",
        "--optimizer",
        kind,
        "--lr",
        lr,
        "--epochs",
        epochs,
        *extra,
        "--format",
        "json",
        files={"data.csv": SEED15},
    )
add(
    L,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--lr",
    "0.01",
    "--epochs",
    "3",
    "--batch-size",
    "16",
    "--seed",
    "1",
    "--format",
    "csv",
    files={"data.csv": SEED15},
)
add(L, "fit", "w", "--data", "-", "--params", "w=0", "--format", "rich", stdin="y\n1\n")
add(
    L,
    "fit",
    "w[0]*x1 + w[1]*x2 + b",
    "--data",
    "d.csv",
    "--params",
    "w=[0,0]",
    "--params",
    "b=0",
    "--target",
    "t",
    "--lr",
    "0.1",
    "--epochs",
    "100",
    "--format",
    "plain",
    files={"d.csv": "x1,x2,t\n1,0,1.75\n0,1,-0.25\n1,1,1.25\n2,-1,3.75\n-1,2,-2.25\n"},
)
add(
    L,
    "fit",
    "w*e",
    "--data",
    "d.csv",
    "--params",
    "w=0",
    "--lr",
    "0.05",
    "--epochs",
    "100",
    "--format",
    "json",
    files={"d.csv": "name,e,y\n\nalpha,1,2\nbeta,2,4\n\ngamma,3,6\n"},
)

# ================================================================ plot (pictures: exit code, stderr, file made)
G = "plot"
add(G, "plot", "a*sin(x)", "--range", "x=0:3", "--at", "a=2", "--order", "0", "--png", "p.png", read=["p.png"])
add(
    G,
    "plot",
    "samples/rosenbrock.dc",
    "--range",
    "x=-1:2",
    "--at",
    "y=1",
    "--order",
    "3",
    "--png",
    "p.png",
    read=["p.png"],
)

# ================================================================ graph, explain, diff
A = "graph"
for fmt in ("json", "csv"):
    add(A, "graph", "ex1.dc", "--at", "x=2", "--format", fmt, files={"ex1.dc": EX1})
add(A, "graph", "(x+1)*(x+1)", "--at", "x=2", "--format", "rich", "--dot", "g.dot", read=["g.dot"])
add(A, "graph", "w*x + b + detach(w^2)", "--at", "w=2,x=5,b=1", "--const", "x", "--format", "rich")
add(A, "graph", "x*y", "--at", "x=[1,2],y=[3,4]", "--v", "1,-1", "--format", "plain")
terms = " + ".join(f"sin({k}*x)*y^{k}" for k in range(1, 16))
add(A, "graph", terms, "--at", "x=0.5,y=1", "--format", "rich", "--dot", "big.dot", read=["big.dot"])

Q = "explain"
for fmt in ("json", "latex", "rich"):
    add(Q, "explain", "x*y", "--at", "x=[0,2,8]", "--at", "y=[5,1,7]", "--v", "1,1,1", "--format", fmt)
add(Q, "explain", "x*x*y", "--at", "x=2,y=3", "--hessian", "y,x", "--format", "json")
add(Q, "explain", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--jacobian")
add(Q, "explain", "f.dc", "--at", "x=2,z=1", "--const", "z", files={"f.dc": "u = x^2 + 3\nv2 = sin(u)\nv2*u*z\n"})
add(Q, "explain", "x[0]*x[1] + sum(softmax(x)*x)", "--at=x=[3,5]", "--format=plain")
long_sum = " + ".join(f"x^{k}" for k in range(1, 31))
add(Q, "explain", long_sum, "--at", "x=0.5")
add(Q, "explain", long_sum, "--at", "x=0.5", "--full", "--format", "latex")

F = "diff"
add(F, "diff", "tan(x)*exp(sin(x))/(1+x^2)", "--wrt", "x", "--order", "3", "--at", "x=0.5", "--format", "json")
add(F, "diff", "x^3*y^2", "--wrt", "x,x,y", "--at", "x=1,y=2", "--format", "csv")
add(F, "diff", "x^3*y^2", "--wrt", "x,x,y", "--at", "x=1,y=2", "--format", "rich", "--latex")
add(F, "diff", "a - (b - c)*x + a/(b*c)*x + (x^y)^2 + (-x)^2", "--wrt", "x")
add(F, "diff", "x/3 + 2*(3*x) + (6*x)/3 + x*y + 3*(y*x) + x - x + 0*x + x/x", "--wrt", "x")
add(F, "diff", "x*1e999 + 2", "--wrt", "x", "--format", "json")
for text in ("sum(W @ v)*y + norm(x*y)", "sum(softmax(x*y)*x) + prod(x*y) + x[0]*y^3"):
    add(
        F,
        "diff",
        text,
        "--wrt",
        "y",
        "--order",
        "2",
        "--at",
        "W=[[1,2],[3,4]],v=[1,-1],x=[1,2],y=0.7",
        "--format",
        "json",
    )
depth = ["f1 = sin(x)*x + y*x"] + [f"f{k + 1} = sin(f{k})*f{k} + y*f{k}" for k in range(1, 8)] + ["f8"]
add(
    F,
    "diff",
    "deep.dc",
    "--wrt",
    "x",
    "--at",
    "x=0.3,y=0.4",
    "--format",
    "json",
    files={"deep.dc": "\n".join(depth) + "\n"},
)
# issue 16: textbook forms, exact decimals, --order 0 and unbounded orders, the 0^y rule, --steps
for text, order in (
    ("1/x", "3"),
    ("1/x^2", "2"),
    ("log(x)", "5"),
    ("log((1+x)/(1-x))/2", "1"),
    ("pow(x, 2.3)", "2"),
    ("asin(x) + asin(-x)", "1"),
    ("x^3", "100000000"),
    ("2*y*x*sin(x)*cos(x)*log(x)*exp(x)", "5"),
):
    add(F, "diff", text, "--wrt", "x", "--order", order)
add(F, "diff", "(x+1)*(x+2)", "--wrt", "x", "--order", "0", "--at", "x=2")
add(F, "diff", "x^2.3*1.3 + 0.1*3", "--wrt", "x", "--order", "0", "--format", "json")
add(F, "diff", "x^y", "--wrt", "y", "--at", "x=0,y=2", "--format", "json")
for extra in ((), ("--latex",), ("--format", "json"), ("--format", "csv")):
    add(F, "diff", "x^2*sin(3*x)", "--wrt", "x", "--steps", *extra)
add(F, "diff", "exp(x)/(1 + x^2) - sqrt(log(x))", "--wrt", "x", "--steps", "--at", "x=2")
add(F, "diff", "x^3*y", "--wrt", "x,y", "--steps")

# ================================================================ every function of the language
U = "functions"
UNARY = [
    "abs",
    "acos",
    "asin",
    "atan",
    "cbrt",
    "cos",
    "cosh",
    "exp",
    "expm1",
    "log",
    "log10",
    "log1p",
    "log2",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
]
for i in range(0, len(UNARY), 6):
    group = UNARY[i : i + 6]
    add(
        U,
        "diff",
        " + ".join(f"{fn}(x)*{k + 2}" for k, fn in enumerate(group)),
        "--wrt",
        "x",
        "--order",
        "2",
        "--at",
        "x=0.3",
        "--format",
        "json",
    )
add(
    U,
    "diff",
    "atan2(y, x) + pow(x, y) + log(x, 3) + min(x, y) + max(x, 2*y) + clamp(x, -1, y)",
    "--wrt",
    "x,y",
    "--at",
    "x=0.5,y=0.7",
    "--format",
    "json",
)
add(
    U,
    "diff",
    "where(x > y, x*y, if(x < 0, -x, x^2)) + detach(x^2)*x + (x >= y) + (x != y)",
    "--wrt",
    "x",
    "--at",
    "x=0.5,y=2",
    "--format",
    "json",
)
VECTOR_AT = "x=[0.5,-1,2],y=[1,2,3],W=[[1,2,0],[0,1,-1]]"
add(
    U,
    "jacobian",
    "[sum(x), mean(x), prod(x), norm(x), norm(x, 1), norm(x, 3), dot(x, y), logsumexp(x), max(x), "
    "min(x), x @ y, x[-1], W[1][2], W[0, 1]*x[0]]",
    "--at",
    VECTOR_AT,
    "--wrt",
    "x",
    "--format",
    "json",
)
for text in ("softmax(x)", "W @ x", "x[1:] * x[:-1]"):
    add(U, "jacobian", text, "--at", VECTOR_AT, "--wrt", "x,W", "--format", "json")
add(U, "hessian", "sum(W*W) + sum(x^3)", "--at", "W=[[1,2],[3,4]],x=[1,2]", "--format", "csv")
add(U, "grad", "x*y", "--at", "x=[[1,2],[3,4]],y=[[0.5,1],[1.5,2]]", "--v", "[[1,0],[0,1]]", "--format", "rich")
add(U, "eval", "W", "--at", "W=[[1,2],[3,4]]", "--format", "csv")
add(U, "eval", "x", "--at", "x=[" + ",".join(str(k / 7) for k in range(30)) + "]", "--format", "rich")

# ================================================================ core CLI details (tests/test_cli_core.py)
C = "core"
add(C, "eval", "--at", "x=0", "--", "-x")
add(C, "eval", "--at", "x=0", "--format", "json", "--", "-x")
add(C, "eval", "--at=x=1", "--format=plain", "--", "-x^2")
add(C, "eval", "[2^-1, (-2)^2, 2^3^2, 2**3, +x, 2*-x, -x^2]", "--at", "x=3")
add(C, "eval", "a = 2; b = a*pi; b/pi + log(e)")
add(C, "eval", "pi + e", "--at", "pi=1", "--format", "json")
add(C, "eval", "θ^2 + λ", "--at", "θ=2,λ=0.5")
add(C, "grad", "-", "--at", "x=3", "--format", "json", stdin="y = x^2\ny + 1\n")
add(
    C,
    "grad",
    "model.dc",
    "--at",
    "x=2,y=3",
    "--of",
    "u",
    "--format",
    "json",
    files={"model.dc": "# a model\nu = x*y   # product\nloss = u^2\n"},
)
add(C, "grad", "x*y", "--at", "x=2,y=3,z=1", "--wrt", "y,x,z", "--format", "json")
add(C, "grad", "w*x + b", "--at", "w=2", "--at", "x=5,b=1", "--const", "x", "--const", "b", "--format", "csv")
add(C, "eval", "[x, y]", "--at", "x=0.30000000000000004,y=1e-10", "--format", "json")
add(C, "eval", "x", "--at", "x=pi/4", "--format", "json")
add(C, "eval", "x", "--at", "x=[1/3, e]", "--format", "json")
add(C, "eval", "x", "--at", "x=5", files={"x": "x + 1\n"})
add(C, "--version")
add(C)
add(C, "--help")
add(C, "jacobian", "--help")
add(C, "minimize", "--help")

# ================================================================ errors that teach (issue 14)
T = "teach"
for expr in (
    "torch.sin(x)",
    "exp(x).sum()",
    "W.T",
    "sin x",
    "sinx",
    "cos^2(x)",
    "x² + √x",
    "X^2",
    "square(x)",
    "f(x) = x^2",
    "|x - 1|",
):
    add(T, "grad", expr, "--at", "x=1")
add(T, "grad", "θ^2", "--at", "θ=pi/3", "--format", "json")
add(T, "grad", "sum(x)", "--at", "x=1,2")
add(T, "grad", "x*y", "--at", "x=2", "y=3")
add(T, "eval", "-x^2", "--at", "x=1")
add(T, "grad", "samples/rosenbrok.dc")
add(T, "grad", "x = 3; x^2", "--format", "json")
add(T, "minimize", "x^2", "--at", "x=1", "--optimizer", "SGD", "--steps", "3", "--format", "json")
add(T, "grad", "x^2", "--at", "x=1", "--retain-graph")
add(T, "backward", "x^2")
add(T, "grad", "model.dc", "--at", "x=2", "--wrt", "a", "--format", "json", files={"model.dc": "a = x + 1\ny = a*a\n"})

# ================================================================ issue 15: output scripts trust
Q = "issue15"
QUOTED = '"id","x","y","note"\n"a, 1",2,3,"first, with a comma"\n"b",1,1,plain\n'
add(Q, "grad", "x*x*y", "--points", "q.csv", "--keep", "id,x", files={"q.csv": QUOTED})
add(Q, "grad", "x*x*y", "--points", "-", "--keep", "id", "--format", "json", stdin=QUOTED)
add(Q, "hessian", "x*x*y", "--points", "q.csv", "--only", "hessian", "--format", "json", files={"q.csv": QUOTED})
add(
    Q, "hessian", "x*x*y", "--points", "q.csv", "--keep", "x", "--out", "q.npy", files={"q.csv": QUOTED}, read=["q.npy"]
)
add(Q, "eval", "x*y", "--points", "q.csv", "--keep", "note", "--out", "q.npy", files={"q.csv": QUOTED}, read=["q.npy"])
add(Q, "hessian", "samples/rosenbrock10.dc", "--at", "x=[1,1,1,1,1,1,1,1,1,1]", "--only", "hessian")
add(Q, "grad", "x*y", "--at", "x=1,y=2", "--only", "jacobian")
add(Q, "diff", "max(x, y)*x", "--wrt", "x", "--at", "x=1,y=2", "--format", "csv")
add(Q, "graph", "x*y", "--at", "x=1,y=2", "--const", "y", "--png", "g.svg", read=["g.svg"])
add(Q, "plot", "x^2", "--range", "x=0:1", "--png", "p.jpg", read=["p.jpg"])
add(Q, "plot", "x^3", "--range", "x=-1:1", "--format", "csv")
add(Q, "minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--dtype", "float32")
for loss in ("sse", "mae", "huber", "0.5*sum((pred - y)^2)", "mze", "sum(y^2)"):
    add(
        Q,
        "fit",
        "w*x^2 + b",
        "--data",
        "data.csv",
        "--params",
        "w=0,b=0",
        "--loss",
        loss,
        "--lr",
        "0.01",
        "--epochs",
        "50",
        "--format",
        "json",
        files={"data.csv": _seed15_csv()},
    )
add(
    Q,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--epochs",
    "3",
    "--trace",
    "t.csv",
    files={"data.csv": _seed15_csv()},
    read=["t.csv"],
)
add(
    Q,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--lr",
    "5",
    "--epochs",
    "50",
    files={"data.csv": _seed15_csv()},
)
add(Q, "fit", "w*x + b", "--data", "data.csv", "--params", "w,b", files={"data.csv": _seed15_csv()})

# ================================================================ issue 13's output files with issue 15's outputs
M = "outputs"
add(
    M,
    "fit",
    "w*x^2 + b",
    "--data",
    "data.csv",
    "--params",
    "w=0,b=0",
    "--epochs",
    "3",
    "--trace",
    "-",
    "--format",
    "json",
    files={"data.csv": _seed15_csv()},
)
add(M, "grad", "x*x*y", "--points", "q.csv", "--keep", "id", "--out", "-", files={"q.csv": QUOTED})
add(M, "grad", "x*x*y", "--points", "q.csv", "--keep", "id", "--out", "-", "--format", "json", files={"q.csv": QUOTED})
add(M, "graph", "x*y", "--at", "x=1,y=2", "--svg", "g.png", "--format", "json", read=["g.png"])
add(M, "plot", "x^2", "--range", "x=0:1", "--png", "p.pdf", read=["p.pdf"])
add(M, "plot", "x^2", "--range", "x=0:1", "--png", "p")  # no extension: PNG (the file is listed, not read)
add(
    M,
    "minimize",
    "x^2",
    "--at",
    "x=1",
    "--steps",
    "3",
    "--plot",
    "d.svg",
    "--trace",
    "t.csv",
    "--format",
    "json",
    read=["d.svg", "t.csv"],
)

# ================================================================ calculus coursework (issue 17)
K = "calculus"
add(K, "taylor", "exp(x)", "--at", "x=0", "--order", "4")
add(K, "taylor", "exp(x)*cos(y)", "--at", "x=0,y=0", "--order", "3", "--format", "json")
add(K, "taylor", "x^2*y", "--at", "x=1,y=2", "--u", "1,-1", "--order", "3", "--latex")
add(K, "diff", "x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x")
add(
    K,
    "diff",
    "x^2 + y^2 = 1",
    "--implicit",
    "y",
    "--wrt",
    "x",
    "--order",
    "2",
    "--at",
    "x=0.6,y=0.7",
    "--format",
    "json",
)
add(K, "diff", "f(x^2)*g(x)", "--function", "f,g", "--wrt", "x")
add(K, "grad", "f.dc", "--at", "x=1", files={"f.dc": "function f\nf(x)^2\n"})
add(K, "jvp", "x^2*y", "--at", "x=2,y=3", "--u", "1,1", "--format", "json")
add(K, "jacobian", "[x^2, x*y, sin(y)]", "--at", "x=1,y=2", "--mode", "forward", "--format", "json")
add(K, "hessian", "x^2 - y^2", "--at", "x=0,y=0", "--classify", "--format", "json")
add(K, "curl", "[-y, x, 0]", "--wrt", "x,y,z", "--at", "x=1,y=1,z=0")
add(K, "div", "[x*y, y^2, z]", "--wrt", "x,y,z", "--at", "x=1,y=2,z=3", "--format", "json")
add(K, "laplacian", "x^2*y + z^3", "--latex")
add(K, "explain", "x^2*y", "--at", "x=2,y=3", "--u", "1,1")
add(
    K,
    "eval",
    "[sinc(0), acot(0), heaviside(0), round(2.5), mod(-1, 3), hypot(3, 4), ln(e), arctan2(1, 1)]",
    "--format",
    "json",
)
# the coursework functions under the textbook printer and the teaching hints
add(K, "diff", "sec(x^2)", "--wrt", "x", "--steps")
add(K, "diff", "f(x^2)", "--function", "f", "--wrt", "x", "--order", "2", "--steps")
add(K, "diff", "sinc(x^2)", "--wrt", "x", "--order", "2", "--latex")
add(K, "diff", "exp(y) = x", "--implicit", "y", "--wrt", "x")
add(K, "taylor", "2.3*x + 0.1*x^2 + 1.5*x^3", "--at", "x=0", "--order", "3")
add(K, "grad", "ln(x) + arcsin(x/4) + round(x)", "--at", "x=2")


def _assign_ids() -> None:
    seen: dict[str, int] = {}
    for case in CASES:
        text = " ".join(shlex.quote(a) for a in case["argv"]) or "(no arguments)"
        text = "".join(c if c.isprintable() else "?" for c in text)
        if len(text) > 90:
            digest = hashlib.sha1(json.dumps(case["argv"]).encode()).hexdigest()[:8]
            text = text[:80] + "..." + digest
        base = f"{case['category']}: {text}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        case["id"] = base if n == 1 else f"{base} #{n}"


_assign_ids()

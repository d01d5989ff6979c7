"""diffcli and the peers a user would pick, side by side: the same text-in, numbers-out jobs
run as whole processes (start-up, reading the text, differentiating, writing the numbers),
interleaved round by round, medians and spreads. Peers that are not installed are left out
(`pip install 'diffcli[bench]'` installs them). Writes the table to docs/speed.md (or prints
it with --print).

    python bench/peers.py [--smoke] [--print]

A peer reads the same expression file: its script turns diffcli's `^` into `**` and builds the
expression from its own symbols (a benchmark's own input, never user text).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}  # installed code has .pyc

# the terms one by one (Python's compiler recurses on one long sum), summed by the peer
SCALAR_TEXT = (
    "terms = [compile(t, 'f', 'eval') for t in open(sys.argv[1]).read().replace('^', '**').split(' + ')]\n"
    "n = int(sys.argv[2])\n"
    "total = lambda ns: sum(eval(t, ns) for t in terms)\n"
)
POINT = "[0.5 + 0.01 * i for i in range(1, n + 1)]"

PEERS = {
    "casadi": {
        "grad": "import sys, casadi\n" + SCALAR_TEXT + "x = casadi.SX.sym('x', n)\n"
        "f = total({f'x{i + 1}': x[i] for i in range(n)})\n"
        "g = casadi.Function('g', [x], [casadi.gradient(f, x)])\n"
        f"print(' '.join(map(repr, np.asarray(g({POINT})).ravel().tolist())))\n",
        "hessian": "import sys, casadi\n" + SCALAR_TEXT + "x = casadi.SX.sym('x', n)\n"
        "f = total({f'x{i + 1}': x[i] for i in range(n)})\n"
        "H, _ = casadi.hessian(f, x)\n"
        "h = casadi.Function('h', [x], [H])\n"
        f"out = h({POINT})\n"
        "print(out.nnz() if sys.argv[3] == 'sparse' else ' '.join(map(repr, np.asarray(out).ravel().tolist())))\n",
    },
    "torch": {
        "grad": "import sys, torch\n" + SCALAR_TEXT + "xs = [torch.tensor(0.5 + 0.01 * i, dtype=torch.float64, "
        "requires_grad=True) for i in range(1, n + 1)]\n"
        "f = total({f'x{i + 1}': xs[i] for i in range(n)})\n"
        "print(' '.join(repr(float(g)) for g in torch.autograd.grad(f, xs)))\n",
        "hessian": "import sys, torch\n" + SCALAR_TEXT + "f = lambda x: total({f'x{i + 1}': x[i] for i in range(n)})\n"
        f"h = torch.autograd.functional.hessian(f, torch.tensor({POINT}, dtype=torch.float64))\n"
        "print(' '.join(map(repr, h.ravel().tolist())))\n",
    },
    "autograd": {
        "grad": "import sys, autograd\n" + SCALAR_TEXT + "f = lambda x: total({f'x{i + 1}': x[i] for i in range(n)})\n"
        f"print(' '.join(map(repr, autograd.grad(f)(np.array({POINT})).tolist())))\n",
        "hessian": "import sys, autograd\n"
        + SCALAR_TEXT
        + "f = lambda x: total({f'x{i + 1}': x[i] for i in range(n)})\n"
        f"print(' '.join(map(repr, autograd.hessian(f)(np.array({POINT})).ravel().tolist())))\n",
    },
    "sympy": {
        "grad": "import sys, sympy\n" + SCALAR_TEXT + "xs = sympy.symbols(f'x1:{n + 1}')\n"
        "texts = open(sys.argv[1]).read().replace('^', '**').split(' + ')\n"
        "f = sympy.Add(*[sympy.sympify(t, locals={str(v): v for v in xs}) for t in texts])\n"
        f"point = dict(zip(xs, {POINT}))\n"
        "print(' '.join(repr(float(sympy.diff(f, v).subs(point))) for v in xs))\n",
    },
}

VECTOR = "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"
VECTOR_HAND = """import sys
import numpy as np
x = np.load(sys.argv[1])
d = x[1:] - x[:-1] ** 2
g = np.zeros_like(x)
g[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
g[1:] += 200 * d
np.save(sys.argv[2], g)
"""
VECTOR_TORCH = """import sys, numpy as np, torch
x = torch.tensor(np.load(sys.argv[1]), requires_grad=True)
f = torch.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
f.backward()
np.save(sys.argv[2], x.grad.numpy())
"""
VECTOR_AUTOGRAD = """import sys, numpy
import autograd, autograd.numpy as np
f = lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
numpy.save(sys.argv[2], autograd.grad(f)(numpy.load(sys.argv[1])))
"""


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def rounds(cases: dict, repeats: int, budget: float, timeout: float) -> dict:
    """name -> wall seconds per run, one run of each case per round; a case past `budget`
    seconds runs no more rounds, a run past `timeout` is recorded as None (and stops)."""
    times: dict = {name: [] for name in cases}
    for _ in range(repeats):
        for name, argv in cases.items():
            done = times[name]
            if (done and done[-1] is None) or sum(t for t in done if t) > budget:
                continue
            start = time.perf_counter()
            try:
                subprocess.run(
                    argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=timeout
                )
                done.append(time.perf_counter() - start)
            except subprocess.TimeoutExpired:
                done.append(None)
            except subprocess.CalledProcessError as e:  # a peer that cannot do the job: say so in the table
                FAILED[name] = (e.stderr or b"").decode().strip().splitlines()[-1:] or ["exit status"]
                done.append(None)
    return times


def rows(workload: str, times: dict, baseline: str, targets: dict) -> list[str]:
    base = statistics.median(times[baseline])
    out = []
    for name, runs in times.items():
        ok = [t for t in runs if t is not None]
        if not ok:
            why = f"failed: {FAILED.pop(name)[0][:80]}" if name in FAILED else f"> {TIMEOUT:.0f} s (stopped)"
            out.append(f"| {workload} | {name} | {why} | | | {targets.get(name, '')} |")
            continue
        med = statistics.median(ok)
        spread = f"{min(ok) * 1e3:.0f}..{max(ok) * 1e3:.0f}"
        out.append(
            f"| {workload} | {name} | {med * 1e3:.0f} | {spread} ({len(ok)} runs) | {med / base:.2f}x | "
            f"{targets.get(name, '')} |"
        )
    return out


TIMEOUT = 60.0
COMPACT = 50_000  # larger scalar texts are written without blanks (scalar_file)
FAILED: dict = {}  # case -> the last line of its error output


def scalar_file(folder: Path, n: int) -> tuple[str, list[str]]:
    """The extended Rosenbrock over x1..xn as text, and its --at options (1,000 names each).
    Past COMPACT it is written without blanks, which keeps n = 100,000 (3.7 MB) under
    diffcli's 4,000,000-character input limit; the peers' scripts read the blanks' form."""
    path = folder / f"rosen{n}.dc"
    plus, minus = ("+", "-") if n > COMPACT else (" + ", " - ")
    path.write_text(plus.join(f"100*(x{i + 1}{minus}x{i}^2)^2{plus}(1{minus}x{i})^2" for i in range(1, n)))
    at = [
        part
        for k in range(1, n + 1, 1000)
        for part in ("--at", ",".join(f"x{i}={0.5 + 0.01 * i!r}" for i in range(k, min(k + 1000, n + 1))))
    ]
    return str(path), at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="small sizes, two rounds")
    parser.add_argument("--print", action="store_true", help="print the table instead of writing docs/speed.md")
    args = parser.parse_args(argv)
    py, repeats = sys.executable, 2 if args.smoke else 5
    diffcli = str(Path(py).with_name("diffcli"))
    load_before = os.getloadavg()
    table: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scripts = {}
        for peer, jobs in PEERS.items():
            for job, code in jobs.items():
                scripts[peer, job] = folder / f"{peer}_{job}.py"
                scripts[peer, job].write_text("import numpy as np\n" + code)
        numpy_only = [py, "-c", "import numpy"]

        cases = {
            "python -c 'import numpy' (baseline)": numpy_only,
            "diffcli grad 'x*x*y'": [diffcli, "grad", "x*x*y", "--at", "x=2,y=3"],
        }
        table += rows(
            "start-up",
            rounds(cases, 2 * repeats, 60, TIMEOUT),
            "python -c 'import numpy' (baseline)",
            {"diffcli grad 'x*x*y'": "goal <= 1.3x"},
        )

        for n, job, kind, goal in (
            (50 if args.smoke else 1000, "grad", "", "goal <= 150 ms"),
            (50 if args.smoke else 10_000, "grad", "", "goal <= 1000 ms"),
            (50 if args.smoke else 30_000, "grad", "", "linear in n"),
            (50 if args.smoke else 10_000, "hessian", "sparse", "goal <= 1000 ms"),
            (50 if args.smoke else 30_000, "hessian", "sparse", "linear in n"),
            (60 if args.smoke else 100_000, "grad", "", "linear in n"),
            (60 if args.smoke else 100_000, "hessian", "sparse", "linear in n"),
            (30 if args.smoke else 300, "hessian", "dense", "goal <= 2x CasADi + start-up"),
        ):
            path, at = scalar_file(folder, n)
            ours = f"diffcli {job}{' --sparse' if kind == 'sparse' else ''}"
            cases = {"python -c 'import numpy' (baseline)": numpy_only}
            cases[ours] = [diffcli, job, path, *at, "--format", "plain"] + (["--sparse"] if kind == "sparse" else [])
            for peer in PEERS:
                if n > COMPACT:
                    continue  # diffcli alone: the peers' scripts split the text at ' + '
                if job in PEERS[peer] and have(peer) and (peer == "casadi" or n <= 1000 and kind != "sparse"):
                    if peer == "sympy" and n > 100:
                        continue  # minutes (the figure): not rerun here
                    cases[peer] = [py, str(scripts[peer, job]), path, str(n), kind]
            times = rounds(cases, repeats if n <= 1000 else 3, 90, TIMEOUT)
            label = f"extended Rosenbrock as text, n = {n:,}, {job}{' ' + kind if kind else ''}"
            table += rows(label, times, "python -c 'import numpy' (baseline)", {ours: goal})

        for n in (10**4,) if args.smoke else (10**5, 10**6):
            x = folder / f"x{n}.npy"
            np.save(x, np.random.default_rng(1).uniform(-1, 1, n))
            hand = folder / "hand.py"
            hand.write_text(VECTOR_HAND)
            cases = {"numpy by hand (baseline)": [py, str(hand), str(x), str(folder / "hand.npy")]}
            cases["diffcli grad --out g.npy"] = [
                diffcli,
                "grad",
                VECTOR,
                "--at",
                f"x=@{x}",
                "--out",
                str(folder / "g.npy"),
            ]
            for peer, code in (("torch", VECTOR_TORCH), ("autograd", VECTOR_AUTOGRAD)):
                if have(peer):
                    script = folder / f"vector_{peer}.py"
                    script.write_text(code)
                    cases[peer] = [py, str(script), str(x), str(folder / f"{peer}.npy")]
            times = rounds(cases, repeats, 60, TIMEOUT)
            np.testing.assert_allclose(np.load(folder / "g.npy"), np.load(folder / "hand.npy"), rtol=1e-12, atol=1e-9)
            table += rows(
                f"vector Rosenbrock, x=@x.npy, n = {n:,}, gradient to .npy",
                times,
                "numpy by hand (baseline)",
                {"diffcli grad --out g.npy": "goal <= 300 ms" if n == 10**6 else ""},
            )
    load_after = os.getloadavg()
    versions = ", ".join(
        f"{m} {importlib.metadata.version(m)}"
        for m in ("numpy", "casadi", "torch", "autograd", "sympy", "jax")
        if have(m)
    )
    head = [
        "## diffcli and its peers",
        "",
        "Generated by `python bench/peers.py` (bench/peers.py); do not edit by hand. Whole processes, text in and",
        "numbers out, each case a fresh process, runs interleaved round by round; median and spread (min..max) of",
        "wall-clock time; ratio is the case's median over the row group's baseline.",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; {versions}",
        f"- load average (1, 5, 15 min): {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f} at the "
        f"start, {load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f} at the end (the machine was shared: "
        "compare ratios within a row group, not absolute times across runs)",
        "- peers left out: "
        + (", ".join(m for m in ("casadi", "torch", "autograd", "sympy", "jax") if not have(m)) or "none")
        + " (not installed); PyTorch and autograd run the scalar jobs at n <= 1,000 only; SymPy "
        "is not rerun (minutes at n = 1,000, the issue's figure; `--smoke` runs it at n = 50); the scalar text at "
        "n = 100,000 is written without blanks to stay under diffcli's 4,000,000-character input limit, and only "
        "diffcli reads it (the peers' scripts read the text with blanks, up to n = 30,000)",
        "",
        "| job | case | median ms | spread ms | ratio | goal |",
        "|---|---|---:|---:|---:|---|",
    ]
    text = "\n".join(head + table) + "\n"
    if args.print:
        print(text)
    else:
        write_doc(Path(__file__).resolve().parent.parent / "docs" / "speed.md", text)
    return 0


START, END = "<!-- table: bench/peers.py writes from here -->\n", "<!-- table: to here -->\n"


def write_doc(path: Path, table: str) -> None:
    """The table between the markers of docs/speed.md (the hand-written rest stays)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1]
    else:
        before, after = "", ""
    path.write_text(before + START + table + END + after, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

"""Whole-process rows of issue 18's table: the installed command against a numpy script doing the
same work (always) and peers' scripts where they are installed, each a fresh process, runs
interleaved. Each row gives the wall-clock median and spread; the note adds the CPU time
(user + system of the child, less bent by other work on a shared machine)."""

from __future__ import annotations

import importlib.util
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BATCH_SCRIPT = """
import sys
import numpy as np
d = np.load(sys.argv[1])
x, y = d["x"], d["y"]
x2, y2 = x * x, y * y
e, s = np.exp(-y2), np.sin(x)
q, r = 1 + x2 * y2, np.sqrt(x2 + y2 + 1)
out = np.empty(len(x), dtype=[("value", "f8"), ("d_x", "f8"), ("d_y", "f8")])
out["value"] = s * e + np.log(q) + r
out["d_x"] = np.cos(x) * e + 2 * x * y2 / q + x / r
out["d_y"] = -2 * y * s * e + 2 * y * x2 / q + y / r
np.save(sys.argv[2], out)
"""

# the vector Rosenbrock's gradient and tridiagonal Hessian by hand, from x.npy
VECTOR_SCRIPT = """
import sys
import numpy as np
x = np.load(sys.argv[1])
d = x[1:] - x[:-1] ** 2
g = np.zeros_like(x)
g[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
g[1:] += 200 * d
if sys.argv[2] == "hessian":
    main = np.zeros_like(x)
    main[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    main[1:] += 200
    off = -400 * x[:-1]
    np.savez(sys.argv[3], main=main, off=off)
else:
    np.save(sys.argv[3], g)
"""

TORCH_ROSEN = """
import sys, torch
n = int(sys.argv[1])
xs = [torch.tensor(0.5 + 0.01 * i, dtype=torch.float64, requires_grad=True) for i in range(1, n + 1)]
f = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1))
print(*[float(g) for g in torch.autograd.grad(f, xs)])
"""

CASADI_ROSEN = """
import sys, casadi
n = int(sys.argv[1])
x = casadi.SX.sym("x", n)
f = sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(n - 1))
g = casadi.Function("g", [x], [casadi.gradient(f, x)])
print(g([0.5 + 0.01 * i for i in range(1, n + 1)]))
"""

VECTOR = "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def processes(cases: dict, repeats: int, env: dict, budget: float = 60.0) -> dict:
    """name -> (wall seconds, CPU seconds) per run; one run of each case per round. A case
    that has used `budget` seconds runs no more rounds."""
    times: dict = {name: ([], []) for name in cases}
    for _ in range(repeats):
        for name, argv in cases.items():
            wall, cpu = times[name]
            if sum(wall) > budget:
                continue
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            wall.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times


def add(table, workload: str, times: dict, baseline: str, targets: dict) -> None:
    base = times[baseline][0]
    base_cpu = statistics.median(times[baseline][1])
    for name, (wall, cpu) in times.items():
        note = f"CPU {statistics.median(cpu) * 1e3:.4g} ms ({statistics.median(cpu) / base_cpu:.2f}x)"
        if name in targets:
            note += f"; {targets[name]}"
        table.add(workload, name, wall, base, note)


def rosenbrock_args(n: int, folder: Path) -> tuple[str, list[str]]:
    """The scalar extended Rosenbrock in x1..xn as a file, and its --at (1000 names an option:
    one argument may not exceed 128 KiB)."""
    path = folder / f"rosen{n}.dc"
    path.write_text(" + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)))
    return str(path), [
        part
        for k in range(1, n + 1, 1000)
        for part in ("--at", ",".join(f"x{i}={0.5 + 0.01 * i!r}" for i in range(k, min(k + 1000, n + 1))))
    ]


def run(table, env: dict, smoke: bool, peers: bool) -> None:
    py = sys.executable
    diffcli = str(Path(py).with_name("diffcli"))
    repeats = 2 if smoke else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # batch: value + 2 partials, .npz in, .npy out
        n = 3 * 10**4 if smoke else 10**7
        rng = np.random.default_rng(0)
        np.savez(folder / "points.npz", x=rng.uniform(-2, 2, n), y=rng.uniform(-2, 2, n))
        f = "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1)"
        script = folder / "batch.py"
        script.write_text(BATCH_SCRIPT)
        cases = {
            "numpy script (baseline)": [py, str(script), str(folder / "points.npz"), str(folder / "hand.npy")],
            "diffcli grad --points .npz --out .npy": [
                diffcli,
                "grad",
                f,
                "--points",
                str(folder / "points.npz"),
                "--out",
                str(folder / "ours.npy"),
            ],
        }
        times = processes(cases, repeats, env)
        ours, hand = np.load(folder / "ours.npy"), np.load(folder / "hand.npy")
        for name in hand.dtype.names:
            np.testing.assert_allclose(ours[name], hand[name], rtol=1e-12, atol=1e-12)
        add(
            table,
            f"8 batch, whole process: value + 2 partials at {n:.0e} points, .npz in, .npy out",
            times,
            "numpy script (baseline)",
            {"diffcli grad --points .npz --out .npy": "target <= 0.5x"},
        )

        # extended Rosenbrock (scalar variables), text to gradient and to a sparse Hessian
        for n, command, target in (
            (50 if smoke else 1000, "grad", "target <= 0.25 s"),
            (50 if smoke else 10_000, "hessian", "target <= 1.0 s"),
        ):
            path, at = rosenbrock_args(n, folder)
            argv = [diffcli, command, path, *at, "--format", "plain"] + (["--sparse"] if command == "hessian" else [])
            name = f"diffcli {command}{' --sparse' if command == 'hessian' else ''} FILE"
            cases = {"python -c 'import numpy' (baseline)": [py, "-c", "import numpy"], name: argv}
            if command == "grad" and peers and have("torch"):
                cases["PyTorch scalar tensors"] = [py, "-c", TORCH_ROSEN, str(n)]
            if command == "grad" and peers and have("casadi"):
                cases["CasADi SX gradient"] = [py, "-c", CASADI_ROSEN, str(n)]
            times = processes(cases, repeats if n <= 1000 else 3, env, budget=120.0)
            add(
                table,
                f"9 extended Rosenbrock, scalar x1..xn, n={n}, whole process",
                times,
                "python -c 'import numpy' (baseline)",
                {name: target},
            )

        # the vector form, x from a .npy file
        script = folder / "vector.py"
        script.write_text(VECTOR_SCRIPT)
        for n, command, target in (
            (200 if smoke else 10**5, "hessian", "target <= 1.0 s"),
            (200 if smoke else 10**6, "grad", "target <= 0.5 s"),
        ):
            x = folder / f"x{n}.npy"
            np.save(x, np.random.default_rng(1).uniform(-1, 1, n))
            cases = {"numpy script by hand (baseline)": [py, str(script), str(x), command, str(folder / "hand.npz")]}
            if command == "hessian":
                cases["diffcli hessian --sparse --out h.npz"] = [
                    diffcli,
                    "hessian",
                    "--sparse",
                    VECTOR,
                    "--at",
                    f"x=@{x}",
                    "--out",
                    str(folder / "h.npz"),
                ]
                cases["diffcli hessian --sparse (text)"] = [diffcli, "hessian", "--sparse", VECTOR, "--at", f"x=@{x}"]
            else:
                cases["diffcli grad (text gradient)"] = [diffcli, "grad", VECTOR, "--at", f"x=@{x}"]
                cases["diffcli grad --only value"] = [diffcli, "grad", VECTOR, "--at", f"x=@{x}", "--only", "value"]
            times = processes(cases, repeats, env)
            add(
                table,
                f"10 vector Rosenbrock, x=@x.npy, n={n:.0e}, {command}, whole process",
                times,
                "numpy script by hand (baseline)",
                {k: target for k in cases if k.startswith("diffcli")},
            )

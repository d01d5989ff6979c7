"""diffcli benchmarks: `python bench/run.py` prints a table and writes bench/RESULTS.md.

Ten workloads, each timed side by side with its baselines in the same run (runs interleaved,
medians with the spread min..max): start-up, a batch of points, Rosenbrock gradients from text,
Rosenbrock Hessians, expression swell, the memory of a long --points run, and parsing speed
(seconds per MB at 0.5, 1, 2 and 4 MB: constant when parsing is linear), then issue 18's
whole-process rows (bench/whole.py: a batch .npz -> .npy against a numpy script, the scalar
extended Rosenbrock's gradient and sparse Hessian, the vector Rosenbrock from x=@x.npy). Peers (PyTorch,
JAX, SymPy) are measured where installed (`pip install '.[bench]'`). `--smoke` runs tiny sizes
in seconds (the test suite does, so the harness never rots). Benchmark subprocesses run with
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset (they slow current numpy) and with bytecode caches
(PYTHONDONTWRITEBYTECODE unset), as an installed program runs; tests never touch them.
"""

from __future__ import annotations

import argparse
import gc
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

HERE = Path(__file__).resolve().parent
# Subprocesses run as an installed program does: with bytecode caches (a sandbox may set
# PYTHONDONTWRITEBYTECODE, which makes every start-up compile the sources again).
ENV = {
    k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONDONTWRITEBYTECODE")
}
F_TEXT = "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1)"


PEERS = True  # --smoke leaves the peers out: their imports alone take seconds


def have(module: str) -> bool:
    return PEERS and importlib.util.find_spec(module) is not None


def timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def interleaved(cases: dict, repeats: int, budget: float = 30.0) -> dict:
    """Each case once per round, rounds repeated: load changes hit every case alike. A case
    that has used `budget` seconds runs no more rounds (slow peers at large n)."""
    times: dict = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            if sum(times[name]) > budget:
                continue
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


class Table:
    def __init__(self):
        self.rows: list[tuple] = []

    def add(
        self, workload: str, case: str, times: list[float] | None, baseline: list[float] | None = None, note: str = ""
    ):
        if times is None:
            self.rows.append((workload, case, "", "", "", note))
            return
        median = statistics.median(times)
        spread = f"{min(times) * 1e3:.4g}..{max(times) * 1e3:.4g}"
        ratio = f"{median / statistics.median(baseline):.2f}x" if baseline else ""
        self.rows.append((workload, case, f"{median * 1e3:.4g}", spread, ratio, note))

    def markdown(self) -> str:
        lines = [
            "| workload | case | median ms | spread ms (min..max) | ratio to baseline | note |",
            "|---|---|---:|---:|---:|---|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def run_process(argv: list[str]) -> None:
    subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


# ---------------------------------------------------------------- 1. start-up


def startup(table: Table, repeats: int) -> None:
    py = sys.executable
    diffcli = str(Path(py).with_name("diffcli"))
    cases = {
        "python -c 'import numpy' (baseline)": [py, "-c", "import numpy"],
        "diffcli grad x*x*y --format plain": [diffcli, "grad", "x*x*y", "--at", "x=2,y=3", "--format", "plain"],
    }
    if have("torch"):
        cases["PyTorch one-liner"] = [
            py,
            "-c",
            "import torch; x=torch.tensor(2.,requires_grad=True); "
            "y=torch.tensor(3.,requires_grad=True); f=x*x*y; f.backward(); "
            "print(f.item(), x.grad.item(), y.grad.item())",
        ]
    if have("jax"):
        cases["JAX one-liner"] = [
            py,
            "-c",
            "import jax; f=lambda x,y: x*x*y; print(f(2.,3.), *jax.grad(f, argnums=(0,1))(2.,3.))",
        ]
    if have("casadi"):
        cases["CasADi one-liner"] = [
            py,
            "-c",
            "import casadi as c; x=c.SX.sym('x'); y=c.SX.sym('y'); f=x*x*y; "
            "print(c.Function('g',[x,y],[f, *c.gradient(f, c.vertcat(x,y)).nz])(2,3))",
        ]
    if have("autograd"):
        cases["autograd one-liner"] = [
            py,
            "-c",
            "from autograd import grad; f=lambda x,y: x*x*y; print(f(2.,3.), grad(f,0)(2.,3.), grad(f,1)(2.,3.))",
        ]
    if have("sympy"):
        cases["SymPy one-liner"] = [
            py,
            "-c",
            "import sympy as s; x,y=s.symbols('x y'); f=x*x*y; "
            "print(f.subs({x:2,y:3}), *[s.diff(f,v).subs({x:2,y:3}) for v in (x,y)])",
        ]
    times = interleaved({k: (lambda argv=v: run_process(argv)) for k, v in cases.items()}, repeats)
    base = times["python -c 'import numpy' (baseline)"]
    for name, t in times.items():
        table.add("1 start-up (whole process)", name, t, base, "target <= 1.3x" if name.startswith("diffcli") else "")


# ---------------------------------------------------------------- 2. batch


def batch(table: Table, n: int, repeats: int) -> None:
    from diffcli.core import autodiff
    from diffcli.core.engine import Plan
    from diffcli.syntax.parse import parse

    rng = np.random.default_rng(0)
    x, y = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)

    def hand():
        x2, y2 = x * x, y * y
        e, s = np.exp(-y2), np.sin(x)
        d, r = 1 + x2 * y2, np.sqrt(x2 + y2 + 1)
        return s * e + np.log(d) + r, np.cos(x) * e + 2 * x * y2 / d + x / r, -2 * y * s * e + 2 * y * x2 / d + y / r

    start = time.perf_counter()
    p = parse(F_TEXT, {"x": (), "y": ()})
    outputs = [p.output] + autodiff.gradient(p.output, [p.graph.var("x"), p.graph.var("y")])
    program = Plan(outputs, {"x", "y"})
    compile_ms = (time.perf_counter() - start) * 1e3
    ours = program.evaluate({"x": x, "y": y}, n)
    for a, b in zip(ours, hand()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    cases = {
        "hand-written numpy (baseline)": hand,
        "diffcli compiled program": lambda: program.evaluate({"x": x, "y": y}, n),
        "diffcli compiled, 2 threads": lambda: program.evaluate({"x": x, "y": y}, n, threads=2),
    }
    if have("torch"):
        import torch

        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_eager():
            a, b = tx.clone().requires_grad_(), ty.clone().requires_grad_()
            f = torch.sin(a) * torch.exp(-(b**2)) + torch.log(1 + a**2 * b**2) + torch.sqrt(a**2 + b**2 + 1)
            f.sum().backward()
            return f.detach(), a.grad, b.grad

        cases["PyTorch eager autograd"] = torch_eager
    if have("jax"):
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        def jf(a, b):
            return jnp.sin(a) * jnp.exp(-(b**2)) + jnp.log(1 + a**2 * b**2) + jnp.sqrt(a**2 + b**2 + 1)

        jitted = jax.jit(jax.vmap(jax.value_and_grad(jf, argnums=(0, 1))))
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        jitted(jx, jy)[0].block_until_ready()
        cases["JAX jit(vmap(value_and_grad)), warm"] = lambda: jitted(jx, jy)[0].block_until_ready()
    if have("sympy"):
        import sympy

        sx, sy = sympy.symbols("x y")
        sf = sympy.sin(sx) * sympy.exp(-(sy**2)) + sympy.log(1 + sx**2 * sy**2) + sympy.sqrt(sx**2 + sy**2 + 1)
        lam = sympy.lambdify((sx, sy), [sf, sympy.diff(sf, sx), sympy.diff(sf, sy)], "numpy")
        cases["SymPy lambdify (numpy)"] = lambda: lam(x, y)
    times = interleaved(cases, repeats)
    base = times["hand-written numpy (baseline)"]
    for name, t in times.items():
        note = f"target <= 0.8x; compile {compile_ms:.3g} ms once" if name == "diffcli compiled program" else ""
        table.add(f"2 batch: value + 2 partials, {n:.0e} points", name, t, base, note)


# ---------------------------------------------------------------- 3. Rosenbrock gradient from text


def rosenbrock_text(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


def rosen_point(n: int) -> dict:
    return {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}


def as_the_command(text: str, at: list[str], point: dict, req, command: str):
    """What `diffcli grad|hessian TEXT --at ...` computes in process: the text-level terms of a
    long sum (compute/repeated.py), else the general path (a fresh graph per load)."""
    from diffcli.compute import problem, repeated, request

    return repeated.compute(text, point, req, command) or request.compute(problem.load(text, at), req, command)


def rosen_gradient(table: Table, sizes: list[int], repeats: int) -> None:
    from diffcli.compute import problem, request

    for n in sizes:
        text, point = rosenbrock_text(n), rosen_point(n)
        at = [",".join(f"{k}={v}" for k, v in point.items())]

        def ours():
            return as_the_command(text, at, point, request.Request(gradient=True), "grad")

        def general():  # every term parsed, a fresh graph per load
            return request.compute(problem.load(text, at), request.Request(gradient=True), "grad")

        def numpy_hand():  # the baseline: the gradient written out by hand
            x = np.array(list(point.values()))
            g = np.zeros(n)
            d = x[1:] - x[:-1] ** 2
            g[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
            g[1:] += 200 * d
            return g

        cases = {
            "hand-written numpy gradient (baseline)": numpy_hand,
            "diffcli text -> gradient": ours,
            "diffcli, general path (every term parsed)": general,
        }
        names = list(point)
        sympy_note = ""
        if have("sympy"):  # in a subprocess with a time limit: sympify of a long sum is quadratic
            script = (
                "import sys, time, sympy; text = sys.stdin.read(); t = time.perf_counter(); "
                "f = sympy.sympify(text); xs = sorted(f.free_symbols, key=lambda s: int(s.name[1:])); "
                "subs = {s: 0.5 + 0.01 * int(s.name[1:]) for s in xs}; "
                "g = [float(sympy.diff(f, s).subs(subs)) for s in xs]; print(time.perf_counter() - t)"
            )
            limit = 20.0 if PEERS else 5.0
            try:
                done = subprocess.run(
                    [sys.executable, "-c", script],
                    input=text.replace("^", "**"),
                    env=ENV,
                    capture_output=True,
                    text=True,
                    timeout=limit,
                    check=True,
                )
                sympy_time = [float(done.stdout)]
            except subprocess.TimeoutExpired:
                sympy_time, sympy_note = None, f"did not finish in {limit:.0f} s"
        code = compile(text.replace("^", "**"), "<rosenbrock>", "eval")  # our own generated text
        if have("torch"):
            import torch

            def torch_scalars():
                xs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in point.items()}
                f = eval(code, {}, xs)
                return torch.autograd.grad(f, list(xs.values()))

            cases["PyTorch scalar tensors"] = torch_scalars
        if have("jax"):
            import jax

            def jax_grad():
                fn = lambda *args: eval(code, {}, dict(zip(names, args)))  # noqa: E731
                return jax.grad(fn, argnums=tuple(range(n)))(*point.values())

            cases["JAX grad (eager)"] = jax_grad
        times = interleaved(cases, repeats if n <= 100 else max(2, repeats // 3))
        base, ours_t = (
            times["hand-written numpy gradient (baseline)"],
            statistics.median(times["diffcli text -> gradient"]),
        )
        for name, t in times.items():
            if name.startswith("diffcli text"):
                note = "target: ahead of every peer at n=1000"
            elif "baseline" in name:
                note = "numbers in, no text"
            else:
                note = f"diffcli / this = {ours_t / statistics.median(t):.2f}"
            table.add(f"3 Rosenbrock gradient from text, n={n}", name, t, base, note)
        if have("sympy"):
            note = sympy_note or f"one run, separate process; diffcli / this = {ours_t / sympy_time[0]:.2f}"
            table.add(f"3 Rosenbrock gradient from text, n={n}", "SymPy sympify + diff + subs", sympy_time, base, note)


# ---------------------------------------------------------------- 4. Rosenbrock Hessian


def rosen_hessian(table: Table, dense_n: int, sparse_n: int, repeats: int) -> None:
    from diffcli.compute import request
    from diffcli.compute.problem import Problem
    from diffcli.core.engine import device
    from diffcli.syntax.parse import parse

    for n, kind in ((dense_n, "dense"), (sparse_n, "sparse")):
        text, point = rosenbrock_text(n), rosen_point(n)
        at = [",".join(f"{k}={v}" for k, v in point.items())]
        shapes = {k: () for k in point}

        def parsed():  # a fresh graph per parse
            p = parse(text, shapes)
            return p, [p.graph.var(k) for k in point]

        def ours():
            return as_the_command(text, at, point, request.Request(hessian=kind), "hessian")

        def general():  # every term parsed, a fresh graph per parse
            p, wrt = parsed()
            loaded = Problem(p, dict(point), wrt, device("cpu", "float64"))
            return request.compute(loaded, request.Request(hessian=kind), "hessian")

        def hand():
            x = np.array(list(point.values()))
            main = np.zeros(n)
            main[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
            main[1:] += 200
            off = -400 * x[:-1]
            return np.diag(main) + np.diag(off, 1) + np.diag(off, -1) if kind == "dense" else (main, off)

        cases = {
            "hand-written numpy Hessian (baseline)": hand,
            f"diffcli text -> {kind} Hessian": ours,
            "diffcli, general path (every term parsed)": general,
            "  of which: parse only": parsed,
        }
        if kind == "dense" and have("torch"):
            import torch

            def tf(x):
                return torch.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

            xt = torch.tensor(list(point.values()), dtype=torch.float64)
            cases["PyTorch functional.hessian (vector form)"] = lambda: torch.autograd.functional.hessian(tf, xt)
        if kind == "dense" and have("jax"):
            import jax
            import jax.numpy as jnp

            def jf(x):
                return jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

            jh = jax.jit(jax.hessian(jf))
            xj = jnp.asarray(list(point.values()))
            jh(xj).block_until_ready()
            cases["JAX jit(hessian) (vector form), warm"] = lambda: jh(xj).block_until_ready()
        times = interleaved(cases, repeats if kind == "dense" else max(1, repeats // 3))
        base = times["hand-written numpy Hessian (baseline)"]
        target = "target: a fraction of a second" if kind == "dense" else "target: about a second"
        for name, t in times.items():
            table.add(
                f"4 Rosenbrock Hessian, {kind}, n={n}", name, t, base, target if name.startswith("diffcli text") else ""
            )


# ---------------------------------------------------------------- 5. no swell


def swell_text(depth: int) -> str:
    """f0 = x; f1 = sin(f0)*f0 + y*f0; ...: named steps, as a user would write the recursion."""
    steps = ["f0 = x"] + [f"f{k + 1} = sin(f{k})*f{k} + y*f{k}" for k in range(depth)]
    return "; ".join(steps)


def no_swell(table: Table, depth: int, sympy_timeout: float) -> None:
    from diffcli.core import autodiff
    from diffcli.core.graph import topological
    from diffcli.syntax.parse import parse

    text = swell_text(depth)
    start = time.perf_counter()
    p = parse(text, {"x": (), "y": ()})
    grads = autodiff.gradient(p.output, [p.graph.var("x"), p.graph.var("y")])
    elapsed = [time.perf_counter() - start]
    note = f"nodes: f {len(topological([p.output]))}, f + gradient {len(topological([p.output] + grads))}"
    table.add(f"5 no swell, depth {depth}", "diffcli parse + gradient", elapsed, None, note)
    if have("sympy"):
        script = (
            "import sympy, sys, time; x, y = sympy.symbols('x y'); f = x\n"
            f"for _ in range({depth}): f = sympy.sin(f)*f + y*f\n"
            "t = time.perf_counter(); g = [sympy.diff(f, v) for v in (x, y)]\n"
            "print(time.perf_counter() - t, sympy.count_ops(f), sum(sympy.count_ops(e) for e in g))"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", script],
                env=ENV,
                capture_output=True,
                text=True,
                timeout=sympy_timeout,
                check=True,
            )
            seconds, ops_f, ops_g = done.stdout.split()
            table.add(
                f"5 no swell, depth {depth}",
                "SymPy diff",
                [float(seconds)],
                None,
                f"count_ops: f {ops_f}, gradient {ops_g}",
            )
        except subprocess.TimeoutExpired:
            table.add(
                f"5 no swell, depth {depth}", "SymPy diff", None, None, f"did not finish in {sympy_timeout:.0f} s"
            )


# ---------------------------------------------------------------- 6. memory


def memory(table: Table, rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "points.npy"
        data = np.lib.format.open_memmap(source, mode="w+", dtype=[("x", "f8"), ("y", "f8")], shape=(rows,))
        rng = np.random.default_rng(0)
        for start in range(0, rows, 10**6):
            stop = min(start + 10**6, rows)
            data["x"][start:stop] = rng.uniform(-2, 2, stop - start)
            data["y"][start:stop] = rng.uniform(-2, 2, stop - start)
        data.flush()
        del data
        out = Path(tmp) / "out.npy"
        probe = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        diffcli = str(Path(sys.executable).with_name("diffcli"))
        done = subprocess.run(
            [sys.executable, "-c", probe, diffcli, "grad", F_TEXT, "--points", str(source), "--out", str(out)],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, kib = done.stdout.split()
        result = np.load(out, mmap_mode="r")
        assert result.shape == (rows,) and len(result.dtype.names) == 3  # a structured array: value, d_x, d_y
        base = subprocess.run(
            [sys.executable, "-c", probe, sys.executable, "-c", "import numpy"],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        input_mb = source.stat().st_size / 2**20
        table.add(
            f"6 memory: grad of f at {rows:.0e} points via --points (.npy in, .npy out)",
            "diffcli",
            [float(seconds)],
            None,
            f"peak RSS {int(kib) / 1024:.0f} MiB (python+numpy alone: {int(base[1]) / 1024:.0f} MiB); "
            f"input {input_mb:.0f} MiB, output {out.stat().st_size / 2**20:.0f} MiB",
        )


# ---------------------------------------------------------------- 7. parsing is linear


def parse_text(mb: float) -> str:
    """A sum of `constant*variable` terms, `mb` megabytes long (17-digit constants, 4 names):
    about 4.5 characters a token, so 4 MB stays within the token limit."""
    target, parts, size, k = int(mb * 1e6), [], -3, 0
    while True:
        term = f"{0.1234567890123 + k * 1e-7!r}*x{k % 4}"
        if size + 3 + len(term) > target:  # " + " between terms; at most `mb` MB
            return " + ".join(parts)
        parts.append(term)
        size, k = size + 3 + len(term), k + 1


def parsing(table: Table, sizes: list[float], whole: bool, repeats: int) -> None:
    """Seconds per MB of text at each size (constant when parsing is linear), and at the
    largest size once the whole installed command (parse, gradient, print)."""
    from diffcli import limits
    from diffcli.syntax.parse import parse

    for mb in sizes:
        text = parse_text(mb)
        terms = text.count("+") + 1
        times = []
        for _ in range(repeats):  # CPU time: a shared machine's load does not bend the line
            gc.collect()
            start = time.process_time()
            parse(text)
            times.append(time.process_time() - start)
        table.add(
            "7 parse: seconds per MB (linear when constant)",
            f"diffcli parse, {mb:g} MB (CPU time)",
            times,
            None,
            f"{min(times) / (len(text) / 1e6):.2f} CPU s per MB (fastest of {repeats}); {terms:,} terms, "
            f"{4 * terms - 1:,} tokens",
        )
    if whole:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.dc"
            path.write_text(parse_text(sizes[-1]))
            diffcli = str(Path(sys.executable).with_name("diffcli"))
            argv = [diffcli, "grad", str(path), "--at", "x0=1,x1=2,x2=3,x3=4", "--format", "plain"]
            times = timed(lambda: run_process(argv), 1)
            table.add(
                "7 parse: seconds per MB (linear when constant)",
                f"whole command: diffcli grad FILE, {sizes[-1]:g} MB",
                times,
                None,
                f"limit {limits.MAX_CHARS:,} characters",
            )


def run_all(smoke: bool) -> Table:
    sys.path.insert(0, str(HERE))
    import whole  # issue 18's whole-process rows (bench/whole.py)

    table = Table()
    startup(table, 2 if smoke else 11)
    batch(table, 2000 if smoke else 10**6, 2 if smoke else 9)
    rosen_gradient(table, [10] if smoke else [10, 100, 1000], 2 if smoke else 7)
    rosen_hessian(table, 10 if smoke else 100, 50 if smoke else 10_000, 2 if smoke else 5)
    no_swell(table, 5 if smoke else 20, 5 if smoke else 120)
    memory(table, 3 * 10**4 if smoke else 10**7)
    parsing(table, [0.01, 0.02] if smoke else [0.5, 1, 2, 4], not smoke, 1 if smoke else 3)
    whole.run(table, ENV, smoke, PEERS)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds (used by the tests)")
    parser.add_argument("--results", default=str(HERE / "RESULTS.md"), help="where to write the Markdown table")
    args = parser.parse_args(argv)
    smoke = args.smoke
    global PEERS
    PEERS = not smoke
    load = os.getloadavg()[0]
    table = run_all(smoke)  # every run builds its own graph: nothing process-wide to save or restore
    load = f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end (other work on the machine)"
    versions = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    for module in ("torch", "jax", "sympy"):
        if have(module):
            versions.append(f"{module} {__import__(module).__version__}")
    text = (
        f"# diffcli benchmarks\n\n`python bench/run.py{' --smoke' if smoke else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} cores; {', '.join(versions)}; {load}. Medians of interleaved runs; spread is min..max; "
        "ratio is the case's median over the workload's baseline.\n\n" + table.markdown() + "\n"
    )
    Path(args.results).write_text(text)
    print(table.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())

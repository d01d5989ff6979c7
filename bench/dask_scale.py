"""`--points` past one process: the local streaming engine against `--engine dask`.

`python bench/dask_scale.py --rows 1e8` writes a partitioned Parquet data set (x, y uniform;
FILE_ROWS rows a file), then runs `diffcli grad F --points DATA/ --out OUT/` three ways, each as
a real subprocess, ROUNDS times interleaved (machines shared with other work move by tens of
percent; the best of each is reported): the local engine (one process, up to 4 threads);
`--engine dask --scheduler` against `dask scheduler` and N `dask worker --nthreads 1` processes
started here as a user would (or `--scheduler ADDRESS`); and `--engine dask` without
`--scheduler` (the command starts and stops its own LocalCluster). It reports wall time, rows
per second and peak memory (RSS sampled every 20 ms for the commands and the workers they
start; the running cluster's workers read their own peak with `client.run` after a restart),
checks that both engines wrote the same numbers, and writes bench/DASK.md. `--smoke` runs a
few thousand rows once (the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
F_TEXT = "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1)"
FILE_ROWS = 4_000_000  # rows per input file (one Dask partition each)
ENV = {
    k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONDONTWRITEBYTECODE")
}


def diffcli() -> list[str]:
    found = shutil.which("diffcli")
    return [found] if found else [sys.executable, "-m", "diffcli"]


def make_data(folder: Path, rows: int, file_rows: int) -> float:
    """The input data set, written in slices of at most a million rows (bounded memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = time.perf_counter()
    folder.mkdir(parents=True)
    rng = np.random.default_rng(7)
    for k, first in enumerate(range(0, rows, file_rows)):
        n = min(file_rows, rows - first)
        with pq.ParquetWriter(folder / f"part.{k}.parquet", pa.schema([("x", pa.float64()), ("y", pa.float64())])) as w:
            for done in range(0, n, 1_000_000):
                m = min(1_000_000, n - done)
                w.write_table(pa.table({"x": rng.uniform(0.1, 3, m), "y": rng.uniform(-2, 2, m)}))
    return time.perf_counter() - start


def timed_process(argv: list[str]) -> tuple[float, list[float]]:
    """(wall seconds, peak RSS in MiB of the process, then of each worker process it started,
    sampled every 20 ms) of one subprocess, which must succeed."""
    import psutil  # comes with distributed

    os.sync()  # the previous run's output goes to disk now, not during this run
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict = {}
    done = threading.Event()

    def sample():
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                for found in [root] + root.children(recursive=True):
                    if found is root or "spawn_main" in " ".join(found.cmdline()):  # a Dask worker
                        peaks[found.pid] = max(peaks.get(found.pid, 0), found.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = process.stderr.read().decode()
    process.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed ({process.returncode}): {err}")
    return wall, [peaks.pop(process.pid, 0) / 2**20] + [peaks[pid] / 2**20 for pid in sorted(peaks)]


def worker_peaks(client) -> list[float]:
    """Each worker process's peak RSS so far, MiB."""
    found = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return [found[k] for k in sorted(found)]


def same_numbers(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    left, right = pq.ParquetDataset(a), pq.ParquetDataset(b)
    ta, tb = left.read(), right.read()
    return ta.column_names == tb.column_names and all(
        np.array_equal(x.to_numpy(), y.to_numpy()) for x, y in zip(ta.columns, tb.columns)
    )


@contextmanager
def hand_started(workers: int, work: Path):
    """`dask scheduler` and `dask worker` processes, as a user starts them: the address."""
    dask = shutil.which("dask") or sys.exit("the `dask` command is not installed: pip install 'diffcli[dask]'")
    info = work / "scheduler.json"
    common = ["--no-dashboard"]
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(info), *common],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
        )
    ]
    try:
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [dask, "worker", "--scheduler-file", str(info), "--nthreads", "1", "--host", "127.0.0.1", *common],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=ENV,
                )
            )
        for _ in range(600):
            if info.exists():
                break
            time.sleep(0.05)
        yield json.loads(info.read_text())["address"]
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=60)


def run(
    rows: int, workers: int, file_rows: int, scheduler: str | None, work: Path, own: bool = True, rounds: int = 1
) -> list[tuple]:
    """The three runs, `rounds` times interleaved; the best wall time of each is reported."""
    import distributed

    data = work / "data"
    made = make_data(data, rows, file_rows)
    files = len(os.listdir(data))
    base = diffcli() + ["grad", F_TEXT, "--points", str(data)]
    times: dict = {"local": [], "dask": [], "own": []}
    memory: dict = {}
    same = None
    with hand_started(workers, work) if scheduler is None else nullcontext(scheduler) as address:
        with distributed.Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers if scheduler is None else 1, timeout=60)
            count = len(client.scheduler_info()["workers"])
            for _ in range(rounds):
                wall, peaks = timed_process(base + ["--out", f"{work}/local/"])
                times["local"].append(wall)
                memory["local"] = f"{peaks[0]:.0f} (the process)"
                client.restart()  # fresh worker processes: their peak memory is this run's
                wall, peaks = timed_process(
                    base + ["--engine", "dask", "--scheduler", address, "--out", f"{work}/dask/"]
                )
                times["dask"].append(wall)
                memory["dask"] = (
                    " / ".join(f"{p:.0f}" for p in worker_peaks(client))
                    + f" (each worker); {peaks[0]:.0f} (the command)"
                )
                if same is None:
                    same = same_numbers(work / "local", work / "dask")
                for folder in ("local", "dask"):
                    shutil.rmtree(work / folder)
                if own:
                    wall, peaks = timed_process(base + ["--engine", "dask", "--out", f"{work}/dask/"])
                    times["own"].append(wall)
                    memory["own"] = (
                        " / ".join(f"{p:.0f}" for p in peaks[1:])
                        + f" (each worker, sampled); {peaks[0]:.0f} (the command)"
                    )
                    shutil.rmtree(work / "dask")

    def row(name, key, note):
        best = min(times[key])
        spread = f" ({', '.join(f'{t:.1f}' for t in times[key])})" if len(times[key]) > 1 else ""
        return (name, f"{f'{best:.2f}'}{spread}", f"{rows / best:,.0f}", memory[key], note)

    table = [
        (
            "input: " + f"{rows:.0e} rows, {files} files of <= {file_rows:,} rows",
            f"{made:.1f}",
            "",
            "",
            "written once, not timed below",
        )
    ]
    table.append(row("local engine (stream, 1 process, <= 4 threads)", "local", ""))
    table.append(
        row(
            f"--engine dask --scheduler (`dask scheduler` + {count} x `dask worker --nthreads 1`)",
            "dask",
            f"same numbers as local: {'yes, bit for bit' if same else 'NO'}",
        )
    )
    if own:
        table.append(
            row(
                f"--engine dask, own LocalCluster ({os.cpu_count()} workers)",
                "own",
                "includes the cluster's start-up and shutdown",
            )
        )
    return table


def markdown(rows: list[tuple], header: str) -> str:
    lines = [
        header,
        "",
        "| run | wall s (best; all rounds) | rows/s | peak RSS MiB | note |",
        "|---|---:|---:|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--file-rows", type=int, default=FILE_ROWS)
    parser.add_argument("--scheduler", help="use this running cluster instead of starting a LocalCluster")
    parser.add_argument("--smoke", action="store_true", help="a few thousand rows (the tests run it)")
    parser.add_argument("--no-own-cluster", action="store_true", help="skip the run that starts its own cluster")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each kind, interleaved (best reported)")
    parser.add_argument("--work", help="folder for the data and results (default: a temporary folder, removed)")
    parser.add_argument("--results", default=str(HERE / "DASK.md"))
    args = parser.parse_args(argv)
    rows, file_rows = (5000, 1000) if args.smoke else (int(args.rows), args.file_rows)
    work = Path(args.work or tempfile.mkdtemp(prefix="diffcli-dask-bench-"))
    try:
        table = run(
            rows,
            args.workers,
            file_rows,
            args.scheduler,
            work,
            not args.no_own_cluster,
            1 if args.smoke else args.rounds,
        )
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    header = (
        f"grad of `{F_TEXT}` at {rows:.0e} points, Parquet folder in, Parquet folder out; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    text = markdown(table, header)
    Path(args.results).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`--engine dask`: a real `distributed` scheduler and two worker processes on 127.0.0.1 (one
cluster for the module, stopped at its end); grad, jacobian and hessian over a partitioned
Parquet input compared row by row, bit for bit, with the local engine; the errors; the program
shipped once, small, without the graph or the parser. CI installs the extra (`diffcli[dask]`)."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pytest
from numpy.lib.recfunctions import structured_to_unstructured

from conftest import invoke

if not os.environ.get("CI"):  # CI installs the extra: there a missing Dask fails the run
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
import distributed  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from diffcli.batch import cluster as engine_dask  # noqa: E402
from diffcli.batch import dask_connection  # noqa: E402
from diffcli.batch.job import PointsJob  # noqa: E402
from diffcli.compute.problem import load  # noqa: E402
from diffcli.compute.request import Columns, Request  # noqa: E402

SIZES = [700, 1, 0, 2500, 333, 64, 5, 1200, 9, 10, 11, 4]  # a dozen partitions, one of them empty
CASES = [
    ("grad", "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1) + w*x", ["--at", "w=0.5"]),
    ("jacobian", "[x*y, sin(x) + y^3, exp(x - y) / (1 + x^2)]", []),
    ("hessian", "x^3*y + cos(x*y) - atan2(y, x) + tanh(x)*w", ["--at", "w=-1.25"]),
    ("eval", "where(x > y, x*y, relu(x - y)) + abs(y)", []),
]


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask") / "data"
    folder.mkdir()
    rng = np.random.default_rng(19)
    for k, n in enumerate(SIZES):
        pq.write_table(
            pa.table({"x": rng.uniform(0.2, 2, n), "y": rng.uniform(-1.5, 1.5, n)}), folder / f"part.{k}.parquet"
        )
    return folder


def table_of(path) -> np.ndarray:
    table = pq.read_table(path)
    return table.column_names, np.column_stack([c.to_numpy() for c in table.columns])


@pytest.mark.parametrize("command,expr,extra", CASES, ids=[c[0] for c in CASES])
def test_same_numbers_as_the_local_engine(scheduler, data, tmp_path, command, expr, extra):
    base = [command, expr, "--points", str(data), *extra]
    local = invoke(*base, "--out", str(tmp_path / "local.parquet"))
    run = invoke(*base, "--engine", "dask", "--scheduler", scheduler, "--out", f"{tmp_path}/out/")
    assert local.code == 0 and run.code == 0 and run.stdout == "" and run.stderr == local.stderr
    files = sorted(os.listdir(tmp_path / "out"))
    assert files == [f"part.{k:05d}.parquet" for k in range(len(SIZES))]  # one file per partition
    names, got = table_of(tmp_path / "out")
    local_names, expected = table_of(tmp_path / "local.parquet")
    assert names == local_names and got.shape == (sum(SIZES), len(names))
    assert np.array_equal(got, expected, equal_nan=True)  # bit for bit: the same operations
    # gathered through this machine (stdout), the text is the local engine's
    assert invoke(*base, "--engine", "dask", "--scheduler", scheduler).stdout == invoke(*base).stdout


def test_json_lines_and_single_files_are_gathered_in_order(scheduler, data, tmp_path):
    base = ["grad", "x*x*y", "--points", str(data)]
    dask = ["--engine", "dask", "--scheduler", scheduler]
    assert invoke(*base, *dask, "--format", "json").stdout == invoke(*base, "--format", "json").stdout
    for name in ("a.npy", "a.csv", "a.npz"):
        assert invoke(*base, *dask, "--out", str(tmp_path / f"dask-{name}")).code == 0
        assert invoke(*base, "--out", str(tmp_path / f"local-{name}")).code == 0
        assert (tmp_path / f"dask-{name}").read_bytes() == (tmp_path / f"local-{name}").read_bytes()
    assert invoke(*base, *dask, "--out", str(tmp_path / "dask.parquet")).code == 0  # one file, not a folder
    structured = np.load(tmp_path / "local-a.npy")
    assert table_of(tmp_path / "dask.parquet")[0] == list(structured.dtype.names)
    assert np.array_equal(table_of(tmp_path / "dask.parquet")[1], structured_to_unstructured(structured))


def test_keep_and_only_as_the_local_engine(scheduler, tmp_path):
    """Only the used columns are variables (a list column stays unread), --keep carries text
    as text, --only picks the result columns, in gathered output and in the workers' files."""
    folder = tmp_path / "kept"
    folder.mkdir()
    for k in range(3):
        pq.write_table(
            pa.table(
                {
                    "id": [f"r{k}{i}" for i in range(5)],
                    "x": np.arange(5.0) + k,
                    "y": np.full(5, 2.0 - k),
                    "tags": [[i] for i in range(5)],
                }
            ),
            folder / f"part.{k}.parquet",
        )
    base = ["grad", "x*y", "--points", str(folder), "--keep", "id,x"]
    dask = ["--engine", "dask", "--scheduler", scheduler]
    for extra in ([], ["--format", "json"], ["--only", "grad"]):
        local = invoke(*base, *extra)
        assert local.code == 0 and invoke(*base, *dask, *extra).stdout == local.stdout
    assert invoke(*base, "--only", "grad", "--out", str(tmp_path / "local.parquet")).code == 0
    assert invoke(*base, *dask, "--only", "grad", "--out", f"{tmp_path}/out/").code == 0
    got, expected = pq.read_table(tmp_path / "out"), pq.read_table(tmp_path / "local.parquet")
    assert got.column_names == ["id", "x", "d_x", "d_y"] and got.to_pylist() == expected.to_pylist()
    assert got.schema.field("id").type == pa.string()


def test_a_worker_that_cannot_write_says_exit_4(tmp_path):
    """On a worker, an OSError while writing its part file is an OutputError (exit 4) naming
    the output folder and the part file."""
    pandas = pytest.importorskip("pandas")
    program = Columns(load("x*y", None, points={"x": (), "y": ()}), Request(gradient=True), ["x", "y"])
    frame = pandas.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    with pytest.raises(engine_dask.OutputError) as caught:
        engine_dask.partition(
            frame,
            program,
            (["x", "y"], [], []),
            "file",
            str(tmp_path / "gone"),
            (program.labels, None, "out/"),
            False,
            "--points p",
            partition_info={"number": 3},
        )
    assert caught.value.exit_code == 4
    assert caught.value.message.startswith("cannot write `out/` (part.00003.parquet, on a worker): ")


def test_non_finite_results_are_counted_and_strict_stops(scheduler, data, tmp_path):
    base = ["grad", "log(x - 1)", "--points", str(data), "--engine", "dask", "--scheduler", scheduler]
    local = invoke("grad", "log(x - 1)", "--points", str(data), "--out", str(tmp_path / "l.npy"))
    run = invoke(*base, "--out", f"{tmp_path}/out/")
    assert run.code == 0 and run.stderr == local.stderr and "warning: a result is not finite in" in run.stderr
    run = invoke(*base, "--strict", "--out", f"{tmp_path}/strict/")
    assert run.code == 3 and run.stderr.startswith("error: a result is not finite at partition ")
    assert run.stderr.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == ["l.npy", "out"]  # no partial data set, no temporary folder


def test_a_bad_value_names_partition_and_row_and_leaves_nothing(scheduler, data, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    pq.write_table(pa.table({"x": pa.array([1.0, 2.0, None]), "y": [1.0, 2.0, 3.0]}), bad / "part.7.parquet")
    out = tmp_path / "out"
    out.mkdir()
    pq.write_table(pa.table({"value": [1.0]}), out / "part.00000.parquet")  # an earlier result stays
    run = invoke("grad", "x*y", "--points", str(bad), "--engine", "dask", "--scheduler", scheduler, "--out", f"{out}/")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == (
        f"error: --points {bad}, partition 7, row 3, column `x`: an empty (null) cell: every cell "
        "used needs a finite number (remove or fill in that row)\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["bad", "out"] and os.listdir(out) == ["part.00000.parquet"]
    assert table_of(out)[0] == ["value"]


def test_option_errors_say_one_line(scheduler, data, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("x,y\n1,2\n")
    cases = [
        (["--points", str(csv), "--engine", "dask"], "--engine dask reads Parquet"),
        (["--engine", "dask"], "--engine dask evaluates the rows of --points"),
        (["--points", str(data), "--scheduler", scheduler], "--scheduler goes with --engine dask"),
        (["--points", str(data), "--engine", "dask", "--scheduler", "nonsense"], "not a scheduler address"),
        (["--points", str(data), "--engine", "dask", "--device", "gpu"], "drop --device gpu"),
    ]
    for args, message in cases:
        run = invoke("grad", "x*y", *args)
        assert run.code == 2 and run.stdout == "" and message in run.stderr and run.stderr.count("\n") == 1, run


def test_an_unreachable_scheduler_fails_fast(data):
    with __import__("socket").socket() as s:  # a port on loopback that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    run = invoke("grad", "x*y", "--points", str(data), "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert run.code == 2 and "cannot connect (Connection refused)" in run.stderr and run.stderr.count("\n") == 1
    assert time.perf_counter() - start < 3


def test_a_silent_port_times_out(data, monkeypatch):
    import socket

    monkeypatch.setattr(dask_connection, "CONNECT_TIMEOUT", 0.5)  # the probe and the Client read it there
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        address = "tcp://127.0.0.1:%d" % listener.getsockname()[1]
        run = invoke("grad", "x*y", "--points", str(data), "--engine", "dask", "--scheduler", address)
    assert run.code == 2 and "no Dask scheduler answered within 0.5 s" in run.stderr


def test_a_worker_address_is_not_a_scheduler(scheduler, data):
    with distributed.Client(scheduler, set_as_default=False) as client:
        worker = sorted(client.scheduler_info()["workers"])[0]
    run = invoke("grad", "x*y", "--points", str(data), "--engine", "dask", "--scheduler", worker)
    assert run.code == 2 and "that is a Dask Worker, not a scheduler" in run.stderr and run.stderr.count("\n") == 1


def test_a_missing_extra_names_it(data, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    run = invoke("grad", "x*y", "--points", str(data), "--engine", "dask")
    assert run.code == 2 and run.stderr == (
        "error: --engine dask needs Dask, and `distributed` is not installed: pip install 'diffcli[dask]'\n"
    )


def test_progress_counts_partitions(scheduler, data, tmp_path):
    seen = []
    job = PointsJob("x*y", str(data), [], out=f"{tmp_path}/out/", engine="dask", scheduler=scheduler)
    counts = engine_dask.run("grad", job, Request(gradient=True), lambda rows, fraction: seen.append((rows, fraction)))
    assert counts == {"rows": sum(SIZES), "nonfinite": 0}
    assert [f for _, f in seen] == [k / len(SIZES) for k in range(1, len(SIZES) + 1)]  # partitions done
    assert seen[-1][0] == sum(SIZES) and [r for r, _ in seen] == sorted(r for r, _ in seen)
    seen.clear()  # gathered through this machine: the same fractions, rows in order
    assert engine_dask.run(
        "grad",
        replace(job, out=str(tmp_path / "g.npy")),
        Request(gradient=True),
        lambda rows, fraction: seen.append((rows, fraction)),
    )["rows"] == sum(SIZES)
    assert [f for _, f in seen] == [k / len(SIZES) for k in range(1, len(SIZES) + 1)]


def test_workers_get_the_plan_not_the_parser(scheduler, data, tmp_path):
    assert invoke("hessian", "x*y^3", "--points", str(data), "--engine", "dask", "--scheduler", scheduler).code == 0
    with distributed.Client(scheduler, set_as_default=False) as client:
        loaded = client.run(lambda: sorted(m for m in ("lark", "typer", "rich") if m in sys.modules))
    assert loaded and all(found == [] for found in loaded.values())


def test_the_shipped_program_is_small_and_flat():
    """A pickled Columns is its plan's step list and values: no graph, no recursion through
    the DAG (a chain of 20,000 nodes pickles), the same table after loading."""
    text = " + ".join(f"sin(x*{k} + y)" for k in range(1, 40))
    problem = load(text, None, points={"x": (), "y": ()})
    columns = Columns(problem, Request(hessian="dense"), ["x", "y"])
    shipped = pickle.dumps(columns)
    assert b"Graph" not in shipped and b"lark" not in shipped and len(shipped) < 40_000
    block = {"x": np.linspace(-2, 2, 1000), "y": np.linspace(3, -1, 1000)}
    again = pickle.loads(shipped)
    assert again.labels == columns.labels and np.array_equal(again.table(block), columns.table(block))
    deep = "x" + " + sin(x)" * 1 + "".join(" * 1.0001 + y" for _ in range(5000))
    chain = Columns(load(deep, None, points={"x": (), "y": ()}), Request(gradient=True), ["x", "y"])
    assert np.array_equal(pickle.loads(pickle.dumps(chain)).table(block), chain.table(block))


@pytest.mark.slow  # a LocalCluster starts and stops: 10 s and more
def test_a_local_cluster_starts_and_stops_with_the_command(data, tmp_path):
    """Without --scheduler: a LocalCluster sized to the machine, in the installed command."""
    diffcli = shutil.which("diffcli") or pytest.skip("the diffcli command is not installed")
    out = subprocess.run(
        [diffcli, "grad", "x*x*y", "--points", str(data), "--engine", "dask", "--out", f"{tmp_path}/out/"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout == "" and out.stderr == "", out.stderr
    assert table_of(tmp_path / "out")[1].shape == (sum(SIZES), 3)


def test_the_installed_command_against_a_running_scheduler(scheduler, data, tmp_path):
    diffcli = shutil.which("diffcli") or pytest.skip("the diffcli command is not installed")
    out = subprocess.run(
        [
            diffcli,
            "jacobian",
            "[x*y, x+y]",
            "--points",
            str(data),
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stderr == "" and out.stdout.count("\n") == sum(SIZES)


@pytest.mark.slow
def test_the_scale_bench_runs(scheduler, tmp_path, capsys):
    """bench/dask_scale.py end to end at a few thousand rows (no timing asserted)."""
    import runpy
    from pathlib import Path

    bench = runpy.run_path(str(Path(__file__).resolve().parent.parent / "bench" / "dask_scale.py"))
    results = tmp_path / "DASK.md"
    assert bench["main"](["--smoke", "--scheduler", scheduler, "--no-own-cluster", "--results", str(results)]) == 0
    text = results.read_text()
    assert "| local engine" in text and "same numbers as local: yes, bit for bit" in text

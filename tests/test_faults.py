"""File-system and signal faults (issue 13): outputs into FIFOs, links, sockets, devices,
standard output, full disks and folders the user may not write; internal errors; Ctrl-C and
SIGTERM at random moments of minimize, fit, --points --out and a long parse, through the
installed command. Each run must end with SPEC's exit code and one `error:` line, never a
traceback, never a partial or temporary file, and a special file must survive being written.
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import invoke
from diffcli.cli import main
from diffcli.cli.commands.learn import History

DIFFCLI = shutil.which("diffcli")
installed = pytest.mark.skipif(DIFFCLI is None, reason="diffcli is not installed on PATH")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
PNG = b"\x89PNG\r\n\x1a\n"


def invoke_bytes(*args: str) -> tuple[int, bytes, str]:
    """As conftest.invoke, but stdout as bytes (a PNG written to `-`)."""
    with CliRunner().isolation() as streams:
        code = main(list(args))
        sys.stdout.flush()
        return code, streams[0].getvalue(), streams[1].getvalue().decode()


def no_temporaries(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.startswith(".diffcli-")]
    assert not left, left


# Every output option, with what its bytes start with. OUT is the output's path.
OUT = object()
OUTPUTS = {
    "minimize --trace": (
        ["minimize", "x^2 + y^2", "--at", "x=1,y=2", "--steps", "3", "--trace", OUT, "--format", "json"],
        b"step,x,y,value\n0,1,2,5\n",
    ),
    "--points --out .csv": (["grad", "x*y", "--points", "{points}", "--out", OUT], b"value,d_x,d_y\n2,2,1\n"),
    "--points --out .npy": (["grad", "x*y", "--points", "{points}", "--out", OUT], b"\x93NUMPY"),
    "--points --out .npz": (["grad", "x*y", "--points", "{points}", "--out", OUT], b"PK\x03\x04"),
    "fit --trace": (
        [
            "fit",
            "w*x + b",
            "--data",
            "{data}",
            "--params",
            "w=0,b=0",
            "--epochs",
            "2",
            "--trace",
            OUT,
            "--format",
            "json",
        ],
        b"epoch,w,b,loss\n0,0,0,11.666666666666666\n",
    ),
    "graph --dot": (["graph", "x*x", "--at", "x=1", "--dot", OUT, "--format", "json"], b"digraph"),
    "graph --svg": (["graph", "x*x", "--at", "x=1", "--svg", OUT, "--format", "json"], b"<?xml"),
    "graph --png": (["graph", "x*x", "--at", "x=1", "--png", OUT, "--format", "json"], PNG),
    "minimize --plot": (["minimize", "x^2", "--at", "x=1", "--steps", "3", "--plot", OUT, "--format", "json"], PNG),
    "fit --plot": (
        [
            "fit",
            "w*x + b",
            "--data",
            "{data}",
            "--params",
            "w=0,b=0",
            "--epochs",
            "2",
            "--plot",
            OUT,
            "--format",
            "json",
        ],
        PNG,
    ),
    "plot --png": (["plot", "x^2", "--range", "x=0:1", "--png", OUT], PNG),
}
NAMES = {"--points --out .npy": "out.npy", "--points --out .npz": "out.npz", "graph --svg": "out.svg"}
PICTURES = ("graph --svg", "graph --png", "minimize --plot", "fit --plot", "plot --png")


def argv_for(case: str, folder: Path, out: str) -> list[str]:
    (folder / "points.csv").write_text("x,y\n1,2\n3,4\n")
    (folder / "data.csv").write_text("x,y\n0,1\n1,3\n2,5\n")
    template, _ = OUTPUTS[case]
    return [out if a is OUT else a.format(points=folder / "points.csv", data=folder / "data.csv") for a in template]


def skip_without_tools(case: str) -> None:
    if case in ("graph --svg", "graph --png") and shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed")
    if "plot" in case or case == "plot --png":
        pytest.importorskip("matplotlib")


# ---------------------------------------------------------------- special files survive


@pytest.mark.parametrize("case", OUTPUTS)
def test_a_fifo_gets_the_data_and_stays_a_fifo(tmp_path, case):
    skip_without_tools(case)
    fifo = tmp_path / NAMES.get(case, "out.csv")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = invoke(*argv_for(case, tmp_path, str(fifo)))
    reader.join(timeout=30)
    assert r.code == 0, r.stderr
    assert got and got[0].startswith(OUTPUTS[case][1]), got[:1]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    if case == "--points --out .npy":  # a pipe cannot seek: the rows were spooled, the header is right
        array = np.load(io.BytesIO(got[0]))
        assert array.dtype.names == ("value", "d_x", "d_y") and array.tolist() == [(2, 2, 1), (12, 4, 3)]
    if case == "--points --out .npz":  # a pipe cannot seek: zipfile writes data descriptors
        archive = np.load(io.BytesIO(got[0]))
        assert archive.files == ["value", "d_x", "d_y"] and archive["d_y"].tolist() == [1, 3]
    no_temporaries(tmp_path)


def test_a_pictures_format_for_streams_and_names(tmp_path):
    from diffcli.data.fileio import picture_format
    from diffcli.errors import DiffcliError

    fifo = tmp_path / "p.jpg"
    os.mkfifo(fifo)
    assert [picture_format(p, "--png", "png") for p in ("-", "/dev/stdout", "p", "p.SVG", "p.pdf", str(fifo))] == [
        "png",
        "png",
        "png",
        "svg",
        "pdf",
        "png",
    ]  # a FIFO has no extension to go by, whatever its name
    with pytest.raises(DiffcliError, match="name it .png, .svg or .pdf"):
        picture_format(str(tmp_path / "p.jpg.txt"), "--png", "png")


@pytest.mark.parametrize("case", ["minimize --trace", "graph --dot", "plot --png", "fit --trace"])
def test_a_symlink_is_followed_and_kept_and_the_mode_too(tmp_path, case):
    skip_without_tools(case)
    ext = ".png" if case in PICTURES else ".out"  # a picture's format is its name's extension
    target = tmp_path / f"real{ext}"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / f"link{ext}"
    link.symlink_to(f"real{ext}")
    r = invoke(*argv_for(case, tmp_path, str(link)))
    assert r.code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == f"real{ext}"
    assert target.read_bytes().startswith(OUTPUTS[case][1])
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    dangling = tmp_path / f"dangling{ext}"  # a link to a file not yet there: the file is made
    dangling.symlink_to(f"made{ext}")
    assert invoke(*argv_for(case, tmp_path, str(dangling))).code == 0
    assert dangling.is_symlink() and (tmp_path / f"made{ext}").read_bytes().startswith(OUTPUTS[case][1])
    no_temporaries(tmp_path)


@pytest.mark.parametrize("case", OUTPUTS)
def test_dash_is_standard_output_for_every_output_option(tmp_path, monkeypatch, case):
    skip_without_tools(case)
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke_bytes(*argv_for(case, tmp_path, "-"))
    assert code == 0, err
    assert not (tmp_path / "-").exists()
    expected = OUTPUTS[case][1]
    if case.startswith("--points"):  # `--out -` is standard output as without --out: CSV
        expected = b"value,d_x,d_y\n2,2,1\n"
    assert out.startswith(expected) or expected in out, out[:80]
    if case == "minimize --trace":  # the trace, then the result
        assert out.endswith(b'"converged": false}\n')
    if case == "graph --svg":  # `-` has no extension: the option's own format
        assert b"<svg" in out and PNG not in out


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
def test_our_own_stdout_by_name(name):
    if not os.path.exists(name):
        pytest.skip(f"{name} does not exist here")
    r = invoke("minimize", "x^2", "--at", "x=1", "--steps", "2", "--trace", name, "--format", "plain")
    assert r.code == 0 and r.stdout.startswith("step,x,value\n0,1,1\n"), r


def test_a_unix_socket_is_written_in_place(tmp_path):
    path = str(tmp_path / "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    got = []

    def serve():
        conn, _ = server.accept()
        with conn:
            got.append(b"".join(iter(lambda: conn.recv(65536), b"")))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    r = invoke("graph", "x*x", "--at", "x=1", "--dot", path, "--format", "json")
    thread.join(timeout=30)
    server.close()
    assert r.code == 0, r.stderr
    assert got and got[0].startswith(b"digraph")
    assert stat.S_ISSOCK(os.stat(path).st_mode)


# ---------------------------------------------------------------- outputs that cannot be written: exit 4


@pytest.mark.parametrize("case", OUTPUTS)
def test_dev_full_is_exit_4_naming_the_file(case):
    skip_without_tools(case)
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with tempfile.TemporaryDirectory() as tmp:
        r = invoke(*argv_for(case, Path(tmp), "/dev/full"))
    assert r.code == 4, r
    assert r.stderr.splitlines()[0] == "error: cannot write `/dev/full`: no space left on the device"
    assert r.stdout == ""
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_missing_folder_directory_and_read_only_file_system(tmp_path, monkeypatch):
    r = invoke("minimize", "x^2", "--at", "x=1", "--trace", str(tmp_path / "no" / "t.csv"))
    assert (
        r.code == 4
        and r.stderr
        == f"error: cannot write `{tmp_path / 'no' / 't.csv'}`: the folder `{tmp_path / 'no'}` does not exist\n"
    )
    r = invoke("graph", "x", "--at", "x=1", "--dot", str(tmp_path))
    assert r.code == 4 and "it is a directory" in r.stderr

    def read_only(*args):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    (tmp_path / "t.csv").write_text("old")
    r = invoke("minimize", "x^2", "--at", "x=1", "--steps", "2", "--trace", str(tmp_path / "t.csv"))
    assert r.code == 4 and r.stderr == f"error: cannot write `{tmp_path / 't.csv'}`: read-only file system\n"
    assert (tmp_path / "t.csv").read_text() == "old"
    no_temporaries(tmp_path)


def test_a_fifo_whose_reader_goes_away_is_exit_4(tmp_path):
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)

    def reader():
        with open(fifo, "rb") as fh:
            fh.read(10)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    r = invoke("minimize", "x^2", "--at", "x=1", "--steps", "50000", "--tol", "0", "--trace", str(fifo))
    thread.join(timeout=30)
    assert r.code == 4 and r.stderr == f"error: cannot write `{fifo}`: broken pipe (the reader went away)\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def _unprivileged(argv: list[str], cwd: str):
    """Run the installed command as a user who may not write `cwd` (root runs it as nobody)."""
    if os.geteuid() != 0:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot become an unprivileged user")
    drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {**os.environ, "HOME": cwd}
    probe = subprocess.run(drop + [argv[0], "--version"], cwd=cwd, capture_output=True, timeout=60, env=env)
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run {argv[0]} here: {probe.stderr[:200]!r}")
    return subprocess.run(drop + argv, cwd=cwd, capture_output=True, text=True, timeout=60, env=env)


@installed
def test_a_folder_the_user_may_not_write_is_exit_4():
    folder = tempfile.mkdtemp(prefix="diffcli-ro-")
    try:
        os.chmod(folder, 0o555)
        r = _unprivileged([DIFFCLI, "minimize", "x^2", "--at", "x=1", "--steps", "2", "--trace", "t.csv"], folder)
        assert r.returncode == 4, r
        assert r.stderr == "error: cannot write `t.csv`: permission denied\n"
        assert os.listdir(folder) == []
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


@installed
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_standard_output_full_or_closed_is_exit_4():
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [DIFFCLI, "grad", "x*x", "--at", "x=2"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert r.returncode == 4 and r.stderr == "error: cannot write standard output: no space left on the device\n"
    r = subprocess.run(
        [DIFFCLI, "grad", "x*x", "--at", "x=2"],
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert r.returncode == 4 and r.stderr == "error: cannot write standard output: the stream is closed\n"


# ---------------------------------------------------------------- internal errors: 70


def test_a_bug_is_exit_70_and_its_traceback_only_on_request(monkeypatch):
    def broken(o):
        raise ValueError("a bug")

    monkeypatch.setattr("diffcli.cli.commands.core.evaluate", broken)
    r = invoke("eval", "x", "--at", "x=1")
    assert r.code == 70 and r.stderr == (
        "error: internal error: ValueError: a bug; please report it with the command line that caused it\n"
    )
    monkeypatch.setenv("DIFFCLI_DEBUG", "1")
    r = invoke("eval", "x", "--at", "x=1")
    assert r.code == 70 and r.stderr.startswith("error: internal error: ValueError") and "Traceback" in r.stderr


# ---------------------------------------------------------------- interruptions in-process


def signal_at(monkeypatch, module: str, name: str, call: int, signum: int) -> None:
    """Send `signum` to this process at the `call`-th call of module.name."""
    import importlib

    target = importlib.import_module(module)
    original = getattr(target, name)
    calls = [0]

    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == call:
            os.kill(os.getpid(), signum)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapped)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_minimize_interrupted_prints_the_point_and_keeps_the_trace(tmp_path, monkeypatch, signum):
    signal_at(monkeypatch, "diffcli.learn.optimize", "norm", 50, signum)
    trace = tmp_path / "t.csv"
    r = invoke(
        "minimize",
        "x^2 + y^2",
        "--at",
        "x=1,y=2",
        "--steps",
        "1000000",
        "--tol",
        "0",
        "--trace",
        str(trace),
        "--format",
        "json",
    )
    assert r.code == 128 + signum and r.stderr == "error: interrupted\n"
    out = r.json()
    assert out["interrupted"] is True and out["converged"] is False and 45 <= out["steps"] <= 55
    rows = trace.read_text().splitlines()
    assert rows[0] == "step,x,y,value" and len(rows) == out["steps"] + 2
    step, x, y, value = map(float, rows[-1].split(","))
    assert (step, x, y, value) == (out["steps"], out["at"]["x"], out["at"]["y"], out["value"])
    no_temporaries(tmp_path)


def test_only_keeps_the_mark_of_an_interrupted_run(monkeypatch):
    signal_at(monkeypatch, "diffcli.learn.optimize", "norm", 20, signal.SIGINT)
    r = invoke("minimize", "x^2", "--at", "x=1", "--steps", "1000000", "--tol", "0", "--only", "at", "--format", "json")
    assert r.code == 130 and set(r.json()) == {"at", "interrupted"} and r.json()["interrupted"] is True
    r = invoke("minimize", "x^2", "--at", "x=1", "--steps", "3", "--only", "interrupted")
    assert r.code == 2 and "minimize gives at, value, steps, converged" in r.stderr


def test_fit_interrupted_prints_the_parameters(tmp_path, monkeypatch):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n0,1\n1,3\n2,5\n")
    signal_at(monkeypatch, "diffcli.learn.fitting", "norm", 30, signal.SIGINT)
    trace = tmp_path / "t.csv"
    r = invoke(
        "fit",
        "w*x + b",
        "--data",
        str(data),
        "--params",
        "w=0,b=0",
        "--epochs",
        "1000000",
        "--trace",
        str(trace),
        "--format",
        "json",
    )
    assert r.code == 130 and r.stderr == "error: interrupted\n"
    out = r.json()
    assert out["interrupted"] is True and set(out["params"]) == {"w", "b"} and out["loss"] > 0
    rows = trace.read_text().splitlines()  # whole epochs only, streamed: 0 (the start) to the last one ended
    assert rows[0] == "epoch,w,b,loss" and [int(row.split(",")[0]) for row in rows[1:]] == list(range(len(rows) - 1))
    assert 25 <= len(rows) - 1 <= 31
    no_temporaries(tmp_path)
    r = invoke("fit", "w*x + b", "--data", str(data), "--params", "w=0,b=0", "--epochs", "3", "--format", "json")
    assert "interrupted" not in r.json()


def test_help_interrupted_says_so(monkeypatch):
    import typer.rich_utils

    def slow_help(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

    monkeypatch.setattr(typer.rich_utils, "rich_format_help", slow_help)
    r = invoke("grad", "--help")
    assert r.code == 130 and r.stderr == "error: interrupted\n"


def test_minimize_needs_no_memory_for_its_steps(tmp_path):
    """--steps is a bound, not an allocation: the trace streams, the plot thins its history."""
    r = invoke("minimize", "x^2", "--at", "x=0", "--steps", "10000000000", "--trace", str(tmp_path / "t.csv"))
    assert r.code == 0 and (tmp_path / "t.csv").read_text() == "step,x,value\n0,0,0\n"
    history = History(2)
    for k in range(300_000):
        history.record(k, np.array([k, -k]), float(k))
    rows = history.array()
    assert (
        len(rows) <= History.LIMIT + 1
        and rows[0, 0] == 0
        and rows[-1].tolist() == [299_999, 299_999, -299_999, 299_999]
    )
    assert np.all(np.diff(rows[:, 0]) > 0)


# ---------------------------------------------------------------- bounded reads


def test_fit_data_from_an_endless_or_binary_source_stops_at_once(tmp_path, monkeypatch):
    start = time.perf_counter()
    r = invoke("fit", "w*x + b", "--data", "/dev/zero", "--params", "w=0,b=0")
    assert r.code == 2 and r.stderr == "error: /dev/zero, line 1: a NUL byte: this is a binary file, not CSV text\n"
    long = tmp_path / "long.csv"
    long.write_text("x,y\n" + "1" * 1_200_000 + ",2\n")
    r = invoke("fit", "w*x + b", "--data", str(long), "--params", "w=0,b=0")
    assert r.code == 2 and "line 2 is longer than 1,000,000 characters" in r.stderr
    assert time.perf_counter() - start < 20
    from diffcli import limits

    monkeypatch.setattr(limits, "MAX_ELEMENTS", 5)
    rows = tmp_path / "rows.csv"
    rows.write_text("x,y\n" + "1,2\n" * 6)
    r = invoke("fit", "w*x + b", "--data", str(rows), "--params", "w=0,b=0")
    assert r.code == 2 and "more than 5 rows" in r.stderr


# ---------------------------------------------------------------- signals at random moments, installed command


def _handlers_ready(pid: int) -> bool:
    """True once the process catches SIGTERM (diffcli's handlers are installed)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    except OSError:
        pass
    return False


def _signal_run(argv: list[str], cwd: Path, signum: int, most: float):
    """Run argv, wait until its handlers are in place, send `signum` after a random delay of
    up to `most` seconds; return (delay, completed process)."""
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _handlers_ready(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    delay = random.uniform(0, most)
    time.sleep(delay)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    return delay, subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _big_sum(mb: float) -> str:
    parts, size, k = [], 0, 0
    while size < mb * 1e6:
        parts.append(f"{0.1234567890123 + k * 1e-7!r}*x{k % 4}")
        size, k = size + len(parts[-1]) + 3, k + 1
    return " + ".join(parts)


WORKLOADS = {
    "minimize": (
        [
            "minimize",
            "x^2 + y^2",
            "--at",
            "x=10,y=3",
            "--steps",
            "1000000000",
            "--tol",
            "0",
            "--lr",
            "1e-9",
            "--trace",
            "t.csv",
            "--format",
            "json",
        ],
        1.0,
    ),
    "fit": (
        [
            "fit",
            "w*x + b",
            "--data",
            "d.csv",
            "--params",
            "w=0,b=0",
            "--epochs",
            "1000000000",
            "--batch-size",
            "7",
            "--trace",
            "f.csv",
            "--format",
            "json",
        ],
        1.0,
    ),
    # 400,000 rows take about 1.2 s here: the signal comes within the first half of the work
    "points --out": (["grad", "sin(x)*y", "--points", "p.npy", "--out", "o.csv"], 0.6),
    "long parse": (["eval", "big.dc", "--at", "x0=1,x1=2,x2=3,x3=4"], 1.5),
}
POINT_ROWS = 400_000


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signals")
    (folder / "d.csv").write_text("x,y\n" + "".join(f"{i / 100},{2 * i / 100 + 1}\n" for i in range(100)))
    points = np.zeros(POINT_ROWS, dtype=[("x", "f8"), ("y", "f8")])
    points["x"] = np.linspace(-1, 1, POINT_ROWS)
    points["y"] = 2.0
    np.save(folder / "p.npy", points)
    (folder / "big.dc").write_text(_big_sum(2.0))
    return folder


@installed
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc to see when handlers are in")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("workload", WORKLOADS)
def test_a_signal_at_a_random_moment(workdir, workload, signum):
    for name in ("t.csv", "o.csv", "f.csv"):
        (workdir / name).unlink(missing_ok=True)
    argv, most = WORKLOADS[workload]
    delay, r = _signal_run([DIFFCLI, *argv], workdir, signum, most)
    where = (
        f"{workload}, signal {signum} after {delay:.3f} s: code {r.returncode}\nstdout {r.stdout[:300]!r}\n"
        f"stderr {r.stderr[:1000]!r}"
    )
    assert r.returncode == 128 + signum, where
    assert r.stderr == "error: interrupted\n", where
    no_temporaries(workdir)
    if workload in ("minimize", "fit") and r.stdout:
        out = json.loads(r.stdout)
        assert out["interrupted"] is True, where
    if workload == "minimize":
        trace = workdir / "t.csv"
        if r.stdout:  # interrupted while descending: every row up to the point printed
            rows = trace.read_text().splitlines()
            assert rows[0] == "step,x,y,value" and len(rows) == out["steps"] + 2, where
            assert [float(v) for v in rows[-1].split(",")[1:3]] == [out["at"]["x"], out["at"]["y"]], where
        else:  # interrupted before the first step: no trace at all
            assert not trace.exists(), where
    if workload == "fit" and r.stdout:  # every epoch that ended, each row whole
        rows = (workdir / "f.csv").read_text().splitlines()
        assert rows[0] == "epoch,w,b,loss" and all(len(row.split(",")) == 4 for row in rows[1:]), where
        assert [int(row.split(",")[0]) for row in rows[1:]] == list(range(len(rows) - 1)), where
    if workload == "points --out":  # the whole file or none
        out_file = workdir / "o.csv"
        assert not out_file.exists() or len(out_file.read_text().splitlines()) == POINT_ROWS + 1, where
    if workload == "long parse":
        assert r.stdout == "", where


def test_ctrl_c_that_a_drawing_library_turns_into_its_own_error_is_still_interrupted(tmp_path, monkeypatch):
    """plot --png: matplotlib caught our Interrupted while drawing and raised its own error (2 in
    390 trials of the no-data-lost issue ended as 'internal error'). The run ends as interrupted:
    exit 130, one line, no picture."""
    from diffcli.errors import Interrupted
    from diffcli.learn import plotting

    original = plotting._save

    def drawing(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            return original(*args, **kwargs)
        except Interrupted:
            raise RuntimeError("the renderer was interrupted") from None  # what a library may do

    monkeypatch.setattr(plotting, "_save", drawing)
    picture = tmp_path / "p.png"
    r = invoke("plot", "sin(x)", "--range", "x=0:1", "--png", str(picture))
    assert (r.code, r.stdout, r.stderr) == (130, "", "error: interrupted\n")
    assert not picture.exists()

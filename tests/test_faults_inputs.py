"""Issue 24, inputs and outputs: no output ever replaces an input (the EXPR file, --points,
--data, each --at x=@FILE, standard input, the files of a Parquet data set), whatever name,
link or option reaches it; and SIGKILL's leftover temporaries are swept, only ours.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.data import fileio, temporaries

DIFFCLI = shutil.which("diffcli")
installed = pytest.mark.skipif(DIFFCLI is None, reason="diffcli is not installed on PATH")


@contextlib.contextmanager
def stdin_from(path: Path):
    """Descriptor 0 on `path` for an in-process run (what `< path` gives the real command)."""
    saved = os.dup(0)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.dup2(fd, 0)
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(fd)


def make_inputs(folder: Path) -> dict[str, Path]:
    """One file of each kind a command reads."""
    files = {
        "expr": folder / "f.csv",  # an expression file whose name looks like data
        "points": folder / "d.csv",
        "at": folder / "y.npy",
        "data": folder / "train.csv",
        "stdin": folder / "in.csv",
        "text_at": folder / "y.npz",  # a text file of numbers whose name a sparse Hessian's --out takes
    }
    files["text_at"].write_text("2\n")
    files["expr"].write_text("x*y")
    files["points"].write_text("x\n1\n3\n")
    np.save(files["at"], np.array(2.0))
    files["data"].write_text("x,y\n1,2\n2,4\n3,6\n")
    files["stdin"].write_text("x\n5\n6\n")
    return files


def runs(files: dict[str, Path], target: str) -> list[tuple[list[str], bool, tuple[str, ...]]]:
    """(command line, whether it reads standard input, the inputs it reads) whose output
    option is `target`."""
    f = {k: str(v) for k, v in files.items()}
    return [
        (
            ["grad", f["expr"], "--points", f["points"], "--at", f"y=@{f['at']}", "--out", target],
            False,
            ("expr", "points", "at"),
        ),
        (["grad", "x*y", "--points", "-", "--at", "y=2", "--out", target], True, ("stdin",)),
        (
            ["eval", "-", "--points", f["points"], "--at", f"y=@{f['at']}", "--out", target],
            True,
            ("stdin", "points", "at"),
        ),
        (
            ["minimize", f["expr"], "--at", f"x=1,y=@{f['at']}", "--steps", "2", "--trace", target],
            False,
            ("expr", "at"),
        ),
        (["hessian", "x*y", "--at", f"x=1,y=@{f['text_at']}", "--sparse", "--out", target], False, ("text_at",)),
        (["graph", f["expr"], "--at", f"x=1,y=@{f['at']}", "--dot", target], False, ("expr", "at")),
        (["fit", "w*x", "--data", f["data"], "--params", "w=0", "--epochs", "2", "--trace", target], False, ("data",)),
        (["fit", "w*x", "--data", "-", "--params", "w=0", "--epochs", "2", "--trace", target], True, ("stdin",)),
    ]


def aimed_at(files: dict[str, Path], key: str, how: str, folder: Path) -> str:
    """A name for the input `key`: as written, through a symlink, a hard link, a detour
    through `..`."""
    path = files[key]
    if how in ("symlink", "hardlink"):
        link = folder / f"{how}-{key}{path.suffix}"
        if not link.exists():
            (link.symlink_to(path) if how == "symlink" else os.link(path, link))
        return str(link)
    if how == "dotdot":
        return str(folder / ".." / folder.name / path.name)
    return str(path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_output_replaces_an_input(tmp_path_factory, data):
    """Hypothesis: any output option of any command, aimed at any input it reads, by any name."""
    folder = tmp_path_factory.mktemp("inputs")
    files = make_inputs(folder)
    which = data.draw(st.integers(0, len(runs(files, "T")) - 1), label="command")
    how = data.draw(st.sampled_from(["as-is", "symlink", "hardlink", "dotdot"]), label="name")
    key = data.draw(st.sampled_from(runs(files, "T")[which][2]), label="input")
    line, stdin, _ = runs(files, aimed_at(files, key, how, folder))[which]
    if line[0] == "eval":  # eval - reads the expression from standard input
        files["stdin"].write_text("x*y")
    elif line[0] == "fit":
        files["stdin"].write_text(files["data"].read_text())
    before = snapshot(folder)
    with stdin_from(files["stdin"]) if stdin else contextlib.nullcontext():
        r = invoke(*line, input=files["stdin"].read_text() if stdin else None)
    assert r.code == 2, (line, r.stdout, r.stderr)
    assert r.stderr.startswith("error: refusing to write over the input `"), r.stderr
    assert r.stderr.count("\n") == 1
    assert snapshot(folder) == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".diffcli-")]


def test_the_issue_cases_through_the_installed_command(tmp_path):
    """The three cases of the issue, as a shell runs them (standard input by fstat(0))."""
    if DIFFCLI is None:
        pytest.skip("diffcli is not installed on PATH")
    make_inputs(tmp_path)
    (tmp_path / "d.csv").write_text("x,y\n1,2\n3,4\n")
    (tmp_path / "dx.csv").write_text("x\n1\n3\n")
    before = snapshot(tmp_path)
    env = dict(os.environ)
    cases = [
        ([DIFFCLI, "grad", "f.csv", "--points", "d.csv", "--out", "f.csv"], None),
        ([DIFFCLI, "grad", "x*y", "--points", "dx.csv", "--at", "y=@y.npy", "--out", "y.npy"], None),
        ([DIFFCLI, "grad", "x*y", "--points", "-", "--out", "d.csv"], "d.csv"),
    ]
    for line, stdin in cases:
        with open(tmp_path / stdin) if stdin else contextlib.nullcontext() as fh:
            done = subprocess.run(line, cwd=tmp_path, stdin=fh, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 2, (line, done.stderr)
        assert done.stderr.startswith("error: refusing to write over the input `"), done.stderr
        assert done.stdout == ""
    assert snapshot(tmp_path) == before


def test_an_output_elsewhere_is_written(tmp_path):
    files = make_inputs(tmp_path)
    r = invoke(
        "grad", str(files["expr"]), "--points", str(files["points"]), "--at", "y=2", "--out", str(tmp_path / "o.csv")
    )
    assert r.code == 0, r.stderr
    assert (tmp_path / "o.csv").read_text().splitlines()[0] == "value,d_x,d_y"


def test_a_parquet_data_set_member_is_an_input(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "set"
    folder.mkdir()
    for k in range(2):
        pq.write_table(pa.table({"x": [1.0 + k, 2.0 + k]}), folder / f"part.{k}.parquet")
    before = (folder / "part.1.parquet").read_bytes()
    r = invoke("grad", "x^2", "--points", str(folder), "--out", str(folder / "part.1.parquet"))
    assert r.code == 2 and "refusing to write over the input" in r.stderr, r.stderr
    assert (folder / "part.1.parquet").read_bytes() == before
    r = invoke("grad", "x^2", "--points", str(folder), "--out", str(folder) + "/")
    assert r.code == 2 and "refusing to write over or into the input" in r.stderr, r.stderr


def test_stale_temporaries_of_ours_are_swept_and_nothing_else(tmp_path):
    """A SIGKILLed run's `.diffcli-PID-*` leftover (its process gone, older than this one) is
    removed by the next write into the folder; a live process's, a young one and names not
    ours stay."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    old = time.time() - 3600
    stale = tmp_path / f".diffcli-{dead.pid}-abc123.tmp"
    stale_folder = tmp_path / f".diffcli-{dead.pid}-xyz789"
    alive = tmp_path / f".diffcli-{os.getppid()}-abc123.tmp"
    other = tmp_path / ".diffcli-notours.tmp"
    for p in (stale, alive, other):
        p.write_text("left")
        os.utime(p, (old, old))
    stale_folder.mkdir()
    (stale_folder / "part.00000.parquet").write_text("x")
    os.utime(stale_folder, (old, old))
    young = tmp_path / f".diffcli-{dead.pid}-young1.tmp"
    young.write_text("new")
    os.utime(young, (temporaries._STARTED + 5, temporaries._STARTED + 5))
    fileio.write_text(str(tmp_path / "out.txt"), "ok\n")
    assert not stale.exists() and not stale_folder.exists()
    assert alive.exists() and other.exists() and young.exists()


# ---------------------------------------------------------------- files that are not what they say


def write_bad_files(folder: Path) -> None:
    (folder / "zero.npy").write_bytes(b"")
    np.savez(folder / "good.npz", x=np.arange(3.0), y=np.arange(3.0))
    good = (folder / "good.npz").read_bytes()
    (folder / "cut.npz").write_bytes(good[: len(good) // 2])
    (folder / "text.npz").write_bytes(b"not a zip archive at all\n" * 3)
    damaged = bytearray(good)
    damaged[good.index(b"\x93NUMPY") + 140] ^= 0xFF  # inside x's numbers
    (folder / "crc.npz").write_bytes(bytes(damaged))
    np.savez_compressed(folder / "small.npz", x=np.arange(3.0))
    packed = bytearray((folder / "small.npz").read_bytes())
    packed[30 + len("x.npy") + 20] ^= 0xFF  # inside the deflated numbers
    (folder / "crc2.npz").write_bytes(bytes(packed))
    np.savez(folder / "complex.npz", x=np.arange(3.0) + 1j)
    np.savez(folder / "td.npz", x=np.array([1, 2, 3], dtype="timedelta64[s]"))


@pytest.mark.parametrize(
    "name, says",
    [
        ("zero.npy", "not a .npy file (the file is empty)"),
        ("cut.npz", "not a readable .npz file"),
        ("text.npz", "not a .npz file (not a zip archive): save it with numpy.savez"),
        ("crc.npz", "Bad CRC-32"),
        ("crc2.npz", "not a readable .npz file"),
        ("complex.npz", "`x` holds complex numbers"),
        ("td.npz", "`x` holds time spans (timedelta)"),
    ],
)
def test_a_bad_array_file_is_one_line_exit_2(tmp_path, name, says):
    write_bad_files(tmp_path)
    r = invoke("grad", "x", "--points", str(tmp_path / name))
    assert r.code == 2, r.stderr
    assert r.stderr.startswith(f"error: --points {tmp_path / name}: ") and says in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and r.stdout == ""
    assert "allow_pickle" not in r.stderr


def test_a_good_npz_still_reads(tmp_path):
    write_bad_files(tmp_path)
    r = invoke("eval", "x+y", "--points", str(tmp_path / "good.npz"))
    assert r.code == 0 and r.stdout.split() == ["value", "0", "2", "4"], r


def parquet_set(folder: Path, later) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder.mkdir()
    pq.write_table(pa.table({"x": [1.0, 2.0]}), folder / "part.0.parquet")
    pq.write_table(pa.table({"x": later}), folder / "part.1.parquet")
    return folder


@pytest.mark.parametrize("later, kind", [([[1.0], [2.0]], "list<"), (["7", "8"], "string")])
def test_a_later_parquet_file_of_other_types_is_named(tmp_path, later, kind):
    folder = parquet_set(tmp_path / "set", later)
    r = invoke("grad", "x", "--points", str(folder))
    assert r.code == 2, r.stderr
    assert r.stderr.startswith(f"error: --points {folder} (part.1.parquet): column `x` holds {kind}"), r.stderr
    assert r.stdout.splitlines() == ["value,d_x", "1,1", "2,1"]  # the first file's rows, already out


def test_a_parquet_file_with_a_column_twice(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_arrays([pa.array([1.0]), pa.array([2.0])], names=["x", "x"]), tmp_path / "d.parquet")
    r = invoke("grad", "x", "--points", str(tmp_path / "d.parquet"))
    assert r.code == 2 and "the column `x` appears twice" in r.stderr, r.stderr


@pytest.mark.parametrize("suffix", ["csv", "npz"])
def test_points_take_a_column_named_theta(tmp_path, suffix):
    path = tmp_path / f"t.{suffix}"
    if suffix == "csv":
        path.write_text("θ\n1\n2\n")
    else:
        np.savez(path, **{"θ": np.array([1.0, 2.0])})
    r = invoke("grad", "θ^2", "--points", str(path))
    assert r.code == 0 and r.stdout.splitlines() == ["value,d_θ", "1,2", "4,4"], r


def test_a_device_as_expr_is_read_bounded_not_no_such_file():
    r = invoke("grad", "/dev/zero")
    assert r.code == 2 and "no such file" not in r.stderr and "larger than" in r.stderr, r.stderr


def test_a_path_like_expr_does_not_echo_the_file(tmp_path):
    secret = tmp_path / "notes.txt"
    secret.write_text("password=hunter2 and more\n")
    r = invoke("grad", str(secret), "--at", "x=1")
    assert r.code == 2 and "hunter2" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert "with - on standard input" in r.stderr
    mine = tmp_path / "mine.dc"
    mine.write_text("x^2 +* 1")
    r = invoke("grad", str(mine), "--at", "x=1")
    assert r.code == 2 and "x^2 +* 1" in r.stderr  # a .dc file is shown with its caret


# ---------------------------------------------------------------- closed and failing standard streams


@installed
@pytest.mark.parametrize(
    "line, says",
    [
        (["eval", "-"], "error: EXPR -: standard input is closed"),
        (["grad", "x", "--points", "-"], "error: --points -: standard input is closed"),
        (["fit", "w*x", "--data", "-", "--params", "w=0"], "error: standard input is closed"),
    ],
)
def test_closed_standard_input_is_exit_2(line, says):
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", DIFFCLI, *line], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stderr.startswith(says) and done.stdout == "", done


@installed
def test_a_full_stderr_changes_neither_the_exit_code_nor_stdout():
    """A kink warning on a full disk's stderr: the result still on stdout, exit 0."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [DIFFCLI, "grad", "abs(x)", "--at", "x=0", "--format", "plain"],
            stderr=full,
            stdout=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0 and done.stdout.split() == ["0", "0"], done


@installed
def test_a_closed_stderr_never_sends_errors_to_stdout():
    for line, code in ((["grad", "x+"], 2), (["grad", "abs(x)", "--at", "x=0", "--format", "plain"], 0)):
        done = subprocess.run(
            ["sh", "-c", 'exec "$@" 2>&-', "sh", DIFFCLI, *line], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == code and "error" not in done.stdout and "warning" not in done.stdout, done

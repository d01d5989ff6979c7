"""Parquet for `--points` and `--out` on this machine: files and folders (data sets) in,
columns named as CSV names them out, bad cells named by file and row, folders written whole or
not at all. Needs pyarrow (the `dask` extra; CI installs it)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from numpy.lib.recfunctions import structured_to_unstructured

from conftest import invoke

if not os.environ.get("CI"):  # CI installs the extra: there a missing pyarrow fails the run
    pytest.importorskip("pyarrow")
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

F = "sin(x)*exp(-y^2) + log(1 + x^2*y^2) + sqrt(x^2 + y^2 + 1)"


def write_dataset(folder, sizes, seed=0):
    """Files part.0 .. part.N-1 of the given sizes (names that sort differently as text and as
    numbers once there are more than ten); returns the rows in natural order."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    parts = []
    for k, n in enumerate(sizes):
        x, y = rng.uniform(0.2, 2, n), rng.uniform(-1.5, 1.5, n)
        pq.write_table(pa.table({"x": x, "y": y}), folder / f"part.{k}.parquet")
        parts.append(np.column_stack([x, y]))
    return np.concatenate(parts)


def read(path) -> tuple[list, np.ndarray]:
    table = pq.read_table(path)
    return table.column_names, np.column_stack([c.to_numpy() for c in table.columns])


def test_a_folder_is_read_in_natural_order_and_matches_csv(tmp_path):
    rows = write_dataset(tmp_path / "data", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
    csv = tmp_path / "p.csv"
    csv.write_text("x,y\n" + "".join(f"{float(x)!r},{float(y)!r}\n" for x, y in rows))
    from_parquet = invoke("grad", F, "--points", str(tmp_path / "data"))
    from_csv = invoke("grad", F, "--points", str(csv))
    assert from_parquet.code == 0 and from_parquet.stdout == from_csv.stdout
    assert from_parquet.stdout.count("\n") == len(rows) + 1


@pytest.mark.parametrize(
    "command,extra,labels",
    [
        ("grad", [], ["value", "d_x", "d_y"]),
        ("jacobian", [], ["value[0]", "value[1]", "J[0;x]", "J[0;y]", "J[1;x]", "J[1;y]"]),
        ("hessian", [], ["value", "d_x", "d_y", "H[x;x]", "H[x;y]", "H[y;x]", "H[y;y]"]),
    ],
)
def test_out_parquet_has_csv_names_and_npy_numbers(tmp_path, command, extra, labels):
    write_dataset(tmp_path / "data", [40, 7])
    expr = "[x*y, sin(x) + y^3]" if command == "jacobian" else "x^3*y + cos(x*y)"
    base = [command, expr, "--points", str(tmp_path / "data"), *extra]
    assert invoke(*base, "--out", str(tmp_path / "o.parquet")).code == 0
    assert invoke(*base, "--out", str(tmp_path / "o.npy")).code == 0
    names, table = read(tmp_path / "o.parquet")
    assert names == labels
    assert np.array_equal(table, structured_to_unstructured(np.load(tmp_path / "o.npy")))


def test_out_folder_is_a_data_set_replaced_whole(tmp_path):
    write_dataset(tmp_path / "data", [10, 10])
    out = tmp_path / "out"
    assert invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", f"{out}/").code == 0
    assert sorted(os.listdir(out)) == ["part.00000.parquet"]
    assert read(out)[1].shape == (20, 3)
    # an earlier result is replaced; nothing is left beside it
    assert invoke("eval", "x*y", "--points", str(tmp_path / "data"), "--out", str(out)).code == 0
    assert read(out)[0] == ["value"]
    assert sorted(p for p in os.listdir(tmp_path)) == ["data", "out"]


def test_a_folder_of_other_files_or_the_input_is_never_written_over(tmp_path):
    write_dataset(tmp_path / "data", [5])
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    run = invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", f"{other}/")
    assert run.code == 4 and "keep.txt" in run.stderr and run.stderr.count("\n") == 1
    assert os.listdir(other) == ["keep.txt"]
    for target in (tmp_path / "data", tmp_path / "data" / "inner"):
        run = invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", f"{target}/")
        assert run.code == 2 and "refusing to write over or into the input" in run.stderr
    assert sorted(os.listdir(tmp_path)) == ["data", "notes"]
    run = invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", str(tmp_path / "no" / "such") + "/")
    assert run.code == 4 and "does not exist" in run.stderr


def test_bad_cells_are_named_by_file_and_row(tmp_path):
    folder = tmp_path / "data"
    write_dataset(folder, [3])
    pq.write_table(pa.table({"x": pa.array([1.0, None]), "y": [1.0, 2.0]}), folder / "part.1.parquet")
    run = invoke("grad", "x*y", "--points", str(folder), "--out", str(tmp_path / "o.parquet"))
    assert run.code == 2 and run.stderr.startswith(
        f"error: --points {folder} (part.1.parquet), row 2, column `x`: an empty (null) cell"
    )
    assert not (tmp_path / "o.parquet").exists()
    pq.write_table(pa.table({"x": [1.0, np.inf], "y": [1.0, 2.0]}), tmp_path / "inf.parquet")
    run = invoke("grad", "x*y", "--points", str(tmp_path / "inf.parquet"))
    assert run.code == 2 and "row 2, column `x`: `inf` is not a finite number" in run.stderr
    pq.write_table(pa.table({"x": ["a"], "y": [1.0]}), tmp_path / "text.parquet")
    run = invoke("grad", "x*y", "--points", str(tmp_path / "text.parquet"))
    assert run.code == 2 and "column `x` holds string, not numbers" in run.stderr
    (tmp_path / "empty").mkdir()
    run = invoke("grad", "x*y", "--points", str(tmp_path / "empty"))
    assert run.code == 2 and "has no .parquet files" in run.stderr
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    run = invoke("grad", "x*y", "--points", str(tmp_path / "junk.parquet"))
    assert run.code == 2 and "not a readable Parquet file" in run.stderr and run.stderr.count("error:") == 1


def test_integers_booleans_and_a_pandas_index(tmp_path):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"x": [1, 2, 3], "flag": [True, False, True]}, index=[10, 20, 30])
    frame.to_parquet(tmp_path / "p.parquet")  # the index is stored as a column beside the data
    run = invoke("eval", "x*flag", "--points", str(tmp_path / "p.parquet"))
    assert run.code == 0 and run.stdout == "value\n1\n0\n3\n"


def test_the_core_stays_numpy_only(tmp_path):
    """Neither pyarrow nor dask is imported unless asked for."""
    (tmp_path / "p.csv").write_text("x,y\n1,2\n")
    code = (
        "import sys; from diffcli.cli import main; main(['grad', 'x*y', '--points', sys.argv[1], '--out', "
        "sys.argv[2]]); print(sorted(m for m in ('pyarrow', 'dask', 'distributed', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "p.csv"), str(tmp_path / "o.npy")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout == "[]\n", out.stderr


def test_a_missing_pyarrow_names_the_extra(tmp_path, monkeypatch):
    (tmp_path / "p.parquet").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    run = invoke("grad", "x*y", "--points", str(tmp_path / "p.parquet"))
    assert (
        run.code == 2
        and run.stderr == "error: Parquet needs pyarrow, which is not installed: pip install 'diffcli[dask]'\n"
    )


def test_keep_carries_text_and_unused_columns_are_not_variables(tmp_path):
    """--keep reads a text column as text (a string column in Parquet output); a column the
    expression does not use (here one of lists, which no variable could be) is never bound."""
    pq.write_table(
        pa.table({"id": ["a", None], "x": [1.0, 2.0], "y": [3.0, 4.0], "tags": [[1], [2, 3]]}), tmp_path / "p.parquet"
    )
    base = ["grad", "x*y", "--points", str(tmp_path / "p.parquet"), "--keep", "id,x"]
    assert invoke(*base).stdout == "id,x,value,d_x,d_y\na,1,3,3,1\n,2,8,4,2\n"
    assert (
        invoke(*base, "--out", "-", "--format", "json").stdout.splitlines()[0]
        == '{"row": 0, "id": "a", "x": 1.0, "value": 3.0, "grad": {"x": 3.0, "y": 1.0}}'
    )
    assert invoke(*base, "--only", "grad", "--out", str(tmp_path / "o.parquet")).code == 0
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.column_names == ["id", "x", "d_x", "d_y"] and table.schema.field("id").type == pa.string()
    assert table.column("id").to_pylist() == ["a", ""] and table.column("d_x").to_pylist() == [3.0, 4.0]
    run = invoke(*base, "--out", str(tmp_path / "o.npy"))
    assert run.code == 2 and "--keep id: the column holds text" in run.stderr


def test_a_failed_write_is_exit_4_and_leaves_the_earlier_result(tmp_path, monkeypatch):
    import errno

    from diffcli.data import parquet

    write_dataset(tmp_path / "data", [30, 30])
    base = ["grad", "x*y", "--points", str(tmp_path / "data"), "--out", f"{tmp_path}/out/"]
    assert invoke(*base).code == 0
    before = read(tmp_path / "out")[1]
    calls = []
    original = parquet.ParquetSink.write

    def full(self, *args):  # pyarrow's writes fail as OSErrors
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, *args)

    monkeypatch.setattr(parquet.ParquetSink, "write", full)
    monkeypatch.setattr("diffcli.data.datafile.BLOCK", 10)  # several blocks: the second one fails
    run = invoke(*base)
    assert run.code == 4 and run.stderr == f"error: cannot write `{tmp_path}/out/`: no space left on the device\n"
    assert sorted(os.listdir(tmp_path)) == ["data", "out"]  # no temporary folder
    assert np.array_equal(read(tmp_path / "out")[1], before)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_parquet_file_on_a_full_device_is_exit_4(tmp_path):
    write_dataset(tmp_path / "data", [30])
    (tmp_path / "full.parquet").symlink_to("/dev/full")
    run = invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", str(tmp_path / "full.parquet"))
    assert (
        run.code == 4 and run.stderr == f"error: cannot write `{tmp_path}/full.parquet`: no space left on the device\n"
    )


@pytest.mark.parametrize("signum", [2, 15], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_folder_write_leaves_no_temporary(tmp_path, monkeypatch, signum):
    from diffcli.data import parquet

    write_dataset(tmp_path / "data", [50, 50])
    (tmp_path / "out").mkdir()
    pq.write_table(pa.table({"value": [1.0]}), tmp_path / "out" / "part.00000.parquet")  # an earlier result
    calls = []
    original = parquet.ParquetSink.write

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signum)
        return original(self, *args)

    monkeypatch.setattr(parquet.ParquetSink, "write", interrupted)
    monkeypatch.setattr("diffcli.data.datafile.BLOCK", 10)
    run = invoke("grad", "x*y", "--points", str(tmp_path / "data"), "--out", f"{tmp_path}/out/")
    assert run.code == 128 + signum and run.stderr == "error: interrupted\n"
    assert sorted(os.listdir(tmp_path)) == ["data", "out"] and read(tmp_path / "out")[0] == ["value"]


def test_a_link_to_a_folder_stays_a_link_and_dash_prints(tmp_path):
    write_dataset(tmp_path / "data", [4])
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert invoke("eval", "x+y", "--points", str(tmp_path / "data"), "--out", f"{tmp_path}/link/").code == 0
    assert (tmp_path / "link").is_symlink() and os.listdir(tmp_path / "real") == ["part.00000.parquet"]
    run = invoke("eval", "x+y", "--points", str(tmp_path / "data"), "--out", "-")
    assert run.code == 0 and run.stdout.startswith("value\n") and run.stdout.count("\n") == 5

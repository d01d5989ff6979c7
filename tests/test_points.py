"""`--points FILE` and the batch evaluator, checked against the one-point evaluator row by row."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import numpy.lib.recfunctions  # noqa: F401  (np.lib.recfunctions)
import pytest

from conftest import invoke
from diffcli.data import datafile


def _write_csv(path, points: dict):
    names = list(points)
    with open(path, "w") as fh:
        fh.write(",".join(names) + "\n")
        for row in zip(*points.values()):
            fh.write(",".join(repr(float(v)) for v in row) + "\n")


@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "jacobian"])
def test_points_csv_matches_single_point_commands(tmp_path, command):
    text = "[x*y + sin(z), x^2*z]" if command == "jacobian" else "x*x*y + sin(z)*y"
    pts = {"x": [2.0, 1.0, -0.5], "y": [3.0, 1.5, 0.25]}
    path = tmp_path / "p.csv"
    _write_csv(path, pts)
    run = invoke(command, text, "--points", str(path), "--at", "z=0.7", "--format", "csv")
    assert run.code == 0, run.stderr
    lines = run.stdout.strip().split("\n")
    for r in range(3):
        single = invoke(command, text, "--at", f"x={pts['x'][r]},y={pts['y'][r]},z=0.7", "--format", "csv")
        header, values = single.stdout.strip().split("\n")
        assert lines[0] == header
        np.testing.assert_allclose(
            [float(v) for v in lines[r + 1].split(",")], [float(v) for v in values.split(",")], rtol=1e-15
        )


def test_points_json_lines_and_vector_npz(tmp_path):
    rng = np.random.default_rng(3)
    v, x = rng.normal(size=(5, 3)), rng.normal(size=5)
    path = tmp_path / "p.npz"
    np.savez(path, v=v, x=x)
    run = invoke("grad", "sum(v^2)*x", "--points", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.strip().split("\n")]
    assert len(records) == 5
    for r, rec in enumerate(records):  # the object one point prints, plus its row
        assert list(rec) == ["row", "value", "grad"] and rec["row"] == r and list(rec["grad"]) == ["v", "x"]
        assert rec["value"] == pytest.approx(np.sum(v[r] ** 2) * x[r])
        assert rec["grad"]["v"] == pytest.approx(2 * v[r] * x[r])
        assert rec["grad"]["x"] == pytest.approx(np.sum(v[r] ** 2))
        one = invoke("grad", "sum(v^2)*x", "--at", f"v={v[r].tolist()},x={float(x[r])!r}", "--format", "json").json()
        assert {k: rec[k] for k in one} == one


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_npz_members_stored_or_compressed_read_alike(tmp_path, save):
    # a stored member is memory-mapped (stream.stored_member), a compressed one read whole
    from diffcli.batch.stream import stored_member

    rng = np.random.default_rng(5)
    v, x, n = rng.normal(size=(7, 2)).astype(np.float32), rng.normal(size=7), np.arange(7)
    path = tmp_path / "p.npz"
    save(path, v=v, x=x, n=n)
    with np.load(path) as archive:
        for name, want in {"v": v, "x": x, "n": n}.items():
            got = stored_member(str(path), archive, name)
            assert isinstance(got, np.memmap) == (save is np.savez) and got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
    run = invoke("grad", "sum(v^2)*x + n", "--points", str(path), "--const", "n", "--format", "csv")
    assert run.code == 0, run.stderr
    rows = np.loadtxt(run.stdout.splitlines()[1:], delimiter=",")
    np.testing.assert_allclose(rows[:, 0], np.sum(v.astype(float) ** 2, axis=1) * x + n, rtol=1e-15)


def test_points_structured_npy_to_npy_and_csv(tmp_path):
    data = np.zeros(4, dtype=[("x", "f8"), ("y", "f8")])
    data["x"], data["y"] = [1, 2, 3, 4], [0.5, 0.25, 2, -1]
    source = tmp_path / "p.npy"
    np.save(source, data)
    out = tmp_path / "out.npy"
    run = invoke("grad", "x/y", "--points", str(source), "--out", str(out))
    assert run.code == 0 and run.stdout == "", run.stderr
    table = np.load(out)  # a structured array: one named float64 field per column
    assert table.dtype.names == ("value", "d_x", "d_y")
    table = np.lib.recfunctions.structured_to_unstructured(table)
    np.testing.assert_allclose(
        table, np.column_stack([data["x"] / data["y"], 1 / data["y"], -data["x"] / data["y"] ** 2])
    )
    out_csv = tmp_path / "out.csv"
    assert invoke("grad", "x/y", "--points", str(source), "--out", str(out_csv)).code == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_text())))
    assert rows[0] == ["value", "d_x", "d_y"]
    np.testing.assert_allclose(np.array(rows[1:], dtype=float), table)


def test_points_stream_in_blocks(tmp_path, monkeypatch):
    """Many blocks (and chunks) give the same rows, in order, as one block would."""
    monkeypatch.setattr(datafile, "BLOCK", 7)
    pts = {"x": list(np.linspace(-3, 3, 101)), "y": list(np.linspace(1, 2, 101))}
    path = tmp_path / "p.csv"
    _write_csv(path, pts)
    out = tmp_path / "o.npy"
    assert invoke("grad", "x*exp(y)", "--points", str(path), "--out", str(out)).code == 0
    x, y = np.array(pts["x"]), np.array(pts["y"])
    got = np.lib.recfunctions.structured_to_unstructured(np.load(out))
    np.testing.assert_allclose(got, np.column_stack([x * np.exp(y), np.exp(y), x * np.exp(y)]))


@pytest.mark.parametrize(
    "body, line, what",
    [
        ("1,2\n3,oops\n", 3, "column 2 (`y`): `oops` is not a number"),
        ("1,2\n\n3,4,5\n", 4, "3 cells, but the header has 2 columns"),
        ("1\n", 2, "1 cell, but the header has 2 columns"),
    ],
)
def test_bad_row_names_file_and_line(tmp_path, body, line, what):
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n" + body)
    run = invoke("grad", "x*y", "--points", str(path))
    assert run.code == 2 and run.stdout == ""
    assert f"{path}, line {line}" in run.stderr and what in run.stderr


def test_points_errors(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n")
    assert "both --points and --at" in invoke("eval", "x*y", "--points", str(path), "--at", "x=1").stderr
    run = invoke("eval", "x*y", "--points", str(path), "--out", str(tmp_path / "o.txt"))
    assert run.code == 2 and ".csv, .npy, .npz or .parquet file, or a folder" in run.stderr
    run = invoke("eval", "x*y", "--points", str(path), "--out", str(path))
    assert run.code == 2 and "refusing to write over the input" in run.stderr
    assert invoke("eval", "x*y", "--at", "x=1,y=2", "--out", "o.npy").code == 2
    assert invoke("eval", "x", "--points", str(tmp_path / "missing.csv")).code == 2
    assert invoke("eval", "log(x-y)", "--points", str(path), "--strict").code == 3
    run = invoke("eval", "log(x-y)", "--points", str(path))
    assert run.code == 0 and "not finite in 1 of 1 rows" in run.stderr


def test_device_gpu_without_gpu_is_a_clear_error():
    try:
        import cupy  # noqa: F401

        pytest.skip("CuPy is installed here")  # pragma: no cover
    except ImportError:
        pass
    run = invoke("grad", "x*y", "--at", "x=1,y=2", "--device", "gpu")
    assert run.code == 2 and "--device gpu needs CuPy" in run.stderr and "Traceback" not in run.stderr


def test_json_lines_write_null_for_non_finite(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n-1\n")
    run = invoke("eval", "sqrt(x)", "--points", str(path), "--format", "json")
    assert run.stdout.split("\n")[:2] == [
        '{"row": 0, "value": 1.0}',
        '{"row": 1, "value": null, "warnings": ["a result is not finite in this row"]}',
    ]
    assert "not finite in 1 of 2 rows" in run.stderr

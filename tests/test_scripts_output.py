"""Output that scripts trust (issue 15): real CSV everywhere, --points lines shaped like one
point, one reader, --keep, .npy/.npz columns, --only, pictures by extension, plain booleans."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from conftest import invoke


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------- CSV for every command


@pytest.mark.parametrize(
    "args",
    [
        ("eval", "x*y", "--at", "x=2,y=3"),
        ("grad", "x*x*y", "--at", "x=2,y=3"),
        ("grad", "sum(W)", "--at", "W=[[1,2],[3,4]]"),
        ("jacobian", "[x*y, x + y]", "--at", "x=2,y=3"),
        ("hessian", "x*x*y", "--at", "x=2,y=3"),
        ("diff", "max(x, y)*x", "--wrt", "x"),
        ("diff", "max(x, y)*x", "--wrt", "x", "--at", "x=1,y=2"),
        ("diff", "sin(x)^2/x", "--wrt", "x", "--latex"),
        ("minimize", "x^2 + y^2", "--at", "x=1,y=2", "--lr", "0.5"),
    ],
)
def test_csv_is_one_header_row_and_one_data_row(args):
    r = invoke(*args, "--format", "csv")
    assert r.code == 0, r.stderr
    rows = csv_rows(r.stdout)
    assert len(rows) == 2 and len(rows[0]) == len(rows[1]) and len(set(rows[0])) == len(rows[0])
    if args[0] == "diff":
        assert rows[0][0] in ("derivative", "latex") and ("," in rows[1][0] or "\\" in rows[1][0])
        if "--at" in args:
            assert rows[0][1:] == ["value"] and float(rows[1][1]) == 2.0
    if args[0] == "grad" and "W" in args[1]:
        assert rows[0] == ["value", "d_W[0,0]", "d_W[0,1]", "d_W[1,0]", "d_W[1,1]"]


def test_fit_and_tables_are_csv_too():
    r = invoke("fit", "w*x", "--data", "-", "--params", "w=0", "--format", "csv", input="x,y\n1,2\n2,4\n")
    assert csv_rows(r.stdout)[0] == ["w", "loss"] and len(csv_rows(r.stdout)) == 2
    for args in (("check", "x*y", "--at", "x=1,y=2"), ("graph", "max(x, y)", "--at", "x=1,y=2")):
        rows = csv_rows(invoke(*args, "--format", "csv").stdout)
        assert len({len(row) for row in rows}) == 1  # every row as wide as the header


def test_a_multiline_formula_is_one_quoted_cell(tmp_path):
    r = invoke("diff", "samples/composition.dc", "--wrt", "x", "--format", "csv")
    rows = csv_rows(r.stdout)
    assert (
        len(rows) == 2
        and rows[1][0].count("\n") > 5
        and rows[1][0]
        == invoke("diff", "samples/composition.dc", "--wrt", "x", "--format", "plain").stdout.rstrip("\n")
    )


def test_points_csv_header_is_quoted_where_labels_hold_commas(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(path, W=np.arange(8.0).reshape(2, 2, 2))
    rows = csv_rows(invoke("grad", "sum(W*W)", "--points", str(path)).stdout)
    assert rows[0] == ["value", "d_W[0,0]", "d_W[0,1]", "d_W[1,0]", "d_W[1,1]"] and len(rows[1]) == 5


# ---------------------------------------------------------------- --points: one reader, one shape


@pytest.mark.parametrize(
    "command, text, extra",
    [
        ("eval", "x*x*y + sin(z)", ()),
        ("grad", "x*x*y + sin(z)", ()),
        ("grad", "[x*y, y]", ("--v", "1,2")),
        ("jacobian", "[x*y + z, x^2]", ()),
        ("hessian", "x*x*y + z*x", ()),
    ],
)
def test_each_json_line_is_the_one_point_object_plus_row(tmp_path, command, text, extra):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n2,3\n1,-1.5\n0.5,4\n")
    r = invoke(command, text, "--points", str(path), "--at", "z=0.7", *extra, "--format", "json")
    assert r.code == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    for k, (x, y) in enumerate([(2, 3), (1, -1.5), (0.5, 4)]):
        one = invoke(command, text, "--at", f"x={x},y={y},z=0.7", *extra, "--format", "json").json()
        assert lines[k] == {"row": k, **one}
        assert list(lines[k]) == ["row", *one]


def test_one_reader_quoted_header_unused_text_column_and_stdin(tmp_path):
    body = '"id","x","y","note"\n"a",2,3,"first, with a comma"\n"b",1,1,plain\n'
    path = tmp_path / "r.csv"
    path.write_text(body)
    for source, given in ((str(path), None), ("-", body)):
        r = invoke("grad", "x*x*y", "--points", source, "--format", "json", input=given)
        assert r.code == 0, r.stderr
        assert [json.loads(line)["grad"] for line in r.stdout.splitlines()] == [
            {"x": 12.0, "y": 4.0},
            {"x": 2.0, "y": 1.0},
        ]
    # the same file feeds fit --data
    assert invoke("fit", "w*x", "--data", str(path), "--params", "w=0", "--epochs", "2").code == 0
    # a column the expression uses must hold numbers
    r = invoke("grad", "x*note", "--points", str(path))
    assert r.code == 2 and "line 2, column 4 (`note`)" in r.stderr


def test_keep_carries_input_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('id,x,y\n"a, 1",2,3\nb,1,1\n')
    rows = csv_rows(invoke("grad", "x*x*y", "--points", str(path), "--keep", "id,x").stdout)
    assert rows == [["id", "x", "value", "d_x", "d_y"], ["a, 1", "2", "12", "12", "4"], ["b", "1", "1", "2", "1"]]
    lines = invoke("grad", "x*x*y", "--points", str(path), "--keep", "id", "--format", "json").stdout.splitlines()
    assert json.loads(lines[0]) == {"row": 0, "id": "a, 1", "value": 12.0, "grad": {"x": 12.0, "y": 4.0}}
    npz = tmp_path / "o.npz"
    assert invoke("eval", "x*y", "--points", str(path), "--keep", "y", "--out", str(npz)).code == 0
    with np.load(npz) as archive:
        assert archive.files == ["y", "value"] and archive["value"].tolist() == [6.0, 1.0]
    r = invoke("eval", "x*y", "--points", str(path), "--keep", "id", "--out", str(tmp_path / "o.npy"))
    assert r.code == 2 and "--keep id" in r.stderr and not (tmp_path / "o.npy").exists()
    for bad, needle in (("zz", "no column `zz`"), ("value", "already has a column `value`")):
        path2 = tmp_path / "v.csv"
        path2.write_text("x,value\n1,2\n")
        r = invoke("eval", "x", "--points", str(path2), "--keep", bad)
        assert r.code == 2 and needle in r.stderr
    assert invoke("eval", "x", "--at", "x=1", "--keep", "x").code == 2  # --keep goes with --points


def test_npy_is_structured_and_npz_one_array_per_column_and_both_read_back(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n2,3\n1,1\n")
    npy, npz = tmp_path / "o.npy", tmp_path / "o.npz"
    assert invoke("hessian", "x*x*y", "--points", str(path), "--keep", "x,y", "--out", str(npy)).code == 0
    table = np.load(npy)
    assert table.dtype.names == ("x", "y", "value", "d_x", "d_y", "H[x;x]", "H[x;y]", "H[y;x]", "H[y;y]")
    assert table["H[x;y]"].tolist() == [4.0, 2.0] and table["x"].tolist() == [2.0, 1.0]
    assert invoke("hessian", "x*x*y", "--points", str(path), "--out", str(npz)).code == 0
    with np.load(npz) as archive:
        assert archive.files[:3] == ["value", "d_x", "d_y"] and archive["H[x;x]"].tolist() == [6.0, 2.0]
    # a structured .npy written by --out is a --points input (its x, y fields are variables)
    again = invoke("eval", "x + y", "--points", str(npy), "--format", "json").stdout.splitlines()
    assert [json.loads(line)["value"] for line in again] == [5.0, 2.0]


def test_points_rows_and_binding_only_what_is_used(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y,unused\n1,2,3\n")
    r = invoke("grad", "x*y", "--points", str(path), "--format", "json")
    assert json.loads(r.stdout)["grad"] == {"x": 2.0, "y": 1.0}  # no d_unused: it is no variable
    r = invoke("grad", "x*y", "--points", str(path), "--wrt", "x,unused", "--at", "y=5", "--format", "csv")
    assert r.code == 2  # y given twice (file and --at)
    r = invoke("eval", "z^2", "--points", str(path), "--at", "z=1")
    assert r.code == 2 and "none of its columns" in r.stderr


# ---------------------------------------------------------------- --only


def test_only_hessian_plain_loads_with_numpy(tmp_path):
    r = invoke(
        "hessian",
        "samples/rosenbrock10.dc",
        "--at",
        "x=[1,1,1,1,1,1,1,1,1,1]",
        "--only",
        "hessian",
        "--format",
        "plain",
    )
    assert r.code == 0, r.stderr
    matrix = np.loadtxt(io.StringIO(r.stdout))
    assert matrix.shape == (10, 10) and matrix[0, 0] == 802 and matrix[0, 1] == -400
    assert invoke("grad", "x*x*y", "--at", "x=2,y=3", "--only", "grad").stdout == "12 4\n"
    assert invoke("hessian", "x*x*y", "--at", "x=2,y=3", "--only", "hessian", "--format", "json").json() == {
        "wrt": ["x", "y"],
        "hessian": [[6.0, 4.0], [4.0, 0.0]],
    }
    assert invoke("minimize", "x^2", "--at", "x=1", "--lr", "0.5", "--only", "at").stdout == "0\n"
    r = invoke("grad", "x*y", "--at", "x=1,y=2", "--only", "hessian")
    assert r.code == 2 and "grad gives value, grad" in r.stderr
    path = tmp_path / "p.csv"
    path.write_text("x,y\n2,3\n1,1\n")
    r = invoke("hessian", "x*x*y", "--points", str(path), "--only", "hessian")
    assert csv_rows(r.stdout) == [["H[x;x]", "H[x;y]", "H[y;x]", "H[y;y]"], ["6", "4", "4", "0"], ["2", "2", "2", "0"]]


# ---------------------------------------------------------------- plain booleans, graph header


def test_booleans_are_1_or_0_in_every_plain_output():
    graph = invoke("graph", "x*y", "--at", "x=1,y=2", "--const", "y", "--format", "plain").stdout.splitlines()
    assert graph[0] == "id name op value grad grad_fn is_leaf requires_grad"
    assert graph[1].split()[-2:] == ["1", "1"] and graph[2].split()[-2:] == ["1", "0"]
    assert graph[3].split()[-2:] == ["0", "1"]
    assert invoke("check", "x*y", "--at", "x=1,y=2", "--format", "plain").stdout.splitlines()[0] == "1"
    assert invoke("minimize", "x^2", "--at", "x=1", "--lr", "0.5").stdout.splitlines()[-1] == "1"
    assert all(
        row[-1] in ("0", "1")
        for row in csv_rows(invoke("check", "x*y", "--at", "x=1,y=2", "--format", "csv").stdout)[1:]
    )


# ---------------------------------------------------------------- pictures by extension


SIGNATURES = {"png": b"\x89PNG", "svg": b"<", "pdf": b"%PDF"}


def kind(path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"%PDF"):
        return "pdf"
    return "svg" if b"<svg" in data[:4000] else "?"


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_plot_and_fit_pictures_follow_the_extension(tmp_path, ext):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"p.{ext}"
    assert invoke("plot", "sin(x)", "--range", "x=0:1", "--png", str(out)).code == 0
    assert kind(out) == ext
    out2 = tmp_path / f"m.{ext}"
    assert invoke("minimize", "x^2", "--at", "x=1", "--steps", "3", "--plot", str(out2)).code == 0
    assert kind(out2) == ext


@pytest.mark.parametrize("option, ext", [("--png", "svg"), ("--svg", "png"), ("--png", "pdf")])
def test_graph_pictures_follow_the_extension(tmp_path, option, ext):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    out = tmp_path / f"g.{ext}"
    assert invoke("graph", "x*y", "--at", "x=1,y=2", option, str(out)).code == 0
    assert kind(out) == ext


def test_a_picture_with_another_extension_is_refused_before_work(tmp_path):
    for args in (
        ("plot", "x", "--range", "x=0:1", "--png", str(tmp_path / "a.jpg")),
        ("graph", "x", "--at", "x=1", "--svg", str(tmp_path / "a.txt")),
        ("minimize", "x^2", "--at", "x=1", "--plot", str(tmp_path / "a.gif")),
    ):
        r = invoke(*args)
        assert r.code == 2 and "name it .png, .svg or .pdf" in r.stderr and not list(tmp_path.iterdir())

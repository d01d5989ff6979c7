"""graph (view, JSON, DOT/SVG/PNG), check (against central differences) and anomaly reports."""

from __future__ import annotations

import shutil
import struct

import pytest

from conftest import invoke
from diffcli.core import ops
from diffcli.core.ops.rules import call

EXAMPLE_1 = "a = x+1\nb = x+2\ny = a*b\n"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (.ci/run installs it)"
)


def graph_json(*args):
    r = invoke("graph", *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


def by_name(d):
    return {n["name"]: n for n in d["nodes"] if n["name"]}


@pytest.fixture
def example_1(tmp_path):
    path = tmp_path / "example1.dc"
    path.write_text(EXAMPLE_1)
    return str(path)


def test_seed_example_1_graph(example_1):
    d = graph_json(example_1, "--at", "x=2")
    named = by_name(d)
    assert {k: named[k]["grad"] for k in "xaby"} == {"x": 7.0, "a": 4.0, "b": 3.0, "y": 1.0}
    assert {k: named[k]["value"] for k in "xaby"} == {"x": 2.0, "a": 3.0, "b": 4.0, "y": 12.0}
    assert named["y"]["grad_fn"] == "MulBackward0" and named["a"]["grad_fn"] == "AddBackward0"
    assert named["x"]["is_leaf"] and named["x"]["requires_grad"] and named["x"]["grad_fn"] is None
    assert not any(named[k]["is_leaf"] for k in "aby")
    assert d["output"] == named["y"]["id"]
    ids = {n["id"]: n for n in d["nodes"]}
    assert [ids[i]["name"] for i in named["y"]["inputs"]] == ["a", "b"]


def test_inline_graph_lists_each_node_once():
    d = graph_json("(x+1)*(x+1)", "--at", "x=2")
    ops_seen = [n["op"] for n in d["nodes"]]
    assert ops_seen.count("add") == 1 and ops_seen.count("var") == 1  # one shared x+1
    out = d["nodes"][d["output"]]
    assert out["inputs"][0] == out["inputs"][1] and out["grad"] == 1.0
    assert all(n["id"] == i for i, n in enumerate(d["nodes"]))
    assert all(max(n["inputs"], default=-1) < n["id"] for n in d["nodes"])  # inputs first


def test_seed_example_12_const_leaf_has_no_grad():
    d = graph_json("w*x + b", "--at", "w=1.5,x=3,b=2", "--const", "x")
    named = by_name(d)
    assert named["x"]["requires_grad"] is False and named["x"]["grad"] is None and named["x"]["is_leaf"]
    assert named["w"]["requires_grad"] and named["b"]["requires_grad"]
    assert named["w"]["grad"] == 3.0 and named["b"]["grad"] == 1.0
    fns = {n["op"]: n["grad_fn"] for n in d["nodes"]}
    assert fns["add"] == "AddBackward0" and fns["mul"] == "MulBackward0"
    numbers = [n for n in d["nodes"] if n["op"] == "const"]
    assert all(not n["requires_grad"] and n["grad"] is None for n in numbers)


def test_detached_node_does_not_require_grad():
    d = graph_json("y = x^2 + 3; detach(y)*x", "--at", "x=2")
    det = next(n for n in d["nodes"] if n["op"] == "detach")
    assert det["requires_grad"] is False and det["grad_fn"] is None and det["is_leaf"]
    assert by_name(d)["x"]["grad"] == 7.0


def test_rich_view_reads_at_80_columns(example_1):
    r = invoke("graph", example_1, "--at", "x=2", "--format", "rich")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "y = a*b" in r.stdout and "MulBackward0" in r.stdout and "grad 7" in r.stdout
    assert "(shown above)" in r.stdout  # x is shared: named once, then referred to


def test_rich_view_is_compact_at_500_nodes(tmp_path):
    terms = " + ".join(f"sin({k}*x + y)*exp(-x/{k})" for k in range(1, 90))
    r = invoke("graph", terms, "--at", "x=0.5,y=1", "--format", "rich", "--dot", str(tmp_path / "big.dot"))
    assert "nslimit=2; mclimit=0.5;" in (tmp_path / "big.dot").read_text()  # layout stays fast
    assert r.code == 0, r.stderr
    assert "compact view" in r.stdout
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    d = graph_json(terms, "--at", "x=0.5,y=1")
    assert len([n for n in d["nodes"] if n["op"] != "const"]) > 500
    assert len(lines) < len(d["nodes"]) + 20  # one line a node, no tree


def test_dot_text(tmp_path, example_1):
    path = tmp_path / "g.dot"
    r = invoke("graph", example_1, "--at", "x=2", "--dot", str(path), "--format", "json")
    assert r.code == 0, r.stderr
    text = path.read_text()
    assert text.startswith("digraph") and "shape=ellipse" in text and "shape=box" in text
    assert "value 2 | grad 7" in text and "MulBackward0" in text
    ids = {n["name"]: n["id"] for n in r.json()["nodes"] if n["name"]}
    assert f"n{ids['a']} -> n{ids['y']};" in text  # data-flow direction


@needs_dot
def test_svg_and_png_through_graphviz(tmp_path_factory, example_1):
    # A sample kept at a stable path beside pytest's numbered folders, which later runs prune:
    # /tmp/pytest-of-$USER/diffcli-samples/example1.svg (and .png).
    folder = tmp_path_factory.getbasetemp().parent / "diffcli-samples"
    folder.mkdir(exist_ok=True)
    svg, png = folder / "example1.svg", folder / "example1.png"
    r = invoke("graph", example_1, "--at", "x=2", "--svg", str(svg), "--png", str(png), "--format", "json")
    assert r.code == 0, r.stderr
    text = svg.read_text()
    assert "<svg" in text
    for name in ("x", "a = x + 1", "b = x + 2", "y = a*b"):
        assert name in text
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 50 < width < 5000 and 50 < height < 5000


def test_picture_without_graphviz_fails_clearly(tmp_path, monkeypatch, example_1):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = invoke("graph", example_1, "--at", "x=2", "--svg", str(tmp_path / "g.svg"))
    assert r.code == 2 and "install graphviz" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "g.svg").exists()
    r = invoke("graph", example_1, "--at", "x=2", "--dot", str(tmp_path / "g.dot"))
    assert r.code == 0 and (tmp_path / "g.dot").read_text().startswith("digraph")


# ---------------------------------------------------------------- check


def test_check_passes_on_the_real_rules():
    r = invoke("check", "x*x*y + sin(x)*exp(y) + log(x)/y", "--at", "x=1.3,y=0.7", "--format", "json")
    assert r.code == 0, r.stderr
    d = r.json()
    assert d["ok"] is True and d["max_abs_error"] < 1e-6
    assert set(d) >= {"ok", "max_abs_error", "grad", "numeric", "hessian", "numeric_hessian"}
    assert list(d["grad"]) == ["x", "y"] and list(d["numeric"]) == ["x", "y"]


def test_check_vectors_and_plain():
    r = invoke("check", "sum(softmax(x) * log1p(x^2))", "--at", "x=[0.5,-1,2]")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "1" and len(lines[2].split()) == 3  # ok as 1, as booleans print in plain output


def test_check_fails_when_a_rule_is_wrong(monkeypatch):
    wrong = lambda n, g, _: (g * call("sin", n.args[0]),)  # noqa: E731  (should be cos)
    monkeypatch.setattr(ops.OPS["sin"], "vjp", wrong)
    r = invoke("check", "sin(x)*y", "--at", "x=0.4,y=2", "--format", "json")
    assert r.code == 1
    assert r.json()["ok"] is False and r.json()["max_abs_error"] > 0.1
    assert "check failed" in r.stderr


def test_check_csv_lists_gradient_and_hessian_entries():
    rows = invoke("check", "tanh(x)*y", "--at", "x=0.5,y=2", "--format", "csv").stdout.splitlines()
    assert rows[0] == "entry,reverse,symbolic,numeric,abs_error,rel_error,ok"
    assert [row.split(",")[0] for row in rows[1:]] == ["x", "y", "H[x;x]", "H[x;y]", "H[y;x]", "H[y;y]"]
    assert all(row.endswith(",1") for row in rows[1:])


# ---------------------------------------------------------------- anomaly reports


def test_forward_anomaly_log_points_at_fragment():
    r = invoke("eval", "3 + log(x - 2)", "--at", "x=2", "--format", "json")
    assert r.code == 0
    assert r.json()["value"] is None and r.json()["warnings"]
    assert "`log(x - 2)` (column 5)" in r.stderr
    assert "  3 + log(x - 2)\n      ^^^^^^^^^^" in r.stderr
    r = invoke("eval", "3 + log(x - 2)", "--at", "x=2", "--strict")
    assert r.code == 3 and r.stdout == "" and r.stderr.startswith("error:") and "^^^" in r.stderr


def test_adjoint_anomaly_names_the_rule_of_sqrt():
    r = invoke("grad", "x + sqrt(x)", "--at", "x=0", "--format", "json")
    assert r.code == 0
    d = r.json()
    assert d["value"] == 0.0 and d["grad"] == {"x": None}
    assert "derivative rule of `sqrt(x)` (column 5)" in d["warnings"][0]
    assert "non-finite adjoint (inf)" in r.stderr
    assert invoke("grad", "x + sqrt(x)", "--at", "x=0", "--strict").code == 3


def test_division_by_zero_anomaly():
    r = invoke("grad", "1/(x-x)", "--at", "x=3", "--format", "json")
    assert r.json()["value"] is None
    assert "`1/(x-x)` (column 1) first gives a non-finite value (inf)" in r.stderr


def test_anomaly_in_a_file_gives_line_and_column(tmp_path):
    path = tmp_path / "f.dc"
    path.write_text("a = x + 1\nb = sqrt(a - 3) * 2\nb * x\n")
    r = invoke("grad", str(path), "--at", "x=2", "--format", "json")
    assert "derivative rule of `sqrt(a - 3)` (line 2, column 5)" in r.stderr
    assert "line 2: b = sqrt(a - 3) * 2\n" in r.stderr and "^^^^^^^^^^^\n" in r.stderr


def test_anomaly_in_the_hessian_traces_back_to_the_text():
    r = invoke("hessian", "x*sqrt(x)", "--at", "x=0", "--format", "json")
    assert r.code == 0 and "derivative rule of `sqrt(x)` (column 3)" in r.stderr


def test_graph_with_non_finite_nodes_is_null_with_warnings():
    d = graph_json("log(x - 2)", "--at", "x=2")
    assert d["warnings"] and d["nodes"][d["output"]]["value"] is None

"""`fit`: seed example 15, mini-batches, the loss gradient, and CSV errors naming file, line, column."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import invoke
from diffcli.core.numcheck import central_gradient
from diffcli.learn import fitting, optimize


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return str(path)


@pytest.fixture(scope="module")
def seed15(tmp_path_factory):
    """Data from y = 3x^2 + 2 plus small noise, generated with a fixed seed."""
    rng = np.random.default_rng(15)
    x = rng.uniform(-2, 2, 200)
    y = 3 * x**2 + 2 + rng.normal(0, 0.1, x.size)
    path = tmp_path_factory.mktemp("seed15") / "data.csv"
    np.savetxt(path, np.c_[x, y], delimiter=",", header="x,y", comments="")
    return str(path), x, y


def fit_json(*args):
    r = invoke("fit", *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


@pytest.mark.parametrize(
    "kind,lr,epochs,batch",
    [
        ("gd", "0.02", "300", None),
        ("momentum", "0.01", "200", None),
        ("adam", "0.1", "300", None),
        ("gd", "0.01", "50", "32"),
        ("momentum", "0.002", "50", "32"),
        ("adam", "0.05", "100", "32"),
    ],
)
def test_seed_15_recovers_w_3_b_2(seed15, kind, lr, epochs, batch):
    path, x, y = seed15
    extra = ["--batch-size", batch] if batch else []
    d = fit_json(
        "w*x^2 + b", "--data", path, "--params", "w=0,b=0", "--optimizer", kind, "--lr", lr, "--epochs", epochs, *extra
    )
    assert abs(d["params"]["w"] - 3) < 0.1 and abs(d["params"]["b"] - 2) < 0.1
    # ... and close to the least-squares optimum, whose loss is the floor.
    (w, b), *_ = np.linalg.lstsq(np.c_[x**2, np.ones_like(x)], y, rcond=None)
    best = np.mean((w * x**2 + b - y) ** 2)
    assert best <= d["loss"] < best * 1.05
    assert d["loss"] == pytest.approx(np.mean((d["params"]["w"] * x**2 + d["params"]["b"] - y) ** 2), rel=1e-12)


def test_loss_gradient_matches_central_differences(seed15):
    path, x, y = seed15
    problem = fitting.load_fit("w*exp(-a*x^2) + b*x", path, ["w=1.5,a=0.3,b=-0.2"])
    objective = problem.objective(problem.rows)
    theta = np.array([1.5, 0.3, -0.2])
    _, g = objective(theta, problem.bindings(slice(None)))

    def loss(p):
        return np.mean((p["w"] * np.exp(-p["a"] * x**2) + p["b"] * x - y) ** 2)

    numeric = central_gradient(loss, {"w": 1.5, "a": 0.3, "b": -0.2}, ["w", "a", "b"])
    assert g == pytest.approx([float(numeric[k]) for k in "wab"], rel=1e-6)


def test_one_epoch_of_mini_batches_uses_every_row_once(seed15):
    """gd with batch 32 on 200 rows: batches in default_rng(seed).permutation order, the last of 8 rows."""
    path, x, y = seed15
    d = fit_json(
        "w*x + b",
        "--data",
        path,
        "--params",
        "w=0.5,b=-1",
        "--lr",
        "0.05",
        "--epochs",
        "2",
        "--batch-size",
        "32",
        "--seed",
        "7",
    )
    w, b = 0.5, -1.0
    rng = np.random.default_rng(7)
    for _ in range(2):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 32):
            rows = order[start : start + 32]
            r = w * x[rows] + b - y[rows]
            w, b = w - 0.05 * np.mean(2 * r * x[rows]), b - 0.05 * np.mean(2 * r)
    assert [d["params"]["w"], d["params"]["b"]] == pytest.approx([w, b], rel=1e-12)


def test_programs_are_compiled_once_per_batch_size(seed15, monkeypatch):
    path, _, _ = seed15
    sizes = []
    real = optimize.Objective.__init__

    def counting(self, f, wrt, dev):
        sizes.append(f.args[0].shape)
        real(self, f, wrt, dev)

    monkeypatch.setattr(optimize.Objective, "__init__", counting)
    problem = fitting.load_fit("w*x + b", path, ["w=0,b=0"])
    fitting.fit(problem, epochs=5, batch_size=32)
    # the mean's argument has shape (batch,): 32, the last partial batch 200 - 6*32 = 8, all 200 rows
    assert sorted(sizes) == [(8,), (32,), (200,)]


def test_seed_changes_the_shuffle_and_fixes_the_result(seed15):
    path, _, _ = seed15
    args = ["w*x^2 + b", "--data", path, "--params", "w=0,b=0", "--lr", "0.01", "--epochs", "3", "--batch-size", "16"]
    a, again, other = fit_json(*args), fit_json(*args), fit_json(*args, "--seed", "1")
    assert a == again and a != other


def test_vector_parameter_and_two_columns(tmp_path):
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=100), rng.normal(size=100)
    t = 1.5 * x1 - 0.5 * x2 + 0.25
    path = write_csv(tmp_path / "d.csv", ["x1", "x2", "t"], zip(x1, x2, t))
    d = fit_json(
        "w[0]*x1 + w[1]*x2 + b",
        "--data",
        path,
        "--params",
        "w=[0,0]",
        "--params",
        "b=0",
        "--target",
        "t",
        "--lr",
        "0.1",
        "--epochs",
        "500",
    )
    assert d["params"]["w"] == pytest.approx([1.5, -0.5], abs=1e-6) and d["params"]["b"] == pytest.approx(
        0.25, abs=1e-6
    )


def test_plain_output_is_params_then_loss(seed15):
    path, _, _ = seed15
    r = invoke("fit", "w*x^2 + b", "--data", path, "--params", "w=0,b=0", "--epochs", "1", "--format", "plain")
    assert r.code == 0, r.stderr
    params, loss = r.stdout.splitlines()
    assert len(params.split()) == 2 and float(loss) > 0


def test_unused_columns_may_hold_text_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("name,x,y\n\nalpha,1,3\nbeta,2,5\n\n")
    d = fit_json("w*x + b", "--data", str(path), "--params", "w=0,b=0", "--lr", "0.1", "--epochs", "3000")
    assert d["params"]["w"] == pytest.approx(2, abs=1e-6) and d["params"]["b"] == pytest.approx(1, abs=1e-6)


def test_divergence_warns_and_strict_exits_3(seed15):
    path, _, _ = seed15
    args = ["w*x^2 + b", "--data", path, "--params", "w=0,b=0", "--lr", "10", "--epochs", "100"]
    r = invoke("fit", *args, "--format", "json")
    assert r.code == 0 and r.json()["loss"] is None and "lower --lr" in r.stderr
    assert "Traceback" not in r.stderr and "RuntimeWarning" not in r.stderr
    assert invoke("fit", *args, "--strict").code == 3


@pytest.mark.parametrize(
    "content,args,needles",
    [
        ("x,y\n1,2\n3,abc\n", [], ["line 3", "column 2", "`y`", "abc", "not a number"]),
        ("x,y\n1,2\n,4\n", [], ["line 3", "column 1", "`x`", "empty cell"]),
        ("x,y\n1,2\n\n3,nan\n", [], ["line 4", "column 2", "finite"]),
        ("x,y\n1,2\n3\n", [], ["line 3", "1 cell,", "2 columns"]),
        ("x,y\n1,2\n", ["--target", "t"], ["line 1", "no column `t`", "x, y"]),
        ("x,y\n", [], ["no rows"]),
        ("", [], ["empty"]),
        ("x,x,y\n1,2,3\n", [], ["line 1", "twice"]),
        ("x,,y\n1,2,3\n", [], ["line 1", "column 2", "empty column name"]),
    ],
)
def test_csv_errors_name_file_line_and_column(tmp_path, content, args, needles):
    path = tmp_path / "data.csv"
    path.write_text(content)
    r = invoke("fit", "w*x + b", "--data", str(path), "--params", "w=0,b=0", *args)
    assert r.code == 2, r.stderr
    assert r.stderr.startswith(f"error: {path}") and r.stderr.count("\n") == 1
    for needle in needles:
        assert needle in r.stderr


@pytest.mark.parametrize(
    "model,params,needles",
    [
        ("w*z + b", "w=0,b=0", ["`z`", "neither a parameter", "columns: x, y"]),
        ("w*x + b", "w=0,x=1,b=0", ["`x`", "both a parameter"]),
        ("w*x + b", "w=0,y=0,b=0", ["`y`", "--target"]),
        ("w*x + b", "", ["--params"]),
        ("w*x + ", "w=0,b=0", ["ends too early"]),
    ],
)
def test_model_errors_exit_2(tmp_path, model, params, needles):
    path = write_csv(tmp_path / "d.csv", ["x", "y"], [(1, 2), (2, 3)])
    r = invoke("fit", model, "--data", path, "--params", params)
    assert r.code == 2 and "Traceback" not in r.stderr
    for needle in needles:
        assert needle in r.stderr


def test_missing_data_file_exits_2(tmp_path):
    r = invoke("fit", "w*x", "--data", str(tmp_path / "none.csv"), "--params", "w=0")
    assert r.code == 2 and "none.csv" in r.stderr and "no such file" in r.stderr


def test_model_with_one_value_per_row_only(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y"], [(1, 2), (2, 3), (3, 4)])
    r = invoke("fit", "w + x[0:2]", "--data", path, "--params", "w=[0,0]")
    assert r.code == 2 and "one prediction per row" in r.stderr


def test_data_from_standard_input():
    r = invoke(
        "fit",
        "w*x + b",
        "--data",
        "-",
        "--params",
        "w=0,b=0",
        "--lr",
        "0.1",
        "--epochs",
        "3000",
        "--format",
        "json",
        input="x,y\n0,1\n1,3\n2,5\n",
    )
    assert r.code == 0, r.stderr
    assert r.json()["params"] == pytest.approx({"w": 2, "b": 1}, abs=1e-6)
    r = invoke("fit", "-", "--data", "-", "--params", "w=0", input="x,y\n0,1\n")
    assert r.code == 2 and "standard input" in r.stderr


def test_a_column_named_like_a_constant_is_data(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["e", "y"], [(1, 2), (2, 4), (3, 6)])
    d = fit_json("w*e", "--data", path, "--params", "w=0", "--lr", "0.05", "--epochs", "500")
    assert d["params"]["w"] == pytest.approx(2, abs=1e-6)


def test_non_utf8_and_unclosed_quote_exit_2(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"x,y\n1,\xff\n")
    r = invoke("fit", "w*x", "--data", str(path), "--params", "w=0")
    assert r.code == 2 and "UTF-8" in r.stderr
    path.write_text('x,y\n1,"2\n')
    r = invoke("fit", "w*x", "--data", str(path), "--params", "w=0")
    assert r.code == 2 and str(path) in r.stderr and "Traceback" not in r.stderr

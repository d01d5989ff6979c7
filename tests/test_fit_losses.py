"""fit and minimize as the seed regressions need them (issue 15): losses, float32, --trace, the
warning of a growing loss, and the three seed tutorials reproduced with their own settings."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest

from conftest import invoke

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NUMPY_DATA = SAMPLES / "quadratic-numpy.csv"  # the NumPy tutorial's data (np.random.seed(100))
TORCH_DATA = SAMPLES / "quadratic-torch.csv"  # the PyTorch tutorials' data (torch.manual_seed(100)), float32


def fit_json(*args, input=None):
    r = invoke("fit", *args, "--format", "json", input=input)
    assert r.code == 0, r.stderr
    return r.json()


def residual_gradients(kind: str, r: np.ndarray) -> np.ndarray:
    """d loss / d pred for each built-in loss (PyTorch's definitions)."""
    n = len(r)
    return {"mse": 2 * r / n, "sse": 2 * r, "mae": np.sign(r) / n, "huber": np.where(np.abs(r) < 1, r, np.sign(r)) / n}[
        kind
    ]


def loss_value(kind: str, r: np.ndarray) -> float:
    return {
        "mse": np.mean(r**2),
        "sse": np.sum(r**2),
        "mae": np.mean(np.abs(r)),
        "huber": np.mean(np.where(np.abs(r) < 1, 0.5 * r**2, np.abs(r) - 0.5)),
    }[kind]


@pytest.mark.parametrize("kind", ["mse", "sse", "mae", "huber"])
def test_built_in_losses_match_a_numpy_transcription(kind):
    data = np.loadtxt(NUMPY_DATA, delimiter=",", skiprows=1)
    x, y = data[:, 0], data[:, 1] * 2 - 3  # residuals both below and above 1 for huber
    w, b, lr = 0.5, 0.1, 0.003
    for _ in range(40):
        g = residual_gradients(kind, w * x**2 + b - y)
        w, b = w - lr * np.sum(g * x**2), b - lr * np.sum(g)
    text = "x,y\n" + "".join(f"{a!r},{c!r}\n" for a, c in zip(x.tolist(), y.tolist()))
    d = fit_json(
        "w*x^2 + b",
        "--data",
        "-",
        "--params",
        "w=0.5,b=0.1",
        "--loss",
        kind,
        "--lr",
        "0.003",
        "--epochs",
        "40",
        input=text,
    )
    assert d["params"]["w"] == pytest.approx(w, rel=1e-12) and d["params"]["b"] == pytest.approx(b, rel=1e-12)
    assert d["loss"] == pytest.approx(loss_value(kind, w * x**2 + b - y), rel=1e-12)


def test_an_expression_loss_in_pred_and_the_target():
    args = ("w*x^2 + b", "--data", str(NUMPY_DATA), "--params", "w=0,b=0", "--lr", "0.001", "--epochs", "50")
    half = fit_json(*args, "--loss", "0.5*sum((pred - y)^2)")
    sse = fit_json(*args[:-4], "--lr", "0.0005", "--epochs", "50", "--loss", "sse")
    assert half["params"] == pytest.approx(sse["params"], rel=1e-12)  # 0.5*sse with lr is sse with lr/2
    assert half["loss"] == pytest.approx(0.5 * sse["loss"], rel=1e-12)
    # another column may weigh the rows; a parameter may be regularised
    weighted = fit_json(
        "w*x",
        "--data",
        "-",
        "--params",
        "w=0",
        "--loss",
        "sum(k*(pred - y)^2) + 0.1*w^2",
        "--lr",
        "0.05",
        "--epochs",
        "500",
        input="x,y,k\n1,1,1\n2,2,0\n",
    )
    assert weighted["params"]["w"] == pytest.approx(1 / 1.1, rel=1e-9)


def test_named_losses_ignore_case_as_every_choice_does():
    args = ("w*x", "--data", "-", "--params", "w=0", "--epochs", "3")
    assert fit_json(*args, "--loss", "SSE", input="x,y\n1,2\n") == fit_json(*args, "--loss", "sse", input="x,y\n1,2\n")


@pytest.mark.parametrize(
    "loss, needle",
    [
        ("mze", "unknown loss `mze`: choose mse, sse, mae or huber"),
        ("sum(y^2)", "the loss must use pred"),
        ("(pred - y)^2", "not one number: reduce it over the rows"),
        ("mean((pred - q)^2)", "the loss uses `q`, which is neither a parameter"),
    ],
)
def test_bad_losses_say_what_to_write(loss, needle):
    r = invoke("fit", "w*x", "--data", "-", "--params", "w=0", "--loss", loss, input="x,y\n1,2\n")
    assert r.code == 2 and needle in r.stderr and r.stderr.startswith("error:")


def test_params_without_values_say_the_values_are_missing():
    r = invoke("fit", "w*x + b", "--data", "-", "--params", "w,b", input="x,y\n1,2\n")
    assert r.code == 2 and "--params w: its starting value is missing" in r.stderr and "--at" not in r.stderr


def test_seed_14_in_float32_and_float64():
    r32 = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--dtype", "float32")
    r64 = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000")
    assert f"{float(r32.stdout.split()[0]):.10f}" == "0.0004494749"  # PyTorch's default dtype
    assert f"{float(r64.stdout.split()[0]):.10f}" == "0.0004494759"
    x = np.float32(10)
    for _ in range(5000):
        x = x - np.float32(0.001) * (np.float32(2) * x)
    assert float(r32.stdout.split()[0]) == float(x)


def test_seed_regression_numpy_version_reproduced_exactly():
    """np.random.seed(100); w1, b1 = rand, rand; lr 0.001; 800 steps of 0.5*sum((pred - y)^2)."""
    data = np.loadtxt(NUMPY_DATA, delimiter=",", skiprows=1)
    x, y = data[:, :1], data[:, 1:]
    w1, b1 = np.array([[0.7782892154498485]]), np.array([[0.7795983986107496]])
    for _ in range(800):  # the tutorial's loop, as written
        y_pred = np.power(x, 2) * w1 + b1
        grad_w = np.sum((y_pred - y) * np.power(x, 2))
        grad_b = np.sum(y_pred - y)
        w1 -= 0.001 * grad_w
        b1 -= 0.001 * grad_b
    d = fit_json(
        "w*x^2 + b",
        "--data",
        str(NUMPY_DATA),
        "--params",
        "w=0.7782892154498485,b=0.7795983986107496",
        "--loss",
        "0.5*sum((pred - y)^2)",
        "--lr",
        "0.001",
        "--epochs",
        "800",
    )
    assert d["params"]["w"] == pytest.approx(w1[0, 0], rel=1e-12) and d["params"]["b"] == pytest.approx(
        b1[0, 0], rel=1e-12
    )
    assert round(d["params"]["w"], 8) == 2.98927619 and round(d["params"]["b"], 8) == 2.09818307


@pytest.mark.parametrize(
    "loss, epochs, w, b",
    [
        ("0.5*sum((pred - y)^2)", 800, 2.9645144939422607, 2.114640951156616),  # autograd version
        ("mse", 10000, 2.6369006633758545, 2.236023187637329),  # nn.MSELoss + optim.SGD(lr=0.001)
    ],
)
def test_seed_regressions_of_the_pytorch_tutorials_in_float32(loss, epochs, w, b):
    """w = torch.randn(1, 1) after torch.manual_seed(100) and the data; b = 0; lr 0.001.
    The expected numbers are what torch 2.13.0 printed for the tutorials' own code."""
    d = fit_json(
        "w*x^2 + b",
        "--data",
        str(TORCH_DATA),
        "--params",
        "w=0.24365249276161194,b=0",
        "--loss",
        loss,
        "--lr",
        "0.001",
        "--epochs",
        str(epochs),
        "--dtype",
        "float32",
    )
    assert d["params"]["w"] == pytest.approx(w, rel=1e-6) and d["params"]["b"] == pytest.approx(b, rel=1e-6)
    assert np.float32(d["params"]["w"]) == d["params"]["w"]  # the parameters are float32 numbers


def test_trace_has_one_row_per_epoch_and_the_loss_over_all_rows(tmp_path):
    trace = tmp_path / "t.csv"
    for batch in ([], ["--batch-size", "7"]):
        d = fit_json(
            "w*x^2 + b",
            "--data",
            str(NUMPY_DATA),
            "--params",
            "w=0,b=0",
            "--lr",
            "0.1",
            "--epochs",
            "5",
            "--trace",
            str(trace),
            *batch,
        )
        rows = list(csv.reader(io.StringIO(trace.read_text())))
        assert rows[0] == ["epoch", "w", "b", "loss"] and [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4", "5"]
        assert rows[1][1:3] == ["0", "0"]
        data = np.loadtxt(NUMPY_DATA, delimiter=",", skiprows=1)
        assert float(rows[1][3]) == pytest.approx(np.mean(data[:, 1] ** 2), rel=1e-12)
        assert [float(v) for v in rows[-1][1:]] == [d["params"]["w"], d["params"]["b"], d["loss"]]
        for row in rows[1:]:
            w, b = float(row[1]), float(row[2])
            assert float(row[3]) == pytest.approx(np.mean((w * data[:, 0] ** 2 + b - data[:, 1]) ** 2), rel=1e-12)


def test_a_growing_loss_earns_one_warning_suggesting_a_lower_lr():
    r = invoke("fit", "w*x^2 + b", "--data", str(NUMPY_DATA), "--params", "w=0,b=0", "--lr", "5", "--epochs", "50")
    assert r.code == 0
    assert r.stderr.count("warning:") == 1 and "grew for 10 epochs in a row" in r.stderr and "lower --lr" in r.stderr
    strict = invoke(
        "fit",
        "w*x^2 + b",
        "--data",
        str(NUMPY_DATA),
        "--params",
        "w=0,b=0",
        "--lr",
        "5",
        "--epochs",
        "50",
        "--strict",
        "--format",
        "json",
    )
    assert strict.code == 0 and "warnings" not in strict.json()  # not a non-finite result: JSON warnings stay empty
    quiet = invoke("fit", "w*x^2 + b", "--data", str(NUMPY_DATA), "--params", "w=0,b=0", "--lr", "0.1")
    assert quiet.stderr == ""


def test_a_loss_that_turns_non_finite_stops_with_a_warning():
    r = invoke(
        "fit",
        "w*x^2 + b",
        "--data",
        str(NUMPY_DATA),
        "--params",
        "w=0,b=0",
        "--lr",
        "50",
        "--epochs",
        "500",
        "--format",
        "json",
    )
    assert r.code == 0 and any("not finite" in w and "lower --lr" in w for w in r.json()["warnings"])
    assert math.isfinite(r.json()["params"]["w"]) or r.json()["params"]["w"] is None

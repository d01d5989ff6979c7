"""`minimize`: seed example 14, the optimisers' update rules, classic test functions, the CLI."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from conftest import invoke
from diffcli.compute.problem import load
from diffcli.learn import optimize

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
# Himmelblau's four minima (f = 0), to six decimals as usually tabulated.
HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]


def minimize_json(*args):
    r = invoke("minimize", *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


def read_trace(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [[float(c) for c in row] for row in rows[1:]]


# ---------------------------------------------------------------- seed example 14


def test_seed_14_first_step_is_9_98():
    d = minimize_json("x^2", "--at", "x=10", "--lr", "0.001", "--steps", "1")
    assert d["steps"] == 1 and d["converged"] is False
    assert f"{d['at']['x']:.10f}" == "9.9800000000"
    assert d["value"] == pytest.approx(d["at"]["x"] ** 2, rel=1e-15)


def test_seed_14_final_point_to_ten_decimals(tmp_path):
    trace = tmp_path / "trace.csv"
    d = minimize_json("x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--trace", str(trace))
    assert f"{d['at']['x']:.10f}" == "0.0004494759"
    # gd on x^2 multiplies x by (1 - 2 lr) each step: the closed form agrees to rounding.
    assert d["at"]["x"] == pytest.approx(10 * 0.998**5000, rel=1e-12)
    assert d["steps"] == 5000 and d["converged"] is False
    header, rows = read_trace(trace)
    assert header == ["step", "x", "value"]
    assert len(rows) == 5001 and rows[0] == [0, 10, 100]
    assert rows[1][:2] == [1, pytest.approx(9.98, abs=1e-15)]
    assert rows[-1][1] == d["at"]["x"] and rows[-1][2] == d["value"]


def test_seed_14_plain_output_lines():
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "5000", "--format", "plain")
    assert r.code == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) == 4
    assert f"{float(lines[0]):.10f}" == "0.0004494759"
    assert float(lines[1]) == pytest.approx(float(lines[0]) ** 2)
    assert lines[2:] == ["5000", "0"]


def test_csv_output_has_header_and_one_row():
    r = invoke("minimize", "x^2 + y^2", "--at", "x=1,y=2", "--steps", "3", "--format", "csv")
    assert r.code == 0, r.stderr
    header, row = r.stdout.splitlines()
    assert header == "x,y,value,steps,converged"
    assert row.split(",")[3:] == ["3", "0"]


# ---------------------------------------------------------------- update rules


def reference_descent(kind, grad, x0, lr, steps):
    """PyTorch's documented SGD(momentum=0.9) and Adam(betas=(0.9, 0.999), eps=1e-8) in numpy."""
    x, m, v = np.array(x0, float), np.zeros(len(x0)), np.zeros(len(x0))
    for t in range(1, steps + 1):
        g = grad(x)
        if kind == "gd":
            x = x - lr * g
        elif kind == "momentum":
            m = 0.9 * m + g
            x = x - lr * m
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            x = x - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return x


@pytest.mark.parametrize("kind", optimize.OPTIMIZERS)
def test_update_rules_match_a_numpy_reference(kind):
    text = "x^4/4 + x*y + 2*y^2 + sin(y)"

    def grad(p):
        x, y = p
        return np.array([x**3 + y, x + 4 * y + math.cos(y)])

    r = optimize.minimize(load(text, ["x=1.5,y=-0.5"]), lr=0.05, steps=40, optimizer=kind, tol=0)
    expected = reference_descent(kind, grad, [1.5, -0.5], 0.05, 40)
    got = [float(r.data["at"]["x"]), float(r.data["at"]["y"])]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_gradient_used_by_minimize_matches_central_differences():
    from diffcli.core.numcheck import central_gradient

    problem = load("log(1 + x^2) * exp(-y) + x*y^3", ["x=0.7,y=-0.3"])
    objective = optimize.minimize_objective(problem)
    theta = np.array([0.7, -0.3])
    _, g = objective(theta, dict(problem.bindings))
    numeric = central_gradient(
        lambda pt: math.log(1 + pt["x"] ** 2) * math.exp(-pt["y"]) + pt["x"] * pt["y"] ** 3,
        {"x": 0.7, "y": -0.3},
        ["x", "y"],
    )
    assert g == pytest.approx([float(numeric["x"]), float(numeric["y"])], rel=1e-7)


def test_differentiates_and_compiles_once(monkeypatch):
    calls = {"gradient": 0, "program": 0}
    real_gradient, real_program = optimize.autodiff.gradient, optimize.Plan

    def counting_gradient(*a, **k):
        calls["gradient"] += 1
        return real_gradient(*a, **k)

    def counting_program(*a, **k):
        calls["program"] += 1
        return real_program(*a, **k)

    monkeypatch.setattr(optimize.autodiff, "gradient", counting_gradient)
    monkeypatch.setattr(optimize, "Plan", counting_program)
    r = optimize.minimize(load("(x - 1)^2 + cos(y)", ["x=0,y=1"]), steps=200, tol=0)
    assert r.data["steps"] == 200
    assert calls == {"gradient": 1, "program": 1}


# ---------------------------------------------------------------- classic functions


def test_adam_reaches_rosenbrock_minimum():
    d = minimize_json(
        "(1-x)^2 + 100*(y-x^2)^2",
        "--at",
        "x=-1.2,y=1",
        "--optimizer",
        "adam",
        "--lr",
        "0.02",
        "--steps",
        "10000",
        "--tol",
        "1e-8",
    )
    assert d["converged"] is True
    assert abs(d["at"]["x"] - 1) < 1e-4 and abs(d["at"]["y"] - 1) < 1e-4


@pytest.mark.parametrize("kind,lr", [("gd", 0.01), ("adam", 0.05)])
def test_himmelblau_four_starts_reach_its_four_minima(kind, lr):
    reached = []
    for start in ["x=2,y=2", "x=-2,y=2", "x=-2,y=-2", "x=2,y=-2"]:
        d = minimize_json(
            HIMMELBLAU, "--at", start, "--optimizer", kind, "--lr", str(lr), "--steps", "5000", "--tol", "1e-9"
        )
        assert d["converged"] is True and d["value"] < 1e-12
        reached.append((d["at"]["x"], d["at"]["y"]))
    for (x, y), (mx, my) in zip(reached, HIMMELBLAU_MINIMA):
        assert abs(x - mx) < 1e-5 and abs(y - my) < 1e-5


# ---------------------------------------------------------------- stopping, shapes, options


def test_stops_at_the_first_point_under_tol(tmp_path):
    trace = tmp_path / "t.csv"
    d = minimize_json("x^2", "--at", "x=10", "--lr", "0.1", "--tol", "1e-3", "--trace", str(trace))
    assert d["converged"] is True
    _, rows = read_trace(trace)
    assert len(rows) == d["steps"] + 1
    assert abs(2 * rows[-1][1]) < 1e-3 <= abs(2 * rows[-2][1])


def test_zero_steps_reports_the_start():
    d = minimize_json("x^2 + 1", "--at", "x=3", "--steps", "0")
    assert d == {"at": {"x": 3.0}, "value": 10.0, "steps": 0, "converged": False}


def test_vector_variable_and_const():
    d = minimize_json(
        "sum((x - c)^2)",
        "--at",
        "x=[0,0,0],c=[1,2,3]",
        "--const",
        "c",
        "--lr",
        "0.1",
        "--tol",
        "1e-10",
        "--steps",
        "10000",
    )
    assert list(d["at"]) == ["x"]
    assert d["at"]["x"] == pytest.approx([1, 2, 3], abs=1e-9)


def test_divergence_warns_and_strict_exits_3():
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "2", "--steps", "2000", "--format", "json")
    assert r.code == 0
    d = r.json()
    assert d["value"] is None and d["warnings"] and "lower --lr" in r.stderr
    assert "Traceback" not in r.stderr and "RuntimeWarning" not in r.stderr
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "2", "--steps", "2000", "--strict")
    assert r.code == 3 and r.stdout == "" and "lower --lr" in r.stderr


@pytest.mark.parametrize(
    "args,needle",
    [
        (["x + 1", "--at", "x=[1,2]"], "scalar"),
        (["2 + 3"], "nothing to minimize"),
        (["x^2", "--at", "x=1", "--lr", "0"], "learning rate"),
        (["x^2", "--at", "x=1", "--lr", "nan"], "--lr"),
        (["x^2", "--at", "x=1", "--steps", "-1"], "steps"),
        (["x^2", "--at", "x=1", "--optimizer", "rmsprop"], "optimizer"),
        (["x^2 + y", "--at", "x=1"], "not bound"),
    ],
)
def test_bad_input_exits_2(args, needle):
    r = invoke("minimize", *args)
    assert r.code == 2 and needle in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith("error:")


def test_no_progress_bar_when_piped():
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.0001", "--steps", "3000", "--tol", "0")
    assert r.code == 0 and r.stderr == ""


def test_progress_line_only_on_a_terminal_and_after_a_delay(monkeypatch):
    import io
    import time

    from diffcli.render import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(progress, "DELAY", 0.05)
    for stream, slow, shown in [(Terminal(), True, True), (Terminal(), False, False), (io.StringIO(), True, False)]:
        with progress.tracker("minimize", stream) as track:
            for k in range(5):
                track.update(k / 4, f"step {k}")
                if slow:
                    time.sleep(0.05)
        assert bool(stream.getvalue()) == shown


def test_rich_output_names_each_part():
    r = invoke("minimize", "x^2 + y^2", "--at", "x=1,y=2", "--lr", "0.5", "--format", "rich")
    assert r.code == 0, r.stderr
    for needle in ("final point", "x", "y", "value = 0", "steps = 1", "converged = yes"):
        assert needle in r.stdout
    r = invoke("fit", "w", "--data", "-", "--params", "w=0", "--format", "rich", input="y\n1\n")
    assert r.code == 0 and "parameters" in r.stdout and "loss = " in r.stdout

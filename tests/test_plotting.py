"""Pictures: `minimize --plot`, `fit --plot`, `plot --png`, and the message without matplotlib."""

from __future__ import annotations

import struct
import sys

import numpy as np
import pytest

from conftest import invoke
from diffcli.compute.problem import load
from diffcli.core.numcheck import central_gradient
from diffcli.learn import plotting

try:
    import matplotlib  # noqa: F401

    HAVE_MATPLOTLIB = True
except ImportError:  # the plot extra is not installed: only the error message can be tested
    HAVE_MATPLOTLIB = False

needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="pip install '.[plot]'")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path, min_width=500):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR follows the signature
    assert width >= min_width and height >= 300
    assert len(data) > 15_000  # lines, labels and text, not an empty canvas
    assert not list(path.parent.glob(".diffcli-*"))  # the temporary file was renamed away


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(15)
    x = rng.uniform(-2, 2, 60)
    path = tmp_path / "data.csv"
    np.savetxt(path, np.c_[x, 3 * x**2 + 2 + rng.normal(0, 0.1, x.size)], delimiter=",", header="x,y", comments="")
    return path


@needs_matplotlib
def test_minimize_plot_two_variables_path_over_contours(tmp_path):
    png = tmp_path / "descent.png"
    r = invoke(
        "minimize",
        "(1-x)^2 + 100*(y-x^2)^2",
        "--at",
        "x=-1.2,y=1",
        "--optimizer",
        "adam",
        "--lr",
        "0.02",
        "--steps",
        "3000",
        "--plot",
        str(png),
        "--format",
        "json",
    )
    assert r.code == 0, r.stderr
    assert_png(png, min_width=1000)  # two panels side by side
    print(f"plot written: {png}")


@needs_matplotlib
def test_minimize_plot_one_variable(tmp_path):
    png = tmp_path / "x2.png"
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--steps", "500", "--plot", str(png))
    assert r.code == 0, r.stderr
    assert_png(png)


@needs_matplotlib
def test_fit_plot_draws_data_and_curve(tmp_path, data_csv):
    png = tmp_path / "fit.png"
    r = invoke(
        "fit",
        "w*x^2 + b",
        "--data",
        str(data_csv),
        "--params",
        "w=0,b=0",
        "--lr",
        "0.1",
        "--epochs",
        "100",
        "--optimizer",
        "adam",
        "--plot",
        str(png),
    )
    assert r.code == 0, r.stderr
    assert_png(png)


@needs_matplotlib
def test_plot_command_draws_f_and_derivatives(tmp_path):
    png = tmp_path / "f.png"
    r = invoke("plot", "sin(x)*x", "--range", "x=-3:3", "--order", "2", "--png", str(png))
    assert r.code == 0 and r.stdout == "" and r.stderr == ""
    assert_png(png)


@needs_matplotlib
def test_plot_refuses_to_overwrite_the_data(data_csv):
    before = data_csv.read_bytes()
    r = invoke("fit", "w*x^2 + b", "--data", str(data_csv), "--params", "w=0,b=0", "--plot", str(data_csv))
    assert r.code == 2 and "name it .png, .svg or .pdf" in r.stderr  # a .csv is no picture
    odd = data_csv.with_suffix(".png")  # CSV data under a picture's name
    odd.write_bytes(before)
    r = invoke("fit", "w*x^2 + b", "--data", str(odd), "--params", "w=0,b=0", "--plot", str(odd))
    assert r.code == 2 and "refusing to write over the input" in r.stderr
    assert data_csv.read_bytes() == before and odd.read_bytes() == before


@needs_matplotlib
def test_plot_into_a_missing_folder_exits_4(tmp_path):
    r = invoke("plot", "x^2", "--range", "x=0:1", "--png", str(tmp_path / "no" / "f.png"))
    assert r.code == 4 and "does not exist" in r.stderr  # an output that cannot be written (SPEC)


def test_fit_plot_needs_one_input_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,3\n2,3,5\n")
    r = invoke("fit", "u*a + v*b", "--data", str(path), "--params", "u=0,v=0", "--plot", str(tmp_path / "p.png"))
    assert r.code == 2 and "one input column" in r.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["minimize", "x^2", "--at", "x=1", "--plot", "{out}"],
        ["fit", "w*x + b", "--data", "{data}", "--params", "w=0,b=0", "--plot", "{out}"],
        ["plot", "x^2", "--range", "x=-1:1", "--png", "{out}"],
    ],
)
def test_without_matplotlib_the_message_says_what_to_install(monkeypatch, tmp_path, data_csv, argv):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    out = tmp_path / "out.png"
    r = invoke(*[a.format(out=out, data=data_csv) for a in argv])
    assert r.code == 2
    assert "pip install 'diffcli[plot]'" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


# ---------------------------------------------------------------- the numbers behind `plot`


def test_derivative_curves_match_the_formulas_and_central_differences():
    problem = load("sin(x)*x*a", ["a=2", "x=0"])
    grid, (f, d1, d2, d3) = plotting.derivative_curves(problem, "x", -3, 3, 3)
    assert grid[0] == -3 and grid[-1] == 3 and len(grid) == plotting.GRID
    assert f == pytest.approx(2 * np.sin(grid) * grid)
    assert d1 == pytest.approx(2 * (np.sin(grid) + grid * np.cos(grid)))
    assert d2 == pytest.approx(2 * (2 * np.cos(grid) - grid * np.sin(grid)))
    i = 123
    numeric = central_gradient(lambda p: 2 * (2 * np.cos(p["x"]) - p["x"] * np.sin(p["x"])), {"x": grid[i]}, ["x"])
    assert d3[i] == pytest.approx(float(numeric["x"]), rel=1e-6)


def test_constant_derivatives_are_drawn_across_the_range():
    problem = load("x^2", ["x=0"])
    grid, (f, d1, d2, d3) = plotting.derivative_curves(problem, "x", 0, 1, 3)
    assert d2.shape == grid.shape and np.all(d2 == 2) and np.all(d3 == 0)


@pytest.mark.parametrize("spec", ["x", "x=1", "x=a:b", "x=3:1", "x=1:1", "1=0:1", "x=0:inf"])
def test_bad_range_exits_2(spec, tmp_path):
    r = invoke("plot", "x^2", "--range", spec, "--png", str(tmp_path / "p.png"))
    assert r.code == 2 and "--range" in r.stderr


@pytest.mark.parametrize(
    "args,needle",
    [
        (["x^2", "--range", "x=0:1", "--at", "x=2"], "plotted variable"),
        (["[x, x]", "--range", "x=0:1"], "scalar"),
        (["x*y", "--range", "x=0:1"], "not bound"),
    ],
)
def test_plot_input_errors(args, needle, tmp_path):
    r = invoke("plot", *args, "--png", str(tmp_path / "p.png"))
    assert r.code == 2 and needle in r.stderr

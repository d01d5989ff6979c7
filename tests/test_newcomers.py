"""Errors for what newcomers type (issue: the first hour). Each slip gets one `error:` line
that names the fix, exit 2, nothing on stdout; a few go through the installed command too.
The kinds: the shell ate the quotes, single-dash options, other tools' flags, values in other
languages' spellings, pasted code, unknown functions with a meaning, degrees, data files,
numbers that go wrong, missing commands, and the defaults users expect."""

from __future__ import annotations

import math
import shutil
import subprocess

import pytest

from conftest import invoke


def refused(*args: str, input: str | None = None) -> str:
    r = invoke(*args, input=input)
    assert r.code == 2 and r.stdout == "", (args, r.code, r.stdout, r.stderr)
    first = r.stderr.splitlines()[0]
    assert first.startswith("error: ") and "Traceback" not in r.stderr
    return first


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "args, fix",
    [
        (("grad", "x^2", "+", "1", "--at", "x=1"), "put it in quotes: `diffcli grad 'x^2 + 1' --at x=1`"),
        (("grad", "x^2", "--at", "x", "=", "3"), "write the binding without spaces: --at x=3"),
        (("grad", "x^2", "--at", "x", "=3"), "--at x=3"),
        (("grad", "x^2", "-at", "x=3"), "did you mean `--at`?"),
        (("minimize", "x^2", "--at", "x=1", "-n", "6"), "did you mean `--steps`?"),
        (("fit", "w*x", "--data", "d.csv", "-n", "6"), "did you mean `--epochs`?"),
        (("grad", "x^2", "--at", "x=1", "-o", "json"), "did you mean `--format json`?"),
        (("grad", "x^2", "--at", "x=1", "--json"), "did you mean `--format json`?"),
        (("grad", "x^2", "--at", "x=1", "--output", "json"), "did you mean `--format json`?"),
        (("fit", "w*x + b", "d.csv"), "a data file is given with --data: --data d.csv"),
        (("grad", "x*y", "points.csv"), "--points points.csv"),
    ],
)
def test_command_line_slips_name_the_fix(args, fix):
    assert fix in refused(*args)


def test_an_expression_that_begins_with_a_dash_is_still_an_expression():
    assert "goes after `--`" in refused("eval", "-a", "--at", "a=1")
    assert "goes after `--`" in refused("eval", "-x^2", "--at", "x=1")


def test_output_to_a_file_is_still_out():
    assert "Possible options: --out" in refused("grad", "x", "--at", "x=1", "--output", "o.csv")


@pytest.mark.parametrize(
    "command, answer",
    [("tangent", "`diffcli taylor --order 1`"), ("integrate", "diffcli differentiates and does not integrate")],
)
def test_missing_commands_point_to_what_exists(command, answer):
    assert answer in refused(command, "x^2")


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    "value, fix",
    [
        ("torch.tensor([10,20,30,40])", "x=[10,20,30,40]"),
        ("np.array([1,2,3])", "x=[1,2,3]"),
        ("numpy.array([1, 2, 3])", "x=[1, 2, 3]"),
        ("torch.tensor([1., 2.], requires_grad=True)", "x=[1., 2.]"),
        ("(1,2,3)", "x=[1,2,3]"),
        ("{1,2,3}", "x=[1,2,3]"),
        ("[1;2;3]", "x=[1,2,3]"),
        ("[1,2;3,4]", "x=[[1,2],[3,4]]"),
        ("x100.npy", "x=@x100.npy"),
    ],
)
def test_values_in_other_spellings(value, fix):
    assert refused("eval", "sum(x)", "--at", f"x={value}").endswith(fix)
    # and the suggested spelling is one diffcli reads
    if "@" not in fix:
        assert invoke("eval", "sum(x)", "--at", fix).code == 0


def test_valid_values_are_untouched():
    assert invoke("eval", "x", "--at", "x=(1+2)", "--format", "plain").stdout == "3\n"


# ---------------------------------------------------------------- pasted code

TORCH_FILE = "import torch\nx = torch.tensor(2., requires_grad=True)\ny = torch.mul(torch.add(x, 1), torch.add(x, 2))\n"


@pytest.mark.parametrize(
    "text, fix",
    [
        (TORCH_FILE, 'write `diffcli grad "(x + 1)*(x + 2)" --at x=2`'),
        (TORCH_FILE.replace("y = ", "").replace("import torch\n", ""), '"(x + 1)*(x + 2)" --at x=2'),
        ("def f(x, y):\n    return x**2 + y\n", "write only the expression it returns: `x^2 + y`"),
        ("f = lambda x: x**2 + 1\n", "write only the expression: `x^2 + 1`"),
        ("Sin[x]", "is written `sin(x)`"),
        ("D[x^2, x]", '`diffcli diff "x^2" --wrt x`'),
        ("diff(x**2, x)", '`diffcli diff "x^2" --wrt x`'),
        ("d/dx x^2", '`diffcli diff "x^2" --wrt x`'),
        ("d(x^2)/dx", '`diffcli diff "x^2" --wrt x`'),
        ("2πx", "`2*pi*x`"),
    ],
)
def test_pasted_code_is_named_and_mended(text, fix):
    assert fix in refused("grad", "-", "--at", "x=1,y=1", input=text)


def test_pasted_expression_arguments_are_not_missing_files():
    assert '`diffcli diff "x^2" --wrt x`' in refused("grad", "d/dx x^2", "--at", "x=1")


def test_a_file_that_sets_x_is_pointed_to_at_alone():
    r = invoke("grad", "-", input="x = 3\ny = x^2 + 1\n")
    assert r.code == 0
    assert r.stderr.rstrip().endswith("bind it with --at x=3"), r.stderr


# ---------------------------------------------------------------- functions and degrees


@pytest.mark.parametrize(
    "expr, fix",
    [
        ("f(x)*g(x)", "--function f,g"),
        ("tensor(x)", "give its value with --at"),
        ("mul(x, 2)", "`a*b`"),
        ("add(x, 1)", "`a + b`"),
        ("sind(x)", "`sin(x*pi/180)`"),
        ("sin(90°)", "diffcli works in radians: write 90° as `90*pi/180`"),
        ("sin(90deg)", "`90*pi/180`"),
        ("sin(x°)", "`x*pi/180`"),
    ],
)
def test_functions_with_a_meaning(expr, fix):
    assert fix in refused("grad", expr, "--at", "x=1")


def test_the_undefined_functions_work_as_named():
    r = invoke("diff", "f(x)*g(x)", "--wrt", "x", "--function", "f,g", "--format", "plain")
    assert r.code == 0 and r.stdout.strip() == "f(x)*g'(x) + g(x)*f'(x)"


@pytest.mark.parametrize(
    "name, factor", [("deg2rad", math.pi / 180), ("radians", math.pi / 180), ("rad2deg", 180 / math.pi)]
)
def test_degree_conversions_are_functions(name, factor):
    data = invoke("grad", f"{name}(x)", "--at", "x=30", "--format", "json").json()
    assert data["value"] == pytest.approx(30 * factor, rel=1e-15) and data["grad"]["x"] == pytest.approx(factor)
    assert invoke("eval", "sin(deg2rad(90))", "--format", "plain").stdout == "1\n"
    formula = invoke("diff", f"{name}(x)^2", "--wrt", "x", "--format", "plain").stdout
    assert ("pi" in formula) and invoke("check", f"sin({name}(x))", "--at", "x=0.7").code == 0


# ---------------------------------------------------------------- data files


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = {
        "cols.csv": "a,b\n1,2\n2,4\n",
        "semi.csv": "x;y\n1;2\n2;4\n",
        "tab.csv": "x\ty\n1\t2\n2\t4\n",
        "nohead.csv": "1,2\n2,4\n3,6\n",
        "d.csv": "x,y\n0,1\n1,3\n2,5\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "file, fix",
    [
        ("semi.csv", "separated by semicolons (;); diffcli reads comma-separated CSV"),
        ("tab.csv", "separated by tabs"),
        ("nohead.csv", "the first line must name the variables, such as `x1,x2`"),
    ],
)
def test_data_files_that_are_not_comma_csv_with_a_header(data, file, fix):
    assert fix in refused("fit", "w*x + b", "--data", file, "--params", "w=0,b=0")
    assert fix in refused("grad", "x*y", "--points", file)


def test_columns_that_do_not_match_name_both(data):
    message = refused("grad", "x*y", "--points", "cols.csv")
    assert "(a, b)" in message and "(x, y)" in message
    message = refused("fit", "w*x + b", "--data", "cols.csv", "--params", "w=0,b=0")
    assert "columns: a, b" in message and "`x`" in message


def test_fit_reads_an_equation_as_model_and_target(data):
    as_equation = invoke(
        "fit", "y = w*x + b", "--data", "d.csv", "--params", "w=0,b=0", "--lr", "0.1", "--format", "json"
    )
    plain = invoke("fit", "w*x + b", "--data", "d.csv", "--params", "w=0,b=0", "--lr", "0.1", "--format", "json")
    assert as_equation.code == 0 and as_equation.json() == plain.json()
    assert "make them agree" in refused("fit", "y = w*x + b", "--data", "d.csv", "--target", "z")


def test_fit_without_params_starts_free_names_at_0_and_says_so(data):
    r = invoke("fit", "w*x + b", "--data", "d.csv", "--lr", "0.1", "--epochs", "2000", "--format", "json")
    assert r.code == 0 and r.stderr == "note: --params not given: w, b start at 0\n"
    assert r.json()["params"] == pytest.approx({"w": 2.0, "b": 1.0})


# ---------------------------------------------------------------- numbers and defaults


def test_minimize_warns_when_the_value_grows():
    r = invoke("minimize", "x^2", "--at", "x=1", "--lr", "1.5", "--steps", "100")
    assert r.code == 0
    assert "the value grew for 5 steps in a row (from 1 at step 0 to 1024 at step 5)" in r.stderr
    assert "the steps overshoot: lower --lr, such as to 0.15" in r.stderr
    quiet = invoke("minimize", "x^2", "--at", "x=1", "--lr", "0.1", "--steps", "100")
    assert quiet.stderr == ""


def test_a_fractional_power_of_a_negative_number_points_to_cbrt():
    r = invoke("grad", "x^(2/3)", "--at", "x=-1")
    assert "for the real cube root write cbrt(x)^2" in r.stderr
    assert "write cbrt(x - 3)" in invoke("eval", "(x-3)^(1/3)", "--at", "x=1").stderr
    assert invoke("grad", "cbrt(x)^2", "--at", "x=-1", "--format", "json").json()["value"] == pytest.approx(1.0)


def test_plot_without_range_picks_one_and_says_so():
    r = invoke("plot", "sin(x)", "--format", "csv")
    lines = r.stdout.splitlines()
    assert r.code == 0 and lines[1].startswith("-5,") and lines[-1].startswith("5,")
    assert r.stderr == "note: no --range given: drawing x from -5 to 5 (--range x=LOW:HIGH)\n"
    around = invoke("plot", "sin(x)*y", "--at", "x=1,y=2", "--format", "csv")
    assert around.code == 0 and around.stdout.splitlines()[1].startswith("-4,")


def test_terminal_plots_need_no_extra():
    """uniplot is a core dependency: `pip install diffcli` draws plots in the terminal."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    dependencies = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"uniplot' in dependencies


# ---------------------------------------------------------------- through the installed command


@pytest.mark.skipif(shutil.which("diffcli") is None, reason="needs the installed diffcli command")
@pytest.mark.parametrize(
    "argv, fix",
    [
        (["grad", "x^2", "+", "1", "--at", "x=1"], "put it in quotes"),
        (["grad", "x^2", "-at", "x=3"], "did you mean `--at`?"),
        (["grad", "x^2", "--at", "x=1", "--json"], "`--format json`"),
        (["grad", "sum(x^2)", "--at", "x=torch.tensor([10,20,30,40])"], "write x=[10,20,30,40]"),
        (["grad", "Sin[x]", "--at", "x=1"], "`sin(x)`"),
        (["grad", "f(x)*g(x)", "--at", "x=1"], "--function f,g"),
        (["grad", "sin(90°)"], "radians"),
        (["tangent", "x^2"], "taylor --order 1"),
    ],
)
def test_through_the_installed_command(argv, fix):
    r = subprocess.run(["diffcli", *argv], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "" and fix in r.stderr, r.stderr

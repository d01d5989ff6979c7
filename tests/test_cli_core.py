"""Command-line behaviour of the core commands: formats, inputs, options, scale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import invoke


def test_plain_format_is_bare_numbers():
    r = invoke("grad", "x*x*y", "--at", "x=2,y=3", "--format", "plain")
    assert r.stdout == "12\n12 4\n"


def test_plain_prints_negative_zero_as_zero():
    assert invoke("eval", "--at", "x=0", "--", "-x").stdout == "0\n"
    assert str(invoke("eval", "--at", "x=0", "--format", "json", "--", "-x").json()["value"]) == "-0.0"


def test_auto_format_is_plain_when_piped():
    assert invoke("grad", "x*x*y", "--at", "x=2,y=3").stdout == "12\n12 4\n"


def test_rich_format_shows_a_table():
    r = invoke("grad", "x*x*y", "--at", "x=2,y=3", "--format", "rich")
    assert r.code == 0 and "gradient" in r.stdout and "12" in r.stdout
    assert "\x1b[" not in r.stdout  # not a terminal: no colour codes


def test_option_equals_form_and_leading_minus():
    r = invoke("eval", "--at=x=1", "--format=plain", "--", "-x^2")
    assert (r.code, r.stdout) == (0, "-1\n")


def test_power_rules_from_spec():
    assert invoke("eval", "2^-1").stdout == "0.5\n"
    assert invoke("eval", "--", "-2^2").stdout == "-4\n"
    assert invoke("eval", "(-2)^2").stdout == "4\n"
    assert invoke("eval", "2^3^2").stdout == "512\n"
    assert invoke("eval", "2**3").stdout == "8\n"
    assert invoke("eval", "2*-x", "--at", "x=3").stdout == "-6\n"
    assert invoke("eval", "+x", "--at", "x=3").stdout == "3\n"


def test_semicolons_and_constants():
    assert invoke("eval", "a = 2; b = a*pi; b/pi").stdout == "2\n"
    assert invoke("eval", "log(e)").stdout == "1\n"


def test_stdin_expression():
    r = invoke("grad", "-", "--at", "x=3", "--format", "json", input="y = x^2\ny + 1\n")
    assert r.json() == {"value": 10.0, "grad": {"x": 6.0}}


def test_of_picks_a_named_statement(tmp_path):
    path = tmp_path / "model.dc"
    path.write_text("# a model\nu = x*y   # product\nloss = u^2\n")
    r = invoke("grad", str(path), "--at", "x=2,y=3", "--of", "u", "--format", "json")
    assert r.json() == {"value": 6.0, "grad": {"x": 3.0, "y": 2.0}}


def test_wrt_orders_the_output_and_unused_names_get_zero():
    r = invoke("grad", "x*y", "--at", "x=2,y=3,z=1", "--wrt", "y,x,z", "--format", "json")
    assert list(r.json()["grad"].items()) == [("y", 2.0), ("x", 3.0), ("z", 0.0)]


def test_matrix_variable_and_labels():
    r = invoke(
        "hessian", "sum(W @ x)^2", "--at", "W=[[1,2],[3,4]]", "--at", "x=[1,1]", "--wrt", "x", "--format", "json"
    )
    d = r.json()
    assert d["grad"] == {"x": [2 * 10 * 4.0, 2 * 10 * 6.0]}
    assert d["hessian"] == [[32.0, 48.0], [48.0, 72.0]]
    r = invoke("jacobian", "W @ x", "--at", "W=[[1,2],[3,4]],x=[1,1]", "--format", "json")
    d = r.json()
    assert d["labels"][:3] == ["W[0,0]", "W[0,1]", "W[1,0]"] and d["labels"][-2:] == ["x[0]", "x[1]"]
    assert d["jacobian"][0] == [1.0, 1.0, 0.0, 0.0, 1.0, 2.0]


def test_float32():
    r = invoke("eval", "x/3", "--at", "x=1", "--dtype", "float32", "--format", "json")
    assert r.json()["value"] == float(__import__("numpy").float32(1) / __import__("numpy").float32(3))


def test_seventeen_digits_round_trip():
    r = invoke("eval", "x", "--at", "x=0.30000000000000004", "--format", "json")
    assert r.json()["value"] == 0.30000000000000004


def test_non_finite_is_null_with_warning_and_strict_exits_3():
    r = invoke("eval", "log(x - 2)", "--at", "x=2", "--format", "json")
    d = r.json()
    assert r.code == 0 and d["value"] is None and d["warnings"]
    assert "log(x - 2)" in r.stderr
    r = invoke("eval", "log(x - 2)", "--at", "x=2", "--strict")
    assert r.code == 3 and r.stdout == "" and r.stderr.startswith("error: ")


def test_version_and_help_examples():
    from diffcli import __version__

    assert invoke("--version").stdout.strip() == f"diffcli {__version__}"
    for command in ("eval", "grad", "jacobian", "hessian", "diff"):
        r = invoke(command, "--help")
        assert r.code == 0 and "Example: diffcli " in r.stdout, command


def test_deep_nesting_works():
    depth = 10_000
    r = invoke("grad", "(" * depth + "x" + "+1)" * depth, "--at", "x=1", "--format", "json")
    assert r.code == 0, r.stderr[:300]
    assert r.json() == {"value": 1.0 + depth, "grad": {"x": 1.0}}
    r = invoke("grad", "sin(" * depth + "x" + ")" * depth, "--at", "x=0.5", "--format", "json")
    assert r.code == 0 and 0 < r.json()["grad"]["x"] < 1


@pytest.mark.slow
def test_long_sum_works():
    terms = 100_000
    text = "+".join(f"x*{i}" for i in range(terms))
    r = invoke("grad", text, "--at", "x=2", "--format", "json")
    assert r.code == 0, r.stderr[:300]
    total = terms * (terms - 1) / 2
    assert r.json() == {"value": 2 * total, "grad": {"x": total}}


# A few real processes of the installed command.
DIFFCLI = shutil.which("diffcli")


@pytest.mark.skipif(DIFFCLI is None, reason="diffcli is not installed on PATH")
def test_installed_command_in_a_subprocess():
    out = subprocess.run(
        [DIFFCLI, "grad", "x*x*y", "--at", "x=2,y=3", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=os.path.expanduser("~"),
        timeout=60,
    )
    assert out.returncode == 0 and json.loads(out.stdout) == {"value": 12.0, "grad": {"x": 12.0, "y": 4.0}}
    bad = subprocess.run([DIFFCLI, "eval", "2x"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


def test_python_dash_m_and_no_color():
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "diffcli", "grad", "x*x*y", "--at", "x=2,y=3", "--format", "rich"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0 and "\x1b[" not in out.stdout and "12" in out.stdout


@pytest.mark.parametrize("text, steps", [("1e2", 100), ("2.5e1", 25), ("100.0", 100), ("+3", 3)])
def test_an_integer_option_takes_a_whole_number_in_any_spelling(text, steps):
    r = invoke("minimize", "x^2", "--at", "x=10", "--lr", "0.001", "--tol", "0", "--steps", text, "--format", "json")
    assert r.code == 0 and r.json()["steps"] == steps


@pytest.mark.parametrize("text", ["1.5", "2.5e0", "1e-2", "inf", "nan", "1e", "e3"])
def test_an_integer_option_refuses_what_is_not_whole(text):
    r = invoke("minimize", "x^2", "--at", "x=10", "--steps", text)
    assert r.code == 2 and "is not a valid integer" in r.stderr and r.stdout == ""

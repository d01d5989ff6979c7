"""Errors that teach: what students type from PyTorch, NumPy and textbooks, one test per row
of the table in issue 14, through the command line (in-process; a few through the installed
command at the end)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from test_robust import bad  # exit 2, one `error:` line naming every fragment, nothing on stdout

from conftest import invoke


def plain(*args):
    r = invoke(*args, "--format", "plain")
    assert r.code == 0, r.stderr
    return r.stdout.split("\n")


# -- --at values are constant expressions of the language -------------------------------------


@pytest.mark.parametrize(
    "at,value",
    [
        ("x=pi", "3.141592653589793"),
        ("x=pi/2", "1.5707963267948966"),
        ("x=2*pi", "6.283185307179586"),
        ("x=sqrt(2)", "1.4142135623730951"),
        ("x=1/3", "0.3333333333333333"),
        ("x=e", "2.718281828459045"),
        ("x=-1.5", "-1.5"),
        ("x=atan2(1, 1)*4", "3.141592653589793"),
    ],
)
def test_at_values_are_constant_expressions(at, value):
    assert plain("eval", "x", "--at", at)[0] == value


def test_at_lists_of_constant_expressions():
    r = invoke("eval", "x", "--at", "x=[1/3, e, sqrt(2)],y=2", "--format", "json")
    assert r.json()["value"] == [1 / 3, 2.718281828459045, 2**0.5]
    assert (
        invoke("eval", "sum(W)", "--at", "W=[[1, pi], [3, 4]]", "--format", "json").json()["value"]
        == 8 + 3.141592653589793
    )
    assert plain("grad", "sin(x)", "--at", "x=pi/2")[1] == "6.123233995736766e-17"


@pytest.mark.parametrize(
    "at,fragment",
    [
        ("x=y", "`y` is not a constant"),
        ("x=pi/", "ends too early"),
        ("x=a=1", "one expression"),
        ("x=__import__('os')", "unexpected `'`"),
        ("x=__import__(os)", "`os` is not a constant"),
        ("x=__import__(1)", "unknown function"),
        ("x=[1, [2, 3]]", "--at x"),
    ],
)
def test_at_values_that_are_not_constants(at, fragment):
    bad(invoke("eval", "1", "--at", at), fragment)


def test_at_numbers_read_fast_agree_with_the_parser():
    """The plain-number reader and the language's parser give the same values."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from diffcli.syntax.points import constant, parse_value

    numbers = st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr)
    values = st.one_of(numbers, st.lists(numbers, min_size=1, max_size=5).map(lambda v: "[" + ", ".join(v) + "]"))

    @settings(max_examples=200, deadline=None)
    @given(values)
    def check(text):
        assert parse_value(text, "--at x").tolist() == constant(text, "--at x").tolist()

    check()


def test_a_vector_without_brackets_gets_a_hint():
    bad(invoke("grad", "sum(x)", "--at", "x=1,2"), "`2` has no name", "'x=[1,2]'")
    bad(invoke("grad", "sum(x)", "--at", "x=1,2,3,y=4"), "'x=[1,2,3]'")


def test_two_bindings_as_two_arguments_get_a_hint():
    bad(
        invoke("grad", "x*y", "--at", "x=2", "y=3"),
        "unexpected extra argument (y=3)",
        "--at x=2,y=3",
        "diffcli grad --help",
    )


# -- PyTorch and NumPy spellings -----------------------------------------------------------


@pytest.mark.parametrize(
    "expr,fix",
    [
        ("torch.sin(x)", "`sin(x)`"),
        ("np.exp(x)", "`exp(x)`"),
        ("math.pi * x", "`pi * x`"),
        ("torch.nn.functional.relu(x)", "`relu(x)`"),
    ],
)
def test_module_prefixes_are_dropped(expr, fix):
    bad(invoke("grad", expr, "--at", "x=1"), "no modules", fix)


@pytest.mark.parametrize(
    "expr,fix",
    [
        ("x.pow(2)", "`pow(x, 2)`"),
        ("exp(x).sum()", "`sum(exp(x))`"),
        ("(x*x).mean()", "`mean(x*x)`"),
        ("W.T", "`transpose(W)`"),
        ("x.exp().sum() + 1", "`sum(exp(x)) + 1`"),
        ("W.t() @ x", "`transpose(W) @ x`"),
    ],
)
def test_methods_are_written_as_functions(expr, fix):
    bad(invoke("grad", expr, "--at", "x=[1,2],W=[[1,2],[3,4]]"), "no methods", fix)


def test_the_suggested_function_forms_run():
    assert invoke("grad", "sum(transpose(W) @ x)", "--at", "x=[1,2],W=[[1,2],[3,4]]").code == 0
    assert invoke("grad", "sum(exp(x)) + mean(x*x) + pow(x[0], 2)", "--at", "x=[1,2]").code == 0


def test_backward_method_points_to_grad():
    bad(invoke("grad", "x.backward()", "--at", "x=1"), "diffcli grad")


def test_ln_is_accepted():
    r = invoke("eval", "ln(x)", "--at", "x=1")
    assert r.code == 0 and r.stdout.strip() == "0"
    r = invoke("grad", "ln(x)", "--at", "x=2", "--format", "json")
    assert r.code == 0 and json.loads(r.stdout)["grad"] == {"x": 0.5}, r.stderr


# -- textbook notation ---------------------------------------------------------------------


@pytest.mark.parametrize("expr,fix", [("sin x", "`sin(x)`"), ("log x + 1", "`log(x)`"), ("2*cos x", "`cos(x)`")])
def test_function_without_parentheses(expr, fix):
    bad(invoke("eval", expr, "--at", "x=1"), "in parentheses", fix)


@pytest.mark.parametrize("expr,fix", [("sinx", "`sin(x)`"), ("cos2x", "`cos(2*x)`"), ("expx + 1", "`exp(x)`")])
def test_function_glued_to_its_argument(expr, fix):
    bad(invoke("eval", expr, "--at", "x=1"), "is not bound", f"did you mean {fix}")


@pytest.mark.parametrize(
    "expr,fix",
    [("cos^2(x)", "write `cos(x)^2`"), ("sin^2 x", "write `sin(x)^2`"), ("sin^-1(x)", "`asin(x)` for the inverse")],
)
def test_power_of_a_function_name(expr, fix):
    bad(invoke("eval", expr, "--at", "x=0.5"), fix)


@pytest.mark.parametrize(
    "expr,fix",
    [
        ("x²", "`x^2`"),
        ("x³ + 1", "`x^3 + 1`"),
        ("√x", "`sqrt(x)`"),
        ("√(x+1)", "`sqrt(x+1)`"),
        ("2×x", "`2*x`"),
        ("2·x", "`2*x`"),
        ("x − 1", "`x - 1`"),
        ("|x - 1|", "`abs(x - 1)`"),
        ("x⁻¹", "`x^-1`"),
        ("x ≤ 1", "`x <= 1`"),
    ],
)
def test_unicode_operators_get_their_ascii_form(expr, fix):
    r = invoke("eval", expr, "--at", "x=2")
    bad(r, "unexpected character", f"did you mean {fix}")
    lines = r.stderr.splitlines()
    assert lines[2].index("^") == lines[1].index(next(c for c in lines[1] if ord(c) > 127 or c == "|"))


def test_unicode_in_a_comment_is_fine():
    assert plain("eval", "x^2  # x² in a comment", "--at", "x=3")[0] == "9"


@pytest.mark.parametrize("name", ["θ", "λ", "σ2", "w_θ", "Δx"])
def test_names_are_unicode_identifiers(name):
    assert plain("grad", f"{name}^2", "--at", f"{name}=3") == ["9", "6", ""]


def test_greek_names_in_latex():
    r = invoke("diff", "θ^2*λ", "--wrt", "θ", "--format", "json")
    assert "\\theta" in r.json()["latex"] and "\\lambda" in r.json()["latex"]


def test_not_an_identifier_is_refused():
    bad(invoke("eval", "x½", "--at", "x=1"), "`x½` is not a name")


def test_pi_typed_as_a_greek_letter():
    bad(invoke("eval", "2*π"), "written `pi`")


def test_suggestions_ignore_case():
    bad(invoke("eval", "X^2", "--at", "x=3"), "`X` is not bound", "did you mean `x`?")
    bad(invoke("eval", "SIN(x)", "--at", "x=3"), "did you mean `sin`?")


def test_no_misleading_suggestion():
    r = invoke("eval", "square(x)", "--at", "x=1.5")
    bad(r, "`x^2`")
    assert "sqrt" not in r.stderr


def test_round_exists():
    r = invoke("eval", "round(x) + floor(x) + ceil(x) + trunc(x)", "--at", "x=1.5")
    assert r.code == 0 and r.stdout.strip() == "6", (r.stdout, r.stderr)


def test_an_expression_that_begins_with_minus():
    bad(invoke("eval", "-x^2", "--at", "x=1"), "goes after `--`", "diffcli eval --at x=1 -- '-x^2'", "'(-x^2)'")
    assert invoke("eval", "--at", "x=1", "--format", "plain", "--", "-x^2").stdout == "-1\n"


# -- files and expressions -----------------------------------------------------------------


@pytest.mark.parametrize("arg", ["nosuch.dc", "samples/rosenbrok.dc", "./x", "data/model.txt"])
def test_a_missing_file_is_named(arg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke("grad", arg, "--at", "x=1")
    bad(r, f"error: no such file: {arg}")


def test_a_path_like_expression_is_still_an_expression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plain("grad", "x/y", "--at", "x=1,y=2")[:2] == ["0.5", "0.5 -0.25"]


def test_a_file_named_like_the_expression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("x^3\n")
    r = invoke("grad", "x", "--at", "x=3", "--format", "plain")
    assert r.code == 0 and r.stdout == "3\n1\n"
    assert "./x" in r.stderr and "expression" in r.stderr
    r = invoke("grad", "./x", "--at", "x=3", "--format", "plain")
    assert r.code == 0 and r.stdout == "27\n27\n" and r.stderr == ""


def test_constant_definitions_leave_nothing_to_differentiate():
    r = invoke("grad", "x = 3; x^2", "--format", "plain")
    assert r.code == 0 and r.stdout.startswith("9\n")
    assert r.stderr.startswith("warning: nothing is differentiated") and "--at x=3" in r.stderr
    assert invoke("eval", "x = 3; x^2").stderr == ""  # nothing is asked to be differentiated
    assert invoke("grad", "c = 2; c*x", "--at", "x=1").stderr == ""  # x is


def test_a_function_definition_gets_the_body():
    bad(invoke("grad", "f(x) = x^2"), "defines a function", "`x^2`", "--at x=VALUE")


# -- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected", [("Adam", "adam"), ("ADAM", "adam"), ("sgd", "gd"), ("SGD", "gd"), ("Momentum", "momentum")]
)
def test_choices_ignore_case_and_sgd_is_gd(value, expected):
    a = invoke("minimize", "x^2", "--at", "x=1", "--steps", "3", "--optimizer", value, "--format", "json")
    b = invoke("minimize", "x^2", "--at", "x=1", "--steps", "3", "--optimizer", expected, "--format", "json")
    assert a.code == 0 and a.stdout == b.stdout


def test_format_ignores_case():
    assert invoke("grad", "x", "--at", "x=1", "--format", "JSON").json() == {"value": 1.0, "grad": {"x": 1.0}}


def test_a_bad_choice_points_to_the_command_help():
    r = invoke("minimize", "x^2", "--at", "x=1", "--optimizer", "rmsprop")
    bad(r, "--optimizer: `rmsprop` is not one of gd, momentum, adam", "diffcli minimize --help")
    assert "Value error" not in r.stderr


@pytest.mark.parametrize(
    "option,fragment",
    [
        ("--retain-graph", "starts fresh"),
        ("--create-graph", "diff --order 2"),
        ("--requires-grad", "--const"),
        ("--no-grad", "diffcli eval"),
    ],
)
def test_pytorch_options_get_the_diffcli_way(option, fragment):
    bad(invoke("grad", "x^2", "--at", "x=1", option), f"No such option: {option}", fragment)


def test_pytorch_commands_get_the_diffcli_way():
    bad(invoke("backward", "x^2", "--at", "x=1"), "`diffcli grad`")
    bad(invoke("Grad", "x^2"), "lower case")
    bad(invoke("hesian", "x^2"), "did you mean `hessian`?")


# -- through the installed command ---------------------------------------------------------


@pytest.mark.skipif(shutil.which("diffcli") is None, reason="diffcli is not installed")
@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["grad", "torch.sin(x)", "--at", "x=pi"], "write `sin(x)`"),
        (["grad", "x²", "--at", "x=1"], "`x^2`"),
        (["grad", "samples/rosenbrok.dc"], "no such file: samples/rosenbrok.dc"),
        (["minimize", "x^2", "--at", "x=1", "--optimizer", "rmsprop"], "diffcli minimize --help"),
    ],
)
def test_installed_command(argv, fragment, tmp_path):
    r = subprocess.run(
        ["diffcli", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert r.returncode == 2 and fragment in r.stderr and r.stdout == "", r.stderr


@pytest.mark.skipif(shutil.which("diffcli") is None, reason="diffcli is not installed")
def test_installed_command_reads_constant_points():
    r = subprocess.run(
        ["diffcli", "grad", "sin(x)", "--at", "x=pi/2", "--format", "plain"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "1", r.stderr


def readme_error_examples():
    """(command, shown stderr) for every `$ diffcli` line of docs/errors.md's block."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text.split("# Errors that teach", 1)[1]
    block = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    found = []
    for chunk in block.split("$ diffcli ")[1:]:
        line, _, shown = chunk.partition("\n")
        found.append((line, shown.rstrip("\n")))
    return found


@pytest.mark.parametrize("line,shown", readme_error_examples())
def test_readme_error_examples_are_real(line, shown, monkeypatch):
    import shlex
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    r = invoke(*shlex.split(line))
    assert r.code == 2 and r.stderr.rstrip("\n") == shown, (line, r.stderr)


def test_hints_never_fail_on_odd_text():
    """Whatever the text around a `.`, a `|` or a Unicode operator, the answer is one error."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from diffcli.errors import DiffcliError
    from diffcli.syntax.parse import parse

    alphabet = st.sampled_from(
        list("xyW.()[]|,+-*/^ 12=;#") + ["sin", "torch", "T", "pow", "√", "²", "×", "cos", "sum()", ".T", "np."]
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(alphabet, max_size=12).map("".join))
    def check(text):
        try:
            parse(text, {"x": (), "y": (), "W": (2, 2)})
        except DiffcliError as e:
            assert e.message and "\n" not in e.message

    check()

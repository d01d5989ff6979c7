"""Every exit-2 case of SPEC: one `error:` line saying what is wrong and how to mend it,
nothing on stdout, no traceback."""

from __future__ import annotations

import pytest

from conftest import invoke


def assert_bad(run, *fragments):
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert run.stdout == ""
    assert run.stderr.startswith("error: ")
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in run.stderr, run.stderr


def test_syntax_error_has_caret_under_the_place():
    r = invoke("eval", "x + * 2", "--at", "x=1")
    assert_bad(r, "unexpected `*`")
    lines = r.stderr.splitlines()
    assert lines[1].strip() == "x + * 2"
    assert lines[2].index("^") == lines[1].index("*")


def test_caret_in_a_file_names_the_line(tmp_path):
    path = tmp_path / "f.dc"
    path.write_text("a = x + 1\nb = a * * 2\nb\n")
    r = invoke("eval", str(path), "--at", "x=1")
    assert_bad(r, "line 2: b = a * * 2")
    lines = r.stderr.splitlines()
    assert lines[2].index("^") == lines[1].index("* 2")


@pytest.mark.parametrize("expr,suggestion", [("2x", "2*x"), ("(x+1)(x+2)", "(x+1)*(x+2)"), ("x y", "x*y")])
def test_juxtaposition_is_refused_with_a_suggestion(expr, suggestion):
    assert_bad(invoke("eval", expr, "--at", "x=1,y=2"), "juxtaposition", f"`{suggestion}`")


def test_unknown_function_suggests():
    assert_bad(invoke("eval", "sni(x)", "--at", "x=1"), "unknown function `sni`", "did you mean `sin`?")


def test_unbound_name_suggests():
    assert_bad(invoke("eval", "thta + 1", "--at", "theta=1"), "`thta` is not bound", "--at thta=", "`theta`")


def test_function_used_as_name():
    assert_bad(invoke("eval", "sin + 1"), "`sin` is a function")


def test_wrong_number_of_arguments():
    assert_bad(invoke("eval", "sin(x, x)", "--at", "x=1"), "sin() takes 1 argument, got 2")


def test_wrong_shapes():
    assert_bad(invoke("eval", "x + y", "--at", "x=[1,2],y=[1,2,3]"), "(2,)", "(3,)", "do not broadcast")


def test_matmul_shapes():
    assert_bad(invoke("eval", "W @ x", "--at", "W=[[1,2],[3,4]],x=[1,2,3]"), "`@`")


def test_index_out_of_range():
    assert_bad(invoke("eval", "x[3]", "--at", "x=[1,2]"), "out of")


@pytest.mark.parametrize("option", ["--wrt", "--const"])
def test_wrt_or_const_must_be_bound(option):
    assert_bad(invoke("grad", "x*y", "--at", "x=1,y=2", option, "z"), f"{option} z", "not bound")


def test_grad_of_vector_output_without_v():
    assert_bad(invoke("grad", "x + 1", "--at", "x=[1,2]"), "scalar output", "--v", "jacobian")


def test_v_of_wrong_length():
    assert_bad(invoke("grad", "x * 2", "--at", "x=[1,2,3]", "--v", "1,1"), "--v", "3 elements")


@pytest.mark.parametrize(
    "at,fragment",
    [
        ("x", "no value"),
        ("x=", "missing"),
        ("x=abc", "`abc` is not a constant"),
        ("x=[1,2", "unbalanced"),
        ("x=[[1,2],[3]]", "rectangular"),
        ("1x=2", "not a name"),
        ("x=1,x=2", "twice"),
        ("x=[]", "empty"),
    ],
)
def test_bad_at(at, fragment):
    assert_bad(invoke("eval", "1", "--at", at), "--at", fragment)


def test_unreadable_and_odd_files(tmp_path):
    assert_bad(invoke("eval", str(tmp_path)), "directory")
    binary = tmp_path / "b.dc"
    binary.write_bytes(b"\x00\x01\x02")
    assert_bad(invoke("eval", str(binary)), "binary")
    latin = tmp_path / "l.dc"
    latin.write_bytes("x + \xe9".encode("latin-1"))
    assert_bad(invoke("eval", str(latin), "--at", "x=1"), "UTF-8")
    empty = tmp_path / "e.dc"
    empty.write_text("# only a comment\n")
    assert_bad(invoke("eval", str(empty)), "empty")


def test_of_names_a_missing_statement(tmp_path):
    path = tmp_path / "f.dc"
    path.write_text("loss = x^2\n")
    assert_bad(invoke("eval", str(path), "--at", "x=1", "--of", "los"), "--of los", "`loss`")


def test_usage_errors_are_one_line():
    r = invoke("grad", "x", "--bogus")
    assert_bad(r, "--bogus")
    assert len(r.stderr.strip().splitlines()) == 1


def test_empty_expression():
    assert_bad(invoke("eval", "   "), "empty expression")


def test_unfinished_expression():
    assert_bad(invoke("eval", "x +", "--at", "x=1"), "ends too early")

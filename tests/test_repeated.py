"""A long sum read at the text level (syntax/repeated.py, compute/repeated.py): the terms are
split and grouped by shape without parsing each, and the answers are the general path's."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_template import REGULAR, ROSEN_AT, ROSENBROCK, SHAPES, both, compare

from conftest import invoke
from diffcli.compute import repeated
from diffcli.compute.request import Request
from diffcli.core import template
from diffcli.syntax import repeated as text_terms
from diffcli.syntax.points import parse_at


def split(text: str) -> list[tuple[float, str]] | None:
    found = text_terms.terms(text)
    return None if found is None else [(t.sign, t.text.strip()) for t in found]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("x + y", [(1, "x"), (1, "y")]),
        ("x - y + z", [(1, "x"), (-1, "y"), (1, "z")]),
        ("-x^2 - (a - b)*c", [(1, "-x^2"), (-1, "(a - b)*c")]),
        ("1e-3*x + 2.5E+2*y - .5e1", [(1, "1e-3*x"), (1, "2.5E+2*y"), (-1, ".5e1")]),  # exponent signs
        ("x^-2 + y*-z", [(1, "x^-2"), (1, "y*-z")]),  # unary minus inside a term
        ("a - -b", [(1, "a"), (-1, "-b")]),
        ("sin(x - y)*(1 + (u - v)^2) + x1e", [(1, "sin(x - y)*(1 + (u - v)^2)"), (1, "x1e")]),
    ],
)
def test_terms_are_split_at_the_top_level_plus_and_minus(text, expected):
    assert split(text) == expected


@pytest.mark.parametrize("text", ["x + (y", "x) + y", "[x, y][0] + x", "a = 1; a*x", "x < y", "x·y + y", "f(x, y)"])
def test_anything_but_plain_arithmetic_is_left_to_the_parser(text):
    assert split(text) is None


def test_a_shape_is_its_text_with_slots():
    a, b, c = text_terms.terms("100*(x2 - x1^2)^2 + 100*(x3 - x2 ^ 2)^2 + 100*(x3 - x3^2)^2")
    assert a.shape == b.shape != c.shape  # blanks do not count; a repeated variable does
    assert (a.names, b.names, c.names) == (["x2", "x1"], ["x3", "x2"], ["x3"])
    assert text_terms.terms("sin(x) + sin (y)")[0].names == ["x"]  # a called name is no slot


def quick_and_general(text: str, at: list[str], kind: str | None):
    """(the text level's result, the graph templates', the general path's)."""
    req = Request(gradient=True) if kind is None else Request(hessian=kind)
    fast = repeated.compute(text, parse_at(at), req, "grad" if kind is None else "hessian")
    return (fast, *both(text, at, kind))


TERM = st.tuples(
    st.integers(0, 2),
    st.integers(0, 11),
    st.integers(0, 11),
    st.integers(0, 11),
    st.sampled_from(["+", "-", " -", "+ "]),
)
NUMBERS = st.sampled_from(["2", "0.5", "100", "3", "1.25", "1e-3", "2.5e+1", ".5"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(REGULAR), NUMBERS), min_size=1, max_size=3),
    st.lists(TERM, min_size=template.MIN_TERMS, max_size=template.MIN_TERMS + 40),
    st.integers(3, 12),
    st.sampled_from([None, "sparse", "dense"]),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_text_level_terms_give_the_general_answers(menu, drawn, n, kind, seed, lead):
    """Random long sums, written with varied blanks and signs: the text level finds the
    templates the graph level finds, and both give the general path's answers."""
    text, used = "-" if lead else "", set()
    for choice, i, j, k, sign in drawn:
        shape, c = menu[choice % len(menu)]
        written = SHAPES[shape][0].format(i=i % n + 1, j=j % n + 1, k=k % n + 1, c=c)
        text += (f" {sign} " if text not in ("", "-") else "") + written
        used |= {m % n + 1 for m, letter in ((i, "i"), (j, "j"), (k, "k")) if "{" + letter + "}" in SHAPES[shape][0]}
    if not used:
        text, used = text + " + 0*x1", {1}
    point = np.random.default_rng(seed).uniform(-1.5, 1.5, n)
    at = [",".join(f"x{m}={float(point[m - 1])!r}" for m in sorted(used))]
    fast, templated, general = quick_and_general(text, at, kind)
    assert fast is not None
    compare(fast, general, kind)
    if templated is not None:  # (the parser folds a run of numbers: 2 + 2 + ... is no long sum there)
        assert float(fast.data["value"]) == float(templated.data["value"])  # the same terms, summed alike


@pytest.mark.parametrize(
    "text,at",
    [
        (ROSENBROCK + " + y", ROSEN_AT),  # y is not bound: the general path says so
        (ROSENBROCK, [ROSEN_AT[0] + ",y=1"]),  # y is bound and not used
        (ROSENBROCK.replace("x7", "[x7, 1][0]", 1), ROSEN_AT),  # not plain
        (ROSENBROCK.replace("100*(x8", "100*(abs(x8)", 1), ROSEN_AT),  # a kink
        (ROSENBROCK + " + log(x3 - 10)", ROSEN_AT),  # a value that is not finite
        (ROSENBROCK + " + (x1 * * x2)", ROSEN_AT),  # a term that does not parse
        (" + ".join(f"x{i}^{i}" for i in range(1, 40)) + " + x1", [",".join(f"x{i}=1" for i in range(1, 40))]),
    ],
)
def test_the_general_path_takes_what_is_not_plain(text, at):
    assert repeated.compute(text, parse_at(at), Request(gradient=True), "grad") is None


def test_extended_rosenbrock_through_the_command_line_both_ways(monkeypatch):
    answered = []
    original = repeated.compute
    monkeypatch.setattr(repeated, "compute", lambda *a: answered.append(original(*a)) or answered[-1])
    everything = ",".join(f"x{i}" for i in range(1, 201))  # --wrt: the general path
    for args in (["grad"], ["hessian", "--sparse"]):
        quick = invoke(*args, ROSENBROCK, "--at", ROSEN_AT[0], "--format", "json")
        general = invoke(*args, ROSENBROCK, "--at", ROSEN_AT[0], "--wrt", everything, "--format", "json")
        assert quick.code == general.code == 0 and quick.stdout == general.stdout
    assert len(answered) == 2 and all(a is not None for a in answered)  # the text level answered both


def test_an_expression_file_ending_in_a_line_break_takes_the_text_level(tmp_path, monkeypatch):
    answered = []
    original = repeated.compute
    monkeypatch.setattr(repeated, "compute", lambda *a: answered.append(original(*a)) or answered[-1])
    path = tmp_path / "rosen.dc"
    path.write_text(ROSENBROCK + "\n")
    run = invoke("grad", str(path), "--at", ROSEN_AT[0], "--format", "json")
    assert run.code == 0 and answered and answered[0] is not None
    assert split("x + y\n") == [(1, "x"), (1, "y")] and split("x +\n y") is None  # a line inside is a statement


def test_out_file_from_the_text_level(tmp_path):
    out = tmp_path / "g.npy"
    run = invoke("grad", ROSENBROCK, "--at", ROSEN_AT[0], "--out", str(out))
    assert run.code == 0, run.stderr
    general = invoke("grad", ROSENBROCK, "--at", ROSEN_AT[0], "--format", "json").json()["grad"]
    np.testing.assert_array_equal(np.load(out), [general[f"x{i}"] for i in range(1, 201)])


@pytest.mark.parametrize(
    "text",
    [
        "1" + "0" * 200_000,
        "1" + "0" * 200_000 + "e",
        "1." + "0" * 200_000 + "e5 + x",
        "x" * 200_000 + " " * 200_000 + "y",
    ],
)
def test_reading_terms_stays_linear_on_hostile_text(text):
    """A 10^5-digit literal once made the exponent pattern backtrack quadratically (minutes)."""
    start = time.perf_counter()
    text_terms.terms(text)
    assert time.perf_counter() - start < 2

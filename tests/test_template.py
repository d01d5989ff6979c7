"""Repeated structure differentiated once (core/template.py): a long sum of terms of a few
shapes gives the general path's value, gradient and Hessian (dense and sparse), and falls back
to the general path where it does not qualify."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.compute import request
from diffcli.compute.problem import load
from diffcli.compute.request import Request
from diffcli.core import template

SHAPES = (  # (text with {i} {j} {k} for variables and {c} for a number, qualifies)
    ("{c}*(x{j} - x{i}^2)^2", True),
    ("({c} - x{i})^2", True),
    ("sin(x{i})*x{j}", True),
    ("exp({c}*x{i})", True),
    ("x{i}*x{j}*x{k}", True),
    ("log(1 + x{i}^2)", True),
    ("x{i}/(1 + x{j}^2)", True),
    ("tanh(x{i} - {c}*x{j})", True),
    ("sqrt(1 + x{i}^2 + x{k}^2)", False),  # sqrt: the edge of its domain is a kink
    ("x{i}", True),
    ("{c}", True),
    ("abs(x{i} - x{j})", False),  # a kink: the general path probes it
)


def both(text: str, at: list[str], kind: str | None):
    """(templated result or None, general result) of grad (kind None) or hessian."""
    req = Request(gradient=True) if kind is None else Request(hessian=kind)
    command = "grad" if kind is None else "hessian"
    fast = request.templated(load(text, at), req, command)
    saved, template.MIN_TERMS = template.MIN_TERMS, 10**9  # no sum is long enough: the general path
    try:
        general = request.compute(load(text, at), Request(gradient=True, kinks=True) if kind is None else req, command)
    finally:
        template.MIN_TERMS = saved
    return fast, general


def dense(h) -> np.ndarray:
    if isinstance(h, np.ndarray):
        return h
    out = np.zeros((h.size, h.size))
    out[h.rows, h.cols] = h.values
    return out


def compare(fast, general, kind) -> None:
    scale = max(1.0, float(np.max(np.abs([*general.data["grad"].values(), general.data["value"]]))))
    assert float(fast.data["value"]) == pytest.approx(float(general.data["value"]), rel=1e-12, abs=1e-12 * scale)
    assert list(fast.data["grad"]) == list(general.data["grad"])
    np.testing.assert_allclose(
        np.array([float(v) for v in fast.data["grad"].values()]),
        np.array([float(v) for v in general.data["grad"].values()]),
        rtol=1e-10,
        atol=1e-12 * scale,
    )
    if kind is not None:
        a, b = dense(fast.data["hessian"]), dense(general.data["hessian"])
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(b).max()))
        if kind == "sparse":  # the general path's entries, row by row, but for its structural zeros:
            # differentiated once, the template knows d2(x1*x1*x2)/dx2^2 is 0, which the general
            # path's structure keeps as an entry (found by a DIFFCLI_HYPOTHESIS=deep run)
            h, g = fast.data["hessian"], general.data["hessian"]
            kept = set(zip(h.rows.tolist(), h.cols.tolist()))
            assert kept <= set(zip(g.rows.tolist(), g.cols.tolist()))
            assert all(v == 0 for r, c, v in zip(g.rows, g.cols, g.values) if (r, c) not in kept)
            order = np.lexsort((h.cols, h.rows))
            assert (order == np.arange(len(order))).all()  # row by row


REGULAR = [k for k, (_, qualifies) in enumerate(SHAPES) if qualifies]
# A few shapes with their numbers, then many terms of them over random variables: at most 3
# shapes x 5 ways their variables coincide (x1*x1*x2 is another shape than x1*x2*x3)
MENU = st.lists(st.tuples(st.sampled_from(REGULAR), st.sampled_from(["2", "0.5", "100", "3", "1.25"])), min_size=1)
TERM = st.tuples(st.integers(0, 2), st.integers(0, 11), st.integers(0, 11), st.integers(0, 11), st.sampled_from("+-"))


@settings(max_examples=40, deadline=None)
@given(
    MENU.map(lambda menu: menu[:3]),
    st.lists(TERM, min_size=template.MIN_TERMS, max_size=template.MIN_TERMS + 40),
    st.integers(3, 12),
    st.sampled_from([None, "sparse", "dense"]),
    st.integers(0, 2**32 - 1),
    st.sampled_from([None] + [k for k in range(len(SHAPES)) if k not in REGULAR]),
)
def test_templates_give_the_general_answers(menu, drawn, n, kind, seed, spoiler):
    """Random long sums of regular terms: the same answers both ways; one term with a kink
    (`spoiler`) sends the whole sum down the general path."""
    text, used = "", set()
    for place, (choice, i, j, k, sign) in enumerate(drawn):
        shape, c = menu[choice % len(menu)]
        if spoiler is not None and place == len(drawn) - 1:
            shape = spoiler
        written = SHAPES[shape][0].format(i=i % n + 1, j=j % n + 1, k=k % n + 1, c=c)
        text += (f" {sign} " if text else "") + written
        used |= {m % n + 1 for m, letter in ((i, "i"), (j, "j"), (k, "k")) if "{" + letter + "}" in SHAPES[shape][0]}
    point = np.random.default_rng(seed).uniform(-1.5, 1.5, n)
    at = [",".join(f"x{m}={float(point[m - 1])!r}" for m in sorted(used)) or "x1=1"]
    if not used:
        text += " + 0*x1"
    fast, general = both(text, at, kind)
    long_sum = len(template.terms(load(text, at).output)) >= template.MIN_TERMS  # the parser folds 2 + 2 + ...
    assert (fast is not None) == (spoiler is None and long_sum)  # every value here is finite
    if fast is not None:
        compare(fast, general, kind)


ROSENBROCK = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, 200))
ROSEN_AT = [",".join(f"x{i}={0.5 + 0.01 * i!r}" for i in range(1, 201))]


@pytest.mark.parametrize("kind", [None, "sparse", "dense"])
def test_extended_rosenbrock(kind):
    fast, general = both(ROSENBROCK, ROSEN_AT, kind)
    p = load(ROSENBROCK, ROSEN_AT)
    assert fast is not None and len(template.split(p.output, p.wrt)) == 2
    compare(fast, general, kind)
    assert fast.data["value"] == general.data["value"]  # summed in the written order


def test_short_or_irregular_sums_take_the_general_path():
    p = load("x*y + sin(x)", ["x=1,y=2"])
    assert template.split(p.output, p.wrt) is None  # too few terms
    p = load(ROSENBROCK, ROSEN_AT, wrt=["x1", "x2"])
    assert template.split(p.output, p.wrt) is None  # a variable not differentiated
    many = " + ".join(f"x{i}^{i}" for i in range(1, 80))  # 79 shapes
    p = load(many, [",".join(f"x{i}=1" for i in range(1, 80))])
    assert template.split(p.output, p.wrt) is None


def test_a_value_that_is_not_finite_is_named_by_the_general_path():
    text = " + ".join(f"log(x{i})" for i in range(1, 80))
    at = [",".join(f"x{i}={0 if i == 7 else 1}" for i in range(1, 80))]
    assert request.templated(load(text, at), Request(gradient=True), "grad") is None
    run = invoke("grad", text, "--at", at[0], "--format", "json")
    assert run.code == 0 and "log" in run.stderr and "x7" in run.stdout


def test_command_line_same_numbers():
    run = invoke("hessian", "--sparse", ROSENBROCK, "--at", ROSEN_AT[0], "--format", "json")
    assert run.code == 0, run.stderr
    h = run.json()["hessian"]
    assert h["shape"] == [200, 200] and len(h["rows"]) == 3 * 200 - 2
    x = 0.5 + 0.01 * np.arange(1, 201)
    main = np.zeros(200)
    main[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    main[1:] += 200
    diagonal = {r: v for r, c, v in zip(h["rows"], h["cols"], h["values"]) if r == c}
    np.testing.assert_allclose([diagonal[k] for k in range(200)], main, rtol=1e-13)

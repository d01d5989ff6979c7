"""Forward mode: `jvp`, `jacobian --mode`, and `explain --u` against reverse mode, central
differences and the forward rules of every op."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from conftest import invoke
from diffcli.core import autodiff, forward
from diffcli.core.numcheck import central_jacobian
from diffcli.core.ops import OPS
from diffcli.syntax.parse import parse
from helpers import evaluate, value_of
from strategies import coordinates, expressions


def jacobians(text: str, point: dict) -> tuple[np.ndarray, np.ndarray]:
    shapes = {k: np.shape(v) for k, v in point.items()}
    p = parse(text, shapes)
    wrt = [p.graph.var(k, shapes[k]) for k in point]
    values = []
    for rows in (autodiff.jacobian(p.output, wrt), forward.jacobian(p.output, wrt)):
        values.append(np.array(evaluate([e for row in rows for e in row], point), dtype=float))
    return values[0], values[1]


@settings(max_examples=60, deadline=None)
@given(expressions, expressions, coordinates, coordinates)
def test_forward_jacobian_equals_reverse_on_random_expressions(f, g, x, y):
    reverse, fwd = jacobians(f"[{f}, {g}, ({f})*({g})]", {"x": x, "y": y})
    assert np.allclose(fwd, reverse, rtol=1e-12, atol=1e-12, equal_nan=True)


# every non-elementwise op and the elementwise ops with explicit forward rules
@pytest.mark.parametrize(
    "text,point",
    [
        ("W @ v + v[:2]*x", {"W": [[1.0, 2, 3], [3, 4, 5]], "v": [0.5, 1.5, -1.0], "x": 2.0}),
        ("v @ W", {"W": [[1.0, 2], [3, 4], [5, 6]], "v": [0.5, 1.5, -1.0]}),
        ("W @ W", {"W": [[1.0, 2], [3, 4.5]]}),
        ("[max(v), min(v), prod(v), norm(v), logsumexp(v), mean(v), sum(v^2)]", {"v": [0.5, 1.5, -1.0]}),
        ("softmax(v) * v[0]", {"v": [0.5, 1.5, -1.0]}),
        ("[where(x > 0, sqrt(x), x^2), relu(x)*y, clamp(x, 0, 1), max(x, y)]", {"x": 1.3, "y": 0.7}),
        ("v[1:] * v[0] + [x, y]", {"v": [0.5, 1.5, -1.0], "x": 2.0, "y": 3.0}),
        ("sum(W, ) * W[0, 1]".replace(", )", ")"), {"W": [[1.0, 2], [3, 4.5]]}),
        (
            "[asinh(x), sec(x), sinc(x), hypot(x, y), mod(x, y), floor(x)*y, exp2(x), acot(y), coth(x)]",
            {"x": 1.3, "y": 0.7},
        ),
    ],
)
def test_forward_jacobian_equals_reverse_and_differences(text, point):
    point = {k: np.asarray(v, dtype=float) for k, v in point.items()}
    reverse, fwd = jacobians(text, point)
    assert np.allclose(fwd, reverse, rtol=1e-13, atol=1e-14)
    numeric = central_jacobian(lambda pt: value_of(text, pt).reshape(-1), point, list(point))
    assert np.allclose(fwd.reshape(numeric.shape), numeric, rtol=1e-6, atol=1e-8)


def test_detach_stops_the_tangent_as_it_stops_the_adjoint():
    reverse, fwd = jacobians("[detach(x)*y, x*detach(y)^2]", {"x": 1.5, "y": -0.5})
    assert fwd.tolist() == reverse.tolist() == [0.0, 1.5, 0.25, 0.0]


def test_every_op_has_a_forward_rule_or_is_elementwise():
    for name, op in OPS.items():
        assert op.jvp is not None or op.elementwise or op.arity == 0, name


def test_where_keeps_the_untaken_branch_out_of_the_tangent():
    """where(x > 0, sqrt(x), 0) at x = -1: sqrt' is nan there, and the tangent must be 0."""
    r = invoke("jvp", "where(x > 0, sqrt(x), 0)", "--at", "x=-1", "--u", "1", "--format", "json")
    assert r.json() == {"value": 0.0, "jvp": 0.0, "wrt": ["x"], "u": [1.0]} and "warning" not in r.stderr


def test_jvp_command_matches_the_jacobian_times_u():
    r = invoke("jvp", "x^2*y", "--at", "x=2,y=3", "--u", "1,1", "--format", "json")
    assert r.code == 0 and r.json()["value"] == 12.0 and r.json()["jvp"] == 16.0
    assert invoke("jvp", "x^2*y", "--at", "x=2,y=3", "--u", "1,1", "--format", "plain").stdout == "12\n16\n"
    text, at, u = "[x*sin(y), exp(x*y), sum(v*x)]", "x=0.3,y=-1.2,v=[1,2]", [0.5, -2.0, 1.0, 3.0]
    jac = np.array(invoke("jacobian", text, "--at", at, "--format", "json").json()["jacobian"])
    d = invoke("jvp", text, "--at", at, "--u", ",".join(map(str, u)), "--format", "json").json()
    assert np.allclose(d["jvp"], jac @ np.array(u), rtol=1e-14, atol=1e-15)
    # --wrt picks the variables (and the order) U goes with; the others stay fixed
    d = invoke("jvp", text, "--at", at, "--wrt", "y,x", "--u", "-2,0.5", "--format", "json").json()
    assert np.allclose(d["jvp"], jac[:, :2] @ np.array([0.5, -2.0]), rtol=1e-14)


@pytest.mark.parametrize(
    "args,message",
    [
        (("jvp", "x*y", "--at", "x=1,y=2", "--u", "1"), "give one number per variable element"),
        (("jvp", "x*y", "--at", "x=1,y=2"), "Missing option '--u'"),
        (("jvp", "x*y", "--at", "x=1,y=2", "--u", "1,a"), "--u"),
    ],
)
def test_jvp_bad_input_is_one_error_line(args, message):
    r = invoke(*args)
    assert r.code == 2 and message in r.stderr and r.stdout == ""


def test_jacobian_mode_is_chosen_by_shape_and_both_agree():
    text, at = "[x^2, x*y, sin(y), x + y, x - y]", "x=0.5,y=2"
    results = {
        mode: invoke("jacobian", text, "--at", at, "--mode", mode, "--format", "json").json()
        for mode in ("auto", "forward", "reverse")
    }
    assert np.allclose(results["forward"]["jacobian"], results["reverse"]["jacobian"], rtol=1e-15)
    assert results["auto"] == results["forward"]
    from diffcli.compute import problem, request

    wide = problem.load(text, [at])
    assert request.forward_mode(wide, "auto") and not request.forward_mode(problem.load("x*y", [at]), "auto")


def test_jacobian_forward_mode_on_points(tmp_path):
    data = tmp_path / "p.csv"
    data.write_text("x,y\n1,2\n0.5,-1\n")
    rows = {
        mode: invoke("jacobian", "[x*y, x^2, y]", "--points", str(data), "--mode", mode).stdout
        for mode in ("forward", "reverse")
    }
    assert rows["forward"] == rows["reverse"] and rows["forward"].count("\n") == 3


def test_explain_u_shows_the_forward_sweep_and_says_which_is_which():
    r = invoke("explain", "x^2*y", "--at", "x=2,y=3", "--u", "1,1", "--format", "plain")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "  da = dx*2*x = 1*4 = 4" in lines and "  df = da*y + dy*a = 4*3 + 1*4 = 16" in lines
    assert any(line.startswith("  J u = 16") and "torch.func.jvp" in line and "v^T J" in line for line in lines)
    assert lines.index("Jacobian-vector product") < lines.index("backward pass: df/d(node), reverse topological order")
    d = invoke("explain", "[x*y, sin(x)]", "--at", "x=2,y=3", "--u", "1,0", "--format", "json").json()
    assert d["jvp"] == pytest.approx([3.0, np.cos(2.0)], rel=1e-15)
    latex = invoke(
        "explain", "sum(W @ v)", "--at", "W=[[1,2],[3,4]],v=[1,1]", "--u", "1,0,0,0,1,0", "--format", "latex"
    )
    assert latex.code == 0 and "\\mathrm{d}" in latex.stdout


def test_explain_u_matches_jvp_on_random_points():
    rng = np.random.default_rng(3)
    for _ in range(5):
        x, y, a, b = rng.uniform(-2, 2, size=4).tolist()
        text = "tanh(x*y) + softplus(x - y)^2"
        at, u = f"x={x!r},y={y!r}", f"{a!r},{b!r}"
        mine = invoke("explain", text, "--at", at, f"--u={u}", "--format", "json").json()["jvp"]
        theirs = invoke("jvp", text, "--at", at, f"--u={u}", "--format", "json").json()["jvp"]
        assert mine == theirs

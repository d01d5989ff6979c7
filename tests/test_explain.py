"""`diffcli explain`: seed examples 1, 2, 10 and 11 step by step with exact numbers, the local
derivatives derived from the ops' rules (their texts parse back and agree with the rules),
output shapes (LaTeX, JSON, Rich), the step cap, and errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from diffcli.algebra.text import to_text, unwritable
from diffcli.compute.problem import load
from diffcli.compute.request import Request, compute
from diffcli.core import autodiff, local
from diffcli.core.graph import Graph
from diffcli.core.ops import OPS, fit_shape
from diffcli.explain.backward import explain
from diffcli.syntax.parse import parse
from helpers import evaluate, grad_of, numeric_grad_of


def explanation(problem):
    return explain(problem).data["explanation"]


def lines(run) -> list[str]:
    assert run.code == 0, run.stderr
    return [line.strip() for line in run.stdout.splitlines()]


def step_line(out: list[str], start: str) -> str:
    found = [line for line in out if line.startswith(start + " ")]
    assert len(found) == 1, (start, out)
    return found[0]


# ---------------------------------------------------------------- seed examples


def test_seed_1_forward_and_backward(cli):
    out = lines(cli("explain", "(x+1)*(x+2)", "--at", "x=2"))
    assert out[0] == "forward pass"
    assert out[1:5] == ["x = 2", "a = x + 1 = 3", "b = x + 2 = 4", "y = a*b = 12"]
    assert out[5].startswith("backward pass")
    assert step_line(out, "dy/da") == "dy/da = b = 4"
    assert step_line(out, "dy/db") == "dy/db = a = 3"
    assert step_line(out, "dy/dx").startswith("dy/dx = dy/da*1 + dy/db*1 = 4*1 + 3*1 = 7 ")
    assert "contributions are summed" in step_line(out, "dy/dx")
    # reverse topological order: y's seed first, every node before the nodes it uses
    order = [line.split(" ")[0] for line in out[6:]]
    assert order == ["dy/dy", "dy/db", "dy/da", "dy/dx"]


def test_seed_2_gradient_and_hessian_entries(cli):
    out = lines(cli("explain", "x*x*y", "--at", "x=2,y=3", "--hessian", "x"))
    assert out[1:5] == ["x = 2", "y = 3", "a = x*x = 4", "f = a*y = 12"]  # y is taken: output is f
    assert step_line(out, "df/da") == "df/da = y = 3"
    assert step_line(out, "df/dx").startswith("df/dx = df/da*x + df/da*x = 3*2 + 3*2 = 12 ")
    assert "enters a 2 times" in step_line(out, "df/dx")
    assert step_line(out, "df/dy") == "df/dy = a = 4"
    assert step_line(out, "dg/dx") == "dg/dx = dg/db*y = 2*3 = 6"
    assert step_line(out, "H[x,x]").startswith("H[x,x] = 6 ")


@pytest.mark.parametrize("pair", ["x,x", "x,y", "y,x", "y,y"])
def test_seed_2_every_hessian_entry_agrees_with_hessian(cli, pair):
    run = cli("explain", "x*x*y", "--at", "x=2,y=3", "--hessian", pair, "--format", "json")
    assert run.code == 0, run.stderr
    last = run.json()["steps"][-1]
    problem = load("x*x*y", ["x=2,y=3"])
    h = compute(problem, Request(hessian="dense"), "hessian").data["hessian"]
    i, j = ("xy".index(c) for c in pair.split(","))
    assert last["name"] == f"H[{pair}]"
    assert last["value"] == h[i][j] == [[6, 4], [4, 0]][i][j]


def test_seed_10_vjp(cli):
    out = lines(cli("explain", "x*y", "--at", "x=[0,2,8]", "--at", "y=[5,1,7]", "--v", "1,1,1"))
    assert step_line(out, "dL/dy").startswith("dL/dy = dL/df*x = [1, 1, 1]*[0, 2, 8] = [0, 2, 8]")
    assert step_line(out, "dL/dx").startswith("dL/dx = dL/df*y = [1, 1, 1]*[5, 1, 7] = [5, 1, 7]")
    run = cli("explain", "x*y", "--at", "x=[0,2,8]", "--at", "y=[5,1,7]", "--v", "1,1,1", "--format", "json")
    assert run.json()["grad"] == {"x": [5, 1, 7], "y": [0, 2, 8]}


def test_seed_11_vjp_is_a_weighted_sum_not_the_jacobian(cli):
    out = lines(cli("explain", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1"))
    assert step_line(out, "dL/dx1").startswith("dL/dx1 = dL/da*2*x1 + dL/dg*2 = 1*4 + 1*2 = 6 ")
    assert step_line(out, "dL/dx2").startswith("dL/dx2 = dL/db*3 + dL/df*2*x2 = 1*3 + 1*6 = 9 ")
    jtv = step_line(out, "J^T")
    assert jtv.startswith("J^T v = v[0]*J[0] + v[1]*J[1] = 1*[4, 3] + 1*[2, 6] = [6, 9] ")
    assert "not the Jacobian" in jtv


def test_seed_11_jacobian_row_by_row(cli):
    out = lines(cli("explain", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--jacobian"))
    assert "Jacobian row 1 of 2: v = e1 = [1, 0]" in out
    assert "Jacobian row 2 of 2: v = e2 = [0, 1]" in out
    assert step_line(out, "J[0]").startswith("J[0] = [4, 3] ")
    assert step_line(out, "J[1]").startswith("J[1] = [2, 6] ")
    assert step_line(out, "J") == "J = [[4, 3], [2, 6]]"
    assert step_line(out, "dy[1]/dx1").startswith("dy[1]/dx1 = dy[1]/da*2*x1 + dy[1]/dg*2 = 0*4 + 1*2 = 2 ")
    problem = load("[x1^2 + 3*x2, x2^2 + 2*x1]", ["x1=2,x2=3"])
    jac = compute(problem, Request(jacobian=True), "jacobian").data["jacobian"]
    assert jac.tolist() == [[4, 3], [2, 6]]


def test_named_intermediates_keep_their_names(cli, tmp_path):
    path = tmp_path / "f.dc"
    path.write_text("u = x^2 + 3\nv2 = sin(u)\nv2*u\n")
    out = lines(cli("explain", str(path), "--at", "x=2"))
    assert step_line(out, "u").startswith("u = a + 3 = 7")
    assert step_line(out, "v2").startswith("v2 = sin(u) = ")
    assert step_line(out, "y").startswith("y = v2*u = ")
    assert "feeds 2 nodes" in step_line(out, "dy/du")


def test_const_leaf_gets_no_adjoint(cli):
    out = lines(cli("explain", "w*x + b", "--at", "w=2,x=3,b=1", "--const", "x"))
    assert "x = 3   (constant (requires_grad=False))" in out
    assert not any(line.startswith("dy/dx ") for line in out)
    assert step_line(out, "dy/dw") == "dy/dw = dy/da*x = 1*3 = 3"


# ---------------------------------------------------------------- the numbers add up


EXPRS = [
    "sin(x)*exp(y) + x/y",
    "(x+y)^2 - log(x)",
    "sqrt(x*y) + tanh(x - y)",
    "x^y + atan2(x, y)",
    "max(x, y)*min(x, y) + abs(x - 1)",
    "where(x > y, x*x, y*y) + sigmoid(x)",
]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(EXPRS), st.floats(0.3, 2.5), st.floats(0.3, 2.5))
def test_explained_gradient_matches_central_differences_and_adds_up(text, x, y):
    assume(abs(x - y) > 1e-3 and abs(x - 1) > 1e-3)  # off the kinks, where differences disagree
    point = {"x": x, "y": y}
    ex = explanation(load(text, [f"x={x!r},y={y!r}"]))
    numeric = numeric_grad_of(text, point)
    exact = grad_of(text, point)
    for name in ("x", "y"):
        assert np.allclose(ex.grad[name], exact[name], rtol=1e-12, atol=1e-12)
        assert np.allclose(ex.grad[name], numeric[name], rtol=1e-6, atol=1e-6)
    for step in ex.steps:  # each shown sum of products equals the shown value
        if step.terms:
            total = sum(np.prod([ex.number(n) for n in term]) for term in step.terms)
            assert np.allclose(total, ex.number(step.value), rtol=1e-12, atol=1e-12), step


# ---------------------------------------------------------------- local derivatives from the rules

# Argument shapes (and payload) for ops that are not scalar elementwise.
SAMPLES = {
    "matmul": [((3,), (3,)), None],
    "sum": [((4,),), 1],
    "mean": [((2, 3),), 2],
    "prod": [((4,),), 1],
    "norm": [((4,),), 1],
    "max": [((4,),), 1],
    "min": [((4,),), 1],
    "logsumexp": [((4,),), None],
    "softmax": [((4,),), None],
    "stack": [((), (), ()), None],
    "index": [((3,),), (1,)],
    "scatter": [((),), ((3,), (1,))],
    "transpose": [((2, 3),), None],
    "expand": [((3,),), 1],
    "sum_to": [((2, 3),), (3,)],
    "broadcast_to": [((3,),), (2, 3)],
    "function": [((),), ("f", 0)],
}
OP_NAMES = sorted(name for name in OPS if name not in ("const", "var"))
# Ops that only derivative rules insert: no expression text reaches them.
INTERNAL = {"scatter", "transpose", "expand", "sum_to", "broadcast_to"}
# An undefined function (--function f) has no values to compare.
REACHABLE = sorted(set(OP_NAMES) - INTERNAL - {"function"})


def sample(name: str) -> list:
    return SAMPLES[name] if name in SAMPLES else [((),) * OPS[name].arity, None]


ROUTING = sorted(name for name in OP_NAMES if local.derive(name, *sample(name)).kind == "route")


def build(name: str, rng):
    """(derived local rule, the op over variables in a graph of its own, its arguments, g, a point)."""
    op = OPS[name]
    shapes, payload = sample(name)
    graph = Graph()
    names = local.arg_names(len(shapes))
    args = [graph.var(n, s) for n, s in zip(names, shapes)]
    lo, hi = op.domain
    point = {n: rng.uniform(lo, hi, size=s) for n, s in zip(names, shapes)}
    node = graph.node(name, tuple(args), payload)
    g = graph.var("g", node.shape)
    point["g"] = rng.uniform(-2, 2, size=node.shape)
    return local.derive(name, shapes, payload), node, args, g, point


def text_of(rule, i: int) -> str:
    return to_text(local.shown(rule, i))


def parse_back(rule, i: int, node, args):
    """The derived text of argument i parsed by diffcli's parser (y: the node, g: its adjoint)."""
    shapes = {a.name: a.shape for a in args} | {"y": node.shape, "g": node.shape}
    return parse(text_of(rule, i), shapes).output


def mine_and_rule(rule, i, node, args, g):
    """(the derived text's contribution, the rule's), both shaped like argument i."""
    text = parse_back(rule, i, node, args)
    mine = text.graph.var("g", node.shape) * text if rule.kind == "factor" else text
    parts = OPS[node.op].vjp(node, g, (True,) * len(args))
    return fit_shape(mine, args[i].shape), fit_shape(parts[i], args[i].shape)


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_has_a_local_text_per_argument(name):
    rule, node, args, g, _ = build(name, np.random.default_rng(0))
    assert len(rule.parts) == len(args), name
    rule_parts = OPS[name].vjp(node, g, (True,) * len(args))
    for i in range(len(args)):
        assert (rule.parts[i] is None) == (rule_parts[i] is None), (name, i)
        if rule.parts[i] is not None:
            assert text_of(rule, i)  # renders, names known


@pytest.mark.parametrize("name", sorted(set(REACHABLE) - set(ROUTING)))
def test_local_text_parses_back_and_agrees_with_the_derivative_rule(name):
    rng = np.random.default_rng(7)
    for _ in range(3):
        rule, node, args, g, point = build(name, rng)
        (point["y"],) = evaluate([node], point)
        for i, arg in enumerate(args):
            if rule.parts[i] is None:
                continue
            mine, theirs = mine_and_rule(rule, i, node, args, g)
            (a,), (b,) = evaluate([mine], point), evaluate([theirs], point)
            assert np.allclose(a, b, rtol=1e-12, atol=1e-12), (name, i, text_of(rule, i), a, b)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4))])
def test_matrix_product_texts_are_whole_contributions_at_every_shape(shapes):
    """The contributions named by the text; where the language can write it, it parses back."""
    rng = np.random.default_rng(11)
    graph = Graph()
    args = [graph.var(n, s) for n, s in zip("ab", shapes)]
    node = graph.node("matmul", tuple(args))
    g = graph.var("g", node.shape)
    rule = local.derive("matmul", shapes)
    point = {"a": rng.normal(size=shapes[0]), "b": rng.normal(size=shapes[1]), "g": rng.normal(size=node.shape)}
    (point["y"],) = evaluate([node], point)
    assert rule.kind == "whole"
    for i in range(2):
        assert "g" in text_of(rule, i)
        if unwritable(local.shown(rule, i)):  # expand(g) of a vector, transpose: no text for them
            continue
        mine, theirs = mine_and_rule(rule, i, node, args, g)
        (a,), (b,) = evaluate([mine], point), evaluate([theirs], point)
        assert np.allclose(a, b, rtol=1e-12, atol=1e-12), (shapes, i, text_of(rule, i))


# Points on the kinks and ties, where a rule makes a choice the text must make too.
SPECIAL = {
    "prod": [([0, 2, 3, 4],), ([0, 0, 1, 2],)],
    "norm": [([0, 0, 0, 0],)],
    "max": [([1, 3, 3, 2],)],
    "min": [([2, 1, 1, 5],)],
    "abs": [(0,)],
    "relu": [(0,)],
    "sign": [(0,)],
    "sqrt": [(0,)],
    "maximum": [(1.5, 1.5)],
    "minimum": [(1.5, 1.5)],
    "clamp": [(1, 1, 2), (2, 1, 2)],
    "where": [(0, 1, 2)],
}


@pytest.mark.parametrize("name, case", [(name, case) for name, cases in sorted(SPECIAL.items()) for case in cases])
def test_local_text_agrees_with_the_rule_on_kinks_and_ties(name, case):
    rule, node, args, g, point = build(name, np.random.default_rng(5))
    for arg, value in zip(args, case):
        point[arg.name] = np.asarray(value, dtype=float).reshape(arg.shape)
    point["g"] = np.ones(node.shape)
    with np.errstate(all="ignore"):
        (point["y"],) = evaluate([node], point)
    for i, arg in enumerate(args):
        if rule.parts[i] is None:
            assert OPS[name].vjp(node, g, (True,) * len(args))[i] is None
            continue
        mine, theirs = mine_and_rule(rule, i, node, args, g)
        with np.errstate(all="ignore"):
            (a,), (b,) = evaluate([mine], point), evaluate([theirs], point)
        assert np.array_equal(a, b, equal_nan=True), (name, i, a, b)


@pytest.mark.parametrize("name", ROUTING)
def test_routing_ops_move_the_adjoint_with_factor_one(name):
    rule, node, args, g, point = build(name, np.random.default_rng(3))
    (local_value,) = evaluate([parse_back(rule, 0, node, args)], point)
    rows = autodiff.jacobian(node, args)
    entries = np.array(evaluate([e for row in rows for e in row], point), dtype=float)
    assert set(np.unique(entries)) <= {0.0, float(local_value)} and float(local_value) == 1.0 and entries.any()


def test_the_moves_of_the_old_table_are_still_routing():
    assert {"index", "scatter", "transpose", "expand", "sum_to", "broadcast_to"} <= set(ROUTING)


# ---------------------------------------------------------------- formats


def balanced_block(cli, *args) -> str:
    run = cli("explain", *args, "--format", "latex")
    assert run.code == 0, run.stderr
    text = run.stdout.strip()
    assert text.startswith("\\begin{aligned}") and text.endswith("\\end{aligned}")
    assert text.count("\\begin{") == 1 and text.count("\\end{") == 1
    depth = 0
    for token in re.findall(r"\\[{}]|[{}]", text):
        if token in "{}":
            depth += 1 if token == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert text.count("\\left") == text.count("\\right")
    return text


def test_latex_is_one_balanced_aligned_block(cli):
    text = balanced_block(cli, "x*x*y", "--at", "x=2,y=3", "--hessian", "x,y")
    assert "\\frac{\\partial f}{\\partial x} &= \\frac{\\partial f}{\\partial a} \\cdot x + " in text
    body = text.split("\n")[1:-1]
    assert all(line.endswith("\\\\") for line in body[:-1]) and not body[-1].endswith("\\\\")
    long_sum = balanced_block(cli, " + ".join(f"{k}*x^{k}" for k in range(1, 13)), "--at", "x=0.5")
    assert "+ \\dots = " in long_sum and "\\partial" in long_sum


def test_json_is_a_list_of_steps(cli):
    run = cli("explain", "(x+1)*(x+2)", "--at", "x=2", "--format", "json")
    data = run.json()
    assert data["value"] == 12 and data["grad"] == {"x": 7}
    assert all({"node", "formula", "value"} <= set(step) for step in data["steps"])
    last = data["steps"][-1]
    assert (last["node"], last["name"], last["formula"], last["numbers"], last["value"]) == (
        "x",
        "dy/dx",
        "dy/da*1 + dy/db*1",
        "4*1 + 3*1",
        7,
    )


def test_rich_highlights_the_current_node():
    from rich.console import Console

    from diffcli.render.explain import render_rich

    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=200, record=True)
    render_rich(explain(load("(x+1)*(x+2)", ["x=2"])), console, 40)
    styled = console.export_text(styles=True, clear=False)
    assert "dy/dx = dy/da*1 + dy/db*1 = 4*1 + 3*1 = 7" in console.export_text()
    assert re.search(r"\x1b\[[0-9;]*m *dy/dx *\x1b\[0m", styled)  # the step's node carries a style


def test_long_expressions_are_capped_unless_full(cli):
    text = " + ".join(f"sin({k}*x)" for k in range(1, 31))
    short = lines(cli("explain", text, "--at", "x=0.5"))
    full = lines(cli("explain", text, "--at", "x=0.5", "--full"))
    notes = [line for line in short if "steps left out (--full shows every step)" in line]
    assert len(notes) == 2  # forward and backward pass
    assert len(full) > len(short) and not any("left out" in line for line in full)
    long_sum, whole_sum = step_line(short, "dy/dx"), step_line(full, "dy/dx")  # the result stays visible
    assert "+ ... (22 more terms) = " in long_sum and "more terms" not in whole_sum
    assert long_sum.split(" = ")[-1] == whole_sum.split(" = ")[-1]
    assert len(whole_sum.split(" = ")[1].split(" + ")) == 30
    assert [line for line in full if line.startswith("t") and " = " in line]  # past z: t1, t2, ...


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args, message",
    [
        (["x + 1", "--at", "x=[1,2]"], "explain needs a scalar output"),
        (["x*y", "--at", "x=1,y=2", "--hessian", "z"], "--hessian z"),
        (["sum(x*x)", "--at", "x=[1,2]", "--hessian", "x"], "scalar output and scalar variables"),
        (["x*y", "--at", "x=1,y=2", "--v", "1,2"], "--v"),
    ],
)
def test_bad_input_is_one_error_line(cli, args, message):
    run = cli("explain", *args)
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("error: ") and message in run.stderr and "Traceback" not in run.stderr


def test_nonfinite_value_is_reported_and_strict_exits_3(cli):
    run = cli("explain", "sqrt(x)", "--at", "x=0")
    assert run.code == 0 and "warning: " in run.stderr and "dy/dx = 1/(2*y) = inf" in run.stdout
    assert cli("explain", "sqrt(x)", "--at", "x=0", "--strict").code == 3


def test_routed_contributions_are_shown_before_their_sum(cli):
    out = lines(cli("explain", "x[0]*x[1]", "--at", "x=[3,5]"))
    assert step_line(out, "dy/dx").startswith("dy/dx = dy/da*1 + dy/db*1 = 5*1 + 3*1 = [5, 0] + [0, 3] = [5, 3] ")
    data = cli("explain", "x[0]*x[1]", "--at=x=[3,5]", "--format=json").json()
    assert data["steps"][-1]["contributions"] == "[5, 0] + [0, 3]" and data["grad"] == {"x": [5, 3]}


def test_pytorch_guide_shows_real_output_of_seed_example_1(cli):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "docs" / "pytorch.md").read_text()
    command = '$ diffcli explain "(x+1)*(x+2)" --at x=2\n'
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    assert shown == cli("explain", "(x+1)*(x+2)", "--at", "x=2").stdout
    jtv = cli("explain", "[x1^2 + 3*x2, x2^2 + 2*x1]", "--at", "x1=2,x2=3", "--v", "1,1").stdout
    assert jtv.splitlines()[-1] in readme


@pytest.mark.parametrize(
    "sample, at",
    [("logistic", "w=[0.5,-0.25],b=0.1"), ("network", "W1=[[1,-1,0.5],[0.5,1,-1]],b1=[0,0.1,-0.1],w2=[1,-1,0.5],b2=0")],
)
def test_matrix_products_are_explained_with_their_rules_contribution(cli, sample, at):
    # the old hand-written matmul texts were the dot product's partials: for a matrix they did
    # not broadcast with the adjoint, and explain stopped with an internal shape error
    path = str(Path(__file__).resolve().parent.parent / "samples" / f"{sample}.dc")
    data = cli("explain", path, "--at", at, "--format", "json").json()
    expected = cli("grad", path, "--at", at, "--format", "json").json()
    assert data["value"] == expected["value"] and data["grad"] == expected["grad"]
    assert any(" @ " in (step["formula"] or "") for step in data["steps"] if step["name"].startswith("d"))


def test_unused_name_gets_zero_and_jacobian_alone_has_no_grad(cli):
    out = lines(cli("explain", "x^2", "--at", "x=3,z=1"))
    assert "dy/dz = 0   (z does not affect y)" in out
    data = cli("explain", "[x, x^2]", "--at", "x=3", "--jacobian", "--format", "json").json()
    assert data["grad"] == {} and data["value"] == [3, 9]
    assert data["steps"][-1]["name"] == "J" and data["steps"][-1]["value"] == [[1], [6]]

"""The language reference and what the user reads: docs/language.md is current, `diffcli
functions` prints the same table, the rendered --help keeps its text and its examples run,
LaTeX keeps every argument of every op, and graph nodes carry PyTorch's names."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from conftest import invoke
from diffcli.algebra.latex import to_latex
from diffcli.cli import helptext, spec
from diffcli.core.graph import Graph
from diffcli.core.ops import FUNCTIONS, OPS
from diffcli.explain.reference import reference
from diffcli.render import reference as view

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"


def test_language_doc_is_current():
    """docs/language.md is `diffcli functions --format markdown`; DIFFCLI_WRITE_DOCS=1 rewrites it."""
    text = view.render_markdown(reference()) + "\n"  # as `diffcli functions` prints it
    if os.environ.get("DIFFCLI_WRITE_DOCS"):
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, f"docs/language.md is stale: run `{view.REGENERATE}`"


def test_readme_links_the_language_reference():
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/language.md" in readme
    assert "SPEC" not in readme
    for words in ("seed example", "the issue"):
        assert words not in readme.lower(), words


def test_every_callable_name_is_in_the_reference():
    data = reference().data
    listed = set()
    for row in data["functions"]:
        listed |= {row["name"], *row["aliases"]}
    assert set(FUNCTIONS) <= listed, set(FUNCTIONS) - listed


def test_functions_command_formats():
    r = invoke("functions", "--format", "json")
    data = r.json()
    assert r.code == 0 and {"functions", "operators", "constants"} <= set(data)
    sin = next(row for row in data["functions"] if row["name"] == "sin")
    assert sin["derivative"][0]["rule"] == "cos(x)" and sin["grad_fn"] == "SinBackward0"
    lines = invoke("functions", "--format", "plain").stdout.splitlines()
    assert any(line.startswith("sin(x)\tcos(x)\t") for line in lines)
    assert invoke("functions", "--format", "markdown").stdout == DOC.read_text(encoding="utf-8")
    assert invoke("functions", "--format", "rich").code == 0


def test_stated_precedence_is_the_parsers():
    """For operators a (loose) and b (tight), `x a y b z` parses as x a (y b z)."""
    from diffcli.syntax.parse import parse

    rows = [r for r in reference().data["operators"] if r["associativity"] in ("left", "right") and r["op"] != "matmul"]
    for loose in rows:
        for tight in rows:
            if loose["precedence"] >= tight["precedence"] or loose["precedence"] == 1:
                continue
            text = f"x {loose['symbol']} y {tight['symbol']} z"
            out = parse(text).output
            assert out.op == loose["op"] and out.args[1].op == tight["op"], text
    assert parse("x^y^z").output.args[1].op == "pow"  # right-associative
    assert parse("-x^2").output.op == "neg"


def test_stated_domains_hold():
    """A unary function without a stated domain is finite on a grid of [-5, 5]."""
    with np.errstate(all="ignore"):
        for name, op in OPS.items():
            if op.arity != 1 or not op.elementwise or not op.user or op.defined:
                continue
            graph = Graph()
            x = np.linspace(-5, 5, 1001)
            node = graph.node(name, (graph.var("x"),))
            from diffcli.core.engine import Plan

            values = np.asarray(Plan([node], batched={"x"}).run({"x": x})[0])
            assert np.isfinite(values).all(), f"{name}: state where it is defined (Op.defined)"


# -- the README, the guides and the command reference ---------------------------------------

ROOT = DOC.parent.parent
GUIDES = ("pytorch", "calculus", "scripts", "learning", "big-jobs", "reference", "language", "index")


def test_command_reference_is_current():
    """docs/reference.md is generated from cli/spec.py; DIFFCLI_WRITE_DOCS=1 rewrites it."""
    from diffcli.cli import reference as command_reference

    text = command_reference.render()
    page = ROOT / "docs" / "reference.md"
    if os.environ.get("DIFFCLI_WRITE_DOCS"):
        page.write_text(text, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == text, f"docs/reference.md is stale: run `{command_reference.REGENERATE}`"
    for command in spec.COMMANDS:
        assert f"## {command.name}\n" in text
        for option in command.options:
            assert f"`{option.flag}`" in text


def test_site_home_is_the_readme():
    """docs/index.md is the README with its links made relative to docs/; DIFFCLI_WRITE_DOCS=1 rewrites it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").replace("](docs/", "](")
    page = ROOT / "docs" / "index.md"
    if os.environ.get("DIFFCLI_WRITE_DOCS"):
        page.write_text(text, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == text, "docs/index.md is stale: run DIFFCLI_WRITE_DOCS=1 pytest"


def test_readme_is_short_and_links_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "pip install '.[test,plot,term,special,dask]' && python -m pytest" in readme  # what .ci/run runs
    assert "'.[test,plot,term,special,dask]'" in (ROOT / ".ci" / "run").read_text()
    tour = [line for line in readme.splitlines() if line.startswith("$ diffcli ") or "| diffcli " in line]
    assert 6 <= len(tour) <= 15, len(tour)
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f" {page.name}" in nav, f"{page.name} is not in mkdocs.yml's nav"
    for name in GUIDES:
        assert name == "index" or f"docs/{name}.md" in readme, name


# -- --help as rendered ------------------------------------------------------------------------


def rendered_help(command: str) -> str:
    r = invoke(command, "--help", env={"COLUMNS": "300"})
    assert r.code == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("command", [c.name for c in spec.COMMANDS])
def test_rendered_help_keeps_its_text(command):
    shown = rendered_help(command)
    assert f"Usage: diffcli {command} [OPTIONS]" in shown
    declared = spec.BY_NAME[command]
    for argument in declared.arguments:
        assert f"[OPTIONS] {argument.name}" in shown and "{" not in shown.split("\n", 3)[1]
    flat = " ".join(shown.split())
    for option in declared.options:
        assert option.flag in shown
        assert " ".join(option.help.split()) in flat.replace("│ ", ""), (command, option.flag)
    assert "<bool>" not in shown and "<str>" not in shown
    assert "Example: " + declared.example in shown


HELP_WIDTH = 80
NARROWEST_DESCRIPTION = 36  # 80 - borders - the widest flag (--hessian/--no-hessian) and metavar columns


@pytest.mark.parametrize("command", [c.name for c in spec.COMMANDS])
def test_help_reads_well_at_80_columns(command):
    """No line wider than the terminal, and every option's description column keeps room to
    read (a metavar such as `<auto|rich|plain|json|csv>` once left it 30 characters)."""
    shown = invoke(command, "--help", env={"COLUMNS": str(HELP_WIDTH)}).stdout
    lines = shown.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= HELP_WIDTH
    for line in lines:
        body = line.strip("│ ")
        if line.startswith("│ --") and not body.startswith("--help "):
            # flag, metavar, description: the description starts after the last run of 2+ spaces
            # that follows the flag and the (upper-case) metavar
            head = re.match(r"--[\w-]+(/--[\w-]+)?(\s+-\w)?(\s+[A-Z][A-Z=:_]*)?\s{2,}", body)
            assert head, (command, line)
            description = len(body) - head.end()
            room = HELP_WIDTH - 4 - (len(line) - len(line.lstrip("│ "))) - head.end()
            assert room >= NARROWEST_DESCRIPTION, (command, line, description)


def test_help_groups_options_student_first():
    shown = rendered_help("grad")
    order = [shown.index(panel) for panel in helptext.PANELS]
    assert order == sorted(order)
    first = shown.split(helptext.PANEL_START, 1)[1].split(helptext.PANEL_OUTPUT, 1)[0]
    assert "--at" in first and "--wrt" in first and "--format" in first and "--engine" not in first
    assert first.index("--at") < first.index("--wrt") < first.index("--format")
    assert "--engine" in shown.split(helptext.PANEL_SCALE, 1)[1]


def test_each_out_says_what_it_means_for_its_command():
    assert "--sparse" not in " ".join(rendered_help("grad").split())
    assert "with --sparse its non-zeros" in " ".join(rendered_help("hessian").replace("│", " ").split())


def test_plot_extra_is_named_in_the_help():
    assert "(needs diffcli[plot])" in rendered_help("minimize")


def help_examples() -> list[tuple[str, str]]:
    found = []
    for command in spec.COMMANDS:
        for line in rendered_help(command.name).splitlines():
            if "Example: " in line:
                found.append((command.name, line.split("Example: ", 1)[1].rstrip(" │")))
    return found


def test_every_rendered_help_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example may write a file (plot --png plot.png)
    examples = help_examples()
    assert {name for name, _ in examples} == {c.name for c in spec.COMMANDS}
    for name, example in examples:
        stdin = None
        if example.startswith("printf "):  # data piped in: printf 'x,y\n0,1\n' | diffcli ...
            printed, _, example = example.partition(" | ")
            stdin = shlex.split(printed)[1].encode().decode("unicode_escape")
        args = shlex.split(example)
        assert args[0] == "diffcli", name
        if "--png" in args and importlib.util.find_spec("matplotlib") is None:
            continue  # the plot extra is optional; test_plotting checks the message without it
        r = invoke(*args[1:], input=stdin)
        assert r.code == 0, (example, r.stderr)


# -- LaTeX keeps every argument -------------------------------------------------------------

SHAPES = {
    "matmul": ((2, 2), (2, 2)),
    "transpose": ((2, 2),),
    "index": ((3,),),
    "scatter": ((),),
    "softmax": ((3,),),
    "logsumexp": ((3,),),
    "expand": ((),),
    "sum_to": ((3,),),
    "broadcast_to": ((),),
    "reshape": ((2, 2),),
    "permute": ((2, 2),),
    "concat": ((2,), (2,), (2,)),
    "take": ((3,),),
    "put": ((2,),),
    "cumsum": ((3,),),
    "cumprod": ((3,),),
    "tri": ((2, 2),),
    "diagonal": ((2, 2),),
    "diag_embed": ((2,),),
    "einsum": ((2,), (2,), (2,)),
    "solve": ((2, 2), (2,)),
    **{name: ((2, 2),) for name in ("det", "cofactor", "inv", "logdet", "eigvalsh", "eigvecs", "svdvals", "cholesky")},
}
PAYLOADS = {
    "reshape": (4,),
    "permute": (1, 0),
    "concat": 0,
    "take": (0, (0, 2)),
    "put": (0, (0, 2), 3),
    "cumsum": (0, False),
    "cumprod": 0,
    "tri": (0, False),
    "diagonal": 0,
    "diag_embed": (2, 2, 0),
    "einsum": "a,a,a->a",
    "index": (0,),
    "scatter": ((3,), (0,)),
    "expand": 1,
    "sum_to": (),
    "broadcast_to": (3,),
    "sum": 1,
    "mean": 1,
    "prod": 1,
    "norm": 1,
    "max": 1,
    "min": 1,
    "function": ("f", 0),
}
REDUCED = {"sum", "mean", "prod", "norm", "max", "min"}


@pytest.mark.parametrize("name", [n for n in OPS if n not in ("const", "var")])
def test_latex_keeps_every_argument(name):
    op = OPS[name]
    count = op.arity or 3
    shapes = SHAPES.get(name) or (((3,),) if name in REDUCED else ((),) * count)
    graph = Graph()
    names = ["alpha", "beta", "gamma"][:count]
    args = tuple(graph.var(n, s) for n, s in zip(names, shapes))
    node = graph.node(name, args, PAYLOADS.get(name))
    latex = to_latex(node)
    for n in names:
        assert f"\\{n}" in latex, (name, latex)


def test_latex_of_the_issue_examples():
    r = invoke("diff", "where(x > 0, x^3, 0)", "--wrt", "x", "--latex", "--format", "plain")
    assert "x > 0" in r.stdout and "3 {x}^{2}" in r.stdout
    assert "\\max" in invoke("diff", "max(x, y)*x", "--wrt", "x", "--latex").stdout
    assert "operatorname{maximum}" not in invoke("diff", "max(x, y)*x", "--wrt", "x", "--latex").stdout
    assert "\\sum \\left(x + y\\right)" in to_latex(_parsed("sum(x + y)", {"x": (2,), "y": ()}))
    assert "\\ln\\left(b\\right)" in to_latex(_parsed("log(x, b)", {"x": (), "b": ()}))


def _parsed(text, shapes):
    from diffcli.syntax.parse import parse

    return parse(text, shapes).output


# -- graph: PyTorch's names and explain's ---------------------------------------------------

GRAD_FN = [
    ("x^y", "PowBackward1"),
    ("2^x", "PowBackward2"),
    ("x^2", "PowBackward0"),
    ("v[0]", "SelectBackward0"),
    ("v[1:]", "SliceBackward0"),
    ("W[0, 1]", "SelectBackward0"),
    ("W[0, :]", "SelectBackward0"),
    ("v @ v", "DotBackward0"),
    ("W @ v", "MvBackward0"),
    ("W @ W", "MmBackward0"),
    ("norm(v)", "LinalgVectorNormBackward0"),
    ("2 - x", "RsubBackward1"),
    ("2/x", "MulBackward0"),
    ("x/2", "DivBackward0"),
    ("clamp(x, 0, 1)", "ClampBackward1"),
    ("clamp(x, y, 4)", "ClampBackward0"),
    ("max(v)", "MaxBackward1"),
    ("max(x, y)", "MaximumBackward0"),
    ("sum(v)", "SumBackward0"),
]
POINT = "x=0.5,y=2,v=[1,2],W=[[1,2],[3,4]]"


def output_node(expr: str) -> dict:
    value = np.asarray(invoke("eval", expr, "--at", POINT, "--format", "json").json()["value"])
    weights = ["--v", json.dumps(np.ones(value.shape).tolist())] if value.shape else []
    data = invoke("graph", expr, "--at", POINT, "--format", "json", *weights).json()
    return data["nodes"][data["output"]]


@pytest.mark.parametrize("expr,name", GRAD_FN)
def test_grad_fn_names(expr, name):
    assert output_node(expr)["grad_fn"] == name


def test_grad_fn_names_against_torch():
    torch = pytest.importorskip("torch")
    assert torch.__version__.startswith("2.13"), torch.__version__
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    v = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    torch_of = {
        "x^y": x**y,
        "2^x": 2**x,
        "x^2": x**2,
        "v[0]": v[0],
        "v[1:]": v[1:],
        "W[0, 1]": W[0, 1],
        "W[0, :]": W[0, :],
        "v @ v": v @ v,
        "W @ v": W @ v,
        "W @ W": W @ W,
        "norm(v)": torch.linalg.vector_norm(v),
        "2 - x": 2 - x,
        "2/x": 2 / x,
        "x/2": x / 2,
        "clamp(x, 0, 1)": torch.clamp(x, 0, 1),
        "clamp(x, y, 4)": torch.clamp(x, y, torch.tensor(4.0)),
        "max(v)": v.max(),
        "max(x, y)": torch.maximum(x, y),
        "sum(v)": v.sum(),
    }
    for expr, _ in GRAD_FN:
        assert output_node(expr)["grad_fn"] == torch_of[expr].grad_fn.name(), expr


def test_requires_grad_along_the_path_as_torch():
    """graph --wrt x: requires_grad is true on every node on a path from x, false elsewhere."""
    r = invoke("graph", "sin(x*y) + y^2", "--at", "x=1,y=2", "--wrt", "x", "--format", "json")
    flags = {n["expr"]: n["requires_grad"] for n in r.json()["nodes"]}
    assert flags == {"x": True, "y": False, "x*y": True, "sin(a)": True, "2": False, "y^2": False, "b + c": True}
    torch = pytest.importorskip("torch")
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(2.0)
    a = x * y
    b = torch.sin(a)
    c = y**2
    assert [t.requires_grad for t in (x, y, a, b, c, b + c)] == [
        flags[k] for k in ("x", "y", "x*y", "sin(a)", "y^2", "b + c")
    ]


def test_graph_names_nodes_as_explain_does():
    r = invoke("graph", "(x+1)*(x+2)", "--at", "x=2", "--format", "json")
    nodes = r.json()["nodes"]
    named = [(n["name"], n["expr"]) for n in nodes if n["op"] != "const"]
    assert named == [("x", "x"), ("a", "x + 1"), ("b", "x + 2"), ("y", "a*b")]
    explained = invoke("explain", "(x+1)*(x+2)", "--at", "x=2").stdout
    assert "a = x + 1 = 3" in explained and "y = a*b = 12" in explained
    rich = invoke("graph", "(x+1)*(x+2)", "--at", "x=2", "--format", "rich").stdout
    assert "#" not in rich and "y = a*b" in rich


def test_wrt_an_intermediate_of_a_file(tmp_path):
    path = tmp_path / "ex1.dc"
    path.write_text("a = x + 1\nb = x + 2\ny = a*b\n")
    r = invoke("grad", str(path), "--at", "x=2", "--wrt", "a,x", "--format", "json")
    assert r.json() == {"value": 12.0, "grad": {"a": 4.0, "x": 7.0}}  # dy/da = b = 4 (retain_grad)
    g = invoke("graph", str(path), "--at", "x=2", "--wrt", "a", "--format", "json").json()
    a = next(n for n in g["nodes"] if n["name"] == "a")
    assert a["grad"] == 4.0 and a["requires_grad"] and a["is_leaf"] and a["grad_fn"] is None
    assert "dy/da = b = 4" in invoke("explain", str(path), "--at", "x=2", "--wrt", "a").stdout
    assert invoke("diff", str(path), "--wrt", "a").stdout == "x + 2\n"
    bad = invoke("check", str(path), "--at", "x=2", "--wrt", "a")
    assert bad.code == 2 and "intermediate" in bad.stderr
    bad = invoke("grad", str(path), "--at", "x=2", "--wrt", "c")
    assert bad.code == 2 and "not bound" in bad.stderr


def test_reference_json_is_strict():
    json.loads(invoke("functions", "--format", "json").stdout, parse_constant=lambda c: math.nan)
    assert not re.search(r"\bNaN\b|Infinity", invoke("functions", "--format", "json").stdout)


@pytest.mark.parametrize(
    "wrt, expected",
    [
        # y = a*a*x with a = x^2 (y = x^5): PyTorch's answers through retain_grad and create_graph
        ("a", 2 * 4 * 2),
        ("a,a", 2 * 2),
        ("a,x", 2 * 4 + 2 * 2 * 2 * 2),
        ("x,a", 2 * 4 + 2 * 2 * 2 * 2),
        ("x", 5 * 2**4),
        ("x,x", 20 * 2**3),
        ("a,a,x", 2),
    ],
)
def test_higher_derivatives_by_an_intermediate(tmp_path, wrt, expected):
    """The simplified d/da no longer holds a's node (2*a*x is 2*x^3): the second derivative by
    `a` must still find it (it used to print 0)."""
    path = tmp_path / "m.dc"
    path.write_text("a = x^2\ny = a*a*x\n")
    r = invoke("diff", str(path), "--wrt", wrt, "--at", "x=2", "--format", "json")
    assert r.code == 0 and r.json()["value"] == pytest.approx(expected, rel=1e-12)


def test_hessian_by_an_intermediate_is_refused_not_zero(tmp_path):
    path = tmp_path / "m.dc"
    path.write_text("a = x + 1\ny = a*a\n")
    assert invoke("diff", str(path), "--wrt", "a", "--order", "2").stdout == "2\n"
    bad = invoke("hessian", str(path), "--wrt", "a", "--at", "x=1")
    assert bad.code == 2 and "--wrt a,a" in bad.stderr and not bad.stdout

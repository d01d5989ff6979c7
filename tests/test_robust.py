"""Hostile input, case by case: size limits (at the limit and one past), numerics that overflow
or leave the domain, files that cannot be read, atomic output files, and code injection."""

from __future__ import annotations

import builtins
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import diffcli
from conftest import invoke
from diffcli import limits
from diffcli.compute import problem
from diffcli.core import ops
from diffcli.data import fileio
from diffcli.errors import DiffcliError
from diffcli.syntax.parse import parse

PACKAGE = Path(diffcli.__file__).parent


def bad(r, *words):
    """Exit 2 with one `error:` line naming `words`, nothing on stdout, no traceback."""
    assert r.code == 2, (r.code, r.stdout, r.stderr)
    assert r.stdout == ""
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


# ---------------------------------------------------------------- limits


def test_characters_at_the_limit_and_one_past():
    text = "x" + " " * (limits.MAX_CHARS - 1)
    assert invoke("eval", text, "--at", "x=3").stdout == "3\n"
    bad(invoke("eval", text + " ", "--at", "x=3"), "4,000,001 characters", "at most 4,000,000")


def test_tokens_at_the_limit_and_one_past():
    # The real limit, checked before parsing (a million tokens would take long to parse).
    terms = limits.MAX_TOKENS // 2
    text = "+".join(["x"] * terms) + "+"  # x+x+...+x+ : exactly 2 * terms tokens
    limits.check_text(text)
    with pytest.raises(DiffcliError, match="1,000,001 tokens"):
        limits.check_text(text + "x")
    bad(invoke("eval", text + "x", "--at", "x=1"), "1,000,001 tokens")


def test_tokens_limit_through_the_cli(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TOKENS", 9)
    assert invoke("eval", "sin(x) + 1.5e3", "--at", "x=0").stdout == "1500\n"  # sin ( x ) + 1.5e3 ... 6 tokens
    assert invoke("eval", "(x + 2) * (x)", "--at", "x=1").code == 0  # 9 tokens
    bad(invoke("eval", "(x + 2) * (x)+1", "--at", "x=1"), "11 tokens")


def test_depth_at_the_limit_and_one_past():
    deep = limits.MAX_DEPTH
    r = invoke("grad", "(" * deep + "x^2" + ")" * deep, "--at", "x=3", "--format", "json")
    assert r.json() == {"value": 9.0, "grad": {"x": 6.0}}
    r = invoke("eval", "[" * 10 + "(" * (deep - 10) + "x" + ")" * (deep - 10) + "]" * 10, "--at", "x=2")
    assert r.code == 0, r.stderr
    bad(invoke("eval", "(" * (deep + 1) + "x" + ")" * (deep + 1), "--at", "x=3"), "10,001 deep", "at most 10,000")
    bad(invoke("eval", "sin(" * (deep + 1) + "x" + ")" * (deep + 1), "--at", "x=3"), "10,001 deep")


def test_rank_at_the_limit_and_one_past():
    """The fuzzer found 33 nested lists crashing numpy; values have at most MAX_RANK axes."""
    rank = limits.MAX_RANK
    r = invoke("grad", "sum(" + "[" * rank + "x" + "]" * rank + ")", "--at", "x=2", "--format", "json")
    assert r.json() == {"value": 2.0, "grad": {"x": 1.0}}
    bad(invoke("eval", "[" * (rank + 1) + "x" + "]" * (rank + 1), "--at", "x=2"), "at most 16 axes")
    r = invoke("eval", "sum(x)", "--at", "x=" + "[" * rank + "1" + "]" * rank)
    assert r.stdout == "1\n"
    bad(invoke("eval", "x", "--at", "x=" + "[" * (rank + 1) + "1" + "]" * (rank + 1)), "16 axes")
    bad(invoke("eval", "x", "--at", "x=" + "[" * 100 + "1" + "]" * 100), "16 axes")


def test_elements_at_the_limit_and_one_past(monkeypatch):
    """Broadcasting a column against a row (or `@`, or a list) multiplies sizes."""
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 12)
    assert invoke("eval", "sum([[1],[2],[3]] * [v])", "--at", "v=[1,1,1,1]").stdout == "24\n"
    bad(invoke("eval", "sum([[1],[2],[3]] * [v])", "--at", "v=[1,1,1,1,1]"), "15 elements", "at most 12")
    bad(invoke("eval", "sum([[1],[2],[3]] @ [v])", "--at", "v=[1,1,1,1,1]"), "15 elements")
    bad(invoke("eval", "sum([v, v, v])", "--at", "v=[1,1,1,1,1]"), "15 elements")


def test_long_chains_without_brackets_are_not_depth_limited():
    """`-` and `^` chains nest the tree without brackets; every pass over it is iterative."""
    n = 5000
    assert invoke("eval", "--at", "x=2", "--", "-" * n + "x").stdout == "2\n"
    assert invoke("grad", "^".join(["x"] * n), "--at", "x=1", "--format", "plain").stdout == "1\n1\n"
    r = invoke("eval", "--at", "x=2", "-" * n + "x")  # without `--` it reads as an option
    bad(r, "No such option")
    assert len(r.stderr) < 400  # the option is shortened in the message


def _fresh(prefix: str, k: int) -> str:
    """A sum of k names never seen before in this process: 2k - 1 new nodes."""
    stamp = f"{prefix}{time.perf_counter_ns()}_"
    return "+".join(f"{stamp}{i}" for i in range(k))


def test_node_budget_at_the_limit_and_one_past(monkeypatch):
    k = 50
    monkeypatch.setattr(limits, "MAX_NODES", 2 * k - 1)
    problem.load(_fresh("a", k), free=True)
    monkeypatch.setattr(limits, "MAX_NODES", 2 * k - 2)
    with pytest.raises(DiffcliError, match="more than 98 graph nodes"):
        problem.load(_fresh("b", k), free=True)


def test_a_swelling_derivative_stops_with_a_clear_error(monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 20_000)
    bad(invoke("diff", "tan(x)*exp(sin(x))/(1+x^2)", "--order", "12", "--at", "x=1"), "graph nodes", "--order")
    # The batched forward-over-reverse Hessian (issue 7) no longer swells here: 300 variables
    # take one extra reverse pass, not 300, and stay far under the budget.
    run = invoke("hessian", "sum(x^3)", "--at", "x=[" + ",".join(["1"] * 300) + "]", "--format", "json")
    assert run.code == 0 and run.json()["hessian"] == (6 * __import__("numpy").eye(300)).tolist()


def test_printed_formula_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PRINT", 10_000)
    assert invoke("diff", "sin(x)^3", "--wrt", "x").code == 0
    bad(invoke("diff", "tan(x)*exp(sin(x))/(1+x^2)", "--order", "4"), "too large to print", "--order")
    # The value alone needs no formula: eval of the same deep input works.
    assert invoke("eval", "sin(" * 60 + "x" + ")" * 60, "--at", "x=1").code == 0


def test_limits_cost_little_next_to_parsing():
    text = "+".join(f"x*{i}" for i in range(5_000))
    start = time.perf_counter()
    limits.check_text(text)
    check = time.perf_counter() - start
    start = time.perf_counter()
    parse(text, {"x": ()})
    parsing = time.perf_counter() - start
    assert check < parsing / 5, (check, parsing)


# 10^5-node expressions within the limits: tests/test_cli_core.py::test_long_sum_works runs
# grad on a sum of 10^5 terms (3 * 10^5 nodes).


def test_every_limit_is_stated_in_the_docs():
    readme = (PACKAGE.parent / "docs" / "edges-detail.md").read_text()
    for value in (
        limits.MAX_CHARS,
        limits.MAX_TOKENS,
        limits.MAX_DEPTH,
        limits.MAX_NODES,
        limits.MAX_PRINT,
        limits.MAX_ELEMENTS,
        limits.MAX_RANK,
    ):
        assert f"{value:,}" in readme, value


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize(
    "expr",
    [
        "exp(1000)",
        "2^2^2^2^2^2^2",
        "log(-1)",
        "asin(2)",
        "0/0",
        "1" + "0" * 100_000,
        "x^2 + exp(1000*x)",
        "sqrt(x - 3)",
    ],
)
@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "jacobian"])
def test_non_finite_results_warn_and_strict_exits_3(expr, command):
    start = time.perf_counter()
    r = invoke(command, expr, "--at", "x=1", "--format", "json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["warnings"] and "not finite" in data["warnings"][0]
    assert re.match(r"warning: a result is not finite", r.stderr)
    strict = invoke(command, expr, "--at", "x=1", "--format", "json", "--strict")
    assert strict.code == 3 and strict.stdout == "" and strict.stderr.count("error:") == 1
    assert time.perf_counter() - start < 10


def test_huge_literals_are_floats_not_big_integers():
    """float() reads a 10^5-digit literal in microseconds; int() arithmetic would take minutes."""
    digits = "1" + "0" * 100_000
    for expr, at in (
        (digits + " - " + digits, "x=1"),
        ("x", "x=" + digits),
        ("x^" + digits, "x=1"),
        ("x[" + digits + "]", "x=[1,2]"),
    ):
        start = time.perf_counter()
        r = invoke("eval", expr, "--at", at, "--format", "json")
        assert r.code in (0, 2) and "Traceback" not in r.stderr
        assert time.perf_counter() - start < 5
    assert invoke("eval", "1e99999999999", "--format", "json").json()["value"] is None
    assert invoke("eval", "1e-99999999999", "--format", "json").json() == {"value": 0.0}


def test_diff_of_overflowing_constants_says_so():
    r = invoke("diff", "x*exp(1000)", "--wrt", "x", "--at", "x=1", "--format", "json")
    assert r.code == 0 and r.json()["value"] is None and r.json()["warnings"]


# ---------------------------------------------------------------- input files


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    path.write_text("x + 1")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(problem, "open", refuse, raising=False)  # root can read a chmod 000 file
    bad(invoke("eval", str(path), "--at", "x=1"), "cannot read", "Permission denied")


def test_a_file_that_fails_while_read():
    bad(invoke("eval", "/proc/self/mem"), "cannot read `/proc/self/mem`")


@pytest.mark.parametrize(
    "content, words",
    [
        (b"x + \x00\x01\x02", ["binary file", "UTF-8"]),
        (bytes(range(256)), ["binary file"]),
        ("x + \u00e9t\u00e9".encode("latin-1"), ["not UTF-8", "save it as UTF-8"]),
        ("x + 1".encode("utf-16"), ["UTF-16", "save it as UTF-8"]),
        (b"", ["empty expression"]),
        (b"  \n# only a comment\n", []),
    ],
)
def test_bad_files(tmp_path, content, words):
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    bad(invoke("eval", str(path), "--at", "x=1"), *words)
    bad(invoke("grad", "-", "--at", "x=1"), "empty expression")  # empty stdin


def test_utf8_with_bom_is_read():
    assert invoke("eval", "-", "--at", "x=2", input="\ufeffx*3\n").stdout == "6\n"


def test_directory(tmp_path):
    bad(invoke("eval", str(tmp_path), "--at", "x=1"), "is a directory")


def test_huge_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHARS", 1000)
    path = tmp_path / "big.txt"
    path.write_text("x+" * 3000 + "x")
    bad(invoke("eval", str(path), "--at", "x=1"), "larger than the 1,000 characters")
    bad(invoke("eval", "-", "--at", "x=1", input="x+" * 3000 + "x"), "<stdin> is larger")
    path.write_text("x+" * 400 + "x ")  # 802 characters: accepted
    assert invoke("eval", str(path), "--at", "x=1").stdout == "401\n"


# ---------------------------------------------------------------- output files


def test_atomic_write_replaces_the_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    fileio.write_text(str(target), "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), ValueError("renderer broke")])
def test_a_failure_mid_write_leaves_no_partial_file(tmp_path, failure):
    target = tmp_path / "out.csv"
    target.write_text("old")
    fresh = tmp_path / "new.csv"

    class Failing:  # the disk fills up after nine characters
        def __init__(self, fh):
            self.fh = fh

        def write(self, text):
            self.fh.write(text[:9])
            self.fh.flush()
            raise failure

        def __getattr__(self, name):
            return getattr(self.fh, name)

    for path in (target, fresh):
        with pytest.raises((DiffcliError, ValueError)) as info:
            with fileio.output(str(path)) as fh:
                fh._fh = Failing(fh._fh)
                fh.write("half a file")
        if isinstance(failure, OSError):
            assert "no space left" in str(info.value) and info.value.exit_code == 4
    assert target.read_text() == "old"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary, no new.csv


def test_writing_over_the_input_is_refused(tmp_path):
    source = tmp_path / "f.txt"
    source.write_text("x^2")
    link = tmp_path / "link.txt"
    link.symlink_to(source)
    for target in (source, link, tmp_path / "." / "f.txt"):
        with pytest.raises(DiffcliError, match="refusing to write over the input"):
            fileio.write_text(str(target), "graph", inputs=(str(source),))
    assert source.read_text() == "x^2"


def test_output_to_a_missing_folder_or_a_directory(tmp_path):
    for target, message in ((tmp_path / "no" / "out.csv", "does not exist"), (tmp_path, "is a directory")):
        with pytest.raises(DiffcliError, match=message) as info:
            fileio.write_text(str(target), "x")
        assert info.value.exit_code == 4


# ---------------------------------------------------------------- injection

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "eval(\"open('{marker}', 'w')\")",
    "exec('{marker}')",
    "x.__class__",
    "__class__",
    "__builtins__",
    "().__class__.__bases__[0].__subclasses__()",
    "sum.__globals__",
    "getattr(x, '__class__')",
    "{{x.__class__}}",
    "%s%s%s%n",
    "x; import os",
    "1e3; __import__('os')",
    "lambda: 0",
    "[c for c in ()]",
    "f'{{1}}'",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_names_and_numbers_cannot_inject_code(template, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    text = template.format(marker=marker)
    seen = []
    for name in ("eval", "exec", "compile"):
        real = getattr(builtins, name)

        def spy(*args, _real=real, **kwargs):
            seen.append(args[:1])
            return _real(*args, **kwargs)

        monkeypatch.setattr(builtins, name, spy)
    for argv in (
        ["eval", text, "--at", "x=1"],
        ["grad", "x", "--at", f"x={text}"],
        ["diff", text],
        ["grad", "x", "--at", "x=1", "--wrt", text],
        ["eval", "x", "--at", f"{text}=1"],
        ["explain", text, "--at", "x=1"],
        ["graph", text, "--at", "x=1", "--format", "json"],
        ["minimize", text, "--at", "x=1", "--steps", "2"],
    ):
        r = invoke(*argv)
        if r.code == 0:  # a plain identifier such as `__class__` is just a variable's name
            assert re.fullmatch(r"__\w+__", text) and r.stdout.strip() in ("1", "0"), (argv, r)
        else:
            assert r.code == 2 and r.stdout == "" and r.stderr.startswith("error:"), (argv, r)
    assert not marker.exists()
    assert not any(str(marker) in repr(call) or text in repr(call) for call in seen)


def test_the_package_never_calls_eval_exec_or_compile():
    banned = re.compile(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(")
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not banned.search(line.split("#")[0]), f"{path}:{number}: {line}"


def test_function_names_resolve_only_through_the_op_table():
    bad(invoke("eval", "__class__(x)", "--at", "x=1"), "unknown function `__class__`")
    bad(invoke("eval", "mro(x)", "--at", "x=1"), "unknown function `mro`")
    bad(invoke("eval", "x.real + 1", "--at", "x=1"), "unexpected")
    bad(invoke("eval", "x.real", "--at", "x=1"), "no such file: x.real")  # a file extension: SPEC's path rule


@pytest.mark.parametrize("name", sorted(ops.FUNCTIONS))
def test_every_function_prints_as_text_and_latex(name):
    """The fuzzer found ops whose default LaTeX template was a broken format string."""
    from diffcli.algebra.latex import to_latex
    from diffcli.algebra.text import to_text
    from diffcli.core import autodiff
    from diffcli.core.ops.tensor_docs import EXAMPLES, SHAPES

    low = ops.FUNCTIONS[name][0]
    args = ", ".join(["x", "y", "x + y"][:low]) if name != "eye" else "3"  # eye(n) takes a whole number
    if name in EXAMPLES:  # the tensor spellings take matrices and static parameters: their example
        p = parse(f"sum({EXAMPLES[name][0]})", dict(SHAPES))
        x = p.variables[0]
    else:
        p = parse(f"sum({name}({args}))", {"x": (3,), "y": (3,)})
        x = p.graph.var("x", (3,))
    f = p.output
    for n in (f, *autodiff.gradient(f, [x])):
        assert to_text(n) and to_latex(n)


# ---------------------------------------------------------------- error lines


def test_error_lines_stay_short_and_printable():
    long = "x+" * 2_000 + "("
    r = invoke("eval", long, "--at", "x=1")
    bad(r, "ends too early")
    assert max(map(len, r.stderr.splitlines())) < 200
    r = invoke("eval", "x+\x1b[31mred\x07", "--at", "x=1")
    bad(r, "unexpected character `\\x1b`")
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    bad(invoke("eval", "x", "--at", "x=" + "1," * 10_000 + "["), "--at")
    assert len(invoke("eval", "x", "--at", "x=[" + "1 " * 10_000).stderr) < 1200
    assert len(invoke("eval", "q" * 100_000, "--at", "x=1").stderr) < 1200


# ---------------------------------------------------------------- a few real processes

DIFFCLI = [sys.executable, "-m", "diffcli"]


def test_reader_closing_the_pipe_early_is_exit_0():
    """`diffcli ... | head -c 10`: click would exit 1 (a `check` mismatch to a script)."""
    at = "x=[" + ",".join(["1"] * 30_000) + "]"  # 300 kB of output: more than a pipe holds
    proc = subprocess.Popen(
        DIFFCLI + ["eval", "x*1.25", "--at", at, "--format", "plain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.read(10) == b"1.25 1.25 "
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_undecodable_argv_bytes():
    for argv in ([b"eval", b"x\xff", b"--at", b"x=1"], [b"eval", b"x", b"--at", b"x=\xc3"]):
        r = subprocess.run(DIFFCLI + argv, capture_output=True, timeout=60, env={**os.environ, "LC_ALL": "C"})
        assert r.returncode == 2 and r.stdout == b"", r
        assert r.stderr.startswith(b"error: ") and b"Traceback" not in r.stderr, r.stderr


def test_output_files_get_ordinary_permissions(tmp_path):
    import os

    from diffcli.data.fileio import write_text as atomic_write_text

    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.dot"
        atomic_write_text(str(fresh), "digraph {}")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.dot"
        kept.write_text("old")
        kept.chmod(0o640)
        atomic_write_text(str(kept), "digraph {}")
        assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() == "digraph {}"
    finally:
        os.umask(umask)

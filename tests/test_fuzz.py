"""Hostile input through the real entry point (`diffcli.cli.main`, in-process): random bytes and
text, near-valid expressions (grammar-generated, then mutated token by token), random `--at`
strings, random files and random argument lists. Whatever comes in, the run must end with an
exit code of SPEC (0-3, and 4 where an output file is involved; never 70, an internal error),
no traceback, an `error:` line and an empty stdout on exit 2, 3 and 4, and JSON output that is
strict JSON. File-system and signal faults (FIFOs, links, /dev/full, unwritable folders,
SIGINT and SIGTERM) are in test_faults.py.

To fuzz a new command, append its argument template to COMMANDS (EXPR and AT are placeholders).
Every input that ever failed is in fuzz_regressions.jsonl and is replayed by test_regressions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke
from diffcli.core import ops

EXPR, AT, OUT = object(), object(), object()  # placeholders in the templates below
POINT = "x=0.5,y=-2,v=[1,2,3],W=[[1,2],[3,4]]"
WORKDIR = Path(tempfile.mkdtemp(prefix="diffcli-fuzz-"))  # data for `fit`, output files
DATA = WORKDIR / "data.csv"
DATA.write_text("x,y\n0,1\n1,3\n2,5\n")

# One line per command (or variant) to fuzz; the expression goes after `--` so that text
# starting with `-` reaches the parser. Add new commands here.
COMMANDS = [
    ("eval", "--at", AT, "--format", "json", "--", EXPR),
    ("eval", "--at", AT, "--strict", "--format", "plain", "--", EXPR),
    ("grad", "--at", AT, "--format", "json", "--", EXPR),
    ("grad", "--at", AT, "--v", "1,2,3", "--format", "csv", "--", EXPR),
    ("grad", "--at", AT, "--wrt", "x,v", "--const", "y", "--format", "plain", "--", EXPR),
    ("jacobian", "--at", AT, "--format", "json", "--", EXPR),
    ("hessian", "--at", AT, "--dtype", "float32", "--format", "json", "--", EXPR),
    ("diff", "--latex", "--format", "json", "--", EXPR),
    ("diff", "--wrt", "x", "--order", "3", "--at", AT, "--format", "plain", "--", EXPR),
    ("diff", "--wrt", "x,y", "--at", AT, "--format", "rich", "--", EXPR),
    ("explain", "--at", AT, "--format", "json", "--", EXPR),
    ("explain", "--at", AT, "--jacobian", "--hessian", "x,y", "--format", "latex", "--", EXPR),
    ("minimize", "--at", AT, "--steps", "5", "--lr", "0.1", "--format", "json", "--", EXPR),
    ("minimize", "--at", AT, "--steps", "3", "--optimizer", "adam", "--tol", "0", "--format", "csv", "--", EXPR),
    ("fit", "--data", str(DATA), "--params", "w=0.5,b=0", "--epochs", "2", "--format", "json", "--", EXPR),
    ("graph", "--at", AT, "--format", "json", "--", EXPR),
    ("graph", "--at", AT, "--v", "1,2,3", "--kinks", "error", "--format", "plain", "--", EXPR),
    ("check", "--at", AT, "--format", "json", "--", EXPR),
    ("check", "--at", AT, "--no-hessian", "--rtol", "0", "--atol", "0", "--format", "csv", "--", EXPR),
    ("jvp", "--at", AT, "--wrt", "x,y", "--u", "1,-1", "--format", "json", "--", EXPR),
    ("jacobian", "--at", AT, "--mode", "forward", "--format", "plain", "--", EXPR),
    ("hessian", "--at", AT, "--wrt", "x,y", "--classify", "--format", "json", "--", EXPR),
    ("taylor", "--at", "x=0.5", "--order", "3", "--format", "json", "--", EXPR),
    ("taylor", "--at", AT, "--u", "1,1,0,0,1,0,0,1,1", "--order", "2", "--format", "plain", "--", EXPR),
    ("explain", "--at", AT, "--u", "1,0,1,1,1,0,0,1,0", "--format", "json", "--", EXPR),
    ("diff", "--implicit", "y", "--wrt", "x", "--format", "json", "--", EXPR),
    ("diff", "--function", "f,g", "--wrt", "x", "--format", "plain", "--", EXPR),
    ("div", "--wrt", "x,y", "--at", "x=0.5,y=-2", "--format", "json", "--", EXPR),
    ("curl", "--wrt", "x,y,v", "--format", "plain", "--", EXPR),
    ("laplacian", "--latex", "--format", "json", "--", EXPR),
]

# Commands that write output files (a PNG costs ~1 s, so these get fewer, separate examples).
FILE_COMMANDS = [
    ("minimize", "--at", AT, "--steps", "3", "--trace", OUT, "--format", "json", "--", EXPR),
    ("minimize", "--at", AT, "--steps", "3", "--plot", OUT, "--format", "json", "--", EXPR),
    ("plot", "--range", "x=-1:1", "--order", "1", "--png", OUT, "--", EXPR),
    ("graph", "--at", AT, "--dot", OUT, "--", EXPR),
    ("fit", "--data", str(DATA), "--params", "w=0.5,b=0", "--epochs", "2", "--plot", OUT, "--", EXPR),
]

# DIFFCLI_FUZZ_SCALE=20 runs twenty times as many examples (a deeper hunt than CI's).
SCALE = float(os.environ.get("DIFFCLI_FUZZ_SCALE", "1"))
CASES: Counter = Counter()  # generated runs per test, reported at the end of the module
FUZZ = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    total = sum(CASES.values())
    line = f"fuzz: {total} generated CLI runs (" + ", ".join(f"{k} {v}" for k, v in sorted(CASES.items())) + ")"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write("\n" + line + "\n")
    shutil.rmtree(WORKDIR, ignore_errors=True)
    summary = os.environ.get("DIFFCLI_FUZZ_SUMMARY")
    if summary:  # lets a script collect the count
        Path(summary).write_text(f"{total}\n")


def _not_json_constant(name):
    raise AssertionError(f"JSON output holds {name}, which is not JSON")


def check(argv: list, input=None, kind: str = "other"):
    """Run diffcli with argv and assert the invariants that hold for any input."""
    CASES[kind] += 1
    r = invoke(*argv, input=input)
    where = f"argv={argv!r} code={r.code}\nstdout={r.stdout[:500]!r}\nstderr={r.stderr[:1500]!r}"
    assert r.code in ((0, 1, 2, 3, 4) if kind == "output files" else (0, 1, 2, 3)), where
    assert "Traceback" not in r.stdout + r.stderr, where
    assert "internal error" not in r.stderr, where
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", r.stderr), where  # no terminal control from input
    assert max(map(len, r.stderr.splitlines()), default=0) <= 1200, where
    if r.code in (2, 3, 4):
        assert re.search(r"^error: \S", r.stderr, re.M), where
        assert r.stdout == "", where
    elif "json" in argv and kind != "argv":  # random argv may make `json` an operand
        json.loads(r.stdout, parse_constant=_not_json_constant)
    return r


def fill(template, expr: str, at: str = POINT, out: str = "") -> list[str]:
    return [expr if a is EXPR else at if a is AT else out if a is OUT else a for a in template]


# ---------------------------------------------------------------- strategies

FUNCTIONS = sorted((name, low, high) for name, (low, high, _) in ops.FUNCTIONS.items())
NAMES = ["x", "y", "v", "W", "pi", "e", "z", "theta", "sni", "__class__", "__import__", "os", "_", "inf", "nan"]
SPECIAL_NUMBERS = [
    "0",
    "1",
    "2",
    "0.5",
    ".5",
    "5.",
    "1e-3",
    "1E+3",
    "1e308",
    "1e999",
    "1e-999",
    "2.5e-324",
    "9" * 400,
    "1" * 5000,
    "0." + "0" * 400 + "1",
    "00012",
    "1e0001",
    "1e99999999999",
]
NUMBERS = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.integers(0, 10**40).map(str),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
)
BINARY = ["+", "-", "*", "/", "^", "**", "@", "<", "<=", ">", ">=", "==", "!="]
SUBSCRIPTS = ["0", "1", "-1", "5", "0, 1", "1:", ":-1", "::2", "::0", ":", "0][0", "0.5", "x", "1:2:3:4", ""]


def _call(inner):
    def build(entry):
        name, low, high = entry
        # Mostly the right number of arguments, sometimes one too many or too few.
        arity = st.one_of(st.integers(low, high), st.sampled_from([max(low - 1, 0), high + 1]))
        return arity.flatmap(lambda k: st.lists(inner, min_size=k, max_size=k)).map(
            lambda args: f"{name}({', '.join(args)})"
        )

    return st.sampled_from(FUNCTIONS).flatmap(build)


def expressions(max_leaves: int = 12):
    """Expressions of the language (valid syntax; names, shapes and arities may be wrong)."""
    leaf = st.one_of(st.sampled_from(NAMES), NUMBERS)

    def grow(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            inner.map(lambda a: f"({a})"),
            st.tuples(st.sampled_from(["-", "+"]), inner).map("".join),
            _call(inner),
            st.lists(inner, min_size=1, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.tuples(inner, st.sampled_from(SUBSCRIPTS)).map(lambda t: f"{t[0]}[{t[1]}]"),
        )

    return st.recursive(leaf, grow, max_leaves=max_leaves)


def programs():
    """Several statements, `;`- or newline-separated, with definitions and comments."""
    statement = st.one_of(
        expressions(6),
        st.tuples(st.sampled_from(["a", "b", "x", "sin"]), expressions(6)).map(lambda t: f"{t[0]} = {t[1]}"),
        st.just("# comment"),
        st.just(""),
    )
    return st.tuples(st.lists(statement, min_size=1, max_size=4), st.sampled_from([";", "\n", "\r\n", " ; "])).map(
        lambda t: t[1].join(t[0])
    )


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|\*\*|<=|>=|==|!=|\s+|.", re.S)
ODD_TOKENS = [
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    "=",
    ":",
    "\n",
    "\\\n",
    "#",
    "1e999",
    "9" * 300,
    "(" * 60,
    ")" * 60,
    "[" * 40,
    "\x00",
    "\ufeff",
    "\u00e9",
    "'",
    '"',
    "{",
    "}",
    "!",
    "&",
    "|",
    "$",
    "%",
    "{0}",
    "%s",
    "\\",
]


def mutate(text: str, edits: list) -> str:
    """Token-level edits: delete, duplicate, swap, insert or replace (indices wrap around)."""
    tokens = _TOKEN.findall(text) or [""]
    for kind, i, j, extra in edits:
        i, j = i % len(tokens), j % len(tokens)
        if kind == "delete" and len(tokens) > 1:
            del tokens[i]
        elif kind == "duplicate":
            tokens.insert(i, tokens[i])
        elif kind == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "insert":
            tokens.insert(i, extra)
        elif kind == "replace":
            tokens[i] = extra
    return "".join(tokens)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"]),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.one_of(st.sampled_from(ODD_TOKENS), st.text(max_size=3)),
    ),
    min_size=1,
    max_size=4,
)


def near_valid():
    return st.tuples(st.one_of(expressions(), programs()), EDITS).map(lambda t: mutate(*t))


def values(depth: int = 3):
    """`--at` values: numbers (also odd ones) and nested lists, sometimes ragged or empty."""
    number = st.one_of(
        NUMBERS,
        st.sampled_from(["-1", "+2", "nan", "inf", "-inf", "Infinity", "-0", "1e", "--1", "0x10", "1_000", "١", "½"]),
    )
    return st.recursive(
        number, lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"), max_leaves=10
    )


def at_strings():
    binding = st.tuples(st.sampled_from(["x", "y", "v", "W", "z", "1x", "", "x y", "__class__", "é"]), values()).map(
        lambda t: f"{t[0]}={t[1]}"
    )
    generated = st.lists(binding, min_size=0, max_size=4).map(",".join)
    return st.one_of(generated, st.tuples(st.just(POINT), EDITS).map(lambda t: mutate(*t)), st.text(max_size=40))


# ---------------------------------------------------------------- the fuzz tests


@settings(max_examples=int(150 * SCALE), **FUZZ)
@given(expressions())
def test_generated_expressions(expr):
    for template in COMMANDS:
        check(fill(template, expr), kind="grammar")


@settings(max_examples=int(200 * SCALE), **FUZZ)
@given(near_valid())
def test_mutated_expressions(expr):
    for template in COMMANDS:
        check(fill(template, expr), kind="mutated")


@settings(max_examples=int(80 * SCALE), **FUZZ)
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_random_text(expr):
    for template in COMMANDS:
        check(fill(template, expr), kind="random text")


@settings(max_examples=int(150 * SCALE), **FUZZ)
@given(st.one_of(expressions(6), st.sampled_from(["x + y", "sum(v) * x", "W @ v", "x"])), at_strings())
def test_random_points(expr, at):
    for template in COMMANDS:
        check(fill(template, expr, at), kind="--at")


OPTION_WORDS = [
    "eval",
    "grad",
    "jacobian",
    "hessian",
    "diff",
    "--at",
    "--wrt",
    "--const",
    "--v",
    "--of",
    "--order",
    "--format",
    "--dtype",
    "--strict",
    "--latex",
    "--",
    "-",
    "json",
    "csv",
    "rich",
    "plain",
    "float32",
    "--format=json",
    "--order=0",
    "--order=99",
    "--at=x=1",
    "x=1",
    "x",
    "x^2",
    "-x",
    "--version",
    "--nope",
    "-q",
    "=",
    "",
]


@settings(max_examples=int(300 * SCALE), **FUZZ)
@given(st.lists(st.one_of(st.sampled_from(OPTION_WORDS), st.text(max_size=8)), max_size=8), st.text(max_size=30))
def test_random_argv(argv, stdin):
    if "--help" in argv or "-h" in argv:
        argv = [a for a in argv if a not in ("--help", "-h")]
    check(argv, input=stdin, kind="argv")


OPTIONS = ["--v", "--wrt", "--const", "--of", "--order", "--dtype", "--format", "--at"]


@settings(max_examples=int(150 * SCALE), **FUZZ)
@given(
    st.sampled_from(OPTIONS),
    st.one_of(
        st.text(max_size=20),
        values().map(str),
        st.sampled_from(["x", "x,y", "v", "y,x,x", "0", "-1", "21", "1e3", "[1,2,3]", "1,2", "[[1,2,3]]", ",", "x=1"]),
    ),
)
def test_random_option_values(option, value):
    for template in COMMANDS:
        argv = fill(template, "sum(v) * x + y")
        check(argv[:1] + [option, value] + argv[1:], kind="options")


@settings(max_examples=int(6 * SCALE), **FUZZ)
@given(st.one_of(near_valid(), st.sampled_from(["x^2 + y^2", "w*x + b", "sin(x)*x", "exp(1000*x)", "log(x)"])))
def test_commands_writing_files(expr):
    """Output files: complete or absent, never a temporary left behind, never over the input."""
    out = WORKDIR / "out.png"
    for template in FILE_COMMANDS:
        out.unlink(missing_ok=True)
        r = check(fill(template, expr, out=str(out)), kind="output files")
        leftovers = [p.name for p in WORKDIR.iterdir() if p.name not in ("data.csv", "out.png", "expr.txt")]
        assert not leftovers, leftovers
        if r.code == 0 and out.exists():
            head = out.read_bytes()[:8]
            assert head == b"\x89PNG\r\n\x1a\n" or b"," in out.read_bytes()[:200] or head.startswith(b"digraph"), head
        source = WORKDIR / "expr.txt"
        source.write_bytes(expr.encode("utf-8", "surrogatepass"))
        r = check(fill(template, str(source), out=str(source)), kind="output files")
        assert source.read_bytes() == expr.encode("utf-8", "surrogatepass")  # never written over the input


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzzfiles")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252", "shift_jis"]


@settings(max_examples=int(80 * SCALE), **FUZZ)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [b"x,y\n0,1\n1,3\n", b"x,y\n1,nan\n", b"x,x\n1,2\n", b"x\n1\n", b"x,y\n1\n", b"\xef\xbb\xbfx,y\n1,2\n"]
        ),
        st.tuples(st.one_of(programs(), near_valid()), st.sampled_from(ENCODINGS)).map(
            lambda t: t[0].encode(t[1], errors="replace")
        ),
    ),
    how=st.sampled_from(["file", "stdin"]),
)
def test_random_files(folder, content, how):
    path = folder / "input.txt"
    path.write_bytes(content)
    for template in COMMANDS:
        if how == "file":
            check(fill(template, str(path)), kind="files")
        else:
            check(fill(template, "-"), input=content, kind="stdin")
    # The same bytes as the data of `fit` (a CSV file or stdin).
    data = str(path) if how == "file" else "-"
    check(
        ["fit", "w*x + b", "--data", data, "--params", "w=0,b=0", "--epochs", "2", "--format", "json"],
        input=content if how == "stdin" else None,
        kind=how,
    )


# ---------------------------------------------------------------- every input that ever failed

REGRESSIONS = [
    json.loads(line)
    for line in (Path(__file__).parent / "fuzz_regressions.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("//")
]


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=[pytest.mark.slow] if c.get("slow") else []) for c in REGRESSIONS],
    ids=[c["why"][:50] for c in REGRESSIONS],
)
def test_regressions(case, folder):
    """Each case: `argv` (or `expr`, run through every template), optional `file` contents;
    `"slow": true` marks a case of many seconds (run by `python -m pytest -m slow`)."""
    if "file" in case:
        path = folder / "regression.txt"
        path.write_bytes(case["file"].encode("latin-1"))
        case = dict(case, expr=str(path))
    argvs = [case["argv"]] if "argv" in case else [fill(t, case["expr"], case.get("at", POINT)) for t in COMMANDS]
    for argv in argvs:
        r = check(argv, input=case.get("stdin"), kind="regressions")
        if "code" in case and "argv" in case:
            assert r.code == case["code"], r.stderr

"""Every number an option takes has a declared range (cli/spec.py), and a number outside it is
bad input: exit 2 with one `error:` line that names the range, never a crash (exit 70)."""

from __future__ import annotations

import math

import pytest

from conftest import invoke
from diffcli.cli import spec
from diffcli.cli.args import UsageError, convert

NUMERIC = [(c, o) for c in spec.COMMANDS for o in c.options if o.kind in ("int", "float")]
IDS = [f"{c.name} {o.flag}" for c, o in NUMERIC]

# A command line each command with a numeric option accepts; the option under test is added.
BASE = {
    "hessian": ["x^2*y", "--at", "x=1,y=2"],
    "diff": ["x*y + y", "--wrt", "x"],
    "taylor": ["exp(x)", "--at", "x=0"],
    "check": ["x^2", "--at", "x=1"],
    "minimize": ["x^2", "--at", "x=1"],
    "fit": ["w*x + b", "--data", "-", "--params", "w=0,b=0"],
    "plot": ["sin(x)", "--range", "x=0:1", "--format", "csv"],
    "uncertainty": ["x*y", "--at", "x=1±0.1,y=2±0.1"],
    "solve": ["x^2 - 2", "--at", "x=1"],
    "critical": ["x^2 + y^2", "--range", "x=-1:1,y=-1:1"],
}
LINE = "x,y\n0,1\n1,3\n2,5\n"


def test_every_numeric_option_declares_its_range():
    assert NUMERIC, "no numeric options found: has spec.py changed shape?"
    for command, option in NUMERIC:
        where = f"{command.name} {option.flag}"
        assert option.low is not None and option.high is not None, f"{where}: declare low and high"
        assert option.low <= option.high, where
        assert not math.isinf(option.low), f"{where}: a number has a lowest value"
        if option.kind == "int":  # a whole count stays a machine-sized integer (itertools, numpy)
            assert isinstance(option.low, int) and isinstance(option.high, int), where
            assert option.high < 2**64, where
        if option.default is not None:
            assert option.low <= option.default <= option.high, f"{where}: the default is out of its own range"


def test_every_command_with_numbers_has_a_base_line():
    assert {c.name for c, _ in NUMERIC} <= set(BASE)


def _outside(option: spec.Option) -> list[str]:
    """Texts just outside the range, and far outside it."""
    texts = []
    if option.kind == "int":
        texts += [str(option.low - 1), str(option.high + 1) if not math.isinf(option.high) else None]
        texts += ["9223372036854775808", "-9223372036854775809", "1e400"]
    else:
        texts += [repr(-1.0 if option.low == 0 else option.low - abs(option.low) - 1), "-inf", "nan"]
        if not math.isinf(option.high):
            texts += [repr(option.high * 2), "inf", "1e400"]
    return [t for t in texts if t is not None and not _inside(option, t)]


def _inside(option: spec.Option, text: str) -> bool:
    try:
        convert(option, text)
    except UsageError:
        return False
    return True


@pytest.mark.parametrize("command, option", NUMERIC, ids=IDS)
def test_a_number_out_of_range_is_exit_2_naming_the_range(command, option):
    texts = _outside(option)
    assert texts
    for text in texts:
        r = invoke(command.name, *BASE[command.name], option.flag, text, input=LINE)
        assert r.code == 2, (text, r)
        assert r.stdout == "" and r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), (text, r.stderr)
        assert option.flag in r.stderr, r.stderr
        if text != "nan":
            assert "not in the range" in r.stderr or "not a valid integer" in r.stderr, r.stderr


@pytest.mark.parametrize("command, option", NUMERIC, ids=IDS)
def test_the_lowest_value_is_taken(command, option):
    """The low end is inside the range: the reader accepts it (the command may still say why it
    cannot use it, as minimize does for --lr 0: exit 2 with its own reason)."""
    assert convert(option, str(option.low)) == option.low


def test_the_issue_s_overflow_is_bad_input():
    """diff --order 2^63 overflowed itertools.repeat: exit 70 before the range."""
    r = invoke("diff", "--order", "9223372036854775808", "--wrt", "x", "--", "x*y + y")
    assert r.code == 2 and r.stdout == ""
    assert r.stderr == (
        "error: Invalid value for '--order': 9223372036854775808 is not in the range 0<=x<=1,000,000,000. "
        "(see `diffcli diff --help`)\n"
    )


def test_a_negative_seed_is_bad_input():
    """fit --seed -1 reached numpy.random.default_rng: exit 70 before the range."""
    r = invoke("fit", *BASE["fit"], "--batch-size", "1", "--seed", "-1", input=LINE)
    assert r.code == 2 and "'--seed': -1 is not in the range 0<=x<=18,446,744,073,709,551,615" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "x^3", "--wrt", "x", "--order", "1000000000"],
        ["diff", "y = sin(x)", "--implicit", "y", "--wrt", "x", "--order", "1000000000", "--format", "json"],
        ["fit", *BASE["fit"], "--epochs", "1", "--batch-size", "1000000000000", "--seed", str(2**64 - 1)],
        ["minimize", "x^2", "--at", "x=0", "--steps", "1e12"],  # converged at once (the gradient is 0)
        ["check", "x^2", "--at", "x=1", "--rtol", "inf", "--atol", "inf"],
    ],
)
def test_the_top_of_a_range_works(args):
    r = invoke(*args, input=LINE)
    assert r.code in (0, 1) and r.stderr == "", r

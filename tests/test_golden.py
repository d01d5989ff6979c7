"""Golden test: hundreds of command lines (tests/golden/cases.py) rerun and compared with the
behaviour frozen in tests/golden/expected.jsonl (exit code, stdout, stderr, output files).

Text must be equal except for numbers, which may differ in the last digits (rel 1e-12), as
printed floats from BLAS or reassociated sums may on another CPU. A failure shows every
difference of the case. A difference is either a regression (fix the code) or an intended
change or a fixed bug: then refreeze with `python tests/golden/freeze.py`, review
`git diff tests/golden/expected.jsonl` and name the change in the commit message.
"""

from __future__ import annotations

import shutil

import pytest

from golden import harness
from golden.cases import CASES
from golden.harness import compare_text, numbers_agree

EXPECTED = harness.load_expected()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    if needs_graphviz(case) and shutil.which("dot") is None:
        pytest.skip("draws a picture with Graphviz's `dot`, which is not installed (CI installs it)")
    expected = EXPECTED.get(case["id"])
    if expected is None:
        pytest.fail(f"no frozen record for {case['id']!r}: run `python tests/golden/freeze.py` and review it")
    problems = harness.compare_records(expected, harness.run_case(case))
    assert not problems, f"diffcli {case['argv']!r} changed behaviour:\n" + "\n".join(problems)


def needs_graphviz(case) -> bool:
    """graph --svg/--png run Graphviz's `dot` (plot --png draws with matplotlib)."""
    argv = case["argv"]
    return bool(argv) and argv[0] == "graph" and any(a in ("--svg", "--png") for a in argv)


def test_every_frozen_record_has_a_case():
    stale = sorted(set(EXPECTED) - {c["id"] for c in CASES})
    assert not stale, f"expected.jsonl holds records of removed cases (refreeze): {stale[:5]}"


# ---------------------------------------------------------------- the tolerant comparator


def test_comparator_accepts_last_digit_differences():
    assert (
        compare_text("12\n-215.59999999999997 -87.99999999999999\n", "12\n-215.59999999999994 -88.00000000000001\n")
        is None
    )
    assert (
        compare_text(
            '{"value": 0.30000000000000004, "grad": [1e-300, null]}',
            '{"value": 0.3000000000000001, "grad": [1.0000000000000002e-300, null]}',
        )
        is None
    )
    assert (
        compare_text("value inf, nan; x1 = -0.07961998363751663", "value inf, nan; x1 = -0.07961998363751664") is None
    )
    assert compare_text("same text", "same text") is None


def test_comparator_fails_on_a_changed_word():
    assert "text differs" in compare_text(
        "value = 12\nok: largest error 1e-11\n", "value = 12\nOK: largest error 1e-11\n"
    )
    assert (
        compare_text("error: unknown function `sni` (did you mean `sin`?)", "error: unknown function `sni`") is not None
    )


def test_comparator_fails_on_a_number_off_by_1e_6_relative():
    assert "number differs" in compare_text("grad 4 2.5", "grad 4.000004 2.5")
    assert "number differs" in compare_text("t = 1.2345678e-8", "t = 1.2345690345678e-8")
    assert not numbers_agree("1", "1.000001") and numbers_agree("1", "1.0000000000001")


def test_comparator_keeps_formats_and_non_finite_values_apart():
    # the same number printed differently is a format change, not noise
    assert compare_text("12 4", "12.0 4") is not None
    assert compare_text("0", "-0") is not None
    # non-finite values agree only with themselves
    assert compare_text("inf nan -inf", "inf nan -inf") is None
    assert compare_text("inf", "1e308") is not None and compare_text("nan", "0") is not None
    assert compare_text("-inf", "inf") is not None
    # a number more or less (or a digit moved into a name) is a difference
    assert compare_text("1 2", "1 2 3") is not None and compare_text("x1", "x2") is not None
    # words that contain inf/nan are words
    assert compare_text("infinite; finance", "infinite; finance") is None
    assert compare_text("infinite", "indefinite") is not None


def test_comparator_allows_what_another_cpu_changes_and_no_more():
    """Central differences magnify ulps (check cases pass a noise); Rich tables pad to the
    widest number (layout runs compare as one)."""
    check = ("ok\n4.960185040481235e-12\n0.012843119946707561", "ok\n5.93081833644149e-12\n0.012843119942123995")
    assert compare_text(*check) is not None and compare_text(*check, noise=1e-7) is None
    assert compare_text("ok\n1e-12", "ok\n1e-5", noise=1e-7) is not None
    table = (
        "┏━━━━┳━━━━━━━━━━━━━━━━━━━━━┓\n┃ x  ┃ 0.008825661644180843 ┃",
        "┏━━━━┳━━━━━━━━━━━━━━━━━━━━┓\n┃ x  ┃ 0.00882566164418086 ┃",
    )
    assert compare_text(*table) is not None and compare_text(*table, layout=True) is None
    assert compare_text("┃ x ┃ 1 ┃", "┃ y ┃ 1 ┃", layout=True) is not None

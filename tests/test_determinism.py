"""The default suite is deterministic: Hypothesis runs derandomized (profile `ci`, tests/conftest.py),
so two runs with different seeds in the environment try the same examples. A random hunt is
opt-in (DIFFCLI_HYPOTHESIS=deep)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent

# Loads the suite's profile (importing conftest), draws the examples of one property test whose
# strategies look like the suite's (text, numbers, lists) and prints them, one per line.
PROBE = """
import random, sys
sys.path.insert(0, {tests!r})
import conftest  # noqa: F401  (registers and loads the profile)
from hypothesis import given, strategies as st

random.seed({seed})
drawn = []

@given(st.text(max_size=8), st.floats(allow_nan=False), st.lists(st.integers(-5, 5), max_size=4))
def probe(text, number, items):
    drawn.append(repr((text, number, items)))

probe()
print(len(drawn))
print("\\n".join(drawn))
"""


def _draw(seed: int, hash_seed: str, profile: str | None = None, where: Path | None = None) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env.pop("DIFFCLI_HYPOTHESIS", None)
    if profile:
        env["DIFFCLI_HYPOTHESIS"] = profile
    code = PROBE.format(tests=str(TESTS), seed=seed)
    if where is not None:
        where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=where)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_the_default_profile_is_derandomized():
    if os.environ.get("DIFFCLI_HYPOTHESIS", "ci") == "ci":
        assert settings.default.derandomize and settings.default.database is None


def test_two_runs_with_different_seeds_try_the_same_examples(tmp_path):
    first = _draw(1, "0", where=tmp_path)
    second = _draw(2, "12345", where=tmp_path)
    assert int(first[0]) >= 50  # the probe really drew examples
    assert first == second


@pytest.mark.slow
def test_the_deep_profile_draws_at_random(tmp_path):
    """The opt-in hunt is not derandomized: two runs try different examples (its example
    database, .hypothesis/, goes to a temporary folder here)."""
    assert _draw(1, "0", "deep", tmp_path / "a") != _draw(2, "12345", "deep", tmp_path / "b")

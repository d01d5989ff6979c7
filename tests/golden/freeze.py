"""Freeze the current behaviour of the `diffcli` command line into tests/golden/expected.jsonl.

Regenerate with:

    python tests/golden/freeze.py

It runs every case of tests/golden/cases.py in-process (as tests/conftest.py does: `diffcli.cli.main`
inside typer's CliRunner isolation, the working folder a fresh temporary folder holding a copy of
samples/) and writes one JSON object per case: argv, stdin, exit code, stdout, stderr, the
read-back output files, the files left in the working folder and any Python warnings.
tests/test_golden.py reruns the cases and compares (numbers within rel 1e-12).

Regenerating is never routine. Review every difference it reports (`git diff
tests/golden/expected.jsonl`) and name each one in the commit message, either as a fixed bug or
as an intended change of behaviour. A difference that is neither is a regression: fix the code,
not the golden file.

Options: `--only TEXT` refreezes only the cases whose id contains TEXT (the others are kept as
they were); `--check` writes nothing and only reports the cases that would change.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, so that `golden` imports

from golden import harness  # noqa: E402
from golden.cases import CASES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="refreeze only the cases whose id contains this text")
    parser.add_argument("--check", action="store_true", help="write nothing; report the cases that would change")
    args = parser.parse_args(argv)

    old = harness.load_expected()
    records, changed, timings = [], [], []
    start = time.perf_counter()
    for case in CASES:
        if args.only and args.only not in case["id"] and case["id"] in old:
            records.append(old[case["id"]])
            continue
        t = time.perf_counter()
        record = harness.run_case(case)
        timings.append((time.perf_counter() - t, case["id"]))
        if case["id"] not in old:
            changed.append(f"new:     {case['id']}")
        elif harness.compare_records(old[case["id"]], record):
            changed.append(f"changed: {case['id']}")
        records.append(record)
    total = time.perf_counter() - start
    gone = sorted(set(old) - {c["id"] for c in CASES})
    changed += [f"removed: {i}" for i in gone]

    if not args.check:
        with open(harness.EXPECTED, "w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")

    by_category = collections.Counter(c["category"] for c in CASES)
    print(f"{len(CASES)} cases in {total:.1f} s: " + ", ".join(f"{k} {v}" for k, v in by_category.items()))
    print("slowest: " + "; ".join(f"{i} ({t * 1000:.0f} ms)" for t, i in sorted(timings, reverse=True)[:5]))
    exits = collections.Counter(r["exit"] for r in records)
    print("exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(exits.items(), key=str)))
    if changed:
        print(
            f"{len(changed)} differences from the previous expected.jsonl"
            + (" (not written: --check)" if args.check else "")
            + ":"
        )
        for line in changed[:60]:
            print("  " + line)
        if len(changed) > 60:
            print(f"  ... and {len(changed) - 60} more")
    else:
        print("no differences from the previous expected.jsonl")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

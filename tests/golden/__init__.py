"""Golden test of the `diffcli` command line: cases, runner, tolerant comparison.

See freeze.py for how expected.jsonl is (re)generated and tests/test_golden.py for the test."""

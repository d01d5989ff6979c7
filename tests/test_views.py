"""Output people enjoy (issue 15): Rich views that scale, plot in the terminal and as points,
progress on a terminal only, check's short lines. The pseudo-terminal tests run the installed
command under Python's pty module, as a person's terminal would."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import invoke

DIFFCLI = shutil.which("diffcli") or os.path.join(os.path.dirname(sys.executable), "diffcli")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(*args: str, columns: int = 120, env: dict | None = None, timeout: float = 60) -> tuple[int, str]:
    """Run the installed command with stdin, stdout and stderr on a pseudo-terminal; the screen
    text without colour codes."""
    main, child = pty.openpty()
    environment = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color", **(env or {})}
    for name in ("NO_COLOR", "FORCE_COLOR"):
        environment.pop(name, None)
    done = subprocess.Popen([DIFFCLI, *args], stdin=child, stdout=child, stderr=child, env=environment)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    code = done.wait(timeout)
    os.close(main)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")


def hessian30() -> tuple[str, str]:
    """A dense 30 x 30 Hessian with 10-significant-digit entries."""
    terms = " + ".join(f"x{i}*x{j}*{(i + 1) / (j + 7):.12f}" for i in range(30) for j in range(i, 30, 3))
    at = ",".join(f"x{i}={0.1 * i + 0.05:.2f}" for i in range(30))
    return terms + " + " + " + ".join(f"sin(x{i})" for i in range(30)), at


# ---------------------------------------------------------------- Rich numbers and matrices


def test_rich_shows_ten_significant_digits_plain_and_json_every_digit():
    r = invoke("hessian", "samples/rosenbrock.dc", "--at", "x=-1.2,y=1", "--format", "rich")
    assert "value = 24.2\n" in r.stdout and "-215.6 " in r.stdout and "215.59999999999997" not in r.stdout
    plain = invoke("hessian", "samples/rosenbrock.dc", "--at", "x=-1.2,y=1", "--format", "plain").stdout
    assert plain.startswith("24.199999999999996\n-215.59999999999997 -87.99999999999999")
    from diffcli.render.matrix import rich_number

    assert [rich_number(v) for v in (15.400000000000002, 1 / 3, -0.0, 1e300, float("nan"), 12.0, 2**0.5 * 1e-9)] == [
        "15.4",
        "0.3333333333",
        "0",
        "1e+300",
        "nan",
        "12",
        "1.414213562e-09",
    ]


def test_a_30x30_hessian_in_120_columns_is_a_picture_never_a_cell_of_ellipsis(tmp_path):
    text, at = hessian30()
    path = tmp_path / "h30.dc"
    path.write_text(text)
    r = invoke("hessian", str(path), "--at", at, "--format", "rich", env={"COLUMNS": "120"})
    assert r.code == 0, r.stderr
    assert "30 x 30, too wide for this terminal" in r.stdout and "largest entries" in r.stdout
    assert "--format plain (or json) gives every entry with every digit" in r.stdout
    assert all(len(line) <= 120 for line in r.stdout.splitlines())
    assert not re.search(r"[│┃]\s*…\s*[│┃]", r.stdout)  # no cell cut down to an ellipsis
    picture = [line for line in r.stdout.splitlines() if line.startswith("x")][:30]
    assert len(picture) == 30 and all(set(line.split(maxsplit=1)[1]) <= set("█▓▒░·") for line in picture)


def test_a_matrix_a_little_too_wide_is_cut_into_blocks_of_columns():
    at = ",".join(f"x{i}={i + 0.123456789}" for i in range(8))
    text = " + ".join(f"x{i}^3*x{(i + 1) % 8}" for i in range(8))
    r = invoke("hessian", text, "--at", at, "--format", "rich", env={"COLUMNS": "100"})
    assert "hessian, columns 1-" in r.stdout and "of 8" in r.stdout and "…" not in r.stdout
    assert all(len(line) <= 100 for line in r.stdout.splitlines())


def test_the_30x30_hessian_under_a_pseudo_terminal(tmp_path):
    text, at = hessian30()
    path = tmp_path / "h30.dc"
    path.write_text(text)
    code, screen = on_a_terminal("hessian", str(path), "--at", at, columns=120)
    assert code == 0, screen
    assert "30 x 30, too wide for this terminal" in screen and "largest entries" in screen
    assert not re.search(r"[│┃]\s*…\s*[│┃]", screen)


# ---------------------------------------------------------------- check


def test_check_rich_says_ok_once_in_short_lines():
    r = invoke("check", "x*x*y", "--at", "x=2,y=3", "--format", "rich", env={"COLUMNS": "80"})
    assert r.code == 0
    assert len(re.findall(r"\bok\b", r.stdout)) == 1
    tail = r.stdout.rstrip("\n").splitlines()[-3:]
    assert tail[0] == "ok: the three answers agree"
    assert tail[2] == "agree means |reverse - numeric| <= 1e-06 + 1e-05*|numeric|"  # one line, not wrapped
    bad = invoke("check", "relu(x)", "--at", "x=0", "--format", "rich", "--kinks", "quiet")
    assert bad.code == 1 and "mismatch: 2 of 2 entries disagree" in bad.stdout


# ---------------------------------------------------------------- plot without a file


def test_plot_prints_the_points_in_a_pipe():
    r = invoke("plot", "sin(x)*x", "--range", "x=-3:3", "--order", "2")
    rows = np.loadtxt(io.StringIO(r.stdout))
    assert rows.shape == (401, 4) and rows[0, 0] == -3 and rows[-1, 0] == 3
    x = rows[:, 0]
    np.testing.assert_allclose(rows[:, 1], np.sin(x) * x, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(rows[:, 2], np.cos(x) * x + np.sin(x), rtol=1e-13, atol=1e-14)
    table = list(
        csv.reader(
            io.StringIO(invoke("plot", "sin(x)*x", "--range", "x=-3:3", "--order", "2", "--format", "csv").stdout)
        )
    )
    assert table[0] == ["x", "f(x)", "f'(x)", "f''(x)"] and len(table) == 402
    d = invoke("plot", "sqrt(x)", "--range", "x=-1:1", "--format", "json")
    data = json.loads(d.stdout)
    assert list(data) == ["x", "f(x)", "f'(x)", "warnings"] and data["f(x)"][0] is None
    assert "f(x) is not finite at 200 of 401 points" in d.stderr


def test_plot_draws_in_the_terminal_with_labels():
    pytest.importorskip("uniplot")
    r = invoke("plot", "sin(x)*x", "--range", "x=-3:3", "--order", "2", "--format", "rich", env={"COLUMNS": "100"})
    assert r.code == 0, r.stderr
    assert "f(x)" in r.stdout and "f'(x)" in r.stdout and "f''(x)" in r.stdout and "sin(x)*x" in r.stdout
    assert sum(ch in r.stdout for ch in "⠁⠂⠄⡀⠈⠐⠠⢀") >= 4  # braille dots drawn


def test_plot_on_a_pseudo_terminal_draws():
    pytest.importorskip("uniplot")
    code, screen = on_a_terminal("plot", "sin(x)*x", "--range", "x=-3:3", columns=100)
    assert code == 0, screen
    assert "f(x)" in screen and "f'(x)" in screen and "┌" in screen and "-3" in screen


def test_plot_without_uniplot_says_what_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_uniplot(name, *args, **kwargs):
        if name == "uniplot":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uniplot)
    r = invoke("plot", "x^2", "--range", "x=0:1", "--format", "rich")
    assert r.code == 2 and "pip install 'diffcli[term]'" in r.stderr and "--format csv" in r.stderr


# ---------------------------------------------------------------- progress


def test_points_progress_and_summary_only_on_a_terminal(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i + 1}\n" for i in range(2000)))
    out = tmp_path / "o.npy"
    code, screen = on_a_terminal(
        "grad", "x*y", "--points", str(path), "--out", str(out), env={"DIFFCLI_PROGRESS_DELAY": "0"}
    )
    assert code == 0, screen
    assert re.search(
        rf"--points {re.escape(str(path))}: 2,000 rows in [0-9.]+ s \(.* rows/s\) to {re.escape(str(out))}", screen
    )
    piped = subprocess.run(
        [DIFFCLI, "grad", "x*y", "--points", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "DIFFCLI_PROGRESS_DELAY": "0"},
    )
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout == ""


def test_fit_progress_on_a_terminal_names_epoch_and_loss(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{i / 100},{3 * (i / 100) ** 2 + 2}\n" for i in range(200)))
    code, screen = on_a_terminal(
        "fit",
        "w*x^2 + b",
        "--data",
        str(path),
        "--params",
        "w=0,b=0",
        "--epochs",
        "3000",
        "--lr",
        "0.1",
        env={"DIFFCLI_PROGRESS_DELAY": "0"},
    )
    assert code == 0, screen
    assert re.search(r"epoch [0-9,]+/3,000, batch loss", screen) and "steps/s" in screen

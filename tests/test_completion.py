"""Shell completion, generated from cli/spec.py through the typer app: `diffcli completion
SHELL` prints the script; the script asks `diffcli` itself for the words, so commands, options
and choices complete, and a file option (no words) falls back to the shell's file names."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import invoke
from diffcli.cli import spec

BASH = shutil.which("bash")


def bash_complete(tmp_path, *words: str) -> list[str]:
    """COMPREPLY after sourcing the generated script with the command line `words` (the last
    is the word being completed), as bash's programmable completion would call it."""
    script = tmp_path / "diffcli.bash"
    script.write_text(subprocess.run(["diffcli", "completion", "bash"], capture_output=True, text=True).stdout)
    quoted = " ".join(f"'{w}'" for w in words)
    line = (
        f"source {script}; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
        '_diffcli_completion diffcli; printf "%s\\n" "${COMPREPLY[@]}"; complete -p diffcli'
    )
    r = subprocess.run([BASH, "-c", line], capture_output=True, text=True, timeout=60, env=os.environ)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


pytestmark = pytest.mark.skipif(BASH is None or shutil.which("diffcli") is None, reason="needs bash and diffcli")


def test_bash_completes_a_command(tmp_path):
    got = bash_complete(tmp_path, "diffcli", "gr")
    assert got[:2] == ["grad", "graph"]
    assert got[-1].startswith("complete -o default -F _diffcli_completion")  # file names when no word fits


def test_bash_completes_an_option_and_its_choices(tmp_path):
    assert "--format" in bash_complete(tmp_path, "diffcli", "grad", "--fo")
    assert bash_complete(tmp_path, "diffcli", "grad", "--format", "")[:5] == list(spec.FORMATS)
    assert bash_complete(tmp_path, "diffcli", "minimize", "--optimizer", "a")[0] == "adam"


def test_a_file_option_leaves_the_shell_its_file_names(tmp_path):
    got = bash_complete(tmp_path, "diffcli", "grad", "--points", "")
    assert [w for w in got[:-1] if w] == []  # no words: `-o default` completes file names


@pytest.mark.parametrize(
    "shell,marker", [("zsh", "compdef _diffcli_completion diffcli"), ("fish", "complete --command diffcli")]
)
def test_zsh_and_fish_scripts(shell, marker):
    r = invoke("completion", shell)
    assert r.code == 0 and marker in r.stdout and "_DIFFCLI_COMPLETE=complete_" + shell in r.stdout


def test_zsh_words_come_from_the_declarations():
    env = {**os.environ, "_DIFFCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "diffcli hessian --spa"}
    r = subprocess.run(["diffcli"], capture_output=True, text=True, env=env, timeout=60)
    assert "--sparse" in r.stdout
    env["_TYPER_COMPLETE_ARGS"] = "diffcli fit --data "
    assert "_files" in subprocess.run(["diffcli"], capture_output=True, text=True, env=env, timeout=60).stdout


def test_an_unknown_shell_is_one_error():
    r = invoke("completion", "tcsh")
    assert r.code == 2 and r.stderr.startswith("error: completion: `tcsh` is not a shell") and not r.stdout

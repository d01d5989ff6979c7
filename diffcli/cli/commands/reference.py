"""functions: the language reference (every function and operator), from the op table;
completion: the shell completion script, typer's, for the app built from cli/spec.py."""

from __future__ import annotations

from diffcli.cli.spec import Options
from diffcli.data.fileio import stdout_errors
from diffcli.errors import EXIT_OK, DiffcliError
from diffcli.explain.reference import reference
from diffcli.render import reference as view
from diffcli.render.present import present

SHELLS = ("bash", "zsh", "fish")
# Where each shell looks for a completion script (what the command prints tells the user).
PLACES = {
    "bash": "~/.local/share/bash-completion/completions/diffcli",
    "zsh": "a folder of your $fpath, as _diffcli",
    "fish": "~/.config/fish/completions/diffcli.fish",
}


def functions(o: Options) -> int:
    return present(reference(), o.format, view)


def completion(o: Options) -> int:
    shell = o.shell.strip().lower()
    if shell not in SHELLS:
        raise DiffcliError(
            f"completion: `{o.shell}` is not a shell diffcli completes: write bash, zsh or fish "
            "(or run `diffcli --install-completion`, which finds yours)"
        )
    # typer writes the script that asks `diffcli` itself for the words, so completion follows
    # the declarations of cli/spec.py (commands, options, choices; file names for the rest)
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name="diffcli", complete_var="_DIFFCLI_COMPLETE", shell=shell)
    with stdout_errors():
        print(f"# diffcli completion for {shell}: save as {PLACES[shell]}")
        print(script.rstrip("\n"))
    return EXIT_OK

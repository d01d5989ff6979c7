"""The declarations of functions and completion: the language reference and shell completion
(cli/commands/reference.py)."""

from __future__ import annotations

from diffcli.cli.spec.records import Argument, Command, Option

FUNCTIONS_COMMAND = Command(
    "functions",
    "Every function and operator of the expression language with its derivative rule, "
    "LaTeX form, domain, kink conventions and PyTorch grad_fn name (--format markdown: the language "
    "reference, docs/language.md).",
    "diffcli functions --format plain",
    "reference:functions",
    (),
    (
        Option(
            "--format",
            "auto: rich on a terminal, plain otherwise; json; markdown: the whole reference.",
            "choice",
            "auto",
            ("auto", "rich", "plain", "json", "markdown"),
        ),
    ),
)

COMPLETION_COMMAND = Command(
    "completion",
    "Print the shell completion script for bash, zsh or fish (commands, options, choices, file "
    "names). `diffcli --install-completion` installs it for the shell you use.",
    "diffcli completion bash",
    "reference:completion",
    (Argument("SHELL", "bash, zsh or fish."),),
    (),
)

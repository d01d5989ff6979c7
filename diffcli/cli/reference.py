"""The command reference, docs/reference.md, generated from the declarations of cli/spec.py:
every command with its arguments and options, grouped as --help groups them.

    python -m diffcli.cli.reference > docs/reference.md

tests/test_reference.py fails when the page is stale."""

from __future__ import annotations

import sys

from diffcli.cli import helptext, spec

REGENERATE = "python -m diffcli.cli.reference > docs/reference.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(option: spec.Option) -> str:
    shown = helptext.metavar(option)
    return f"`{shown}`" if shown else ""


def _default(option: spec.Option) -> str:
    if option.required:
        return "required"
    if option.kind == "switch":
        return f"`{option.flag if option.default else spec.no(option)}`"
    if option.default in (None, False):
        return ""
    return f"`{option.default:g}`" if isinstance(option.default, float) else f"`{option.default}`"


def _flags(option: spec.Option) -> str:
    return f"`{option.flag}` / `{spec.no(option)}`" if option.kind == "switch" else f"`{option.flag}`"


def command_section(command: spec.Command) -> list[str]:
    usage = " ".join(["diffcli", command.name, "[OPTIONS]", *(a.name for a in command.arguments)])
    lines = [f"## {command.name}", "", _cell(command.help), "", "```bash", usage, command.example, "```", ""]
    for argument in command.arguments:
        lines += [f"`{argument.name}` (required): {argument.help}", ""]
    options = helptext.help_order(command)
    for panel in helptext.PANELS:
        rows = [o for o in options if helptext.panel(command, o) == panel]
        if not rows:
            continue
        lines += [f"**{panel}**", "", "| option | value | default | meaning |", "|---|---|---|---|"]
        lines += [f"| {_flags(o)} | {_value(o)} | {_default(o)} | {_cell(helptext.full_help(o))} |" for o in rows]
        lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Command reference",
        "",
        f"Generated from `diffcli/cli/spec.py` by `{REGENERATE}`; a test fails when this page is "
        "stale. `diffcli COMMAND --help` shows the same, and the expression language is in the "
        "[language reference](language.md).",
        "",
        "Every command takes `--help` (`-h`). `diffcli --version` prints the version; "
        "`diffcli --install-completion` installs shell completion (see [Scripts and data](scripts.md#shell-completion)).",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    lines += [f"| [{c.name}](#{c.name}) | {_cell(c.help)} |" for c in spec.COMMANDS]
    lines.append("")
    for command in spec.COMMANDS:
        lines += command_section(command)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())

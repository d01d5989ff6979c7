"""Commands read their values as attributes of a frozen options object (`o.at`), made from
cli/spec/: a name no command declares would only fail when that line runs, so every `o.NAME`
and `getattr(o, "NAME", ...)` in cli/commands/ is checked against the declarations here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from diffcli.cli import spec

COMMANDS = Path(spec.__file__).resolve().parent.parent / "commands"
DECLARED = {a.dest for c in spec.COMMANDS for a in c.arguments} | {o.dest for c in spec.COMMANDS for o in c.options}


def names_read(tree: ast.AST) -> set[str]:
    """The option names read from a variable called `o` in a module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "o":
            found.add(node.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "o"
            and isinstance(node.args[1], ast.Constant)
        ):
            found.add(node.args[1].value)
    return found


@pytest.mark.parametrize("module", sorted(COMMANDS.glob("*.py")), ids=lambda p: p.name)
def test_every_option_a_command_reads_is_declared(module):
    read = names_read(ast.parse(module.read_text(encoding="utf-8")))
    assert read - DECLARED == set(), f"{module.name} reads options no command declares"


def test_the_check_sees_the_reads():
    """The walk finds what the commands read (a check that found nothing would pass anyway)."""
    read = names_read(ast.parse((COMMANDS / "core.py").read_text(encoding="utf-8")))
    assert {"expr", "at", "points", "out"} <= read
    assert names_read(ast.parse("o.nosuch\ngetattr(o, 'other', None)")) == {"nosuch", "other"}

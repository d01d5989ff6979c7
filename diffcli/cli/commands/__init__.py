"""The commands, one module per family: each function takes the option values the CLI read
(declared in cli/spec.py) and returns the exit code. `dispatch` runs a command line that has
been read, importing only the module of its command (start-up)."""

from __future__ import annotations

import importlib
import sys

from diffcli import __version__
from diffcli.data.fileio import stdout_errors
from diffcli.errors import EXIT_OK
from diffcli.syntax.paths import shadowed_file


def dispatch(call) -> int:
    if call.command.name == "--version":
        with stdout_errors():
            print(f"diffcli {__version__}")
        return EXIT_OK
    for argument in call.command.arguments:  # EXPR, MODEL: text, unless it looks like a path
        value = call.values.get(argument.dest)
        note = shadowed_file(value) if isinstance(value, str) else None
        if note:
            print(f"note: {note}", file=sys.stderr)
    module, function = call.command.run.split(":")
    implementation = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return implementation(call.options())

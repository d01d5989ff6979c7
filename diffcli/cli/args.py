"""The command line read against the declarations of cli/spec.py, without typer.

Click's conventions: `--opt value` and `--opt=value`; a repeated option keeps its last value
(list options collect every one); `--` ends the options; `-` is an argument (stdin). Values
are checked here (choices, numbers, bounds), so a command receives clean Python values. Help
and completion requests are recognised and handed to the typer app.
"""

from __future__ import annotations

import difflib
import math

from ..errors import DiffcliError
from .spec import BY_NAME, Call, Command, Option, no

HELP = ("--help", "-h")
TYPER_ONLY = ("--install-completion", "--show-completion")


class UsageError(DiffcliError):
    """A command line that does not fit the declarations (exit 2)."""


class NeedsTyper(Exception):
    """The line asks for help or completion: the typer app renders it."""


def read(argv: list[str]) -> Call:
    if not argv or argv[0] in HELP or argv[0] in TYPER_ONLY:
        raise NeedsTyper
    if argv[0] == "--version":
        return Call(Command("--version", "", "", ""))
    if argv[0].startswith("-"):
        raise UsageError(f"No such option: {argv[0]}")
    command = BY_NAME.get(argv[0])
    if command is None:
        raise UsageError(f"No such command '{argv[0]}'.")
    values = {o.dest: ([] if o.kind == "list" else o.default) for o in command.options}
    values.update({a.dest: None for a in command.arguments})
    given: set[str] = set()
    positional: list[str] = []
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg == "--":
            positional.extend(rest[i:])
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        if arg in HELP:
            raise NeedsTyper
        flag, eq, value = arg.partition("=")
        option = command.option(flag)
        if option is None:
            raise UsageError(f"No such option: {flag}" + _close_flag(flag, command))
        if not option.takes_value:
            if eq:
                raise UsageError(f"Option '{flag}' does not take a value.")
            values[option.dest] = flag == option.flag
            continue
        if not eq:
            if i >= len(rest):
                raise UsageError(f"Option '{flag}' requires an argument.")
            value = rest[i]
            i += 1
        converted = convert(option, value)
        if option.kind == "list":
            values[option.dest].append(converted)
        else:
            values[option.dest] = converted
        given.add(option.dest)
    for argument, value in zip(command.arguments, positional):
        values[argument.dest] = value
    if len(positional) > len(command.arguments):
        raise UsageError(f"Got unexpected extra argument ({positional[len(command.arguments)]})")
    for argument in command.arguments[len(positional):]:
        raise UsageError(f"Missing argument '{argument.dest}'.")
    for option in command.options:
        if option.required and option.dest not in given:
            raise UsageError(f"Missing option '{option.flag}'.")
    for option in command.options:  # list options: None when not given, as typer passes them
        if option.kind == "list" and not values[option.dest]:
            values[option.dest] = None
    return Call(command, values)


def convert(option: Option, text: str):
    """An option's text as the value its kind declares, or a UsageError saying what is wrong."""
    where = f"Invalid value for '{option.flag}'"
    if option.kind == "choice":
        if text not in option.choices:
            listed = ", ".join(f"'{c}'" for c in option.choices)
            raise UsageError(f"{where}: '{text}' is not one of {listed}.")
        return text
    if option.kind in ("int", "float"):
        number = _number(option, text, where)
        if (option.low is not None and number < option.low) or (option.high is not None and number > option.high):
            raise UsageError(f"{where}: {text} is not in the range {_range(option)}.")
        return number
    return text


def _number(option: Option, text: str, where: str):
    try:
        number = int(text) if option.kind == "int" else float(text)
    except ValueError:
        kind = "integer" if option.kind == "int" else "float"
        raise UsageError(f"{where}: '{text}' is not a valid {kind}.") from None
    # nan fails a bounded option (as typer did); an unbounded one (--lr) lets the command say why
    if option.kind == "float" and math.isnan(number) and (option.low is not None or option.high is not None):
        raise UsageError(f"{where}: '{text}' is not a valid float.")
    return number


def _range(option: Option) -> str:
    low = "" if option.low is None else f"{option.low:g}<="
    high = "" if option.high is None else f"<={option.high:g}"
    return f"{low}x{high}"


def _close_flag(flag: str, command: Command) -> str:
    flags = [o.flag for o in command.options] + [no(o) for o in command.options if o.kind == "switch"]
    found = difflib.get_close_matches(flag, flags + list(HELP[:1]))
    return f" (Possible options: {', '.join(sorted(found))})" if found else ""

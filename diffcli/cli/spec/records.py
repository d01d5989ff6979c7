"""The records the declarations are made of: Option, Argument, Command; and the frozen options
object a command gets (`Options`, made per command by `options_type`), and `Call`, a command line
read against them."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any


class Option:
    """One option: its flag, help, kind (text, list (repeatable), flag, switch (--x/--no-x),
    int, float, choice), default, choices, bounds of numbers, and whether it is required."""

    __slots__ = ("flag", "help", "kind", "default", "choices", "low", "high", "required", "dest")

    def __init__(
        self,
        flag: str,
        help: str,
        kind: str = "text",
        default=None,
        choices: tuple = (),
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
    ):
        self.flag, self.help, self.kind, self.default, self.choices = flag, help, kind, default, choices
        self.low, self.high, self.required = low, high, required
        self.dest = flag[2:].replace("-", "_")

    @property
    def takes_value(self) -> bool:
        return self.kind not in ("flag", "switch")


class Argument:
    __slots__ = ("name", "help", "dest")

    def __init__(self, name: str, help: str):
        self.name, self.help, self.dest = name, help, name.lower()


class Command:
    """A command: name, help, the example its --help shows (and runs), the implementation
    (`module:function` under diffcli.cli.commands), its arguments and options."""

    __slots__ = ("name", "help", "example", "run", "arguments", "options")

    def __init__(self, name: str, help: str, example: str, run: str, arguments: tuple = (), options: tuple = ()):
        self.name, self.help, self.example, self.run = name, help, example, run
        self.arguments, self.options = arguments, options

    def option(self, flag: str) -> Option | None:
        return next((o for o in self.options if o.flag == flag or (o.kind == "switch" and flag == no(o))), None)


def no(option: Option) -> str:
    """The negative flag of a switch: --hessian -> --no-hessian."""
    return "--no-" + option.flag[2:]


class Options:
    """A command's values, read and checked by cli/args.py: one frozen attribute per argument
    and option the command declares (`o.expr`, `o.at`, `o.wrt`), made by `options_type` from the
    declaration, so no command reads a string-keyed dict. A name the command does not declare
    is an AttributeError (tests/test_cli_options.py checks every `o.NAME` the commands read)."""

    if TYPE_CHECKING:  # the attributes are made per command by options_type

        def __getattr__(self, name: str) -> Any: ...


_TYPES: dict[str, type] = {}


def options_type(command: Command) -> type:
    """The frozen dataclass of `command`'s values (made once per process, on first use)."""
    made = _TYPES.get(command.name)
    if made is None:
        names = [a.dest for a in command.arguments] + [o.dest for o in command.options]
        made = _TYPES[command.name] = dataclasses.make_dataclass(
            command.name.title() + "Options", names, bases=(Options,), frozen=True, slots=True
        )
    return made


class Call:
    """A command line read against the declarations: the command and every option's value."""

    __slots__ = ("command", "values")

    def __init__(self, command: Command, values: dict | None = None):
        self.command, self.values = command, values or {}

    def options(self) -> Options:
        return options_type(self.command)(**self.values)

"""The command line read against the declarations of cli/spec.py, without typer.

Click's conventions: `--opt value` and `--opt=value`; a repeated option keeps its last value
(list options collect every one); `--` ends the options; `-` is an argument (stdin). Values
are checked here (choices, numbers, bounds), so a command receives clean Python values. Help
and completion requests are recognised and handed to the typer app.
"""

from __future__ import annotations

import difflib
import math
import re
import shlex
from fractions import Fraction

from diffcli.cli.spec import BY_NAME, CHOICE_ALIASES, FOREIGN_COMMANDS, FOREIGN_OPTIONS, Call, Command, Option, no
from diffcli.errors import DiffcliError
from diffcli.syntax.paths import looks_like_path

HELP = ("--help", "-h")
TYPER_ONLY = ("--install-completion", "--show-completion")


class UsageError(DiffcliError):
    """A command line that does not fit the declarations (exit 2); `command` names the
    command whose --help says more (None: the program's)."""

    def __init__(self, message: str, command: str | None = None):
        super().__init__(message)
        self.command = command

    @property
    def help(self) -> str:
        return f"diffcli {self.command} --help" if self.command else "diffcli --help"


class NeedsTyper(Exception):
    """The line asks for help or completion: the typer app renders it."""


def read(argv: list[str]) -> Call:
    if not argv or argv[0] in HELP or argv[0] in TYPER_ONLY:
        raise NeedsTyper
    if argv[0] == "--version":
        return Call(Command("--version", "", "", ""))
    if argv[0].startswith("-"):
        raise UsageError(f"No such option: {argv[0]}" + _foreign_option(argv[0]))
    command = BY_NAME.get(argv[0])
    if command is None:
        raise UsageError(f"No such command '{argv[0]}'" + _other_command(argv[0]))
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
            following = rest[i] if i < len(rest) else None
            raise UsageError(
                f"No such option: {flag}"
                + (
                    _foreign_option(flag)
                    or _format_flag(flag, following, command)
                    or _single_dash(flag, following, command, expr_given=len(positional) >= len(command.arguments))
                    or _expression_hint(argv, i - 1)
                    or _close_flag(flag, command)
                ),
                command.name,
            )
        if not option.takes_value:
            if eq:
                raise UsageError(f"Option '{flag}' does not take a value.", command.name)
            values[option.dest] = flag == option.flag
            continue
        if not eq:
            if i >= len(rest):
                raise UsageError(f"Option '{flag}' requires an argument.", command.name)
            value = rest[i]
            i += 1
        converted = convert(option, value, command.name)
        if option.kind == "list":
            values[option.dest].append(converted)
        else:
            values[option.dest] = converted
        given.add(option.dest)
    for argument, value in zip(command.arguments, positional):
        values[argument.dest] = value
    if len(positional) > len(command.arguments):
        extra = positional[len(command.arguments)]
        raise UsageError(
            f"Got unexpected extra argument ({extra})"
            + (
                _join_hint(positional, values)
                or _spaced_binding(positional, values)
                or _data_file(extra, command)
                or _unquoted(argv, command)
            ),
            command.name,
        )
    for argument in command.arguments[len(positional) :]:
        raise UsageError(f"Missing argument '{argument.name}'.", command.name)
    for option in command.options:
        if option.required and option.dest not in given:
            raise UsageError(f"Missing option '{option.flag}'.", command.name)
    for option in command.options:  # list options: None when not given, as typer passes them
        if option.kind == "list" and not values[option.dest]:
            values[option.dest] = None
    return Call(command, values)


def convert(option: Option, text: str, command: str | None = None):
    """An option's text as the value its kind declares, or a UsageError saying what is wrong.
    Choices ignore case and accept their aliases (`--optimizer SGD` is gd)."""
    where = f"Invalid value for '{option.flag}'"
    if option.kind == "choice":
        lowered = text.lower()
        aliases = CHOICE_ALIASES.get(option.dest, {})
        found = next((c for c in option.choices if c.lower() == lowered), aliases.get(lowered))
        if found is None:
            listed = ", ".join([*option.choices, *(f"{a} (= {c})" for a, c in aliases.items())])
            raise UsageError(f"{option.flag}: `{text}` is not one of {listed}", command)
        return found
    if option.kind in ("int", "float"):
        number = _number(option, text, where, command)
        if (option.low is not None and number < option.low) or (option.high is not None and number > option.high):
            raise UsageError(f"{where}: {text} is not in the range {_range(option)}.", command)
        return number
    return text


WHOLE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d{1,3}|[+-]?\d+\.0*")  # 1e4, 2.5e3, 100.0


def _number(option: Option, text: str, where: str, command: str | None):
    try:
        number = int(text) if option.kind == "int" else float(text)
    except ValueError:
        if option.kind == "int" and WHOLE.fullmatch(text.strip()):  # --steps 1e4: a whole number, written so
            exact = Fraction(text.strip())
            if exact.denominator == 1:
                return int(exact)
        kind = "integer" if option.kind == "int" else "float"
        raise UsageError(f"{where}: '{text}' is not a valid {kind}.", command) from None
    # nan fails a bounded option (as typer did); an unbounded one (--lr) lets the command say why
    if option.kind == "float" and math.isnan(number) and (option.low is not None or option.high is not None):
        raise UsageError(f"{where}: '{text}' is not a valid float.", command)
    return number


def _range(option: Option) -> str:
    """The declared range as `0<=x<=1,000,000,000`; an infinite bound is left out (`0<=x`)."""
    low = "" if option.low is None or math.isinf(option.low) else f"{_bound(option.low)}<="
    high = "" if option.high is None or math.isinf(option.high) else f"<={_bound(option.high)}"
    return f"{low}x{high}"


def _bound(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _close_flag(flag: str, command: Command) -> str:
    flags = [o.flag for o in command.options] + [no(o) for o in command.options if o.kind == "switch"]
    found = difflib.get_close_matches(flag, flags + list(HELP[:1]))
    return f" (Possible options: {', '.join(sorted(found))})" if found else ""


def _foreign_option(flag: str) -> str:
    """PyTorch's option names answered with the diffcli way."""
    found = FOREIGN_OPTIONS.get(flag.lower().replace("_", "-"))
    return f": {found}" if found else ""


def _other_command(word: str) -> str:
    """A command of another tool (backward), or a case or spelling slip (Grad, hesian)."""
    if word.lower() in BY_NAME:
        return f": commands are lower case: `diffcli {word.lower()}`"
    if word.lower() in FOREIGN_COMMANDS:
        answer = FOREIGN_COMMANDS[word.lower()]
        if answer.split()[0] not in BY_NAME:  # not a command line: a sentence (integrate)
            return f": {answer}"
        return f": diffcli's command for that is `diffcli {answer}`"
    close = difflib.get_close_matches(word.lower(), list(BY_NAME), n=1)
    return f" (did you mean `{close[0]}`?)" if close else "."


BINDING = re.compile(r"\s*[^\W\d]\w*\s*=[^=]")


def _expression_hint(argv: list[str], k: int) -> str:
    """`eval "-x^2" --at x=1`: an argument that begins with `-` but is an expression."""
    arg = argv[1 + k]
    if arg.startswith("--") or len(arg) < 2:
        return ""
    others = [a for j, a in enumerate(argv) if j != 1 + k]
    line = " ".join(shlex.quote(a) for a in ["diffcli", *others, "--", arg])
    return (
        f": an expression that begins with `-` goes after `--`: `{line}`, or in parentheses: "
        f"{shlex.quote('(' + arg + ')')}"
    )


# Single letters other tools use for an option diffcli spells out (the first that the command has).
SHORT = {
    "-n": ("--steps", "--epochs", "--order"),
    "-o": ("--out", "--format"),
    "-f": ("--format",),
    "-w": ("--wrt",),
    "-a": ("--at",),
    "-d": ("--data",),
    "-p": ("--params",),
    "-r": ("--range",),
    "-l": ("--lr",),
}
FORMAT_FLAGS = {"--json": "json", "--csv": "csv", "--plain": "plain", "--rich": "rich", "--latex": "latex"}


def _has(command: Command, flag: str) -> bool:
    return command.option(flag) is not None


def _format_flag(flag: str, following: str | None, command: Command) -> str:
    """`--json` (jq's, gh's) and `--output json` (kubectl's, aws's) are `--format json` here."""
    fmt = command.option("--format")
    if fmt is None:
        return ""
    name = FORMAT_FLAGS.get(flag.lower())
    if name in fmt.choices:
        return f": did you mean `--format {name}`?"
    if flag.lower() in ("--output", "-o", "--fmt") and following and following.lower() in fmt.choices:
        return f": did you mean `--format {following.lower()}`?" + (
            " (`--out FILE` writes to a file)" if _has(command, "--out") else ""
        )
    return ""


def _single_dash(flag: str, following: str | None, command: Command, expr_given: bool) -> str:
    """`-at x=3`, `-n 6`: diffcli's options have two dashes and whole names. A single letter
    in the place of EXPR is more likely an expression (`-x`), which the next hint covers."""
    if flag.startswith("--") or len(flag) < 2:
        return ""
    doubled = "-" + flag
    if _has(command, doubled):
        return f": did you mean `{doubled}`? (options begin with two dashes)"
    for candidate in SHORT.get(flag, ()) if expr_given else ():
        if _has(command, candidate):
            return f": did you mean `{candidate}`? (diffcli's options are whole words after two dashes)"
    return ""


def _spaced_binding(positional: list[str], values: dict) -> str:
    """`--at x = 3`: the shell split the binding at its spaces."""
    at = values.get("at") or []
    extra = positional[1:] if positional else []
    if not at or not extra or not extra[0].startswith("=") or "=" in at[-1]:
        return ""
    value = extra[0][1:] or (extra[1] if len(extra) > 1 else "VALUE")
    return f": write the binding without spaces: --at {shlex.quote(at[-1] + '=' + value)}"


def _data_file(extra: str, command: Command) -> str:
    """`fit MODEL data.csv`: a data file is given by its option."""
    if not looks_like_path(extra):
        return ""
    for flag in ("--data", "--points"):
        if _has(command, flag):
            return f": a data file is given with {flag}: {flag} {shlex.quote(extra)}"
    return ""


def _unquoted(argv: list[str], command: Command) -> str:
    """`diffcli grad x^2 + 1 --at x=1`: the shell split an unquoted expression at its spaces."""
    if not command.arguments or command.arguments[0].name not in ("EXPR", "MODEL"):
        return ""
    words, k = [], 1
    while k < len(argv) and not argv[k].startswith("--"):
        words.append(argv[k])
        k += 1
    if len(words) < 2:
        return ""
    line = " ".join(["diffcli", command.name, shlex.quote(" ".join(words)), *map(shlex.quote, argv[k:])])
    name = command.arguments[0].name
    return f": the shell split {name} at its spaces; put it in quotes: `{line}`"


def _join_hint(positional: list[str], values: dict) -> str:
    """`--at x=2 y=3`: the second binding became an argument; --at takes one comma list."""
    stray = [p for p in positional if BINDING.match(p)]
    if not stray or "at" not in values:
        return ""
    joined = ",".join([*(values["at"] or []), *stray])
    return f": --at takes one comma-separated list: --at {shlex.quote(joined)}"

"""How --help and the command reference present the declarations of cli/spec.py: the panels
that group a command's options (what a student needs first, then output, then scale), their
order, the short value names (metavars) and the help text with choices and ranges spelled out.
Plain functions of the declarations, so the typer app (cli/app.py) and the generated reference
(cli/reference.py) show the same."""

from __future__ import annotations

from diffcli.cli.spec import Command, Option

# What the help shows after an option: a flag nothing, a choice its name (the choices are
# in the text), a value what it is.
METAVARS = {"flag": "", "switch": "", "int": "INTEGER", "float": "NUMBER"}
VALUE_NAMES = {
    "at": "POINT",
    "wrt": "NAMES",
    "const": "NAMES",
    "of": "NAME",
    "v": "WEIGHTS",
    "u": "DIRECTION",
    "params": "POINT",
    "range": "NAME=LO:HI",
    "hessian": "NAMES",
    "target": "NAME",
    "keep": "NAMES",
    "only": "KEY",
    "loss": "LOSS",
    "scheduler": "ADDRESS",
    "implicit": "NAME",
    "function": "NAMES",
}


def metavar(option: Option) -> str:
    if option.kind == "choice":
        return option.dest.upper()
    return METAVARS.get(option.kind, VALUE_NAMES.get(option.dest, "FILE" if names_file(option) else "TEXT"))


def names_file(option: Option) -> bool:
    """An option whose value is a file (its completion offers file names)."""
    return any(word in option.help.lower() for word in ("file", "picture"))


def full_help(option: Option) -> str:
    """An option's help as --help and the reference show it: a choice names every choice
    (unless the text already does), a bounded number its range (in the text, not beside the
    metavar, where `[0<=x<=20]` would squeeze the description column)."""
    text = option.help
    if option.kind == "choice" and not all(c in text for c in option.choices):
        text += f" One of: {', '.join(option.choices)}."
    if option.low is not None and option.high is not None:
        text += f" From {option.low:g} to {option.high:g}."
    elif option.low is not None:
        text += f" At least {option.low:g}."
    return text


# --help groups the options in panels, in this order: what a student needs first, then what
# shapes the output, then what scales the work up. An option's panel is named by its dest.
PANEL_START, PANEL_OUTPUT, PANEL_SCALE = "Start here", "Output", "Scale: many points, big jobs"
PANELS = (PANEL_START, PANEL_OUTPUT, PANEL_SCALE)
FIRST = ("at", "wrt", "format", "order")  # the start panel opens with these, in this order
OUTPUT_OPTIONS = {"only", "latex", "plot", "png", "svg", "dot", "trace", "strict", "kinks", "full"}
SCALE_OPTIONS = {"points", "out", "keep", "engine", "scheduler", "device", "dtype"}


def panel(command: Command, option: Option) -> str:
    """The help panel of an option (plot's --png is its main output, so it stays in the first)."""
    if option.dest in SCALE_OPTIONS:
        return PANEL_SCALE
    if option.dest in OUTPUT_OPTIONS and not (command.name == "plot" and option.dest == "png"):
        return PANEL_OUTPUT
    return PANEL_START


def help_order(command: Command) -> list[Option]:
    """The options as --help and the reference list them: by panel, the student's four first."""

    def key(option: Option):
        first = FIRST.index(option.dest) if option.dest in FIRST else len(FIRST)
        return PANELS.index(panel(command, option)), first

    return sorted(command.options, key=key)

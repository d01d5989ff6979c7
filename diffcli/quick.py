"""The entry point's fast path: common one-point commands without importing typer.

typer (with the pydantic it loads to coerce options) costs more start-up time than numpy. A
plain call such as `diffcli grad "x*x*y" --at x=2,y=3 --format plain` is read here by a small
whitelist parser and runs the same library functions and the same `show` as the typer commands.
Anything else -- help, another command or option, `--points`, an option value that typer would
reject, an expression starting with `-` -- returns None and goes to the typer app unchanged.
"""

from __future__ import annotations

import sys

COMMANDS = ("eval", "grad", "jacobian", "hessian")
LISTS = {"--at": "at", "--wrt": "wrt", "--const": "const"}  # repeatable
VALUES = {"--of": "of", "--v": "v", "--format": "format", "--dtype": "dtype", "--kinks": "kinks"}
CHOICES = {"format": ("auto", "rich", "plain", "json", "csv"), "dtype": ("float64", "float32"),
           "kinks": ("warn", "error", "quiet")}
ACCEPTS = {"eval": {"at", "of", "format", "dtype", "strict"},
           "grad": {"at", "wrt", "const", "v", "of", "format", "dtype", "strict", "kinks"},
           "jacobian": {"at", "wrt", "const", "of", "format", "dtype", "strict", "kinks"},
           "hessian": {"at", "wrt", "const", "of", "format", "dtype", "strict", "kinks"}}


def read_args(argv: list[str]) -> dict | None:
    """The options of a whitelisted call, or None when the typer app must read it."""
    if len(argv) < 2 or argv[0] not in COMMANDS:
        return None
    options: dict = {"command": argv[0], "expr": None}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if not arg.startswith("-") or arg == "-":
            if options["expr"] is not None:
                return None
            options["expr"] = arg
            i += 1
            continue
        if arg == "--strict":
            options["strict"] = True
            i += 1
            continue
        name, eq, value = arg.partition("=")
        key = LISTS.get(name) or VALUES.get(name)
        if key is None:
            return None
        if not eq:
            if i + 1 >= len(rest):
                return None
            value = rest[i + 1]
            i += 1
        i += 1
        if key in LISTS.values():
            options.setdefault(key, []).append(value)
        elif key in options or value not in CHOICES.get(key, (value,)):
            return None
        else:
            options[key] = value
    used = set(options) - {"command", "expr"}
    if options["expr"] is None or not used <= ACCEPTS[options["command"]]:
        return None
    return options


def warn(result, strict: bool) -> None:
    """Under --strict the first warning is the one `error:` line (exit 3); else warnings (and
    their caret lines) go to stderr."""
    from .errors import EXIT_NONFINITE, DiffcliError

    if strict and result.warnings:
        first = result.warnings[0]
        raise DiffcliError(f"{first} (--strict)", detail=getattr(first, "detail", ""), exit_code=EXIT_NONFINITE)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
        if getattr(warning, "detail", ""):
            print(warning.detail, file=sys.stderr)


def show(result, fmt: str, strict: bool, view=None) -> int:
    """Warnings, then the result to stdout in the chosen format (app.emit calls this too).
    `view`: a module with render_plain/json/csv/rich for results of their own shape."""
    from .render import output

    warn(result, strict)
    output = view or output
    if fmt == "auto":
        fmt = "rich" if sys.stdout.isatty() else "plain"
    if fmt == "rich":
        from rich.console import Console

        output.render_rich(result, Console())
    elif fmt == "json":
        print(output.render_json(result))
    elif fmt == "csv":
        print(output.render_csv(result))
    else:
        print(output.render_plain(result))
    return 0


def run_fast(options: dict) -> int:
    from . import api

    command = options["command"]
    problem = api.load(options["expr"], options.get("at"), options.get("wrt"), options.get("const"),
                       options.get("of"), options.get("dtype", "float64"))
    if command != "eval":  # the kink report, as the typer commands make it
        from . import kinks

        kinks.report(problem, options.get("kinks", "warn"))
    if command == "grad":
        result = api.grad(problem, options.get("v"))
    else:
        result = {"eval": api.evaluate, "jacobian": api.jacobian, "hessian": api.hessian}[command](problem)
    return show(result, options.get("format", "auto"), options.get("strict", False))


def main(argv: list[str]) -> int | None:
    """The exit code of a whitelisted call, or None when the typer app must take it."""
    options = read_args(argv)
    if options is None:
        return None
    from .errors import run_guarded

    return run_guarded(lambda: run_fast(options))


def run() -> None:
    """The `diffcli` console script."""
    code = main(sys.argv[1:])
    if code is None:
        from .cli import run as run_typer

        run_typer()
    sys.exit(code)

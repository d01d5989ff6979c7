"""The presenter: findings to stderr, then a result to stdout in the chosen format.

The one place that picks a format (`auto` is rich on a terminal, plain otherwise) and that
writes warnings. A view is a module with render_plain/render_json/render_csv/render_rich (and
render_latex where the command has one); results of the numeric commands use render.output.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from diffcli.core.layout import only as one_part
from diffcli.data.fileio import stdout_errors
from diffcli.errors import EXIT_NONFINITE, DiffcliError


def warnings(result, strict: bool = False, kinks: str = "warn", stream=None) -> None:
    """Kink findings (`--kinks warn` prints them, `error` stops with exit 3), then non-finite
    warnings (under --strict the first is the one `error:` line, exit 3). Each note's caret
    lines follow it."""
    stream = stream or sys.stderr
    if kinks == "error" and result.kinks:
        first = result.kinks[0]
        raise DiffcliError(f"{first} (--kinks error)", detail=first.detail, exit_code=EXIT_NONFINITE)
    if kinks == "warn":
        write(result.kinks, stream)
    write(getattr(result, "notes", ()), stream)
    if strict and result.warnings:
        first = result.warnings[0]
        raise DiffcliError(f"{first} (--strict)", detail=getattr(first, "detail", ""), exit_code=EXIT_NONFINITE)
    write(result.warnings, stream)


def write(notes, stream=None) -> None:
    stream = stream or sys.stderr
    for note in notes:
        print(f"warning: {note}", file=stream)
        if getattr(note, "detail", ""):
            print(note.detail, file=stream)


def resolve(fmt: str) -> str:
    return ("rich" if sys.stdout.isatty() else "plain") if fmt == "auto" else fmt


def present(
    result, fmt: str, view=None, strict: bool = False, kinks: str = "warn", only: str | None = None, **options
) -> int:
    """Warnings, then `result` to stdout in format `fmt` through `view` (default render.output);
    `only` keeps one part of the result (`--only hessian`); `options` go to the view
    (latex=True for diff, cap for explain)."""
    from diffcli.render import output

    warnings(result, strict, kinks)
    view = view or output
    if only:
        result = replace(result, data=one_part(result.data, only, result.command))
    with stdout_errors():  # a full disk, a closed stdout: exit 4 naming standard output
        fmt = resolve(fmt)
        if fmt == "rich":
            from rich.console import Console

            view.render_rich(result, Console(), **options)
        else:
            print(getattr(view, f"render_{fmt}")(result, **options))
    return 0

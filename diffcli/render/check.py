"""Views of a `check` result: a table of reverse-mode and numeric entries with their errors."""

from __future__ import annotations

from . import output
from .output import plain_number


def _without_rows(result):
    from ..api import Result

    return Result({k: v for k, v in result.data.items() if k != "rows"}, result.warnings, result.command)


def render_json(result) -> str:
    return output.render_json(_without_rows(result))


def render_plain(result) -> str:
    """`ok` or `mismatch`, the largest absolute error, then one line a gradient and the numeric one."""
    d = result.data
    error = d["max_abs_error"]
    return "\n".join([
        "ok" if d["ok"] else "mismatch",
        "nan" if error is None else plain_number(error),
        output.flat_line(d["grad"].values()),
        output.flat_line(d["numeric"].values()),
    ])


def render_csv(result) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["entry", "reverse", "numeric", "abs_error", "rel_error", "ok"])
    for label, exact, numeric, abs_err, rel_err, ok in result.data["rows"]:
        writer.writerow([label, plain_number(exact), plain_number(numeric), f"{abs_err:.3g}", f"{rel_err:.3g}", ok])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    d = result.data
    tol = d["tolerance"]
    table = Table(box=box.SIMPLE_HEAD, title="reverse mode against central differences", title_justify="left",
                  caption=f"ok: |reverse - numeric| <= {tol['atol']:g} + {tol['rtol']:g}*|numeric|",
                  caption_justify="left")
    table.add_column("entry", style="cyan", no_wrap=True)
    for name in ("reverse", "numeric", "abs error", "rel error"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for label, exact, numeric, abs_err, rel_err, ok in d["rows"]:
        table.add_row(escape(label), f"{exact:.10g}", f"{numeric:.10g}", f"{abs_err:.2e}", f"{rel_err:.2e}",
                      "[green]ok[/green]" if ok else "[bold red]MISMATCH[/bold red]")
    console.print(table)
    verdict = "[green]ok[/green]" if d["ok"] else "[bold red]mismatch[/bold red]"
    error = d["max_abs_error"]
    console.print(f"{verdict}: largest absolute error {'nan' if error is None else f'{error:.2e}'}", highlight=False)

"""Views of a `check` result: a table of reverse-mode and numeric entries with their errors."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from diffcli.render import output
from diffcli.render.output import plain_number


def without_rows(result):
    """The result without its table of entries (JSON lists the answers by name instead)."""
    return replace(result, data={k: v for k, v in result.data.items() if k != "rows"})


def render_json(result) -> str:
    data = json.loads(output.render_json(without_rows(result)))
    data["symbolic_from_text"] = bool(result.data["symbolic_from_text"])
    return json.dumps(data)


def render_plain(result) -> str:
    """ok as 1 or 0 (booleans print so in every plain output), the largest absolute error, then
    the gradient by reverse mode, by the symbolic formulas, and by central differences, one line each."""
    d = result.data
    error = d["max_abs_error"]
    return "\n".join(
        [
            output.flag(d["ok"]),
            "nan" if error is None else plain_number(error),
            output.flat_line(d["grad"].values()),
            output.flat_line(d["symbolic"].values()),
            output.flat_line(d["numeric"].values()),
        ]
    )


def render_csv(result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["entry", "reverse", "symbolic", "numeric", "abs_error", "rel_error", "ok"])
    for label, exact, symbolic, numeric, abs_err, rel_err, ok in result.data["rows"]:
        writer.writerow(
            [
                label,
                plain_number(exact),
                plain_number(symbolic),
                plain_number(numeric),
                f"{abs_err:.3g}",
                f"{rel_err:.3g}",
                output.flag(ok),
            ]
        )
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console) -> None:
    """The table (a mark per entry: ✓ or MISMATCH), then the verdict once and the tolerance, each
    a short line of its own so that a narrow terminal wraps none of them mid-phrase."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    d = result.data
    tol = d["tolerance"]
    table = Table(
        box=box.SIMPLE_HEAD, title="reverse mode, symbolic formula, central differences", title_justify="left"
    )
    table.add_column("entry", style="cyan", no_wrap=True)
    for name in ("reverse", "symbolic", "numeric", "abs err", "rel err"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for label, exact, symbolic, numeric, abs_err, rel_err, ok in d["rows"]:
        table.add_row(
            escape(label),
            f"{exact:.9g}",
            f"{symbolic:.9g}",
            f"{numeric:.9g}",
            f"{abs_err:.1e}",
            f"{rel_err:.1e}",
            "[green]✓[/green]" if ok else "[bold red]MISMATCH[/bold red]",
        )
    console.print(table)
    error = d["max_abs_error"]
    if d["ok"]:
        console.print("[green]ok[/green]: the three answers agree", highlight=False)
    else:
        bad = sum(not row[6] for row in d["rows"])
        console.print(f"[bold red]mismatch[/bold red]: {bad} of {len(d['rows'])} entries disagree", highlight=False)
    console.print(
        f"largest absolute error {'nan' if error is None else f'{error:.2e}'} (reverse - numeric)", highlight=False
    )
    console.print(f"agree means |reverse - numeric| <= {tol['atol']:g} + {tol['rtol']:g}*|numeric|", highlight=False)

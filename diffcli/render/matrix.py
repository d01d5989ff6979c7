"""Rich views of a Jacobian or Hessian that scale with the terminal.

A matrix that fits the console is one table. One a little too wide is cut into blocks of
columns, each a table with the row labels (at most `MAX_BLOCKS`). Anything wider is a picture
of where the entries are (one character per entry, shaded by size, coloured by sign, rows and
columns binned when there are more than the screen holds) and a table of the largest entries.
Numbers show at most 10 significant digits; a note says that `--format plain` (or json) gives
every digit. No cell is ever cut down to `…`.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.algebra.text import number

DIGITS = 10  # significant digits in Rich views; plain and JSON keep every digit
MAX_BLOCKS = 3  # a matrix needing more blocks of columns than this is drawn as a picture
LARGEST = 12  # entries listed under the picture
SHADES = ((0.5, "█"), (0.1, "▓"), (0.01, "▒"), (0.0, "░"))
NOTE = "[dim]--format plain (or json) gives every entry with every digit[/dim]"


def rich_number(x) -> str:
    """At most 10 significant digits: 15.400000000000002 shows as 15.4."""
    v = float(x) + 0.0  # + 0.0: -0 shows as 0, as in plain output
    text = number(v)
    if not math.isfinite(v) or sum(c.isdigit() for c in text.split("e")[0].lstrip("0.")) <= DIGITS:
        return text
    return number(float(f"{v:.{DIGITS}g}"))


def view(title: str, rows: np.ndarray, row_labels: list[str], col_labels: list[str], width: int) -> list:
    """Renderables for the console: one table, blocks of columns, or a picture and the largest."""
    cells = [[rich_number(v) for v in row] for row in rows]
    cell = max([len(c) for row in cells for c in row] + [len(c) for c in col_labels] + [1])
    label = max([len(r) for r in row_labels] + [1])
    per_block = max((width - (label + 3) - 1) // (cell + 3), 1)
    blocks = math.ceil(len(col_labels) / per_block) if col_labels else 1
    if blocks == 1:
        return [_table(title, cells, row_labels, col_labels, range(len(col_labels)))]
    if blocks <= MAX_BLOCKS:
        out = []
        for b in range(blocks):
            span = range(b * per_block, min((b + 1) * per_block, len(col_labels)))
            out.append(
                _table(
                    f"{title}, columns {span.start + 1}-{span.stop} of {len(col_labels)}",
                    cells,
                    row_labels,
                    col_labels,
                    span,
                )
            )
        return out + [NOTE]
    return picture(title, rows, row_labels, col_labels, width)


def _table(title: str, cells, row_labels, col_labels, span):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left")
    table.add_column("", no_wrap=True)
    for j in span:
        table.add_column(escape(col_labels[j]), justify="right", no_wrap=True)
    for label, row in zip(row_labels, cells):
        table.add_row(escape(label), *[row[j] for j in span])
    return table


def _bins(count: int, room: int) -> list[slice]:
    """`count` positions in at most `room` groups of consecutive ones."""
    groups = min(count, max(room, 1))
    edges = np.linspace(0, count, groups + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def picture(title: str, rows: np.ndarray, row_labels: list[str], col_labels: list[str], width: int) -> list:
    """Where the entries are: shade by |entry| against the largest, blue > 0, red < 0, `·` zero;
    then the largest entries by size."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    m = np.asarray(rows, dtype=float)
    label = min(max(len(r) for r in row_labels), 12)
    room = width - label - 2
    wide = 2 if 2 * m.shape[1] <= room else 1
    col_bins = _bins(m.shape[1], room // wide)
    row_bins = _bins(m.shape[0], 60)
    finite = np.abs(m[np.isfinite(m)])
    top = float(finite.max()) if finite.size else 0.0
    lines = [
        Text.from_markup(
            f"[bold]{escape(title)}[/bold]: {m.shape[0]} x {m.shape[1]}, too wide for this "
            "terminal: where the entries are, then the largest"
        )
    ]
    lines.append(Text(" " * (label + 2) + _ruler(col_bins, col_labels, wide), style="dim cyan"))
    for rb in row_bins:
        name = row_labels[rb.start] if rb.stop - rb.start == 1 else f"{row_labels[rb.start]}…"
        line = Text(name[:label].ljust(label) + "  ", style="cyan")
        for cb in col_bins:
            block = m[rb, cb]
            line.append_text(_shade(block, top, wide))
        lines.append(line)
    lines.append(
        Text.from_markup(
            f"[dim]█ |entry| ≥ 50% of the largest ({rich_number(top)}), ▓ ≥ 10%, ▒ ≥ 1%, "
            "░ less, · zero; [blue]blue[/blue] > 0, [red]red[/red] < 0"
            + (
                f"; {m.shape[0]} rows in {len(row_bins)} lines, {m.shape[1]} columns in {len(col_bins)} places"
                if len(row_bins) < m.shape[0] or len(col_bins) < m.shape[1]
                else ""
            )
            + "[/dim]"
        )
    )
    table = Table(title="largest entries", title_justify="left")
    table.add_column("row", style="cyan", no_wrap=True)
    table.add_column("column", style="cyan", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    symmetric = m.shape[0] == m.shape[1] and np.array_equal(m, m.T)
    order = np.argsort(-np.nan_to_num(np.abs(m), nan=np.inf), axis=None, kind="stable")
    shown = 0
    for flat in order:
        i, j = divmod(int(flat), m.shape[1])
        if (symmetric and j < i) or m[i, j] == 0:
            continue
        table.add_row(escape(row_labels[i]), escape(col_labels[j]), rich_number(m[i, j]))
        shown += 1
        if shown == LARGEST:
            break
    note = "[dim](the upper triangle of a symmetric matrix)[/dim]" if symmetric else ""
    return lines + ([table] if shown else []) + ([note] if note and shown else []) + [NOTE]


def _ruler(bins: list[slice], labels: list[str], wide: int) -> str:
    """Column labels above the picture, every fifth place where there is room."""
    out = ""
    for k, b in enumerate(bins):
        if k % 5 == 0 and len(out) <= k * wide:
            out = out.ljust(k * wide) + labels[b.start]
    return out


def _shade(block: np.ndarray, top: float, wide: int):
    from rich.text import Text

    finite = block[np.isfinite(block)]
    if finite.size < block.size:
        return Text("!" * wide, style="bold magenta")
    if not finite.any():
        return Text("·" * wide, style="dim")
    k = int(np.argmax(np.abs(finite)))
    v = float(finite.reshape(-1)[k])
    share = abs(v) / top if top else 0.0
    char = next(c for limit, c in SHADES if share >= limit)
    return Text(char * wide, style="blue" if v > 0 else "red")

"""`diffcli functions`: the language reference as plain lines, JSON, a Rich table, or the
Markdown page docs/language.md (`--format markdown`)."""

from __future__ import annotations

import json

REGENERATE = "diffcli functions --format markdown > docs/language.md"

GRAMMAR = """\
## The language in words

- **Numbers**: `2`, `2.5`, `.5`, `1e-3`. A number never carries a sign: `-2` is minus applied to
  `2`. **Constants**: `pi` and `e` (a value given with `--at` of the same name wins).
- **Names** are Unicode identifiers: letters, digits and `_`, not starting with a digit (`x`,
  `x1`, `w_2`, `theta`, `θ`, `λ`). Upper and lower case differ (`X` is not `x`).
- **Calls**: `name(arguments)`, separated by commas. There are no methods (`x.sum()` is
  `sum(x)`) and no module prefixes (`torch.sin(x)` is `sin(x)`).
- **Juxtaposition is not multiplication**: `2x`, `(x+1)(x+2)` and `sin x` are errors that say
  what to write (`2*x`, `(x+1)*(x+2)`, `sin(x)`); nothing is repaired silently.
- **Operators**, loosest first (the table below): comparisons; `+ -`; `* / @`; unary `-` and
  `+`; power `^` (also `**`), right-associative: `2^3^2` is `2^(3^2)`, `-x^2` is `-(x^2)`, and
  an exponent may carry a sign (`2^-1`); then calls, indexing and brackets. Write the ASCII
  forms: `x^2` (not `x²`), `sqrt(x)` (not `√x`), `*` (not `×` or `·`), `-` (not `−`),
  `abs(x)` (not `|x|`).
- **Vectors and matrices**: `[1, 2, 3]`, `[[1, 2], [3, 4]]`; indexing and slicing as numpy,
  from 0: `x[0]`, `x[-1]`, `x[1:]`, `x[:-1]`, `W[0, 1]` (also `W[0][1]`), `W[0, :]`.
  Elementwise operations broadcast as numpy does; `@` multiplies matrices and vectors.
- **Comparisons** `< <= > >= == !=` give 1 or 0 and have no gradient; `where(cond, a, b)`
  (also `if(cond, a, b)`) picks a branch, and only the chosen branch is differentiated.
- **Files**: one statement a line (or `;`-separated, also inline), `#` starts a comment.
  `name = expr` defines a named intermediate; the output is the last statement, or the one
  named by `--of NAME`; an output written as a list `[f1, f2]` is vector-valued. A definition
  such as `f(x) = x^2` is not part of the language: write the body and bind `x` with `--at`.
- **Values given with `--at`** are constant expressions of the same language, read by the same
  parser (never Python's `eval`): `x=2`, `x=pi/4`, `x=sqrt(2)`, `'x=[1/3, e]'`,
  `'W=[[1, 2], [3, 4]]'`.
"""

LEGEND = """\
How to read the derivative column: for an elementwise function, the factor by which the
incoming adjoint is multiplied (`y` is the function's own value: `tanh` gives `1 - y^2`); for
the others, the whole contribution to the argument's adjoint, with `g` the adjoint of the
result (`softmax`: `y*(g - sum(g*y))`). `a`, `b`, `c` name the arguments in order. These texts
are derived from each operation's derivative rule, as `diffcli explain` shows them. The kink
conventions are those `--kinks` reports; the `grad_fn` column is the name PyTorch 2.13 gives the
node (it can depend on the arguments: `x^2` is `PowBackward0`, `x^y` `PowBackward1`, `2^x`
`PowBackward2`).
"""


def _derivative(row: dict) -> str:
    parts = row["derivative"]
    if len(parts) == 1:
        return parts[0]["rule"]
    return "; ".join(f"by {p['argument']}: {p['rule']}" for p in parts)


def _kinks(row: dict) -> str:
    return "; ".join(f"{k['at']}: {k['rule']}" for k in row["kinks"])


def _name(row: dict) -> str:
    return row["name"] + (f" (also {', '.join(row['aliases'])})" if row["aliases"] else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_json(result, **_) -> str:
    return json.dumps(result.data, ensure_ascii=False)


def render_plain(result, **_) -> str:
    """One line a function or operator, fields separated by tabs: call, derivative, domain,
    kinks, grad_fn, LaTeX."""
    lines = []
    for row in result.data["operators"] + result.data["functions"]:
        fields = [
            row["call"],
            _derivative(row),
            row["defined"],
            _kinks(row) or "-",
            row["grad_fn"] or "-",
            row["latex"],
        ]
        lines.append("\t".join(fields))
    return "\n".join(lines)


def render_rich(result, console, **_) -> None:
    from rich.table import Table
    from rich.text import Text

    for title, rows in (
        ("operators (loosest first)", result.data["operators"]),
        ("functions", result.data["functions"]),
    ):
        table = Table(title=title, show_lines=False)
        for column in ("call", "derivative", "domain", "kinks", "grad_fn"):
            table.add_column(column, overflow="fold")
        for row in rows:
            call = row["call"] + (f"\n(also {', '.join(row['aliases'])})" if row["aliases"] else "")
            table.add_row(
                *(Text(cell) for cell in (call, _derivative(row), row["defined"], _kinks(row), row["grad_fn"] or ""))
            )
        console.print(table)


def render_markdown(result, **_) -> str:
    data = result.data
    out = [
        "# The diffcli expression language",
        "",
        f"Generated from the op table by `{REGENERATE}`; a test fails when this page is stale.",
        "",
        GRAMMAR,
        "## Operators",
        "",
        "| operator | example | precedence (1 = loosest) | associativity | derivative | LaTeX | grad_fn |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in data["operators"]:
        out.append(
            f"| `{_cell(row['symbol'])}` | `{_cell(row['call'])}` | {row['precedence']} ({row['binds']}) | "
            f"{row['associativity'] or '-'} | `{_cell(_derivative(row))}` | `{_cell(row['latex'])}` | "
            f"{row['grad_fn'] or '-'} |"
        )
    out += [
        "",
        "## Functions",
        "",
        LEGEND,
        "| function | what it is | derivative | LaTeX | defined | kink conventions | grad_fn |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in data["functions"]:
        call = f"`{_cell(row['call'])}`" + "".join(f"<br>`{_cell(a)}`" for a in row["also"])
        if row["aliases"]:
            call += "<br>also " + ", ".join(f"`{a}`" for a in row["aliases"])
        out.append(
            f"| {call} | {_cell(row['doc'])} | `{_cell(_derivative(row))}` | `{_cell(row['latex'])}` | "
            f"{_cell(row['defined'])} | {_cell(_kinks(row)) or '-'} | {row['grad_fn'] or '-'} |"
        )
    out += ["", "## Constants", ""]
    out += [f"- `{name}` = {value!r}" for name, value in data["constants"].items()]
    foreign = data["foreign"]
    out += [
        "",
        "## Coming from PyTorch, NumPy or a textbook",
        "",
        "diffcli answers these with an error that shows the diffcli form:",
        "",
        "- module prefixes (" + ", ".join(f"`{m}.`" for m in foreign["modules"]) + ") are dropped: "
        "`torch.sin(x)` is `sin(x)`, `math.pi` is `pi`;",
        "- methods become calls: `x.pow(2)` is `pow(x, 2)`, `exp(x).sum()` is `sum(exp(x))`, `W.T` is `transpose(W)`;",
        "- `cos^2(x)` is `cos(x)^2`, `sin^-1(x)` is `asin(x)`, `sinx` is `sin(x)`;",
        "- other names:",
        "",
    ]
    out += [
        f"  - `{name}`: " + (form.split(": ", 1)[1] if form.startswith("not in diffcli") else f"`{form}`")
        for name, form in sorted(foreign["functions"].items())
    ]
    return "\n".join(out)

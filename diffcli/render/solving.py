"""Views of a `solve` result: the iteration table (k, x_k, f(x_k), f'(x_k), step, observed
order) and the root, or the point reached when it did not converge."""

from __future__ import annotations

import csv
import io
import json

from diffcli.render.output import flag, plain_number
from diffcli.render.work import jsonable


def render_json(result) -> str:
    return json.dumps(jsonable(result.data))


def render_plain(result) -> str:
    """The root (or the point reached) in variable order, |f| there, the iterations, converged (1/0)."""
    d = result.data
    return "\n".join(
        [
            " ".join(plain_number(v) for v in d["root"].values()),
            plain_number(d["residual"]),
            str(d["iterations"]),
            flag(d["converged"]),
        ]
    )


def cells(value) -> list[str]:
    if value is None:
        return [""]
    return [plain_number(v) for v in value] if isinstance(value, list) else [plain_number(value)]


def render_csv(result) -> str:
    d = result.data
    names = list(d["root"])
    one = len(names) == 1
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    f_names = ["f"] if one else [f"f{i}" for i in range(len(names))]
    step_names = ["step"] if one else [f"step_{n}" for n in names]
    out.writerow(["k", *names, *f_names, *(["fprime"] if one else []), *step_names, "t", "order"])
    for row in d["table"]:
        out.writerow(
            [
                row["k"],
                *cells(row["x"]),
                *(cells(row["f"]) if row["f"] is not None else [""] * len(f_names)),
                *(cells(row.get("fprime")) if one else []),
                *(cells(row.get("step")) if "step" in row else [""] * len(step_names)),
                plain_number(row["t"]) if "t" in row else "",
                f"{row['order']:.3f}" if "order" in row else "",
            ]
        )
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console) -> None:
    from rich.table import Table

    d = result.data
    names = list(d["root"])
    one = len(names) == 1
    title = f"{d['method'].title()}'s method" if d["method"] != "secant" else "The secant method"
    columns = ["k", "x_k" if one else "(" + ", ".join(names) + ")_k", "f(x_k)" if one else "|f(x_k)|"]
    columns += ["f'(x_k)", "step"] if one else ["|step|"]
    table = Table(*columns, "t", "order", title=title)
    for row in d["table"]:
        x = plain_number(row["x"][0]) if one else ", ".join(f"{v:.10g}" for v in row["x"])
        if one:
            f = "" if row["f"] is None else f"{row['f'][0]:.3e}"
            middle = [
                f,
                f"{row['fprime']:.6g}" if "fprime" in row else "",
                f"{row['step']:.3e}" if "step" in row else "",
            ]
        else:
            middle = [
                f"{row['residual']:.3e}",
                f"{sum(v * v for v in row['step']) ** 0.5:.3e}" if "step" in row else "",
            ]
        t = f"{row['t']:g}" if "t" in row else ""
        order = f"{row['order']:.2f}" if "order" in row else ""
        table.add_row(str(row["k"]), x, *middle, t, order)
    console.print(table)
    root = ", ".join(f"{n} = {plain_number(v)}" for n, v in d["root"].items())
    if d["converged"]:
        console.print(
            f"root: {root} after {d['iterations']} iterations; convergence {d['order_words']}", highlight=False
        )
    else:
        console.print(f"no root found; the point reached: {root}", highlight=False)

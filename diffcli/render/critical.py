"""Views of a `critical` result: one row per critical point (coordinates, exact forms where
recognised, value, classification, Hessian eigenvalues, starts that reached it)."""

from __future__ import annotations

import csv
import io
import json

from diffcli.render.output import plain_number
from diffcli.render.work import jsonable


def render_json(result) -> str:
    return json.dumps(jsonable(result.data))


def render_plain(result) -> str:
    """One line per point: its coordinates (variable order), the value, the classification."""
    return "\n".join(
        " ".join([*(plain_number(v) for v in p["at"].values()), plain_number(p["value"]), p["classification"]])
        for p in result.data["points"]
    )


def render_csv(result) -> str:
    names = list(result.data["range"])
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow([*names, "value", "classification", *(f"{n}_exact" for n in names), "starts"])
    for p in result.data["points"]:
        out.writerow(
            [
                *(plain_number(v) for v in p["at"].values()),
                plain_number(p["value"]),
                p["classification"],
                *(p["exact"][n] or "" for n in names),
                p["starts"],
            ]
        )
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console) -> None:
    from rich.table import Table

    d = result.data
    names = list(d["range"])
    constrained = bool(d["constraints"])
    title = "Critical points" + (" on " + ", ".join(d["constraints"]) if constrained else "")
    table = Table("(" + ", ".join(names) + ")", "value", "type", "eigenvalues", "starts", title=title)
    for p in d["points"]:
        coordinates = ", ".join(p["exact"][n] or f"{v:.10g}" for n, v in p["at"].items())
        value = p["value_exact"] or f"{p['value']:.10g}"
        eigen = ", ".join(f"{e:.4g}" for e in p["eigenvalues"])
        table.add_row(f"({coordinates})", value, p["classification"], eigen, str(p["starts"]))
    console.print(table)
    test = "on the constraints' tangent space (bordered Hessian)" if constrained else "of the Hessian"
    console.print(
        f"{len(d['points'])} point(s) from {d['converged']} of {d['starts']} {d['method']} starts "
        f"({d['left_box']} left the box); eigenvalues {test}",
        highlight=False,
    )

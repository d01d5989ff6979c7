"""Views of an `uncertainty` result: the budget table (rounded the GUM way in the rich view:
two significant digits of uncertainty, the value to the same decimal place), every digit in
plain, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import math

from diffcli.render.output import plain_number


def gum_round(value: float, u: float) -> tuple[str, str]:
    """(value, u) as a report writes them: u to two significant digits, the value to match."""
    if not (math.isfinite(u) and u > 0 and math.isfinite(value)):
        return plain_number(value), plain_number(u)
    decimals = 1 - math.floor(math.log10(u))
    rounded = round(u, decimals)
    if rounded >= 10 ** (2 - decimals):  # 0.0996 -> 0.10: still two digits, one place fewer
        decimals -= 1
        rounded = round(u, decimals)
    places = max(decimals, 0)
    return f"{round(value, decimals):.{places}f}", f"{rounded:.{places}f}"


def jsonable(x):
    """Nested data with numbers as JSON numbers; non-finite ones (infinite degrees of freedom) null."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (str, bool, int)) or x is None:
        return x
    v = float(x)
    return v if math.isfinite(v) else None


def render_json(result, latex: bool = False) -> str:
    return json.dumps(jsonable(result.data))


def line(values) -> str:
    return " ".join(plain_number(v) for v in values)


def render_plain(result, latex: bool = False) -> str:
    """Scalar EXPR: value, u, then the sensitivity coefficients, the contributions |c_i| u_i and
    the variance shares (one line each, input order); then `k U low high` with --k/--level,
    `u` with --second-order, `mean std low high` with --mc. Vector EXPR: values, u, the
    covariance rows, the correlation rows."""
    d = result.data
    if latex:
        return d["latex"]
    if "rows" in d:
        return "\n".join(line(row) for row in d["rows"])
    if isinstance(d["value"], list):
        lines = [line(d["value"]), line(d["u"]), *map(line, d["covariance"]), *map(line, d["correlation"])]
        if "mc" in d:
            lines += [line(d["mc"]["mean"]), line(d["mc"]["std"])]
        return "\n".join(lines)
    inputs = d["inputs"]
    lines = [plain_number(d["value"]), plain_number(d["u"])]
    lines += [line(r[key] for r in inputs) for key in ("c", "contribution", "share")]
    if "U" in d:
        lines.append(line([d["k"], d["U"], *d["interval"]]))
    if d.get("second_order"):
        lines.append(plain_number(d["second_order"]["u"]))
    if "mc" in d:
        mc = d["mc"]
        lines.append(line([mc["mean"], mc["std"], *mc["interval"]]))
    return "\n".join(lines)


def render_csv(result, latex: bool = False) -> str:
    d = result.data
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    if "rows" in d:
        out.writerow(d["header"])
        out.writerows([plain_number(v) for v in row] for row in d["rows"])
    elif isinstance(d["value"], list):
        out.writerow(["output", "value", "u"])
        out.writerows([f"f{k}", plain_number(v), plain_number(u)] for k, (v, u) in enumerate(zip(d["value"], d["u"])))
    else:
        out.writerow(["input", "value", "u", "c", "contribution", "share"])
        for r in d["inputs"]:
            out.writerow([r["name"], *(plain_number(r[k]) for k in ("value", "u", "c", "contribution", "share"))])
        out.writerow(["(result)", plain_number(d["value"]), plain_number(d["u"]), "", "", "1"])
    return buffer.getvalue().rstrip("\n")


def render_rich(result, console, latex: bool = False) -> None:
    from rich.table import Table

    d = result.data
    if latex or "rows" in d:
        console.print(render_plain(result, latex), markup=False, highlight=False)
        return
    if isinstance(d["value"], list):
        mc = d.get("mc")
        table = Table("output", "value", "u", title="Outputs (GUM Supplement 2)")
        if mc:
            table.add_column(f"Monte Carlo ({mc['draws']:,} draws)")
            table.add_column(f"{mc['level']:.0%} interval")
        for k, (v, u) in enumerate(zip(d["value"], d["u"])):
            extra = []
            if mc:
                lo, hi = (gum_round(x, mc["std"][k])[0] for x in mc["interval"][k])
                extra = [" ± ".join(gum_round(mc["mean"][k], mc["std"][k])), f"[{lo}, {hi}]"]
            table.add_row(f"f{k}", *gum_round(v, u), *extra)
        console.print(table)
        corr = Table("", *(f"f{k}" for k in range(len(d["u"]))), title="Correlation")
        for k, row in enumerate(d["correlation"]):
            corr.add_row(f"f{k}", *(f"{r:.3f}" for r in row))
        console.print(corr)
        return
    table = Table("input", "estimate", "u", "c = df/dx", "|c| u", "share", title="Uncertainty budget")
    for r in d["inputs"]:
        table.add_row(
            r["name"],
            plain_number(r["value"]),
            plain_number(r["u"]),
            f"{r['c'] + 0.0:.6g}",
            f"{r['contribution']:.3g}",
            f"{r['share']:.1%}",
        )
    console.print(table)
    value, u = gum_round(d["value"], d["u"])
    console.print(f"result: {value} ± {u} (standard uncertainty, first order)", highlight=False)
    if "U" in d:
        v, big = gum_round(d["value"], d["U"])
        level = f", level {d['level']:g}" if "level" in d else ""
        dof = d.get("dof_eff")
        nu = f", ν_eff = {dof:.1f}" if dof is not None and math.isfinite(dof) else ""
        console.print(f"expanded: {v} ± {big} (k = {d['k']:.3g}{level}{nu})", highlight=False)
    if d.get("second_order"):
        s = d["second_order"]
        console.print(f"second order: u = {gum_round(d['value'], s['u'])[1]} ({s['change']:+.1%})", highlight=False)
    if "mc" in d:
        mc = d["mc"]
        mean, std = gum_round(mc["mean"], mc["std"])
        lo, hi = (gum_round(x, mc["std"])[0] for x in mc["interval"])
        console.print(
            f"Monte Carlo ({mc['draws']:,} draws, seed {mc['seed']}): {mean} ± {std}, "
            f"{mc['level']:.0%} interval [{lo}, {hi}]",
            highlight=False,
        )

"""Propagation of uncertainty as the GUM (JCGM 100:2008) does it, on exact derivatives.

First order (GUM 5.1.2, 5.2.2): u_c^2 = sum_ij c_i c_j u(x_i, x_j) with the sensitivity
coefficients c_i = df/dx_i at the estimates; for a vector EXPR the output covariance J U J^T
(GUM Supplement 2). Second order (the note to GUM 5.1.2, uncorrelated normal inputs): u_c^2
gains sum_ij [(d2f/dxi dxj)^2 / 2 + df/dxi d3f/dxi dxj^2] u_i^2 u_j^2. Expanded uncertainty:
U = k u_c, with k given or from a coverage probability and the Welch-Satterthwaite effective
degrees of freedom (GUM G.4.1; truncated to an integer before t is looked up, as G.6.4 does).
Nothing here prints: notes go into the returned result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffcli.compute.request import Result
from diffcli.errors import DiffcliError
from diffcli.work.coverage import coverage_factor, welch_satterthwaite
from diffcli.work.model import Model
from diffcli.work.quantities import Quantity

SECOND_ORDER_WARNING = 0.10  # relative change of u_c that the second-order terms must not pass silently


@dataclass(frozen=True)
class Setup:
    """What to compute besides the first-order budget."""

    cov: np.ndarray  # the inputs' covariance matrix (inputs with an uncertainty, --at order)
    dof: dict  # name -> degrees of freedom (absent: infinite)
    k: float | None = None
    level: float | None = None
    second_order: bool = False

    @property
    def correlated(self) -> bool:
        return bool(np.any(self.cov - np.diag(np.diag(self.cov))))


def propagate(model: Model, inputs: list[Quantity], setup: Setup) -> Result:
    """The GUM result at the estimates: value, u_c, budget, and what `setup` asks besides."""
    result = Result("uncertainty")
    point = model.at(model.start())
    if not np.all(np.isfinite(point["value"])) or not np.all(np.isfinite(point["jacobian"])):
        raise DiffcliError(
            "the value or a sensitivity coefficient is not finite at the estimates: check the --at values",
            exit_code=3,
        )
    u = np.array([q.u for q in inputs])
    jac, cov = point["jacobian"], setup.cov
    out_cov = jac @ cov @ jac.T
    data = result.data
    data["inputs"] = [{"name": q.name, "value": q.value, "u": q.u} for q in inputs]
    if model.vector:
        std = np.sqrt(np.clip(np.diag(out_cov), 0, None))
        with np.errstate(all="ignore"):
            corr = out_cov / np.outer(std, std)
        data.update(
            value=point["value"].tolist(),
            u=std.tolist(),
            sensitivity=jac.tolist(),
            covariance=out_cov.tolist(),
            correlation=np.where(np.eye(len(std), dtype=bool), 1.0, np.where(np.isfinite(corr), corr, 0.0)).tolist(),
        )
        k = setup.k if setup.k is not None else coverage_factor(setup.level) if setup.level is not None else None
        if k is not None:
            data.update(k=k, U=(k * std).tolist())
        return result
    c = jac[0]
    uc = math.sqrt(max(float(out_cov[0, 0]), 0.0))
    contributions = np.abs(c) * u
    variance = uc * uc
    for row, ci, part in zip(data["inputs"], c, contributions):
        row.update(c=float(ci), contribution=float(part), share=float(part * part / variance) if variance else 0.0)
        row["dof"] = setup.dof.get(row["name"], math.inf)
    data.update(value=float(point["value"][0]), u=uc)
    if setup.correlated:
        data["correlation_share"] = (
            float((variance - float(contributions @ contributions)) / variance) if variance else 0.0
        )
    if setup.second_order:
        second_order(result, point, u, uc, setup)
    expand(result, contributions, setup)
    return result


def second_order(result: Result, point: dict, u: np.ndarray, uc: float, setup: Setup) -> None:
    data = result.data
    if setup.correlated:
        data["second_order"] = None
        result.notes.append(
            "--second-order: the GUM's higher-order terms (note to 5.1.2) hold for uncorrelated normal "
            "inputs only, and these are correlated: use --mc N for the Monte Carlo method (Supplement 1)"
        )
        return
    h, t, c = point["hessian"], point["third"], point["jacobian"][0]
    u2 = u * u
    terms = (0.5 * h * h + c[:, None] * t) * np.outer(u2, u2)
    extra = float(terms.sum())
    total = uc * uc + extra
    u_second = math.sqrt(total) if total >= 0 else math.nan
    change = u_second / uc - 1 if uc else math.inf
    data["second_order"] = {"u": u_second, "terms": extra, "change": change}
    if not math.isfinite(u_second) or abs(change) > SECOND_ORDER_WARNING:
        result.notes.append(
            f"the second-order terms change the combined standard uncertainty by {change:+.1%} "
            "(more than 10%): the first-order law is a poor approximation here; --mc N checks it"
        )


def expand(result: Result, contributions: np.ndarray, setup: Setup) -> None:
    """k and U = k u_c, from --k, or from --level with the effective degrees of freedom."""
    data = result.data
    nus = [row["dof"] for row in data["inputs"]]
    finite = any(not math.isinf(nu) for nu in nus)
    if setup.k is not None:
        k = setup.k
    elif setup.level is not None:
        if setup.correlated and finite:
            k = 2.0
            result.notes.append(
                "Welch-Satterthwaite does not apply to correlated inputs (GUM H.2), so k = 2 is used "
                f"for --level {setup.level:g}; --mc N gives the coverage interval itself"
            )
        else:
            nu = welch_satterthwaite(contributions.tolist(), nus) if finite else math.inf
            data["dof_eff"] = nu
            k = coverage_factor(setup.level, math.floor(nu) if math.isfinite(nu) else nu)
        data["level"] = setup.level
    else:
        return
    data["k"] = k
    data["U"] = k * data["u"]
    data["interval"] = [data["value"] - data["U"], data["value"] + data["U"]]

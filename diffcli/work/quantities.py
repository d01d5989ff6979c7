"""Measured quantities from the command line: `L=1.000±0.002`, `1.000+-0.002`, the concise
`1.000(2)`, plain values (exact constants), correlations `L,T=0.3`, a covariance matrix,
distributions `L=uniform` and degrees of freedom `L=5`. The number after ± is always the
standard uncertainty (for a t distribution, its scale).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from diffcli.errors import DiffcliError
from diffcli.syntax.points import is_name, parse_value, split_top

CONCISE = re.compile(r"^\s*([+-]?)(\d*)(?:\.(\d*))?\((\d+(?:\.\d*)?)\)(?:[eE]([+-]?\d+))?\s*$")
PLUS_MINUS = re.compile(r"±|\+-|\+/-")
DISTRIBUTIONS = ("normal", "uniform", "triangular", "t")


@dataclass(frozen=True)
class Quantity:
    name: str
    value: float
    u: float | None  # None: an exact constant (no ±)
    text: str  # the value as written, for messages


def split_uncertain(text: str, what: str) -> tuple[float, float | None]:
    """(value, standard uncertainty or None) of `1.000±0.002`, `1.000+-0.002`, `1.000(2)`, `2`."""
    concise = CONCISE.match(text)
    if concise:
        sign, whole, decimals, paren, exponent = concise.groups()
        if not (whole or decimals):
            raise DiffcliError(f"{what}: `{text}` has no value before the parenthesis: write 1.000(2)")
        value = float(f"{sign}{whole or 0}.{decimals or 0}")
        # 1.000(2): the 2 is in units of the last digit; 10.5(1.2): the same units as the value
        u = float(paren) if "." in paren else int(paren) * 10.0 ** -len(decimals or "")
        scale = 10.0 ** int(exponent) if exponent else 1.0
        return value * scale, u * scale
    parts = PLUS_MINUS.split(text)
    if len(parts) == 1:
        return float(_scalar(text, what)), None
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise DiffcliError(f"{what}: write the value, ±, then the standard uncertainty, such as 1.000±0.002")
    value = float(_scalar(parts[0], what))
    u = float(_scalar(parts[1], f"{what} (the uncertainty)"))
    if not (u >= 0 and math.isfinite(u)):
        raise DiffcliError(f"{what}: the standard uncertainty must be a finite number >= 0, not {parts[1].strip()}")
    return value, u


def _scalar(text: str, what: str) -> float:
    value = parse_value(text, what)
    if value.shape != ():
        raise DiffcliError(f"{what}: a measured quantity is one number, not `{text.strip()}`")
    if not math.isfinite(float(value)):
        raise DiffcliError(f"{what}: `{text.strip()}` is not a finite number")
    return float(value)


def parse_quantities(specs: list[str] | None) -> list[Quantity]:
    """--at `L=1.000±0.002,T=2.006(4),g0=9.8` (repeatable) -> quantities in the order given."""
    out: list[Quantity] = []
    for spec in specs or []:
        for part in split_top(spec):
            if not part.strip():
                continue
            name, eq, value = (s.strip() for s in part.partition("="))
            if not eq or not is_name(name):
                raise DiffcliError(f"--at: write NAME=VALUE±U, such as L=1.000±0.002, not `{part.strip()}`")
            if any(q.name == name for q in out):
                raise DiffcliError(f"--at: `{name}` is given twice")
            v, u = split_uncertain(value, f"--at {name}")
            out.append(Quantity(name, v, u, value))
    if not any(q.u is not None for q in out):
        raise DiffcliError(
            "no input has an uncertainty: write each measured value with its standard uncertainty, "
            'such as --at "L=1.000±0.002,T=2.006±0.004" (or 1.000+-0.002, or 1.000(2))'
        )
    return out


def _pairs(specs: list[str] | None, option: str) -> list[tuple[str, str]]:
    """`a=b,c=d` (repeatable, commas inside brackets kept) -> [(a, b), (c, d)]."""
    out = []
    for spec in specs or []:
        for part in split_top(spec):
            if part.strip():
                key, eq, value = (s.strip() for s in part.partition("="))
                if not eq or not key or not value:
                    raise DiffcliError(f"{option}: write NAME=VALUE, not `{part.strip()}`")
                out.append((key, value))
    return out


def _known(name: str, names: list[str], option: str) -> int:
    if name not in names:
        raise DiffcliError(f"{option}: `{name}` is not an input with an uncertainty (those are {', '.join(names)})")
    return names.index(name)


def correlation_matrix(specs: list[str] | None, names: list[str]) -> np.ndarray:
    """--corr `L,T=0.3` (repeatable; also `L:T=0.3`) -> the inputs' correlation matrix."""
    r = np.eye(len(names))
    for spec in specs or []:
        key, eq, value = spec.rpartition("=")
        pair = [s.strip() for s in re.split(r"[,:]", key)] if eq else []
        if len(pair) != 2:
            raise DiffcliError(f"--corr: write two inputs and their correlation, such as L,T=0.3, not `{spec}`")
        i, j = (_known(p, names, "--corr") for p in pair)
        if i == j:
            raise DiffcliError(f"--corr {spec}: an input's correlation with itself is 1")
        rho = _scalar(value, f"--corr {key}")
        if not -1 <= rho <= 1:
            raise DiffcliError(f"--corr {key}: a correlation lies between -1 and 1, not {value.strip()}")
        r[i, j] = r[j, i] = rho
    return r


def covariance_matrix(text: str, quantities: list[Quantity]) -> np.ndarray:
    """--cov: the inputs' covariance matrix, in --at order; its diagonal must agree with the ±."""
    cov = parse_value(text, "--cov")
    n = len(quantities)
    if cov.shape != (n, n):
        raise DiffcliError(f"--cov: give a {n} x {n} matrix (one row per input with an uncertainty), not {cov.shape}")
    if not np.allclose(cov, cov.T, rtol=1e-12, atol=0) or not np.all(np.isfinite(cov)):
        raise DiffcliError("--cov: a covariance matrix is symmetric and finite")
    for k, q in enumerate(quantities):
        assert q.u is not None, "--cov covers the inputs with a ± (the caller keeps only those)"
        if not math.isclose(math.sqrt(max(cov[k, k], 0.0)), q.u, rel_tol=1e-6, abs_tol=1e-300):
            raise DiffcliError(
                f"--cov: the variance of `{q.name}` is {cov[k, k]!r}, but --at gives u = {q.u!r} "
                f"(variance {q.u * q.u!r}): make them agree"
            )
    return cov


def distributions(specs: list[str] | None, names: list[str]) -> dict[str, str]:
    out = {}
    for name, kind in _pairs(specs, "--dist"):
        _known(name, names, "--dist")
        if kind.lower() not in DISTRIBUTIONS:
            raise DiffcliError(f"--dist {name}: choose one of {', '.join(DISTRIBUTIONS)}, not `{kind}`")
        out[name] = kind.lower()
    return out


def degrees_of_freedom(specs: list[str] | None, names: list[str]) -> dict[str, float]:
    out = {}
    for name, text in _pairs(specs, "--dof"):
        _known(name, names, "--dof")
        nu = _scalar(text, f"--dof {name}") if text.lower() not in ("inf", "infinity") else math.inf
        if not nu > 0:
            raise DiffcliError(f"--dof {name}: degrees of freedom are a positive number, not {text}")
        out[name] = nu
    return out

"""`diffcli uncertainty`: the GUM's law of propagation on exact derivatives, checked against the
GUM's own worked examples (JCGM 100:2008 Annex H, computed from the tables' readings), against
GTC and `uncertainties` where installed, and the Monte Carlo method (Supplement 1)."""

from __future__ import annotations

import math
import random
import subprocess

import numpy as np
import pytest

from conftest import invoke
from diffcli.render.work import gum_round
from diffcli.work.coverage import coverage_factor, welch_satterthwaite

PENDULUM = "4*pi^2*L/T^2"
AT = "L=1.000±0.002,T=2.006±0.004"


def run(*args):
    r = invoke("uncertainty", *args, "--format", "json")
    assert r.code == 0, r.stderr
    return r.json()


def test_pendulum_first_order_matches_the_formula():
    d = run(PENDULUM, "--at", AT)
    L, T, uL, uT = 1.0, 2.006, 0.002, 0.004
    cL, cT = 4 * math.pi**2 / T**2, -8 * math.pi**2 * L / T**3
    assert d["value"] == pytest.approx(4 * math.pi**2 * L / T**2, rel=1e-15)
    assert d["u"] == pytest.approx(math.hypot(cL * uL, cT * uT), rel=1e-14)
    assert [r["c"] for r in d["inputs"]] == pytest.approx([cL, cT], rel=1e-14)
    assert sum(r["share"] for r in d["inputs"]) == pytest.approx(1.0)
    assert [r["contribution"] for r in d["inputs"]] == pytest.approx([abs(cL) * uL, abs(cT) * uT])


@pytest.mark.parametrize(
    "written", ["L=1.000+-0.002,T=2.006+-0.004", "L=1.000(2),T=2.006(4)", "L=1±0.002,T=2.006 ± 0.004"]
)
def test_input_forms_agree(written):
    assert run(PENDULUM, "--at", written) == run(PENDULUM, "--at", AT)


def test_concise_form_units():
    d = run("x", "--at", "x=6.67430(15)e-11")
    assert d["value"] == pytest.approx(6.67430e-11) and d["u"] == pytest.approx(0.00015e-11)
    assert run("x", "--at", "x=10.5(1.2)")["u"] == pytest.approx(1.2)


def test_exact_constants_are_not_in_the_budget():
    d = run("g0*L", "--at", "L=2±0.1,g0=3")
    assert [r["name"] for r in d["inputs"]] == ["L"] and d["u"] == pytest.approx(0.3)


@pytest.mark.parametrize("command", ["grad", "eval", "hessian", "diff"])
@pytest.mark.parametrize("value", ["1.00+-0.01", "1.00±0.01", "1.00(1)", "1.00 +- 0.01"])
def test_other_commands_refuse_an_uncertain_value(command, value):
    r = invoke(command, "L^2", "--at", f"L={value}")
    assert r.code == 2 and "diffcli uncertainty" in r.stderr and r.stdout == ""


def test_minus_values_still_work():
    assert invoke("eval", "L^2", "--at", "L=-1.5", "--format", "plain").stdout.strip() == "2.25"
    assert invoke("eval", "L", "--at", "L=2 - 1", "--format", "plain").stdout.strip() == "1"


# ---------------------------------------------------------------- GUM Annex H


def test_gum_h1_end_gauge():
    """H.1: l = l_s + d - l_s (delta_alpha theta + alpha_s delta_theta), in nm. Published:
    l = 50.000 838 mm, u_c = 32 nm, nu_eff = 16, k = t_99(16) = 2.92, U_99 = 93 nm; with the
    second-order terms (H.1.7) u_c = 34 nm."""
    at = "ls=50000623±25,d=215±9.7,as_=11.5e-6±1.2e-6,th=-0.1±0.41,da=0±0.58e-6,dth=0±0.029"
    d = run("ls + d - ls*(da*th + as_*dth)", "--at", at, "--dof", "ls=18,d=25.6,da=50,dth=2", "--level", "0.99")
    assert round(d["value"]) == 50000838
    assert round(d["u"]) == 32
    assert math.floor(d["dof_eff"]) == 16
    assert round(d["k"], 2) == 2.92 and round(d["U"]) == 93
    c = {r["name"]: r["c"] for r in d["inputs"]}
    assert round(c["dth"]) == -575 and c["da"] == pytest.approx(5.0e6, rel=1e-4)  # Table H.2's c_i
    contributions = {r["name"]: round(r["contribution"], 1) for r in d["inputs"]}
    assert contributions == {"ls": 25.0, "d": 9.7, "as_": 0.0, "th": 0.0, "da": 2.9, "dth": 16.7}
    # the GUM prints 16.6 nm for delta theta: 575 nm/degC x 0.029 degC = 16.68 by hand-rounded c
    second = run("ls + d - ls*(da*th + as_*dth)", "--at", at, "--second-order")["second_order"]
    assert round(second["u"]) == 34


def h2_inputs():
    """Table H.2: five simultaneous readings of V (V), I (mA) and phi (rad)."""
    readings = np.array(
        [
            [5.007, 19.663, 1.0456],
            [4.994, 19.639, 1.0438],
            [5.005, 19.640, 1.0468],
            [4.990, 19.685, 1.0428],
            [4.999, 19.678, 1.0433],
        ]
    ).T
    mean = readings.mean(axis=1).tolist()
    u = (readings.std(axis=1, ddof=1) / math.sqrt(5)).tolist()
    r = np.corrcoef(readings).tolist()
    at = ",".join(f"{n}={m!r}±{s!r}" for n, m, s in zip("VIp", mean, u))
    corr = [f"V,I={r[0][1]!r}", f"V,p={r[0][2]!r}", f"I,p={r[1][2]!r}"]
    return at, corr, u, r


def test_gum_h2_resistance_reactance_impedance():
    """H.2 (approach 1): R = 127.732 ohm, u 0.071; X = 219.847, u 0.295; Z = 254.260, u 0.236;
    r(R,X) = -0.588, r(R,Z) = -0.485, r(X,Z) = 0.993. Inputs: u(V) = 0.0032 V, u(I) = 0.0095 mA,
    u(phi) = 0.00075 rad, r(V,I) = -0.36, r(V,phi) = 0.86, r(I,phi) = -0.65."""
    at, corr, u, r = h2_inputs()
    assert round(u[0], 4) == 0.0032 and round(u[1], 4) == 0.0095 and round(u[2], 5) == 0.00075
    assert [round(r[0][1], 2), round(r[0][2], 2), round(r[1][2], 2)] == [-0.36, 0.86, -0.65]
    args = ["[1000*V/I*cos(p), 1000*V/I*sin(p), 1000*V/I]", "--at", at]
    for c in corr:
        args += ["--corr", c]
    d = run(*args)
    assert [round(v, 3) for v in d["value"]] == [127.732, 219.847, 254.260]
    assert round(d["u"][0], 3) == 0.071 and round(d["u"][2], 3) == 0.236
    assert abs(d["u"][1] - 0.295) <= 0.001 + 1e-12  # 0.2956: the GUM printed 0.295, one unit of the last digit
    c = d["correlation"]
    assert [round(c[0][1], 3), round(c[0][2], 3), round(c[1][2], 3)] == [-0.588, -0.485, 0.993]


def test_gum_h3_thermometer_calibration():
    """H.3: b(t) = y1 + y2 (t - 20 degC) fitted to 11 readings: y1 = -0.1712(29) degC,
    y2 = 0.00218(67), r = -0.930; the correction at 30 degC is b = -0.1494 degC, u = 0.0041 degC."""
    t = np.array([21.521, 22.012, 22.512, 23.003, 23.507, 23.999, 24.513, 25.002, 25.503, 26.010, 26.511])
    b = np.array([-0.171, -0.169, -0.166, -0.159, -0.164, -0.165, -0.156, -0.157, -0.159, -0.161, -0.160])
    design = np.stack([np.ones_like(t), t - 20], axis=1)
    y, *_ = np.linalg.lstsq(design, b, rcond=None)
    residual = b - design @ y
    cov = residual @ residual / (len(b) - 2) * np.linalg.inv(design.T @ design)
    assert round(y[0], 4) == -0.1712 and round(y[1], 5) == 0.00218
    assert round(math.sqrt(cov[0, 0]), 4) == 0.0029 and round(math.sqrt(cov[1, 1]), 5) == 0.00067
    y = y.tolist()
    at = f"y1={y[0]!r}±{math.sqrt(cov[0, 0])!r},y2={y[1]!r}±{math.sqrt(cov[1, 1])!r}"
    d = run("y1 + y2*(30 - 20)", "--at", at, "--cov", repr(cov.tolist()))
    assert round(d["value"], 4) == -0.1494 and round(d["u"], 4) == 0.0041
    r = float(cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1]))
    assert round(r, 3) == -0.930
    assert run("y1 + y2*(30 - 20)", "--at", at, "--corr", f"y1,y2={r!r}")["u"] == pytest.approx(d["u"], rel=1e-12)


# ---------------------------------------------------------------- options


def test_second_order_matches_the_gum_note_by_hand():
    # f = x*y, uncorrelated: u^2 = y^2 ux^2 + x^2 uy^2 + ux^2 uy^2 (the cross term of the note)
    d = run("x*y", "--at", "x=2±0.5,y=3±0.4", "--second-order")
    assert d["second_order"]["u"] == pytest.approx(math.sqrt(9 * 0.25 + 4 * 0.16 + 0.25 * 0.16), rel=1e-14)
    # f = x^3 at x = 0: first order 0; note: 1/2 (6x)^2 u^4 + 3x^2 * 6 u^4 ... at x=1
    d = run("x^3", "--at", "x=1±0.1", "--second-order")
    u = 0.1
    assert d["second_order"]["u"] == pytest.approx(math.sqrt(9 * u**2 + 0.5 * 36 * u**4 + 3 * 6 * u**4), rel=1e-14)


def test_second_order_warns_when_it_matters_and_declines_with_correlation():
    r = invoke("uncertainty", "x^2", "--at", "x=0.1±0.1", "--second-order", "--format", "json")
    assert r.code == 0 and "more than 10%" in r.stderr
    r = invoke("uncertainty", "x*y", "--at", "x=2±0.5,y=3±0.4", "--corr", "x,y=0.5", "--second-order")
    assert r.code == 0 and "--mc" in r.stderr and "uncorrelated" in r.stderr


def test_correlation_and_covariance_agree():
    a = run("x + 2*y", "--at", "x=1±0.1,y=2±0.2", "--corr", "x,y=0.5")
    assert a["u"] == pytest.approx(math.sqrt(0.01 + 4 * 0.04 + 2 * 2 * 0.5 * 0.1 * 0.2))
    b = run("x + 2*y", "--at", "x=1±0.1,y=2±0.2", "--cov", "[[0.01, 0.01], [0.01, 0.04]]")
    assert b["u"] == pytest.approx(a["u"], rel=1e-14)


@pytest.mark.parametrize(
    "args",
    [
        ["--corr", "x,y=1.5"],
        ["--corr", "x,z=0.1"],
        ["--corr", "x,x=0.1"],
        ["--cov", "[[0.02, 0], [0, 0.04]]"],
        ["--k", "2", "--level", "0.95"],
        ["--level", "95"],
        ["--dist", "x=uniform"],
        ["--mc", "1000", "--dist", "x=cauchy"],
        ["--mc", "1000", "--dist", "x=t"],
    ],
)
def test_bad_options_exit_2(args):
    r = invoke("uncertainty", "x + 2*y", "--at", "x=1±0.1,y=2±0.2", *args)
    assert r.code == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr


def test_no_uncertainty_given():
    r = invoke("uncertainty", "x", "--at", "x=1")
    assert r.code == 2 and "±" in r.stderr


def test_welch_satterthwaite_and_coverage():
    assert welch_satterthwaite([1.0, 1.0], [math.inf, math.inf]) == math.inf
    assert welch_satterthwaite([1.0, 1.0], [4, 4]) == pytest.approx(8)
    assert coverage_factor(0.95) == pytest.approx(1.959963984540054)
    stats = pytest.importorskip("scipy.stats")
    for nu in (1, 2, 3.5, 9, 16, 100):
        for p in (0.6827, 0.9, 0.95, 0.99):
            assert coverage_factor(p, nu) == pytest.approx(stats.t.ppf((1 + p) / 2, nu), rel=1e-12)


def test_level_with_dof_and_correlations_uses_k_2_with_a_note():
    r = invoke(
        "uncertainty", PENDULUM, "--at", AT, "--corr", "L,T=0.3", "--dof", "L=5", "--level", "0.95", "--format", "json"
    )
    assert r.code == 0 and r.json()["k"] == 2 and "Welch-Satterthwaite" in r.stderr


def test_expanded_with_k():
    d = run(PENDULUM, "--at", AT, "--k", "2")
    assert d["U"] == pytest.approx(2 * d["u"]) and d["interval"] == pytest.approx(
        [d["value"] - d["U"], d["value"] + d["U"]]
    )


@pytest.mark.parametrize(
    "value, u, text",
    [
        (9.810652192, 0.0437696, ("9.811", "0.044")),
        (50000838.2, 31.7, ("50000838", "32")),
        (127.73217, 0.0710714, ("127.732", "0.071")),
        (1.23456, 0.0996, ("1.23", "0.10")),
        (-0.14937, 0.00414, ("-0.1494", "0.0041")),
        (12345.0, 1234.0, ("12300", "1200")),
    ],
)
def test_gum_rounding(value, u, text):
    assert gum_round(value, u) == text


# ---------------------------------------------------------------- Monte Carlo


def test_mc_contains_the_analytic_interval_on_a_linear_model():
    d = run("3*x - 2*y + 1", "--at", "x=1±0.1,y=2±0.3", "--mc", "400000", "--seed", "7", "--k", "1.959963984540054")
    mc = d["mc"]
    assert mc["seed"] == 7 and mc["draws"] == 400000
    assert mc["mean"] == pytest.approx(d["value"], abs=3 * d["u"] / math.sqrt(4e5) * 2)
    assert mc["std"] == pytest.approx(d["u"], rel=0.01)
    lo, hi = d["interval"]
    assert mc["interval"][0] == pytest.approx(lo, rel=0.01) and mc["interval"][1] == pytest.approx(hi, rel=0.01)


def test_mc_is_repeatable_with_a_seed():
    a = run(PENDULUM, "--at", AT, "--mc", "10000", "--seed", "5")["mc"]
    assert a == run(PENDULUM, "--at", AT, "--mc", "10000", "--seed", "5")["mc"]


def test_mc_shows_the_skew_of_a_square():
    """y = x^2, x ~ N(1, 0.5^2): E[y] = 1 + 0.25 (first order says 1), the interval is skewed:
    the upper end lies farther from the estimate than the lower, which first order cannot show."""
    d = run("x^2", "--at", "x=1±0.5", "--mc", "400000", "--seed", "1")
    mc = d["mc"]
    assert mc["mean"] == pytest.approx(1.25, abs=0.01)
    assert mc["std"] == pytest.approx(math.sqrt(4 * 0.25 + 2 * 0.5**4), rel=0.01)  # Var = 4 mu^2 s^2 + 2 s^4
    lo, hi = mc["interval"]
    assert hi - d["value"] > 1.5 * (d["value"] - lo)


@pytest.mark.parametrize(
    "kind, half", [("uniform", 0.95 * math.sqrt(3)), ("triangular", math.sqrt(6) * (1 - math.sqrt(0.05)))]
)
def test_mc_distributions_have_standard_deviation_u(kind, half):
    mc = run("x", "--at", "x=0±1", "--mc", "400000", "--seed", "2", "--dist", f"x={kind}")["mc"]
    assert mc["std"] == pytest.approx(1.0, rel=0.01)
    assert mc["interval"] == pytest.approx([-half, half], rel=0.01)


def test_mc_student_t_uses_u_as_its_scale():
    mc = run("x", "--at", "x=0±1", "--mc", "400000", "--seed", "3", "--dist", "x=t", "--dof", "x=5")["mc"]
    assert mc["std"] == pytest.approx(math.sqrt(5 / 3), rel=0.02)
    assert mc["interval"][1] == pytest.approx(2.570581835636314, rel=0.02)


def test_mc_vector_and_correlated():
    at, corr, _, _ = h2_inputs()
    args = ["[1000*V/I*cos(p), 1000*V/I*sin(p)]", "--at", at, "--mc", "200000", "--seed", "4"]
    for c in corr:
        args += ["--corr", c]
    d = run(*args)
    assert d["mc"]["std"] == pytest.approx(d["u"], rel=0.02)
    assert np.array(d["mc"]["covariance"]) == pytest.approx(np.array(d["covariance"]), rel=0.05)


def test_mc_outside_the_domain_is_exit_3():
    r = invoke("uncertainty", "sqrt(x)", "--at", "x=0.1±1", "--mc", "1000", "--seed", "1")
    assert r.code == 3 and "not finite" in r.stderr


# ---------------------------------------------------------------- formats, points, latex


def test_plain_and_csv():
    r = invoke("uncertainty", PENDULUM, "--at", AT, "--format", "plain")
    lines = r.stdout.splitlines()
    assert float(lines[0]) == pytest.approx(9.810652192067229) and float(lines[1]) == pytest.approx(0.0437696, rel=1e-5)
    assert len(lines[2].split()) == 2
    r = invoke("uncertainty", PENDULUM, "--at", AT, "--format", "csv")
    assert r.stdout.splitlines()[0] == "input,value,u,c,contribution,share"


def test_rich_rounds_the_gum_way():
    r = invoke("uncertainty", PENDULUM, "--at", AT, "--format", "rich")
    assert "9.811 ± 0.044" in r.stdout


def test_latex_writes_the_partials():
    r = invoke("uncertainty", "L/T^2", "--at", AT, "--latex", "--format", "plain", "--corr", "L,T=0.3")
    assert r.code == 0
    first, *partials = r.stdout.strip().splitlines()
    assert first.startswith(r"u_{f} = \sqrt{") and "r_{LT}" in first
    assert partials == [
        r"\frac{\partial f}{\partial L} = \frac{1}{{T}^{2}}",
        r"\frac{\partial f}{\partial T} = -\frac{2 L}{{T}^{3}}",
    ]


def test_points_over_a_lab_table(tmp_path):
    table = tmp_path / "lab.csv"
    table.write_text("L,u_L,T,u_T\n1.000,0.002,2.006,0.004\n0.500,0.002,1.419,0.004\n")
    r = invoke("uncertainty", PENDULUM, "--points", str(table), "--k", "2", "--format", "plain")
    assert r.code == 0, r.stderr
    rows = [list(map(float, line.split())) for line in r.stdout.splitlines()]
    one = run(PENDULUM, "--at", AT)
    assert rows[0] == pytest.approx([one["value"], one["u"], 2 * one["u"]], rel=1e-13)
    second = run(PENDULUM, "--at", "L=0.5±0.002,T=1.419±0.004")
    assert rows[1] == pytest.approx([second["value"], second["u"], 2 * second["u"]], rel=1e-13)


def test_installed_command():
    p = subprocess.run(
        ["diffcli", "uncertainty", PENDULUM, "--at", AT, "--format", "plain"], capture_output=True, text=True
    )
    assert p.returncode == 0 and p.stdout.splitlines()[1].startswith("0.0437")


# ---------------------------------------------------------------- oracles


def random_model(rng: random.Random):
    """(diffcli text, python function of a namespace m with sin, exp, log, sqrt) of 3 inputs."""
    pieces = [
        ("x*y", lambda m, x, y, z: x * y),
        ("sin(x)", lambda m, x, y, z: m.sin(x)),
        ("exp(z/3)", lambda m, x, y, z: m.exp(z / 3)),
        ("log(1 + y^2)", lambda m, x, y, z: m.log(1 + y**2)),
        ("x/z", lambda m, x, y, z: x / z),
        ("sqrt(z)*y", lambda m, x, y, z: m.sqrt(z) * y),
        ("x^3", lambda m, x, y, z: x**3),
        ("cos(x*z)", lambda m, x, y, z: m.cos(x * z)),
    ]
    chosen = rng.sample(pieces, 3)
    weights = [rng.choice([-3, -1, 0.5, 2, 5]) for _ in chosen]
    text = " + ".join(f"({w})*{t}" for w, (t, _) in zip(weights, chosen))
    return text, lambda m, x, y, z: sum(w * f(m, x, y, z) for w, (_, f) in zip(weights, chosen))


def random_inputs(rng: random.Random):
    return [(rng.uniform(0.5, 2), rng.uniform(0.01, 0.2)) for _ in range(3)]


def test_uncertainties_package_agrees_on_200_random_models():
    unc = pytest.importorskip("uncertainties")
    umath = pytest.importorskip("uncertainties.umath")
    rng = random.Random(2027)
    for _ in range(200):
        text, f = random_model(rng)
        values = random_inputs(rng)
        rho = rng.uniform(-0.9, 0.9)
        s = [u for _, u in values]
        cov = [[s[0] ** 2, rho * s[0] * s[1], 0], [rho * s[0] * s[1], s[1] ** 2, 0], [0, 0, s[2] ** 2]]
        x, y, z = unc.correlated_values([v for v, _ in values], cov)
        expected = f(umath, x, y, z)
        at = ",".join(f"{n}={v!r}±{u!r}" for n, (v, u) in zip("xyz", values))
        d = run(text, "--at", at, "--corr", f"x,y={rho!r}")
        assert d["value"] == pytest.approx(expected.nominal_value, rel=1e-12, abs=1e-12), text
        assert d["u"] == pytest.approx(expected.std_dev, rel=1e-12, abs=1e-12), text


def test_gtc_agrees_on_200_random_models():
    gtc = pytest.importorskip("GTC")
    rng = random.Random(1027)
    for _ in range(200):
        text, f = random_model(rng)
        values = random_inputs(rng)
        dofs = [rng.choice([3, 8, 20, math.inf]) for _ in values]
        x, y, z = (gtc.ureal(v, u, df) for (v, u), df in zip(values, dofs))
        expected = f(gtc, x, y, z)
        at = ",".join(f"{n}={v!r}±{u!r}" for n, (v, u) in zip("xyz", values))
        dof = ",".join(f"{n}={nu}" for n, nu in zip("xyz", dofs) if math.isfinite(nu))
        args = ["--dof", dof] if dof else []
        d = run(text, "--at", at, *args, "--level", "0.95")
        assert d["value"] == pytest.approx(gtc.value(expected), rel=1e-12, abs=1e-12), text
        assert d["u"] == pytest.approx(gtc.uncertainty(expected), rel=1e-12, abs=1e-12), text
        nu = gtc.dof(expected)
        if math.isfinite(nu) and d.get("dof_eff") is not None:
            assert d["dof_eff"] == pytest.approx(nu, rel=1e-9), text

"""Sensitivity runs: the tight formulation, sweeps, the frontier, the tornado, the CLI.

Exactness is checked against independent single solves (`optimizer.solve` of each
point) and against the straightforward formulation (`build_model(tight=False)`).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer.analyses.sensitivity.engine import TargetEngine, lever_state
from optimizer.model.milp import build_model
from optimizer.plan.evaluate import evaluate
from optimizer.analyses.sensitivity.common import TARGET
from optimizer.analyses.sensitivity.frontier import frontier
from optimizer.analyses.sensitivity.sweep import parse_sweep, sweep
from optimizer.analyses.sensitivity.tornado import tornado, tornado_inputs
from optimizer.solvers import run

from .conftest import CASES, ROOT
from .random_cases import random_case

AURA = str(CASES / "aura-average-2020.json")
TARGETS_PER_CASE = 10


def _random_cases(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    return [random_case(rng) for _ in range(count)]


def _fee_and_recruits(raw: dict, rng: random.Random) -> dict:
    """The same case with a fee increase and new members on the fee line, and a floor on
    members: the structure the tight formulation strengthens."""
    raw = json.loads(json.dumps(raw))
    levers = [lv for lv in raw["levers"] if lv["type"] not in ("fee_increase", "new_members")]
    levers.append({"id": "fee-up", "type": "fee_increase", "max_increase": rng.choice([0.1, 0.25]),
                   "step": rng.choice([0.01, 0.02]), "elasticity": rng.choice([0.5, 1.0, 2.5])})
    levers.append({"id": "recruit", "type": "new_members", "max_new": rng.randint(3, 30),
                   "cost_per_member": 100})
    raw["levers"] = levers
    raw["target"]["min_members"] = max(0, raw["members"] - rng.randint(0, 15))
    raw["rules"] = [r for r in raw.get("rules", []) if not any(
        q.startswith("lever:") and q[6:] not in {lv["id"] for lv in levers} for q in r["terms"])]
    return raw


# ------------------------------------------------------------------ tight formulation


@pytest.mark.parametrize("seed", range(3))
def test_tight_formulation_keeps_the_optimum(seed):
    """On random cases (and variants with fees, recruits and a members floor), the tight
    formulation and the straightforward one give the same status and objective."""
    rng = random.Random(100 + seed)
    compared = strengthened = 0
    for raw in _random_cases(seed, 12):
        for variant in (raw, _fee_and_recruits(raw, rng)):
            try:
                case = optimizer.load_case(variant)
            except optimizer.CaseError:
                continue
            plain, tight = build_model(case, tight=False), build_model(case, tight=True)
            strengthened += len(tight.prob.constraints()) != len(plain.prob.constraints()) or \
                len(tight.prob.variables()) != len(plain.prob.variables())
            a, b = run(plain.prob, "highs"), run(tight.prob, "highs")
            assert a.status == b.status, case.name
            if a.has_plan:
                assert b.objective == pytest.approx(a.objective, rel=1e-7, abs=1e-4), case.name
            compared += 1
    assert compared >= 20
    assert strengthened >= 5  # the tight formulation did change some models


def test_dominated_options_are_dropped_only_when_safe():
    """A fee option that loses money is dropped, unless new members pay the increased fee."""
    raw = json.loads(Path(AURA).read_text())
    raw["rules"] = []
    raw["target"]["risk_tolerance"] = 0.0  # members-first tie-break off: dropping is safe
    for lever in raw["levers"]:
        if lever["id"] == "fees-up":
            lever.update(max_increase=2.0, step=0.25, elasticity=1.0)  # gains <= 0 from p = 0
    with_recruits = optimizer.load_case(raw)
    raw["levers"] = [lv for lv in raw["levers"] if lv["id"] != "recruit"]
    alone = optimizer.load_case(raw)

    def options(case, tight):
        model = build_model(case, tight=tight)
        return len([v for v in model.prob.variables() if "_opt" in v.name and
                    v.name.startswith(f"l{[lv.id for lv in case.levers].index('fees-up')}_")])

    assert options(alone, tight=False) == 5  # 0, 0.25, ..., 1.0 (e p <= 1)
    assert options(alone, tight=True) == 1  # every increase loses money: only "no change"
    assert options(with_recruits, tight=True) == options(with_recruits, tight=False)
    # With a risk tolerance (model version 2), an option that loses members for no more fee
    # income than a smaller one is never offered, tight model or not.
    raw["target"]["risk_tolerance"] = 0.01
    assert options(optimizer.load_case(raw), tight=False) == 1


# ------------------------------------------------------------------ sweeps


def _single(case, **values):
    return optimizer.solve(case.with_values(values), solver="highs", explain=False)


def test_sweep_equals_independent_single_solves():
    """A few hundred random points: every sweep row has the status and the least EUR at risk
    of an independent `optimize` of that point."""
    rng = random.Random(7)
    compared = optimal = 0
    for raw in _random_cases(11, 40):
        case = optimizer.load_case(raw)
        today = evaluate(case, {}).private_share
        top = optimizer.max_private_share(case, "highs")[0] or today
        # mostly between today's share and the highest reachable one, a few beyond
        targets = sorted({round(min(0.95, max(0.01, today + rng.uniform(-0.1, 1.1) * (
            top - today) + rng.choice([0, 0, 0, 0.002]))), 5) for _ in range(TARGETS_PER_CASE)})
        frame = sweep(case, {TARGET: targets}, workers=2)
        for _, row in frame.iterrows():
            single = _single(case, **{TARGET: row[TARGET]})
            assert row["status"] == single.status.value, (case.name, row[TARGET])
            if single.risk is not None:
                assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01)
                assert row["private_share"] >= row[TARGET] - 1e-7
                optimal += 1
            compared += 1
    assert compared >= 250 and optimal >= 150


def test_sweep_with_cbc_equals_single_optimize():
    """--solver cbc runs the slow path (a CBC process per point) with the same answers."""
    case = optimizer.load_case(AURA)
    targets = [0.52, 0.57, 0.6, 0.63]
    frame = sweep(case, {TARGET: targets}, solver="cbc", workers=1)
    for _, row in frame.iterrows():
        single = optimizer.solve(case.with_values({TARGET: row[TARGET]}), explain=False)
        assert row["status"] == single.status.value
        if single.risk is not None:
            assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01)


def test_parameter_sweep_and_grid_equal_single_solves():
    """A sweep of a lever parameter, and a grid of it with the target, point by point."""
    case = optimizer.load_case(AURA)
    frame = sweep(case, {"levers.training.price": [900, 1500],
                         TARGET: [0.55, 0.6, 0.62]}, workers=1)
    assert list(frame["levers.training.price"]) == [900, 900, 900, 1500, 1500, 1500]
    assert list(frame[TARGET]) == [0.55, 0.6, 0.62] * 2
    for _, row in frame.iterrows():
        single = _single(case, **{"levers.training.price": row["levers.training.price"],
                                  TARGET: row[TARGET]})
        assert row["status"] == single.status.value
        if single.risk is not None:
            assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01)
            assert row["lever:training"] == single.plan["training"] or row[
                "risk"] == pytest.approx(single.risk, abs=1e-3)


def test_sweep_results_do_not_depend_on_workers():
    """Same rows in the same order with one process or several."""
    case = optimizer.load_case(AURA)
    axes = {TARGET: [round(0.5 + 0.004 * k, 4) for k in range(31)]}
    one = sweep(case, axes, workers=1)
    two = sweep(case, axes, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert (one["status"] == "infeasible").any() and (one["status"] == "optimal").any()
    # the least EUR at risk never falls as the target rises
    ok = one[one["status"] == "optimal"]["risk"].to_numpy()
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(ok))


def test_engine_shortcuts_are_exact():
    """Targets answered without a solve (a lower target's plan reaches them, or a lower
    target is already out of reach) agree with a solve at that target."""
    raw = json.loads(Path(AURA).read_text())
    raw["levers"] = [lv for lv in raw["levers"] if lv["type"] not in ("cut", "grant_cut")]
    case = optimizer.load_case(raw)  # no continuous lever: plans overshoot their target
    grid = [round(0.5 + 0.001 * k, 4) for k in range(120)]
    points = TargetEngine(case).solve_targets(grid)
    skipped = [(t, p) for t, p in zip(grid, points) if not p.solved]
    assert len(skipped) >= 10
    for t, p in skipped[::3]:
        alone, _ = TargetEngine(case).solve(t)
        assert p.status == alone.status
        if alone.ok:
            assert p.risk == pytest.approx(alone.risk, rel=1e-7, abs=1e-3)


def test_parse_sweep_specifications():
    assert parse_sweep("target.private_share=0.55:0.6:0.01") == (
        TARGET, [0.55, 0.56, 0.57, 0.58, 0.59, 0.6])
    assert parse_sweep("levers.recruit.max_new=10:40:10") == ("levers.recruit.max_new",
                                                              [10, 20, 30, 40])
    assert parse_sweep("levers.training.price=900,1200,1500")[1] == [900, 1200, 1500]
    for bad, words in [("target.private_share", "PATH=START"), ("x=1:2", "three numbers"),
                       ("x=1:0:0.5", "below START"), ("x=0:1:0", "STEP must be positive"),
                       ("x=0:1:a", "STEP must be a number"), ("x=0:1:1e-9", "at most")]:
        with pytest.raises(optimizer.CaseError, match=words):
            parse_sweep(bad)


# ------------------------------------------------------------------ frontier


def _small_case() -> dict:
    """Three levers that enter one after the other as the target rises."""
    return {
        "name": "small frontier case",
        "revenues": [{"id": "region", "amount": 500000, "public": True},
                     {"id": "fees", "amount": 300000, "public": False},
                     {"id": "services", "amount": 150000, "public": False},
                     {"id": "others", "amount": 50000, "public": False}],
        "expenditures": [{"id": "salaries", "amount": 600000, "staff": True},
                         {"id": "external", "amount": 380000}],
        "members": 200,
        "staff": {"fte": 9, "spare_fte": 1.0},
        "target": {"private_share": 0.55},
        "levers": [
            {"id": "grant", "type": "grant_cut", "revenue": "region", "max_fraction": 0.06,
             "downside": 0.02},
            {"id": "courses", "type": "service", "price": 2000, "unit_cost": 800,
             "max_units": 30, "setup_cost": 6000, "downside": 0.3, "fte_per_unit": 0.01},
            {"id": "eu", "type": "eu_projects", "max_proposals": 4, "success_rate": 0.25,
             "grant": 150000, "cost_share": 0.7, "proposal_cost": 10000,
             "fte_per_proposal": 0.05},
        ],
    }


def _continuous_case() -> dict:
    """Three continuous levers, cheapest first: each enters when the one before is used up,
    at targets known by hand. Today: 500 k private of 1,000 k (50 %)."""
    return {
        "name": "continuous frontier case",
        "revenues": [{"id": "region", "amount": 500000, "public": True},
                     {"id": "fees", "amount": 300000, "public": False},
                     {"id": "services", "amount": 150000, "public": False},
                     {"id": "others", "amount": 50000, "public": False}],
        "expenditures": [{"id": "external", "amount": 980000}],
        "members": 100,
        "target": {"private_share": 0.52, "min_result": -200000},
        "levers": [
            {"id": "grant", "type": "grant_cut", "revenue": "region", "max_fraction": 0.06,
             "downside": 0.02},
            {"id": "consulting", "type": "service", "price": 1000, "max_units": 40,
             "integer": False, "downside": 0.3},
            {"id": "sponsors", "type": "custom", "max": 50, "revenues": {"others": 1000},
             "risk_per_unit": 600},
        ],
    }


def test_frontier_entry_points_are_exact_on_a_case_known_by_hand():
    """The grant (30 k) is used up at 500/970; consulting (40 k) at 540/1010; sponsors
    (50 k) at 590/1060, the highest share. Each event within the precision above them."""
    case = optimizer.load_case(_continuous_case())
    fr = frontier(case, points=9, workers=1)
    assert fr.max_share == pytest.approx(590 / 1060, abs=1e-9)
    got = {(e["lever"], e["event"]): e["target"] for _, e in fr.events.iterrows()}
    expected = {("grant", "enters"): 0.5, ("grant", "reaches its maximum"): 500 / 970,
                ("consulting", "enters"): 500 / 970,
                ("consulting", "reaches its maximum"): 540 / 1010,
                ("sponsors", "enters"): 540 / 1010,
                ("sponsors", "reaches its maximum"): 590 / 1060,
                ("", "no plan beyond"): 590 / 1060}
    assert set(got) == set(expected)
    for key, true in expected.items():
        assert true - 1e-9 <= got[key] <= true + fr.precision + 1e-9, key


def _states(case, t):
    point, _ = TargetEngine(case).solve(t)
    if not point.ok:
        return None
    return {lv.id: lever_state(lv, case, point.plan[lv.id]) for lv in case.levers}


@pytest.mark.parametrize("make, points, kinds", [
    (_continuous_case, 9, ("enters", "reaches its maximum")),
    (_small_case, 41, ("enters",)),
])
def test_frontier_entry_points_match_a_brute_force_grid(make, points, kinds):
    """Where each lever first enters the plan (and, on the continuous case, first reaches its
    maximum): the frontier (bisection to 1e-4) and a brute-force grid of step 1e-4 agree to
    one step. (With whole units a lever can touch its maximum for less than a grid step;
    the frontier does not promise to see that.)"""
    case = optimizer.load_case(make())
    fr = frontier(case, points=points, workers=1)
    step = 1e-4
    fine = [fr.today_share + k * step for k in range(int((fr.max_share - fr.today_share)
                                                         / step) + 1)] + [fr.max_share]
    states = [_states(case, t) for t in fine]
    first: dict[tuple[str, str], float] = {}
    for k in range(1, len(fine)):
        for lever in case.levers:
            if states[k - 1] and states[k] and states[k - 1][lever.id] != states[k][lever.id]:
                kind = "enters" if states[k - 1][lever.id] == "off" else (
                    "reaches its maximum" if states[k][lever.id] == "max" else "other")
                first.setdefault((lever.id, kind), fine[k])
    events = fr.events[fr.events["lever"] != ""]
    found: dict[tuple[str, str], float] = {}
    for _, e in events.iterrows():
        kind = "enters" if e["event"].startswith("enters") else e["event"]
        found.setdefault((e["lever"], kind), e["target"])
    checked = 0
    for key, t_fine in first.items():
        if key[1] not in kinds:
            continue
        assert key in found, key
        assert t_fine - step - 1e-4 - 1e-9 <= found[key] <= t_fine + 1e-9, key
        checked += 1
    assert checked >= 3


def test_frontier_table_is_the_least_risk_at_each_target():
    case = optimizer.load_case(_small_case())
    fr = frontier(case, points=6, workers=1)
    assert fr.table["target"].iloc[0] == pytest.approx(fr.today_share)
    assert fr.table["target"].iloc[-1] == pytest.approx(fr.max_share)
    for _, row in fr.table.iterrows():
        single = _single(case, **{TARGET: max(row["target"], 1e-6)})
        assert row["status"] == single.status.value
        if single.risk is not None:
            assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01)
            shares = sum(row[f"risk:{lv.id}"] for lv in case.levers)
            assert shares == pytest.approx(row["risk"], rel=1e-9, abs=1e-6)


def test_frontier_of_a_case_with_no_plan():
    raw = _small_case()
    raw["target"]["min_result"] = 10_000_000  # no plan balances this budget
    fr = frontier(optimizer.load_case(raw), points=5, workers=1)
    assert fr.max_share is None and fr.table.empty
    assert "No plan" in fr.summary()[0]


# ------------------------------------------------------------------ tornado


def _tornado_case() -> dict:
    """One continuous service closes the gap: EUR at risk = downside x needed income."""
    return {
        "name": "tornado case",
        "revenues": [{"id": "public", "amount": 600000, "public": True},
                     {"id": "private", "amount": 400000, "public": False}],
        "expenditures": [{"id": "external", "amount": 900000}],
        "members": 100,
        "target": {"private_share": 0.42, "min_result": -500000},
        "levers": [{"id": "consulting", "type": "service", "revenue": "private",
                    "price": 1000, "max_units": 60, "integer": False, "downside": 0.4}],
    }


def test_tornado_signs_and_ranking_on_a_hand_made_case():
    """needed income R = (t T - P) / (1 - t) = 34,482.76; risk = 0.4 R = 13,793.10."""
    frame = tornado(_tornado_case(), 0.2, workers=1)
    base = 0.4 * (0.42 * 1_000_000 - 400_000) / 0.58
    assert frame.attrs["base_risk"] == pytest.approx(base, rel=1e-9)
    rows = frame.set_index("input")
    # More public money needs 121 k of income (121 units > 60): no plan when raised.
    public = rows.loc["revenues.public.amount"]
    assert public["risk_low"] == pytest.approx(0.0, abs=1e-6)  # 480 k public: 45 % already
    assert public["status_high"] == "infeasible" and public["feasibility"] == "no plan when raised"
    private = rows.loc["revenues.private.amount"]
    assert private["status_low"] == "infeasible" and private["risk_high"] == pytest.approx(0.0,
                                                                                         abs=1e-6)
    down = rows.loc["levers.consulting.downside"]
    assert down["risk_low"] == pytest.approx(0.32 / 0.4 * base, rel=1e-7)
    assert down["risk_high"] == pytest.approx(0.48 / 0.4 * base, rel=1e-7)
    assert down["swing"] == pytest.approx(0.4 * base, rel=1e-7)
    price = rows.loc["levers.consulting.price"]
    assert price["swing"] == pytest.approx(0.0, abs=1e-6)  # fewer or more units, same income
    ranked = list(frame["input"])
    assert set(ranked[:2]) == {"revenues.public.amount", "revenues.private.amount"}
    assert ranked[2] == "levers.consulting.downside"
    assert list(frame["rank"]) == list(range(1, len(frame) + 1))


def test_tornado_inputs_cover_amounts_and_lever_parameters():
    case = optimizer.load_case(AURA)
    paths = {item.path for item in tornado_inputs(case)}
    assert {"revenues.region.amount", "expenditures.salaries.amount", "members",
            "staff.spare_fte", "levers.training.price", "levers.fees-up.elasticity",
            "levers.training.downside"} <= paths
    assert not any(p.startswith("target.") or p.endswith(".step") for p in paths)


def test_tornado_of_an_infeasible_case_ranks_moves_that_make_it_reachable():
    raw = _tornado_case()
    raw["levers"][0]["max_units"] = 30  # 34.5 units needed: out of reach as given
    frame = tornado(raw, 0.2, workers=1)
    assert frame.attrs["base_status"] == "infeasible" and frame.attrs["base_risk"] is None
    top = frame.iloc[0]
    assert top["flips"] >= 1 and top["feasibility"].startswith("a plan when")


# ------------------------------------------------------------------ command line


def _cli(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_cli_sweep_formats_and_output(tmp_path):
    spec = "target.private_share=0.55:0.65:0.05"
    result = _cli(AURA, "--sweep", spec, "--format", "json", "-q")
    assert result.exit_code == 0  # infeasible points do not fail a sweep
    data = json.loads(result.stdout)
    assert data["kind"] == "sweep" and data["points"] == 3
    assert [r["status"] for r in data["rows"]] == ["optimal", "optimal", "infeasible"]
    assert data["rows"][1]["risk"] == pytest.approx(optimizer.solve(AURA).risk, rel=1e-6)
    csv_text = _cli(AURA, "--sweep", spec, "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("target.private_share,status,risk,private_share")
    assert len(csv_text.splitlines()) == 4
    for fmt in ("table", "markdown"):
        text = _cli(AURA, "--sweep", spec, "--format", fmt).stdout
        assert " no plan " in text and " 60% " in text and "Target private share" in text
    out = tmp_path / "sweep.csv"
    assert _cli(AURA, "--sweep", spec, "--format", "csv", "--output", str(out)).exit_code == 0
    assert out.read_text() == csv_text


def test_cli_sweep_solver_and_time_limit():
    """--solver cbc is the slow path (a CBC process per point); HiGHS otherwise."""
    spec = "target.private_share=0.58,0.6"
    cbc = json.loads(_cli(AURA, "--sweep", spec, "--solver", "cbc", "--time-limit", "30",
                          "--format", "json").stdout)
    highs = json.loads(_cli(AURA, "--sweep", spec, "--format", "json").stdout)
    assert cbc["solver"] == "cbc" and highs["solver"] == "highs"
    for a, b in zip(cbc["rows"], highs["rows"]):
        assert a["status"] == b["status"] == "optimal"
        assert a["risk"] == pytest.approx(b["risk"], rel=1e-6)


def test_cli_grid_and_set(tmp_path):
    result = _cli(AURA, "--set", "levers.training.max_units=40", "--sweep",
                  "levers.training.price=1000,1500", "--sweep", "target.private_share=0.56,0.58",
                  "--format", "csv", "--workers", "2")
    assert result.exit_code == 0
    frame = pd.read_csv(__import__("io").StringIO(result.stdout))
    assert len(frame) == 4 and frame["lever:training"].max() <= 40


@pytest.mark.parametrize("args, words", [
    (["--sweep", "target.private_shar=0.5:0.6:0.1"], "did you mean target.private_share"),
    (["--sweep", "levers.trainin.price=1,2"], "did you mean levers.training"),
    (["--sweep", "levers.training.prise=1,2"], "did you mean levers.training.price"),
    (["--sweep", "revenues.regio.amount=1,2"], "did you mean revenues.region"),
    (["--sweep", "target.private_share=0.6:0.5:0.1"], "STOP (0.5) is below START (0.6)"),
    (["--sweep", "target.private_share=0.5:1.2:0.1"], "between 0 and 1"),
    (["--sweep", "levers.cut-overheads.max_fraction=0.5,1.5"], "levers[0].max_fraction"),
    (["--sweep", "target.private_share"], "write PATH=START:STOP:STEP"),
    (["--sweep", "a=1", "--frontier"], "one sensitivity run at a time"),
    (["--sweep", "target.private_share=0.6", "--set", "target.private_share=0.5"],
     "also given by --set"),
    (["--sweep", "target.private_share=0.6", "--sweep", "target.private_share=0.5"],
     "given twice"),
    (["--tornado", "20"], "write 20%"),
    (["--tornado", "0%"], "above 0"),
    (["--tornado", "abc"], "write a percentage"),
    (["--points", "11"], "add --frontier"),
    (["--workers", "2"], "goes with --sweep"),
    (["--frontier", "--simulate", "10"], "--simulate and --seed go with a single plan"),
    (["--frontier", "--plot", "out.txt"], ".png, .svg or .pdf"),
    (["--sweep", "levers.training.enabled=true,false", "--plot", "x.png"], "not all numbers"),
    (["--sweep", "target.private_share=0.55,0.6", "--sweep", "levers.training.price=1:13:1",
      "--plot", "x.png"], "13 lines would be unreadable"),
])
def test_cli_usage_errors_exit_2(args, words):
    result = CliRunner().invoke(main, [AURA, *args])
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_cli_frontier_and_tornado(tmp_path):
    small = tmp_path / "small.json"
    small.write_text(json.dumps(_small_case()))
    result = _cli(str(small), "--frontier", "--points", "6", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["kind"] == "frontier" and len(data["points"]) == 6
    assert data["events"][-1]["event"] == "no plan beyond"
    text = _cli(str(small), "--frontier", "--points", "6").stdout
    assert "Where the plan changes shape" in text and "no plan exists" in text
    csv_text = _cli(str(small), "--frontier", "--points", "6", "--format", "csv").stdout
    assert csv_text.count("\npoint,") == 6 and "\nevent," in csv_text
    tor = tmp_path / "tornado.json"
    case_file = tmp_path / "tornado-case.json"
    case_file.write_text(json.dumps(_tornado_case()))
    assert _cli(str(case_file), "--tornado", "20%", "--format", "json", "-o", str(tor)
                ).exit_code == 0
    data = json.loads(tor.read_text())
    assert data["kind"] == "tornado" and data["change"] == 0.2
    assert data["rows"][2]["input"] == "levers.consulting.downside"
    md = _cli(str(case_file), "--tornado", "0.2", "--format", "markdown").stdout
    assert md.startswith("# Tornado of tornado case") and "no plan when raised" in md


def test_cli_plots(tmp_path):
    pytest.importorskip("matplotlib")
    small = tmp_path / "small.json"
    small.write_text(json.dumps(_small_case()))
    for args, name in [(["--frontier", "--points", "5"], "frontier.png"),
                       (["--tornado", "20%"], "tornado.svg"),
                       (["--sweep", "target.private_share=0.55:0.6:0.01", "--sweep",
                         "levers.courses.price=1500,2500"], "sweep.pdf")]:
        target = tmp_path / name
        result = _cli(str(small), *args, "--plot", str(target), "-q", "--format", "csv")
        assert result.exit_code == 0, result.output
        head = target.read_bytes()[:5]
        assert head in (b"\x89PNG\r", b"<?xml", b"%PDF-")


def test_cli_plot_without_matplotlib_says_how_to_get_it(tmp_path):
    fake = tmp_path / "matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('matplotlib is not installed')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    proc = subprocess.run([sys.executable, "-m", "cli.main", AURA, "--frontier", "--plot",
                           str(tmp_path / "f.png")], capture_output=True, text=True, env=env,
                          check=False, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install '.[plot]'" in lines[0]
    assert not (tmp_path / "f.png").exists() and proc.stdout == ""


def test_cli_sweep_json_stdout_is_clean_with_workers():
    """Worker processes and HiGHS print nothing: standard output is the JSON alone."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", AURA, "--sweep",
                           "target.private_share=0.5:0.62:0.002", "--format", "json",
                           "--workers", "2"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["points"] == 61 and proc.stderr == ""  # no progress bar: not a terminal
    risks = [r["risk"] for r in data["rows"] if r["status"] == "optimal"]
    assert risks == sorted(risks)


def test_library_examples_of_the_readme():
    case = optimizer.load_case(AURA)
    frame = optimizer.sweep(case, {"target.private_share": [0.55, 0.6, 0.65]}, workers=1)
    assert list(frame["status"]) == ["optimal", "optimal", "infeasible"]
    assert round(frame["risk"][1]) == round(optimizer.solve(case).risk)
    ev = evaluate(case, {k: frame[f"lever:{k}"][1] for k in [lv.id for lv in case.levers]})
    assert ev.risk == pytest.approx(frame["risk"][1], rel=1e-9)
    assert math.isnan(frame["risk"][2])


@pytest.mark.parametrize("objective", [{}, {"target.risk_measure": "cvar", "target.scenarios": 300}],
                         ids=["eur_at_risk", "cvar"])
def test_every_sweep_point_equals_a_single_optimize_on_each_objective(objective):
    """Issue 14, item 1: a CVaR sweep reused the plan of 0.58 at 0.6 (the shortcut "a plan
    stays optimal up to the share it reaches" holds for EUR at risk only, since the CVaR's
    loss depends on the target). Every point, on each objective, is the plan of a single
    `optimize` of that point."""
    case = optimizer.load_case(AURA).with_values(objective)
    targets = [0.58, 0.6]  # the plan of 0.58 reaches 0.6: the shortcut's trap
    frame = sweep(case, {TARGET: targets}, workers=1)
    for _, row in frame.iterrows():
        single = _single(case, **{TARGET: row[TARGET]})
        assert row["status"] == single.status.value
        assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01), row[TARGET]
        for lever, value in single.plan.items():
            assert row[f"lever:{lever}"] == pytest.approx(value, rel=1e-6, abs=1e-6), (
                row[TARGET], lever)

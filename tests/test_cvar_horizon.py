"""The CVaR objective over a path (docs/MODEL.md, "CVaR over a path"): a one-year horizon
is exactly today's one-year CVaR answer; the four-year uncertain case gives a path whose
CVaR, recomputed by arithmetic, is the solver's and no worse than the EUR-at-risk path's;
the report and the JSON carry the objective and both paths' CVaR; the draws of a year
after the first are not the first year's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import optimizer
import optimizer.report  # the renderers of results
from optimizer.analyses.cvar_horizon import path_cvar
from optimizer.analyses.horizon import solve_horizon
from optimizer.model.horizon import year_cases
from optimizer.plan.path_scenarios import path_loss, path_scenarios, year_outcomes
from optimizer.plan.scenarios import cvar

ROOT = Path(__file__).resolve().parent.parent
UNCERTAIN = ROOT / "cases" / "aura-average-2020-uncertain.json"
FOUR = ROOT / "cases" / "aura-average-2024-2027-uncertain.json"


def test_one_year_horizon_is_exactly_todays_cvar_answer() -> None:
    raw = json.loads(UNCERTAIN.read_text())
    today = optimizer.solve(raw, solver="highs")
    raw["horizon"] = {"years": [2024]}
    path = solve_horizon(raw, solver="highs")
    assert today.cvar is not None and path.cvar is not None
    assert path.status.value == today.status.value == "optimal"
    plan = {k: v for k, v in path.years[0].plan.items() if abs(v) > 1e-9}
    assert plan == {k: v for k, v in today.plan.items() if abs(v) > 1e-9}
    assert path.cvar.cvar_path.cvar_loss == pytest.approx(today.cvar.cvar_plan.cvar_loss,
                                                          rel=1e-12, abs=1e-9)
    assert path.cvar.cvar_path.risk == pytest.approx(today.cvar.cvar_plan.risk, rel=1e-12)
    assert path.cvar.eur_at_risk_path.cvar_loss == pytest.approx(
        today.cvar.eur_at_risk_plan.cvar_loss, rel=1e-12, abs=1e-9)
    assert path.cvar.eur_at_risk_path.risk == pytest.approx(today.cvar.eur_at_risk_plan.risk,
                                                            rel=1e-12)
    assert (path.cvar.alpha, path.cvar.scenarios, path.cvar.seed) == (
        today.cvar.alpha, today.cvar.scenarios, today.cvar.seed)


@pytest.fixture(scope="module")
def four_years() -> optimizer.Case:
    raw = json.loads(FOUR.read_text())
    raw["target"]["scenarios"] = 150
    return optimizer.load_case(raw)


@pytest.fixture(scope="module")
def four_result(four_years: optimizer.Case):
    return solve_horizon(four_years, solver="highs")


def test_four_year_cvar_path_is_rechecked_and_beats_the_eur_at_risk_path(
        four_years, four_result) -> None:
    r = four_result
    assert r.status.value == "optimal" and r.cvar is not None
    cases = year_cases(four_years)
    path = [dict(y.plan) for y in r.years]
    assert path_cvar(four_years, cases, path) == pytest.approx(r.cvar.cvar_path.cvar_loss,
                                                               rel=1e-9)
    assert r.cvar.cvar_path.cvar_loss <= r.cvar.eur_at_risk_path.cvar_loss + 1e-6
    assert r.cvar.cvar_path.risk >= r.cvar.eur_at_risk_path.risk - 1e-6
    # every nominal row of every year still holds (the CVaR replaces only the objective)
    for y in r.years:
        assert y.evaluation.private_share >= y.target - 1e-9
        assert y.evaluation.result >= -1e-6
        assert y.reserves_after >= 375_000 - 1e-6


def test_cvar_path_report_and_json_carry_the_objective(four_result) -> None:
    r = four_result
    data = json.loads(r.report("json"))
    block = data["cvar"]
    assert block["objective"] == "cvar" and block["alpha"] == 0.95
    assert block["scenarios"] == 150 and block["seed"] == 1
    assert block["cvar_path"]["cvar_loss"] == pytest.approx(r.cvar.cvar_path.cvar_loss)
    assert block["eur_at_risk_path"]["cvar_loss"] == pytest.approx(
        r.cvar.eur_at_risk_path.cvar_loss)
    assert set(block["cvar_path"]["levers"]) == {"2024", "2025", "2026", "2027"}
    assert data["outlook"]["robust_path"] is None
    text = r.report("table")
    assert "the path of least CVaR 95% of the loss" in text
    assert "in the worst 5% of 150 drawn runs of the years" in text
    assert "The path of least EUR at risk puts" in text
    cvar_k = f"{r.cvar.cvar_path.cvar_loss / 1000:,.1f} k EUR"
    assert cvar_k in text


def test_each_year_has_its_own_draws(four_years) -> None:
    cases = year_cases(four_years)
    scs = path_scenarios(cases, 500, 1)
    first, second = scs[0].factor["training"], scs[1].factor["training"]
    assert not np.allclose(first, second)
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.2


def test_path_loss_sums_each_years_loss_with_the_discount(four_years) -> None:
    """A path of no lever at all: each year's loss is the largest of the budget's, the
    target's and the reserves' shortfall, the path's their discounted sum."""
    raw = four_years.model_dump(mode="json", exclude_unset=True)
    raw["horizon"]["discount"] = 0.1
    case = optimizer.load_case(raw)
    cases = year_cases(case)
    path = [{} for _ in cases]
    scs = path_scenarios(cases, 300, 4)
    total = path_loss(case, cases, path, scs)
    held = np.full(300, 450_000.0)
    expected = np.zeros(300)
    for k, ycase in enumerate(cases):
        out = year_outcomes(cases, path, k, scs[k])
        held = held + out.result
        t = raw["horizon"]["targets"][k]
        year = np.maximum.reduce([np.zeros(300), -out.result, t * out.revenues - out.private,
                                  375_000 - held])
        expected = expected + 1.1 ** -k * year
    assert np.allclose(total, expected)
    assert (expected > 0).all() and cvar(total, 0.95) > expected.mean()


def test_cli_prints_the_cvar_path_as_json() -> None:
    proc = subprocess.run([sys.executable, "-m", "cli.main", str(FOUR), "--set",
                           "target.scenarios=60", "--format", "json"], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["cvar"]["scenarios"] == 60
    assert data["summary"][0].startswith("To raise the private share from 50.0% today to "
                                         "60.0% by 2027 (2024-2027), the path of least CVaR")


def test_sweep_and_frontier_of_a_cvar_path_are_refused_by_field() -> None:
    for args in (["--frontier"], ["--sweep", "horizon.targets.3=0.6,0.61"]):
        proc = subprocess.run([sys.executable, "-m", "cli.main", str(FOUR), *args],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        assert proc.returncode == 2
        assert proc.stderr.startswith("error: target.risk_measure: a sweep or frontier of a "
                                      "path with the CVaR objective is not supported yet")
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_discounted_cvar_path_says_so_and_weighs_its_years() -> None:
    raw = json.loads(FOUR.read_text())
    raw["target"]["scenarios"] = 30
    raw["horizon"]["discount"] = 0.05
    r = solve_horizon(raw, solver="highs", outlook=False)
    assert r.cvar is not None
    assert "weigh 1 / (1 + 5.0%)^k in both paths' figures" in r.report("table")
    assert r.cvar.cvar_path.risk == pytest.approx(
        sum(1.05 ** -k * y.evaluation.risk for k, y in enumerate(r.years)))

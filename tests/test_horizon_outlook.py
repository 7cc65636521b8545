"""Issue 11, third part: the honest report of a path (docs/MODEL.md, "Horizon", "Honest
reports of a path") and robust paths (the highest share a robust path keeps, the robust
rows of a path rechecked by arithmetic)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from optimizer.analyses.horizon import solve_horizon
from optimizer.analyses.horizon_outlook import OUTLOOK_SCENARIOS, OUTLOOK_SEED
from optimizer.analyses.horizon_simulate import simulate_horizon
from optimizer.analyses.horizon_sweep import frontier_horizon
from optimizer.case.load import load_case
from optimizer.errors import CaseError
from optimizer.model.horizon import year_cases
from optimizer.plan.path import year_robust_margins, year_robust_share
from tests.test_horizon import tiny_case, with_eu_line

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "aura-average-2024-2027.json"


@pytest.fixture(scope="module")
def bundled():
    return solve_horizon(str(CASE), solver="highs")


def test_outlook_counts_the_runs_of_the_simulation(bundled):
    """The outlook is the --simulate draws (seed 1, 10,000 runs) counted run by run: every
    target, every result floor, the reserves every year, and all at once."""
    o = bundled.outlook
    assert o is not None and (o.scenarios, o.seed) == (OUTLOOK_SCENARIOS, OUTLOOK_SEED)
    sim = simulate_horizon(bundled, OUTLOOK_SCENARIOS, OUTLOOK_SEED)
    assert o.p_every_target == sim.p_every_target
    assert o.p_reserves_always_ok == sim.p_reserves_always_ok
    every = np.ones(sim.n, dtype=bool)
    for k, y in enumerate(sim.years):
        every &= y.target_met & y.result_ok & sim.reserves_ok(k)
        assert o.years[k].p_target_met == pytest.approx(float(y.target_met.mean()))
    assert o.p_all == pytest.approx(float(every.mean()))
    # The bundled path sits on its targets: it holds rarely, and the report says so.
    assert o.low and o.p_all < 0.1


def test_outlook_robust_check_is_one_solve_of_the_safer_case(bundled):
    """The advice's claim (a robust path exists or not) is the status of the case solved
    with target.robust one higher."""
    r = bundled.outlook.robust
    assert r is not None and r.level == 1
    raw = json.loads(CASE.read_text())
    raw["target"]["robust"] = 1
    safer = solve_horizon(raw, solver="highs", explain=False, outlook=False)
    assert r.exists == (safer.status.value == "optimal")
    if r.exists:
        assert r.risk == pytest.approx(safer.risk, rel=1e-6)
    advice = bundled.advice()
    assert advice is not None and "target.robust" in advice
    assert ("No path at these targets" in advice) == (not r.exists)


def test_every_path_report_carries_the_outlook(bundled):
    data = json.loads(bundled.report("json"))
    assert data["outlook"]["scenarios"] == OUTLOOK_SCENARIOS
    assert data["outlook"]["advice"] == bundled.advice()
    assert [y["year"] for y in data["outlook"]["years"]] == [2024, 2025, 2026, 2027]
    for fmt in ("table", "markdown"):
        text = bundled.report(fmt)
        assert "Outlook: " in text and "Reserves above the floor each year: 2024" in text
        assert bundled.advice() in text


def test_a_path_that_holds_has_no_advice():
    """Targets at today's share: no lever is needed, the path holds in every run."""
    raw = with_eu_line(tiny_case(random.Random(3), 2))
    raw["horizon"]["targets"] = [0.3, 0.3]
    raw["target"]["private_share"] = 0.3
    raw["target"]["min_result"] = -1e6
    raw["horizon"]["reserves"] = 1e6
    result = solve_horizon(raw, solver="highs")
    assert result.ok and result.outlook is not None
    assert result.outlook.p_all == 1.0 and not result.outlook.low
    assert result.outlook.robust is None and result.advice() is None
    assert json.loads(result.report("json"))["outlook"]["advice"] is None


def robust_tiny(seed: int) -> dict:
    raw = with_eu_line(tiny_case(random.Random(500 + seed), 2))
    raw["target"]["robust"] = 1
    # The first year asks for today's share (rounded down): the earlier years are met
    # and the final year's target is what the frontier moves.
    rev = raw["revenues"]
    today = sum(r["amount"] for r in rev if not r["public"]) / sum(r["amount"] for r in rev)
    raw["horizon"]["targets"][0] = int(today * 1000) / 1000
    return raw


@pytest.mark.parametrize("seed", range(6))
def test_robust_frontier_top_is_reachable_and_the_top(seed):
    """The frontier's top respects target.robust: a robust path reaches it, and none
    reaches a point above it (each checked by a whole solve)."""
    raw = robust_tiny(seed)
    case = load_case(raw)
    try:
        sweep = frontier_horizon(case, points=2, solver="highs")
    except CaseError as exc:  # no path meets the earlier years' targets: nothing to test
        assert "--frontier" in str(exc)
        return
    top = sweep.points[-1]
    assert top.status.value == "optimal"
    above = json.loads(json.dumps(raw))
    above["horizon"]["targets"][-1] = float(top.value) + 2e-4
    assert solve_horizon(above, solver="highs", explain=False,
                         outlook=False).status.value == "infeasible"


def test_robust_paths_are_rechecked_by_arithmetic(bundled):
    """The bundled path sits on its targets: by arithmetic, one lever in its low case
    breaks a year's share row (the recheck can fail); a robust path's rows hold."""
    raw = json.loads(CASE.read_text())
    raw["target"]["robust"] = 1
    cases = year_cases(load_case(raw))
    path = [y.plan for y in bundled.years]
    margins = [year_robust_margins(cases[k], path, k, len(cases))[0] for k in range(4)]
    assert min(margins) < -1000
    assert all(year_robust_share(cases[k], path, k, 4) < bundled.years[k].target
               for k in range(1, 4))
    for seed in range(6):
        robust = solve_horizon(robust_tiny(seed), solver="highs", explain=False,
                               outlook=False)
        if not robust.ok:
            continue
        ycases = [y.case for y in robust.years]
        rpath = [y.plan for y in robust.years]
        for k, y in enumerate(robust.years):
            share, result = year_robust_margins(ycases[k], rpath, k, len(ycases))
            assert share >= -1e-3 and result >= -1e-3
            assert year_robust_share(ycases[k], rpath, k, len(ycases)) >= y.target - 1e-9


def test_cli_prints_the_outlook(tmp_path):
    out = CliRunner().invoke(main, [str(CASE), "--format", "markdown"])
    assert out.exit_code == 0, out.output
    assert "- Outlook: " in out.output and "target.robust" in out.output

"""Horizon extras (issue 11, second part): what each lever adds to a year's share, the
path in drawn years, sweeps and frontier of a path, the CLI's --plot/--simulate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from optimizer.analyses.horizon import solve_horizon
from optimizer.analyses.horizon_simulate import simulate_horizon
from optimizer.analyses.horizon_sweep import sweep_horizon
from optimizer.case.load import load_case

ROOT = Path(__file__).resolve().parent.parent
CASE = str(ROOT / "cases" / "aura-average-2024-2027.json")


@pytest.fixture(scope="module")
def path_result():
    return solve_horizon(CASE, solver="highs", explain=False)


def test_share_points_sum_to_the_share_change(path_result):
    """Each lever's part of the share sums to after - before, in every year."""
    for y in path_result.years:
        parts = y.share_points()
        assert sum(parts.values()) == pytest.approx(
            y.evaluation.private_share - y.before.private_share, abs=1e-12)
        assert any(abs(v) > 1e-6 for v in parts.values())


def test_simulated_reserves_carry_each_drawn_result(path_result):
    """Reserves at the end of year k = the starting reserves + the drawn results up to k,
    run by run; the same seed gives the same draws; the plan's own figures lie within
    the drawn range of each year's share."""
    sim = simulate_horizon(path_result, 2000, seed=3)
    again = simulate_horizon(path_result, 2000, seed=3)
    held = np.full(2000, float(path_result.case.horizon.reserves))
    for y, y2 in zip(sim.years, again.years):
        held = held + y.result
        np.testing.assert_allclose(y.reserves, held)
        np.testing.assert_array_equal(y.share, y2.share)
    for y, planned in zip(sim.years, path_result.years):
        assert y.share.min() <= planned.evaluation.private_share + 1e-9
    rows = sim.year_rows()
    assert [r["year"] for r in rows] == [y.year for y in path_result.years]
    assert all(0 <= r["p_target_met"] <= 1 for r in rows)


def test_sweep_points_are_whole_paths():
    """A sweep point is the path of the case with that value set (solved on its own)."""
    case = load_case(CASE)
    sweep = sweep_horizon(case, "horizon.targets.3", [0.59, 0.6])
    for point in sweep.points:
        raw = json.loads(Path(CASE).read_text())
        raw["horizon"]["targets"][3] = point.value
        direct = solve_horizon(raw, explain=False)
        assert point.risk == pytest.approx(direct.risk, rel=1e-6)
        assert point.final_share >= point.value - 1e-9
    assert sweep.points[0].risk <= sweep.points[1].risk + 1e-6


def test_cli_plot_and_simulate(tmp_path):
    png = tmp_path / "path.png"
    out = CliRunner().invoke(main, [CASE, "--simulate", "500", "--plot", str(png),
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["simulation"]["n"] == 500 and len(data["simulation"]["years"]) == 4
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_horizon_refusals():
    bad = CliRunner().invoke(main, [CASE, "--tornado", "20%"])
    assert bad.exit_code == 2 and "horizon" in bad.output
    two = CliRunner().invoke(main, [CASE, "--sweep", "horizon.targets.3=0.6",
                                    "--sweep", "horizon.targets.2=0.58"])
    assert two.exit_code == 2 and "one --sweep" in two.output

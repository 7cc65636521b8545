"""Sensitivity runs on a region (issue 10): --frontier, --sweep and --tornado on region files.

Every frontier point is checked against an independent `solve_region` of the region with
that envelope amount given by --set (a separate load and solve); the exact figures (the
smallest envelope, the amount reached at no extra risk) and every entry point are checked
on both sides; the least total risk never falls as the envelope falls.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from pathlib import Path

import pulp
import pytest
from click.testing import CliRunner

from cli.main import main
from optimizer.analyses.region import solve_region
from optimizer.analyses.region_frontier import region_frontier, region_sweep, region_tornado
from optimizer.case.region import load_region
from optimizer.model.region import build_region_model
from optimizer.solvers.bounded import run_bounded
from optimizer.status import Status

ROOT = Path(__file__).resolve().parent.parent
SMALL = str(ROOT / "cases" / "aura-region-small" / "region.json")
THREE = str(ROOT / "tests" / "data" / "region" / "three.json")
AMOUNT = "envelopes.region.amount"
REL = 1e-6


def _close(a: float, b: float, rel: float = 1e-5, abs_: float = 0.05) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def _solve_at(amount: float):
    """The region solved on its own with --set envelopes.region.amount=amount."""
    return solve_region(load_region(SMALL, {AMOUNT: amount}), time_limit=60, explain=False)


def _least_cut(amount: float, cluster: str, total_risk: float) -> float:
    """Written here from the contract, not read from the frontier's code: the least cut of
    one cluster among the splits with the envelope at amount and total risk at most
    total_risk (every least-risk split cuts it at least this much)."""
    region = load_region(SMALL, {AMOUNT: amount})
    rm = build_region_model(region)
    rm.prob += rm.risk <= total_risk * (1 + REL) + 1e-3, "cap"
    rm.prob.setObjective(rm.cuts[cluster]["region"])
    run = run_bounded(rm.prob, 60)
    assert run.outcome.status is Status.OPTIMAL
    return float(run.bound if run.bound is not None else pulp.value(rm.cuts[cluster]["region"]))


@pytest.fixture(scope="module")
def frontier():
    return region_frontier(SMALL, points=4, time_limit=60)


def test_frontier_runs_from_todays_total_to_the_exact_minimum(frontier):
    """The top is the clusters' lines today; the bottom the least after-amount under every
    other row; an amount 100 EUR below it has no split, the bottom point has one."""
    env = frontier.envelopes[0]
    region = load_region(SMALL)
    today = sum(region.case_of(c).revenue(line).amount for c, line in
                region.spec.envelopes[0].lines.items())
    assert env.today == pytest.approx(today)
    assert env.points[0].amount == pytest.approx(today)
    assert env.minimum is not None and env.minimum_proven
    assert env.grid[-1].amount == pytest.approx(math.ceil(env.minimum - 1e-6))
    assert env.grid[-1].has_plan
    below = _solve_at(env.minimum - 100)
    assert below.status is Status.INFEASIBLE
    assert frontier.status is Status.OPTIMAL


def test_every_frontier_point_matches_an_independent_solve(frontier):
    """Each point (grid and located) equals solve_region with the amount given by --set."""
    env = frontier.envelopes[0]
    for p in env.points:
        alone = _solve_at(p.amount)
        assert alone.status is p.status
        assert _close(alone.total_risk, p.total_risk), (p.amount, alone.total_risk,
                                                         p.total_risk)
        after = next(s.after for s in alone.envelopes_split if s.id == "region")
        assert after <= p.amount + 1e-3
        assert p.after <= p.amount + 1e-3


def test_least_total_risk_never_falls_as_the_envelope_falls(frontier):
    pts = [p for p in frontier.envelopes[0].points if p.has_plan]
    for higher, lower in itertools.pairwise(pts):
        assert higher.amount > lower.amount
        assert lower.total_risk >= higher.total_risk * (1 - REL) - 1e-3


def test_no_extra_risk_down_to_free_until_and_more_below(frontier):
    """At free_until the least total risk is today's; a resolution step below, more."""
    env = frontier.envelopes[0]
    top = env.points[0].total_risk
    assert env.free_until is not None and env.free_until < env.today
    at = _solve_at(math.ceil(env.free_until))
    assert _close(at.total_risk, top)
    below = _solve_at(env.free_until - env.resolution)
    assert below.total_risk > top + 1.0


def test_entry_points_hold_on_both_sides(frontier):
    """Where every least-risk split cuts a cluster (by its maximum): at `below` the least
    cut among the splits of the least total risk says so, at `above` it does not."""
    env = frontier.envelopes[0]
    checked = 0
    for e in env.entries:
        for t, state in ((e.cut, lambda v: v > 1.0),
                         (e.full, lambda v, m=e.max_cut: v >= m - 1.0)):
            if t.below is None:
                continue
            risk = _solve_at(t.below).total_risk
            assert state(_least_cut(t.below, e.cluster, risk)), (e.cluster, t)
            if t.above is None:
                assert t.below == pytest.approx(env.today)
                continue
            assert t.above - t.below <= env.resolution + 1e-6
            risk = _solve_at(t.above).total_risk
            assert not state(_least_cut(t.above, e.cluster, risk)), (e.cluster, t)
            checked += 1
    assert checked >= 1  # at least one entry point inside the frontier was located


def test_frontier_cli_formats_and_plot(tmp_path, frontier):
    """--frontier on a region file: json and csv carry the points and entry points, the
    table says the exact figures, --plot writes the image; exit 0."""
    runner = CliRunner()
    out = runner.invoke(main, [SMALL, "--frontier", "--points", "3", "-q", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    env = data["envelopes"][0]
    assert env["id"] == "region" and env["points"][0]["amount"] == pytest.approx(2054667)
    assert {c["id"] for c in env["clusters"]} == {"axelera", "digital-league",
                                                   "cluster-montagne", "outdoor-sports-valley"}
    assert env["minimum"] == pytest.approx(frontier.envelopes[0].minimum, abs=0.01)
    grid = [p for p in env["points"] if p["grid"]]
    assert len(grid) == 3
    text = runner.invoke(main, [SMALL, "--frontier", "--points", "3", "-q"]).stdout
    assert "The smallest envelope the clusters can absorb: 1,027.3 k EUR (exact)" in text
    assert "no extra EUR at risk" in text
    png = tmp_path / "frontier.png"
    rows = runner.invoke(main, [SMALL, "--frontier", "--points", "3", "-q", "--format", "csv",
                                "--plot", str(png)])
    assert rows.exit_code == 0, rows.output
    table = list(csv.DictReader(io.StringIO(rows.stdout)))
    assert {r["section"] for r in table} == {"point", "cluster"}
    assert png.stat().st_size > 10_000


def test_sweep_of_region_paths_matches_independent_solves():
    """--sweep on an envelope amount and a cluster's target (a percentage): each row is the
    region solved with those --set values."""
    runs = region_sweep(THREE, [(AMOUNT, [1_000_000, 988_500]),
                                ("clusters.axelera.target.private_share", [0.55, 0.56])], 60)
    assert len(runs.frame) == 4
    for row in runs.frame.to_dict("records"):
        alone = solve_region(load_region(THREE, {
            AMOUNT: row[AMOUNT],
            "clusters.axelera.target.private_share": row["clusters.axelera.target.private_share"]}),
            time_limit=60, explain=False)
        assert row["status"] == alone.status.value
        if alone.total_risk is None:
            assert row["total_risk"] is None or math.isnan(row["total_risk"])
        else:
            assert _close(row["total_risk"], alone.total_risk)
    cli = CliRunner().invoke(main, [THREE, "--sweep", "member_pool=40,60", "-q",
                                    "--format", "json"])
    assert cli.exit_code == 0, cli.output
    rows = json.loads(cli.stdout)["rows"]
    assert [r["member_pool"] for r in rows] == [40, 60]
    assert rows[0]["total_risk"] >= rows[1]["total_risk"] - 1e-3  # a smaller pool costs


def test_tornado_rows_match_independent_solves():
    inputs = ["member_pool", "clusters.axelera.members"]
    runs = region_tornado(THREE, 0.2, 60, inputs=inputs)
    assert set(runs.frame["input"]) == set(inputs)
    for row in runs.frame.to_dict("records"):
        whole = row["input"] in inputs
        for side in ("low", "high"):
            value = int(row[side]) if whole else row[side]
            alone = solve_region(load_region(THREE, {row["input"]: value}), time_limit=60,
                                 explain=False)
            if alone.total_risk is None:
                assert row[f"{side}_risk"] is None or math.isnan(row[f"{side}_risk"])
            else:
                assert _close(row[f"{side}_risk"], alone.total_risk)


@pytest.mark.parametrize("args, words", [
    (["--sweep", "clusters.nope.members=1,2"], "no cluster 'nope'"),
    (["--sweep", "member_pool=40,60", "--plot", "x.png"], "--plot"),
    (["--frontier", "--tornado", "20%"], "one sensitivity run at a time"),
    (["--tornado", "abc"], "--tornado abc"),
])
def test_bad_region_sensitivity_options_exit_2(args, words, tmp_path):
    out = CliRunner().invoke(main, [THREE, *args, "-q"])
    assert out.exit_code == 2, out.output
    assert words in out.output
    assert "Traceback" not in out.output


def test_frontier_needs_an_envelope(tmp_path):
    raw = json.loads(Path(THREE).read_text())
    raw["envelopes"] = []
    for c in raw["clusters"]:
        c["case"] = str((Path(THREE).parent / c["case"]).resolve())
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(raw))
    out = CliRunner().invoke(main, [str(path), "--frontier", "-q"])
    assert out.exit_code == 2
    assert "no envelope" in out.output


def test_unproven_points_take_a_lower_amounts_better_split_and_a_higher_bound():
    """A split found at a lower amount is feasible at a higher one; a bound proven at a
    higher amount holds at a lower one: time-limited points are made consistent."""
    from types import MappingProxyType

    from optimizer.analyses.region_frontier import consistent_points
    from optimizer.results.region_frontier import FrontierPoint

    def point(amount, risk, bound, status=Status.TIME_LIMIT):
        return FrontierPoint(amount, status, risk, (risk - bound) / risk, bound, amount,
                             MappingProxyType({"a": 3 * amount}), MappingProxyType({"a": risk}))

    a, b, c = point(300.0, 10.0, 5.0), point(200.0, 12.0, 8.0), point(100.0, 9.0, 6.0)
    fixed = consistent_points([a, b, c])
    assert [p.total_risk for p in fixed] == [9.0, 9.0, 9.0]
    assert [p.split_from for p in fixed] == [100.0, 100.0, None]
    assert [p.bound for p in fixed] == [5.0, 8.0, 8.0]
    assert fixed[1].gap == pytest.approx(1 / 9)
    assert fixed[0].cuts == {"a": 300.0} and fixed[0].after == 100.0
    proven = point(300.0, 10.0, 10.0, Status.OPTIMAL)
    assert consistent_points([proven, c])[0] is proven


@pytest.mark.parametrize("args", [["--frontier"], ["--sweep", "member_pool=40,60"],
                                  ["--tornado", "20%"]])
def test_a_region_over_several_years_is_refused(args):
    """The runs solve today's region: a region with a horizon says so, exit 2, no solve."""
    path = str(ROOT / "cases" / "aura-region" / "region-2024-2027.json")
    out = CliRunner().invoke(main, [path, *args, "-q"])
    assert out.exit_code == 2, out.output
    assert "not available for a region with a horizon" in out.output

"""A region file with a horizon (issue 11, last part; docs/MODEL.md, "Region horizon"):
a one-year region horizon is exactly today's region answer, the yearly figures add up, bad
input is named by file and field (exit 2), an envelope out of reach names its first year
(exit 3), and the formats. The independent check of the optimum is
tests/test_region_horizon_check.py.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from tests.test_region_check import random_region
from tests.test_region_horizon_check import random_region as random_region_horizon

YEARS = [2024, 2025]


def one_year(region: dict) -> dict:
    """The same region with a one-year horizon on the region and on every case."""
    out = copy.deepcopy(region)
    out["horizon"] = {"years": [2024]}
    for c in out["clusters"]:
        c["case"]["horizon"] = {"years": [2024]}
    return out


def hand_region(amount) -> dict:
    """Two clusters of 200k (grant 100k, fees 60k, services 40k) at 50 % private; a fee
    increase of 0 or 10 % gives up to 2.7k of grant a year at 810 EUR at risk."""
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 200_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1, "elasticity": 0.5}],
            "horizon": {"years": YEARS}}
    return {"name": "hand", "horizon": {"years": YEARS},
            "clusters": [{"id": "a", "case": case}, {"id": "b", "case": copy.deepcopy(case)}],
            "envelopes": [{"id": "region", "label": "Regional council", "amount": amount,
                           "lines": {"a": "grant", "b": "grant"}, "max_cut_fraction": 0.3}]}


@pytest.mark.parametrize("seed", range(12))
def test_a_one_year_region_horizon_is_todays_region(seed):
    """On random regions of issue 10's check, the same region with a one-year horizon (on
    the file and every case) has the same status and least total EUR at risk."""
    region = random_region(random.Random(1_000 + seed))
    today = optimizer.solve_region(region, explain=False)
    path = optimizer.solve_region_horizon(one_year(region), explain=False)
    assert path.status == today.status
    if today.total_risk is None:
        assert path.total_risk is None
    else:
        assert path.total_risk == pytest.approx(today.total_risk, rel=1e-6, abs=1e-6)
        for env, year in zip(today.envelopes_split, path.years[0].envelopes):
            assert year.after <= env.amount + 1e-3


def test_solve_region_points_a_region_horizon_to_its_solver():
    """optimizer.solve_region on a region with a horizon says which function solves it."""
    with pytest.raises(optimizer.CaseError, match="optimizer.solve_region_horizon"):
        optimizer.solve_region(hand_region([197_300, 194_600]), explain=False)


def test_yearly_figures_add_up():
    """Worked by hand: 2024 needs 2.7k of cuts (one increase), 2025 needs 5.4k (both); the
    cut of a never falls back, so the least total risk is 810 + 2 x 810 = 2,430, and each
    year's envelope after the plan is today's lines minus that year's cuts."""
    result = optimizer.solve_region_horizon(hand_region([197_300, 194_600]), explain=False)
    assert result.status.value == "optimal" and result.proven_optimal
    assert result.total_risk == pytest.approx(2_430.0)
    for k, y in enumerate(result.years):
        cuts = sum(p.cuts["region"][k] for p in result.parts)
        assert y.envelopes[0].after == pytest.approx(200_000 - cuts)
        assert y.envelopes[0].after <= y.envelopes[0].amount + 1e-3
        assert y.risk == pytest.approx(sum(p.result.years[k].evaluation.risk
                                           for p in result.parts))
    for p in result.parts:
        assert p.cuts["region"][1] >= p.cuts["region"][0] - 1e-6  # a cut stays
        for k, y in enumerate(p.result.years):  # the part's year case has the cut line
            assert y.case.revenue("grant").amount == pytest.approx(
                100_000 - p.cuts["region"][k])
    data = json.loads(result.report("json"))
    assert data["total_risk"] == pytest.approx(2_430.0)
    assert [y["year"] for y in data["years"]] == YEARS
    assert data["clusters"][0]["grant"]["region"]["after"][1] == pytest.approx(
        100_000 - result.parts[0].cuts["region"][1], abs=1e-5)
    assert data["clusters"][0]["result"]["years"][0]["year"] == 2024
    assert "path" in data["clusters"][0] and data["summary"]


def test_the_member_pool_counts_recruits_over_the_horizon():
    """With churn 0.5, keeping 2 recruits in 2025 after 2 in 2024 recruits 3 companies:
    the pool row counts n_0 + (n_1 - 0.5 n_0), not the recruits present at the end."""
    region = random_region_horizon(random.Random(5))
    for c in region["clusters"]:
        c["case"]["levers"] = [
            {"id": "recruit", "type": "new_members", "max_new": 2, "churn": 0.5,
             "downside": 0.0}]
        c["case"]["horizon"]["targets"] = [0.01, 0.01]
        c["case"]["target"] = {"private_share": 0.01, "min_result": -1e6,
                               "min_members": c["case"]["members"] + 2}
    region["envelopes"] = []
    region["member_pool"] = 5
    assert optimizer.solve_region_horizon(region, explain=False).status.value == "infeasible"
    region["member_pool"] = 6
    result = optimizer.solve_region_horizon(region, explain=False)
    assert result.status.value == "optimal"
    assert result.recruited == pytest.approx(6.0)


def _write(tmp_path: Path, raw: dict, name: str = "region.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return str(path)


def test_cli_infeasible_names_the_first_year_and_the_smallest_envelope(tmp_path):
    """2024 can be met (2.7k of cuts) but 2025 asks for 5.5k of the 5.4k the two clusters
    can give: exit 3, first year 2025, least envelope 194,600 EUR, in words."""
    path = _write(tmp_path, hand_region([197_300, 194_500]))
    out = CliRunner().invoke(main, [path, "--format", "json"])
    assert out.exit_code == 3, out.output
    d = json.loads(out.output)["diagnosis"]
    assert d["first_year"] == 2025
    assert d["min_envelope"]["region"] == pytest.approx(194_600.0, abs=1e-3)
    out = CliRunner().invoke(main, [path])
    assert out.exit_code == 3
    assert "The first year out of reach is 2025" in out.output
    assert "194.6 k EUR" in out.output or "194,600" in out.output


def test_cli_formats(tmp_path):
    """table and markdown show the envelope and each cluster's grant year by year; csv has
    a row per year, envelope and cluster; html and xlsx are refused with exit 2."""
    path = _write(tmp_path, hand_region([197_300, 194_600]))
    out = CliRunner().invoke(main, [path, "--format", "markdown"])
    assert out.exit_code == 0, out.output
    assert "## Envelopes year by year (EUR)" in out.output
    assert "| Regional council: after the plan" in out.output
    assert "Raise fee by 10% in 2024" in out.output  # a's path, in the words of a path
    out = CliRunner().invoke(main, [path, "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert {r["year"] for r in rows if r["section"] == "envelope"} == {"2024", "2025"}
    assert sum(r["section"] == "cut" for r in rows) == 4
    for fmt in ("html", "xlsx"):
        out = CliRunner().invoke(main, [path, "--format", fmt, "--output",
                                        str(tmp_path / f"x.{fmt}")])
        assert out.exit_code == 2, out.output
        assert "region" in out.output and fmt in out.output
        assert not (tmp_path / f"x.{fmt}").exists()


@pytest.mark.parametrize("change, words", [
    (lambda r: r.pop("horizon"),
     ("envelopes[0].amount: a list of amounts (one per year) needs the region's horizon")),
    (lambda r: r["envelopes"][0].update(amount=[197_000]),
     ("envelopes[0].amount: one amount per year of horizon.years (2 years)")),
    (lambda r: r["envelopes"][0].update(amount=[197_000, 200_001]),
     "envelopes[0].amount[1]: 200,001 is above what the clusters receive from it today"),
    (lambda r: r["clusters"][1]["case"].pop("horizon"),
     ("clusters[1].case.horizon: the region has a horizon ([2024, 2025]) but the case of b "
      "has none")),
    (lambda r: r["clusters"][0]["case"]["horizon"].update(years=[2025, 2026]),
     ("clusters[0].case.horizon.years: [2025, 2026] for a, but the region's horizon is "
      "[2024, 2025]")),
    (lambda r: r["horizon"].update(years=[2024, 2026]),
     "horizon.years[1]: the years must be consecutive"),
    (lambda r: r.update(objective="fairest"), "objective: only \"total_risk\""),
])
def test_bad_region_horizons_exit_2_naming_the_field(tmp_path, change, words):
    raw = hand_region([197_300, 194_600])
    change(raw)
    out_file = tmp_path / "out.json"
    out = CliRunner().invoke(main, [_write(tmp_path, raw), "--output", str(out_file)])
    assert out.exit_code == 2, out.output
    assert words in out.output
    assert "Traceback" not in out.output
    assert not out_file.exists()


def test_a_case_with_a_horizon_in_a_region_without_one_is_refused(tmp_path):
    raw = hand_region(197_300)
    raw.pop("horizon")
    out = CliRunner().invoke(main, [_write(tmp_path, raw)])
    assert out.exit_code == 2, out.output
    assert "clusters[0].case.horizon: the case of a has a horizon but the region file has " \
           "none" in out.output


def test_the_region_may_give_each_clusters_horizon(tmp_path):
    """clusters[i].horizon sets the case's horizon: the same answer as the case's own."""
    raw = hand_region([197_300, 194_600])
    for c in raw["clusters"]:
        c["horizon"] = c["case"].pop("horizon")
    given = optimizer.solve_region_horizon(raw, explain=False)
    assert given.total_risk == pytest.approx(2_430.0)


def test_bundled_region_horizon_loads():
    """cases/aura-region/region-2024-2027.json: a region horizon over four years, its
    envelope falling year by year, every case on the same years."""
    path = Path(__file__).resolve().parent.parent / "cases" / "aura-region" / \
        "region-2024-2027.json"
    region = optimizer.load_region(path)
    spec = region.spec
    assert spec.horizon is not None and spec.horizon.years == [2024, 2025, 2026, 2027]
    amounts = [spec.envelopes[0].amount_in(k) for k in range(4)]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] > amounts[-1]
    assert all(c.horizon is not None and c.horizon.years == spec.horizon.years
               for c in region.cases)


def test_set_reaches_one_year_of_an_envelope(tmp_path):
    """--set envelopes.region.amount.1 changes 2025's amount only: 194,500 is out of reach."""
    path = _write(tmp_path, hand_region([197_300, 194_600]))
    out = CliRunner().invoke(main, [path, "--set", "envelopes.region.amount.1=194500",
                                    "--format", "json"])
    assert out.exit_code == 3, out.output
    d = json.loads(out.output)["diagnosis"]
    assert d["first_year"] == 2025 and d["amounts"]["region"] == 194_500


def test_a_cluster_whose_own_path_fails_is_named(tmp_path):
    """A result floor of +5,000 that cluster a cannot reach at any cut: no first year, and
    a is named as failing on its own."""
    path = _write(tmp_path, hand_region([197_300, 194_600]))
    out = CliRunner().invoke(main, [path, "--set", "clusters.a.target.min_result=5000",
                                    "--format", "json"])
    assert out.exit_code == 3, out.output
    d = json.loads(out.output)["diagnosis"]
    assert d["first_year"] is None and d["failing"] == ["a"]


def test_bundled_region_horizon_solves_as_the_readme_says():
    """The README's example: proven optimal, every year's envelope met, every cut within
    its 30 % and never falling, each cluster on its yearly targets."""
    path = Path(__file__).resolve().parent.parent / "cases" / "aura-region" / \
        "region-2024-2027.json"
    result = optimizer.solve_region_horizon(path, explain=False)
    assert result.status.value == "optimal" and result.proven_optimal
    for y in result.years:
        assert y.envelopes[0].after <= y.envelopes[0].amount + 1e-3
    for p in result.parts:
        cuts = p.cuts["region"]
        assert all(b >= a - 1e-6 for a, b in itertools.pairwise(cuts))
        assert max(cuts) <= 0.3 * p.lines["region"][1] + 1e-6
        for y in p.result.years:
            assert y.evaluation.private_share >= y.target - 1e-9
    assert result.total_risk == pytest.approx(sum(p.risk for p in result.parts))


def test_a_one_year_horizon_of_three_bundled_clusters_is_todays_region():
    """tests/data/region/three.json (Axelera, Digital League, Cluster Montagne, the pool and
    the region share) with a one-year horizon given in the region file: the same least
    total EUR at risk as the one-year region, to 1e-6."""
    folder = Path(__file__).parent / "data" / "region"
    raw = json.loads((folder / "three.json").read_text())
    today = optimizer.solve_region(optimizer.load_region(folder / "three.json"),
                                   explain=False)
    raw["horizon"] = {"years": [2024]}
    for c in raw["clusters"]:
        c["horizon"] = {"years": [2024]}
    path = optimizer.solve_region_horizon(optimizer.load_region(raw, base_dir=folder),
                                          explain=False)
    assert today.status.value == path.status.value == "optimal"
    assert path.total_risk == pytest.approx(today.total_risk, rel=1e-6)


def test_set_reaches_a_horizon_given_in_the_region_file(tmp_path):
    """--set clusters.a.horizon.targets.1 changes the horizon the region file gives a (not
    the case's, which that horizon replaces): a's 2025 target becomes 51 %."""
    raw = hand_region([197_300, 194_600])
    for c in raw["clusters"]:
        c["horizon"] = dict(c["case"].pop("horizon"), targets=[0.5, 0.5])
    path = _write(tmp_path, raw)
    out = CliRunner().invoke(main, [path, "--set", "clusters.a.horizon.targets.1=0.51",
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    a = next(c for c in data["clusters"] if c["id"] == "a")
    assert [y["target"] for y in a["result"]["years"]] == [0.5, 0.51]
    assert a["result"]["years"][1]["indicators"]["private_share"]["after"] >= 0.51 - 1e-9

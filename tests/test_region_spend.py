"""A funder that spends its whole envelope (`envelopes[].spend: "all"`): bad input, words,
the region horizon, and the decomposition against the joint program (the least total EUR at
risk itself is checked from the contract in tests/test_region_spend_check.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from tests.test_region_spend_check import _regions

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "cases" / "aura-region-small" / "region.json"


def _small(tmp_path: Path, spend: object) -> Path:
    raw = json.loads(SMALL.read_text())
    for c in raw["clusters"]:
        c["case"] = str((SMALL.parent / c["case"]).resolve())
    raw["envelopes"][0]["spend"] = spend
    path = tmp_path / "region.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize("spend", ["everything", 1, None])
def test_a_bad_spend_names_the_field_and_writes_nothing(tmp_path, spend):
    path = _small(tmp_path, spend)
    out_file = tmp_path / "out.json"
    out = CliRunner().invoke(main, [str(path), "--format", "json", "-o", str(out_file)])
    assert out.exit_code == 2, out.output
    assert "envelopes[0].spend" in out.output
    assert "Traceback" not in out.output
    assert not out_file.exists()


def test_the_schema_offers_spend():
    from optimizer.case.region import region_schema

    env = region_schema()["$defs"]["Envelope"]["properties"]["spend"]
    assert env["enum"] == ["up_to", "all"] and env["default"] == "up_to"


def test_the_bundled_small_region_spent_whole_says_so(tmp_path):
    """The four-cluster region cuts 28.8 % under its 10 % ceiling; spent whole, the
    clusters keep exactly 1,849,200 EUR, at more risk, and the words say so."""
    ceiling = optimizer.solve_region(str(SMALL), explain=False)
    path = _small(tmp_path, "all")
    whole = optimizer.solve_region(str(path), explain=False)
    assert ceiling.envelopes_split[0].after < 1_849_200 - 1_000
    assert whole.envelopes_split[0].after == pytest.approx(1_849_200, abs=0.01)
    assert whole.total_risk > ceiling.total_risk
    out = CliRunner().invoke(main, [str(path)])
    assert out.exit_code == 0, out.output
    assert "spends its whole envelope of 1,849.2 k EUR" in out.output
    assert "cuts deeper than asked" not in out.output


def _hand_horizon(amount: list[float]) -> dict:
    years = [2024, 2025]
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 190_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1, "elasticity": 0.5}],
            "horizon": {"years": years}}
    return {"name": "hand", "horizon": {"years": years},
            "clusters": [{"id": "a", "case": case}, {"id": "b", "case": copy.deepcopy(case)}],
            "envelopes": [{"id": "region", "amount": amount, "spend": "all",
                           "lines": {"a": "grant", "b": "grant"}, "max_cut_fraction": 0.3}],
            "region_private_share": 0.515}


def test_a_region_horizon_spends_each_year_whole():
    """Two clusters of 200k at 50 % private with a 10k surplus each; a combined 51.5 % share.
    Under a ceiling of 200k the split cuts at least 11.6k (200k / 0.515 = 388.3k of
    revenue). Spent whole at 192k then 188k it cuts exactly 8k, then 12k: in 2024 both fee
    increases (+2.7k each) make up the share (205.4k / 397.4k = 51.7 %; one is not enough:
    202.7k / 394.7k = 51.4 %), and an increase, once made, stays: 4 x 810 EUR at risk.
    Spent whole at 200k, no cut: 205.4k / 405.4k = 50.7 % at best: no split."""
    region = _hand_horizon([192_000, 188_000])
    got = optimizer.solve_region_horizon(region, explain=False)
    assert got.status.value == "optimal"
    assert [y.envelopes[0].after for y in got.years] == pytest.approx([192_000, 188_000],
                                                                        abs=0.01)
    assert got.total_risk == pytest.approx(4 * 810.0)
    ceiling = copy.deepcopy(region)
    ceiling["envelopes"][0]["spend"] = "up_to"
    ceiling["envelopes"][0]["amount"] = [200_000, 200_000]
    up = optimizer.solve_region_horizon(ceiling, explain=False)
    assert up.status.value == "optimal" and up.years[0].envelopes[0].after < 200_000 - 1_000
    region["envelopes"][0]["amount"] = [200_000, 200_000]
    none = optimizer.solve_region_horizon(region, explain=False)
    assert none.status.value == "infeasible"


# Every 6th of the random regions that have a spend-all envelope (the draws are fixed).
SPEND_ALL = [i for i, r in enumerate(_regions())
             if any(e.get("spend") == "all" for e in r["envelopes"])][::6]


@pytest.mark.parametrize("index", SPEND_ALL)
def test_the_decomposition_spends_whole_and_never_beats_the_joint_optimum(index):
    region = _regions()[index]
    joint = optimizer.solve_region(region, explain=False, method="joint")
    dec = optimizer.solve_region(region, explain=False, method="decompose", workers=1)
    if joint.total_risk is None:
        assert dec.total_risk is None
        return
    if dec.total_risk is None:  # no split given back whole: honest, no plan
        assert dec.status.value == "time_limit"
        return
    assert dec.total_risk >= joint.total_risk - 1e-6
    for split, env in zip(dec.envelopes_split, region["envelopes"]):
        if env.get("spend") == "all":
            assert split.after == pytest.approx(env["amount"], abs=0.01)
    if dec.status.value == "optimal":
        assert dec.total_risk == pytest.approx(joint.total_risk, rel=1e-5, abs=1e-3)


def test_the_decomposition_finds_a_split_on_most_spend_all_draws():
    found = total = 0
    for region in _regions():
        if not any(e.get("spend") == "all" for e in region["envelopes"]):
            continue
        joint = optimizer.solve_region(region, explain=False, method="joint")
        if joint.total_risk is None:
            continue
        total += 1
        dec = optimizer.solve_region(region, explain=False, method="decompose", workers=1)
        found += dec.total_risk is not None
    assert total >= 12 and found >= 0.7 * total, (found, total)

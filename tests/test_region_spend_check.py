"""An independent check of an envelope spent whole (`envelopes[].spend: "all"`,
docs/MODEL.md, "Region"): the envelope row becomes sum_i (A(L_{e,i}) - c_{e,i}) = amount.

Written from the contract, not from the optimiser's code, on the tiny random regions of
tests/test_region_check.py (its generator and the version-1 checker of
tests/test_brute_force.py), each envelope drawn "all" or "up_to". For one choice of every
lever of a cluster, each of its rows is affine in the cut c of its one funded line, so the
cuts it can take form an interval [lo, hi] (share: c >= lo; result and max_cut_fraction:
c <= hi). Under a ceiling ("up_to") the cluster takes c = hi, as in test_region_check.py.
Under "all" the envelope fixes the total cut C_e = sum_i A(L_{e,i}) - amount_e: a choice of
one option per cluster is feasible when sum_i (A - hi_i) <= amount_e <= sum_i (A - lo_i)
(the cuts then fill any point between), and the region's share row, sum_i (P_i - s T_i),
is sum_i (P_i - s T_i at c = 0) + s C_e over those clusters: it depends on C_e alone. The
least total risk over every choice is compared with `optimizer.solve_region` (joint
program) to 1e-6, and the split it reports spends each "all" envelope within a cent.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

import optimizer
from tests.test_brute_force import BruteForce
from tests.test_region_check import random_region

REGIONS = 80
SEED = 20_261_202

Option = tuple[float, str | None, float, float, float, float]
# (risk, envelope id or None, after-amount low, after-amount high, new members,
#  P - s T: at c = hi under a ceiling, at c = 0 under "all")


def options(case: dict[str, Any], funded: tuple[str, str, float, bool] | None,
            s: float | None) -> list[Option]:
    """Every option of one cluster for each choice of its levers; funded = (envelope id,
    line, max_cut_fraction, spends all) or None."""
    line = funded[1] if funded else None
    levers = [dict(lv, enabled=False) if lv["type"] == "grant_cut" and lv["revenue"] == line
              else lv for lv in case["levers"]]
    bf = BruteForce(dict(case, levers=levers))
    t, min_result = bf.t, bf.min_result
    out: list[Option] = []
    for combo in itertools.product(*[bf.choices(lv) for lv in levers]):
        assert all(ch.value is not None for ch in combo), "discrete levers only"
        if bf.max_levers is not None and sum(ch.value != 0 for ch in combo) > bf.max_levers:
            continue
        fixed, _ = bf._affine(combo)
        if any(fixed[("rev", i)] < -1e-9 for i in bf.rev) or any(
                fixed[("exp", i)] < -1e-9 for i in bf.exp):
            continue
        if bf.min_members is not None and fixed["members"] < bf.min_members - 1e-9:
            continue
        pub = sum(fixed[("rev", i)] for i in bf.rev if bf.public[i])
        priv = sum(fixed[("rev", i)] for i in bf.rev if not bf.public[i])
        spend = sum(fixed[("exp", i)] for i in bf.exp)
        lo = max(0.0, (t * (priv + pub) - priv) / t)
        top = funded[2] * bf.rev[line] if funded else 0.0
        hi = min(top, priv + pub - spend - min_result)
        if hi < lo - 1e-7:
            continue
        new = float(sum(ch.value for lv, ch in zip(levers, combo)
                        if lv["type"] == "new_members"))
        full = bf.rev[line] if funded else 0.0
        if funded and funded[3]:
            slack = 0.0 if s is None else priv - s * (priv + pub)
            out.append((fixed["risk"], funded[0], full - hi, full - lo, new, slack))
        else:
            slack = 0.0 if s is None else priv - s * (priv + pub - hi)
            out.append((fixed["risk"], funded[0] if funded else None, full - hi, full - hi,
                        new, slack))
    return out


def _pareto(opts: list[Option], whole: bool) -> list[Option]:
    """Drop an option another beats on every count: risk, members, share, and an after-range
    that contains its own ("all") or a smaller after-amount (a ceiling)."""
    keep: list[Option] = []
    for o in sorted(opts, key=lambda o: o[0]):
        def beats(k: Option, o: Option = o) -> bool:
            room = (k[2] <= o[2] + 1e-9 and k[3] >= o[3] - 1e-9) if whole \
                else k[2] <= o[2] + 1e-9
            return k[0] <= o[0] + 1e-9 and room and k[4] <= o[4] and k[5] >= o[5] - 1e-9
        if not any(beats(k) for k in keep):
            keep.append(o)
    return keep


def region_optimum(region: dict[str, Any]) -> float | None:
    s = region.get("region_private_share")
    pool = region.get("member_pool")
    envs = {e["id"]: e for e in region["envelopes"]}
    per = []
    for c in region["clusters"]:
        fund = [(e["id"], e["lines"][c["id"]], e["max_cut_fraction"],
                 e.get("spend", "up_to") == "all")
                for e in region["envelopes"] if c["id"] in e["lines"]]
        assert len(fund) <= 1, "the generator funds a cluster by one envelope at most"
        funded = fund[0] if fund else None
        per.append(_pareto(options(c["case"], funded, s), bool(funded and funded[3])))
    fixed_cut = 0.0  # s x the total cut every "all" envelope makes (it is fixed)
    for e in envs.values():
        if e.get("spend") == "all":
            today = sum(next(r["amount"] for r in c["case"]["revenues"] if r["id"] == line)
                        for c in region["clusters"] for cid, line in e["lines"].items()
                        if c["id"] == cid)
            fixed_cut += (s or 0.0) * (today - e["amount"])
    best: float | None = None
    for pick in itertools.product(*per):
        risk = sum(o[0] for o in pick)
        if best is not None and risk >= best:
            continue
        ok = True
        for eid, e in envs.items():
            lo = sum(o[2] for o in pick if o[1] == eid)
            hi = sum(o[3] for o in pick if o[1] == eid)
            if e.get("spend") == "all":
                ok = lo <= e["amount"] + 1e-6 and hi >= e["amount"] - 1e-6
            else:
                ok = lo <= e["amount"] + 1e-6
            if not ok:
                break
        if not ok:
            continue
        if pool is not None and sum(o[4] for o in pick) > pool + 1e-9:
            continue
        if s is not None and sum(o[5] for o in pick) + fixed_cut < -1e-6:
            continue
        best = risk
    return best


def _regions() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    out = []
    for _ in range(REGIONS):
        region = random_region(rng)
        for e in region["envelopes"]:
            if rng.random() < 0.7:
                e["spend"] = "all"
        out.append(region)
    return out


def test_checker_on_a_region_worked_by_hand():
    """One cluster: grant 100k, fees 60k, services 40k, spend 200k, target 50 % (met
    today). Fee increase 0 or +10 % (+2.7k in fees, risk 810). Under a ceiling of 97.3k the
    least risk is 810 (the cut needs the increase), and 0 under a ceiling of 100k (no cut
    needed). Spent whole at 97.3k: a cut of 2.7k, which needs the increase: 810. Spent whole
    at 100k: no cut, nothing needed: 0."""
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 200_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1}]}
    region = {"name": "hand", "clusters": [{"id": "a", "case": case}],
              "envelopes": [{"id": "region", "amount": 97_300, "lines": {"a": "grant"},
                             "max_cut_fraction": 0.3, "spend": "all"}]}
    assert region_optimum(region) == pytest.approx(810.0)
    got = optimizer.solve_region(region, explain=False)
    assert got.total_risk == pytest.approx(810.0)
    assert got.envelopes_split[0].after == pytest.approx(97_300, abs=0.01)
    region["envelopes"][0]["amount"] = 100_000
    assert region_optimum(region) == pytest.approx(0.0)
    assert optimizer.solve_region(region, explain=False).total_risk == pytest.approx(0.0)


def test_spending_whole_can_cost_risk():
    """A region share that the funders' deep cut met: spent whole, the clusters must raise
    their own private revenue instead, so the least risk rises (or no plan exists)."""
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 190_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1}]}
    region = {"name": "hand", "clusters": [{"id": "a", "case": case}],
              "envelopes": [{"id": "region", "amount": 100_000, "lines": {"a": "grant"},
                             "max_cut_fraction": 0.3}],
              "region_private_share": 0.52}
    ceiling = region_optimum(region)
    assert ceiling == pytest.approx(0.0)  # a 10k cut needs no lever (result +10k today)
    region["envelopes"][0]["spend"] = "all"
    assert region_optimum(region) is None or region_optimum(region) > 0
    got = optimizer.solve_region(region, explain=False)
    assert got.status.value == "infeasible"  # +2.7k of fees cannot reach 52 % uncut


@pytest.mark.parametrize("index", range(REGIONS))
def test_joint_program_matches_enumeration(index):
    region = _regions()[index]
    want = region_optimum(region)
    got = optimizer.solve_region(region, explain=False, time_limit=60)
    if want is None:
        assert got.status.value == "infeasible", got
        return
    assert got.status.value == "optimal", (got, want)
    assert got.total_risk == pytest.approx(want, rel=1e-6, abs=1e-6)
    for split, env in zip(got.envelopes_split, region["envelopes"]):
        if env.get("spend") == "all":
            assert split.after == pytest.approx(env["amount"], abs=0.01)
        else:
            assert split.after <= env["amount"] + 1e-3


def test_random_regions_are_varied():
    """The draws cover spend-all envelopes that cost risk, feasible and infeasible ones."""
    regions = _regions()
    answers = [region_optimum(r) for r in regions]
    whole = [any(e.get("spend") == "all" for e in r["envelopes"]) for r in regions]
    assert sum(whole) >= 40
    assert sum(a is None for a, w in zip(answers, whole) if w) >= 3
    assert sum(a is not None and a > 0 for a, w in zip(answers, whole) if w) >= 15
    ceiling = []
    for r, a, w in zip(regions, answers, whole):
        if w and a is not None:
            up = {**r, "envelopes": [{**e, "spend": "up_to"} for e in r["envelopes"]]}
            ceiling.append((region_optimum(up), a))
    assert all(c is not None and c <= a + 1e-6 for c, a in ceiling)  # a ceiling relaxes
    assert sum(a > c + 1e-6 for c, a in ceiling) >= 5  # spending whole costs risk

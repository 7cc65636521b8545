"""An independent check of the region's joint program (docs/MODEL.md, "Region (issue 10)").

Written from the contract, not from optimizer/model/region.py: on 100 random small regions
(2 to 4 tiny clusters, 1 or 2 envelopes on disjoint sets of clusters, sometimes a member
pool and a region private share), the least total EUR at risk is computed by enumeration
and compared with `optimizer.solve_region` to 1e-6.

The tiny clusters have only discrete levers (fee increases, success fees, new members,
integer services, EU proposals; their own `grant_cut` on the funded line, which a region
run disables). Each lever's effects come from the version-1 checker of
tests/test_brute_force.py (`BruteForce.choices`, `_affine`), which imports nothing from
the optimiser. For one choice of every lever of a cluster, each constraint of MODEL.md is
affine in the funder's cut c of its line (the line is L - c), so the cuts the cluster can
take form an interval [lo, hi], intersected with [0, max_cut_fraction x L]. A cut carries no
risk, and a larger cut only helps every region row (the envelope's after-amount, the
region's private share; the pool does not depend on it), so each feasible choice is best
taken at c = hi. A cluster's options are then (risk, after-amount per envelope, new
members, private - s x revenues at c = hi); the region's optimum is the least total risk
over one option per cluster meeting the envelope, pool and share rows, found by an
exhaustive product of each cluster's Pareto-pruned options.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

import optimizer
from tests.test_brute_force import BruteForce

REGIONS = 100
SEED = 10_010


def tiny_cluster(rng: random.Random, k: int) -> dict[str, Any]:
    grant = rng.choice([60_000, 80_000, 100_000, 120_000])
    state = rng.choice([0, 30_000, 50_000])
    fees = rng.choice([40_000, 60_000, 80_000])
    services = rng.choice([20_000, 40_000])
    revenues = [{"id": "grant", "amount": grant, "public": True},
                {"id": "fees", "amount": fees, "public": False},
                {"id": "services", "amount": services, "public": False},
                {"id": "others", "amount": rng.choice([0, 10_000]), "public": False}]
    if state:
        revenues.append({"id": "state", "amount": state, "public": True})
    total = sum(r["amount"] for r in revenues)
    spend = total - rng.choice([0, 0, 5_000])
    private = fees + services + revenues[3]["amount"]
    share = private / total
    members = rng.choice([40, 60, 90])
    levers: list[dict[str, Any]] = [
        {"id": "fee", "type": "fee_increase", "max_increase": rng.choice([0.1, 0.2]),
         "step": 0.05, "elasticity": rng.choice([0.3, 0.8])},
    ]
    if rng.random() < 0.7:
        levers.append({"id": "recruit", "type": "new_members", "max_new": rng.randint(1, 6),
                       "cost_per_member": rng.choice([0, 200])})
    if rng.random() < 0.7:
        levers.append({"id": "training", "type": "service", "price": rng.choice([900, 1500]),
                       "unit_cost": rng.choice([200, 600]), "max_units": rng.randint(1, 6),
                       "setup_cost": rng.choice([0, 500])})
    if rng.random() < 0.4:
        levers.append({"id": "success", "type": "success_fee", "volume": 400_000,
                       "max_rate": 0.02, "step": 0.01})
    if rng.random() < 0.3:
        levers.append({"id": "eu", "type": "eu_projects", "max_proposals": 2,
                       "success_rate": 0.3, "grant": 60_000, "proposal_cost": 2_000})
    if rng.random() < 0.5:
        levers.append({"id": "less-grant", "type": "grant_cut", "revenue": "grant",
                       "max_fraction": 0.5})
    target: dict[str, Any] = {"private_share": round(min(0.9, share + rng.choice(
        [0.0, 0.02, 0.05, 0.08])), 3), "min_result": rng.choice([0, -5_000])}
    if rng.random() < 0.3:
        target["max_levers"] = 2
    if rng.random() < 0.2:
        target["min_members"] = members - 3
    return {"name": f"tiny {k}", "revenues": revenues,
            "expenditures": [{"id": "salaries", "amount": round(spend * 0.5), "staff": True},
                             {"id": "external", "amount": spend - round(spend * 0.5)}],
            "members": members, "target": target, "levers": levers}


def random_region(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(2, 4)
    cases = [tiny_cluster(rng, k) for k in range(n)]
    ids = [f"c{k}" for k in range(n)]
    envelopes = []
    two = rng.random() < 0.4 and any(any(r["id"] == "state" for r in c["revenues"])
                                     for c in cases)
    first = [i for i in ids if rng.random() < 0.85] or ids[:1]
    fraction = rng.choice([0.2, 0.3, 0.5])
    for i, c in zip(ids, cases):  # an own grant cut stays only where the funder disables it
        if i not in first:
            c["levers"] = [lv for lv in c["levers"] if lv["type"] != "grant_cut"]
    today = sum(next(r["amount"] for r in cases[ids.index(i)]["revenues"] if r["id"] == "grant")
                for i in first)
    envelopes.append({"id": "region", "amount": round(today * rng.uniform(0.88, 1.0)),
                      "lines": {i: "grant" for i in first}, "max_cut_fraction": fraction})
    if two:
        rest = [i for i in ids if i not in first and any(
            r["id"] == "state" for r in cases[ids.index(i)]["revenues"])]
        if rest:
            today2 = sum(next(r["amount"] for r in cases[ids.index(i)]["revenues"]
                              if r["id"] == "state") for i in rest)
            envelopes.append({"id": "state", "amount": round(today2 * rng.uniform(0.85, 1.0)),
                              "lines": {i: "state" for i in rest}, "max_cut_fraction": 0.4})
    region: dict[str, Any] = {"name": "random", "clusters": [
        {"id": i, "case": c} for i, c in zip(ids, cases)], "envelopes": envelopes}
    if rng.random() < 0.4:
        region["member_pool"] = rng.randint(0, 6)
    if rng.random() < 0.4:
        region["region_private_share"] = round(rng.uniform(0.35, 0.6), 3)
    return region


def cluster_options(case: dict[str, Any], funded: dict[str, tuple[str, float]],
                    s: float | None) -> list[tuple[float, dict[str, float], float, float]]:
    """Every option of one cluster: (risk, envelope id -> after-amount, new members,
    private - s x revenues), for each choice of its levers at its largest feasible cut."""
    lines = {line for line, _ in funded.values()}
    levers = [dict(lv, enabled=False) if lv["type"] == "grant_cut" and lv["revenue"] in lines
              else lv for lv in case["levers"]]
    bf = BruteForce(dict(case, levers=levers))
    t, min_result = bf.t, bf.min_result
    out = []
    for combo in itertools.product(*[bf.choices(lv) for lv in levers]):
        assert all(ch.value is not None for ch in combo), "discrete levers only"
        if bf.max_levers is not None and sum(ch.value != 0 for ch in combo) > bf.max_levers:
            continue
        fixed, _ = bf._affine(combo)
        pub = sum(fixed[("rev", i)] for i in bf.rev if bf.public[i])
        priv = sum(fixed[("rev", i)] for i in bf.rev if not bf.public[i])
        spend = sum(fixed[("exp", i)] for i in bf.exp)
        if any(fixed[("rev", i)] < -1e-9 for i in bf.rev) or any(
                fixed[("exp", i)] < -1e-9 for i in bf.exp):
            continue
        if bf.min_members is not None and fixed["members"] < bf.min_members - 1e-9:
            continue
        # c = the total cut over the cluster's funded lines: each row is affine in it.
        # share: priv - t (priv + pub - c) >= 0; result: priv + pub - c - spend >= min_result
        lo = max(0.0, (t * (priv + pub) - priv) / t)
        room = priv + pub - spend - min_result
        top = sum(frac * bf.rev[line] for line, frac in funded.values())
        hi = min(top, room)
        if hi < lo - 1e-7:
            continue
        # Any split of c over the lines is as good for the cluster; the region wants each
        # line cut as far as it may go, so the largest cut fills the lines up to their
        # maxima (one line per envelope: the envelopes are disjoint per line).
        after: dict[str, float] = {}
        left = hi
        for env, (line, frac) in funded.items():
            take = min(left, frac * bf.rev[line])
            after[env] = bf.rev[line] - take
            left -= take
        new = sum(ch.value for lv, ch in zip(levers, combo) if lv["type"] == "new_members")
        slack = 0.0 if s is None else priv - s * (priv + pub - hi)
        out.append((fixed["risk"], after, float(new), slack))
    return out


def _pareto(options: list[tuple[float, dict[str, float], float, float]]
            ) -> list[tuple[float, dict[str, float], float, float]]:
    keep: list[tuple[float, dict[str, float], float, float]] = []
    for o in sorted(options, key=lambda o: o[0]):
        if not any(k[0] <= o[0] + 1e-9 and all(k[1][e] <= o[1][e] + 1e-9 for e in o[1])
                   and k[2] <= o[2] and k[3] >= o[3] - 1e-9 for k in keep):
            keep.append(o)
    return keep


def region_optimum(region: dict[str, Any]) -> float | None:
    s = region.get("region_private_share")
    pool = region.get("member_pool")
    per = []
    for c in region["clusters"]:
        funded = {e["id"]: (e["lines"][c["id"]], e["max_cut_fraction"])
                  for e in region["envelopes"] if c["id"] in e["lines"]}
        per.append(_pareto(cluster_options(c["case"], funded, s)))
    best: float | None = None
    for pick in itertools.product(*per):
        risk = sum(o[0] for o in pick)
        if best is not None and risk >= best:
            continue
        if any(sum(o[1].get(e["id"], 0.0) for o in pick) > e["amount"] + 1e-6
               for e in region["envelopes"]):
            continue
        if pool is not None and sum(o[2] for o in pick) > pool + 1e-9:
            continue
        if s is not None and sum(o[3] for o in pick) < -1e-6:
            continue
        best = risk
    return best


def _regions() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    return [random_region(rng) for _ in range(REGIONS)]


def test_checker_on_a_region_worked_by_hand():
    """Two clusters, one envelope: the checker's options follow the contract by hand.

    Cluster a: grant 100k, fees 60k, services 40k, spend 200k, target 50 %: today
    private 100k of 200k = 50 %. Its only lever is a fee increase of 0 or 10 % with
    elasticity 0.5 (change 60k x (1.1 x 0.95 - 1) = +2.7k, risk 0.3 x 2.7k = 810).
    With no increase the result is 0 so no cut is possible (hi = 0); with +10 % the
    cluster can give up 2.7k of grant. An envelope of 100k - 2.7k needs the increase:
    least risk 810; at 100k - 2.8k no plan exists.
    """
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 200_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1}]}
    region = {"name": "hand", "clusters": [{"id": "a", "case": case}],
              "envelopes": [{"id": "region", "amount": 97_300, "lines": {"a": "grant"},
                             "max_cut_fraction": 0.3}]}
    assert region_optimum(region) == pytest.approx(810.0)
    assert optimizer.solve_region(region, explain=False).total_risk == pytest.approx(810.0)
    region["envelopes"][0]["amount"] = 97_200
    assert region_optimum(region) is None
    assert optimizer.solve_region(region, explain=False).status.value == "infeasible"


@pytest.mark.parametrize("index", range(REGIONS))
def test_joint_program_matches_enumeration(index):
    region = _regions()[index]
    want = region_optimum(region)
    got = optimizer.solve_region(region, explain=False, time_limit=60)
    if want is None:
        assert got.status.value == "infeasible", got
    else:
        assert got.status.value == "optimal", (got, want)
        assert got.total_risk == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_random_regions_are_varied():
    """The draws cover feasible and infeasible regions, two envelopes, pools and shares."""
    regions = _regions()
    answers = [region_optimum(r) for r in regions]
    assert sum(a is None for a in answers) >= 5
    assert sum(a is not None and a > 0 for a in answers) >= 30
    assert sum(len(r["envelopes"]) == 2 for r in regions) >= 5
    assert sum("member_pool" in r for r in regions) >= 20
    assert sum("region_private_share" in r for r in regions) >= 20

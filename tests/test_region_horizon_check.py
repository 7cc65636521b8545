"""An independent check of the region horizon's joint program (docs/MODEL.md, "Region
horizon"), written from the contract, not from optimizer/model/region_horizon.py.

On 100 random tiny regions (2 clusters x 2 years, one envelope whose amount is one number
or one per year, sometimes a member pool and a region private share) the least total
EUR at risk is found by enumeration and compared with `optimizer.solve_region_horizon`.

Each tiny cluster has only discrete levers whose horizon links the contract states
("How each lever type carries across years"): a fee increase p_k that stays (p_1 >= p_0,
members lost e p_k M0), recruits n_k present in year k that stay but for `churn`
(n_1 >= (1 - churn) n_0, paying the year's raised fee), integer service units u_k whose
`setup_cost` counts once, in the first year units are sold, and which, once launched with a
set-up, stays open (sells at least one unit a year; without a set-up u_k is free each
year), and a success
fee r_k that stays; its own `grant_cut` on the funded line is disabled (the funder decides
that line). Each year's budget is computed here by hand (expenditure lines grown by
`inflation`, the year's target), the path's risk is the discounted sum of each year's
downside x max(gain, 0). No reserves: each year's rows then bound that year's funder cut
c_k to an interval [lo_k, hi_k] (the share row below, the result row above, [0,
max_cut_fraction x line]); a cut never falls (c_0 <= c_1), carries no risk, and a larger
cut only helps every region row (the envelope's after-amount, the region's private share;
the pool does not depend on it), so each path is best taken at c_1 = hi_1, c_0 = min(hi_0,
c_1), feasible when those are at least lo_1 and lo_0. A cluster's options are then (path
risk, after-amount per year, companies recruited, private - s x revenues per year); the
region's optimum is the least total over one option per cluster meeting each year's
envelope, the pool and each year's region share (an exhaustive product of Pareto-pruned
options).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

import optimizer

REGIONS = 100
SEED = 11_110
YEARS = [2024, 2025]


def tiny_cluster(rng: random.Random, k: int) -> dict[str, Any]:
    grant = rng.choice([60_000, 80_000, 100_000])
    state = rng.choice([0, 30_000])
    fees = rng.choice([40_000, 60_000, 80_000])
    services = rng.choice([20_000, 40_000])
    others = rng.choice([0, 10_000])
    revenues = [{"id": "grant", "amount": grant, "public": True},
                {"id": "fees", "amount": fees, "public": False},
                {"id": "services", "amount": services, "public": False},
                {"id": "others", "amount": others, "public": False}]
    if state:
        revenues.append({"id": "state", "amount": state, "public": True})
    total = grant + state + fees + services + others
    spend = total - rng.choice([0, 3_000, 6_000])
    share = (fees + services + others) / total
    members = rng.choice([40, 60, 90])
    levers: list[dict[str, Any]] = [
        {"id": "fee", "type": "fee_increase", "max_increase": 0.1, "step": 0.05,
         "elasticity": rng.choice([0.3, 0.8])}]
    if rng.random() < 0.7:
        lv = {"id": "recruit", "type": "new_members", "max_new": rng.randint(1, 3),
              "cost_per_member": rng.choice([0, 200])}
        if rng.random() < 0.3:
            lv["churn"] = 0.5
        levers.append(lv)
    if rng.random() < 0.7:
        levers.append({"id": "training", "type": "service", "price": rng.choice([900, 1500]),
                       "unit_cost": rng.choice([200, 600]), "max_units": rng.randint(1, 3),
                       "setup_cost": rng.choice([0, 500])})
    if rng.random() < 0.4:
        levers.append({"id": "success", "type": "success_fee", "volume": 400_000,
                       "max_rate": 0.02, "step": 0.01})
    if rng.random() < 0.5:
        levers.append({"id": "less-grant", "type": "grant_cut", "revenue": "grant",
                       "max_fraction": 0.5})
    t1 = round(min(0.9, share + rng.choice([0.0, 0.01, 0.02, 0.04])), 3)
    t0 = round(min(t1, share + rng.choice([0.0, 0.01])), 3)
    horizon: dict[str, Any] = {"years": YEARS, "targets": [t0, t1]}
    if rng.random() < 0.3:
        horizon["inflation"] = 0.01
    if rng.random() < 0.3:
        horizon["discount"] = 0.05
    target: dict[str, Any] = {"private_share": t1, "min_result": rng.choice([0, -4_000])}
    if rng.random() < 0.2:
        target["min_members"] = members - 2
    return {"name": f"tiny {k}", "revenues": revenues,
            "expenditures": [{"id": "salaries", "amount": round(spend * 0.5), "staff": True},
                             {"id": "external", "amount": spend - round(spend * 0.5)}],
            "members": members, "target": target, "levers": levers, "horizon": horizon}


def random_region(rng: random.Random) -> dict[str, Any]:
    cases = [tiny_cluster(rng, k) for k in range(2)]
    ids = ["c0", "c1"]
    funded = [i for i in ids if rng.random() < 0.85] or ids[:1]
    for i, c in zip(ids, cases):  # an own grant cut stays only where the funder disables it
        if i not in funded:
            c["levers"] = [lv for lv in c["levers"] if lv["type"] != "grant_cut"]
    today = sum(next(r["amount"] for r in cases[ids.index(i)]["revenues"] if r["id"] == "grant")
                for i in funded)
    first = rng.uniform(0.9, 1.0)
    amount: Any = round(today * first)
    if rng.random() < 0.7:
        amount = [round(today * first), round(today * first * rng.uniform(0.9, 1.0))]
    region: dict[str, Any] = {
        "name": "random", "horizon": {"years": YEARS},
        "clusters": [{"id": i, "case": c} for i, c in zip(ids, cases)],
        "envelopes": [{"id": "region", "amount": amount, "lines": {i: "grant" for i in funded},
                       "max_cut_fraction": rng.choice([0.2, 0.3, 0.5])}]}
    if rng.random() < 0.4:
        region["member_pool"] = rng.randint(0, 4)
    if rng.random() < 0.4:
        region["region_private_share"] = round(rng.uniform(0.35, 0.6), 3)
    return region


# ----------------------------------------------------------------- the checker, from MODEL.md

def _grid(top: float, step: float) -> list[float]:
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


def _lever_paths(lv: dict[str, Any]) -> list[tuple[float, float]]:
    """Every (year-0, year-1) pair of values the lever's links allow."""
    kind = lv["type"]
    if kind == "fee_increase":
        opts = [p for p in _grid(lv["max_increase"], lv["step"])
                if lv["elasticity"] * p <= 1]
        return [(a, b) for a in opts for b in opts if b >= a]
    if kind == "success_fee":
        opts = _grid(lv["max_rate"], lv["step"])
        return [(a, b) for a in opts for b in opts if b >= a]
    if kind == "new_members":
        keep = 1 - lv.get("churn", 0.0)
        n = range(lv["max_new"] + 1)
        return [(a, b) for a in n for b in n if b >= keep * a - 1e-9]
    if kind == "service":  # with a set-up, a launched service stays open: a unit at least
        n = range(lv["max_units"] + 1)
        opened = lv.get("setup_cost", 0) > 0
        return [(a, b) for a in n for b in n if not (opened and a > 0 and b == 0)]
    raise AssertionError(kind)


def cluster_options(case: dict[str, Any], funded: tuple[str, float] | None,
                    s: float | None) -> list[tuple[Any, ...]]:
    """(path risk, after-amount of the funded line per year, companies recruited,
    private - s x revenues per year, the levers' values) of every path at its largest
    feasible cuts."""
    rev = {r["id"]: float(r["amount"]) for r in case["revenues"]}
    public = {r["id"] for r in case["revenues"] if r["public"]}
    spend0 = sum(float(e["amount"]) for e in case["expenditures"])
    m0 = float(case["members"])
    f0 = rev["fees"]
    h = case["horizon"]
    targets, infl, disc = h["targets"], h.get("inflation", 0.0), h.get("discount", 0.0)
    t = case["target"]
    min_result, min_members = t.get("min_result", 0.0), t.get("min_members")
    levers = [lv for lv in case["levers"] if lv["type"] != "grant_cut"]
    g0 = sum(a for i, a in rev.items() if i in public)
    p0 = sum(a for i, a in rev.items() if i not in public)
    out = []
    for combo in itertools.product(*[_lever_paths(lv) for lv in levers]):
        rows = []
        risk = 0.0
        recruited = 0.0
        for k in range(2):
            d_fees = d_serv = extra = members = r = 0.0
            p = next((v[k] for lv, v in zip(levers, combo) if lv["type"] == "fee_increase"), 0.0)
            for lv, v in zip(levers, combo):
                x = v[k]
                if lv["type"] == "fee_increase":
                    e = lv["elasticity"]
                    change = f0 * ((1 + x) * (1 - e * x) - 1)
                    d_fees += change
                    members -= e * x * m0
                    r += 0.3 * max(change, 0.0)
                elif lv["type"] == "new_members":
                    income = x * (f0 / m0) * (1 + p)
                    d_fees += income
                    extra += x * lv["cost_per_member"]
                    members += x
                    r += 0.5 * income
                    if k == 0:
                        recruited += x
                    else:
                        recruited += x - (1 - lv.get("churn", 0.0)) * v[0]
                elif lv["type"] == "service":
                    d_serv += lv["price"] * x
                    extra += lv["unit_cost"] * x
                    if x > 0 and (k == 0 or v[0] == 0):
                        extra += lv["setup_cost"]  # once, in the first year it sells
                    r += 0.4 * lv["price"] * x
                elif lv["type"] == "success_fee":
                    gain = x * lv["volume"]
                    d_serv += gain
                    r += 0.5 * gain
            if min_members is not None and m0 + members < min_members - 1e-9:
                break
            private = p0 + d_fees + d_serv
            spend = spend0 * (1 + infl) ** k + extra
            tk = targets[k]
            lo = max(0.0, private + g0 - private / tk)  # the share row: c >= lo
            hi = private + g0 - spend - min_result  # the result row: c <= hi
            rows.append((lo, hi, private, g0))
            risk += r / (1 + disc) ** k
        else:
            if funded is None:
                cuts = [0.0, 0.0]
            else:
                line, frac = funded
                top = frac * rev[line]
                c1 = min(top, rows[1][1])
                c0 = min(top, rows[0][1], c1)
                cuts = [c0, c1]
            if any(cuts[k] < rows[k][0] - 1e-7 or cuts[k] > rows[k][1] + 1e-7
                   for k in range(2)):
                continue
            after = tuple(rev[funded[0]] - cuts[k] for k in range(2)) if funded else ()
            slack = tuple(0.0 if s is None else rows[k][2] - s * (rows[k][2] + rows[k][3]
                                                                  - cuts[k]) for k in range(2))
            out.append((risk, after, recruited, slack, combo))
    return out


def _pareto(options):
    keep = []
    for o in sorted(options, key=lambda o: o[0]):
        if not any(k[0] <= o[0] + 1e-9 and all(a <= b + 1e-9 for a, b in zip(k[1], o[1]))
                   and k[2] <= o[2] + 1e-9 and all(a >= b - 1e-9 for a, b in zip(k[3], o[3]))
                   for k in keep):
            keep.append(o)
    return keep


def region_optimum(region: dict[str, Any]) -> float | None:
    env = region["envelopes"][0]
    amount = env["amount"] if isinstance(env["amount"], list) else [env["amount"]] * 2
    s = region.get("region_private_share")
    pool = region.get("member_pool")
    per = []
    for c in region["clusters"]:
        funded = (env["lines"][c["id"]], env["max_cut_fraction"]) \
            if c["id"] in env["lines"] else None
        per.append(_pareto(cluster_options(c["case"], funded, s)))
    best = None
    for a in per[0]:
        for b in per[1]:
            risk = a[0] + b[0]
            if best is not None and risk >= best:
                break
            if any(sum(o[1][k] for o in (a, b) if o[1]) > amount[k] + 1e-6 for k in range(2)):
                continue
            if pool is not None and a[2] + b[2] > pool + 1e-9:
                continue
            if s is not None and any(a[3][k] + b[3][k] < -1e-6 for k in range(2)):
                continue
            best = risk
    return best


def _regions() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    return [random_region(rng) for _ in range(REGIONS)]


def test_checker_on_a_region_worked_by_hand():
    """One cluster, two years, one lever: the checker follows the contract by hand.

    Grant 100k, fees 60k, services 40k, spending 200k, targets 50 % both years: today
    100k private of 200k. A fee increase of 0 or 10 % (elasticity 0.5): +10 % adds
    60k x (1.1 x 0.95 - 1) = 2.7k a year, at risk 0.3 x 2.7k = 810 a year. With no increase
    the result is 0, so no cut is possible; with it, the Region can take up to 2.7k a year.
    Envelope 100k in 2024 and 97.3k in 2025: the increase is needed in 2025 only (least
    risk 810); the cut then never falls back, so a 97.3k envelope in 2024 and 100k in 2025
    needs the increase in both years (1,620). At 97.2k in 2025 no path exists.
    """
    case = {"name": "a", "revenues": [{"id": "grant", "amount": 100_000, "public": True},
                                      {"id": "fees", "amount": 60_000, "public": False},
                                      {"id": "services", "amount": 40_000, "public": False}],
            "expenditures": [{"id": "external", "amount": 200_000}], "members": 100,
            "target": {"private_share": 0.5},
            "levers": [{"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                        "step": 0.1, "elasticity": 0.5}],
            "horizon": {"years": YEARS}}
    case["horizon"]["targets"] = [0.5, 0.5]
    region = {"name": "hand", "horizon": {"years": YEARS},
              "clusters": [{"id": "a", "case": case}, {"id": "b", "case": case}],
              "envelopes": [{"id": "region", "amount": [100_000, 97_300],
                             "lines": {"a": "grant"}, "max_cut_fraction": 0.3}]}
    assert region_optimum(region) == pytest.approx(810.0)
    got = optimizer.solve_region_horizon(region, explain=False)
    assert got.total_risk == pytest.approx(810.0)
    region["envelopes"][0]["amount"] = [97_300, 100_000]
    assert region_optimum(region) == pytest.approx(1620.0)
    assert optimizer.solve_region_horizon(region, explain=False).total_risk == \
        pytest.approx(1620.0)
    region["envelopes"][0]["amount"] = [100_000, 97_200]
    assert region_optimum(region) is None
    assert optimizer.solve_region_horizon(region, explain=False).status.value == "infeasible"


@pytest.mark.parametrize("index", range(REGIONS))
def test_joint_program_matches_enumeration(index):
    region = _regions()[index]
    want = region_optimum(region)
    got = optimizer.solve_region_horizon(region, explain=False, time_limit=60)
    if want is None:
        assert got.status.value == "infeasible", got
    else:
        assert got.status.value == "optimal", (got, want)
        assert got.total_risk == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_random_regions_are_varied():
    """The draws cover feasible and infeasible regions, yearly amounts, pools and shares."""
    regions = _regions()
    answers = [region_optimum(r) for r in regions]
    assert sum(a is None for a in answers) >= 5
    assert sum(a is not None and a > 0 for a in answers) >= 40
    assert sum(isinstance(r["envelopes"][0]["amount"], list) for r in regions) >= 30
    assert sum("member_pool" in r for r in regions) >= 20
    assert sum("region_private_share" in r for r in regions) >= 20

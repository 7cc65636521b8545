"""An independent brute force of paths with new members (and their churn) and cuts (a
staff line's cut that stays, another line's that is free, or the `reversible` flag),
written from docs/MODEL.md ("Levers" of version 1, "Horizon (issue 11)": how each lever
type carries across years, the rows of each year, the reserves, the objective), not from
the code: every lever's value in every year is enumerated (depth first, a branch pruned
as soon as a year breaks a row or its risk passes the best found), each year's budget
computed by hand, and the least discounted EUR at risk compared with the solver's.

Also (issue 11, third part): `target.robust` on two-year paths of the first brute force's
levers, rechecked by the same kind of enumeration (each year's low cases as in "Robust
targets": the G levers that take most from the row deliver their low case).
"""

from __future__ import annotations

import itertools
import json
import random

import pytest

from optimizer.analyses.horizon import solve_horizon

CUT_STEP = 15_000


def members_case(rng: random.Random, years: int) -> dict:
    """About 1 M EUR; a fee increase, recruits paying the raised fee (with churn), a cut of
    the staff line and one of external costs, a floor on members and spare capacity that
    both the recruits and the staff cut use."""
    m0 = 100
    fees = rng.choice([200_000, 250_000])
    region = rng.choice([350_000, 450_000])
    services = 150_000
    spend = rng.choice([0.99, 1.02, 1.04]) * (fees + services + region + 100_000)
    t0 = (fees + services) / (fees + services + region + 100_000)
    targets = sorted(round(t0 + rng.uniform(0.0, 0.012), 3) for _ in range(years))
    staff_reversible = rng.choice([None, True])
    ext_reversible = rng.choice([None, False])
    cut_staff = {"id": "cs", "type": "cut", "expenditure": "salaries", "max_fraction": 0.06,
                 "round_to": CUT_STEP}
    cut_ext = {"id": "ce", "type": "cut", "expenditure": "external", "max_fraction": 0.1,
               "round_to": CUT_STEP, "downside": 0.1}
    if staff_reversible is not None:
        cut_staff["reversible"] = staff_reversible
    if ext_reversible is not None:
        cut_ext["reversible"] = ext_reversible
    return {
        "name": "tiny members", "members": m0,
        "revenues": [{"id": "region", "amount": region, "public": True},
                     {"id": "state", "amount": 100_000, "public": True},
                     {"id": "fees", "amount": fees, "public": False},
                     {"id": "services", "amount": services, "public": False}],
        "expenditures": [{"id": "salaries", "amount": 600_000, "staff": True},
                         {"id": "external", "amount": round(spend) - 600_000}],
        "staff": {"fte": 10, "spare_fte": rng.choice([0.4, 0.6]), "cost_per_fte": 60_000},
        "target": {"private_share": targets[-1], "min_result": rng.choice([-20_000, 0]),
                   "min_members": rng.choice([None, 97])},
        "horizon": {"years": list(range(2024, 2024 + years)), "targets": targets,
                    "reserves": rng.choice([0, 30_000]), "min_reserves": 0,
                    "inflation": rng.choice([0.0, 0.02]), "discount": rng.choice([0.0, 0.05])},
        "levers": [
            {"id": "fee", "type": "fee_increase", "max_increase": 0.1, "step": 0.05,
             "elasticity": rng.choice([0.5, 1.0])},
            {"id": "nm", "type": "new_members", "max_new": 3, "fee": rng.choice([2_000, 3_000]),
             "cost_per_member": 300, "fte_per_member": 0.1,
             "churn": rng.choice([0.0, 0.34, 0.5, 1.0])},
            cut_staff, cut_ext,
        ],
    }


def brute_force_members(raw: dict) -> float | None:
    h = raw["horizon"]
    K = len(h["years"])
    t = raw["target"]
    rev0 = {r["id"]: r["amount"] for r in raw["revenues"]}
    public = {r["id"] for r in raw["revenues"] if r["public"]}
    spend0 = {e["id"]: e["amount"] for e in raw["expenditures"]}
    fee, nm, cs, ce = raw["levers"]
    m0, f0 = raw["members"], rev0["fees"]
    e = fee["elasticity"]
    cpf, spare = raw["staff"]["cost_per_fte"], raw["staff"]["spare_fte"]
    # "a cut of a staff line stays ... reversible: default false for staff lines, true
    # otherwise"
    cs_stays = not cs.get("reversible", False)
    ce_stays = not ce.get("reversible", True)

    def choices(k: int) -> list[tuple[float, int, int, int]]:
        """Year k's values: a cut's bound is a fraction of the year's line (inflation)."""
        grow = (1 + h.get("inflation", 0.0)) ** k
        cs_opts = range(0, int(cs["max_fraction"] * spend0["salaries"] * grow) + 1, CUT_STEP)
        ce_opts = range(0, int(ce["max_fraction"] * spend0["external"] * grow) + 1, CUT_STEP)
        return list(itertools.product([0.0, 0.05, 0.1], range(nm["max_new"] + 1),
                                      cs_opts, ce_opts))
    best: list[float | None] = [None]

    def year(k: int, p: float, n: int, v_s: int, v_e: int) -> tuple[float, float] | None:
        """(risk, result) of year k, None when a row breaks."""
        r = dict(rev0)
        change_fee = f0 * ((1 + p) * (1 - e * p) - 1)
        income_nm = n * nm["fee"] * (1 + p)
        r["fees"] += change_fee + income_nm
        s = {key: v * (1 + h.get("inflation", 0.0)) ** k for key, v in spend0.items()}
        s["salaries"] -= v_s
        s["external"] += -v_e + nm["cost_per_member"] * n
        private = sum(v for key, v in r.items() if key not in public)
        total = sum(r.values())
        if private < h["targets"][k] * total - 1e-6:
            return None
        if min(r.values()) < -1e-6 or min(s.values()) < -1e-6:
            return None
        result = total - sum(s.values())
        if result < t["min_result"] - 1e-6:
            return None
        members = m0 - e * p * m0 + n
        if t.get("min_members") is not None and members < t["min_members"] - 1e-6:
            return None
        if nm["fte_per_member"] * n + v_s / cpf > spare + 1e-6:
            return None
        risk = (0.3 * max(change_fee, 0) + 0.5 * income_nm + 0.25 * v_s
                + ce["downside"] * v_e)
        return risk, result

    def walk(k: int, prev: tuple | None, held: float, total: float) -> None:
        if best[0] is not None and total >= best[0] - 1e-9:
            return
        if k == K:
            best[0] = total
            return
        for c in choices(k):
            p, n, v_s, v_e = c
            if prev is not None:
                # a fee increase stays; recruits stay but for churn; cuts that stay
                if p < prev[0] or n < (1 - nm["churn"]) * prev[1] - 1e-9:
                    continue
                if (cs_stays and v_s < prev[2]) or (ce_stays and v_e < prev[3]):
                    continue
            got = year(k, p, n, v_s, v_e)
            if got is None:
                continue
            risk, result = got
            if held + result < h["min_reserves"] - 1e-6:
                continue
            walk(k + 1, c, held + result, total + risk / (1 + h["discount"]) ** k)

    walk(0, None, h["reserves"], 0.0)
    return best[0]


CASES = [(2, s) for s in range(30)] + [(3, s) for s in range(10)]


@pytest.mark.parametrize("years,seed", CASES)
def test_brute_force_members_and_cuts(years: int, seed: int) -> None:
    raw = members_case(random.Random(7000 + 100 * years + seed), years)
    expected = brute_force_members(raw)
    got = solve_horizon(json.loads(json.dumps(raw)), solver="highs", explain=False,
                        outlook=False)
    if expected is None:
        assert got.status.value == "infeasible"
    else:
        assert got.status.value == "optimal"
        assert got.risk == pytest.approx(expected, rel=1e-6, abs=1e-3)


# ---------------------------------------------------------------- robust paths


def brute_force_robust(raw: dict) -> float | None:
    """The least discounted EUR at risk over every path of test_horizon.tiny_case's levers
    whose years hold when any G = target.robust levers deliver only their low case
    ("Robust targets", each year's low cases: a grant cut is certain; a fee increase
    keeps 0.7 of a positive fee-line change; a service sells 0.6 of its sales, its unit
    costs and set-up as planned; EU proposals won one by one: none of those paying this
    year is won, no grant and no cost share, the proposals written this year still cost)."""
    h = raw["horizon"]
    K = len(h["years"])
    G = raw["target"]["robust"]
    rev = {r["id"]: r["amount"] for r in raw["revenues"]}
    public = {r["id"] for r in raw["revenues"] if r["public"]}
    spend0 = {e["id"]: e["amount"] for e in raw["expenditures"]}
    gc, fee, svc, eu = raw["levers"]
    region = rev["region"]
    gc_opts = list(range(0, int(gc["max_fraction"] * region) + 1, gc["round_to"]))
    e, f0 = fee["elasticity"], rev["fees"]
    q, g = eu["success_rate"], eu["grant"]
    choices = list(itertools.product(gc_opts, [0.0, 0.05, 0.1],
                                     range(svc["max_units"] + 1),
                                     range(eu["max_proposals"] + 1)))
    best = None
    for path in itertools.product(choices, repeat=K):
        ok = all(path[k][0] >= path[k - 1][0] and path[k][1] >= path[k - 1][1]
                 and not (path[k - 1][2] > 0 and path[k][2] == 0) for k in range(1, K))
        if not ok or any(path[k][2] - (path[k - 1][2] if k else 0) > svc["ramp_up"]
                         for k in range(K)):
            continue
        total, held = 0.0, h["reserves"]
        for k in range(K):
            v_gc, p, u, n = path[k]
            t = h["targets"][k]
            spend = sum(spend0.values()) * (1 + h["inflation"]) ** k
            r = dict(rev)
            r["region"] -= v_gc
            change_fee = f0 * ((1 + p) * (1 - e * p) - 1)
            r["fees"] += change_fee
            launched_now = u > 0 and all(path[j][2] == 0 for j in range(k))
            r["services"] += svc["price"] * u
            spend += svc["unit_cost"] * u + (svc["setup_cost"] if launched_now else 0)
            paying = sum(path[j][3] for j in range(k + 1)
                         if j + eu["lag_years"] <= k < j + eu["lag_years"] + eu["project_years"])
            r["others"] = q * g * paying
            spend += 0.8 * q * g * paying + eu["proposal_cost"] * n
            private = sum(v for key, v in r.items() if key not in public)
            T = sum(r.values())
            result = T - spend
            # (private revenue lost, result lost) by each lever in its low case
            lost = [(0.3 * max(change_fee, 0), 0.3 * max(change_fee, 0)),
                    (0.4 * svc["price"] * u, 0.4 * svc["price"] * u),
                    (q * g * paying, q * g * paying - 0.8 * q * g * paying)]
            d_share = sorted(((1 - t) * a for a, _ in lost), reverse=True)
            d_result = sorted((b for _, b in lost), reverse=True)
            if private - t * T - sum(max(d, 0) for d in d_share[:G]) < -1e-6 \
                    or min(r.values()) < -1e-6:
                ok = False
                break
            if result - sum(max(d, 0) for d in d_result[:G]) < raw["target"]["min_result"] - 1e-6:
                ok = False
                break
            held += result
            if held < h["min_reserves"] - 1e-6:
                ok = False
                break
            risk = (gc["downside"] * v_gc + 0.3 * max(change_fee, 0) + 0.4 * svc["price"] * u
                    + (svc["launch_risk"] if launched_now else 0) + 0.6 * q * g * paying)
            total += risk / (1 + h["discount"]) ** k
        if ok and (best is None or total < best - 1e-9):
            best = total
    return best


ROBUST_CASES = [(1, s) for s in range(12)] + [(2, s) for s in range(6)]


@pytest.mark.parametrize("robust,seed", ROBUST_CASES)
def test_brute_force_robust_paths(robust: int, seed: int) -> None:
    from tests.test_horizon import tiny_case, with_eu_line

    raw = with_eu_line(tiny_case(random.Random(9000 + 100 * robust + seed), 2))
    raw["target"]["robust"] = robust
    raw["horizon"]["targets"] = [round(x - 0.02, 3) for x in raw["horizon"]["targets"]]
    raw["target"]["private_share"] = raw["horizon"]["targets"][-1]
    expected = brute_force_robust(raw)
    got = solve_horizon(json.loads(json.dumps(raw)), solver="highs", explain=False,
                        outlook=False)
    if expected is None:
        assert got.status.value == "infeasible"
    else:
        assert got.status.value == "optimal"
        assert got.risk == pytest.approx(expected, rel=1e-6, abs=1e-3)

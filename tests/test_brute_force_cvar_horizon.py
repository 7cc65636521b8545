"""The CVaR objective over a path against a second implementation written from
docs/MODEL.md ("CVaR over a path"), not from the optimiser's code: tiny two- and three-year
cases with four levers whose choices are all discrete (a grant cut in steps of 20 k EUR, a
fee increase on a grid, a service in whole units with a set-up and a ramp-up, EU
proposals paying a year later for two years), every path of choices enumerated, each
year's figures in every scenario computed by hand from the drawn factors, the loss of a
run the discounted sum of each year's largest shortfall (budget, target share, reserve
floor), and the CVaR its closed form: min over eta of eta + E[max(0, L - eta)] / (1 - alpha),
attained at one of the losses.

The draws are the contract's input (year k from stream OPTIMISE + 100 k, keyed by the seed
and the lever or line id); this file reads the drawn factors and does everything else
itself.

    python -m tests.test_brute_force_cvar_horizon 200     # 200 random cases, agreement count
"""

from __future__ import annotations

import itertools
import json
import random
import sys

import numpy as np
import pytest

import optimizer
from optimizer.analyses.horizon import solve_horizon
from optimizer.plan.scenarios import OPTIMISE, Scenarios


def tiny_case(rng: random.Random, years: int) -> dict:
    fees = rng.choice([150_000, 200_000, 250_000])
    services = rng.choice([100_000, 150_000])
    region = rng.choice([300_000, 400_000])
    base = fees + services + region + 100_000
    spend = rng.choice([0.95, 1.0]) * base
    t0 = (fees + services) / base
    targets = sorted(round(t0 + rng.uniform(0.0, 0.05), 3) for _ in range(years))
    reserves = rng.choice([None, 30_000, 80_000])
    horizon: dict = {"years": list(range(2024, 2024 + years)), "targets": targets,
                     "inflation": rng.choice([0.0, 0.02]), "discount": rng.choice([0.0, 0.05])}
    if reserves is not None:
        horizon.update({"reserves": reserves, "min_reserves": rng.choice([0, 20_000])})
    fee: dict = {"id": "fee", "type": "fee_increase", "max_increase": 0.1,
                 "step": rng.choice([0.05, 0.1]), "elasticity": rng.choice([0.5, 1.0])}
    if rng.random() < 0.5:
        fee["uncertainty"] = {"elasticity": {"low": 0.3, "high": 2.0}}
    svc: dict = {"id": "svc", "type": "service", "price": 10_000, "unit_cost": 3_000,
                 "setup_cost": 8_000, "launch_risk": 2_000, "max_units": 2 if years == 3 else 3,
                 "ramp_up": rng.choice([1, 2])}
    if rng.random() < 0.7:
        svc["uncertainty"] = {"low": rng.choice([0.2, 0.5]), "mode": 0.9, "high": 1.1}
    eu: dict = {"id": "eu", "type": "eu_projects", "max_proposals": 1, "success_rate": 0.5,
                "grant": rng.choice([40_000, 80_000]), "proposal_cost": 5_000,
                "lag_years": 1, "project_years": 2}
    if rng.random() < 0.5:
        eu["uncertainty"] = {"wins": "expected", "low": 0.3}
    raw = {
        "name": "tiny", "members": 200,
        "revenues": [{"id": "region", "amount": region, "public": True},
                     {"id": "state", "amount": 100_000, "public": True},
                     {"id": "fees", "amount": fees, "public": False},
                     {"id": "services", "amount": services, "public": False},
                     {"id": "others", "amount": 0, "public": False}],
        "expenditures": [{"id": "salaries", "amount": round(spend * 0.6), "staff": True},
                         {"id": "external", "amount": round(spend * 0.4)}],
        "target": {"private_share": targets[-1], "min_result": rng.choice([-40_000, -10_000]),
                   "risk_measure": "cvar", "alpha": rng.choice([0.8, 0.9]),
                   "scenarios": rng.choice([10, 16]), "seed": rng.randrange(1000)},
        "horizon": horizon,
        "levers": [
            {"id": "gc", "type": "grant_cut", "revenue": "region", "max_fraction": 0.1,
             "round_to": 20_000, "downside": 0.1},
            fee, svc, eu],
    }
    if rng.random() < 0.6:
        raw["shocks"] = [{"revenue": "services", "low": rng.choice([0.6, 0.8]), "high": 1.0}]
    if rng.random() < 0.5:
        raw["uncertainty"] = {"common_factor": 0.5}
    return raw


def cvar_closed_form(losses: np.ndarray, alpha: float) -> float:
    """min over eta of eta + mean(max(0, L - eta)) / (1 - alpha), at one of the losses."""
    return min(float(eta + np.maximum(0.0, losses - eta).mean() / (1 - alpha))
               for eta in losses)


def draws(raw: dict) -> list[Scenarios]:
    """Year k's draws: stream OPTIMISE + 100 k (docs/MODEL.md, "CVaR over a path")."""
    one = json.loads(json.dumps(raw))
    one.pop("horizon")
    case = optimizer.load_case(one)
    t = raw["target"]
    return [Scenarios(case, t["scenarios"], t["seed"], OPTIMISE + 100 * k)
            for k in range(len(raw["horizon"]["years"]))]


def brute_force(raw: dict) -> float | None:
    """The least CVaR of the path's loss over every path that meets every year's rows."""
    h = raw["horizon"]
    K = len(h["years"])
    t = raw["target"]
    alpha = t["alpha"]
    rev = {r["id"]: r["amount"] for r in raw["revenues"]}
    spend0 = {e["id"]: e["amount"] for e in raw["expenditures"]}
    _gc, fee, svc, eu = raw["levers"]
    scs = draws(raw)
    n = t["scenarios"]
    gc_opts = list(range(0, int(0.1 * rev["region"]) + 1, 20_000))
    fee_opts = [round(i * fee["step"], 12) for i in range(round(0.1 / fee["step"]) + 1)]
    svc_opts = range(svc["max_units"] + 1)
    q, g = eu["success_rate"], eu["grant"]
    e0, f0 = fee["elasticity"], rev["fees"]
    shock = raw.get("shocks", [])
    reserves = h.get("reserves")
    floor = h.get("min_reserves", 0.0)
    best = None
    choices = list(itertools.product(gc_opts, fee_opts, svc_opts, (0, 1)))
    for path in itertools.product(choices, repeat=K):
        if any(path[k][0] < path[k - 1][0] or path[k][1] < path[k - 1][1]
               or (path[k - 1][2] > 0 and path[k][2] == 0) for k in range(1, K)):
            continue
        if any(path[k][2] - (path[k - 1][2] if k else 0) > svc["ramp_up"] for k in range(K)):
            continue
        ok = True
        held_nominal = reserves
        held = np.full(n, float(reserves or 0.0))
        loss = np.zeros(n)
        for k in range(K):
            v_gc, p, u, written = path[k]
            sc = scs[k]
            infl = (1 + h["inflation"]) ** k
            launched_now = u > 0 and all(path[j][2] == 0 for j in range(k))
            paying = sum(path[j][3] for j in range(k + 1) if j + 1 <= k < j + 3)
            # nominal figures
            change = f0 * ((1 + p) * (1 - e0 * p) - 1)
            private = (rev["fees"] + change + rev["services"] + svc["price"] * u
                       + q * g * paying)
            public = rev["region"] - v_gc + rev["state"]
            spending = (sum(spend0.values()) * infl + svc["unit_cost"] * u
                        + (svc["setup_cost"] if launched_now else 0)
                        + 0.8 * q * g * paying + eu["proposal_cost"] * written)
            result = private + public - spending
            if (private < h["targets"][k] * (private + public) - 1e-6
                    or result < t["min_result"] - 1e-6 or rev["fees"] + change < -1e-6):
                ok = False
                break
            if reserves is not None:
                held_nominal += result
                if held_nominal < floor - 1e-6:
                    ok = False
                    break
            # the same year in every scenario: favourable effects times the lever's factor
            base_services = rev["services"] * (sc.shock[("revenue", "services")]
                                               if shock else 1.0)
            e = sc.elasticity.get("fee", e0)
            change_s = f0 * ((1 + p) * (1 - e * p) - 1)
            f_fee = sc.factor["fee"]
            fee_s = f_fee * np.maximum(change_s, 0) + np.minimum(change_s, 0)
            private_s = (rev["fees"] + fee_s + base_services + sc.factor["svc"] * svc["price"] * u
                         + sc.factor["eu"] * q * g * paying)
            revenues_s = private_s + public
            result_s = revenues_s - spending
            year = np.maximum(0.0, np.maximum(t["min_result"] - result_s,
                                              h["targets"][k] * revenues_s - private_s))
            if reserves is not None:
                held = held + result_s
                year = np.maximum(year, floor - held)
            loss = loss + year / (1 + h["discount"]) ** k
        if not ok:
            continue
        value = cvar_closed_form(np.broadcast_to(loss, (n,)).astype(float), alpha)
        if best is None or value < best - 1e-9:
            best = value
    return best


def compare(years: int, seed: int) -> tuple[bool, str]:
    raw = tiny_case(random.Random(7919 * years + seed), years)
    expected = brute_force(raw)
    got = solve_horizon(raw, solver="highs", explain=False, outlook=False)
    if expected is None:
        return got.status.value == "infeasible", f"expected infeasible, got {got.status.value}"
    if got.status.value != "optimal" or got.cvar is None:
        return False, f"expected CVaR {expected:.2f}, got {got.status.value}"
    mine = got.cvar.cvar_path.cvar_loss
    same = abs(mine - expected) <= 1e-6 * abs(expected) + 0.5
    return same, f"expected CVaR {expected:.4f}, got {mine:.4f}"


CASES = [(2, s) for s in range(16)] + [(3, s) for s in range(4)]


@pytest.mark.parametrize("years,seed", CASES)
def test_cvar_path_agrees_with_brute_force(years: int, seed: int) -> None:
    same, text = compare(years, seed)
    assert same, text


def main(count: int) -> None:
    agree = total = 0
    for i in range(count):
        years = 3 if i % 5 == 4 else 2
        same, text = compare(years, 1000 + i)
        total += 1
        agree += same
        if not same:
            print(f"case {years} years, seed {1000 + i}: {text}")
    print(f"CVaR over a path vs brute force: {agree} of {total} random cases agree")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)

"""The horizon (docs/MODEL.md, "Horizon (issue 11)").

1. A one-year horizon gives today's answer: the same status and least EUR at risk on every
   bundled case and on seeded random cases.
2. An independent brute-force check of 2- and 3-year horizons of tiny cases, written from
   docs/MODEL.md's section (not from the code): every lever's value in every year is
   enumerated, each year's budget computed by hand, the links, rows and reserves checked,
   the least discounted EUR at risk kept.
3. The bundled four-year case: its path keeps the links a board expects, and the CLI
   prints it year by year.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest

import optimizer
from optimizer.analyses.horizon import solve_horizon
from tests.random_cases import random_case

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(p for p in (ROOT / "cases").glob("*.json")
                 if "horizon" not in json.loads(p.read_text()))


def one_year(raw: dict) -> dict:
    raw = json.loads(json.dumps(raw))
    raw["horizon"] = {"years": [2024], "targets": [raw["target"]["private_share"]]}
    return raw


def same_answer(raw: dict) -> None:
    today = optimizer.solve(raw, solver="highs", explain=False)
    path = solve_horizon(one_year(raw), solver="highs", explain=False)
    assert path.status == today.status
    if today.risk is not None:
        assert path.risk == pytest.approx(today.risk, rel=1e-6, abs=1e-3)
        ev = path.years[0].evaluation
        assert ev.private_share == pytest.approx(today.after.private_share, abs=1e-9)
        assert ev.members == pytest.approx(today.after.members, abs=1e-6)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_one_year_horizon_is_today_on_bundled_cases(path: Path) -> None:
    raw = json.loads(path.read_text())
    if raw["target"].get("risk_measure") == "cvar":
        raw["target"].pop("risk_measure")
    same_answer(raw)


@pytest.mark.parametrize("seed", range(40))
def test_one_year_horizon_is_today_on_random_cases(seed: int) -> None:
    same_answer(random_case(random.Random(seed)))


# ---------------------------------------------------------------- the brute force


def tiny_case(rng: random.Random, years: int) -> dict:
    """A cluster of about 1 M EUR with four small levers: a grant cut, a fee increase, a
    service with a set-up and a ramp-up, EU proposals paying one year later for two."""
    fees = rng.choice([150_000, 200_000, 250_000])
    services = rng.choice([100_000, 150_000])
    region = rng.choice([300_000, 400_000])
    spend = rng.choice([0.95, 1.0, 1.05]) * (fees + services + region + 100_000)
    t0 = (fees + services) / (fees + services + region + 100_000)
    targets = sorted(round(t0 + rng.uniform(0.0, 0.06), 3) for _ in range(years))
    return {
        "name": "tiny", "members": 200,
        "revenues": [{"id": "region", "amount": region, "public": True},
                     {"id": "state", "amount": 100_000, "public": True},
                     {"id": "fees", "amount": fees, "public": False},
                     {"id": "services", "amount": services, "public": False}],
        "expenditures": [{"id": "salaries", "amount": round(spend * 0.6), "staff": True},
                         {"id": "external", "amount": round(spend * 0.4)}],
        "target": {"private_share": targets[-1], "min_result": rng.choice([-40_000, -10_000])},
        "horizon": {"years": list(range(2024, 2024 + years)), "targets": targets,
                    "reserves": rng.choice([20_000, 60_000]), "min_reserves": 0,
                    "inflation": rng.choice([0.0, 0.02]), "discount": rng.choice([0.0, 0.05])},
        "levers": [
            {"id": "gc", "type": "grant_cut", "revenue": "region", "max_fraction": 0.1,
             "round_to": 20_000, "downside": 0.1},
            {"id": "fee", "type": "fee_increase", "max_increase": 0.1, "step": 0.05,
             "elasticity": rng.choice([0.5, 1.0])},
            {"id": "svc", "type": "service", "price": 10_000, "unit_cost": 3_000,
             "setup_cost": 8_000, "launch_risk": 2_000, "max_units": 3, "ramp_up": 2},
            {"id": "eu", "type": "eu_projects", "max_proposals": 1, "success_rate": 0.5,
             "grant": rng.choice([40_000, 80_000]), "proposal_cost": 5_000,
             "lag_years": 1, "project_years": 2},
        ],
    }


def brute_force(raw: dict) -> float | None:
    """The least discounted EUR at risk over every path, by enumeration (docs/MODEL.md)."""
    h = raw["horizon"]
    K = len(h["years"])
    rev = {r["id"]: r["amount"] for r in raw["revenues"]}
    public = {r["id"] for r in raw["revenues"] if r["public"]}
    spend0 = {e["id"]: e["amount"] for e in raw["expenditures"]}
    gc, fee, svc, eu = raw["levers"]
    region = rev["region"]
    gc_opts = [v for v in range(0, int(gc["max_fraction"] * region) + 1, gc["round_to"])]
    fee_opts = [0.0, 0.05, 0.1]
    svc_opts = range(0, svc["max_units"] + 1)
    eu_opts = range(0, eu["max_proposals"] + 1)
    e, m0, f0 = fee["elasticity"], raw["members"], rev["fees"]
    q, g = eu["success_rate"], eu["grant"]
    best = None
    choices = list(itertools.product(gc_opts, fee_opts, svc_opts, eu_opts))
    for path in itertools.product(choices, repeat=K):
        ok = True
        for k in range(1, K):
            # links: a grant cut and a fee increase stay; a launched service stays open and
            # grows by at most ramp_up a year
            if path[k][0] < path[k - 1][0] or path[k][1] < path[k - 1][1]:
                ok = False
            if path[k - 1][2] > 0 and path[k][2] == 0:
                ok = False
        if not ok or any(path[k][2] - (path[k - 1][2] if k else 0) > svc["ramp_up"]
                         for k in range(K)):
            continue
        total, held = 0.0, h["reserves"]
        for k in range(K):
            v_gc, p, u, _ = path[k]
            infl = (1 + h["inflation"]) ** k
            spend = sum(spend0.values()) * infl
            r = dict(rev)
            r["region"] -= v_gc
            change_fee = f0 * ((1 + p) * (1 - e * p) - 1)
            r["fees"] += change_fee
            launched_now = u > 0 and all(path[j][2] == 0 for j in range(k))
            r["services"] += svc["price"] * u
            spend += svc["unit_cost"] * u + (svc["setup_cost"] if launched_now else 0)
            paying = sum(path[j][3] for j in range(k + 1)
                         if j + eu["lag_years"] <= k < j + eu["lag_years"] + eu["project_years"])
            r["others_eu"] = q * g * paying
            spend += 0.8 * q * g * paying + eu["proposal_cost"] * path[k][3]
            private = sum(v for key, v in r.items() if key not in public)
            T = sum(r.values())
            if private < h["targets"][k] * T - 1e-6 or min(r.values()) < -1e-6:
                ok = False
                break
            result = T - spend
            if result < raw["target"]["min_result"] - 1e-6:
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


def with_eu_line(raw: dict) -> dict:
    raw = json.loads(json.dumps(raw))
    raw["revenues"].append({"id": "others", "amount": 0, "public": False})
    return raw


@pytest.mark.parametrize("years,seed", [(2, s) for s in range(12)] + [(3, s) for s in range(3)])
def test_brute_force_horizon(years: int, seed: int) -> None:
    raw = with_eu_line(tiny_case(random.Random(1000 * years + seed), years))
    expected = brute_force(raw)
    got = solve_horizon(raw, solver="highs", explain=False)
    if expected is None:
        assert got.status.value == "infeasible"
    else:
        assert got.status.value == "optimal"
        assert got.risk == pytest.approx(expected, rel=1e-6, abs=1e-3)


# ---------------------------------------------------------------- the bundled path


def test_bundled_four_year_path_keeps_its_links() -> None:
    result = solve_horizon(str(ROOT / "cases" / "aura-average-2024-2027.json"), solver="highs",
                           explain=False)
    assert result.status.value == "optimal"
    years = result.years
    assert [y.year for y in years] == [2024, 2025, 2026, 2027]
    for k, y in enumerate(years):
        assert y.evaluation.private_share >= y.target - 1e-9
        assert y.reserves_after >= 375_000 - 1e-6
        if k:
            assert y.plan["less-region"] >= years[k - 1].plan["less-region"] - 1e-9
            assert y.plan["training"] - years[k - 1].plan["training"] <= 25 + 1e-9
    assert math.isclose(result.risk, sum(y.evaluation.risk for y in years))


def test_horizon_refuses_bad_input_by_field() -> None:
    raw = json.loads((ROOT / "cases" / "aura-average-2024-2027.json").read_text())
    raw["horizon"]["targets"] = [0.5]
    with pytest.raises(optimizer.CaseError, match=r"horizon\.targets: one target per year"):
        optimizer.load_case(raw)

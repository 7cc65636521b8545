"""Larger realistic cases for the benchmarks, from a seed (figures in the ranges of
/work/shared/research/clusters-facts.md: 400 to 650 members, 1.5 to 2.6 M EUR, about half
public): fee and success-fee grids, integer services, EU proposals, cuts, a grant cut,
new members; the version-2 choices of the bundled cases (risk tolerance 0.01, the EU cap
on eligible costs, whole-thousand cuts).

    python bench/generated.py SEED [MEMBERS] > case.json
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any


def realistic_case(seed: int, members: int = 410) -> dict[str, Any]:
    rng = random.Random(seed)
    budget = round(members * rng.uniform(3600, 4400), -3)
    public = round(budget * rng.uniform(0.48, 0.55), -3)
    private = budget - public
    fees = round(private * rng.uniform(0.33, 0.4), -3)
    services = round(private * rng.uniform(0.28, 0.36), -3)
    others = private - fees - services
    salaries = round(budget * rng.uniform(0.45, 0.52), -3)
    external = round(budget * rng.uniform(0.36, 0.42), -3)
    overheads = budget - salaries - external
    fte = round(salaries / 66000, 1)
    region = round(public * 0.5, -3)
    return {
        "schema_version": 2,
        "name": f"Generated cluster of {members} members (seed {seed})",
        "revenues": [
            {"id": "region", "amount": region, "public": True},
            {"id": "state", "amount": public - region, "public": True},
            {"id": "fees", "amount": fees, "public": False},
            {"id": "services", "amount": services, "public": False},
            {"id": "others", "amount": others, "public": False},
        ],
        "expenditures": [
            {"id": "salaries", "amount": salaries, "staff": True},
            {"id": "external", "amount": external},
            {"id": "overheads", "amount": overheads},
        ],
        "members": members,
        "staff": {"fte": fte, "spare_fte": round(rng.uniform(0.6, 1.2), 1)},
        "target": {"private_share": 0.6, "min_result": 0,
                   "min_members": int(members * 0.93), "max_levers": 5,
                   "max_public_share_of_eligible": 0.5, "risk_tolerance": 0.01},
        "levers": [
            {"id": "cut-overheads", "type": "cut", "expenditure": "overheads",
             "max_fraction": 0.1, "min_amount": 5000, "round_to": 1000},
            {"id": "cut-external", "type": "cut", "expenditure": "external",
             "max_fraction": 0.12, "downside": 0.35, "min_amount": 5000, "round_to": 1000},
            {"id": "less-region", "type": "grant_cut", "revenue": "region",
             "max_fraction": 0.2, "downside": 0.05, "min_amount": 10000, "round_to": 1000},
            {"id": "fees-up", "type": "fee_increase", "max_increase": 0.3, "step": 0.01,
             "elasticity": round(rng.uniform(0.4, 0.7), 2)},
            {"id": "recruit", "type": "new_members", "max_new": int(members * 0.15),
             "cost_per_member": 150, "fte_per_member": 0.003},
            {"id": "training", "type": "service", "price": rng.choice([1100, 1200, 1350]),
             "unit_cost": 450, "max_units": 120, "fte_per_unit": 0.003},
            {"id": "studies", "type": "service", "price": 8500, "unit_cost": 3600,
             "max_units": 16, "min_units": 3, "setup_cost": 6000, "fte_per_unit": 0.02},
            {"id": "fund", "type": "service", "price": 6500, "unit_cost": 500,
             "max_units": 15, "setup_cost": 15000, "launch_risk": 12000,
             "fte_per_unit": 0.01},
            {"id": "success", "type": "success_fee", "volume": round(members * 22000, -5),
             "max_rate": 0.04, "step": 0.0025, "volume_elasticity": 4},
            {"id": "eu", "type": "eu_projects", "max_proposals": 8, "success_rate": 0.16,
             "grant": 220000, "cost_share": 0.8, "proposal_cost": 15000,
             "fte_per_project": 0.5, "fte_per_proposal": 0.05},
        ],
    }


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    members = int(sys.argv[2]) if len(sys.argv) > 2 else 410
    json.dump(realistic_case(seed, members), sys.stdout, indent=1)

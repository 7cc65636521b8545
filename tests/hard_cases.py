"""Cases that are hard for a MILP solver on purpose (valid MODEL.md cases, seeded).

- `knapsack_case(n, m, seed)`: a multi-dimensional covering knapsack of the
  Chu-Beasley kind (n custom 0/1 levers, m rules). Every lever at 1 is a plan,
  so both solvers find one at once, but proving the optimum with a gap of 1e-9
  takes minutes for n = 250, m = 10: a time limit stops them with a feasible
  plan that is not proven optimal.
- `market_split_case(m, n, seed)`: Cornuejols-Dawande market split (m equality
  rules over n 0/1 levers). Neither solver finds a plan nor proves there is
  none in hours for m = 5, n = 40: a time limit stops them without a plan, and
  a run without one is still solving when it is interrupted.
"""

from __future__ import annotations

import random
from typing import Any


def knapsack_case(n: int = 250, m: int = 10, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    weights = [[rng.randint(1, 1000) for _ in range(n)] for _ in range(m)]
    levers = []
    for j in range(n):
        profit = sum(weights[d][j] for d in range(m)) / m + 500 * rng.random()
        levers.append({"id": f"item-{j}", "type": "custom", "max": 1, "integer": True,
                       "revenues": {f"r{d}": weights[d][j] for d in range(m)},
                       "risk_per_unit": round(profit, 2)})
    rules = [{"name": f"cover {d}", "terms": {f"revenue:r{d}": 1}, "sense": ">=",
              "rhs": 1000 + round(0.75 * sum(weights[d]))} for d in range(m)]
    return {"name": f"multi-dimensional knapsack {n}x{m}",
            "revenues": [{"id": "region", "amount": 1e6, "public": True}]
            + [{"id": f"r{d}", "amount": 1000, "public": False} for d in range(m)],
            "expenditures": [{"id": "spending", "amount": 1e6}],
            "members": 100, "target": {"private_share": 0.001, "min_result": -1e9},
            "levers": levers, "rules": rules}


def market_split_case(m: int = 5, n: int = 40, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    a = [[rng.randint(0, 99) for _ in range(n)] for _ in range(m)]
    levers = [{"id": f"x-{j}", "type": "custom", "max": 1, "integer": True,
               "revenues": {f"r{d}": a[d][j] for d in range(m)}, "risk_per_unit": 1}
              for j in range(n)]
    rules = [{"name": f"split {d}", "terms": {f"revenue:r{d}": 1}, "sense": "==",
              "rhs": 1000 + sum(a[d]) // 2} for d in range(m)]
    return {"name": f"market split {m}x{n}",
            "revenues": [{"id": "region", "amount": 1e6, "public": True}]
            + [{"id": f"r{d}", "amount": 1000, "public": False} for d in range(m)],
            "expenditures": [{"id": "spending", "amount": 1e6}], "members": 10,
            "target": {"private_share": 0.001, "min_result": -1e9},
            "levers": levers, "rules": rules}


__all__ = ["knapsack_case", "market_split_case"]

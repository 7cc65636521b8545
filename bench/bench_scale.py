"""How large a case solves in under a second: levers x options.

    .venv/bin/python bench/bench_scale.py [--rounds 3] [--budget 1.0]

A case of L levers cycles through the eight lever types; its option levers (one
fee increase per private line, success fees) each offer K options, and every
other lever is as in tests/random_cases.py. For each (L, K) the in-process time
of `optimizer.solve(case, explain=False)` (the plan, proven optimal, with the
tie-break's second solve) and of the full `solve(case)` that `optimize` runs (plus
the marginal risk of one more point, or the diagnosis when infeasible) is the
median of --rounds runs, for CBC and HiGHS. The largest L x K under --budget
seconds is reported per solver.

Nothing here is a test: the figures go in the closing note of a change.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import optimizer

LEVERS = (8, 16, 32, 64, 128, 256)
OPTIONS = (5, 20, 50, 100)


def scale_case(levers: int, options: int, seed: int = 1) -> dict[str, Any]:
    """A plausible cluster with `levers` levers; option levers offer `options` options."""
    rng = random.Random(seed)
    fee_lines = max(1, levers // 8)
    revenues = [{"id": "region", "amount": 600_000, "public": True},
                {"id": "state", "amount": 250_000, "public": True},
                {"id": "services", "amount": 250_000, "public": False},
                {"id": "others", "amount": 200_000, "public": False}]
    revenues += [{"id": f"fees-{i}", "amount": round(300_000 / fee_lines), "public": False}
                 for i in range(fee_lines)]
    case: dict[str, Any] = {
        "name": f"scale {levers} levers x {options} options",
        "revenues": revenues,
        "expenditures": [{"id": "salaries", "amount": 700_000, "staff": True},
                         {"id": "external", "amount": 600_000},
                         {"id": "overheads", "amount": 200_000}],
        "members": 300, "staff": {"fte": 11, "spare_fte": 3.0},
        "target": {"private_share": 0.58, "min_result": -50_000, "max_levers": 6},
        "levers": [],
    }
    fees = iter(range(fee_lines))
    kinds = ["cut", "grant_cut", "fee_increase", "new_members", "service", "success_fee",
             "eu_projects", "custom"]
    for j in range(levers):
        kind = kinds[j % len(kinds)]
        lever: dict[str, Any] = {"id": f"{kind.replace('_', '-')}-{j}", "type": kind,
                                 "downside": round(rng.uniform(0.05, 0.6), 3)}
        if kind == "cut":
            lever.update(expenditure=rng.choice(["external", "overheads"]),
                         max_fraction=round(rng.uniform(0.02, 0.15), 3))
        elif kind == "grant_cut":
            lever.update(revenue=rng.choice(["region", "state"]),
                         max_fraction=round(rng.uniform(0.02, 0.2), 3))
        elif kind == "fee_increase":
            line = next(fees, None)
            if line is None:
                lever = {"id": lever["id"], "type": "success_fee", "volume": 2_000_000,
                         "max_rate": 0.05, "step": 0.05 / options, "volume_elasticity": 4}
            else:
                lever.update(revenue=f"fees-{line}", max_increase=0.3, step=0.3 / options,
                             elasticity=round(rng.uniform(0.2, 1.2), 2))
        elif kind == "new_members":
            lever.update(revenue="fees-0", max_new=rng.randint(5, 40), cost_per_member=150,
                         fte_per_member=0.004)
        elif kind == "service":
            price = rng.randint(500, 9000)
            lever.update(price=price, unit_cost=round(price * rng.uniform(0.2, 0.7)),
                         max_units=rng.randint(5, 80), fte_per_unit=0.003,
                         setup_cost=rng.choice([0, 5000, 15000]))
        elif kind == "success_fee":
            lever.update(volume=rng.randint(1, 8) * 1_000_000, max_rate=0.05,
                         step=0.05 / options, volume_elasticity=round(rng.uniform(0, 8), 1))
        elif kind == "eu_projects":
            lever.update(max_proposals=rng.randint(2, 8), success_rate=0.16,
                         grant=rng.randint(100, 400) * 1000, proposal_cost=15000,
                         fte_per_project=0.3, fte_per_proposal=0.05)
        else:
            unit = rng.randint(2000, 20000)
            lever.update(max=rng.choice([1, 5, 10]), integer=True,
                         revenues={"others": unit}, expenditures={"external": unit // 3},
                         risk_per_unit=round(unit * rng.uniform(0.1, 0.5)))
        case["levers"].append(lever)
    return case


def timed(case: dict[str, Any], solver: str, explain: bool, rounds: int) -> tuple[float, str]:
    loaded = optimizer.load_case(case)
    times, status = [], ""
    for _ in range(rounds):
        start = time.perf_counter()
        result = optimizer.solve(loaded, solver=solver, explain=explain, time_limit=120)
        times.append(time.perf_counter() - start)
        status = result.status.value
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=1.0)
    args = parser.parse_args()
    best: dict[tuple[str, bool], tuple[int, int, int, float]] = {}
    print(f"{'solver':6} {'levers':>6} {'options':>7} {'L x K':>6} {'plan s':>7} "
          f"{'full s':>7}  status")
    for solver in optimizer.SOLVERS:
        for levers in LEVERS:
            for options in OPTIONS:
                case = scale_case(levers, options)
                plan_s, status = timed(case, solver, False, args.rounds)
                full_s, _ = timed(case, solver, True, args.rounds)
                print(f"{solver:6} {levers:6} {options:7} {levers * options:6} {plan_s:7.3f} "
                      f"{full_s:7.3f}  {status}", flush=True)
                for explain, seconds in ((False, plan_s), (True, full_s)):
                    key = (solver, explain)
                    if seconds < args.budget and levers * options > best.get(key, (0,))[0]:
                        best[key] = (levers * options, levers, options, seconds)
    print(f"\nLargest levers x options under {args.budget:g} s:")
    for (solver, explain), (size, levers, options, seconds) in sorted(best.items()):
        what = "full solve (as optimize)" if explain else "plan only (explain=False)"
        print(f"  {solver:5} {what:26} {levers} levers x {options} options = {size} "
              f"({seconds:.2f} s)")


if __name__ == "__main__":
    main()

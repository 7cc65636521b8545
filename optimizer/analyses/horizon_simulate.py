"""`simulate_horizon(result, n, seed)`: the path in n drawn runs of its years (docs/MODEL.md,
"Horizon", "Simulating a path").

The plan is fixed: in each year every lever is at its planned value. Each year has its own
draws (year 0 the draws of `optimize --simulate` on a one-year case; year k an independent
stream), with the rules of the README's "Uncertainty": a lever's favourable effects in
the year (its `year_effects`: proposals written earlier that pay this year, a service's
set-up in its first year, members lost to a fee increase made earlier) times its drawn
factor, its costs committed, shocked baseline lines. The reserves carry each drawn
result to the next year of the same run.
"""

from __future__ import annotations

import numpy as np

from ..case.schema import DEFAULT_SEED
from ..levers.base import YearView, favourable
from ..plan.evaluate import PlanContext
from ..plan.scenarios import SIMULATE, Scenarios, check_draws
from ..results.horizon import HorizonResult
from ..results.horizon_simulation import HorizonSimulation, YearDraws

# Year k > 0 draws from stream SIMULATE + YEAR_STREAM x k: independent of every other year.
YEAR_STREAM = 100


def simulate_horizon(result: HorizonResult, n: int, seed: int = DEFAULT_SEED
                     ) -> HorizonSimulation:
    check_draws(n, seed)
    h = result.case.horizon
    assert h is not None
    count = len(result.years)
    held = None if h.reserves is None else np.full(n, float(h.reserves))
    years = []
    for k, y in enumerate(result.years):
        case = y.case
        sc = Scenarios(case, n, seed, SIMULATE + YEAR_STREAM * k)
        private, public, spending = sc.baseline()
        public_lines = {r.id for r in case.revenues if r.public}
        ctx = PlanContext(case, y.plan)
        for lever in case.levers:
            if not lever.enabled:
                continue
            values = [float(result.years[j].plan.get(lever.id, 0.0)) for j in range(k + 1)]
            eff = lever.year_effects(values, YearView(k, count), ctx)
            f = sc.factor[lever.id]
            for line, amount in eff.revenue.items():
                if line in public_lines:
                    public = public + favourable(amount, "revenue", f)
                else:
                    private = private + favourable(amount, "revenue", f)
            for amount in eff.expenditure.values():
                spending = spending + favourable(amount, "expenditure", f)
        full = np.zeros(n)
        private, public, spending = full + private, full + public, full + spending
        revenues = private + public
        share = np.divide(private, revenues, out=np.zeros_like(revenues), where=revenues > 0)
        result_k = revenues - spending
        if held is not None:
            held = held + result_k
        years.append(YearDraws(y.year, y.target, case.target.min_result, share, result_k,
                               None if held is None else held.copy()))
    return HorizonSimulation(n, seed, tuple(years),
                             None if h.reserves is None else h.min_reserves)


__all__ = ["YEAR_STREAM", "simulate_horizon"]

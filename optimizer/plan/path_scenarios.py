"""A path in every scenario of the CVaR program over a path, by arithmetic (docs/MODEL.md,
"CVaR over a path"): the recheck of `model.cvar_horizon`, as `scenarios.outcomes` is of the
one-year program.

Scenario s draws every year: year k from its own stream (year 0 the stream of the one-year
CVaR program, year k > 0 stream OPTIMISE + YEAR_STREAM x k), each year from the year's case
(its lines with inflation). In year k every lever's effects are its `year_scenario_lines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..case.schema import Case
from ..levers.base import YearView
from .evaluate import PlanContext
from .scenarios import OPTIMISE, Outcomes, Scenarios

# Year k > 0 draws from stream purpose + YEAR_STREAM x k (as a path's --simulate does).
YEAR_STREAM = 100

Path = Sequence[Mapping[str, float]]


def path_scenarios(cases: Sequence[Case], n: int, seed: int, stream: int = OPTIMISE
                   ) -> list[Scenarios]:
    """The draws of each year of a path (cases: the year cases)."""
    return [Scenarios(c, n, seed, stream + YEAR_STREAM * k) for k, c in enumerate(cases)]


def year_outcomes(cases: Sequence[Case], path: Path, k: int, sc: Scenarios) -> Outcomes:
    """Year k of the path in every scenario of its draws."""
    case = cases[k]
    count = len(cases)
    view = YearView(k, count)
    ctx = PlanContext(case, path[k])
    private, public, spending = sc.baseline()
    public_lines = {r.id for r in case.revenues if r.public}
    for lever in case.levers:
        if not lever.enabled:
            continue
        values = [float(path[j].get(lever.id, 0.0)) for j in range(k + 1)]
        revenue, expenditure = lever.year_scenario_lines(values, view, ctx, sc)
        for line, amount in revenue.items():
            if line in public_lines:
                public = public + amount
            else:
                private = private + amount
        for amount in expenditure.values():
            spending = spending + amount
    full = np.zeros(sc.n)
    return Outcomes(full + private, full + public, full + spending)


def path_loss(case: Case, cases: Sequence[Case], path: Path, scenarios: Sequence[Scenarios]
              ) -> np.ndarray:
    """The loss of the path in each scenario: the discounted sum over the years of the EUR
    missing to balance the year's budget, reach its target share or keep the reserves at
    their floor, whichever is most that year."""
    h = case.horizon
    assert h is not None
    n = scenarios[0].n
    total = np.zeros(n)
    held = np.full(n, float(h.reserves or 0.0))
    for k, ycase in enumerate(cases):
        out = year_outcomes(cases, path, k, scenarios[k])
        t = ycase.target
        year = np.maximum(0.0, np.maximum(t.min_result - out.result,
                                          t.private_share * out.revenues - out.private))
        if h.reserves is not None:
            held = held + out.result
            year = np.maximum(year, h.min_reserves - held)
        total = total + h.weight(k) * year
    return total


__all__ = ["YEAR_STREAM", "path_loss", "path_scenarios", "year_outcomes"]

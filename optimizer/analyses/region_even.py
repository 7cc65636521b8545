"""Where two funders pay the same cluster, the split of its cut between them changes no EUR
at risk: the least-risk program leaves it to the solver's path (the Region could cut a
cluster by 87.5 k EUR and the State by nothing, or 27.5 k and 60 k, at the same total
risk). A board cannot sign a split that is chosen by chance, so the split reported is the
even one: among plans of the same least risk, with the same whole-number choices, each
funder cuts the same share of what it pays the cluster, as far as the envelopes and the
cut limits allow (MODEL.md, "Even cuts between funders").

One LP on the joint program solved: every integer column fixed at the plan found, the
objective held at the plan's value (plus EVEN_TOL of it), and the least sum over those
clusters of |c_e - t A_e| / A_e (c_e the cut of funder e, A_e the line it pays today, t a
share of the cluster's own; with a region horizon, one t per cluster and year). The plan
found is kept when the LP has no optimum.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from ..model.region import RegionModel
from ..model.region_horizon import RegionHorizonModel
from ..solvers.highs import new_highs, run_highs, to_matrix
from ..status import Status

# The objective may rise by at most this share of itself (the region's gap is 1e-6).
EVEN_TOL = 1e-9


def shared_clusters(rm: RegionModel | RegionHorizonModel) -> list[str]:
    """The clusters paid by two envelopes or more."""
    return [cid for cid in rm.region.ids if len(rm.region.funded(cid)) >= 2]


def _groups(rm: RegionModel | RegionHorizonModel) -> list[list[tuple[Any, float]]]:
    """The cuts to even out together, each with the line it cuts (today's amount): one group
    per cluster paid by two envelopes or more (per cluster and year with a horizon)."""
    out: list[list[tuple[Any, float]]] = []
    for cid in shared_clusters(rm):
        funded = [(rm.cuts[cid][env.id], float(rm.region.case_of(cid).revenue(line).amount))
                  for env, line in rm.region.funded(cid)]
        funded = [(cut, amount) for cut, amount in funded if amount > 0]
        if isinstance(rm, RegionHorizonModel):
            out += [[(cut[k], amount) for cut, amount in funded] for k in range(len(rm.years))]
        else:
            out.append(funded)
    return [group for group in out if len(group) >= 2]


def even_cuts(rm: RegionModel | RegionHorizonModel, time_limit: float | None = None) -> bool:
    """Move the funders' cuts of rm's solved plan (its variables' values) to the even split
    at the same EUR at risk (year by year with a horizon); True when they were moved
    (rm.prob itself is not changed)."""
    groups = _groups(rm)
    if not groups:
        return False
    variables = {v.name: v for v in rm.prob.variables()}
    model = to_matrix(rm.prob)
    if any(variables[n].varValue is None for n in model.names):
        return False
    x = np.array([float(variables[n].varValue) for n in model.names])
    lower, upper = model.lower.copy(), model.upper.copy()
    ints = np.flatnonzero(model.integer)
    lower[ints] = upper[ints] = np.round(x[ints])
    n = len(model.names)
    inst = new_highs(replace(model, lower=lower, upper=upper, cost=np.zeros(n),
                             integer=np.zeros(n, dtype=bool)), time_limit)
    objective = model.cost * model.sense  # minimised
    target = float(objective @ x)
    held = np.flatnonzero(objective).astype(np.int32)
    inst.addRow(-math.inf, target + EVEN_TOL * max(1.0, abs(target)), len(held), held,
                objective[held])
    col = {name: j for j, name in enumerate(model.names)}
    for group in groups:
        inst.addVar(0.0, math.inf)  # t: the cluster's even share (that year)
        t = inst.getNumCol() - 1
        for cut, amount in group:
            inst.addVar(0.0, math.inf)  # d >= |c - t A|, priced 1 / A
            d = inst.getNumCol() - 1
            inst.changeColCost(d, 1.0 / amount)
            idx = np.array([d, col[cut.name], t], dtype=np.int32)
            inst.addRow(0.0, math.inf, 3, idx, np.array([1.0, -1.0, amount]))
            inst.addRow(0.0, math.inf, 3, idx, np.array([1.0, 1.0, -amount]))
    outcome = run_highs(inst, model)
    if outcome.status is not Status.OPTIMAL:
        return False
    for name, value in outcome.values.items():
        variables[name].varValue = value
    return True


__all__ = ["EVEN_TOL", "even_cuts", "shared_clusters"]

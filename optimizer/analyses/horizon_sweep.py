"""`--sweep` and `--frontier` of a horizon case (docs/MODEL.md, "Horizon", "Sweeps and
frontier of a path"): each point is a whole `solve_horizon` of the case with one value
changed (exact; no shortcut across points).

On a horizon, `target.private_share` names the final year's target: with
`horizon.targets` given, the sweep moves `horizon.targets.N` (N the last year).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..case.load import load_case
from ..case.schema import Case, apply_overrides
from ..errors import CaseError
from ..i18n import gettext as _
from ..model.horizon import year_cases
from ..results.horizon import HorizonResult
from ..results.horizon_sweep import HorizonPoint, HorizonSweep
from .horizon import highest_path_share, solve_horizon

DEFAULT_FRONTIER_POINTS = 11


def final_target_path(case: Case) -> str:
    """The path of the final year's target: horizon.targets.N, or target.private_share
    when the horizon gives no targets (then it is every year's)."""
    h = case.horizon
    assert h is not None
    return "target.private_share" if h.targets is None else f"horizon.targets.{len(h.years) - 1}"


def case_at(case: Case, path: str, value: Any) -> Case:
    raw = case.model_dump(mode="json", exclude_unset=True)
    if path == "target.private_share":
        path = final_target_path(case)
    return load_case(apply_overrides(raw, {path: value}))


def refuse_cvar(case: Case) -> None:
    """A sweep or frontier of a path reads and words the least total EUR at risk: a path of
    least CVaR is not offered there yet (docs/MODEL.md, "Not supported yet")."""
    if case.target.risk_measure == "cvar":
        raise CaseError(_("target.risk_measure: a sweep or frontier of a path with the CVaR "
                          "objective is not supported yet; remove target.risk_measure (or "
                          "--set target.risk_measure=eur_at_risk) for the path of least EUR "
                          "at risk"))


def point_of(value: Any, result: HorizonResult) -> HorizonPoint:
    last = result.years[-1] if result.years else None
    return HorizonPoint(
        value, result.status, result.risk,
        None if last is None else last.evaluation.private_share,
        tuple(lever.id for lever in result.case.levers
              if any(abs(float(y.plan.get(lever.id, 0.0))) > 1e-9 for y in result.years)),
        None if result.diagnosis is None else result.diagnosis.first_year)


def sweep_horizon(case: Case, path: str, values: Sequence[Any], solver: str = "highs",
                  time_limit: float | None = None,
                  progress: Callable[[int, int], None] | None = None) -> HorizonSweep:
    if case.horizon is None:
        raise CaseError(_("horizon: the case has no horizon; use optimizer.sweep"))
    refuse_cvar(case)
    cases = [case_at(case, path, v) for v in values]  # every value checked before a solve
    points = []
    for i, (v, c) in enumerate(zip(values, cases)):
        points.append(point_of(v, solve_horizon(c, solver, time_limit, explain=False,
                                                outlook=False)))
        if progress:
            progress(i + 1, len(values))
    return HorizonSweep(case, path, tuple(points))


def frontier_horizon(case: Case, points: int | None = None, solver: str = "highs",
                     time_limit: float | None = None) -> HorizonSweep:
    """The least total EUR at risk for final-year targets from the final year's share
    before the plan to the highest it reaches with the earlier targets met, `points`
    targets evenly spaced (default 11)."""
    h = case.horizon
    if h is None:
        raise CaseError(_("horizon: the case has no horizon; use optimizer.frontier"))
    refuse_cvar(case)
    count = points or DEFAULT_FRONTIER_POINTS
    cases = year_cases(case)
    last = len(cases) - 1
    top = highest_path_share(case, cases, last, frozenset(range(last)), solver, time_limit)
    if top is None:
        raise CaseError(_("--frontier: no path meets the earlier years' targets and the other "
                          "rows; run optimize without --frontier to see what blocks it"))
    from ..plan.evaluate import evaluate

    start = evaluate(cases[last], {}).private_share
    top = max(top - 1e-7, start)
    # Six digits, never above the top (rounding half up could pass it: infeasible).
    ceiling = max(math.floor(top * 1e6) / 1e6, round(start, 6))
    targets = [min(round(start + (top - start) * i / (count - 1), 6), ceiling)
               for i in range(count)]
    return sweep_horizon(case, final_target_path(case), targets, solver, time_limit)


__all__ = ["DEFAULT_FRONTIER_POINTS", "final_target_path", "frontier_horizon",
           "sweep_horizon"]

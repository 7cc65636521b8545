"""`path_outlook(result)`: the honest report of a path (docs/MODEL.md, "Horizon", "Honest
reports of a path"), as `quick_outlook` is for one year: the path found, drawn in
OUTLOOK_SCENARIOS runs of its years with seed OUTLOOK_SEED (`simulate_horizon`: the same
draws as `--simulate`), and, when it holds in fewer than PathOutlook.LOW of the runs, one
extra solve: does a path exist at these targets that holds if one more lever (than
`target.robust` asks today) delivers only its low case?"""

from __future__ import annotations

import numpy as np

from ..case.load import load_case
from ..case.schema import Case, apply_overrides
from ..model.horizon import build_horizon, year_cases
from ..results.horizon import HorizonResult
from ..results.horizon_outlook import PathOutlook, RobustCheck, YearOutlook
from ..solvers import run
from .horizon_simulate import simulate_horizon

# As the one-year outlook (analyses/solve.py): 10,000 runs, seed 1.
OUTLOOK_SCENARIOS = 10_000
OUTLOOK_SEED = 1


def path_outlook(result: HorizonResult, solver: str = "highs",
                 time_limit: float | None = None, *, n: int = OUTLOOK_SCENARIOS,
                 seed: int = OUTLOOK_SEED, robust: bool = True) -> PathOutlook | None:
    """How often the path holds in drawn years (None when there is no path).

    robust: when it holds too rarely, also check whether a robust path exists (a path of
    least CVaR leaves it out)."""
    if not result.years:
        return None
    sim = simulate_horizon(result, n, seed)
    every_target = np.ones(n, dtype=bool)
    every_result = np.ones(n, dtype=bool)
    reserves: np.ndarray | None = None
    years = []
    for k, y in enumerate(sim.years):
        met, res = y.target_met, y.result_ok
        ok = sim.reserves_ok(k)
        every_target &= met
        every_result &= res
        if ok is not None:
            reserves = ok.copy() if reserves is None else reserves & ok
        years.append(YearOutlook(y.year, float(met.mean()), float(res.mean()),
                                 None if ok is None else float(ok.mean())))
    holds = every_target & every_result
    if reserves is not None:
        holds &= reserves
    outlook = PathOutlook(n, seed, tuple(years), float(every_target.mean()),
                          float(every_result.mean()),
                          None if reserves is None else float(reserves.mean()),
                          float(holds.mean()))
    if outlook.low and robust:
        check = robust_check(result.case, solver, time_limit)
        if check is not None:
            outlook = PathOutlook(outlook.scenarios, outlook.seed, outlook.years,
                                  outlook.p_every_target, outlook.p_every_result,
                                  outlook.p_reserves_always_ok, outlook.p_all, check)
    return outlook


def robust_check(case: Case, solver: str, time_limit: float | None) -> RobustCheck | None:
    """One solve of the case with `target.robust` one higher (None when every enabled
    lever is protected already): whether such a path exists, and its least EUR at risk."""
    levers = sum(1 for lever in case.levers if lever.enabled)
    level = case.target.robust + 1
    if level > levers:
        return None
    raw = case.model_dump(mode="json", exclude_unset=True)
    safer = load_case(apply_overrides(raw, {"target.robust": level}))
    model = build_horizon(safer, cases=year_cases(safer))
    outcome = run(model.prob, solver, time_limit)
    exists = outcome.has_plan
    risk = None
    if exists:
        value = model.risk.value() if hasattr(model.risk, "value") else float(model.risk)
        risk = float(value or 0.0)
    return RobustCheck(level, exists, risk, outcome.status.value)


__all__ = ["OUTLOOK_SCENARIOS", "OUTLOOK_SEED", "path_outlook", "robust_check"]

"""The path of least CVaR (docs/MODEL.md, "CVaR over a path"): the horizon's model with
every row of every year, its objective replaced by the CVaR of the path's loss over
scenarios that draw every year (`model.cvar_horizon`). The path found is rechecked by
arithmetic: every row of the horizon (`path_violations`), and the CVaR of its losses
computed by `plan.path_scenarios` must equal the solver's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..case.schema import Case
from ..errors import SolverError
from ..i18n import gettext as _
from ..model.cvar import tail_value
from ..model.cvar_horizon import add_path_scenarios
from ..model.horizon import build_horizon, year_cases
from ..plan.evaluate import tolerance
from ..plan.path_scenarios import path_loss, path_scenarios
from ..plan.scenarios import cvar
from ..results.cvar_horizon import PathCvar, PathFigures
from ..results.horizon import HorizonResult
from ..solvers import run
from ..status import Status
from .cvar import settings
from .horizon import evaluate_path, path_violations, weighted_risk, year_results
from .plans import audit_trail


def path_cvar(case: Case, cases: Sequence[Case], path: Sequence[Mapping[str, float]]
              ) -> float:
    """The CVaR at the target's alpha of a path's loss over the target's scenarios."""
    alpha, n, seed = settings(case)
    return cvar(path_loss(case, cases, path, path_scenarios(cases, n, seed)), alpha)


def solve_cvar_horizon(case: Case, solver: str, time_limit: float | None,
                       plain: HorizonResult, *, overrides: Mapping[str, Any] | None = None,
                       outlook: bool = True) -> HorizonResult:
    """The path of least CVaR of the path's loss, compared with the path of least EUR at
    risk (plain: the solved EUR-at-risk path of the same case, with a path)."""
    alpha, n, seed = settings(case)
    cases = year_cases(case)
    scenarios = path_scenarios(cases, n, seed)
    model = build_horizon(case, cases=cases)
    eta, us = add_path_scenarios(model, scenarios, alpha)
    outcome = run(model.prob, solver, time_limit)
    audit = audit_trail(case, solver, outcome, overrides or {}, time_limit=time_limit,
                        seeds={"cvar_scenarios": seed})
    if not outcome.has_plan:
        return HorizonResult(case, outcome.status, solver, (), False, outcome.detail, None,
                             plain.warnings, audit)
    path = model.read_path()
    evs = evaluate_path(cases, path)
    broken = path_violations(case, cases, path, evs)
    if broken:
        raise SolverError(_("the {solver} path fails our own recheck: {problems}. Try the other "
                            "solver (--solver) and report the case.").format(
                                solver=solver, problems="; ".join(broken)))
    mine = cvar(path_loss(case, cases, path, scenarios), alpha)
    theirs = tail_value(eta, us, alpha)
    slack = 10 * sum(tolerance(c) for c in cases) + 1e-6 * abs(mine)
    proven = outcome.status is Status.OPTIMAL
    if mine > theirs + slack or (proven and abs(mine - theirs) > slack):
        raise SolverError(f"the CVaR of the {solver} path is {mine:.2f} by arithmetic but "
                          f"{theirs:.2f} in the model; please report the case")
    plain_path = [dict(y.plan) for y in plain.years]
    figures = PathCvar(
        alpha, n, seed,
        PathFigures(tuple(plain_path), plain.risk or 0.0,
                    cvar(path_loss(case, cases, plain_path, scenarios), alpha)),
        PathFigures(tuple(dict(p) for p in path), weighted_risk(case, evs), mine))
    result = HorizonResult(case, outcome.status, solver, year_results(case, cases, path, evs),
                           proven, outcome.detail, None, plain.warnings, audit, cvar=figures)
    if outlook:
        from .horizon_outlook import path_outlook

        result = dataclasses.replace(
            result, outlook=path_outlook(result, solver, time_limit, robust=False))
    return result


__all__ = ["path_cvar", "solve_cvar_horizon"]

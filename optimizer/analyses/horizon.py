"""`solve_horizon(case)`: the transition path of a case with a `horizon` (docs/MODEL.md,
"Horizon (issue 11)"): build, solve, recheck by arithmetic, choose among plans of equal
least risk as version 2 does, and explain a path out of reach year by year."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..case.load import load_case
from ..case.schema import Case
from ..errors import CaseError, SolverError
from ..i18n import gettext as _
from ..levers.base import YearView
from ..model.horizon import HorizonModel, build_horizon, year_cases
from ..model.milp import RELAXABLE
from ..plan.evaluate import Evaluation, change_of, evaluate, tolerance, violations
from ..plan.path import year_robust_margins, year_robust_share
from ..results.horizon import HorizonDiagnosis, HorizonResult, YearResult
from ..solvers import SolverName, run
from ..status import Status
from .plans import TIE_BREAK_SLACK_ABS, TIE_BREAK_SLACK_REL, audit_trail, case_warnings

Path = list[dict[str, float]]


def evaluate_path(cases: Sequence[Case], path: Sequence[Mapping[str, float]]
                  ) -> list[Evaluation]:
    """Each year's figures by arithmetic: every lever's `year_effects` from its values in
    the years up to that one."""
    count = len(cases)
    out = []
    for k, ycase in enumerate(cases):
        def effects_of(lever: Any, value: float, ctx: Any, k: int = k) -> Any:
            values = [float(path[j].get(lever.id, 0.0)) if lever.enabled else 0.0
                      for j in range(k + 1)]
            return lever.year_effects(values, YearView(k, count), ctx)
        out.append(evaluate(ycase, path[k], effects_of))
    return out


def reserves_path(case: Case, evs: Sequence[Evaluation]) -> list[tuple[float, float]] | None:
    """(reserves at the start, at the end) of each year, when the case gives reserves."""
    h = case.horizon
    if h is None or h.reserves is None:
        return None
    held = h.reserves
    out = []
    for ev in evs:
        out.append((held, held + ev.result))
        held += ev.result
    return out


def path_violations(case: Case, cases: Sequence[Case], path: Sequence[Mapping[str, float]],
                    evs: Sequence[Evaluation]) -> list[str]:
    """Every row of the horizon the path breaks, beyond round-off, in words."""
    h = case.horizon
    assert h is not None
    out: list[str] = []
    count = len(cases)
    for k, ycase in enumerate(cases):
        check = ycase
        if count > 1 and ycase.target.robust:
            # The one-year recheck of robust rows reads one-year effects: a longer path's
            # robust rows are rechecked with each year's effects (plan/path.py).
            check = ycase.model_copy(update={"target": ycase.target.model_copy(
                update={"robust": 0})})
            share_margin, result_margin = year_robust_margins(ycase, path, k, count)
            tol = tolerance(ycase)
            g = ycase.target.robust
            if share_margin < -tol:
                out.append(f"{h.years[k]}: the target is missed by {-share_margin:.2f} EUR of "
                           f"private revenue when {g} lever(s) deliver only their low case")
            if result_margin < -tol:
                out.append(f"{h.years[k]}: the result falls {-result_margin:.2f} below "
                           f"min_result when {g} lever(s) deliver only their low case")
        out += [f"{h.years[k]}: {v}" for v in violations(check, evs[k], path[k])]
    for lever in case.levers:
        if lever.enabled:
            out += lever.path_problems([float(p.get(lever.id, 0.0)) for p in path], case)
    held = reserves_path(case, evs)
    if held is not None:
        for k, (_start, end) in enumerate(held):
            if end < h.min_reserves - tolerance(cases[k]):
                out.append(f"{h.years[k]}: reserves {end:,.2f} below min_reserves "
                           f"{h.min_reserves:,.0f}")
    return out


def weighted_risk(case: Case, evs: Sequence[Evaluation]) -> float:
    h = case.horizon
    assert h is not None
    return sum(h.weight(k) * ev.risk for k, ev in enumerate(evs))


def solve_horizon(case: Case | Mapping[str, Any] | str, solver: str = "highs",
                  time_limit: float | None = None, *, explain: bool = True,
                  overrides: Mapping[str, Any] | None = None, outlook: bool = True
                  ) -> HorizonResult:
    """The path of least total EUR at risk that meets every year's target and rows.

    outlook: the quick simulation of the path and, when it holds too rarely, whether a
    robust path exists (`horizon_outlook.path_outlook`; sweeps leave it out)."""
    case = load_case(case)
    if case.horizon is None:
        raise CaseError(_("horizon: the case has no horizon; use optimizer.solve"))
    solver = SolverName.parse(solver).value
    if time_limit is not None and not (isinstance(time_limit, int | float) and time_limit > 0
                                       and math.isfinite(time_limit)):
        raise CaseError(_("time_limit: must be a positive number of seconds, got {value}").format(
            value=repr(time_limit)))
    if case.target.risk_measure == "cvar":
        # The path of least CVaR (docs/MODEL.md, "CVaR over a path"), as one year does
        # (analyses/solve.py): the EUR-at-risk path first, the comparison's first column,
        # and the whole answer (with its diagnosis) when the targets are out of reach.
        from .cvar import eur_at_risk_case

        plain = solve_horizon(eur_at_risk_case(case), solver, time_limit, explain=explain,
                              overrides=overrides, outlook=False)
        if not plain.years:
            return dataclasses.replace(plain, case=case)
        return _cvar_path(case, solver, time_limit, plain, overrides, outlook)
    cases = year_cases(case)
    warnings = tuple(case_warnings(cases[0]))
    model = build_horizon(case, cases=cases)
    outcome = run(model.prob, solver, time_limit)
    audit = audit_trail(case, solver, outcome, overrides or {}, time_limit=time_limit)
    if outcome.status is Status.INFEASIBLE:
        diagnosis = diagnose_horizon(case, cases, solver, time_limit) if explain else None
        return HorizonResult(case, Status.INFEASIBLE, solver, (), False, outcome.detail,
                             diagnosis, warnings, audit)
    if not outcome.has_plan:
        return HorizonResult(case, outcome.status, solver, (), False, outcome.detail,
                             None, warnings, audit)
    path = model.read_path()
    evs = evaluate_path(cases, path)
    broken = path_violations(case, cases, path, evs)
    if broken:
        raise SolverError(_("the {solver} path fails our own recheck: {problems}. Try the other "
                            "solver (--solver) and report the case.").format(
                                solver=solver, problems="; ".join(broken)))
    proven = outcome.status is Status.OPTIMAL
    if proven:
        path, evs = choose_path(model, cases, solver, time_limit, path, evs)
    result = HorizonResult(case, outcome.status, solver, year_results(case, cases, path, evs),
                           proven, outcome.detail, None, warnings, audit)
    if outlook:
        from .horizon_outlook import path_outlook

        result = dataclasses.replace(result, outlook=path_outlook(result, solver, time_limit))
    return result


def _cvar_path(case: Case, solver: str, time_limit: float | None, plain: HorizonResult,
               overrides: Mapping[str, Any] | None, outlook: bool) -> HorizonResult:
    """The path of least CVaR (analyses/cvar_horizon.py), rechecked row by row as any path,
    beside the path of least EUR at risk (plain)."""
    from ..results.cvar_horizon import PathCvar, PathFigures
    from .cvar_horizon import least_cvar_path

    cases = year_cases(case)
    plain_path = [dict(y.plan) for y in plain.years]
    found = least_cvar_path(case, cases, solver, time_limit, plain_path)
    outcome = found.outcome
    audit = audit_trail(case, solver, outcome, overrides or {}, time_limit=time_limit,
                        seeds={"cvar_scenarios": found.seed})
    if found.path is None or found.cvar_loss is None:
        return HorizonResult(case, outcome.status, solver, (), False, outcome.detail, None,
                             plain.warnings, audit)
    path = found.path
    evs = evaluate_path(cases, path)
    broken = path_violations(case, cases, path, evs)
    if broken:
        raise SolverError(_("the {solver} path fails our own recheck: {problems}. Try the other "
                            "solver (--solver) and report the case.").format(
                                solver=solver, problems="; ".join(broken)))
    figures = PathCvar(
        found.alpha, found.scenarios, found.seed,
        PathFigures(tuple(plain_path), plain.risk or 0.0, found.plain_cvar_loss),
        PathFigures(tuple(dict(p) for p in path), weighted_risk(case, evs), found.cvar_loss))
    result = HorizonResult(case, outcome.status, solver, year_results(case, cases, path, evs),
                           outcome.status is Status.OPTIMAL, outcome.detail, None,
                           plain.warnings, audit, cvar=figures)
    if outlook:
        from .horizon_outlook import path_outlook

        result = dataclasses.replace(
            result, outlook=path_outlook(result, solver, time_limit, robust=False))
    return result


def year_results(case: Case, cases: Sequence[Case], path: Path, evs: Sequence[Evaluation]
                 ) -> tuple[YearResult, ...]:
    h = case.horizon
    assert h is not None
    held = reserves_path(case, evs)
    return tuple(
        YearResult(h.years[k], cases[k], dict(path[k]), evs[k], evaluate(cases[k], {}),
                   h.weight(k), held[k][0] if held else None, held[k][1] if held else None)
        for k in range(len(cases)))


def choose_path(model: HorizonModel, cases: Sequence[Case], solver: str,
                time_limit: float | None, path: Path, evs: list[Evaluation]
                ) -> tuple[Path, list[Evaluation]]:
    """Among paths within the risk tolerance of the least risk, the most member-years,
    then the fewest euros moved (as `plans.choose_plan` for one year). Mutates model."""
    case = model.case
    risk = weighted_risk(case, evs)
    slack = max(TIE_BREAK_SLACK_REL * abs(risk), TIE_BREAK_SLACK_ABS)
    tol = sum(tolerance(c) for c in cases)
    floor = None
    best = (path, evs)
    if model.members_vary():
        cap = risk * (1 + case.target.risk_tolerance) + slack
        found = _resolve(model, cases, solver, time_limit, "members", cap, None)
        if found is None:
            return path, evs
        members = sum(ev.members for ev in found[1])
        floor = members - 1e-6 * max(1.0, abs(members))
        if sum(ev.members for ev in evs) < floor or weighted_risk(case, evs) > cap + tol:
            best = found
    else:
        cap = risk + slack
    found = _resolve(model, cases, solver, time_limit, "change", cap, floor)
    moved = sum(change_of(ev) for ev in best[1])
    if found is not None and sum(change_of(ev) for ev in found[1]) <= moved - max(1.0,
                                                                                  1e-6 * moved):
        best = found
    return best


def _resolve(model: HorizonModel, cases: Sequence[Case], solver: str,
             time_limit: float | None, objective: str, cap: float, floor: float | None
             ) -> tuple[Path, list[Evaluation]] | None:
    """The path of most member-years ("members") or fewest euros moved ("change") with the
    risk at most cap (and member-years at least floor), rechecked; None if it fails."""
    if objective == "members":
        model.most_members_objective(cap)
    else:
        model.least_change_objective(cap, floor)
    outcome = run(model.prob, solver, time_limit)
    if outcome.status is not Status.OPTIMAL:
        return None
    path = model.read_path()
    evs = evaluate_path(cases, path)
    tol = sum(tolerance(c) for c in cases)
    if (path_violations(model.case, cases, path, evs) or weighted_risk(model.case, evs) > cap + tol
            or (floor is not None and sum(ev.members for ev in evs) < floor - 1e-9)):
        return None
    return path, evs


def highest_share(model: HorizonModel, k: int, solver: str, time_limit: float | None,
                  start: float) -> float | None:
    """The highest private share of year k in the model (Dinkelbach: maximise P - s T,
    then s = P / T, until s stops rising); None when the model has no plan."""
    s = start
    best = None
    for _round in range(30):
        model.share_objective(k, s)
        outcome = run(model.prob, solver, time_limit)
        if outcome.status is not Status.OPTIMAL:
            return best
        q = model.years[k].quantity
        private, total = q["private"].value(), q["revenues"].value()
        new = private / total if total else 0.0
        best = new if best is None else max(best, new)
        if new <= s + 1e-9:
            return best
        s = new
    return best


def highest_path_share(case: Case, cases: Sequence[Case], k: int, share_years: frozenset[int],
                       solver: str, time_limit: float | None,
                       model: HorizonModel | None = None) -> float | None:
    """The highest private share of year k over paths that meet every row of every year
    and the targets of `share_years` (year k's own target left out). With
    `target.robust` = G, the share year k keeps when its G weakest levers deliver only
    their low case (Dinkelbach on the robust row, each step a new model; each share
    found rechecked by arithmetic, plan/path.py); None when no path meets the rows.
    model: a model built with these share_years, reused when robust is 0."""
    years = share_years - {k}
    if not case.target.robust:
        if model is None:
            model = build_horizon(case, share_years=years, cases=list(cases))
        return highest_share(model, k, solver, time_limit, 0.0)
    count = len(cases)
    s, best = 0.0, None
    for _round in range(30):
        m = build_horizon(case, share_years=years, cases=list(cases),
                          share_objective=(k, s))
        outcome = run(m.prob, solver, time_limit)
        if outcome.status is not Status.OPTIMAL:
            return best
        new = year_robust_share(cases[k], m.read_path(), k, count)
        best = new if best is None else max(best, new)
        if new <= s + 1e-9:
            return best
        s = new
    return best


def diagnose_horizon(case: Case, cases: Sequence[Case], solver: str, time_limit: float | None
                     ) -> HorizonDiagnosis | None:
    """The first year whose target is out of reach (the earlier targets met), the highest
    share of each year with no target at all, and what blocks the first year."""
    h = case.horizon
    assert h is not None
    count = len(cases)
    free = None if case.target.robust else build_horizon(case, share_years=frozenset(),
                                                          cases=list(cases))
    highest: dict[int, float] = {}
    for k in range(count):
        s = highest_path_share(case, cases, k, frozenset(), solver, time_limit, free)
        if s is None:
            return None  # no path meets the other rows, whatever the targets
        highest[h.years[k]] = s
    first, reached = count - 1, highest[h.years[-1]]
    for k in range(count):
        if k == 0:
            s = highest[h.years[0]]
        else:
            s = highest_path_share(case, cases, k, frozenset(range(k)), solver, time_limit)
            s = 0.0 if s is None else s
        if s < cases[k].target.private_share - 1e-9:
            first, reached = k, s
            break
    groups = list(RELAXABLE) + ["reserves"] + [f"rule:{r.name}" for r in case.rules]
    blocking = []
    for group in groups:
        m = build_horizon(case, relax=frozenset({group}),
                          share_years=frozenset(range(first + 1)), cases=list(cases))
        if run(m.prob, solver, time_limit).status is Status.OPTIMAL:
            blocking.append(group)
    return HorizonDiagnosis(h.years[first], highest, reached, tuple(blocking))


__all__ = ["choose_path", "diagnose_horizon", "evaluate_path", "highest_path_share",
           "path_violations", "solve_horizon"]

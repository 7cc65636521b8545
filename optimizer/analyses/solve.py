"""`solve(case)`: build, solve, recheck, explain. The library's main entry point.

Dispatches on the objective: EUR at risk (MODEL.md version 1) here, the CVaR of the
loss in `analyses.cvar`. When the target is out of reach the diagnosis explains why
(`analyses.diagnose`); the marginal risk of one more point comes from `plans`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..case.load import load_case
from ..case.schema import Case
from ..errors import CaseError, SolverError
from ..i18n import gettext as _
from ..model.milp import TIE_BREAK, build_model
from ..model.scaling import scaling_warnings
from ..plan.evaluate import Evaluation, evaluate, objective_gap, tolerance, violations
from ..results.result import Alternative, MembersChoice, Outlook, Result
from ..results.simulation import simulate_plan
from ..solvers import SolverName, run
from ..status import Status
from .cvar import eur_at_risk_case, solve_cvar
from .diagnose import diagnose, max_private_share
from .plans import audit_trail, binding, case_warnings, checked_plan, choose_plan, marginal_risk

# The quick simulation every report carries (MODEL.md v2, "Honest reports").
OUTLOOK_SCENARIOS = 10_000
OUTLOOK_SEED = 1


def solve(
    case: Case | Mapping[str, Any] | str,
    solver: str = "cbc",
    time_limit: float | None = None,
    *,
    explain: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> Result:
    """Find the plan that reaches the case's target private share at the least EUR at risk.

    explain: also compute the marginal risk of one more point of target (one more
    solve) and, when the target is out of reach, the diagnosis (several solves).
    Never modifies `case`. Infeasibility is a status of the result, not an exception.
    """
    case = load_case(case)
    solver = SolverName.parse(solver).value
    if time_limit is not None and not (isinstance(time_limit, int | float)
                                       and not isinstance(time_limit, bool)
                                       and time_limit > 0 and math.isfinite(time_limit)):
        raise CaseError(f"time_limit: must be a positive number of seconds, got {time_limit!r}")
    if case.target.risk_measure == "cvar":
        # The tail-risk objective (README, "Uncertainty"). The version 1 plan first: the
        # comparison's first column, and the whole answer (with its diagnosis) when the
        # target is out of reach, since the constraints are the same.
        plain = solve(eur_at_risk_case(case), solver, time_limit, explain=False,
                      overrides=overrides)
        if plain.plan is None:
            if plain.status is Status.INFEASIBLE and explain:
                plain = solve(eur_at_risk_case(case), solver, time_limit, overrides=overrides)
            return dataclasses.replace(plain, case=case)
        return solve_cvar(case, solver, time_limit, plain, overrides=overrides)
    warnings = case_warnings(case)
    model = build_model(case)
    warnings += scaling_warnings(model)
    outcome = run(model.prob, solver, time_limit)
    audit = audit_trail(case, solver, outcome, overrides or {}, time_limit=time_limit)
    before = evaluate(case, {})

    if outcome.status is Status.INFEASIBLE:
        diagnosis = diagnose(case, solver, time_limit) if explain else None
        if diagnosis is not None and diagnosis.best_plan is not None and not violations(
                case, evaluate(case, diagnosis.best_plan), diagnosis.best_plan):
            # The diagnosis found a plan that meets every constraint, target included.
            raise SolverError(f"{solver} said the case is infeasible, but its diagnosis found "
                              "a plan that passes our own recheck (the model is probably badly "
                              "scaled, see the warnings). Try the other solver (--solver).")
        return Result(case, Status.INFEASIBLE, solver, None, None, before, False,
                      outcome.detail, diagnosis=diagnosis, warnings=tuple(warnings), audit=audit)
    if not outcome.has_plan:
        return Result(case, outcome.status, solver, None, None, before, False, outcome.detail,
                      warnings=tuple(warnings), audit=audit)

    plan, evaluation = checked_plan(model, solver)
    gap = objective_gap(outcome.objective, evaluation, TIE_BREAK, tolerance(case))
    if gap:
        raise SolverError(_("the {solver} plan fails our own recheck: {gap} (the model is "
                            "probably badly scaled). Try the other solver (--solver).").format(
                                solver=solver, gap=gap))
    proven = outcome.status is Status.OPTIMAL
    choice = None
    least = evaluation.risk
    if proven:
        plan, evaluation = choose_plan(model, solver, time_limit, plan, evaluation)
        if case.target.risk_tolerance > 0:
            choice = members_choice(case, solver, time_limit, least, evaluation)
    marginal = None
    outlook = None
    if explain and proven:
        marginal = marginal_risk(case, solver, time_limit)
    alternatives: tuple[Alternative, ...] = ()
    if explain:
        outlook = quick_outlook(case, plan)
        if proven:
            alternatives = safer_plans(case, solver, time_limit, evaluation, outlook)
    return Result(case, outcome.status, solver, MappingProxyType(plan), evaluation, before, proven,
                  outcome.detail, marginal=marginal, binding=tuple(binding(case, evaluation, plan)),
                  warnings=tuple(warnings), audit=audit, outlook=outlook, members_choice=choice,
                  least_risk=least, alternatives=alternatives)


def _with_target(case: Case, **update: Any) -> Case:
    return case.model_copy(update={"target": case.target.model_copy(update=update)})


def safer_plans(case: Case, solver: str, time_limit: float | None, chosen: Evaluation,
                outlook: Outlook) -> tuple[Alternative, ...]:
    """What a board asks next, at the same target (MODEL.md v2, "Honest reports"):

    - when the plan loses members: the least risky plan that keeps every member
      (target.max_members_lost = 0), or that there is none;
    - when the plan holds in fewer than 80% of simulated years: the least risky plan that
      survives one more lever delivering only its low case (target.robust + 1) and how often
      it holds, or, when none reaches the target, the highest share one does."""
    out: list[Alternative] = []
    if chosen.members_lost >= 0.5:
        kind = _with_target(case, max_members_lost=0)
        r = solve(kind, solver, time_limit, explain=False)
        if r.evaluation is not None and r.status is Status.OPTIMAL:
            out.append(Alternative("keep_members", "target.max_members_lost", 0,
                                   r.evaluation.risk, r.evaluation.risk - chosen.risk))
        elif r.status is Status.INFEASIBLE:
            out.append(Alternative("keep_members", "target.max_members_lost", 0, None, None))
    enabled = sum(1 for lever in case.levers if lever.enabled)
    g = case.target.robust + 1
    if outlook.low and g <= enabled:
        safer = _with_target(case, robust=g)
        r = solve(safer, solver, time_limit, explain=False)
        if r.evaluation is not None and r.plan is not None and r.status is Status.OPTIMAL:
            p = quick_outlook(safer, r.plan).p_both
            out.append(Alternative("robust", "target.robust", g, r.evaluation.risk,
                                   r.evaluation.risk - chosen.risk, p_both=p))
        elif r.status is Status.INFEASIBLE:
            statuses: list[Status] = []
            top, _found = max_private_share(safer, solver, time_limit, statuses=statuses)
            proven_top = bool(statuses) and statuses[-1] is Status.OPTIMAL
            out.append(Alternative("robust", "target.robust", g, None, None,
                                   top_share=top if proven_top else None))
    return tuple(out)


def members_choice(case: Case, solver: str, time_limit: float | None, least: float,
                   chosen: Evaluation) -> MembersChoice:
    """The least-risk plan (the same case with no risk tolerance, every fee option offered)
    and its members, against the chosen plan (MODEL.md v2, "Members count")."""
    plain = _with_target(case, risk_tolerance=0.0)
    model = build_model(plain)
    outcome = run(model.prob, solver, time_limit)
    if outcome.status is Status.OPTIMAL:
        first, ev = checked_plan(model, solver)
        least = ev.risk
        _, ev = choose_plan(model, solver, time_limit, first, ev)
        members = ev.members
    else:
        members = chosen.members
    return MembersChoice(case.target.risk_tolerance, least, members, chosen.members, chosen.risk)


def quick_outlook(case: Case, plan: Mapping[str, float]) -> Outlook:
    """How often the plan holds in a quick simulation (MODEL.md v2, "Honest reports")."""
    sim = simulate_plan(case, plan, OUTLOOK_SCENARIOS, OUTLOOK_SEED)
    return Outlook(OUTLOOK_SCENARIOS, OUTLOOK_SEED, sim.p_target_met, sim.p_result_ok,
                   sim.p_no_loss)


__all__ = ["OUTLOOK_SCENARIOS", "OUTLOOK_SEED", "members_choice", "quick_outlook", "safer_plans",
           "solve"]

"""The plan that minimises the tail: CVaR of the loss over sampled scenarios.

`solve_cvar` keeps every constraint of the version 1 model and replaces its
objective by the CVaR program (`model.cvar.add_scenarios`). The plan found is
rechecked by arithmetic: the nominal constraints, and the CVaR of its losses
computed by `plan.scenarios` (the simulation's code) must equal the solver's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..case.schema import DEFAULT_SCENARIOS, DEFAULT_SEED, Case
from ..errors import SolverError
from ..model.cvar import add_scenarios, tail_value
from ..model.milp import build_model
from ..plan.evaluate import tolerance
from ..plan.scenarios import DEFAULT_SIMULATION, OPTIMISE, Scenarios, cvar, loss, outcomes
from ..results.cvar import CvarComparison, PlanFigures
from ..results.result import Result
from ..solvers import run
from ..status import Status
from .plans import audit_trail, binding, checked_plan


def settings(case: Case) -> tuple[float, int, int]:
    t = case.target
    return (t.cvar_alpha, DEFAULT_SCENARIOS if t.scenarios is None else t.scenarios,
            DEFAULT_SEED if t.seed is None else t.seed)


def eur_at_risk_case(case: Case) -> Case:
    """The same case with the version 1 objective (EUR at risk)."""
    target = case.target.model_copy(update={"risk_measure": None})
    return case.model_copy(update={"target": target})


def solve_cvar(case: Case, solver: str, time_limit: float | None, plain: Result, *,
               overrides: Mapping[str, Any] | None = None) -> Result:
    """The plan of least CVaR of the loss, compared with the plan of least EUR at risk.

    plain: the solved EUR-at-risk plan of the same case (`eur_at_risk_case`), with a plan.
    """
    alpha, n, seed = settings(case)

    sc = Scenarios(case, n, seed, OPTIMISE)
    model = build_model(case)
    eta, us = add_scenarios(model, sc, alpha)
    outcome = run(model.prob, solver, time_limit)
    audit = audit_trail(case, solver, outcome, overrides or {}, time_limit=time_limit,
                   seeds={"cvar_scenarios": seed})
    warnings = plain.warnings
    if not outcome.has_plan:
        return Result(case, outcome.status, solver, None, None, plain.before, False,
                      outcome.detail, warnings=warnings, audit=audit)
    plan, ev = checked_plan(model, solver, "CVaR plan")
    mine = cvar(loss(case, outcomes(case, plan, sc)), alpha)
    theirs = tail_value(eta, us, alpha)
    slack = 10 * tolerance(case) + 1e-6 * abs(mine)
    proven = outcome.status is Status.OPTIMAL
    if mine > theirs + slack or (proven and abs(mine - theirs) > slack):
        raise SolverError(f"the CVaR of the {solver} plan is {mine:.2f} by arithmetic but "
                          f"{theirs:.2f} in the model; please report the case")
    plain_plan = dict(plain.plan or {})
    comparison = CvarComparison(
        alpha, n, seed,
        PlanFigures(MappingProxyType(plain_plan), plain.risk or 0.0,
                    cvar(loss(case, outcomes(case, plain_plan, sc)), alpha)),
        PlanFigures(MappingProxyType(dict(plan)), ev.risk, mine),
    ).with_simulations(case, DEFAULT_SIMULATION, seed)
    return Result(case, outcome.status, solver, MappingProxyType(plan), ev, plain.before, proven,
                  outcome.detail, binding=tuple(binding(case, ev, plan)), warnings=warnings,
                  audit=audit, cvar=comparison)


def in_sample_cvar(case: Case, plan: Mapping[str, float]) -> float:
    """The CVaR at the target's alpha of a plan's loss over the target's scenarios."""
    alpha, n, seed = settings(case)
    sc = Scenarios(case, n, seed, OPTIMISE)
    return cvar(loss(case, outcomes(case, plan, sc)), alpha)


__all__ = ["eur_at_risk_case", "in_sample_cvar", "settings", "solve_cvar"]

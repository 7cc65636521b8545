"""Why a case is infeasible: the highest reachable share (Dinkelbach) and what blocks the
target (each constraint, and each lever's bounds, relaxed alone and the case re-solved)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..case.schema import Case
from ..fmt import count, currency, general
from ..i18n import gettext as _
from ..i18n import ngettext
from ..levers.base import LeverBase
from ..plan.evaluate import evaluate, robust_share
from ..results.result import Diagnosis
from ..status import Status
from .plans import solve_plan

# Dinkelbach iterations for the highest reachable share; each one strictly improves.
MAX_SHARE_ITERATIONS = 50


def max_private_share(case: Case, solver: str = "cbc", time_limit: float | None = None,
                      relax: frozenset[str] = frozenset(), *,
                      statuses: list[Status] | None = None
                      ) -> tuple[float | None, dict[str, float] | None]:
    """The highest private share the levers reach under all the other constraints.

    statuses: when given, each solve's status is appended to it. The share is proven
    only when the last one is optimal (a time limit can stop the search or its proof);
    (None, None) after an infeasible first solve means no plan meets the other
    constraints, whatever the target.

    Dinkelbach's method: maximise private - t x revenues, set t to the share of the
    plan found, repeat until no plan beats t. Exact (each step is an exact MILP). With
    `target.robust` = G, the share is the one the plan keeps when its G weakest levers
    deliver only their low case (the model takes their shortfall at t off the objective).
    """
    relax = relax | {"share"}
    t = 0.0
    best_plan: dict[str, float] | None = None
    for _iteration in range(MAX_SHARE_ITERATIONS):
        outcome, plan = solve_plan(case, solver, time_limit, relax=relax, objective="share",
                                   share_weight=t)
        if statuses is not None:
            statuses.append(outcome.status)
        if not outcome.has_plan or plan is None:
            return (None, None) if best_plan is None else (t, best_plan)
        ev = evaluate(case, plan)
        if ev.total_revenues <= 0:
            return t, best_plan
        # With a robust target, the share the plan keeps when its weakest levers fail.
        share = robust_share(case, plan)
        if share <= t + 1e-9:
            return t, best_plan
        t, best_plan = share, plan
    return t, best_plan


def relaxed_bounds(lever: LeverBase, case: Case) -> dict[str, Any] | None:
    """The lever with its bounds opened by an order of magnitude (None: nothing to relax)."""
    p = lever.relaxed_bounds(case)
    if all(getattr(lever, k) == v for k, v in p.items()):
        return None
    return p


def _bound_words(lever: LeverBase, relaxed: Mapping[str, Any]) -> str:
    parts = [f"{k} = {general(getattr(lever, k))}" for k in relaxed
             if getattr(lever, k) != relaxed[k]]
    return _("lever '{lever}' could go beyond its bound ({bounds})").format(
        lever=lever.name, bounds=", ".join(parts))


def diagnose(case: Case, solver: str = "cbc", time_limit: float | None = None) -> Diagnosis:
    """Why a case is infeasible: the highest reachable share and what blocks the target."""
    best, best_plan = max_private_share(case, solver, time_limit)
    candidates: list[tuple[str, str, Case, frozenset[str]]] = []
    t = case.target
    candidates.append(("result", _("the result could fall below {amount} {cur} (the "
                                   "balanced-budget requirement)").format(
                           amount=count(t.min_result), cur=currency(case.currency)), case,
                       frozenset({"result"})))
    if any(lever.enabled and lever.uses_capacity(case) for lever in case.levers):
        candidates.append(("capacity", _("staff capacity were not limited to {fte} spare FTE")
                           .format(fte=general(case.spare_fte)), case, frozenset({"capacity"})))
    if t.min_members is not None:
        candidates.append(("min_members", _("membership could drop below {n}").format(
                           n=t.min_members), case,
                           frozenset({"min_members"})))
    if t.max_levers is not None:
        candidates.append(("max_levers", ngettext(
                           "more than {n} lever could be combined",
                           "more than {n} levers could be combined", t.max_levers).format(
                           n=t.max_levers),
                           case, frozenset({"max_levers"})))
    for rule in case.rules:
        candidates.append((rule.name, _("the rule '{rule}' were lifted").format(rule=rule.name),
                           case,
                           frozenset({f"rule:{rule.name}"})))
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        relaxed = relaxed_bounds(lever, case)
        if relaxed is None:
            continue
        levers = list(case.levers)
        levers[i] = lever.model_copy(update=relaxed)
        candidates.append((f"levers.{lever.id}.bounds", _bound_words(lever, relaxed),
                           case.model_copy(update={"levers": levers}), frozenset()))
    blocking: list[str] = []
    texts: list[str] = []
    for name, text, variant, relax in candidates:
        outcome, _plan = solve_plan(variant, solver, time_limit, relax=relax)
        if outcome.status is Status.OPTIMAL or outcome.has_plan:
            blocking.append(name)
            texts.append(text)
    return Diagnosis(best, tuple(blocking), tuple(texts),
                     MappingProxyType(best_plan) if best_plan is not None else None)


__all__ = ["MAX_SHARE_ITERATIONS", "diagnose", "max_private_share", "relaxed_bounds"]

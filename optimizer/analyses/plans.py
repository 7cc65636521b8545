"""The steps every analysis shares: solve a model and read its plan, recheck it by
arithmetic, the least-change tie-break, the marginal risk, the binding constraints, the
warnings and the audit trail.

This is where a model meets a solver (`model/` builds, `solvers/` solves).
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping
from typing import Any

import pulp

from .._version import __version__
from ..case.load import provenance
from ..case.schema import Case
from ..errors import SolverError
from ..fmt import count, currency, general, pct_short
from ..i18n import gettext as _
from ..i18n import ngettext
from ..model.milp import Model, build_model
from ..plan.evaluate import Evaluation, change_of, evaluate, tolerance, violations
from ..results.base import frozen
from ..results.result import Marginal
from ..solvers import get_solver, run
from ..status import SolverOutcome, Status

# The tie-break may move the risk by this much (MODEL.md allows 1e-6 relative): the
# smallest slack at which CBC, reading the model from a file, always finds the optimum again.
TIE_BREAK_SLACK_REL = 1e-7
TIE_BREAK_SLACK_ABS = 1e-6


def _meaningful_change(moved: float) -> float:
    """How many fewer euros a tie-break plan must move to replace the first plan."""
    return max(1.0, 1e-6 * moved)


class ModelSteps:
    """The extra solves of the choice among plans (MODEL.md v2, steps 2 and 3) on a built
    PuLP model, each by the solver as `optimize` runs it. The sensitivity engine has its own
    (the same HiGHS instance re-solved in place); the choice itself is `choose_plan_with`.
    Mutates the model."""

    def __init__(self, model: Model, solver: str, time_limit: float | None):
        self.model, self.solver, self.time_limit = model, solver, time_limit

    def members_vary(self) -> bool:
        return self.model.members_vary()

    def most_members(self, risk_cap: float) -> dict[str, float] | None:
        """The plan of most members with its risk at most risk_cap; None unless proven."""
        self.model.most_members_objective(risk_cap)
        outcome = run(self.model.prob, self.solver, self.time_limit)
        return self.model.read_plan() if outcome.status is Status.OPTIMAL else None

    def least_change(self, risk_cap: float, members_floor: float | None
                     ) -> dict[str, float] | None:
        """The plan that moves the fewest euros with its risk at most risk_cap (and members at
        least members_floor); None unless proven."""
        self.model.least_change_objective(risk_cap, members_floor)
        outcome = run(self.model.prob, self.solver, self.time_limit)
        return self.model.read_plan() if outcome.status is Status.OPTIMAL else None


def least_change(model: Model, solver: str, time_limit: float | None, plan: dict[str, float],
                 evaluation: Evaluation, *, members_floor: float | None = None,
                 risk_cap: float | None = None) -> tuple[dict[str, float], Evaluation]:
    """Among the plans of minimum risk, the one that moves the fewest euros (README, Tie-break).

    The weighted tie-break of the first solve is too small for the solvers' tolerances: on
    about 2 % of random cases CBC and HiGHS returned plans of equal risk that moved tens of
    thousands of euros more or less. So a second solve minimises the change with the risk
    held at the minimum found (+1e-7 relative). Its plan replaces the first only when it
    passes the recheck, keeps the risk within that slack and moves no more euros; otherwise
    (a time limit, say) the first plan, proven optimal for the risk, stands. Mutates model.
    """
    return _least_change(ModelSteps(model, solver, time_limit), model.case, plan, evaluation,
                         members_floor=members_floor, risk_cap=risk_cap)


def _least_change(steps: Any, case: Case, plan: dict[str, float], evaluation: Evaluation, *,
                  members_floor: float | None = None, risk_cap: float | None = None
                  ) -> tuple[dict[str, float], Evaluation]:
    risk = evaluation.risk
    cap = risk + max(TIE_BREAK_SLACK_REL * abs(risk), TIE_BREAK_SLACK_ABS) \
        if risk_cap is None else risk_cap
    second = steps.least_change(cap, members_floor)
    if second is None:
        return plan, evaluation
    ev = evaluate(case, second)
    floor = -math.inf if members_floor is None else members_floor
    if (violations(case, ev, second) or ev.risk > cap + tolerance(case)
            or ev.members < floor - 1e-9
            or change_of(ev) > change_of(evaluation) - _meaningful_change(change_of(evaluation))):
        # Keep the first plan unless the second moves meaningfully fewer euros: the risk
        # slack must not buy a 29,999.996 EUR cut in place of a round 30,000.
        return plan, evaluation
    return second, ev


# Members are whole people: a plan keeps "more" members only by more than this.
MEMBERS_SLACK = 1e-6


def most_members(model: Model, solver: str, time_limit: float | None, risk_cap: float
                 ) -> tuple[dict[str, float], Evaluation] | None:
    """The plan that keeps the most members with its risk at most risk_cap (MODEL.md v2,
    step 2), rechecked; None when the solve or the recheck fails. Mutates model."""
    return _most_members(ModelSteps(model, solver, time_limit), model.case, risk_cap)


def _most_members(steps: Any, case: Case, risk_cap: float
                  ) -> tuple[dict[str, float], Evaluation] | None:
    plan = steps.most_members(risk_cap)
    if plan is None:
        return None
    ev = evaluate(case, plan)
    if violations(case, ev, plan) or ev.risk > risk_cap + tolerance(case):
        return None
    return plan, ev


def choose_plan(model: Model, solver: str, time_limit: float | None, plan: dict[str, float],
                evaluation: Evaluation) -> tuple[dict[str, float], Evaluation]:
    """Among the plans within the risk tolerance of the least risk, the one that keeps the
    most members, then moves the fewest euros (MODEL.md v2, "Members count"; with no
    tolerance and no lever that moves members, the version-1 tie-break). Mutates model."""
    return choose_plan_with(ModelSteps(model, solver, time_limit), model.case, plan, evaluation)


def choose_plan_with(steps: Any, case: Case, plan: dict[str, float], evaluation: Evaluation
                     ) -> tuple[dict[str, float], Evaluation]:
    """`choose_plan` with the extra solves made by steps (`ModelSteps`, or the sensitivity
    engine's in-place re-solves): one rule, whoever solves."""
    risk = evaluation.risk
    tol = case.target.risk_tolerance
    cap = risk * (1 + tol) + max(TIE_BREAK_SLACK_REL * abs(risk), TIE_BREAK_SLACK_ABS)
    if not steps.members_vary():
        return _least_change(steps, case, plan, evaluation)
    best = _most_members(steps, case, cap)
    if best is None:
        return plan, evaluation
    members = best[1].members
    floor = members - MEMBERS_SLACK * max(1.0, abs(members))
    if evaluation.members >= floor and evaluation.risk <= cap + tolerance(case):
        # The first plan already keeps the most members: the version-1 rule decides.
        return _least_change(steps, case, plan, evaluation, members_floor=floor, risk_cap=cap)
    return _least_change(steps, case, best[0], best[1], members_floor=floor, risk_cap=cap)


def checked_plan(model: Model, solver: str, what: str = "plan"
                 ) -> tuple[dict[str, float], Evaluation]:
    """The solved plan and its figures, rechecked by arithmetic against every constraint.

    A plan that breaks one beyond round-off is a solver failure (exit 4), never an answer.
    """
    plan = model.read_plan()
    evaluation = evaluate(model.case, plan)
    broken = violations(model.case, evaluation, plan)
    if broken:
        raise SolverError(_("the {solver} {what} fails our own recheck: {problems}. Try the "
                            "other solver (--solver) and report the case.").format(
                                solver=solver, what=what, problems="; ".join(broken)))
    return plan, evaluation


def solve_plan(case: Case, solver: str, time_limit: float | None, **build: Any
               ) -> tuple[SolverOutcome, dict[str, float] | None]:
    model = build_model(case, **build)
    outcome = run(model.prob, solver, time_limit)
    return outcome, (model.read_plan() if outcome.has_plan else None)


def marginal_risk(case: Case, solver: str, time_limit: float | None) -> Marginal | None:
    target = round(case.target.private_share + 0.01, 10)
    if target >= 1:
        return None
    outcome, plan = solve_plan(case, solver, time_limit, share=target)
    if outcome.status is Status.OPTIMAL and plan is not None:
        return Marginal(target, Status.OPTIMAL, evaluate(case, plan).risk)
    return Marginal(target, outcome.status, None)


def binding(case: Case, ev: Evaluation, plan: Mapping[str, float]) -> list[str]:
    """The constraints the plan presses against, in words."""
    tol = tolerance(case)
    t = case.target
    out: list[str] = []
    if ev.private - t.private_share * ev.total_revenues <= tol * 10:
        out.append(_("private share target ({share})").format(share=pct_short(t.private_share)))
    if ev.result - t.min_result <= tol * 10:
        out.append(_("result (at least {amount} {cur})").format(
            amount=count(t.min_result), cur=currency(case.currency)))
    uses = any(abs(e.fte_use) > 0 for e in ev.effects.values())
    if uses and case.spare_fte - ev.fte_use <= 1e-6:
        out.append(_("staff capacity ({fte} spare FTE)").format(fte=general(case.spare_fte)))
    if t.min_members is not None and ev.members - t.min_members <= 1e-6:
        out.append(_("minimum membership ({n})").format(n=t.min_members))
    used = sum(1 for e in ev.effects.values() if e.used)
    if t.max_levers is not None and used >= t.max_levers:
        out.append(ngettext("at most {n} lever", "at most {n} levers", t.max_levers).format(
            n=t.max_levers))
    for rule in case.rules:
        lhs = sum(c * ev.quantity(q) for q, c in rule.terms.items())
        if rule.sense == "==" or abs(lhs - rule.rhs) <= tol * 10 * max(
                1.0, sum(abs(c) for c in rule.terms.values())):
            out.append(_("rule '{rule}'").format(rule=rule.name))
    for lever in case.levers:
        value = plan.get(lever.id, 0.0)
        up = lever.upper_bound(case)
        if lever.enabled and up > 0 and value >= up - 1e-6 * max(1.0, up):
            out.append(_("lever '{lever}' at its maximum").format(lever=lever.name))
    for line, amount in {**ev.revenues, **ev.expenditures}.items():
        if amount <= tol and any(line in e.revenue or line in e.expenditure
                                 for e in ev.effects.values() if e.used):
            out.append(_("line '{line}' down to zero").format(line=line))
    return out


def levers_text(count: int) -> str:
    return ngettext("{n} lever", "{n} levers", count).format(n=count)


def case_warnings(case: Case) -> list[str]:
    """Things the user probably did not mean; the plan is still exact for the case as written."""
    out: list[str] = []
    for i, lever in enumerate(case.levers):
        out += lever.warnings(case, i)
    budget = max([r.amount for r in case.revenues] + [e.amount for e in case.expenditures])
    if budget > 1e10:
        out.append(_("amounts above 10 billion: check the unit (annual EUR, not cents)"))
    staff = case.staff
    if staff is not None and staff.fte is not None and staff.spare_fte > staff.fte:
        out.append(_("staff.spare_fte: {spare} spare FTE is more than the whole staff "
                     "(staff.fte = {fte}); spare capacity is the part of the team's FTE not yet "
                     "used, so check the figure").format(spare=general(staff.spare_fte),
                                                         fte=general(staff.fte)))
    return out


def audit_trail(case: Case, solver: str, outcome: SolverOutcome, overrides: Mapping[str, Any],
           *, time_limit: float | None = None, seeds: Mapping[str, int] | None = None
           ) -> Mapping[str, Any]:
    """What a funder needs to reproduce the figure years later (read-only, all the way down).

    seeds: the random seeds that shaped the figures (CVaR scenarios, simulations), by use.
    """
    digest, origin = provenance(case)
    backend = get_solver(solver)
    version = outcome.solver_version or backend.version()
    return frozen({
        "seeds": dict(seeds or {}),
        "case_sha256": digest,
        "case_source": origin,
        "overrides": dict(overrides),
        "solver": str(solver),
        "solver_version": version,
        "solver_options": backend.options(time_limit),
        "package_version": __version__,
        "pulp_version": pulp.__version__,
        "python": platform.python_version(),
    })


__all__ = ["TIE_BREAK_SLACK_ABS", "TIE_BREAK_SLACK_REL", "ModelSteps", "audit_trail", "binding",
           "case_warnings", "checked_plan", "choose_plan", "choose_plan_with", "least_change",
           "levers_text", "marginal_risk", "most_members", "solve_plan"]

"""A plan's figures by plain arithmetic: effects, the budget after, violations, tolerance.

Every figure a result reports comes from `evaluate(case, plan)`: the levers' own
`effects` at the chosen values, summed line by line. Nothing is read from the
solver but the decision values, so each figure can be rechecked by hand.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..case.schema import Case
from ..levers.base import EPS, Effects


class PlanContext:
    """The evaluation context of a plan: a fee increase at its planned value."""

    def __init__(self, case: Case, plan: Mapping[str, float]):
        self.case = case
        self.plan = plan

    def fee_increase_on(self, revenue: str) -> float:
        for lever in self.case.levers:
            if lever.enabled and lever.raises_fee_on() == revenue:
                return float(self.plan.get(lever.id, 0.0))
        return 0.0


@dataclass(frozen=True)
class Evaluation:
    """A plan's figures, computed by arithmetic from the lever values."""

    effects: Mapping[str, Effects]
    revenues: Mapping[str, float]  # after the plan, by line id
    expenditures: Mapping[str, float]
    private: float
    public: float
    total_revenues: float
    total_expenditures: float
    result: float
    members: float
    fte_use: float
    risk: float
    # Version 2: members the levers drive away, eligible costs after the plan, and today's
    # values that rules may name (`private_before`, `revenue_before:ID`, ...).
    members_lost: float = 0.0
    eligible: float = 0.0
    before: Mapping[str, float] = dataclasses.field(default_factory=dict)

    @property
    def private_share(self) -> float:
        return self.private / self.total_revenues if self.total_revenues else 0.0

    def quantity(self, name: str) -> float:
        """A rule quantity (MODEL.md constraint 7, and version 2's) after the plan."""
        simple = {"private": self.private, "public": self.public, "revenues": self.total_revenues,
                  "expenditures": self.total_expenditures, "result": self.result,
                  "members": self.members, "risk": self.risk, "eligible": self.eligible}
        if name in simple:
            return simple[name]
        if name in self.before:
            return self.before[name]
        kind, _, ident = name.partition(":")
        if kind == "revenue":
            return self.revenues[ident]
        if kind == "expenditure":
            return self.expenditures[ident]
        return self.effects[ident].value


def evaluate(case: Case, plan: Mapping[str, float],
             effects_of: Callable[[Any, float, PlanContext], Effects] | None = None
             ) -> Evaluation:
    """The figures of a plan (lever id -> decision value; missing levers are at 0).

    effects_of(lever, value, ctx): a lever's effects other than its one-year `effects`
    (one year of a horizon: `year_effects`)."""
    ctx = PlanContext(case, plan)
    effects: dict[str, Effects] = {}
    revenues = {r.id: r.amount for r in case.revenues}
    expenditures = {e.id: e.amount for e in case.expenditures}
    members = float(case.members)
    fte = risk = lost = 0.0
    eligible_lines = {e.id for e in case.expenditures if e.eligible}
    eligible = case.eligible_total
    for lever in case.levers:
        value = float(plan.get(lever.id, 0.0)) if lever.enabled else 0.0
        eff = lever.effects(value, ctx) if effects_of is None else effects_of(lever, value, ctx)
        eff = dataclasses.replace(eff, revenue=MappingProxyType(dict(eff.revenue)),
                                  expenditure=MappingProxyType(dict(eff.expenditure)))
        effects[lever.id] = eff
        for line, amount in eff.revenue.items():
            revenues[line] += amount
        for line, amount in eff.expenditure.items():
            expenditures[line] += amount
            if lever.counts_in_eligible and line in eligible_lines:
                eligible += amount
        members += eff.members
        lost += max(0.0, -eff.members)
        fte += eff.fte_use
        risk += eff.risk
    private = sum(revenues[r.id] for r in case.revenues if not r.public)
    public = sum(revenues[r.id] for r in case.revenues if r.public)
    total_exp = sum(expenditures.values())
    return Evaluation(MappingProxyType(effects), MappingProxyType(revenues),
                      MappingProxyType(expenditures), private, public, private + public,
                      total_exp, private + public - total_exp, members, fte, risk, lost,
                      eligible, MappingProxyType(before_values(case)))


def before_values(case: Case) -> dict[str, float]:
    """Today's values that rules may name (MODEL.md v2): `private_before`, ...,
    `revenue_before:ID`, `expenditure_before:ID`."""
    private, public = case.private_total, case.public_total
    spending = sum(e.amount for e in case.expenditures)
    out = {"private_before": private, "public_before": public,
           "revenues_before": private + public, "expenditures_before": spending,
           "result_before": private + public - spending, "members_before": float(case.members),
           "eligible_before": case.eligible_total}
    out.update({f"revenue_before:{r.id}": r.amount for r in case.revenues})
    out.update({f"expenditure_before:{e.id}": e.amount for e in case.expenditures})
    return out


def shortfalls(case: Case, plan: Mapping[str, float], t: float
               ) -> tuple[dict[str, float], dict[str, float]]:
    """What each lever's low case takes from the share row (private - t x revenues) and
    from the result, the others as planned (MODEL.md v2, "Robust targets")."""
    ctx = PlanContext(case, plan)
    public = {r.id for r in case.revenues if r.public}
    share: dict[str, float] = {}
    result: dict[str, float] = {}
    for lever in case.levers:
        if not lever.enabled:
            continue
        value = float(plan.get(lever.id, 0.0))
        eff = lever.effects(value, ctx)
        low_revenue, low_spending = lever.low_lines(value, ctx)
        d_share = d_result = 0.0
        for line, amount in eff.revenue.items():
            lost = amount - low_revenue.get(line, 0.0)
            d_result += lost
            d_share += (-t if line in public else 1 - t) * lost
        for line, amount in eff.expenditure.items():
            d_result += low_spending.get(line, 0.0) - amount
        share[lever.id], result[lever.id] = d_share, d_result
    return share, result


def worst_case(values: Mapping[str, float], budget: int) -> float:
    """The most that `budget` levers take together: the sum of the largest positive ones."""
    return sum(sorted((v for v in values.values() if v > 0), reverse=True)[:budget])


def robust_margins(case: Case, plan: Mapping[str, float], t: float | None = None
                   ) -> tuple[float, float]:
    """(private - t x revenues, result - min_result) when the `target.robust` weakest
    levers deliver only their low case: both >= 0 for a plan that holds."""
    t = case.target.private_share if t is None else t
    ev = evaluate(case, plan)
    budget = case.target.robust
    share, result = shortfalls(case, plan, t) if budget else ({}, {})
    return (ev.private - t * ev.total_revenues - worst_case(share, budget),
            ev.result - case.target.min_result - worst_case(result, budget))


def robust_share(case: Case, plan: Mapping[str, float]) -> float:
    """The private share the plan keeps when the `target.robust` levers that take most
    from it deliver only their low case (the plain share when robust is 0)."""
    ev = evaluate(case, plan)
    budget = case.target.robust
    if not budget:
        return ev.private_share
    # min over sets S of (P_S / T_S): the worst set depends on the share itself, so
    # iterate t -> the share of the worst set at t, which only falls and ends exactly.
    t = ev.private_share
    for _ in range(100):
        share, _ = shortfalls(case, plan, t)
        worst = worst_case(share, budget)
        # P_S - t T_S = (P - t T) - worst; T_S = T - (revenue lost by S): recompute exactly.
        chosen = sorted((k for k, v in share.items() if v > 0), key=lambda k: -share[k])[:budget]
        ctx = PlanContext(case, plan)
        private, total = ev.private, ev.total_revenues
        for k in chosen:
            lever = case.lever(k)
            value = float(plan.get(k, 0.0))
            eff = lever.effects(value, ctx)
            low_revenue, _ = lever.low_lines(value, ctx)
            for line, amount in eff.revenue.items():
                lost = amount - low_revenue.get(line, 0.0)
                total -= lost
                if not case.revenue(line).public:
                    private -= lost
        new = private / total if total else 0.0
        if new >= t - 1e-12 or worst <= 0:
            return min(t, new)
        t = new
    return t


def baseline(case: Case) -> Evaluation:
    return evaluate(case, {})


def tolerance(case: Case) -> float:
    """EUR slack allowed for solver round-off when rechecking a plan."""
    scale = sum(r.amount for r in case.revenues) + sum(e.amount for e in case.expenditures)
    return 1e-7 * scale + 1e-6


def violations(case: Case, ev: Evaluation, plan: Mapping[str, float],
               share: float | None = None) -> list[str]:
    """Every constraint of MODEL.md the plan breaks, beyond round-off, in words."""
    t = case.target.private_share if share is None else share
    tol = tolerance(case)
    out: list[str] = []
    if ev.private - t * ev.total_revenues < -tol:
        out.append(f"private share {ev.private_share:.6f} is below the target {t}")
    if ev.result < case.target.min_result - tol:
        out.append(f"result {ev.result:.2f} is below min_result {case.target.min_result}")
    target = case.target
    if target.robust:
        share_margin, result_margin = robust_margins(case, plan, t)
        if share_margin < -tol:
            out.append(f"the target is missed by {-share_margin:.2f} EUR of private revenue "
                       f"when {target.robust} lever(s) deliver only their low case")
        if result_margin < -tol:
            out.append(f"the result falls {-result_margin:.2f} below min_result when "
                       f"{target.robust} lever(s) deliver only their low case")
    if target.max_result is not None and ev.result > target.max_result + tol:
        out.append(f"result {ev.result:.2f} is above max_result {target.max_result}")
    cap = target.max_public_share_of_eligible
    if cap is not None and ev.public > cap * ev.eligible + tol:
        out.append(f"public revenue {ev.public:.2f} is above {cap:g} x eligible costs "
                   f"{ev.eligible:.2f}")
    limit = target.members_lost_limit(case.members)
    if limit is not None and ev.members_lost > limit + 1e-6:
        out.append(f"{ev.members_lost:.2f} members lost, more than max_members_lost {limit:g}")
    if any(abs(e.fte_use) > 0 for e in ev.effects.values()) and ev.fte_use > case.spare_fte + 1e-6:
        out.append(f"capacity used {ev.fte_use:.4f} FTE exceeds spare {case.spare_fte} FTE")
    for line, amount in {**ev.revenues, **ev.expenditures}.items():
        if amount < -tol:
            out.append(f"line '{line}' would be negative ({amount:.2f})")
    if case.target.min_members is not None and ev.members < case.target.min_members - 1e-6:
        out.append(f"members {ev.members:.2f} below min_members {case.target.min_members}")
    used = sum(1 for e in ev.effects.values() if e.used)
    if case.target.max_levers is not None and used > case.target.max_levers:
        out.append(f"{used} levers used, more than max_levers {case.target.max_levers}")
    for rule in case.rules:
        lhs = sum(c * ev.quantity(q) for q, c in rule.terms.items())
        scale = tol * max(1.0, sum(abs(c) for c in rule.terms.values()))
        if (rule.sense == "<=" and lhs > rule.rhs + scale) or (
                rule.sense == ">=" and lhs < rule.rhs - scale) or (
                rule.sense == "==" and abs(lhs - rule.rhs) > scale):
            out.append(f"rule '{rule.name}' broken ({lhs:.2f} {rule.sense} {rule.rhs})")
    for lever in case.levers:
        value = plan.get(lever.id, 0.0)
        if not lever.enabled and abs(value) > EPS:
            out.append(f"lever '{lever.id}' is disabled but set to {value}")
        elif lever.enabled and value > lever.upper_bound(case) + 1e-6 * max(1.0, abs(value)):
            out.append(f"lever '{lever.id}' = {value} is above its bound {lever.upper_bound(case)}")
        elif lever.enabled:
            out += lever.value_problems(value, case)
    return out


def change_of(ev: Evaluation) -> float:
    """The EUR a plan moves in the budget (the tie-break of the README), by arithmetic."""
    return sum(sum(abs(v) for v in e.revenue.values()) + sum(abs(v) for v in e.expenditure.values())
               for e in ev.effects.values())


def objective_gap(objective: float | None, ev: Evaluation, tie_break: float,
                  tolerance: float) -> str | None:
    """Why the solver's optimum and the plan's risk by arithmetic disagree (None if they agree).

    objective: what the solver says its plan is worth (risk + tie_break x change).
    """
    if objective is None:
        return None
    expected = ev.risk + tie_break * change_of(ev)
    allowed = tolerance + 1e-6 * abs(ev.risk) + tie_break * change_of(ev)
    if math.isfinite(objective) and abs(objective - expected) <= allowed:
        return None
    return (f"the solver values its plan at {objective:,.6g} EUR at risk, but the plan's "
            f"levers add up to {ev.risk:,.6g} by arithmetic")


__all__ = ["Evaluation", "PlanContext", "baseline", "before_values", "change_of", "evaluate",
           "objective_gap", "robust_margins", "robust_share", "shortfalls", "tolerance",
           "violations", "worst_case"]

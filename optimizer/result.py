"""Plans, their evaluation by plain arithmetic, and the frozen `Result` of a solve.

Every figure a result reports comes from `evaluate(case, plan)`: the levers'
own `effects` at the chosen values, summed line by line. Nothing is read from
the solver but the decision values, so each figure can be rechecked by hand.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from .case import Case
from .levers import EPS, Effects
from .solve import Status

if TYPE_CHECKING:
    from .cvar import CvarComparison
    from .uncertainty import Simulation

SCHEMA_VERSION = 1


class _PlanContext:
    def __init__(self, case: Case, plan: Mapping[str, float]):
        self.case = case
        self.plan = plan

    def fee_increase_on(self, revenue: str) -> float:
        for lever in self.case.levers:
            if lever.type == "fee_increase" and lever.enabled and lever.revenue == revenue:
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

    @property
    def private_share(self) -> float:
        return self.private / self.total_revenues if self.total_revenues else 0.0

    def quantity(self, name: str) -> float:
        """A rule quantity (MODEL.md constraint 7) after the plan."""
        simple = {"private": self.private, "public": self.public, "revenues": self.total_revenues,
                  "expenditures": self.total_expenditures, "result": self.result,
                  "members": self.members, "risk": self.risk}
        if name in simple:
            return simple[name]
        kind, _, ident = name.partition(":")
        if kind == "revenue":
            return self.revenues[ident]
        if kind == "expenditure":
            return self.expenditures[ident]
        return self.effects[ident].value


def evaluate(case: Case, plan: Mapping[str, float]) -> Evaluation:
    """The figures of a plan (lever id -> decision value; missing levers are at 0)."""
    ctx = _PlanContext(case, plan)
    effects: dict[str, Effects] = {}
    revenues = {r.id: r.amount for r in case.revenues}
    expenditures = {e.id: e.amount for e in case.expenditures}
    members = float(case.members)
    fte = risk = 0.0
    for lever in case.levers:
        value = float(plan.get(lever.id, 0.0)) if lever.enabled else 0.0
        eff = lever.effects(value, ctx)
        eff = dataclasses.replace(eff, revenue=MappingProxyType(dict(eff.revenue)),
                                  expenditure=MappingProxyType(dict(eff.expenditure)))
        effects[lever.id] = eff
        for line, amount in eff.revenue.items():
            revenues[line] += amount
        for line, amount in eff.expenditure.items():
            expenditures[line] += amount
        members += eff.members
        fte += eff.fte_use
        risk += eff.risk
    private = sum(revenues[r.id] for r in case.revenues if not r.public)
    public = sum(revenues[r.id] for r in case.revenues if r.public)
    total_exp = sum(expenditures.values())
    return Evaluation(MappingProxyType(effects), MappingProxyType(revenues),
                      MappingProxyType(expenditures), private, public, private + public,
                      total_exp, private + public - total_exp, members, fte, risk)


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
    return out


@dataclass(frozen=True)
class Marginal:
    """What one more point of target costs (re-solved at target + 0.01)."""

    target: float
    status: Status
    risk: float | None

    def extra(self, base_risk: float) -> float | None:
        return None if self.risk is None else self.risk - base_risk


@dataclass(frozen=True)
class Diagnosis:
    max_private_share: float | None
    blocking: tuple[str, ...]
    blocking_text: tuple[str, ...]
    best_plan: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Result:
    """The answer to a case. Frozen: nothing in it can be changed after the solve."""

    case: Case
    status: Status
    solver: str
    plan: Mapping[str, float] | None
    evaluation: Evaluation | None
    before: Evaluation
    proven_optimal: bool
    solver_detail: str = ""
    marginal: Marginal | None = None
    binding: tuple[str, ...] = ()
    diagnosis: Diagnosis | None = None
    warnings: tuple[str, ...] = ()
    audit: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Uncertainty (README, "Uncertainty"): the simulated plan, and for a cvar target
    # the EUR-at-risk plan and the CVaR plan side by side.
    simulation: Simulation | None = None
    cvar: CvarComparison | None = None

    # -- figures
    @property
    def risk(self) -> float | None:
        """The plan's EUR at risk (None when there is no plan)."""
        return None if self.evaluation is None else self.evaluation.risk

    @property
    def ok(self) -> bool:
        return self.status is Status.OPTIMAL

    @property
    def after(self) -> Evaluation:
        return self.evaluation if self.evaluation is not None else self.before

    @property
    def marginal_risk(self) -> float | None:
        """Extra EUR at risk for one more point (0.01) of private share."""
        if self.marginal is None or self.risk is None:
            return None
        return self.marginal.extra(self.risk)

    @property
    def levers(self) -> pd.DataFrame:
        rows = []
        for item in self._lever_rows():
            rows.append({"id": item["id"], "type": item["type"], "label": item["label"],
                         "value": item["value"], "gain": item["gain"], "risk": item["risk"],
                         "members_change": item["members_change"], "fte_use": item["fte_use"],
                         "used": item["used"], "action": item["action"]})
        return pd.DataFrame(rows, columns=["id", "type", "label", "value", "gain", "risk",
                                           "members_change", "fte_use", "used", "action"])

    @property
    def budget(self) -> pd.DataFrame:
        rows = []
        after = self.after
        for r in self.case.revenues:
            rows.append({"side": "revenue", "id": r.id, "label": r.name,
                         "public": r.public, "before": r.amount, "after": after.revenues[r.id]})
        for e in self.case.expenditures:
            rows.append({"side": "expenditure", "id": e.id, "label": e.name, "public": None,
                         "before": e.amount, "after": after.expenditures[e.id]})
        frame = pd.DataFrame(rows, columns=["side", "id", "label", "public", "before", "after"])
        frame["change"] = frame["after"] - frame["before"]
        return frame

    @property
    def indicators(self) -> dict[str, Any]:
        after = self.after
        return {
            "private_share": {"before": self.before.private_share, "after": after.private_share},
            "result": {"before": self.before.result, "after": after.result},
            "members": {"before": self.before.members, "after": after.members},
            "capacity_used": after.fte_use,
        }

    def with_simulation(self, simulation: Simulation) -> Result:
        """This result carrying a simulation of its plan (see `optimizer.simulate`).

        For a cvar target, both plans of the comparison are re-simulated with the
        same number of scenarios and seed, so the side-by-side figures match it.
        """
        import dataclasses

        cvar = self.cvar
        if cvar is not None:
            cvar = cvar.with_simulations(self.case, simulation.n, simulation.seed)
        audit = dict(self.audit)
        audit["seeds"] = {**dict(audit.get("seeds") or {}), "simulation": simulation.seed}
        return dataclasses.replace(self, simulation=simulation, cvar=cvar, audit=frozen(audit))

    def _lever_rows(self) -> list[dict[str, Any]]:
        after = self.after
        rows = []
        for lever in self.case.levers:
            eff = after.effects[lever.id]
            rows.append({
                "id": lever.id, "type": lever.type, "label": lever.name,
                "value": eff.value, "risk": eff.risk, "gain": eff.gain,
                "revenue_change": dict(eff.revenue), "expenditure_change": dict(eff.expenditure),
                "members_change": eff.members, "fte_use": eff.fte_use, "used": eff.used,
                "action": lever.describe(eff, self.case) if eff.used else "",
            })
        return rows

    # -- output
    def to_dict(self) -> dict[str, Any]:
        """The JSON result of MODEL.md (plus explanations, diagnosis and audit)."""
        after = self.after
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "case": self.case.name,
            "status": self.status.value,
            "proven_optimal": self.proven_optimal,
            "solver": self.solver,
            "target": self.case.target.model_dump(mode="json", exclude_none=True),
            "risk": _num(self.risk),
            "levers": [
                {"id": row["id"], "type": row["type"], "value": _num(row["value"]),
                 "risk": _num(row["risk"]),
                 "revenue_change": {k: _num(v) for k, v in row["revenue_change"].items()},
                 "expenditure_change": {k: _num(v) for k, v in row["expenditure_change"].items()},
                 "members_change": _num(row["members_change"]), "fte_use": _num(row["fte_use"]),
                 "action": row["action"]}
                for row in self._lever_rows()
            ],
            "budget": {
                "revenues": [{"id": r.id, "public": r.public, "before": _num(r.amount),
                              "after": _num(after.revenues[r.id])} for r in self.case.revenues],
                "expenditures": [{"id": e.id, "before": _num(e.amount),
                                  "after": _num(after.expenditures[e.id])}
                                 for e in self.case.expenditures],
            },
            "indicators": {
                "private_share": {"before": _num(self.before.private_share),
                                  "after": _num(after.private_share)},
                "result": {"before": _num(self.before.result), "after": _num(after.result)},
                "members": {"before": _num(self.before.members), "after": _num(after.members)},
                "capacity_used": _num(after.fte_use),
                "public": {"before": _num(self.before.public), "after": _num(after.public)},
                "private": {"before": _num(self.before.private), "after": _num(after.private)},
            },
            "binding": list(self.binding),
        }
        if self.marginal is not None:
            out["marginal_risk"] = {
                "target": _num(self.marginal.target), "status": self.marginal.status.value,
                "risk": _num(self.marginal.risk), "extra_risk": _num(self.marginal_risk),
            }
        if self.diagnosis is not None:
            d = self.diagnosis
            out["diagnosis"] = {
                "max_private_share": _num(d.max_private_share),
                "blocking": list(d.blocking),
                "blocking_text": list(d.blocking_text),
            }
            if d.best_plan is not None:
                out["diagnosis"]["best_plan"] = {k: _num(v) for k, v in d.best_plan.items()}
        if self.cvar is not None:
            out["cvar"] = self.cvar.to_dict()
        if self.simulation is not None:
            out["simulation"] = self.simulation.to_dict()
        out["summary"] = summary_lines(self)
        out["warnings"] = list(self.warnings)
        out["audit"] = thawed(self.audit)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def report(self, fmt: str = "table") -> str:
        from .report import render

        return render(self, fmt)


def thawed(value: Any) -> Any:
    """Read-only mappings and tuples (as a result holds them) as JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thawed(v) for v in value]
    return value


def frozen(value: Any) -> Any:
    """A read-only deep copy: dicts as MappingProxyType, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def _num(value: float | None, digits: int = 6) -> float | None:
    """Round for output: stable bytes across runs, exact enough for any check (1e-6 EUR)."""
    if value is None:
        return None
    rounded = round(float(value), digits)
    return 0.0 if rounded == 0 else rounded


def summary_lines(result: Result) -> list[str]:
    """The plan in words, for a board."""
    from .fmt import keur, pct_short
    case = result.case
    t = case.target.private_share
    before = result.before
    lines: list[str] = []
    if result.status is Status.OPTIMAL or (result.evaluation is not None):
        after = result.after
        head = (f"To raise the private share from {before.private_share:.1%} to at least {pct_short(t)}, "
                f"the least risky plan puts {keur(after.risk)} {case.currency} at risk.")
        if result.cvar is not None:
            from .report_uncertainty import cvar_head
            head = cvar_head(result)
        if not result.proven_optimal:
            head += " (Not proven optimal: the solver stopped at its time limit.)"
        lines.append(head)
        used = [row for row in result._lever_rows() if row["used"]]
        if not used:
            lines.append("No lever is needed: the budget already meets the target.")
        for row in used:
            lines.append(f"{row['action']} (at risk: {keur(row['risk'])} {case.currency})")
        lines.append(f"Private share after the plan: {after.private_share:.1%}; result "
                     f"{keur(after.result, sign=True)} {case.currency}; members "
                     f"{after.members:,.0f}.")
        if result.marginal_risk is not None:
            lines.append(f"One more point of target ({pct_short(result.marginal.target)}) would add "  # type: ignore[union-attr]
                         f"{keur(result.marginal_risk)} {case.currency} at risk.")
        elif result.marginal is not None:
            lines.append(f"No plan reaches {pct_short(result.marginal.target)}: this target is at the "
                         "edge of what the levers allow.")
        if result.simulation is not None:
            from .report_uncertainty import simulation_line
            lines.append(simulation_line(result.simulation, case))
    elif result.status is Status.INFEASIBLE:
        d = result.diagnosis
        lines.append(f"No plan reaches a private share of {pct_short(t)} under the case's constraints "
                     f"(today {before.private_share:.1%}).")
        if d is not None and d.max_private_share is not None:
            lines.append(f"The highest share the levers can reach is {d.max_private_share:.2%}.")
        elif d is not None:
            lines.append("Even without the share target, the other constraints cannot all hold.")
        if d is not None:
            for text in d.blocking_text:
                lines.append(f"It becomes reachable if: {text}.")
            if not d.blocking:
                lines.append("No single constraint, relaxed alone, makes the target reachable.")
    else:
        lines.append(f"The solver gave no usable plan (status: {result.status.value}; "
                     f"{result.solver_detail}).")
        if result.status is Status.TIME_LIMIT:
            lines.append("It stopped at its time limit before finding a plan: raise --time-limit "
                         "(or drop it), or try the other solver (--solver).")
    return lines

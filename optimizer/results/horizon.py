"""The answer of a horizon case: the path year by year (docs/MODEL.md, "Horizon").

Every figure comes from arithmetic on the levers' values (`evaluate` with each
lever's `year_effects`); the words live in report/horizon.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..case.schema import Case
from ..plan.evaluate import Evaluation
from ..status import Status
from .base import SCHEMA_VERSION, num, render_as, thawed
from .cvar_horizon import PathCvar, cvar_path_advice
from .horizon_outlook import PathOutlook, outlook_advice
from .horizon_simulation import HorizonSimulation


@dataclass(frozen=True)
class YearResult:
    """One year of the path: the year's case (lines with inflation, its target), the
    levers' values, the figures before and after the plan, and the reserves."""

    year: int
    case: Case
    plan: Mapping[str, float]
    evaluation: Evaluation
    before: Evaluation
    weight: float = 1.0
    reserves_before: float | None = None
    reserves_after: float | None = None

    @property
    def target(self) -> float:
        return self.case.target.private_share

    def share_points(self) -> dict[str, float]:
        """What each lever adds to the year's private share (a fraction), exactly: with s0
        the share before the plan and T1 the revenues after it, lever i adds
        (dP_i - s0 dT_i) / T1 (dP_i, dT_i its change of private and of all revenue); the
        parts sum to the share after minus the share before, in any order."""
        ev, s0 = self.evaluation, self.before.private_share
        total = ev.total_revenues
        public = {r.id for r in self.case.revenues if r.public}
        out = {}
        for lever_id, eff in ev.effects.items():
            d_private = sum(a for line, a in eff.revenue.items() if line not in public)
            d_total = sum(eff.revenue.values())
            out[lever_id] = (d_private - s0 * d_total) / total if total else 0.0
        return out


@dataclass(frozen=True)
class HorizonDiagnosis:
    """Why the path is out of reach: the first year whose target no plan reaches (with the
    targets before it met), the highest share each year reaches with no target at all,
    and the groups whose relaxation in every year would let the targets be met."""

    first_year: int
    max_private_share: Mapping[int, float]
    reached: float  # the highest share of the first year, the earlier targets met
    blocking: tuple[str, ...] = ()


@dataclass(frozen=True)
class HorizonResult:
    case: Case
    status: Status
    solver: str
    years: tuple[YearResult, ...] = ()
    proven_optimal: bool = False
    detail: str = ""
    diagnosis: HorizonDiagnosis | None = None
    warnings: tuple[str, ...] = ()
    audit: Mapping[str, Any] = field(default_factory=dict)
    simulation: HorizonSimulation | None = None  # --simulate N: the path in drawn years
    outlook: PathOutlook | None = None  # the quick simulation of every path report
    cvar: PathCvar | None = None  # target.risk_measure "cvar": the CVaR figures of the path

    def advice(self) -> str | None:
        """What to try when the path holds too rarely (the outlook's advice)."""
        if self.cvar is not None:
            return cvar_path_advice(self.outlook)
        return outlook_advice(self.outlook, self.case.target.robust, self.case.currency,
                              self.risk)

    def __repr__(self) -> str:
        risk = "-" if self.risk is None else f"{self.risk:,.0f}"
        return (f"HorizonResult({self.status.value}, {self.case.name!r}, "
                f"{len(self.case.horizon.years) if self.case.horizon else 0} years, "
                f"EUR at risk {risk})")

    @property
    def ok(self) -> bool:
        return self.status is Status.OPTIMAL and bool(self.years)

    @property
    def risk(self) -> float | None:
        """The objective: the EUR at risk summed over the years, discounted."""
        if not self.years:
            return None
        return sum(y.weight * y.evaluation.risk for y in self.years)

    @property
    def undiscounted_risk(self) -> float | None:
        return None if not self.years else sum(y.evaluation.risk for y in self.years)

    def to_dict(self) -> dict[str, Any]:
        h = self.case.horizon
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "case": self.case.name,
            "status": self.status.value, "proven_optimal": self.proven_optimal,
            "solver": self.solver,
            "horizon": h.model_dump(mode="json", exclude_none=True) if h else None,
            "risk": num(self.risk), "years": [],
        }
        for y in self.years:
            ev, before = y.evaluation, y.before
            block: dict[str, Any] = {
                "year": y.year, "target": num(y.target), "risk": num(ev.risk),
                "levers": [{"id": lever.id, "type": lever.type,
                            "value": num(ev.effects[lever.id].value),
                            "risk": num(ev.effects[lever.id].risk),
                            "revenue_change": {k: num(v) for k, v in
                                               ev.effects[lever.id].revenue.items()},
                            "expenditure_change": {k: num(v) for k, v in
                                                   ev.effects[lever.id].expenditure.items()},
                            "members_change": num(ev.effects[lever.id].members),
                            "fte_use": num(ev.effects[lever.id].fte_use)}
                           for lever in y.case.levers],
                "budget": {
                    "revenues": [{"id": r.id, "public": r.public, "before": num(r.amount),
                                  "after": num(ev.revenues[r.id])} for r in y.case.revenues],
                    "expenditures": [{"id": e.id, "before": num(e.amount),
                                      "after": num(ev.expenditures[e.id])}
                                     for e in y.case.expenditures]},
                "indicators": {
                    "private_share": {"before": num(before.private_share),
                                      "after": num(ev.private_share)},
                    "result": {"before": num(before.result), "after": num(ev.result)},
                    "members": {"before": num(before.members), "after": num(ev.members)},
                    "members_lost": {"before": 0.0, "after": num(ev.members_lost)},
                    "capacity_used": num(ev.fte_use)},
            }
            if y.reserves_after is not None:
                block["indicators"]["reserves"] = {"before": num(y.reserves_before),
                                                   "after": num(y.reserves_after)}
            out["years"].append(block)
        if self.diagnosis is not None:
            d = self.diagnosis
            out["diagnosis"] = {
                "first_year": d.first_year, "reached": num(d.reached),
                "max_private_share": {str(k): num(v) for k, v in d.max_private_share.items()},
                "blocking": list(d.blocking)}
        if self.cvar is not None:
            out["cvar"] = self.cvar.to_dict(h.years if h else [])
        if self.outlook is not None:
            out["outlook"] = self.outlook.to_dict(self.advice())
        if self.simulation is not None:
            out["simulation"] = self.simulation.to_dict()
        out["warnings"] = list(self.warnings)
        out["audit"] = thawed(self.audit)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def report(self, fmt: str = "table") -> str:
        return render_as("horizon", self, fmt)


__all__ = ["HorizonDiagnosis", "HorizonResult", "HorizonSimulation", "YearResult"]

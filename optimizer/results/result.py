"""The frozen answer of a solve: `Result` (status, plan, figures, explanations, audit).

Every figure comes from `plan.evaluate` on the plan; `to_dict` is the JSON result of
MODEL.md. Infeasible is a status, not an exception.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from ..case.schema import Case
from ..levers.base import EPS
from ..plan.evaluate import Evaluation
from ..status import Status
from .base import SCHEMA_VERSION, frozen, num, render_as, thawed
from .cvar import CvarComparison
from .simulation import Simulation
from .summary import outlook_advice, summary_lines

if TYPE_CHECKING:
    import pandas as pd


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


def target_as_given(case: Case) -> dict[str, Any]:
    """The case's target as the user gave it: no empty fields, and version 2's defaults
    (robust 0, risk_tolerance 0) only when written."""
    target = case.target
    out = target.model_dump(mode="json", exclude_none=True)
    for name in ("robust", "risk_tolerance"):
        if name not in target.model_fields_set:
            out.pop(name, None)
    return out


@dataclass(frozen=True)
class Outlook:
    """A quick simulation of the plan (MODEL.md v2, "Honest reports")."""

    scenarios: int
    seed: int
    p_target_met: float
    p_result_ok: float
    p_both: float

    # Below this chance of holding, the report says what to try.
    LOW: ClassVar[float] = 0.8

    @property
    def low(self) -> bool:
        return self.p_both < self.LOW


@dataclass(frozen=True)
class MembersChoice:
    """With a risk tolerance: the least-risk plan's members against the chosen plan's."""

    risk_tolerance: float
    least_risk: float
    least_risk_members: float
    members: float
    risk: float

    @property
    def extra_risk(self) -> float:
        return self.risk - self.least_risk

    @property
    def extra_members(self) -> float:
        return self.members - self.least_risk_members


@dataclass(frozen=True)
class Alternative:
    """What a safer or kinder plan would cost at the same target (MODEL.md v2, "Honest
    reports"): the least risky plan with one more setting, or why there is none.

    kind: "robust" (target.robust one higher: the plan holds if one more lever delivers only
    its low case) or "keep_members" (target.max_members_lost = 0)."""

    kind: str
    setting: str
    value: float
    risk: float | None  # None: no plan reaches the target with the setting
    extra_risk: float | None  # over the chosen plan's EUR at risk
    p_both: float | None = None  # its outlook: target and budget both hold
    top_share: float | None = None  # no plan: the highest share reachable with the setting

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "setting": self.setting, "value": num(self.value),
                "status": "optimal" if self.risk is not None else "infeasible",
                "risk": num(self.risk), "extra_risk": num(self.extra_risk),
                "p_both": num(self.p_both), "max_private_share": num(self.top_share)}


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
    # Version 2: a quick simulation of the plan, and the price of keeping members.
    outlook: Outlook | None = None
    members_choice: MembersChoice | None = None
    # The least EUR at risk (step 1); the plan's own risk may be above it by the tolerance.
    least_risk: float | None = None
    # Safer or kinder plans at the same target and what they cost (MODEL.md v2).
    alternatives: tuple[Alternative, ...] = ()

    def __repr__(self) -> str:
        """Short: the status, the case's name, the EUR at risk and the levers used (the
        default repr of a dataclass would print the whole case and every figure)."""
        used = {} if self.plan is None else {k: num(v) for k, v in self.plan.items()
                                              if abs(v) > EPS}
        return (f"Result(status={self.status.value!r}, case={self.case.name!r}, "
                f"risk={num(self.risk, 2)!r}, levers={used!r})")

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
        return self.marginal.extra(self.risk if self.least_risk is None else self.least_risk)

    @property
    def levers(self) -> pd.DataFrame:
        import pandas as pd

        rows = []
        for item in self.lever_rows():
            rows.append({"id": item["id"], "type": item["type"], "label": item["label"],
                         "value": item["value"], "gain": item["gain"], "risk": item["risk"],
                         "members_change": item["members_change"], "fte_use": item["fte_use"],
                         "used": item["used"], "action": item["action"]})
        return pd.DataFrame(rows, columns=["id", "type", "label", "value", "gain", "risk",
                                           "members_change", "fte_use", "used", "action"])

    @property
    def budget(self) -> pd.DataFrame:
        import pandas as pd

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
        cvar = self.cvar
        if cvar is not None:
            cvar = cvar.with_simulations(self.case, simulation.n, simulation.seed)
        audit = dict(self.audit)
        audit["seeds"] = {**dict(audit.get("seeds") or {}), "simulation": simulation.seed}
        return dataclasses.replace(self, simulation=simulation, cvar=cvar, audit=frozen(audit))

    def lever_rows(self) -> list[dict[str, Any]]:
        """Each lever's figures after the plan, with its action in words."""
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
            "target": target_as_given(self.case),
            "risk": num(self.risk),
            "levers": [
                {"id": row["id"], "type": row["type"], "value": num(row["value"]),
                 "risk": num(row["risk"]),
                 "revenue_change": {k: num(v) for k, v in row["revenue_change"].items()},
                 "expenditure_change": {k: num(v) for k, v in row["expenditure_change"].items()},
                 "members_change": num(row["members_change"]), "fte_use": num(row["fte_use"]),
                 "action": row["action"]}
                for row in self.lever_rows()
            ],
            "budget": {
                "revenues": [{"id": r.id, "public": r.public, "before": num(r.amount),
                              "after": num(after.revenues[r.id])} for r in self.case.revenues],
                "expenditures": [{"id": e.id, "before": num(e.amount),
                                  "after": num(after.expenditures[e.id])}
                                 for e in self.case.expenditures],
            },
            "indicators": {
                "private_share": {"before": num(self.before.private_share),
                                  "after": num(after.private_share)},
                "result": {"before": num(self.before.result), "after": num(after.result)},
                "members": {"before": num(self.before.members), "after": num(after.members)},
                "members_lost": {"before": 0.0, "after": num(after.members_lost)},
                "capacity_used": num(after.fte_use),
                "public": {"before": num(self.before.public), "after": num(after.public)},
                "private": {"before": num(self.before.private), "after": num(after.private)},
            },
            "binding": list(self.binding),
        }
        t = self.case.target
        if t.max_public_share_of_eligible is not None or any(
                q == "eligible" or q == "eligible_before" for rule in self.case.rules
                for q in rule.terms):
            out["indicators"]["eligible"] = {"before": num(self.before.eligible),
                                             "after": num(after.eligible)}
        if self.outlook is not None:
            o = self.outlook
            out["outlook"] = {"scenarios": o.scenarios, "seed": o.seed,
                              "p_target_met": num(o.p_target_met),
                              "p_result_ok": num(o.p_result_ok), "p_both": num(o.p_both),
                              "advice": outlook_advice(self)}
        if self.alternatives:
            out["alternatives"] = [a.to_dict() for a in self.alternatives]
        if self.members_choice is not None:
            c = self.members_choice
            out["members_choice"] = {
                "risk_tolerance": num(c.risk_tolerance), "least_risk": num(c.least_risk),
                "least_risk_members": num(c.least_risk_members), "members": num(c.members),
                "extra_risk": num(c.extra_risk)}
        if self.marginal is not None:
            out["marginal_risk"] = {
                "target": num(self.marginal.target), "status": self.marginal.status.value,
                "risk": num(self.marginal.risk), "extra_risk": num(self.marginal_risk),
            }
        if self.diagnosis is not None:
            d = self.diagnosis
            out["diagnosis"] = {
                "max_private_share": num(d.max_private_share),
                "blocking": list(d.blocking),
                "blocking_text": list(d.blocking_text),
            }
            if d.best_plan is not None:
                out["diagnosis"]["best_plan"] = {k: num(v) for k, v in d.best_plan.items()}
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
        """The report in a format: table, markdown, json, csv (drawn by optimizer.report)."""
        return render_as("result", self, fmt)


__all__ = ["Diagnosis", "Marginal", "MembersChoice", "Outlook", "Result"]

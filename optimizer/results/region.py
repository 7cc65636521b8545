"""The answer to a region (issue 10): the envelope split, each cluster's result, totals.

Each cluster's part is that cluster's `Result`, exactly as `optimize --format json` gives
it for its case with the envelope lines at their after-cut amounts and the plan found.
Words and tables live in `report/region.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.region import Region
from ..status import Status
from .base import num, render_as, thawed
from .result import Result

if TYPE_CHECKING:
    import pandas as pd

REGION_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ClusterPart:
    id: str
    cuts: Mapping[str, float]  # envelope id -> EUR cut
    result: Result  # on the case with its envelope lines after the cut
    budget: float  # revenues today (before the cut)
    before_share: float  # private share today (before the cut)
    before_result: float

    @property
    def risk(self) -> float | None:
        return self.result.risk


@dataclass(frozen=True)
class EnvelopeSplit:
    id: str
    label: str
    amount: float
    before: float  # what the clusters receive today
    after: float | None  # after the plan's cuts
    max_cut_fraction: float


@dataclass(frozen=True)
class RegionDiagnosis:
    """Why the region has no plan: the smallest amount each envelope can fall to (under
    every other row), and the clusters that stop it falling further."""

    min_envelope: Mapping[str, float | None]
    blocking: tuple[str, ...]
    blocking_text: tuple[str, ...]


@dataclass(frozen=True)
class RegionMarginal:
    envelope: str
    step: float
    status: Status
    total_risk: float | None
    extra_risk: float | None


@dataclass(frozen=True)
class RegionResult:
    region: Region
    status: Status
    solver: str
    objective: str
    parts: tuple[ClusterPart, ...]
    envelopes_split: tuple[EnvelopeSplit, ...]
    proven_optimal: bool
    gap: float | None = None  # proven relative gap of the total risk
    bound: float | None = None
    binding: tuple[str, ...] = ()
    marginal: tuple[RegionMarginal, ...] = ()
    diagnosis: RegionDiagnosis | None = None
    new_members: float | None = None
    private_share: tuple[float, float] | None = None  # (today, after)
    fair_ratio: float | None = None
    audit: Mapping[str, Any] = field(default_factory=dict)

    @property
    def gap_eur(self) -> float | None:
        """The proven gap in EUR: the split's total EUR at risk minus the bound."""
        total = self.total_risk
        if total is None or self.bound is None:
            return None
        return max(0.0, total - self.bound)

    @property
    def method(self) -> str:
        return str(self.audit.get("method", "joint"))

    def __repr__(self) -> str:
        return (f"RegionResult(status={self.status.value!r}, region={self.region.name!r}, "
                f"total_risk={num(self.total_risk, 2)!r}, clusters={len(self.parts)})")

    @property
    def total_risk(self) -> float | None:
        if not self.parts or any(c.risk is None for c in self.parts):
            return None
        return float(sum(c.risk or 0.0 for c in self.parts))

    @property
    def clusters(self) -> pd.DataFrame:
        import pandas as pd

        rows = []
        for c in self.parts:
            ev = c.result.evaluation
            row: dict[str, Any] = {"id": c.id, "status": c.result.status.value,
                                   "risk": c.risk, "budget": c.budget,
                                   "private_share_before": c.before_share,
                                   "private_share_after": ev.private_share if ev else None,
                                   "result_before": c.before_result,
                                   "result_after": ev.result if ev else None}
            for env in self.envelopes_split:
                row[f"cut:{env.id}"] = c.cuts.get(env.id)
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def envelopes(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"id": e.id, "label": e.label, "amount": e.amount,
                              "before": e.before, "after": e.after,
                              "max_cut_fraction": e.max_cut_fraction}
                             for e in self.envelopes_split])

    def to_dict(self) -> dict[str, Any]:
        spec = self.region.spec
        out: dict[str, Any] = {
            "schema_version": REGION_SCHEMA_VERSION,
            "region": spec.name,
            "status": self.status.value,
            "proven_optimal": self.proven_optimal,
            "gap": num(self.gap),
            "gap_eur": num(self.gap_eur),
            "bound": num(self.bound),
            "method": self.method,
            "solver": self.solver,
            "objective": self.objective,
            "total_risk": num(self.total_risk),
            "envelopes": [{"id": e.id, "label": e.label, "amount": num(e.amount),
                           "before": num(e.before), "after": num(e.after),
                           "max_cut_fraction": num(e.max_cut_fraction)}
                          for e in self.envelopes_split],
            "member_pool": spec.member_pool,
            "new_members": num(self.new_members),
            "region_private_share": {
                "target": spec.region_private_share,
                "before": num(self.private_share[0]) if self.private_share else None,
                "after": num(self.private_share[1]) if self.private_share else None},
            "binding": list(self.binding),
            "marginal_risk": [{"envelope": m.envelope, "step": num(m.step),
                               "status": m.status.value, "total_risk": num(m.total_risk),
                               "extra_risk": num(m.extra_risk)} for m in self.marginal],
            "clusters": [{"id": c.id, "cuts": {k: num(v) for k, v in c.cuts.items()},
                          "budget": num(c.budget),
                          "private_share_before_cut": num(c.before_share),
                          "result_before_cut": num(c.before_result),
                          "result": c.result.to_dict()} for c in self.parts],
        }
        if self.fair_ratio is not None:
            out["fair_ratio"] = num(self.fair_ratio)
        if self.diagnosis is not None:
            d = self.diagnosis
            out["diagnosis"] = {"min_envelope": {k: num(v) for k, v in d.min_envelope.items()},
                                "blocking": list(d.blocking),
                                "blocking_text": list(d.blocking_text)}
        out["audit"] = thawed(self.audit)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def report(self, fmt: str = "table") -> str:
        return render_as("region", self, fmt)


__all__ = ["REGION_SCHEMA_VERSION", "ClusterPart", "EnvelopeSplit", "RegionDiagnosis",
           "RegionMarginal", "RegionResult"]

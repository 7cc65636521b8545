"""The answer to a region with a horizon (docs/MODEL.md, "Region horizon"): the envelope
split year by year, each cluster's path, the region's totals per year.

Each cluster's part is a `HorizonResult` on its year cases with every funded line at its
after-cut amount of that year (its own grant cuts on those lines disabled) and the path
found: figures by arithmetic, as `optimize --format json` gives a path. Words and tables
live in `report/region_horizon.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.region import Region
from ..status import Status
from .base import num, render_as, thawed
from .horizon import HorizonResult

if TYPE_CHECKING:
    import pandas as pd

REGION_HORIZON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ClusterPath:
    id: str
    cuts: Mapping[str, tuple[float, ...]]  # envelope id -> EUR cut in each year
    lines: Mapping[str, tuple[str, float]]  # envelope id -> (line id, its amount today)
    result: HorizonResult  # on the year cases with the lines after each year's cut
    budget: float  # revenues today (before any cut)
    before_share: float  # private share today (before any cut)

    @property
    def risk(self) -> float | None:
        return self.result.risk

    def grant_after(self, envelope_id: str, k: int) -> float:
        today = self.lines[envelope_id][1]
        return today - self.cuts[envelope_id][k]


@dataclass(frozen=True)
class EnvelopeYear:
    id: str
    label: str
    year: int
    amount: float
    before: float  # what the clusters receive today
    after: float | None  # after the year's cuts


@dataclass(frozen=True)
class RegionYear:
    """The region's totals in one year."""

    year: int
    envelopes: tuple[EnvelopeYear, ...]
    private_share: tuple[float, float] | None = None  # (today, after the year's plan)
    recruited: float | None = None  # companies recruited that year (from the pool)
    risk: float | None = None  # the clusters' EUR at risk that year (not discounted)


@dataclass(frozen=True)
class RegionHorizonDiagnosis:
    """Why no split exists: the first year whose envelope cannot be met (the envelopes of
    the years before it met), the smallest amount each envelope can fall to that year, and
    the clusters whose own path fails at any cut (when no envelope at all is the cause)."""

    first_year: int | None  # None: the paths fail whatever the envelopes
    min_envelope: Mapping[str, float | None]  # envelope id -> least after-amount that year
    amounts: Mapping[str, float]  # envelope id -> the amount asked that year
    failing: tuple[str, ...] = ()  # clusters whose own path has no solution at any cut


@dataclass(frozen=True)
class RegionHorizonResult:
    region: Region
    status: Status
    solver: str
    parts: tuple[ClusterPath, ...]
    years: tuple[RegionYear, ...]
    proven_optimal: bool
    gap: float | None = None
    bound: float | None = None
    binding: tuple[str, ...] = ()
    recruited: float | None = None  # over the horizon
    diagnosis: RegionHorizonDiagnosis | None = None
    audit: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        total = self.total_risk
        return (f"RegionHorizonResult(status={self.status.value!r}, "
                f"region={self.region.name!r}, years={[y.year for y in self.years]}, "
                f"total_risk={None if total is None else round(total, 2)!r})")

    @property
    def total_risk(self) -> float | None:
        """The objective: the sum over clusters of their path's EUR at risk."""
        if not self.parts or any(p.risk is None for p in self.parts):
            return None
        return float(sum(p.risk or 0.0 for p in self.parts))

    @property
    def envelopes(self) -> pd.DataFrame:
        """One row per envelope and year: amount, today, after."""
        import pandas as pd

        return pd.DataFrame([{"id": e.id, "year": e.year, "amount": e.amount,
                              "before": e.before, "after": e.after}
                             for y in self.years for e in y.envelopes])

    @property
    def clusters(self) -> pd.DataFrame:
        """One row per cluster and year: its cuts, grant after, risk, share and result."""
        import pandas as pd

        rows = []
        for p in self.parts:
            for k, y in enumerate(p.result.years):
                row: dict[str, Any] = {"id": p.id, "year": y.year,
                                       "risk": y.evaluation.risk,
                                       "private_share": y.evaluation.private_share,
                                       "result": y.evaluation.result}
                for env_id in p.cuts:
                    row[f"cut:{env_id}"] = p.cuts[env_id][k]
                    row[f"after:{env_id}"] = p.grant_after(env_id, k)
                rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        spec = self.region.spec
        assert spec.horizon is not None
        out: dict[str, Any] = {
            "schema_version": REGION_HORIZON_SCHEMA_VERSION,
            "region": spec.name,
            "horizon": {"years": list(spec.horizon.years)},
            "status": self.status.value,
            "proven_optimal": self.proven_optimal,
            "gap": num(self.gap),
            "solver": self.solver,
            "objective": spec.objective,
            "total_risk": num(self.total_risk),
            "member_pool": spec.member_pool,
            "recruited": num(self.recruited),
            "binding": list(self.binding),
            "years": [{
                "year": y.year,
                "envelopes": [{"id": e.id, "label": e.label, "amount": num(e.amount),
                               "before": num(e.before), "after": num(e.after)}
                              for e in y.envelopes],
                "region_private_share": {
                    "target": spec.region_private_share,
                    "before": num(y.private_share[0]) if y.private_share else None,
                    "after": num(y.private_share[1]) if y.private_share else None},
                "recruited": num(y.recruited),
                "risk": num(y.risk)} for y in self.years],
            "clusters": [{"id": p.id,
                          "cuts": {e: [num(c) for c in cs] for e, cs in p.cuts.items()},
                          "grant": {e: {"line": p.lines[e][0], "before": num(p.lines[e][1]),
                                        "after": [num(p.grant_after(e, k))
                                                  for k in range(len(cs))]}
                                    for e, cs in p.cuts.items()},
                          "budget": num(p.budget),
                          "private_share_before_cut": num(p.before_share),
                          "result": p.result.to_dict()} for p in self.parts],
        }
        if self.diagnosis is not None:
            d = self.diagnosis
            out["diagnosis"] = {"first_year": d.first_year,
                                "min_envelope": {k: num(v) for k, v in d.min_envelope.items()},
                                "amounts": {k: num(v) for k, v in d.amounts.items()},
                                "failing": list(d.failing)}
        out["audit"] = thawed(self.audit)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def report(self, fmt: str = "table") -> str:
        return render_as("region_horizon", self, fmt)


__all__ = ["REGION_HORIZON_SCHEMA_VERSION", "ClusterPath", "EnvelopeYear", "RegionHorizonDiagnosis",
           "RegionHorizonResult", "RegionYear"]

"""The answers of sensitivity runs on a region (issue 10): the envelope frontier, a sweep of
region paths, a tornado of region inputs.

A frontier point is the region's least total EUR at risk with one envelope at a given
amount (`solve_region` with that amount), its proven gap, the envelope's after-amount and
each cluster's cut. Words, tables and plots live in `report/region_frontier.py`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.region import Region
from ..status import Status
from .base import num, render_as, thawed

if TYPE_CHECKING:
    import pandas as pd

REGION_FRONTIER_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FrontierPoint:
    """The region solved with one envelope at `amount` (the others at the file's)."""

    amount: float
    status: Status
    total_risk: float | None
    gap: float | None  # proven relative gap (0 when proven optimal)
    bound: float | None
    after: float | None  # the envelope's after-amount in the split found
    cuts: Mapping[str, float]  # cluster id -> this envelope's cut (EUR)
    risks: Mapping[str, float | None]  # cluster id -> its EUR at risk
    grid: bool = True  # a grid point (False: a point solved to locate an entry point)
    # cluster id -> its least cut among the splits at this least total risk (where computed)
    least_cuts: Mapping[str, float | None] = field(default_factory=dict)
    # Unproven points only: the amount whose split is shown here, when the split found at a
    # lower amount (feasible here too) puts less at risk than the one found at this amount.
    split_from: float | None = None

    @property
    def has_plan(self) -> bool:
        return self.total_risk is not None

    @property
    def proven(self) -> bool:
        return self.status is Status.OPTIMAL


@dataclass(frozen=True)
class Transition:
    """Where, going down from today's total, a cluster's state changes: at `above` not every
    least-risk split does it yet, at `below` every one does (both solved amounts).
    above None: already at today's total; both None: never within the frontier."""

    above: float | None
    below: float | None

    @property
    def at(self) -> float | None:
        return self.below

    @property
    def width(self) -> float | None:
        if self.above is None or self.below is None:
            return None
        return self.above - self.below


@dataclass(frozen=True)
class ClusterEntry:
    cluster: str
    line: str
    max_cut: float  # max_cut_fraction x the line today
    cut: Transition  # starts being cut (cut above 1 EUR)
    full: Transition  # reaches its maximum cut (within 1 EUR)


@dataclass(frozen=True)
class EnvelopeFrontier:
    id: str
    label: str
    today: float  # the clusters' lines today, summed: the frontier's top
    file_amount: float
    minimum: float | None  # the smallest amount the clusters can absorb (exact)
    minimum_proven: bool
    free_until: float | None  # the lowest amount at today's least total risk (exact)
    resolution: float  # entry points located to within this many EUR
    points: tuple[FrontierPoint, ...]
    entries: tuple[ClusterEntry, ...]
    # "every_split": entry points where every least-risk split cuts the cluster, bisected;
    # "split_found": read from the split found at each grid point (large regions)
    entry_method: str = "every_split"

    @property
    def grid(self) -> tuple[FrontierPoint, ...]:
        return tuple(p for p in self.points if p.grid)


@dataclass(frozen=True)
class RegionFrontier:
    region: Region
    envelopes: tuple[EnvelopeFrontier, ...]
    time_limit: float | None
    audit: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"RegionFrontier(status={self.status.value!r}, region={self.region.name!r}, "
                f"envelopes={[e.id for e in self.envelopes]!r})")

    @property
    def status(self) -> Status:
        points = [p for e in self.envelopes for p in e.points]
        if not points or not any(p.has_plan for p in points):
            return Status.INFEASIBLE
        if any(not p.proven for p in points if p.has_plan) or any(
                not e.minimum_proven for e in self.envelopes):
            return Status.TIME_LIMIT
        return Status.OPTIMAL

    @property
    def table(self) -> pd.DataFrame:
        """One row per point (grid and located), every envelope in turn."""
        import pandas as pd

        rows = []
        for env in self.envelopes:
            for p in env.points:
                row: dict[str, Any] = {"envelope": env.id, "amount": p.amount,
                                       "grid": p.grid, "status": p.status.value,
                                       "total_risk": p.total_risk, "gap": p.gap,
                                       "after": p.after}
                for e in env.entries:
                    row[f"cut:{e.cluster}"] = p.cuts.get(e.cluster, math.nan) \
                        if p.has_plan else math.nan
                for e in env.entries:
                    risk = p.risks.get(e.cluster)
                    row[f"risk:{e.cluster}"] = math.nan if risk is None else risk
                rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        def tr(t: Transition) -> dict[str, Any]:
            return {"above": num(t.above), "below": num(t.below)}

        return {
            "schema_version": REGION_FRONTIER_SCHEMA_VERSION,
            "region": self.region.spec.name,
            "status": self.status.value,
            "time_limit": self.time_limit,
            "envelopes": [{
                "id": e.id, "label": e.label, "today": num(e.today),
                "amount": num(e.file_amount), "minimum": num(e.minimum),
                "minimum_proven": e.minimum_proven, "free_until": num(e.free_until),
                "resolution": num(e.resolution), "entry_method": e.entry_method,
                "points": [{"amount": num(p.amount), "grid": p.grid,
                            "status": p.status.value, "total_risk": num(p.total_risk),
                            "gap": num(p.gap), "bound": num(p.bound), "after": num(p.after),
                            "cuts": {k: num(v) for k, v in p.cuts.items()},
                            "risks": {k: num(v) for k, v in p.risks.items()},
                            "least_cuts": {k: num(v) for k, v in p.least_cuts.items()},
                            "split_from": num(p.split_from)}
                           for p in e.points],
                "clusters": [{"id": c.cluster, "line": c.line, "max_cut": num(c.max_cut),
                              "cut_from": tr(c.cut), "max_cut_from": tr(c.full)}
                             for c in e.entries],
            } for e in self.envelopes],
            "audit": thawed(self.audit),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def report(self, fmt: str = "table") -> str:
        return render_as("region_frontier", self, fmt)


@dataclass(frozen=True)
class RegionRuns:
    """A sweep (one row per point of the grid of region paths) or a tornado (one row per
    input moved down and up) of a region: `kind` is "sweep" or "tornado"."""

    region: Region
    kind: str
    frame: pd.DataFrame
    base_risk: float | None = None  # the tornado's starting point
    base_status: Status | None = None
    percent: float | None = None  # the tornado's move, as a fraction

    def __repr__(self) -> str:
        return f"RegionRuns(kind={self.kind!r}, region={self.region.name!r}, rows={len(self.frame)})"

    @property
    def status(self) -> Status:
        statuses = set(self.frame["status"]) if len(self.frame) else set()
        if Status.TIME_LIMIT.value in statuses or Status.ERROR.value in statuses:
            return Status.TIME_LIMIT
        return Status.OPTIMAL

    def report(self, fmt: str = "table") -> str:
        return render_as("region_runs", self, fmt)


__all__ = ["REGION_FRONTIER_SCHEMA_VERSION", "ClusterEntry", "EnvelopeFrontier",
           "FrontierPoint", "RegionFrontier", "RegionRuns", "Transition"]

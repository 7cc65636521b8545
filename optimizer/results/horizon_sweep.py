"""The points of a horizon sweep or frontier: one whole path per value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..case.schema import Case
from ..status import Status
from .base import num


@dataclass(frozen=True)
class HorizonPoint:
    value: Any
    status: Status
    risk: float | None  # the path's total EUR at risk (discounted), None without a path
    final_share: float | None  # the private share of the last year on the path
    levers: tuple[str, ...]  # the levers the path uses in some year
    first_blocked_year: int | None = None  # out of reach: the first year no plan reaches

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "status": self.status.value, "risk": num(self.risk),
                "final_share": num(self.final_share), "levers": list(self.levers),
                "first_blocked_year": self.first_blocked_year}


@dataclass(frozen=True)
class HorizonSweep:
    case: Case
    path: str
    points: Sequence[HorizonPoint]

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case.name, "path": self.path,
                "points": [p.to_dict() for p in self.points]}


__all__ = ["HorizonPoint", "HorizonSweep"]

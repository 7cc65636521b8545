"""One point of a sensitivity run: its status, plan and figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..status import Status


@dataclass
class Point:
    """The answer at one point: status, plan and the figures of the plan."""

    status: str
    plan: dict[str, float] | None = None
    risk: float = math.nan
    private_share: float = math.nan
    result: float = math.nan
    members: float = math.nan
    lever_risk: dict[str, float] = field(default_factory=dict)
    detail: str = ""
    solved: bool = True  # a solver ran for this point (False: an exact shortcut answered)
    found: Any = None  # a bisection's answer: (target, point below, point at or above)

    @property
    def ok(self) -> bool:
        return self.status == Status.OPTIMAL.value


__all__ = ["Point"]

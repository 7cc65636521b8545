"""The status of a solve, and what a solver said (ground layer: imports nothing else).

Infeasible is an answer, not an exception: it is a status of the result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def exit_code(self) -> int:
        return {Status.OPTIMAL: 0, Status.INFEASIBLE: 3}.get(self, 4)


@dataclass(frozen=True)
class SolverOutcome:
    status: Status
    has_plan: bool  # a feasible plan was found (proven optimal only when status is OPTIMAL)
    values: dict[str, float] = field(default_factory=dict)
    objective: float | None = None
    solver: str = "cbc"
    solver_version: str = ""
    detail: str = ""  # what the solver said, in its words
    seconds: float = 0.0


__all__ = ["SolverOutcome", "Status"]

"""What every solver offers: one small class per solver (linopy's style), the shared gaps.

A solver solves a PuLP problem and maps every outcome to a `Status`: infeasible is an
answer, not an exception; only a missing or crashing solver raises `SolverError`.
"""

from __future__ import annotations

import abc
from typing import Any

from ..status import SolverOutcome
from .names import SolverName

# Relative and absolute optimality gaps: small enough that CBC and HiGHS agree on
# the optimal EUR at risk to well within MODEL.md's 1e-6 relative.
GAP_REL = 1e-9
GAP_ABS = 1e-6


class Solver(abc.ABC):
    name: SolverName
    seed: Any = None  # the random seed the solver runs with, for the audit trail

    @abc.abstractmethod
    def solve(self, prob: Any, time_limit: float | None = None) -> SolverOutcome:
        """Solve a PuLP problem in place (its variables hold the plan) and say how it went."""

    @abc.abstractmethod
    def version(self) -> str:
        """The solver and its version, for the audit trail."""

    def options(self, time_limit: float | None) -> dict[str, Any]:
        """The options a solve runs with, for the audit trail of a result."""
        return {"time_limit": time_limit, "gap_rel": GAP_REL, "gap_abs": GAP_ABS,
                "seed": self.seed}


__all__ = ["GAP_ABS", "GAP_REL", "Solver"]

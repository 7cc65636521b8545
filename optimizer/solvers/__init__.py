"""The only code that runs a solver: CBC (through PuLP) and HiGHS (in-process).

`run(prob, solver, time_limit)` solves a PuLP problem and maps every outcome to a
`Status`; `get_solver(name)` gives the solver's small class (its version and options
for the audit trail). The solver name is a `SolverName`, validated once.
"""

from __future__ import annotations

from typing import Any

from ..errors import SolverError
from ..status import SolverOutcome
from .base import GAP_ABS, GAP_REL, Solver
from .names import SOLVERS, SolverName


def get_solver(name: str | SolverName) -> Solver:
    """The solver of a name (SolverError for an unknown one: names are validated earlier)."""
    if name == SolverName.CBC:
        from .cbc import Cbc

        return Cbc()
    if name == SolverName.HIGHS:
        from .highs import Highs

        return Highs()
    raise SolverError(f"unknown solver '{name}'; use one of {', '.join(SOLVERS)}")


def run(prob: Any, solver: str | SolverName = "cbc", time_limit: float | None = None
        ) -> SolverOutcome:
    """Solve a PuLP problem with the named solver (its variables then hold the plan)."""
    return get_solver(solver).solve(prob, time_limit)


__all__ = ["GAP_ABS", "GAP_REL", "SOLVERS", "Solver", "SolverName", "get_solver", "run"]

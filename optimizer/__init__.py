"""Which mix of levers brings a business cluster to a target private-funding share
at the least EUR at risk.

    >>> import optimizer
    >>> case = optimizer.load_case("cases/aura-average-2020.json")   # doctest: +SKIP
    >>> result = optimizer.solve(case)                               # doctest: +SKIP
    >>> result.status, round(result.risk)                            # doctest: +SKIP

The pipeline: case (validated input) -> model (the MILP, PuLP) -> solve (the one
place that calls a solver) -> result (figures by arithmetic) -> report.
"""

from ._version import __version__
from .case import Case, apply_overrides, case_schema, load_case
from .errors import CaseError, OptimizerError, SolverError
from .optimize import diagnose, max_private_share, solve
from .result import Evaluation, Result, evaluate
from .sensitivity import Frontier, frontier, sweep, tornado
from .solve import SOLVERS, Status
from .uncertainty import Simulation, simulate

__all__ = [
    "SOLVERS",
    "Case",
    "CaseError",
    "Evaluation",
    "Frontier",
    "OptimizerError",
    "Result",
    "Simulation",
    "SolverError",
    "Status",
    "__version__",
    "apply_overrides",
    "case_schema",
    "diagnose",
    "evaluate",
    "frontier",
    "load_case",
    "max_private_share",
    "simulate",
    "solve",
    "sweep",
    "tornado",
]

"""Which mix of levers brings a business cluster to a target private-funding share
at the least EUR at risk.

    >>> import optimizer
    >>> case = optimizer.load_case("cases/aura-average-2020.json")   # doctest: +SKIP
    >>> result = optimizer.solve(case)                               # doctest: +SKIP
    >>> result.status, round(result.risk)                            # doctest: +SKIP

The pipeline: case (validated input) -> model (the MILP, PuLP) -> solvers (the one
place that runs a solver) -> results (figures by arithmetic) -> report. This module is
the public facade; it imports each name on first use (PEP 562), so that
`import optimizer.case` loads neither PuLP nor pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "SOLVERS": "optimizer.solvers.names",
    "Case": "optimizer.case.schema",
    "CaseError": "optimizer.errors",
    "Evaluation": "optimizer.plan.evaluate",
    "Frontier": "optimizer.results.frontier",
    "OptimizerError": "optimizer.errors",
    "Result": "optimizer.results.result",
    "Simulation": "optimizer.results.simulation",
    "SolverError": "optimizer.errors",
    "SolverName": "optimizer.solvers.names",
    "Status": "optimizer.status",
    "apply_overrides": "optimizer.case.schema",
    "board_pack": "optimizer.report.files",
    "case_schema": "optimizer.case.export",
    "diagnose": "optimizer.analyses.diagnose",
    "evaluate": "optimizer.plan.evaluate",
    "frontier": "optimizer.analyses.sensitivity.frontier",
    "language": "optimizer.i18n",
    "load_case": "optimizer.case.load",
    "load_region": "optimizer.case.region",
    "Region": "optimizer.case.region",
    "RegionResult": "optimizer.results.region",
    "solve_region": "optimizer.analyses.region",
    "region_frontier": "optimizer.analyses.region_frontier",
    "region_sweep": "optimizer.analyses.region_frontier",
    "region_tornado": "optimizer.analyses.region_frontier",
    "solve_region_horizon": "optimizer.analyses.region_horizon",
    "RegionHorizonResult": "optimizer.results.region_horizon",
    "max_private_share": "optimizer.analyses.diagnose",
    "register_lever": "optimizer.levers.registry",
    "simulate": "optimizer.analyses.simulate",
    "solve": "optimizer.analyses.solve",
    "sweep": "optimizer.analyses.sensitivity.sweep",
    "tornado": "optimizer.analyses.sensitivity.tornado",
    "write_template": "optimizer.case.workbook",
}
# Names whose answers have a `.report()`: the report layer registers its renderers when
# imported, so it comes along with them.
_ANSWERS = frozenset({"Frontier", "Result", "RegionResult", "solve_region",
                      "RegionHorizonResult", "solve_region_horizon",  # region horizon
                      "diagnose", "frontier", "simulate", "solve",
                      "sweep", "tornado"})
_ANSWERS |= {"region_frontier", "region_sweep", "region_tornado"}  # issue 10


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    if name in _ANSWERS:
        import_module("optimizer.report")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # what type checkers and editors see (the same names, imported eagerly)
    from .analyses.diagnose import diagnose, max_private_share
    from .analyses.region import solve_region
    from .analyses.region_frontier import region_frontier, region_sweep, region_tornado
    from .analyses.region_horizon import solve_region_horizon
    from .analyses.sensitivity.frontier import frontier
    from .analyses.sensitivity.sweep import sweep
    from .analyses.sensitivity.tornado import tornado
    from .analyses.simulate import simulate
    from .analyses.solve import solve
    from .case.export import case_schema
    from .case.load import load_case
    from .case.region import Region, load_region
    from .case.schema import Case, apply_overrides
    from .case.workbook import write_template
    from .errors import CaseError, OptimizerError, SolverError
    from .i18n import language
    from .levers.registry import register_lever
    from .plan.evaluate import Evaluation, evaluate
    from .report.files import board_pack
    from .results.frontier import Frontier
    from .results.region import RegionResult
    from .results.region_horizon import RegionHorizonResult
    from .results.result import Result
    from .results.simulation import Simulation
    from .solvers.names import SOLVERS, SolverName
    from .status import Status

__all__ = [
    "SOLVERS",
    "Case",
    "CaseError",
    "Evaluation",
    "Frontier",
    "OptimizerError",
    "Region",
    "RegionHorizonResult",
    "RegionResult",
    "Result",
    "Simulation",
    "SolverError",
    "SolverName",
    "Status",
    "__version__",
    "apply_overrides",
    "board_pack",
    "case_schema",
    "diagnose",
    "evaluate",
    "frontier",
    "language",
    "load_case",
    "load_region",
    "max_private_share",
    "region_frontier",
    "region_sweep",
    "region_tornado",
    "register_lever",
    "simulate",
    "solve",
    "solve_region",
    "solve_region_horizon",
    "sweep",
    "tornado",
    "write_template",
]

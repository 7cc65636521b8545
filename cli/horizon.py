"""`optimize CASE` for a case with a `horizon`: the path year by year (glue only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from optimizer.analyses.horizon import solve_horizon
from optimizer.case.schema import Case
from optimizer.errors import CaseError
from optimizer.report import render_horizon


def run(case: Case, overrides: Mapping[str, Any], *, solver: str, time_limit: float | None,
        simulate_n: int | None, plot_file: str | None, fmt: str, output: str | None,
        protect: tuple[str, ...], emit: Callable[[str, str | None, tuple[str, ...]], None]
        ) -> int:
    if simulate_n is not None:
        raise CaseError("--simulate: not supported for a case with a horizon yet "
                        "(docs/MODEL.md, \"Horizon\", not supported yet)")
    if plot_file is not None:
        raise CaseError("--plot: not supported for a case with a horizon yet")
    result = solve_horizon(case, solver=solver, time_limit=time_limit, overrides=overrides)
    emit(render_horizon(result, fmt), output, protect)
    return result.status.exit_code

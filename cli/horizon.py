"""`optimize CASE` for a case with a `horizon`: the path year by year (glue only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from optimizer.analyses.horizon import solve_horizon
from optimizer.case.schema import DEFAULT_SEED, Case
from optimizer.report import render_horizon


def run(case: Case, overrides: Mapping[str, Any], *, solver: str, time_limit: float | None,
        simulate_n: int | None, plot_file: str | None, fmt: str, output: str | None,
        protect: tuple[str, ...], emit: Callable[[str, str | None, tuple[str, ...]], None],
        seed: int | None = None) -> int:
    if plot_file is not None:
        from optimizer.report.plots import check_plot_file

        check_plot_file(plot_file)
    result = solve_horizon(case, solver=solver, time_limit=time_limit, overrides=overrides)
    if simulate_n is not None and result.years:
        from optimizer.analyses.horizon_simulate import simulate_horizon

        sim = simulate_horizon(result, simulate_n, DEFAULT_SEED if seed is None else seed)
        result = dataclasses.replace(result, simulation=sim)
    if plot_file is not None and result.years:
        from optimizer.report.horizon_plots import plot_horizon

        plot_horizon(plot_file, result, protect)
    emit(render_horizon(result, fmt), output, protect)
    return result.status.exit_code

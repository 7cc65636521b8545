"""`optimize CASE` for a case with a `horizon`: the path year by year (glue only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from optimizer.analyses.horizon import solve_horizon
from optimizer.case.schema import DEFAULT_SEED, Case
from optimizer.i18n import gettext as _
from optimizer.report.pack_files import horizon_report


def run(case: Case, overrides: Mapping[str, Any], *, solver: str, time_limit: float | None,
        simulate_n: int | None, plot_file: str | None, fmt: str, output: str | None,
        protect: tuple[str, ...], emit: Callable[[str | bytes, str | None, tuple[str, ...]], None],
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
    emit(horizon_report(result, fmt), output, protect)
    return result.status.exit_code


def run_sensitivity(case: Case, sweeps: tuple[str, ...], want_frontier: bool,
                    tornado_pct: str | None, points: int | None, *, solver: str,
                    time_limit: float | None, plot_file: str | None, fmt: str,
                    output: str | None, protect: tuple[str, ...],
                    emit: Callable[[str | bytes, str | None, tuple[str, ...]], None]) -> int:
    """--sweep PATH=... (one path) or --frontier on a horizon case: a whole path per point."""
    from optimizer.analyses.horizon_sweep import frontier_horizon, sweep_horizon
    from optimizer.analyses.sensitivity.sweep import parse_sweep
    from optimizer.errors import CaseError
    from optimizer.report.horizon_sweep import plot_horizon_sweep
    from optimizer.report.pack_files import horizon_sweep_report

    if tornado_pct is not None:
        raise CaseError(_("--tornado: not supported for a case with a horizon yet"))
    if len(sweeps) > 1:
        raise CaseError(_("--sweep: a horizon case takes one --sweep path at a time"))
    if plot_file is not None:
        from optimizer.report.plots import check_plot_file

        check_plot_file(plot_file)
    if want_frontier:
        if sweeps:
            raise CaseError(_("--frontier: give either --frontier or --sweep, not both"))
        result = frontier_horizon(case, points, solver, time_limit)
    else:
        path, values = parse_sweep(sweeps[0])
        values = [float(v) if hasattr(v, "text") else v for v in values]  # 55% -> 0.55
        result = sweep_horizon(case, path, values, solver, time_limit)
    if plot_file is not None:
        plot_horizon_sweep(plot_file, result, protect)
    emit(horizon_sweep_report(result, fmt), output, protect)
    return 0

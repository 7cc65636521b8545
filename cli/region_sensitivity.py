"""`optimize region.json --frontier | --sweep PATH=... | --tornado PCT` (issue 10). Glue only:
parse (the one-cluster sweep and tornado readers), run the region analyses, print."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from optimizer.analyses.region_frontier import (
    DEFAULT_POINT_TIME_LIMIT,
    region_frontier,
    region_sweep,
    region_tornado,
)
from optimizer.errors import CaseError
from optimizer.i18n import gettext as _
from optimizer.report.region_frontier import render_region_frontier, render_region_runs


def run(case_file: str, overrides: dict[str, Any], *, sweeps: tuple[str, ...],
        want_frontier: bool, tornado_pct: str | None, points: int | None,
        time_limit: float | None, plot_file: str | None, fmt: str, quiet: bool,
        simulate: int | None, seed: int | None, output: str | None,
        protect: tuple[str, ...], emit: Callable[[str, str | None, tuple[str, ...]], None]
        ) -> int:
    """Run one sensitivity analysis of a region file; its exit code (0 every point proven
    optimal, 3 no point has a plan, 4 some point stopped by the time limit)."""
    from cli.sensitivity import check_options

    options = check_options(sweeps, want_frontier, tornado_pct, points, overrides, simulate,
                            seed, plot_file)
    if plot_file is not None and not want_frontier:
        raise CaseError(_("--plot: a region draws its --frontier; a region sweep or tornado "
                          "is a table (use --format csv)"))
    limit = time_limit or DEFAULT_POINT_TIME_LIMIT

    def progress(text: str) -> None:
        if not quiet:
            click.echo(_("solving {what}").format(what=text), err=True)
            sys.stderr.flush()

    if want_frontier:
        fr = region_frontier(case_file, points=points, time_limit=time_limit,
                             overrides=overrides, progress=progress)
        if plot_file is not None:
            from optimizer.report.region_frontier_plot import plot_region_frontier

            plot_region_frontier(fr, plot_file, protect + (output,) if output else protect)
        emit(render_region_frontier(fr, fmt), output, protect)
        return fr.status.exit_code
    if sweeps:
        runs = region_sweep(case_file, list(options["axes"].items()), limit,
                            overrides=overrides, progress=progress)
    else:
        runs = region_tornado(case_file, options["pct"], limit, overrides=overrides,
                              progress=progress)
    emit(render_region_runs(runs, fmt), output, protect)
    return runs.status.exit_code


__all__ = ["run"]

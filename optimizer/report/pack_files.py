"""The region's and the path's answers as files (issue 12): `--format html` (a page) and
`--format xlsx` (a workbook) of a `RegionResult`, a `HorizonResult` and a horizon sweep or
frontier, or their text reports for the other formats.

    region_report(result, "html")        # the page (str)
    horizon_report(result, "xlsx")       # the bytes of the workbook
    horizon_sweep_report(sweep, "json")  # the text report, as before
"""

from __future__ import annotations

from typing import Any

from .formats import FILE_FORMATS


def region_report(result: Any, fmt: str) -> str | bytes:
    if fmt == "html":
        from .html_region import region_page

        return region_page(result)
    if fmt == "xlsx":
        from .workbook_region import region_workbook

        return region_workbook(result)
    from .region import render_region

    return render_region(result, fmt)


def horizon_report(result: Any, fmt: str) -> str | bytes:
    if fmt == "html":
        from .html_horizon import horizon_page

        return horizon_page(result)
    if fmt == "xlsx":
        from .workbook_horizon import horizon_workbook

        return horizon_workbook(result)
    from .horizon import render_horizon

    return render_horizon(result, fmt)


def horizon_sweep_report(sweep: Any, fmt: str) -> str | bytes:
    if fmt == "html":
        from .horizon_sweep_files import horizon_sweep_page

        return horizon_sweep_page(sweep)
    if fmt == "xlsx":
        from .horizon_sweep_files import horizon_sweep_workbook

        return horizon_sweep_workbook(sweep)
    from .horizon_sweep import render_horizon_sweep

    return render_horizon_sweep(sweep, fmt)


__all__ = ["FILE_FORMATS", "horizon_report", "horizon_sweep_report", "region_report"]

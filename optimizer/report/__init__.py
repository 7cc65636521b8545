"""Reports for people and machines: words and tables (table, markdown), json and csv,
plots (matplotlib, optional), the Excel workbook and the HTML board pack (`files`: xlsx
bytes, a page), and files written whole or not at all.

Importing this package registers its renderers with the results (`Result.report`,
`Frontier.report`): the results never import the reports.
"""

from typing import Any

from ..results.base import register_renderer
from .files import board_pack, frontier_file, result_file
from .formats import FILE_FORMATS, FORMATS, REPORT_FORMATS, Format
from .horizon import render_horizon
from .pack_files import horizon_report, region_report
from .region import render_region
from .region_frontier import render_region_frontier, render_region_runs
from .region_horizon import render_region_horizon
from .result import render
from .sensitivity import render_frontier


def _result(result: Any, fmt: str) -> Any:
    """A plan's report: text, or a file's content (xlsx bytes, the html page)."""
    return result_file(result, fmt) if fmt in FILE_FORMATS else render(result, fmt)


def _frontier(fr: Any, fmt: str) -> Any:
    return frontier_file(fr, fmt) if fmt in FILE_FORMATS else render_frontier(fr, fmt)


register_renderer("result", _result)
register_renderer("frontier", _frontier)
def _horizon(result: Any, fmt: str) -> Any:
    """A path's report: text, or a file's content (xlsx bytes, the html page; issue 12)."""
    return horizon_report(result, fmt)


def _region(result: Any, fmt: str) -> Any:
    return region_report(result, fmt)


register_renderer("horizon", _horizon)
register_renderer("region", _region)
register_renderer("region_frontier", render_region_frontier)
register_renderer("region_runs", render_region_runs)
register_renderer("region_horizon", render_region_horizon)

__all__ = ["FILE_FORMATS", "FORMATS", "REPORT_FORMATS", "Format", "board_pack", "render",
           "render_frontier", "render_horizon", "render_region", "render_region_horizon"]

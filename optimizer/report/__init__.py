"""Reports for people and machines: words and tables (table, markdown), json and csv,
plots (matplotlib, optional), and files written whole or not at all.

Importing this package registers its renderers with the results (`Result.report`,
`Frontier.report`): the results never import the reports.
"""

from ..results.base import register_renderer
from .formats import FORMATS, Format
from .horizon import render_horizon
from .region import render_region
from .result import render
from .sensitivity import render_frontier

register_renderer("result", render)
register_renderer("frontier", render_frontier)
register_renderer("horizon", render_horizon)
register_renderer("region", render_region)

__all__ = ["FORMATS", "Format", "render", "render_frontier", "render_horizon", "render_region"]

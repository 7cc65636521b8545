"""A lazy facade (PEP 562): importing optimizer.case runs no solver code."""

from ._version import __version__
from .errors import CaseError

__all__ = ["CaseError", "Result", "__version__", "solve"]


def __getattr__(name):
    if name == "solve":
        from .analyses.solve import solve
        return solve
    if name == "Result":
        from .results.result import Result
        return Result
    raise AttributeError(name)

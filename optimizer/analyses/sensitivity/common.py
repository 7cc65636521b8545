"""What the sensitivity runs share: the target path, the size limit, a point as a row,
the run settings."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...case.schema import Case
from ...errors import CaseError
from ...results.point import Point
from ...solvers import SolverName
from .engine import default_workers

TARGET = "target.private_share"
# A sweep, grid included, has at most this many points.
MAX_POINTS = 100_000

Progress = Callable[[int, int], None]


def point_row(case: Case, point: Point) -> dict[str, Any]:
    """A point's figures and lever values, as a row of a frame."""
    row: dict[str, Any] = {"status": point.status, "risk": point.risk,
                           "private_share": point.private_share, "result": point.result,
                           "members": point.members}
    for lever in case.levers:
        row[f"lever:{lever.id}"] = (point.plan.get(lever.id, 0.0) if point.plan is not None
                                    else math.nan)
    return row


def check_settings(solver: str, workers: int | None) -> int:
    """The number of workers to use (CaseError for an unknown solver or too few workers)."""
    SolverName.parse(solver)
    if workers is not None and workers < 1:
        raise CaseError(f"workers: must be at least 1, got {workers}")
    return default_workers() if workers is None else workers


__all__ = ["MAX_POINTS", "TARGET", "Progress", "check_settings", "point_row"]

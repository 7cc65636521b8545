"""The columns of a sweep's frame (one row per point), shared by the sweep and its reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# A sweep of `members` keeps the swept value under its path and calls the members after
# the plan `members_after`.
MEMBERS, MEMBERS_AFTER = "members", "members_after"


def members_column(frame: pd.DataFrame) -> str:
    """The column of the members after the plan in a sweep frame."""
    return MEMBERS_AFTER if MEMBERS_AFTER in frame.columns else MEMBERS


def lever_columns(case: Any) -> list[str]:
    return [f"lever:{lever.id}" for lever in case.levers]


__all__ = ["MEMBERS", "MEMBERS_AFTER", "lever_columns", "members_column"]

"""The words of a sensitivity run's progress line (the CLI draws it on a terminal).

Before the first point: what the run will do and how many solves it takes ("CVaR sweep
of 2 points: 2 solves, each a whole CVaR solve (as long as one `optimize`)"). Then a bar, the points
done, the time so far and, once points are done, an estimate of the time left, from
the pace of the points of the current stage (a frontier solves its grid of targets,
then bisects each change of plan: a stage starts when the count of points in all
changes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["sweep", "frontier", "tornado"]

# Solves of a bisection between two grid targets of a frontier (to 1e-4 of share, from a
# grid step of about 1e-3): a few, and up to ten for a coarse grid.
BISECTION_WORDS = "and every 1e-4 step of target from today's share to the highest (each change of plan)"


def is_cvar(case: Any) -> bool:
    return getattr(case.target, "risk_measure", None) == "cvar"


def outline(kind: Kind, case: Any, count: int, whole: bool = False) -> str:
    """What a run will do, before it starts: its points and how many solves they take.

    count: the sweep's points, the frontier's grid targets, or the tornado's solves (the
    case as given, and each input moved down and up). whole: each point is a whole
    `optimize` solve (`analyses.sensitivity.engine.point_by_point`: the CVaR, a robust
    target, a risk tolerance), not a re-solve of one model in place with shortcuts.
    """
    name = run_label(kind, case)
    what = "CVaR solve" if is_cvar(case) else "solve"
    each = f", each a whole {what} (as long as one `optimize`)" if whole else ""
    if kind == "sweep":
        if whole:
            return f"{name} of {count:,} points: {count:,} solves{each}"
        return f"{name} of {count:,} points: at most {count:,} solves (exact shortcuts skip some)"
    if kind == "frontier":
        return f"{name}: {count:,} grid targets, {BISECTION_WORDS}{each}"
    return f"{name}: {count:,} solves{each}"


def duration(seconds: float) -> str:
    """A time for people: '8.2 s', '3 min 5 s', '1 h 12 min'."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        m, s = divmod(round(seconds), 60)
        return f"{m} min {s} s"
    h, m = divmod(round(seconds / 60), 60)
    return f"{h} h {m} min"


@dataclass
class Estimate:
    """The time left, from the pace of the current stage's points (the first stage from the
    start of the run, a later one from the moment its count of points appeared)."""

    total: int = -1
    last_done: int = 0
    stage_done: int = 0
    stage_start: float = 0.0

    def update(self, done: int, total: int, elapsed: float) -> float | None:
        """Seconds left for the points of this stage (None until one of them is done)."""
        if total != self.total:  # a new stage (the first from the start of the run)
            first = self.total == -1
            self.total, self.stage_done = total, self.last_done
            self.stage_start = 0.0 if first else elapsed
        self.last_done = done
        finished = done - self.stage_done
        if finished <= 0 or elapsed <= self.stage_start:
            return None
        return (elapsed - self.stage_start) / finished * max(total - done, 0)


def progress_line(label: str, done: int, total: int, elapsed: float, left: float | None,
                  width: int = 24) -> str:
    """'sweep [######------] 40/101 points, 12.3 s, about 18.0 s left'."""
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    text = f"{label} [{bar}] {done:,}/{total:,} points, {duration(elapsed)}"
    if left is not None and done < total and math.isfinite(left):
        text += f", about {duration(left)} left"
    return text


def run_label(kind: Kind, case: Any) -> str:
    """The run's name on its progress line: 'sweep', 'CVaR frontier'."""
    return f"CVaR {kind}" if is_cvar(case) else kind


__all__ = ["Estimate", "duration", "is_cvar", "outline", "progress_line", "run_label"]

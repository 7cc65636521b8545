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

from ..fmt import count as count_text
from ..fmt import fixed
from ..i18n import N_
from ..i18n import gettext as _

Kind = Literal["sweep", "frontier", "tornado"]

# Solves of a bisection between two grid targets of a frontier (to 1e-4 of share, from a
# grid step of about 1e-3): a few, and up to ten for a coarse grid.
BISECTION_WORDS = N_("and every 1e-4 step of target from today's share to the highest (each change of plan)")


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
    each = ((_(", each a whole CVaR solve (as long as one `optimize`)") if is_cvar(case) else
             _(", each a whole solve (as long as one `optimize`)")) if whole else "")
    n = count_text(count)
    if kind == "sweep":
        if whole:
            return _("{name} of {n} points: {n} solves{each}").format(name=name, n=n, each=each)
        return _("{name} of {n} points: at most {n} solves (exact shortcuts skip some)").format(
            name=name, n=n)
    if kind == "frontier":
        return _("{name}: {n} grid targets, {bisection}{each}").format(
            name=name, n=n, bisection=_(BISECTION_WORDS), each=each)
    return _("{name}: {n} solves{each}").format(name=name, n=n, each=each)


def duration(seconds: float) -> str:
    """A time for people: '8.2 s', '3 min 5 s', '1 h 12 min'."""
    if seconds < 60:
        return f"{fixed(seconds, 1)} s"
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
    text = _("{label} [{bar}] {done}/{total} points, {elapsed}").format(
        label=label, bar=bar, done=count_text(done), total=count_text(total),
        elapsed=duration(elapsed))
    if left is not None and done < total and math.isfinite(left):
        text += _(", about {left} left").format(left=duration(left))
    return text


# A run's name (N_ marks them for the catalog).
RUN_NAMES = {"sweep": N_("sweep"), "frontier": N_("frontier"), "tornado": N_("tornado"),
             "CVaR sweep": N_("CVaR sweep"), "CVaR frontier": N_("CVaR frontier"),
             "CVaR tornado": N_("CVaR tornado")}


def run_label(kind: Kind, case: Any) -> str:
    """The run's name on its progress line: 'sweep', 'CVaR frontier'."""
    name = f"CVaR {kind}" if is_cvar(case) else kind
    return _(RUN_NAMES.get(name, name))


__all__ = ["Estimate", "duration", "is_cvar", "outline", "progress_line", "run_label"]

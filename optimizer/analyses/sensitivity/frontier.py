"""The frontier: the least EUR at risk from today's share to the highest reachable one,
and the targets where the plan changes shape (every step of `precision` solved)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from ...case.load import load_case
from ...case.schema import Case
from ...errors import CaseError
from ...fmt import general, pct, pct_digits
from ...i18n import NNBSP, ngettext
from ...i18n import gettext as _
from ...levers.base import LeverBase
from ...plan.evaluate import evaluate
from ...results.frontier import Frontier, event_words, stopped_words
from ...results.point import Point
from ...results.sweep import lever_columns
from ...status import Status
from ..diagnose import max_private_share
from .common import MAX_POINTS, Progress, check_settings, point_row
from .engine import chunk_size, lever_state, run_tasks, target_tasks

_VERBS = {
    ("off", "on"): "enters", ("off", "max"): "enters at its maximum",
    ("on", "off"): "leaves", ("max", "off"): "leaves",
    ("on", "max"): "reaches its maximum", ("max", "on"): "drops below its maximum",
}


def frontier(case: Case | Mapping[str, Any] | str | os.PathLike[str], *, points: int = 101,
             precision: float = 1e-4, solver: str = "highs", time_limit: float | None = None,
             workers: int | None = None, progress: Progress | None = None) -> Frontier:
    """The least EUR at risk for every target from today's share to the highest reachable.

    points: the table's targets, evenly spaced. Every target from today's share to the
    highest one, in steps of `precision`, is solved too: each change of a lever's state
    (enters or leaves the plan, reaches or leaves its maximum) is reported at the first
    step where it holds, toggles included; the notes say which levers enter for good and
    which come and go.
    """
    case = load_case(case)
    workers = check_settings(solver, workers)
    if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= MAX_POINTS:
        raise CaseError(f"--points: must be a whole number from 2 to {MAX_POINTS:,}, got {points}")
    if not 0 < precision < 1:
        raise CaseError(f"precision: must be between 0 and 1, got {precision}")
    today = evaluate(case, {}).private_share
    # The highest share: Dinkelbach on the exact model (CBC when asked for, else HiGHS).
    # Its last solve proves it; a time limit there leaves the frontier unproven.
    statuses: list[Status] = []
    top, _best = max_private_share(case, solver, time_limit, statuses=statuses)
    status = statuses[-1] if statuses else Status.OPTIMAL
    columns = ["target", "status", "risk", "private_share", "result", "members"]
    columns += lever_columns(case) + [f"risk:{lever.id}" for lever in case.levers]
    event_columns = ["target", "lever", "label", "event", "before", "after", "text"]
    import pandas as pd

    if top is None:
        return Frontier(case, today, None, pd.DataFrame(columns=columns),
                        pd.DataFrame(columns=event_columns), solver, precision,
                        status=status)
    low = min(today, top)
    grid = sorted({round(low + (top - low) * k / (points - 1), 12) for k in range(points)})
    grid[-1] = top
    # Every step of `precision` from today's share to the highest one is solved (issue 13):
    # each entry, exit, maximum and toggle is found at that resolution, none missed
    # between grid targets. The table keeps the evenly spaced grid.
    steps = math.floor((top - low) / precision + 1e-9)
    if steps + 1 > 20 * MAX_POINTS:
        raise CaseError(f"precision: {steps + 1:,} targets from {low:.2%} to {top:.2%}; use a "
                        "larger precision")
    fine = sorted({round(low + k * precision, 12) for k in range(steps + 1)} | set(grid))
    tasks = target_tasks(0, (), fine, list(range(len(fine))), chunk_size(case, solver))
    stage = _Stage(progress)
    solved = run_tasks(case, tasks, len(fine), solver=solver, time_limit=time_limit,
                       workers=workers, progress=stage.first)
    at = dict(zip(fine, solved))
    answers = [at[t] for t in grid]
    rows = []
    for t, point in zip(grid, answers):
        row = {"target": t, **point_row(case, point)}
        for lever in case.levers:
            row[f"risk:{lever.id}"] = point.lever_risk.get(lever.id, math.nan) if point.ok \
                else math.nan
        rows.append(row)
    table = pd.DataFrame(rows, columns=columns)

    # Where does the plan change shape? Between two adjacent targets of the fine grid.
    events = []
    changes: dict[str, list[str]] = {}
    for i in range(len(fine) - 1):
        a, b = solved[i], solved[i + 1]
        if not (a.ok and b.ok and a.plan is not None and b.plan is not None):
            continue
        for lever in case.levers:
            if not lever.enabled:
                continue
            v0, v1 = a.plan.get(lever.id, 0.0), b.plan.get(lever.id, 0.0)
            sa, sb = lever_state(lever, case, v0), lever_state(lever, case, v1)
            if sa == sb:
                continue
            verb = _VERBS.get((sa, sb), "changes")
            changes.setdefault(lever.id, []).append(verb)
            t = fine[i + 1]
            events.append({"target": t, "lever": lever.id, "label": lever.name, "event": verb,
                           "before": v0, "after": v1,
                           "text": _("{lever} {event} at {target} ({before} -> {after}).").format(
                               lever=lever.name, event=event_words(verb),
                               target=pct_digits(t, 2), before=_value(lever, v0),
                               after=_value(lever, v1))})
    answers_all = solved
    events.sort(key=lambda e: (e["target"], e["lever"]))
    events.append({"target": top, "lever": "", "label": "", "event": "no plan beyond",
                   "before": math.nan, "after": math.nan,
                   "text": _("Beyond {share} no plan exists.").format(
                       share=pct_digits(top, 2))})
    notes = []
    if status is not Status.OPTIMAL:
        notes.append(_("The highest share found, {top}, is not proven: the solver stopped {how} "
                       "before proving that no plan goes higher; raise --time-limit (or drop "
                       "it).").format(top=pct_digits(top, 2), how=stopped_words(status)))
    stopped = [p for p in answers_all if p.status in _STOPPED]
    if stopped:
        if status is Status.OPTIMAL:
            status = Status(stopped[0].status)
        n_stopped = len(stopped)
        notes.append(ngettext(
            "{n} solve stopped {how} before a proven optimum (status {status} in the table): "
            "those figures are not proven; raise --time-limit (or drop it).",
            "{n} solves stopped {how} before a proven optimum (status {status} in the table): "
            "those figures are not proven; raise --time-limit (or drop it).", n_stopped).format(
            n=n_stopped, how=stopped_words(Status(stopped[0].status)),
            status=stopped[0].status))
    if today > top + 1e-9:
        notes.append(_("Today's share ({today}) is above what a plan that meets the other "
                       "constraints can keep ({top}).").format(today=pct(today),
                                                                top=pct_digits(top, 2)))
    notes += _comings_and_goings(case, changes, solved[-1] if solved else None, precision)
    solves = sum(p.solved for p in answers_all)
    return Frontier(case, today, top, table, pd.DataFrame(events, columns=event_columns),
                    solver, precision, solves, tuple(notes), status=status)


def _comings_and_goings(case: Case, changes: Mapping[str, list[str]], last: Point | None,
                        precision: float) -> list[str]:
    """Which levers enter for good and which come and go, and how often (issue 13)."""
    good, toggling = [], []
    for lever_id, verbs in changes.items():
        lever = case.lever(lever_id)
        entries = sum(1 for v in verbs if v.startswith("enters"))
        exits = sum(1 for v in verbs if v == "leaves")
        on_at_top = last is not None and last.plan is not None and lever_state(
            lever, case, last.plan.get(lever_id, 0.0)) != "off"
        if entries == 1 and exits == 0 and on_at_top:
            good.append(lever.name)
        elif entries + exits > 1:
            toggling.append(_("{lever} ({entries}, {exits})").format(
                lever=lever.name,
                entries=ngettext("{n} entry", "{n} entries", entries).format(n=entries),
                exits=ngettext("{n} exit", "{n} exits", exits).format(n=exits)))
    out = []
    step = (pct_digits(precision, 2).replace(".00%", "%").replace(f",00{NNBSP}%", f"{NNBSP}%")
            if precision >= 1e-4 else general(precision))
    if good:
        out.append(_("Enter for good (every {step} of target solved): {levers}.").format(
            step=step, levers=", ".join(good)))
    if toggling:
        out.append(_("Come and go as the target rises: {levers}.").format(
            levers=_("; ").join(toggling)))
    return out


# Statuses of a solve stopped before a proven answer (a time limit, a solver failure).
_STOPPED = (Status.TIME_LIMIT.value, Status.ERROR.value, Status.UNBOUNDED.value)


class _Stage:
    """One progress count over the grid, then the bisections."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.grid = 0

    def first(self, done: int, total: int) -> None:
        self.grid = total
        if self.progress:
            self.progress(done, total)

    def second(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(self.grid + done, self.grid + total)


def _value(lever: LeverBase, value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return lever.value_event(value)


__all__ = ["frontier"]

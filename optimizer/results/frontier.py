"""The frontier of a case: the least EUR at risk against the target, and where the plan
changes shape (a frozen answer of `analyses.sensitivity.frontier`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.schema import Case
from ..fmt import keur
from ..status import Status
from .base import SCHEMA_VERSION, plain, plain_values, render_as
from .names import objective_words, robust_words

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Frontier:
    """The least EUR at risk against the target, and where the plan changes shape.

    table: one row per grid target (target, status, risk, private_share, result,
    members, lever:ID values, risk:ID each lever's EUR at risk).
    events: where each lever enters or leaves the plan or reaches or leaves its maximum,
    found by bisection to `precision` (target, lever, label, event, before, after, text).
    """

    case: Case
    today_share: float
    max_share: float | None
    table: pd.DataFrame
    events: pd.DataFrame
    solver: str
    precision: float
    solves: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    # optimal: every solve proven; time_limit (or error): a solve stopped before its proof,
    # so the frontier is not proven (exit 4); infeasible: no plan whatever the target.
    status: Status = Status.OPTIMAL

    def __repr__(self) -> str:
        """Short: the status, the case's name, the range of shares and the counts."""
        top = None if self.max_share is None else round(self.max_share, 6)
        return (f"Frontier(status={self.status.value!r}, case={self.case.name!r}, "
                f"today_share={round(self.today_share, 6)!r}, max_share={top!r}, "
                f"points={len(self.table)}, events={len(self.events)})")

    def headline(self) -> list[str]:
        """Where the frontier starts and ends, in words."""
        if self.max_share is None and self.status is not Status.INFEASIBLE and \
                self.status is not Status.OPTIMAL:
            return [(f"The solver stopped {stopped_words(self.status)} before it found the "
                     "highest share a plan reaches: no frontier. Raise --time-limit (or drop "
                     "it), or try the other solver (--solver).")]
        if self.max_share is None:
            return [("No plan meets the case's other constraints (result, capacity, members, "
                     "rules), whatever the target.")]
        out = [(f"Today's private share is {self.today_share:.1%}; the levers can take it up "
                f"to {self.max_share:.2%}.")]
        ok = self.table[self.table["status"] == Status.OPTIMAL.value]
        if len(ok):
            first, last = ok.iloc[0], ok.iloc[-1]
            already = [lv.name for lv in self.case.levers
                       if abs(float(first[f"lever:{lv.id}"])) > 1e-7]
            if already:
                plan = ("the least risky plan" if objective_words(self.case) == "EUR at risk"
                        else f"the plan of least {objective_words(self.case)}")
                out.append(f"At {first['target']:.1%} {plan} already uses: "
                           f"{', '.join(already)}.")
            what = objective_words(self.case)
            if what == "EUR at risk":
                out.append(f"The least EUR at risk rises from {keur(first['risk'])} at "
                           f"{first['target']:.1%} to {keur(last['risk'])} at "
                           f"{last['target']:.2%}.")
            else:  # the figures are the EUR at risk of the plans of least CVaR
                out.append(f"Each target's plan has the least {what}; its EUR at risk goes "
                           f"from {keur(first['risk'])} at {first['target']:.1%} to "
                           f"{keur(last['risk'])} at {last['target']:.2%}.")
        robust = robust_words(self.case)
        if robust:
            out.append(f"Every plan {robust}.")
        return out

    def summary(self) -> list[str]:
        """The frontier in words, for a board: every change, in order of target."""
        if self.max_share is None:
            return self.headline()
        return self.headline() + self.events["text"].tolist() + list(self.notes)

    def to_dict(self) -> dict[str, Any]:
        return frontier_dict(self)

    def report(self, fmt: str = "table", lang: str | None = None) -> str:
        """The report in a format: table, markdown, json, csv (drawn by optimizer.report),
        in a language ('en', 'fr'; None: the current one, see optimizer.language)."""
        return render_as("frontier", self, fmt, lang)


def stopped_words(status: Status) -> str:
    """How a solve stopped, in words: 'at its time limit', 'with an error'."""
    return {Status.TIME_LIMIT: "at its time limit", Status.ERROR: "with an error"}.get(
        status, f"({status.value})")


def frontier_dict(fr: Frontier) -> dict[str, Any]:
    # Column by column (a frontier may have 100,000 grid targets): no Series per row.
    case = fr.case
    ids = [lv.id for lv in case.levers]
    names = ["target", "status", "risk", "private_share", "result", "members"]
    table = {k: plain_values(v) for k, v in fr.table.to_dict("list").items()}
    points = [{**dict(zip(names, figures)), "levers": dict(zip(ids, levers)),
               "lever_risk": dict(zip(ids, risks))}
              for figures, levers, risks in zip(
                  zip(*(table[k] for k in names)), zip(*(table[f"lever:{i}"] for i in ids)),
                  zip(*(table[f"risk:{i}"] for i in ids)))]
    keys = ["target", "lever", "event", "before", "after", "text"]
    ev = {k: plain_values(v) for k, v in fr.events.to_dict("list").items()}
    events = [dict(zip(keys, values)) for values in zip(*(ev[k] for k in keys))]
    return {
        "schema_version": SCHEMA_VERSION, "kind": "frontier", "case": case.name,
        "status": fr.status.value, "solver": fr.solver, "today_share": plain(fr.today_share),
        "max_share": plain(fr.max_share), "precision": fr.precision, "points": points,
        "events": events, "summary": fr.summary(),
    }


__all__ = ["Frontier", "frontier_dict", "stopped_words"]

"""The frontier of a case: the least EUR at risk against the target, and where the plan
changes shape (a frozen answer of `analyses.sensitivity.frontier`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.schema import Case
from ..fmt import keur, pct, pct_digits
from ..i18n import N_
from ..i18n import gettext as _
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
            return [_("The solver stopped {how} before it found the highest share a plan "
                      "reaches: no frontier. Raise --time-limit (or drop it), or try the other "
                      "solver (--solver).").format(how=stopped_words(self.status))]
        if self.max_share is None:
            return [_("No plan meets the case's other constraints (result, capacity, members, "
                      "rules), whatever the target.")]
        out = [_("Today's private share is {today}; the levers can take it up to {top}.").format(
            today=pct(self.today_share), top=pct_digits(self.max_share, 2))]
        ok = self.table[self.table["status"] == Status.OPTIMAL.value]
        if len(ok):
            first, last = ok.iloc[0], ok.iloc[-1]
            already = [lv.name for lv in self.case.levers
                       if abs(float(first[f"lever:{lv.id}"])) > 1e-7]
            if already:
                what = objective_words(self.case)
                plan = (_("the least risky plan") if what == _("EUR at risk")
                        else _("the plan of least {what}").format(what=what))
                out.append(_("At {target} {plan} already uses: {levers}.").format(
                    target=pct(first["target"]), plan=plan, levers=", ".join(already)))
            what = objective_words(self.case)
            if what == _("EUR at risk"):
                out.append(_("The least EUR at risk rises from {first} at {first_target} to "
                             "{last} at {last_target}.").format(
                    first=keur(first["risk"]), first_target=pct(first["target"]),
                    last=keur(last["risk"]), last_target=pct_digits(last["target"], 2)))
            else:  # the figures are the EUR at risk of the plans of least CVaR
                out.append(_("Each target's plan has the least {what}; its EUR at risk goes "
                             "from {first} at {first_target} to {last} at {last_target}.").format(
                    what=what, first=keur(first["risk"]), first_target=pct(first["target"]),
                    last=keur(last["risk"]), last_target=pct_digits(last["target"], 2)))
        robust = robust_words(self.case)
        if robust:
            out.append(_("Every plan {robust}.").format(robust=robust))
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
    words = {Status.TIME_LIMIT: N_("at its time limit"), Status.ERROR: N_("with an error")}
    return _(words[status]) if status in words else f"({status.value})"


# Where a lever changes along the frontier (the `event` codes of its JSON and CSV), in
# words for a table (English: the code itself).
EVENT_WORDS = {
    "enters": N_("enters"), "enters at its maximum": N_("enters at its maximum"),
    "leaves": N_("leaves"), "reaches its maximum": N_("reaches its maximum"),
    "drops below its maximum": N_("drops below its maximum"), "changes": N_("changes"),
    "no plan beyond": N_("no plan beyond"),
}


def event_words(event: str) -> str:
    return _(EVENT_WORDS[event]) if event in EVENT_WORDS else event


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

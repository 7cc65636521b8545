"""The honest report of a path (docs/MODEL.md, "Horizon", "Honest reports of a path"): a
quick simulation of the path found (the same draws as `--simulate`, fixed seed) says how
often every year's target holds, how often the reserves stay above their floor every
year, and, when the path holds too rarely, whether a path protected by `target.robust`
exists at these targets (one extra solve)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..fmt import count, keur, money, pct_short
from ..i18n import gettext as _
from .base import num


@dataclass(frozen=True)
class YearOutlook:
    year: int
    p_target_met: float
    p_result_ok: float
    p_reserves_ok: float | None  # None without reserves


@dataclass(frozen=True)
class RobustCheck:
    """The one extra solve: the same case with `target.robust` = level."""

    level: int
    exists: bool
    risk: float | None  # its least total EUR at risk when it exists
    status: str


@dataclass(frozen=True)
class PathOutlook:
    scenarios: int
    seed: int
    years: Sequence[YearOutlook]
    p_every_target: float  # every year's target met, in the same run
    p_every_result: float  # every year's result at or above min_result, in the same run
    p_reserves_always_ok: float | None  # the reserves above the floor every year
    p_all: float  # all of the above in the same run
    robust: RobustCheck | None = None  # checked only when the path holds too rarely

    # Below this chance of holding, the report says what to try (as for one year).
    LOW: ClassVar[float] = 0.8

    @property
    def low(self) -> bool:
        return self.p_all < self.LOW

    def to_dict(self, advice: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenarios": self.scenarios, "seed": self.seed,
            "p_every_target": num(self.p_every_target),
            "p_every_result": num(self.p_every_result),
            "p_reserves_always_ok": num(self.p_reserves_always_ok),
            "p_all": num(self.p_all),
            "years": [{"year": y.year, "p_target_met": num(y.p_target_met),
                       "p_result_ok": num(y.p_result_ok),
                       "p_reserves_ok": num(y.p_reserves_ok)} for y in self.years],
            "robust_path": None, "advice": advice}
        if self.robust is not None:
            r = self.robust
            out["robust_path"] = {"robust": r.level, "exists": r.exists, "risk": num(r.risk),
                                  "status": r.status}
        return out


def chance(p: float) -> str:
    """A probability for people: never 0% or 100% when it is not exactly so."""
    if 0 < p < 0.0005:
        return _("under {share}").format(share=pct_short(0.001))
    if 0.9995 <= p < 1:
        return _("over {share}").format(share=pct_short(0.999))
    return pct_short(p)


def outlook_lines(outlook: PathOutlook, years: Sequence[int], min_reserves: float | None,
                  currency: str) -> list[str]:
    """The outlook of a path in words: how often it holds over the whole run, then year
    by year."""
    o = outlook
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else f"{years[0]}"
    parts = [_("meets every year's target in {chance}").format(chance=chance(o.p_every_target)),
             _("keeps every year's result at or above its floor (target.min_result) in "
               "{chance}").format(chance=chance(o.p_every_result))]
    if o.p_reserves_always_ok is not None and min_reserves is not None:
        parts.append(_("keeps the reserves above {amount} at the end of every year in "
                       "{chance}").format(amount=money(min_reserves, currency),
                                          chance=chance(o.p_reserves_always_ok)))
    text = _("Outlook: if each lever delivers anywhere between its low case and in full "
             "(most often in full), each year drawn anew, the path {parts} and {last} of {n} "
             "simulated runs of {span}").format(parts=", ".join(parts[:-1]), last=parts[-1],
                                                 n=count(o.scenarios), span=span)
    text += (_("; all of these in {chance}.").format(chance=chance(o.p_all))
             if len(parts) > 1 else ".")
    lines = [text]
    if len(o.years) > 1:
        lines.append(_("Target met each year: {years}.").format(years=", ".join(
            f"{y.year} {chance(y.p_target_met)}" for y in o.years)))
        if o.p_reserves_always_ok is not None:
            lines.append(_("Reserves above the floor each year: {years}.").format(
                years=", ".join(f"{y.year} {chance(y.p_reserves_ok or 0.0)}"
                                for y in o.years)))
    return lines


def outlook_advice(outlook: PathOutlook | None, robust: int, currency: str,
                   risk: float | None) -> str | None:
    """What to try when the path holds too rarely (None when it holds often enough)."""
    o = outlook
    if o is None or not o.low:
        return None
    out = [_("The path holds in fewer than {share} of runs: it sits on each year's target, "
             "so a lever that delivers less misses it.").format(share=pct_short(o.LOW))]
    r = o.robust
    who = "" if r is None else (
        _("any one lever delivers only its low case") if r.level == 1
        else _("any {n} levers deliver only their low case").format(n=r.level))
    if r is None:
        out.append(_("Every lever is already protected (target.robust = {robust}): lower the "
                     "targets, or give the levers more room.").format(robust=robust))
    elif r.exists:
        more = ("" if risk is None or r.risk is None else
                _(", for {risk} at risk over the years instead of {before}").format(
                    risk=money(r.risk, currency), before=keur(risk)))
        out.append(_("A path that holds if {who} exists at these targets{more}: set "
                     "target.robust to {level}.").format(who=who, more=more, level=r.level))
    else:
        out.append(_("No path at these targets holds if {who} (target.robust = {level} has no "
                     "solution): lower the targets, give the levers more room, or accept the "
                     "risk.").format(who=who, level=r.level))
    if o.p_reserves_always_ok is not None and o.p_reserves_always_ok < o.LOW:
        out.append(_("To keep the reserves above the floor in bad years, plan a smaller yearly "
                     "deficit (raise target.min_result) or start with more reserves."))
    return " ".join(out)


__all__ = ["PathOutlook", "RobustCheck", "YearOutlook", "chance", "outlook_advice",
           "outlook_lines"]

"""The region's report (issue 10): the envelope split, each cluster's plan in words, the
region totals, the binding region rows and the marginal risk of each envelope."""

from __future__ import annotations

import csv
import io
import math

from tabulate import tabulate

from ..fmt import count, keur, money, pct, pct_digits, status_words
from ..i18n import gettext as _
from ..results.region import RegionResult
from .formats import FORMATS, csv_number
from .region_gap import decomposition_lines
from .region_words import (
    cluster_lines,
    envelope_line,
    even_line,
    marginal_lines,
    outlook_overview,
    tolerance_line,
)


def render_region(result: RegionResult, fmt: str = "table") -> str:
    if fmt == "json":
        return result.to_json()
    if fmt == "csv":
        return _csv(result)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return _people(result, fmt == "markdown")


def pct_gap(x: float) -> str:
    """A relative gap in words: 0.0086% rather than 0.0%."""
    if x >= 0.001 or x <= 0:
        return pct_digits(x, 2)
    return pct_digits(x, min(8, 1 - math.floor(math.log10(x * 100))))


def _pct(x: float | None) -> str:
    return "-" if x is None else pct(x)


def _eur(x: float) -> str:
    return money(x, "EUR")


def _money_header(text: str) -> str:
    """A column's heading with its unit: 'Today (EUR)' (French: 'Aujourd'hui (€)')."""
    return text.format(unit=_("EUR"))


def _people(result: RegionResult, markdown: bool) -> str:
    style = "github" if markdown else "simple"
    spec = result.region.spec
    out: list[str] = []

    def heading(text: str) -> None:
        out.append(f"## {text}" if markdown else f"{text}\n{'=' * len(text)}")

    heading(_("Region: {name}").format(name=spec.name))
    out.append("")
    total = result.total_risk
    status = status_words(result.status, raw=True)
    if result.parts and total is not None:
        what = _("the fairest split (the least largest EUR at risk per EUR of budget, then the "
                 "least total)") if spec.objective == "fairest" else \
            _("the least total EUR at risk")
        if not result.proven_optimal:
            out.append(_("Status: {status}. The best split found (aiming at {what}): the "
                         "clusters together put {risk} at risk.").format(
                status=status, what=what, risk=_eur(total)))
        else:
            out.append(_("Status: {status}. The split of {what}: the clusters together put "
                         "{risk} at risk.").format(status=status, what=what, risk=_eur(total)))
        if result.method == "decompose" and not result.proven_optimal \
                and result.gap_eur is not None:
            out.extend(decomposition_lines(result, _eur, pct_gap))
        elif result.gap is not None and not result.proven_optimal:
            out.append(_("The time limit stopped the search: no split puts less than {bound} "
                         "at risk (proven gap {gap}).").format(
                bound=_eur(result.bound or 0.0), gap=pct_digits(result.gap, 2)))
        elif result.proven_optimal and result.method == "decompose":
            out.append(_("Proven optimal (by decomposition: the split's EUR at risk meets "
                         "the proven bound)."))
        elif result.proven_optimal:
            out.append(_("Proven optimal."))
        overview = outlook_overview(result)
        if overview:
            out.append(overview)
        tolerance = tolerance_line(result)
        if tolerance:
            out.append(tolerance)
    else:
        out.append(_("Status: {status}. No split of the envelopes keeps every cluster at its "
                     "targets.").format(status=status))
    out.append("")
    if result.envelopes_split:
        heading(_("Envelopes"))
        rows = [[e.label, keur(e.before), keur(e.amount),
                 "-" if e.after is None else keur(e.after),
                 "-" if e.after is None else pct((e.before - e.after) / e.before)
                 if e.before else "-"]
                for e in result.envelopes_split]
        out.append(tabulate(rows, headers=[_("Envelope"), _money_header(_("Today ({unit})")),
                                           _money_header(_("At most ({unit})")),
                                           _money_header(_("After ({unit})")), _("Cut")],
                            tablefmt=style, disable_numparse=True))
        out.append("")
        notes = [t for t in (envelope_line(result, e) for e in result.envelopes_split) if t]
        even = even_line(result)
        if even:
            notes.append(even)
        if notes:
            out.extend(notes)
            out.append("")
    if result.parts:
        heading(_("Split and plans"))
        rows = []
        for p in result.parts:
            ev = p.result.evaluation
            cut = sum(p.cuts.values())
            rows.append([p.id, keur(cut), pct(cut / p.budget) if p.budget else "-",
                         keur(p.risk or 0.0), _pct(p.before_share),
                         _pct(p.result.before.private_share),
                         _pct(ev.private_share if ev else None),
                         keur(p.before_result), keur(ev.result) if ev else "-"])
        out.append(tabulate(rows, headers=[_("Cluster"), _money_header(_("Cut ({unit})")),
                                           _("of budget"),
                                           _money_header(_("At risk ({unit})")),
                                           _("Private today"), _("after cut"), _("after plan"),
                                           _("Result today"), _("after plan")], tablefmt=style,
                            disable_numparse=True))
        out.append("")
        for p in result.parts:
            out.extend(cluster_lines(result, p, markdown))
        out.append("")
    heading(_("Region totals"))
    if result.private_share is not None:
        target = spec.region_private_share
        before, after = _pct(result.private_share[0]), _pct(result.private_share[1])
        out.append(_("Combined private share: {before} today, {after} after (target "
                     "{target}).").format(before=before, after=after,
                                          target=pct_digits(target, 0))
                   if target is not None else
                   _("Combined private share: {before} today, {after} after.").format(
                       before=before, after=after))
    if spec.member_pool is not None and result.new_members is not None:
        out.append(_("New members recruited: {n} of a pool of {pool}.").format(
            n=count(result.new_members), pool=count(spec.member_pool)))
    if result.binding:
        out.append(_("Binding region constraints: {names}.").format(
            names=", ".join(result.binding)))
    out.extend(marginal_lines(result))
    if result.diagnosis is not None:
        d = result.diagnosis
        out.append("")
        heading(_("Why no split"))
        for env_id, amount in d.min_envelope.items():
            out.append(
                _("Envelope {envelope}: the smallest amount the clusters can absorb is "
                  "{amount}.").format(envelope=env_id, amount=_eur(amount))
                if amount is not None else
                _("Envelope {envelope}: the smallest amount the clusters can absorb is none "
                  "(the other constraints fail whatever the envelope).").format(envelope=env_id))
        for text in d.blocking_text:
            out.append(f"- {text}")
    return "\n".join(out).rstrip() + "\n"


def _csv(result: RegionResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "id", "envelope", "amount", "before", "after", "cut", "risk"])
    for e in result.envelopes_split:
        w.writerow(["envelope", e.id, e.id, csv_number(e.amount), csv_number(e.before),
                    csv_number(e.after), csv_number(None if e.after is None
                                                    else e.before - e.after), ""])
    for p in result.parts:
        ev = p.result.evaluation
        for env_id, cut in p.cuts.items():
            w.writerow(["cut", p.id, env_id, "", "", "", csv_number(cut), ""])
        w.writerow(["cluster", p.id, "", "", csv_number(p.before_share),
                    csv_number(ev.private_share if ev else None), "", csv_number(p.risk)])
    w.writerow(["total", "", "", "", "", "", "", csv_number(result.total_risk)])
    if result.gap_eur is not None:
        w.writerow(["bound", "", "", "", "", "", "", csv_number(result.bound)])
        w.writerow(["gap", result.method, "", "", "", "", "", csv_number(result.gap_eur)])
    return buf.getvalue()


__all__ = ["render_region"]

"""The workbook of a region (issue 12): sheets Region (totals and words), Envelopes, Split
(one row per cluster and envelope, with a native bar chart of each cluster's grant today
and after the split), Clusters (one row per cluster: EUR at risk, private share and result
before and after, status) and Levers (one row per cluster and lever used).

    data = region_workbook(result)      # a RegionResult -> the bytes of the .xlsx file
"""

from __future__ import annotations

from typing import Any

from ..i18n import gettext as _
from ..results.region import RegionResult
from .pack_words import status_line
from .region_split import cluster_card_lines, grant_rows, region_lead, totals_lines
from .workbook import LEVER_UNITS, UNITS, flatten
from .workbook_horizon import LEVER_FORMAT
from .workbook_pages import Cell, Pages, bar_chart


def region_workbook(result: RegionResult) -> bytes:
    cur = result.parts[0].result.case.currency if result.parts else "EUR"
    pages = Pages({"currency": cur})
    _region_sheet(pages, result)
    _envelopes_sheet(pages, result)
    _split_sheet(pages, result)
    if result.parts:
        _clusters_sheet(pages, result)
        _levers_sheet(pages, result)
    return pages.bytes()


def _region_sheet(pages: Pages, result: RegionResult) -> None:
    spec = result.region.spec
    ws = pages.sheet(_("Region"))
    status, _cls = status_line(result.status, result.proven_optimal, "split")
    facts: list[tuple[str, Any, str | None]] = [
        (_("status"), result.status.value, None),
        (_("in words"), status, None),
        (_("proven optimal"), _("yes") if result.proven_optimal else _("no"), None),
        (_("solver"), result.solver, None),
        (_("objective"), result.objective, None),
        (_("clusters"), len(result.region.ids), "count"),
        (_("EUR at risk, all clusters together"), result.total_risk, "eur_exact")]
    if result.gap is not None and not result.proven_optimal:
        facts.append((_("proven relative gap"), result.gap, "share_fine"))
    if result.private_share is not None:
        facts.append((_("combined private share today"), result.private_share[0], "share"))
        facts.append((_("combined private share after the plans"), result.private_share[1],
                      "share"))
    if spec.region_private_share is not None:
        facts.append((_("combined private share target"), spec.region_private_share, "share"))
    if spec.member_pool is not None:
        facts.append((_("member pool"), spec.member_pool, "count"))
        facts.append((_("new members recruited"), result.new_members, "members"))
    for m in result.marginal:
        facts.append((_("EUR at risk added by {step} less in {envelope}").format(
            step=f"{m.step:,.0f}", envelope=m.envelope), m.extra_risk, "eur_exact"))
    if result.diagnosis is not None:
        for env_id, amount in result.diagnosis.min_envelope.items():
            facts.append((_("smallest amount of {envelope} the clusters can absorb").format(
                envelope=env_id), amount, "eur_exact"))
    totals, binding, marginal, diagnosis = totals_lines(result)
    sections = [(_("The split in words"), region_lead(result)), (_("Region totals"), totals),
                (_("What binds"), binding), (_("What a smaller envelope would add"), marginal),
                (_("Why no split"), diagnosis)]
    for p in result.parts:
        head, lines = cluster_card_lines(result, p)
        sections.append((p.id, [head] + lines))
    sections.append((_("Audit trail"), [f"{k}: {v}" for k, v in flatten(dict(result.audit))]))
    pages.words(ws, _("{region}: {status}").format(region=spec.name,
                                                   status=result.status.value),
                facts, sections, _("item"), _("value"))


def _envelopes_sheet(pages: Pages, result: RegionResult) -> None:
    ws = pages.sheet(_("Envelopes"))
    m = pages.money
    rows: list[list[Cell]] = []
    for e in result.envelopes_split:
        cut = None if e.after is None else e.before - e.after
        rows.append([(e.id, None), (e.label, None), (e.before, "eur"), (e.amount, "eur"),
                     (e.after, "eur"), (cut, "eur"),
                     (None if cut is None or not e.before else cut / e.before, "share"),
                     (e.max_cut_fraction, "share")])
    pages.table(ws, [_("id"), _("label"), _("today ({money})").format(money=m),
                     _("at most ({money})").format(money=m),
                     _("after ({money})").format(money=m), _("cut ({money})").format(money=m),
                     _("cut (%)"), _("largest cut of a line (%)")], rows,
                [14, 30, 14, 14, 14, 14, 10, 14])


def _split_sheet(pages: Pages, result: RegionResult) -> None:
    ws = pages.sheet(_("Split"))
    m = pages.money
    split = grant_rows(result)
    rows: list[list[Cell]] = [
        [(r.cluster, None), (r.envelope, None), (r.envelope_label, None), (r.line, None),
         (r.before, "eur"), (r.after, "eur"), (r.cut, "eur"), (r.cut_of_line, "share"),
         (r.cut_of_budget, "share")] for r in split]
    pages.table(ws, [_("cluster"), _("envelope"), _("envelope label"), _("line"),
                     _("grant today ({money})").format(money=m),
                     _("grant after ({money})").format(money=m),
                     _("cut ({money})").format(money=m), _("cut (% of the grant)"),
                     _("cut (% of the budget)")], rows, [18, 12, 24, 14, 14, 14, 14, 12, 12])
    if split:
        last = len(split) + 1
        chart = bar_chart(ws, title=_("Each grant, today and after the split"),
                          y_title=_("grant ({currency})").format(currency=pages.currency),
                          categories=(1, 2, last),
                          series=[(5, _("today")), (6, _("after the split"))],
                          first=2, last=last)
        ws.add_chart(chart, "K2")


def _clusters_sheet(pages: Pages, result: RegionResult) -> None:
    ws = pages.sheet(_("Clusters"))
    m = pages.money
    rows: list[list[Cell]] = []
    for p in result.parts:
        ev = p.result.evaluation
        rows.append([(p.id, None), (p.result.case.name, None), (p.result.status.value, None),
                     (p.risk, "eur_exact"), (sum(p.cuts.values()), "eur"), (p.budget, "eur"),
                     (p.before_share, "share"), (p.result.before.private_share, "share"),
                     (ev.private_share if ev else None, "share"),
                     (p.result.case.target.private_share, "share"),
                     (p.before_result, "eur"), (ev.result if ev else None, "eur")])
    pages.table(ws, [_("id"), _("name"), _("status"), _("EUR at risk"),
                     _("cut ({money})").format(money=m), _("budget today ({money})").format(money=m),
                     _("private share today"), _("private share after the cut"),
                     _("private share after the plan"), _("target private share"),
                     _("result today ({money})").format(money=m),
                     _("result after the plan ({money})").format(money=m)], rows,
                [18, 40, 10, 12, 12, 14, 12, 12, 12, 12, 12, 12])


def _levers_sheet(pages: Pages, result: RegionResult) -> None:
    ws = pages.sheet(_("Levers"))
    m = pages.money
    rows: list[list[Cell]] = []
    for p in result.parts:
        ev = p.result.evaluation
        if ev is None:
            continue
        case = p.result.case
        for lever in case.levers:
            eff = ev.effects.get(lever.id)
            if eff is None or not eff.used:
                continue
            unit = LEVER_UNITS.get(lever.type, "units")
            rows.append([(p.id, None), (lever.id, None), (lever.name, None), (lever.type, None),
                         (float(eff.value), LEVER_FORMAT.get(unit, "units")),
                         (_(UNITS.get(unit, "")), None), (float(eff.risk), "eur_exact"),
                         (float(sum(eff.revenue.values())), "eur"),
                         (float(sum(eff.expenditure.values())), "eur"),
                         (lever.describe(eff, case), None)])
    pages.table(ws, [_("cluster"), _("lever"), _("label"), _("type"), _("value"), _("unit"),
                     _("EUR at risk"), _("revenue change ({money})").format(money=m),
                     _("expenditure change ({money})").format(money=m), _("action")], rows,
                [18, 16, 30, 13, 12, 9, 12, 14, 14, 70])


__all__ = ["region_workbook"]

"""The workbook of a path over several years (issue 12): sheets Path (the path in words),
Levers by year, Budget by year (with a native line chart of the private share against the
targets), Lines by year, Reserves and, for `--simulate`, Simulation by year.

    data = horizon_workbook(result)      # a HorizonResult -> the bytes of the .xlsx file
"""

from __future__ import annotations

from typing import Any

from ..i18n import gettext as _
from ..results.horizon import HorizonResult
from ..results.horizon_outlook import outlook_lines
from .files import case_json
from .horizon import summary_lines
from .pack_words import notes_of, status_line
from .workbook import LEVER_UNITS, UNITS, flatten
from .workbook_pages import Cell, Pages, line_chart

LEVER_FORMAT = {"eur": "eur_exact", "share": "share", "members": "members",
                "units": "units", "proposals": "proposals"}


def horizon_workbook(result: HorizonResult) -> bytes:
    case = result.case
    h = case.horizon
    assert h is not None
    pages = Pages(case_json(case))
    _path_sheet(pages, result)
    if result.years:
        _levers_sheet(pages, result)
        _budget_sheet(pages, result)
        _lines_sheet(pages, result)
        if result.years[0].reserves_after is not None:
            _reserves_sheet(pages, result)
    if result.simulation is not None:
        _simulation_sheet(pages, result)
    return pages.bytes()


def _path_sheet(pages: Pages, result: HorizonResult) -> None:
    case = result.case
    h = case.horizon
    assert h is not None
    ws = pages.sheet(_("Path"))
    status, _cls = status_line(result.status, result.proven_optimal, "path")
    facts: list[tuple[str, Any, str | None]] = [
        (_("status"), result.status.value, None),
        (_("in words"), status, None),
        (_("proven optimal"), _("yes") if result.proven_optimal else _("no"), None),
        (_("solver"), result.solver, None),
        (_("years"), f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else str(h.years[0]),
         None),
        (_("EUR at risk over the path"), result.risk, "eur_exact"),
    ]
    if h.discount:
        facts.append((_("EUR at risk over the path, not discounted"),
                      result.undiscounted_risk, "eur_exact"))
    if result.years:
        facts.append((_("private share today"), result.years[0].before.private_share, "share"))
        facts.append((_("private share in the final year"),
                      result.years[-1].evaluation.private_share, "share"))
    if result.simulation is not None:
        facts.append((_("drawn runs of the years (--simulate)"), result.simulation.n, "count"))
        facts.append((_("seed"), result.simulation.seed, "count"))
    d = result.diagnosis
    if d is not None:
        facts.append((_("first year out of reach"), d.first_year, "count"))
        facts.append((_("highest share that year, the years before on target"), d.reached,
                      "share_fine"))
        for year, share in d.max_private_share.items():
            facts.append((_("highest private share in {year} (no target)").format(year=year),
                          share, "share_fine"))
    sections: list[tuple[str, list[str]]] = [(_("The path in words"), summary_lines(result))]
    if result.outlook is not None:
        more = outlook_lines(result.outlook, [y.year for y in result.years],
                             h.min_reserves if h.reserves is not None else None, case.currency)
        advice = result.advice()
        sections.append((_("Outlook"), more + ([advice] if advice else [])))
    for y in result.years:
        sections.append((_("{year}: what the plan does").format(year=y.year),
                         [y.case.lever(k).describe(y.evaluation.effects[k], y.case)
                          for k in y.plan if y.evaluation.effects[k].used]
                         or [_("No lever this year.")]))
    sections.append((_("Warnings"), list(result.warnings)))
    sections.append((_("Assumptions and sources"), notes_of(case.notes, h.notes)))
    sections.append((_("Audit trail"), [f"{k}: {v}" for k, v in flatten(dict(result.audit))]))
    pages.words(ws, _("{case}: {status}").format(case=case.name, status=result.status.value),
                facts, sections, _("item"), _("value"))


def _levers_sheet(pages: Pages, result: HorizonResult) -> None:
    ws = pages.sheet(_("Levers by year"))
    years = [y.year for y in result.years]
    headers = [_("id"), _("label"), _("type"), _("unit")] + [str(y) for y in years] + [
        _("EUR at risk {year}").format(year=y) for y in years]
    rows: list[list[Cell]] = []
    for lever in result.case.levers:
        unit = LEVER_UNITS.get(lever.type, "units")
        fmt = LEVER_FORMAT.get(unit, "units")
        effects = [y.evaluation.effects[lever.id] for y in result.years]
        row: list[Cell] = [(lever.id, None), (lever.name, None), (lever.type, None),
                           (_(UNITS.get(unit, "")), None)]
        row += [(float(e.value), fmt) for e in effects]
        row += [(float(e.risk), "eur_exact") for e in effects]
        rows.append(row)
    total: list[Cell] = [(_("Total"), None), ("", None), ("", None), ("", None)]
    total += [(None, None)] * len(years)
    total += [(float(y.evaluation.risk), "eur_exact") for y in result.years]
    rows.append(total)
    pages.table(ws, headers, rows, [16, 34, 13, 9] + [11] * (2 * len(years)),
                bold_rows=[len(rows) - 1])


def _budget_sheet(pages: Pages, result: HorizonResult) -> None:
    ws = pages.sheet(_("Budget by year"))
    money = pages.money
    headers = [_("year"), _("target"), _("private share"), _("private share before the plan"),
               _("revenues ({money})").format(money=money),
               _("public revenues ({money})").format(money=money),
               _("private revenues ({money})").format(money=money),
               _("spending ({money})").format(money=money),
               _("result ({money})").format(money=money), _("members"), _("members lost"),
               _("EUR at risk"), _("staff capacity used (FTE)")]
    rows: list[list[Cell]] = []
    for y in result.years:
        ev = y.evaluation
        public = sum(ev.revenues[r.id] for r in y.case.revenues if r.public)
        rows.append([(y.year, None), (y.target, "share"), (ev.private_share, "share_fine"),
                     (y.before.private_share, "share_fine"), (ev.total_revenues, "eur"),
                     (public, "eur"), (ev.total_revenues - public, "eur"),
                     (ev.total_expenditures, "eur"), (ev.result, "eur"),
                     (ev.members, "members"), (ev.members_lost, "members"),
                     (ev.risk, "eur_exact"), (ev.fte_use, "fte")])
    pages.table(ws, headers, rows, [8, 9, 11, 13, 13, 13, 13, 13, 12, 10, 10, 12, 12])
    last = len(rows) + 1
    chart = line_chart(ws, title=_("Private share against the targets"),
                       y_title=_("private share"), x_title=_("year"),
                       categories=(1, 2, last), series=[(3, _("private share")),
                                                        (2, _("target"))],
                       first=2, last=last)
    ws.add_chart(chart, f"A{last + 3}")


def _lines_sheet(pages: Pages, result: HorizonResult) -> None:
    ws = pages.sheet(_("Lines by year"))
    years = [y.year for y in result.years]
    labels = pages.book
    headers = [_("section"), _("id"), _("label"), _("side"),
               _("today ({money})").format(money=pages.money)] + [
        _("{year} ({money})").format(year=y, money=pages.money) for y in years]
    rows: list[list[Cell]] = []
    first = result.years[0]
    for r in first.case.revenues:
        rows.append([(_("revenue"), None), (r.id, None), (labels.label("revenues", r.id), None),
                     (_("public") if r.public else _("private"), None),
                     (first.before.revenues[r.id], "eur")]
                    + [(y.evaluation.revenues[r.id], "eur") for y in result.years])
    for e in first.case.expenditures:
        rows.append([(_("expenditure"), None), (e.id, None),
                     (labels.label("expenditures", e.id), None),
                     (_("staff") if getattr(e, "staff", False) else "", None),
                     (first.before.expenditures[e.id], "eur")]
                    + [(y.evaluation.expenditures[e.id], "eur") for y in result.years])
    pages.table(ws, headers, rows, [12, 16, 36, 9, 13] + [13] * len(years))


def _reserves_sheet(pages: Pages, result: HorizonResult) -> None:
    ws = pages.sheet(_("Reserves"))
    h = result.case.horizon
    assert h is not None
    money = pages.money
    headers = [_("year"), _("reserves at the start ({money})").format(money=money),
               _("result ({money})").format(money=money),
               _("reserves at year end ({money})").format(money=money),
               _("floor ({money})").format(money=money),
               _("above the floor by ({money})").format(money=money)]
    rows: list[list[Cell]] = []
    for y in result.years:
        after = y.reserves_after
        rows.append([(y.year, None), (y.reserves_before, "eur"), (y.evaluation.result, "eur"),
                     (after, "eur"), (h.min_reserves, "eur"),
                     (None if after is None else after - h.min_reserves, "eur")])
    pages.table(ws, headers, rows, [8, 16, 14, 16, 14, 16])


def _simulation_sheet(pages: Pages, result: HorizonResult) -> None:
    sim = result.simulation
    assert sim is not None
    ws = pages.sheet(_("Simulation by year"))
    headers = [_("year"), _("target"), _("probability the target is met"),
               _("private share, 5% quantile"), _("private share, median"),
               _("private share, 95% quantile"),
               _("probability the result is at least the least result"),
               _("probability the reserves stay above the floor"),
               _("reserves at year end, 5% quantile ({money})").format(money=pages.money)]
    rows: list[list[Cell]] = []
    for r in sim.year_rows():
        q = r["share_quantiles"]
        rows.append([(r["year"], None), (r["target"], "share"), (r["p_target_met"], "share"),
                     (q["p05"], "share_fine"), (q["p50"], "share_fine"),
                     (q["p95"], "share_fine"), (r["p_result_ok"], "share"),
                     (r["p_reserves_ok"], "share"), (r["reserves_p05"], "eur")])
    rows.append([(_("every year in the same run"), None), (None, None),
                 (sim.p_every_target, "share"), (None, None), (None, None), (None, None),
                 (None, None), (sim.p_reserves_always_ok, "share"), (None, None)])
    pages.table(ws, headers, rows, [10, 9, 14, 13, 13, 13, 16, 16, 16],
                bold_rows=[len(rows) - 1])


__all__ = ["horizon_workbook"]

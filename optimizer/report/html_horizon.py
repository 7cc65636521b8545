"""The board pack of a path over several years (issue 12): one self-contained page with
the path in words, the private share against each year's targets (inline SVG), every
lever's value per year, the budget, share and reserves per year, each year's actions and,
for `--simulate`, each year's distribution.

    page = horizon_page(result)        # a HorizonResult -> the page (str)
"""

from __future__ import annotations

from typing import Any

from ..fmt import count, currency, keur, money, pct, pct_short
from ..i18n import gettext as _
from ..results.horizon import HorizonResult
from ..results.horizon_outlook import outlook_lines
from .horizon import chance, summary_lines
from .html_pages import (
    bullets,
    figure,
    lead,
    para,
    render_pack,
    section,
    share_path_svg,
    sub,
    table,
)
from .pack_words import audit_line, notes_of, status_line


def horizon_page(result: HorizonResult) -> str:
    case = result.case
    h = case.horizon
    assert h is not None
    cur = currency(case.currency)
    sections = [_words_section(result)]
    if result.years:
        sections.append(_share_section(result))
        sections.append(_levers_section(result))
        sections.append(_years_section(result, cur))
    if result.simulation is not None:
        sections.append(_simulation_section(result, cur))
    status_text, status_class = status_line(result.status, result.proven_optimal, "path")
    span = f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else str(h.years[0])
    return render_pack(
        title=_("{case}: the path {span}").format(case=case.name, span=span),
        kicker=_("Which levers, year by year, bring the private share to each year's target "
                 "at the least EUR at risk"),
        status_text=status_text, status_class=status_class, sections=sections,
        notes=notes_of(case.notes, h.notes), audit=audit_line(result.audit, case.name))


def _words_section(result: HorizonResult) -> dict[str, Any]:
    case = result.case
    h = case.horizon
    assert h is not None
    lines = summary_lines(result)
    blocks = [lead(lines[0])] if lines else []
    if len(lines) > 1:
        blocks.append(bullets(lines[1:], "actions"))
    if result.outlook is not None:
        more = outlook_lines(result.outlook, [y.year for y in result.years],
                             h.min_reserves if h.reserves is not None else None,
                             case.currency)
        advice = result.advice()
        blocks += [para(line) for line in more + ([advice] if advice else [])]
    if result.warnings:
        blocks += [sub(_("Warnings")), bullets(list(result.warnings))]
    return section("path", _("The path in words"), blocks)


def _share_section(result: HorizonResult) -> dict[str, Any]:
    years = [y.year for y in result.years]
    shares = [y.evaluation.private_share for y in result.years]
    targets = [y.target for y in result.years]
    svg = share_path_svg(years, shares, targets, pct_short,
                         _("The private share each year against its target"),
                         _("private share after the plan"), _("target"))
    today = result.years[0].before.private_share
    return section("share", _("The private share against the targets"), [
        figure(svg, legend=_("Solid line and dots: the private share each year after the plan. "
                             "Dashed line and rings: the year's target. Today: {share}.").format(
                                 share=pct(today)))])


def _levers_section(result: HorizonResult) -> dict[str, Any]:
    case = result.case
    years = [str(y.year) for y in result.years]
    rows = []
    for lever in case.levers:
        values = [y.evaluation.effects[lever.id].value for y in result.years]
        if any(abs(v) > 1e-9 for v in values):
            rows.append([lever.name] + [lever.value_cell(v) if abs(v) > 1e-9 else "-"
                                        for v in values])
    risk = [keur(y.evaluation.risk) for y in result.years]
    rows.append([_("EUR at risk ({cur})").format(cur=currency(case.currency))] + risk)
    return section("levers", _("Every lever, year by year"), [
        table([_("lever")] + years, rows, num=range(1, len(years) + 1),
              totals=[len(rows) - 1], ident="levers-by-year", empty=_("No lever is used."))])


def _years_section(result: HorizonResult, cur: str) -> dict[str, Any]:
    held = result.years[0].reserves_after is not None
    rows = []
    for y in result.years:
        ev = y.evaluation
        row = [str(y.year), pct(y.target), pct(ev.private_share), keur(ev.total_revenues),
               keur(ev.total_expenditures), keur(ev.result, sign=True), count(ev.members),
               keur(ev.risk)]
        if held:
            row += [keur(y.reserves_before), keur(y.reserves_after)]
        rows.append(row)
    headers = [_("year"), _("target"), _("private share"), _("revenues ({cur})").format(cur=cur),
               _("spending ({cur})").format(cur=cur), _("result ({cur})").format(cur=cur),
               _("members"), _("at risk ({cur})").format(cur=cur)]
    if held:
        headers += [_("reserves at the start ({cur})").format(cur=cur),
                    _("reserves at year end ({cur})").format(cur=cur)]
    blocks: list[dict[str, Any]] = [table(headers, rows, num=range(1, len(headers)),
                                          ident="year-table")]
    h = result.case.horizon
    if held and h is not None:
        blocks.append(para(_("The reserves never fall below {floor}.").format(
            floor=money(h.min_reserves, result.case.currency)), "small"))
    for y in result.years:
        blocks.append(sub(_("{year}: {target} private asked, {share} reached").format(
            year=y.year, target=pct(y.target), share=pct(y.evaluation.private_share))))
        actions = [_("{action} (at risk: {risk})").format(
            action=y.case.lever(k).describe(y.evaluation.effects[k], y.case),
            risk=money(y.evaluation.effects[k].risk, result.case.currency))
            for k in y.plan if y.evaluation.effects[k].used]
        blocks.append(bullets(actions or [_("No lever this year.")]))
    return section("years", _("Budget, private share and reserves, year by year"), blocks)


def _simulation_section(result: HorizonResult, cur: str) -> dict[str, Any]:
    sim = result.simulation
    assert sim is not None
    rows = []
    sim_rows = sim.year_rows()
    bands = [(r["share_quantiles"]["p05"], r["share_quantiles"]["p50"],
              r["share_quantiles"]["p95"]) for r in sim_rows]
    svg = share_path_svg([r["year"] for r in sim_rows], [None] * len(sim_rows),
                         [r["target"] for r in sim_rows], pct_short,
                         _("The private share in the drawn runs, each year"),
                         _("median of the drawn runs (band: 5% to 95%)"), _("target"),
                         bands=bands,
                         ident="simulation-chart")
    with_reserves = bool(sim_rows) and sim_rows[0]["p_reserves_ok"] is not None
    for r in sim_rows:
        q = r["share_quantiles"]
        row = [str(r["year"]), pct(r["target"]), chance(r["p_target_met"]), pct(q["p05"]),
               pct(q["p50"]), pct(q["p95"]), chance(r["p_result_ok"])]
        if with_reserves:
            row += [chance(r["p_reserves_ok"]), keur(r["reserves_p05"])]
        rows.append(row)
    headers = [_("year"), _("target"), _("target met"), _("share, 5% quantile"),
               _("share, median"), _("share, 95% quantile"), _("result >= minimum")]
    if with_reserves:
        headers += [_("reserves above floor"), _("reserves, 5% worst ({cur})").format(cur=cur)]
    line = _("Every year's target met in the same run: {chance} of runs.").format(
        chance=chance(sim.p_every_target))
    if sim.p_reserves_always_ok is not None:
        line += " " + _("Reserves above the floor every year: {chance} of runs.").format(
            chance=chance(sim.p_reserves_always_ok))
    return section("simulation", _("The same path in {n} drawn runs of the years (seed "
                                   "{seed})").format(n=count(sim.n), seed=sim.seed), [
        lead(_("Each run draws every year anew (the levers' uncertainty); the plan stays the "
               "same and the reserves carry each year's result to the next.")),
        figure(svg, legend=_("Each band spans the 5% to 95% quantile of the private share "
                             "in the drawn runs; the bar across it is the median; the "
                             "rings are the year's target.")),
        table(headers, rows, num=range(1, len(headers)), ident="simulation-years"),
        para(line)])


__all__ = ["horizon_page"]

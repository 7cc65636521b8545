"""The board pack of a region (issue 12): one self-contained page for the funder with the
envelope split (each cluster's grant before and after, the cut in EUR and %, as a table
and an inline SVG bar chart), the region totals, the binding region rows, the marginal
risk of each envelope, and each cluster's plan in words with its key figures.

    page = region_page(result)         # a RegionResult -> the page (str)
"""

from __future__ import annotations

from typing import Any

from ..fmt import keur, money, pct
from ..i18n import gettext as _
from ..results.region import RegionResult
from .html_pages import (
    before_after_bars_svg,
    bullets,
    figure,
    lead,
    para,
    render_pack,
    section,
    sub,
    table,
)
from .pack_words import notes_of, status_line
from .region_split import (
    SplitRow,
    cluster_card_lines,
    grant_rows,
    region_audit,
    region_lead,
    totals_lines,
)


def region_page(result: RegionResult) -> str:
    spec = result.region.spec
    cur = _currency(result)
    rows = grant_rows(result)
    sections = [_split_section(result, rows, cur), _totals_section(result)]
    if result.parts:
        sections.append(_clusters_section(result, cur))
    status_text, status_class = status_line(result.status, result.proven_optimal, "split")
    return render_pack(
        title=_("{region}: the envelope split").format(region=spec.name),
        kicker=_("How to split the funders' envelopes so that the clusters together take the "
                 "least risk, each staying balanced and at its target share"),
        status_text=status_text, status_class=status_class, sections=sections,
        notes=notes_of(spec.notes, *(e.notes for e in spec.envelopes)),
        audit=region_audit(result))


def _currency(result: RegionResult) -> str:
    return result.parts[0].result.case.currency if result.parts else "EUR"


def _split_section(result: RegionResult, rows: list[SplitRow], cur: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [lead(line) for line in region_lead(result)[:1]]
    blocks += [para(line) for line in region_lead(result)[1:]]
    if result.envelopes_split:
        env_rows = []
        for e in result.envelopes_split:
            cut = None if e.after is None else e.before - e.after
            env_rows.append([e.label, keur(e.before), keur(e.amount), keur(e.after),
                             keur(cut), "-" if cut is None or not e.before else
                             pct(cut / e.before)])
        blocks.append(table([_("Envelope"), _("Today ({cur})").format(cur=cur),
                             _("At most ({cur})").format(cur=cur),
                             _("After ({cur})").format(cur=cur),
                             _("Cut ({cur})").format(cur=cur), _("Cut (%)")],
                            env_rows, num=range(1, 6), ident="envelopes"))
    if rows:
        by_cluster: dict[str, list[float]] = {}
        for r in rows:
            pair = by_cluster.setdefault(r.cluster, [0.0, 0.0])
            pair[0] += r.before
            pair[1] += r.after if r.after is not None else r.before
        svg = before_after_bars_svg(
            [(c, b, a) for c, (b, a) in by_cluster.items()],
            lambda v: money(v, cur), _("Each cluster's grants from the envelopes, today and "
                                       "after the split"),
            _("today"), _("after the split"))
        blocks.append(figure(svg, caption=_("Each cluster's grant, today and after the split "
                                            "(k {cur})").format(cur=cur)))
        blocks.append(sub(_("The split, cluster by cluster")))
        blocks.append(table(
            [_("Cluster"), _("Envelope"), _("Line"), _("Grant today ({cur})").format(cur=cur),
             _("After ({cur})").format(cur=cur), _("Cut ({cur})").format(cur=cur),
             _("Cut (% of the grant)"), _("Cut (% of the budget)")],
            [[r.cluster, r.envelope_label, r.line_label, keur(r.before), keur(r.after),
              keur(r.cut), pct(r.cut_of_line), pct(r.cut_of_budget)] for r in rows],
            num=range(3, 8), ident="split-table"))
    return section("split", _("The envelope split"), blocks)


def _totals_section(result: RegionResult) -> dict[str, Any]:
    facts, binding, marginal, diagnosis = totals_lines(result)
    blocks: list[dict[str, Any]] = [bullets(facts)]
    if binding:
        blocks += [sub(_("What binds")), bullets(binding)]
    if marginal:
        blocks += [sub(_("What a smaller envelope would add")), bullets(marginal)]
    if diagnosis:
        blocks += [sub(_("Why no split")), bullets(diagnosis)]
    return section("totals", _("Region totals"), blocks)


def _clusters_section(result: RegionResult, cur: str) -> dict[str, Any]:
    rows = []
    for p in result.parts:
        ev = p.result.evaluation
        cut = sum(p.cuts.values())
        rows.append([p.id, keur(cut), pct(cut / p.budget) if p.budget else "-",
                     keur(p.risk), pct(p.before_share), pct(p.result.before.private_share),
                     pct(ev.private_share if ev else None), keur(p.before_result, sign=True),
                     keur(ev.result, sign=True) if ev else "-"])
    blocks: list[dict[str, Any]] = [table(
        [_("Cluster"), _("Cut ({cur})").format(cur=cur), _("of budget"),
         _("At risk ({cur})").format(cur=cur), _("Private today"), _("after cut"),
         _("after plan"), _("Result today ({cur})").format(cur=cur),
         _("after plan ({cur})").format(cur=cur)], rows, num=range(1, 9), ident="cluster-table")]
    for p in result.parts:
        head, lines = cluster_card_lines(result, p)
        ev = p.result.evaluation
        figures = [
            {"label": _("EUR at risk"), "after": money(p.risk, cur) if p.risk is not None
             else "-", "before": ""},
            {"label": _("Cut"), "after": money(sum(p.cuts.values()), cur),
             "before": _("{share} of its budget").format(
                 share=pct(sum(p.cuts.values()) / p.budget)) if p.budget else ""},
            {"label": _("Private share"), "after": pct(ev.private_share if ev else None),
             "before": _("{before} today").format(before=pct(p.before_share))},
            {"label": _("Result"), "after": money(ev.result, cur, sign=True) if ev else "-",
             "before": _("{before} today").format(before=money(p.before_result, cur,
                                                                  sign=True))},
        ]
        blocks.append({"kind": "cluster", "title": f"{p.id}: {p.result.case.name}",
                       "head": head, "lines": lines, "figures": figures})
    return section("clusters", _("Each cluster's plan"), blocks)


__all__ = ["region_page"]

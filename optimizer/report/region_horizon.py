"""The report of a region with a horizon (docs/MODEL.md, "Region horizon"): the envelope
split year by year (each cluster's grant before and after in each year), each cluster's
path in words (report/horizon.py's sentences), the region's totals per year, and, when no
split exists, the first year whose envelope cannot be met, in words."""

from __future__ import annotations

import csv
import io

from ..fmt import count, keur, money, pct, status_words
from ..i18n import gettext as _
from ..results.region_horizon import RegionHorizonResult
from .formats import FORMATS, csv_number
from .horizon import path_sentences, text_writers
from .region_words import even_line, tolerance_line


def render_region_horizon(result: RegionHorizonResult, fmt: str = "table") -> str:
    if fmt == "json":
        import json

        data = result.to_dict()
        data["summary"] = summary_lines(result)
        for block, part in zip(data["clusters"], result.parts):
            block["path"] = path_sentences(part.result)
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return _people(result, fmt == "markdown")


def _span(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def summary_lines(result: RegionHorizonResult) -> list[str]:
    """The answer in a few sentences: the total risk, or why no split exists."""
    spec = result.region.spec
    assert spec.horizon is not None
    years = list(spec.horizon.years)
    total = result.total_risk
    if result.parts and total is not None:
        lines = [_("Over {span}, the split of the envelopes that keeps every cluster on its "
                   "path at the least total risk: the clusters together put {risk} at risk "
                   "over the {n} years.").format(span=_span(years), risk=money(total, "EUR"),
                                                 n=len(years))]
        for env in spec.envelopes:
            if env.spends_all:
                lines.append(_("{envelope} spends its whole envelope every year (spend "
                               "\"all\"): {amounts}.").format(
                    envelope=env.name, amounts=", ".join(
                        f"{money(env.amount_in(k), 'EUR')} ({y})"
                        for k, y in enumerate(years))))
        if result.proven_optimal:
            lines.append(_("Proven optimal."))
        elif result.bound is not None and result.gap is not None:
            lines.append(_("The time limit stopped the search: no split puts less than {bound} "
                           "at risk (proven gap {gap}).").format(
                               bound=money(result.bound, "EUR"), gap=f"{result.gap:.2%}"))
        lines += [t for t in (even_line(result), tolerance_line(result)) if t]
        return lines
    d = result.diagnosis
    if d is None:
        return [_("No split was found ({status}).").format(
            status=status_words(result.status, raw=True))]
    if d.first_year is None:
        lines = [_("No split exists in any year, whatever the envelopes: the clusters' own "
                   "paths, the member pool or the region's private share cannot be met even "
                   "with no envelope.")]
        if d.failing:
            lines.append(_("These clusters cannot follow their own path at any cut of their "
                           "grants: {ids}.").format(ids=", ".join(d.failing)))
        return lines
    lines = [_("No split meets every year's envelope. The first year out of reach is {year}: "
               "with the envelopes of the years before it met, the clusters cannot absorb "
               "that year's envelope.").format(year=d.first_year)]
    labels = {e.id: e.name for e in spec.envelopes}
    for env_id, least in d.min_envelope.items():
        asked = d.amounts.get(env_id)
        if least is None:
            lines.append(_("{envelope} in {year}: no amount works while the other rows hold.")
                         .format(envelope=labels.get(env_id, env_id), year=d.first_year))
        else:
            lines.append(_("{envelope} in {year}: the smallest amount the clusters can absorb "
                           "is {least} (the file asks for {asked}).").format(
                               envelope=labels.get(env_id, env_id), year=d.first_year,
                               least=money(least, "EUR"), asked=money(asked or 0.0, "EUR")))
    return lines


def _people(result: RegionHorizonResult, markdown: bool) -> str:
    spec = result.region.spec
    assert spec.horizon is not None
    years = [str(y) for y in spec.horizon.years]
    out: list[str] = []
    heading, table = text_writers(out, markdown)

    heading(_("Region {name}: {status}").format(name=spec.name,
                                                 status=status_words(result.status)), 1)
    if not markdown:
        out.append("")
    for line in summary_lines(result):
        out.append(f"- {line}" if markdown else line)
    out.append("")
    if result.years and result.years[0].envelopes:
        heading(_("Envelopes year by year (EUR)"))
        rows = []
        spec_envs = result.region.spec.envelopes
        for e_index, env in enumerate(result.years[0].envelopes):
            rows.append([_("{envelope}: today").format(envelope=env.label)]
                        + [keur(env.before) for _y in result.years])
            whole = any(e.id == env.id and e.spends_all for e in spec_envs)
            rows.append([(_("{envelope}: spends") if whole else
                          _("{envelope}: at most")).format(envelope=env.label)]
                        + [keur(y.envelopes[e_index].amount) for y in result.years])
            if result.parts:
                rows.append([_("{envelope}: after the plan").format(envelope=env.label)]
                            + [keur(y.envelopes[e_index].after or 0.0) for y in result.years])
        table(rows, [_("envelope")] + years)
    if result.parts:
        heading(_("Each cluster's grant, year by year (EUR)"))
        rows = []
        for p in result.parts:
            for env_id, (line, today) in p.lines.items():
                rows.append([_("{id} ({line}), today {today}").format(
                    id=p.id, line=line, today=keur(today))]
                    + [_("{after} ({cut})").format(
                        after=keur(p.grant_after(env_id, k)),
                        cut=keur(-p.cuts[env_id][k], sign=True))
                        if p.cuts[env_id][k] >= 0.5 else keur(p.grant_after(env_id, k))
                        for k in range(len(years))])
        table(rows, [_("cluster")] + years)
        heading(_("Each cluster's path"))
        rows = [[p.id, keur(p.risk or 0.0), pct(p.before_share)]
                + [pct(y.evaluation.private_share) for y in p.result.years]
                for p in result.parts]
        table(rows, [_("cluster"), _("at risk (EUR)"), _("private today")]
              + [_("private {year}").format(year=y) for y in years])
        for p in result.parts:
            heading(_("{id}: {risk} at risk over the path").format(
                id=p.id, risk=money(p.risk or 0.0, "EUR")), 3)
            sentences = path_sentences(p.result) or [_("No lever: the cut alone keeps it on "
                                                       "its path.")]
            for line in sentences:
                out.append(f"- {line}" if markdown else f"  {line}")
            out.append("")
        heading(_("Region totals, year by year"))
        rows = []
        for y in result.years:
            share = y.private_share
            rows.append([str(y.year), pct(share[0]) if share else "-",
                         pct(share[1]) if share else "-",
                         count(max(0.0, y.recruited or 0.0)), keur(y.risk or 0.0)])
        table(rows, [_("year"), _("private share today"), _("after the plan"),
                     _("companies recruited"), _("at risk (EUR)")])
        notes = []
        if spec.region_private_share is not None:
            notes.append(_("Region private share asked each year: {share}.").format(
                share=pct(spec.region_private_share)))
        if spec.member_pool is not None:
            notes.append(_("Companies recruited over the horizon: {n} of a pool of {pool}.")
                         .format(n=count(result.recruited or 0.0), pool=count(spec.member_pool)))
        if result.binding:
            notes.append(_("Binding region constraints: {rows}.").format(
                rows=", ".join(result.binding)))
        for line in notes:
            out.append(f"- {line}" if markdown else line)
    return "\n".join(out).rstrip("\n") + "\n"


def _csv(result: RegionHorizonResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "section", "id", "envelope", "amount", "before", "after", "cut",
                "risk", "private_share"])
    for k, y in enumerate(result.years):
        for e in y.envelopes:
            w.writerow([y.year, "envelope", e.id, e.id, csv_number(e.amount),
                        csv_number(e.before), csv_number(e.after),
                        csv_number(None if e.after is None else e.before - e.after), "", ""])
        for p in result.parts:
            ev = p.result.years[k].evaluation
            for env_id, (_line, today) in p.lines.items():
                w.writerow([y.year, "cut", p.id, env_id, "", csv_number(today),
                            csv_number(p.grant_after(env_id, k)),
                            csv_number(p.cuts[env_id][k]), "", ""])
            w.writerow([y.year, "cluster", p.id, "", "", "", "", "", csv_number(ev.risk),
                        csv_number(ev.private_share)])
        if y.private_share is not None:
            w.writerow([y.year, "region", "", "", "", csv_number(y.private_share[0]),
                        csv_number(y.private_share[1]), "", csv_number(y.risk), ""])
    w.writerow(["", "total", "", "", "", "", "", "", csv_number(result.total_risk), ""])
    return buf.getvalue()


__all__ = ["render_region_horizon", "summary_lines"]

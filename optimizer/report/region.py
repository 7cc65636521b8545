"""The region's report (issue 10): the envelope split, each cluster's plan in words, the
region totals, the binding region rows and the marginal risk of each envelope."""

from __future__ import annotations

import csv
import io

from tabulate import tabulate

from ..fmt import keur
from ..i18n import gettext as _
from ..results.region import RegionResult
from .formats import FORMATS, csv_number
from .region_words import cluster_lines, envelope_line, marginal_lines, outlook_overview


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
    if x >= 0.001:
        return f"{x:.2%}"
    return f"{x * 100:.2g}%"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _people(result: RegionResult, markdown: bool) -> str:
    style = "github" if markdown else "simple"
    spec = result.region.spec
    out: list[str] = []

    def heading(text: str) -> None:
        out.append(f"## {text}" if markdown else f"{text}\n{'=' * len(text)}")

    heading(f"Region: {spec.name}")
    out.append("")
    total = result.total_risk
    if result.parts and total is not None:
        what = "the fairest split (the least largest EUR at risk per EUR of budget, then the " \
            "least total)" if spec.objective == "fairest" else "the least total EUR at risk"
        if not result.proven_optimal:
            out.append(f"Status: {result.status.value}. The best split found (aiming at "
                       f"{what}): the clusters together put {keur(total)} EUR at risk.")
        else:
            out.append(f"Status: {result.status.value}. The split of {what}: the clusters "
                       f"together put {keur(total)} EUR at risk.")
        if result.method == "decompose" and not result.proven_optimal \
                and result.gap_eur is not None:
            out.append(_("Solved by decomposition: within {eur} EUR ({pct}) of the least "
                         "possible risk (no split puts less than {bound} EUR at risk).").format(
                eur=keur(result.gap_eur) if result.gap_eur >= 1000 else
                f"{result.gap_eur:,.0f}", pct=pct_gap(result.gap or 0.0),
                bound=keur(result.bound or 0.0)))
        elif result.gap is not None and not result.proven_optimal:
            out.append(f"The time limit stopped the search: no split puts less than "
                       f"{keur(result.bound or 0.0)} EUR at risk (proven gap "
                       f"{result.gap:.2%}).")
        elif result.proven_optimal and result.method == "decompose":
            out.append(_("Proven optimal (by decomposition: the split's EUR at risk meets "
                         "the proven bound)."))
        elif result.proven_optimal:
            out.append("Proven optimal.")
        overview = outlook_overview(result)
        if overview:
            out.append(overview)
    else:
        out.append(f"Status: {result.status.value}. No split of the envelopes keeps every "
                   "cluster at its targets.")
    out.append("")
    if result.envelopes_split:
        heading("Envelopes")
        rows = [[e.label, keur(e.before), keur(e.amount),
                 "-" if e.after is None else keur(e.after),
                 "-" if e.after is None else f"{(e.before - e.after) / e.before:.1%}"
                 if e.before else "-"]
                for e in result.envelopes_split]
        out.append(tabulate(rows, headers=["Envelope", "Today (EUR)", "At most (EUR)",
                                           "After (EUR)", "Cut"], tablefmt=style,
                            disable_numparse=True))
        out.append("")
        notes = [t for t in (envelope_line(result, e) for e in result.envelopes_split) if t]
        if notes:
            out.extend(notes)
            out.append("")
    if result.parts:
        heading("Split and plans")
        rows = []
        for p in result.parts:
            ev = p.result.evaluation
            cut = sum(p.cuts.values())
            rows.append([p.id, keur(cut), f"{cut / p.budget:.1%}" if p.budget else "-",
                         keur(p.risk or 0.0), _pct(p.before_share),
                         _pct(p.result.before.private_share),
                         _pct(ev.private_share if ev else None),
                         keur(p.before_result), keur(ev.result) if ev else "-"])
        out.append(tabulate(rows, headers=["Cluster", "Cut (EUR)", "of budget",
                                           "At risk (EUR)", "Private today",
                                           "after cut", "after plan", "Result today",
                                           "after plan"], tablefmt=style,
                            disable_numparse=True))
        out.append("")
        for p in result.parts:
            out.extend(cluster_lines(result, p, markdown))
        out.append("")
    heading("Region totals")
    if result.private_share is not None:
        target = spec.region_private_share
        out.append(f"Combined private share: {_pct(result.private_share[0])} today, "
                   f"{_pct(result.private_share[1])} after"
                   + (f" (target {target:.0%})." if target is not None else "."))
    if spec.member_pool is not None and result.new_members is not None:
        out.append(f"New members recruited: {result.new_members:,.0f} of a pool of "
                   f"{spec.member_pool:,}.")
    if result.binding:
        out.append("Binding region constraints: " + ", ".join(result.binding) + ".")
    out.extend(marginal_lines(result))
    if result.diagnosis is not None:
        d = result.diagnosis
        out.append("")
        heading("Why no split")
        for env_id, amount in d.min_envelope.items():
            out.append(f"Envelope {env_id}: the smallest amount the clusters can absorb is "
                       + (f"{keur(amount)} EUR." if amount is not None else
                          "none (the other constraints fail whatever the envelope)."))
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

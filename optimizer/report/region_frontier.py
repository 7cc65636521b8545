"""Reports of the sensitivity runs on a region (issue 10): the envelope frontier in a
funder's words and tables, and the tables of a region sweep or tornado.

The frontier says, per envelope: today's least total EUR at risk, how far the envelope can
fall at no extra risk, the smallest envelope the clusters can absorb, the least total risk
at each amount (with the proven gap of each point), and where each cluster starts being
cut and reaches its maximum cut (located between two solved amounts)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from tabulate import tabulate

from ..fmt import keur, pct_digits
from ..i18n import gettext as _
from ..results.region_frontier import EnvelopeFrontier, RegionFrontier, RegionRuns, Transition
from .formats import FORMATS, csv_number, csv_text


def _eur(x: float | None) -> str:
    return _("{amount} EUR").format(amount=keur(x))


def _gap(gap: float | None, proven: bool) -> str:
    if proven:
        return _("proven")
    return "-" if gap is None else pct_digits(gap, 2)


def _where(t: Transition) -> str:
    if t.below is None:
        return _("never, down to the smallest envelope")
    if t.above is None:
        return _("already at today's total")
    return _("between {above} and {below}").format(above=keur(t.above), below=keur(t.below))


def render_region_frontier(fr: RegionFrontier, fmt: str = "table") -> str:
    if fmt == "json":
        return fr.to_json()
    if fmt == "csv":
        return _csv(fr)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    markdown = fmt == "markdown"
    out: list[str] = []

    def heading(text: str, level: int = 1) -> None:
        if markdown:
            out.append(f"{'#' * (level + 1)} {text}")
        else:
            out.append(f"{text}\n{('=' if level == 1 else '-') * len(text)}")

    heading(_("Region frontier: {name}").format(name=fr.region.spec.name))
    out.append("")
    out.append(_("Status: {status}.").format(status=fr.status.value))
    out.append("")
    for env in fr.envelopes:
        heading(_("{label}: from today's total down to the smallest envelope").format(
            label=env.label), 2)
        out.append("")
        out.extend(_envelope_words(fr, env))
        out.append("")
        out.append(_table(env, markdown))
        out.append("")
        if env.entry_method == "every_split":
            out.append(_("Where, going down from today's total, every least-risk split cuts "
                         "each cluster, and cuts it by its maximum (the first change going "
                         "down, located between two solved amounts to within {res} EUR):")
                       .format(res=keur(env.resolution)))
        else:
            out.append(_("Where, going down from today's total, the split found cuts each "
                         "cluster, and cuts it by its maximum (the first change going down, "
                         "between two grid amounts, to within {res} EUR; with this many "
                         "clusters the split found is used, and another split of the same "
                         "least total risk may cut differently):").format(
                             res=keur(env.resolution)))
        out.append("")
        out.append(_entries_table(env, markdown))
        out.append("")
    out.append(_("Several splits can share the least total EUR at risk: the cuts in the "
                 "table are the split found at each amount, and may step back from one amount "
                 "to the next while the total only rises. The entry points do not depend on "
                 "that choice: a cluster counts as cut (by its maximum) where every split of "
                 "the least total risk cuts it (by its maximum), one more exact solve."))
    return "\n".join(out).rstrip("\n") + "\n"


def _envelope_words(fr: RegionFrontier, env: EnvelopeFrontier) -> list[str]:
    lines = []
    top = env.points[0] if env.points else None
    lines.append(_("Today the clusters' lines total {today}; the file asks {amount}.").format(
        today=_eur(env.today), amount=_eur(env.file_amount)))
    if top is not None and top.total_risk is not None:
        lines.append(_("At today's total the least-risk split puts {risk} at risk.").format(
            risk=_eur(top.total_risk)))
    whole = any(e.id == env.id and e.spends_all for e in fr.region.spec.envelopes)
    if whole:
        lines.append(_("The funder spends its whole envelope at every point (spend \"all\"): "
                       "each point's least risk is that of the amount spent whole, so it need "
                       "not fall as the amount rises."))
    if env.free_until is not None and env.free_until < env.today - 1:
        lines.append(_("The envelope can fall to {amount} at no extra EUR at risk (exact): "
                       "a funder's cut carries no risk and raises a cluster's private share, "
                       "so the least-risk split cuts that deep even when less is asked; the "
                       "risk rises only below it.").format(amount=_eur(env.free_until)))
    if env.minimum is None:
        lines.append(_("No amount of this envelope lets every cluster meet its own targets "
                       "under the other region rows."))
    else:
        proven = _("exact") if env.minimum_proven else _("not proven: the time limit stopped "
                                                          "the search")
        lines.append(_("The smallest envelope the clusters can absorb: {amount} ({proven}); "
                       "below it no split meets every cluster's targets.").format(
                           amount=_eur(env.minimum), proven=proven))
    grid = [p for p in env.grid if p.total_risk is not None]
    if len(grid) >= 2 and whole:
        lines.append(_("From {top} down to {bottom} the least total EUR at risk goes from "
                       "{low} to {high}.").format(
                           top=_eur(grid[0].amount), bottom=_eur(grid[-1].amount),
                           low=_eur(grid[0].total_risk), high=_eur(grid[-1].total_risk)))
    elif len(grid) >= 2:
        lines.append(_("From {top} down to {bottom} the least total EUR at risk rises from "
                       "{low} to {high}.").format(
                           top=_eur(grid[0].amount), bottom=_eur(grid[-1].amount),
                           low=_eur(grid[0].total_risk), high=_eur(grid[-1].total_risk)))
    unproven = [p for p in env.points if p.has_plan and not p.proven]
    if unproven:
        lines.append(_("{n} of {total} points were stopped by the time limit before a proven "
                       "optimum: their least total risk is the best split found, and the gap "
                       "column says how far from the optimum it may be.").format(
                           n=len(unproven), total=len(env.points)))
        if any(p.split_from is not None for p in unproven):
            lines.append(_("Where the split found at a lower amount puts less at risk than the "
                           "one found at an amount, that split (feasible there too) is shown, "
                           "marked \"split of\" its amount; the gap uses the best bound proven "
                           "at that amount or above."))
    return lines


def _table(env: EnvelopeFrontier, markdown: bool) -> str:
    ids = [e.cluster for e in env.entries]
    headers = [_("Envelope (EUR)"), _("Least total at risk (EUR)"), _("Gap"),
               _("After (EUR)")] + [_("{cluster} cut").format(cluster=c) for c in ids]
    rows = []
    for p in env.grid:
        if not p.has_plan:
            rows.append([keur(p.amount), _("no plan") if p.status.value == "infeasible"
                         else p.status.value, "-", "-"] + ["-"] * len(ids))
            continue
        risk = keur(p.total_risk)
        if p.split_from is not None:
            risk = _("{risk} (split of {amount})").format(risk=risk, amount=keur(p.split_from))
        rows.append([keur(p.amount), risk, _gap(p.gap, p.proven),
                     keur(p.after)] + [keur(p.cuts.get(c)) for c in ids])
    return tabulate(rows, headers, tablefmt="github" if markdown else "simple",
                    disable_numparse=True)


def _entries_table(env: EnvelopeFrontier, markdown: bool) -> str:
    headers = [_("Cluster"), _("Maximum cut (EUR)"), _("Cut from (EUR)"),
               _("Maximum cut from (EUR)")]
    rows = [[e.cluster, keur(e.max_cut), _where(e.cut), _where(e.full)] for e in env.entries]
    return tabulate(rows, headers, tablefmt="github" if markdown else "simple",
                    disable_numparse=True)


CSV_COLUMNS = ["section", "envelope", "amount", "grid", "status", "total_risk", "gap",
               "after", "cluster", "cut", "risk", "max_cut", "cut_from_above",
               "cut_from_below", "max_cut_from_above", "max_cut_from_below"]


def _csv(fr: RegionFrontier) -> str:
    """One long table: a `point` row per solved amount and cluster (the cluster's cut and
    risk there), a `cluster` row per cluster (its maximum cut and entry points)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for env in fr.envelopes:
        for p in env.points:
            for e in env.entries:
                w.writerow(["point", csv_text(env.id), csv_number(p.amount),
                            "true" if p.grid else "false", p.status.value,
                            csv_number(p.total_risk), csv_number(p.gap), csv_number(p.after),
                            csv_text(e.cluster), csv_number(p.cuts.get(e.cluster)),
                            csv_number(p.risks.get(e.cluster)), "", "", "", "", ""])
        for e in env.entries:
            w.writerow(["cluster", csv_text(env.id), "", "", "", "", "", "",
                        csv_text(e.cluster), "", "", csv_number(e.max_cut),
                        csv_number(e.cut.above), csv_number(e.cut.below),
                        csv_number(e.full.above), csv_number(e.full.below)])
    return buf.getvalue()


# ------------------------------------------------------------------ sweep and tornado


def render_region_runs(runs: RegionRuns, fmt: str = "table") -> str:
    frame = runs.frame
    if fmt == "json":
        import json

        from ..results.base import plain

        body: dict[str, Any] = {"region": runs.region.spec.name, "kind": runs.kind,
                                "status": runs.status.value,
                                "rows": [{k: plain(v) for k, v in row.items()}
                                         for row in frame.to_dict("records")]}
        if runs.kind == "tornado":
            body["base_risk"] = plain(runs.base_risk)
            body["percent"] = runs.percent
        return json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            w.writerow([_cell_csv(v) for v in row])
        return buf.getvalue()
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    markdown = fmt == "markdown"
    name = runs.region.spec.name
    if runs.kind == "tornado":
        title = _("Region tornado: {name}").format(name=name)
        head = [_("Each input moved down and up by {pct}, one at a time: the least total EUR "
                  "at risk each way (today {risk}), largest change first.").format(
                      pct=pct_digits(runs.percent or 0.0, 0), risk=_eur(runs.base_risk))]
        headers = [_("Input"), _("Today"), _("Lowered"), _("Least total at risk (EUR)"),
                   _("Raised"), _("Least total at risk (EUR)")]
        rows = [[r["input"], _num(r["value"]), _num(r["low"]), _risk(r["low_risk"],
                                                                        r["low_status"]),
                 _num(r["high"]), _risk(r["high_risk"], r["high_status"])]
                for r in frame.to_dict("records")]
    else:
        title = _("Region sweep: {name}").format(name=name)
        head = [_("The region solved at each point: the least total EUR at risk and the "
                  "envelopes after the split.")]
        paths = [c for c in frame.columns if c not in ("status", "total_risk", "gap")
                 and ":" not in c]
        afters = [c for c in frame.columns if c.startswith("after:")]
        headers = paths + [_("Least total at risk (EUR)"), _("Gap")] + [
            _("{envelope} after (EUR)").format(envelope=c.split(":", 1)[1]) for c in afters]
        rows = [[_num(r[p]) for p in paths] + [_risk(r["total_risk"], r["status"]),
                                               _gap(_nan_none(r["gap"]),
                                                    r["status"] == "optimal")]
                + [keur(_nan_none(r[c])) for c in afters] for r in frame.to_dict("records")]
    underline = f"## {title}" if markdown else f"{title}\n{'=' * len(title)}"
    table = tabulate(rows, headers, tablefmt="github" if markdown else "simple",
                     disable_numparse=True)
    return "\n".join([underline, "", *head, "", table]) + "\n"


def _nan_none(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def _num(v: Any) -> str:
    v = _nan_none(v)
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) >= 1000:
        return keur(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _risk(v: Any, status: str) -> str:
    v = _nan_none(v)
    if v is None:
        return _("no plan") if status == "infeasible" else status
    return keur(v)


def _cell_csv(v: Any) -> str:
    v = _nan_none(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return csv_number(v)
    return csv_text(str(v))


__all__ = ["render_region_frontier", "render_region_runs"]

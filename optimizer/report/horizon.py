"""The report of a horizon case (docs/MODEL.md, "Horizon"): the path in words, lever by
lever ("Raise fees by 5% in 2024, by 3% more in 2026"), a table of every lever's value
per year, the budget, private share and reserves per year, and, when the path is out
of reach, the first year that blocks it and the highest share each year reaches."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from tabulate import tabulate

from ..fmt import count, currency, keur, money, pct, pct_digits, status_words
from ..i18n import N_
from ..i18n import gettext as _
from ..results.horizon import HorizonResult
from ..results.horizon_outlook import outlook_lines
from .formats import FORMATS, csv_number

# What a relaxed group means, for a board.
GROUP_WORDS = {
    "result": N_("the yearly result floor (target.min_result)"),
    "capacity": N_("staff capacity (staff.spare_fte)"),
    "min_members": N_("the minimum membership (target.min_members)"),
    "max_levers": N_("the number of levers used at once (target.max_levers)"),
    "max_result": N_("the surplus cap (target.max_result)"),
    "eligible": N_("the EU cap on public aid (target.max_public_share_of_eligible)"),
    "max_members_lost": N_("the members the plan may lose (target.max_members_lost)"),
    "reserves": N_("the reserve floor (horizon.min_reserves)"),
}


def chance(p: float) -> str:
    """A probability for people: never 0% or 100% when it is not exactly so."""
    text = f"{p:.1%}"
    if text == "0.0%" and p > 0:
        return _("under {share}").format(share=pct(0.001))
    if text == "100.0%" and p < 1:
        return _("over {share}").format(share=pct(0.999))
    return pct(p)


def _years_text(years: list[int]) -> str:
    if len(years) == 1:
        return _("in {year}").format(year=years[0])
    return _("from {first} to {last}").format(first=years[0], last=years[-1])


def path_sentences(result: HorizonResult) -> list[str]:
    """One sentence per lever the path uses, its values year by year in words."""
    out = []
    case = result.case
    cur = case.currency
    years = [y.year for y in result.years]
    for lever in case.levers:
        values = [float(y.plan.get(lever.id, 0.0)) for y in result.years]
        if not any(abs(v) > 1e-9 for v in values):
            continue
        if lever.raises_fee_on() is not None:
            steps = []
            level = 0.0
            for year, v in zip(years, values):
                if v > level + 1e-9:
                    step = (_("by {pct} more in {year}") if level > 0 else
                            _("by {pct} in {year}"))
                    steps.append(step.format(pct=pct_digits(v - level, 0), year=year))
                    level = v
            out.append(_("Raise {lever} {steps} ({pct} above today's fee by {year}).").format(
                lever=lever.name.lower(), steps=", ".join(steps), pct=pct_digits(level, 0),
                year=years[-1]))
            continue
        runs: list[tuple[float, list[int]]] = []
        for year, v in zip(years, values):
            if runs and abs(runs[-1][0] - v) <= 1e-9 * max(1.0, abs(v)):
                runs[-1][1].append(year)
            else:
                runs.append((v, [year]))
        parts = [_("{value} {years}").format(
            value=lever.value_compared(v, cur) if abs(v) > 1e-9 else _("none"),
            years=_years_text(ys)) for v, ys in runs]
        out.append(_("{lever}: {parts}.").format(lever=lever.name, parts=", ".join(parts)))
    return out


def summary_lines(result: HorizonResult) -> list[str]:
    case = result.case
    h = case.horizon
    assert h is not None
    span = f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else f"{h.years[0]}"
    if result.years and result.cvar is not None:
        from .cvar_horizon import cvar_summary

        return cvar_summary(result) + path_sentences(result)
    if result.years:
        first, last = result.years[0], result.years[-1]
        text = (_("To raise the private share from {before} today to {target} by {year} "
                  "({span}), the least risky path puts {risk} at risk over the {n} "
                  "years (discounted).") if h.discount else
                _("To raise the private share from {before} today to {target} by {year} "
                  "({span}), the least risky path puts {risk} at risk over the {n} "
                  "years."))
        lines = [text.format(before=pct(first.before.private_share), target=pct(last.target),
                             year=last.year, span=span,
                             risk=money(result.risk, case.currency), n=len(h.years))]
        return lines + path_sentences(result)
    d = result.diagnosis
    if d is None:
        return [_("No path was found ({status}): {detail}").format(
            status=status_words(result.status, raw=True), detail=result.detail).rstrip(": ")]
    lines = [_("No path reaches every year's target ({span}). The first year out of reach is "
               "{year}: at most {share} private there, with the years before it on target.")
             .format(span=span, year=d.first_year, share=pct(d.reached))]
    lines.append(_("Highest private share each year (no target at all): {shares}.").format(
        shares=", ".join(f"{year} {pct(s)}" for year, s in d.max_private_share.items())))
    if d.blocking:
        lines.append(_("Relaxing any one of these in every year would let the targets up to "
                       "{year} be met: {groups}.").format(year=d.first_year, groups=_("; ").join(
                           _(GROUP_WORDS[g]) if g in GROUP_WORDS else
                           _("the rule {name}").format(name=g[len("rule:"):])
                           if g.startswith("rule:") else g for g in d.blocking)))
    else:
        lines.append(_("No single constraint relaxed alone reaches it: the levers' own bounds "
                       "block it (raise a lever's maximum, or lower the targets)."))
    return lines


def render_horizon(result: HorizonResult, fmt: str = "table") -> str:
    if fmt == "json":
        data = result.to_dict()
        data["summary"] = summary_lines(result)
        data["path"] = path_sentences(result) if result.years else []
        for block, y in zip(data["years"], result.years):
            block["summary"] = [y.case.lever(k).describe(y.evaluation.effects[k], y.case)
                                for k in y.plan if y.evaluation.effects[k].used]
        import json

        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return _people(result, fmt == "markdown")



def text_writers(out: list[str], markdown: bool) -> tuple[Callable[..., None],
                                                          Callable[..., None]]:
    """(heading, table): append a heading (level 1 or 2) or a table, as markdown or as
    plain text, to `out`."""
    style = "github" if markdown else "simple"

    def heading(text: str, level: int = 2) -> None:
        if markdown:
            out.extend([f"{'#' * level} {text}", ""])
        else:
            out.extend([text, ("=" if level == 1 else "-") * len(text)])

    def table(rows: list[list[Any]], headers: list[str]) -> None:
        out.append(tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True,
                            colalign=("left",) + ("right",) * (len(headers) - 1)))
        out.append("")

    return heading, table


def _people(result: HorizonResult, markdown: bool) -> str:
    case = result.case
    cur = currency(case.currency)
    out: list[str] = []
    heading, table = text_writers(out, markdown)

    heading(_("{case}: {status}").format(case=case.name, status=status_words(result.status)), 1)
    out.append("")
    for line in summary_lines(result):
        out.append(f"- {line}" if markdown else line)
    out.append("")
    if result.outlook is not None:
        h = case.horizon
        assert h is not None
        lines = outlook_lines(result.outlook, [y.year for y in result.years],
                              h.min_reserves if h.reserves is not None else None,
                              case.currency)
        advice = result.advice()
        for line in lines + ([advice] if advice else []):
            out.append(f"- {line}" if markdown else line)
        out.append("")
    if result.years:
        years = [str(y.year) for y in result.years]
        heading(_("The path, lever by lever"))
        rows = []
        for lever in case.levers:
            values = [y.evaluation.effects[lever.id].value for y in result.years]
            if any(abs(v) > 1e-9 for v in values):
                rows.append([lever.name] + [lever.value_cell(v) if abs(v) > 1e-9 else "-"
                                            for v in values])
        table(rows, [_("lever")] + years)
        heading(_("Year by year"))
        rows = []
        held = result.years[0].reserves_after is not None
        for y in result.years:
            ev = y.evaluation
            row = [str(y.year), pct(y.target), pct(ev.private_share),
                   f"{keur(ev.total_revenues)}", f"{keur(ev.total_expenditures)}",
                   keur(ev.result, sign=True), count(ev.members), keur(ev.risk)]
            if held:
                row.append(keur(y.reserves_after))
            rows.append(row)
        headers = [_("year"), _("target"), _("private share"), _("revenues ({cur})").format(cur=cur),
                   _("spending ({cur})").format(cur=cur), _("result ({cur})").format(cur=cur),
                   _("members"), _("at risk ({cur})").format(cur=cur)]
        if held:
            headers.append(_("reserves at year end ({cur})").format(cur=cur))
        table(rows, headers)
        for y in result.years:
            heading(_("{year}: {target} private asked, {share} reached").format(
                year=y.year, target=pct(y.target), share=pct(y.evaluation.private_share)), 3)
            actions = [_("{action} (at risk: {risk})").format(
                action=y.case.lever(k).describe(y.evaluation.effects[k], y.case),
                risk=money(y.evaluation.effects[k].risk, case.currency))
                for k in y.plan if y.evaluation.effects[k].used]
            for action in actions or [_("No lever this year.")]:
                out.append(f"- {action}" if markdown else f"  {action}")
            out.append("")
    if result.simulation is not None:
        sim = result.simulation
        heading(_("The same path in {n} drawn runs of the years (seed {seed})").format(
            n=count(sim.n), seed=sim.seed))
        out.append(_("Each run draws every year anew (the levers' uncertainty); the plan stays "
                     "the same and the reserves carry each year's result to the next."))
        out.append("")
        rows = []
        sim_rows = sim.year_rows()
        with_reserves = sim_rows[0]["p_reserves_ok"] is not None
        for r in sim_rows:
            q = r["share_quantiles"]
            row = [str(r["year"]), pct(r["target"]), chance(r["p_target_met"]),
                   _("{low} - {high}").format(low=pct(q["p05"]), high=pct(q["p95"])),
                   chance(r["p_result_ok"])]
            if with_reserves:
                row += [chance(r["p_reserves_ok"]), keur(r["reserves_p05"])]
            rows.append(row)
        headers = [_("year"), _("target"), _("target met"), _("share 5%-95%"),
                   _("result >= minimum")]
        if with_reserves:
            headers += [_("reserves above floor"), _("reserves, 5% worst ({cur})").format(cur=cur)]
        table(rows, headers)
        line = _("Every year's target met in the same run: {chance} of runs.").format(
            chance=chance(sim.p_every_target))
        if sim.p_reserves_always_ok is not None:
            line += " " + _("Reserves above the floor every year: {chance} of runs.").format(
                chance=chance(sim.p_reserves_always_ok))
        out.append(line)
        out.append("")
    if result.warnings:
        heading(_("Warnings"))
        for w in result.warnings:
            out.append(f"- {w}" if markdown else w)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _csv(result: HorizonResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "section", "id", "label", "value", "before", "after", "risk"])
    for y in result.years:
        ev = y.evaluation
        for lever in y.case.levers:
            eff = ev.effects[lever.id]
            w.writerow([y.year, "lever", lever.id, lever.name, csv_number(eff.value), "", "",
                        csv_number(eff.risk)])
        for name, before, after in (
                ("private_share", y.before.private_share, ev.private_share),
                ("result", y.before.result, ev.result),
                ("members", y.before.members, ev.members),
                ("reserves", y.reserves_before, y.reserves_after)):
            if after is not None:
                w.writerow([y.year, "indicator", name, name, "", csv_number(before),
                            csv_number(after), ""])
    return buf.getvalue()


__all__ = ["path_sentences", "render_horizon", "summary_lines"]

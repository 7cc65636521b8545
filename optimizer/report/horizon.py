"""The report of a horizon case (docs/MODEL.md, "Horizon"): the path in words, lever by
lever ("Raise fees by 5% in 2024, by 3% more in 2026"), a table of every lever's value
per year, the budget, private share and reserves per year, and, when the path is out
of reach, the first year that blocks it and the highest share each year reaches."""

from __future__ import annotations

import csv
import io
from typing import Any

from tabulate import tabulate

from ..fmt import keur, pct
from ..results.horizon import HorizonResult
from ..results.horizon_outlook import outlook_lines
from .formats import FORMATS, csv_number

# What a relaxed group means, for a board.
GROUP_WORDS = {
    "result": "the yearly result floor (target.min_result)",
    "capacity": "staff capacity (staff.spare_fte)",
    "min_members": "the minimum membership (target.min_members)",
    "max_levers": "the number of levers used at once (target.max_levers)",
    "max_result": "the surplus cap (target.max_result)",
    "eligible": "the EU cap on public aid (target.max_public_share_of_eligible)",
    "max_members_lost": "the members the plan may lose (target.max_members_lost)",
    "reserves": "the reserve floor (horizon.min_reserves)",
}


def chance(p: float) -> str:
    """A probability for people: never 0% or 100% when it is not exactly so."""
    text = f"{p:.1%}"
    if text == "0.0%" and p > 0:
        return "under 0.1%"
    if text == "100.0%" and p < 1:
        return "over 99.9%"
    return text


def _years_text(years: list[int]) -> str:
    if len(years) == 1:
        return f"in {years[0]}"
    return f"from {years[0]} to {years[-1]}"


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
                    more = " more" if level > 0 else ""
                    steps.append(f"by {v - level:.0%}{more} in {year}")
                    level = v
            out.append(f"Raise {lever.name.lower()} {', '.join(steps)} "
                       f"({level:.0%} above today's fee by {years[-1]}).")
            continue
        runs: list[tuple[float, list[int]]] = []
        for year, v in zip(years, values):
            if runs and abs(runs[-1][0] - v) <= 1e-9 * max(1.0, abs(v)):
                runs[-1][1].append(year)
            else:
                runs.append((v, [year]))
        parts = [f"{lever.value_compared(v, cur) if abs(v) > 1e-9 else 'none'} "
                 f"{_years_text(ys)}" for v, ys in runs]
        out.append(f"{lever.name}: {', '.join(parts)}.")
    return out


def summary_lines(result: HorizonResult) -> list[str]:
    case = result.case
    h = case.horizon
    assert h is not None
    span = f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else f"{h.years[0]}"
    if result.years:
        first, last = result.years[0], result.years[-1]
        lines = [f"To raise the private share from {pct(first.before.private_share)} today to "
                 f"{pct(last.target)} by {last.year} ({span}), the least risky path puts "
                 f"{keur(result.risk)} {case.currency} at risk over the {len(h.years)} years"
                 + (" (discounted)." if h.discount else ".")]
        return lines + path_sentences(result)
    d = result.diagnosis
    if d is None:
        return [f"No path was found ({result.status.value}): {result.detail}".rstrip(": ")]
    lines = [f"No path reaches every year's target ({span}). The first year out of reach is "
             f"{d.first_year}: at most {pct(d.reached)} private there, with the years before it "
             "on target."]
    lines.append("Highest private share each year (no target at all): " + ", ".join(
        f"{year} {pct(s)}" for year, s in d.max_private_share.items()) + ".")
    if d.blocking:
        lines.append("Relaxing any one of these in every year would let the targets up to "
                     f"{d.first_year} be met: "
                     + "; ".join(GROUP_WORDS.get(g, g.replace("rule:", "the rule ")) for g in
                                 d.blocking) + ".")
    else:
        lines.append("No single constraint relaxed alone reaches it: the levers' own bounds "
                     "block it (raise a lever's maximum, or lower the targets).")
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


def _people(result: HorizonResult, markdown: bool) -> str:
    case = result.case
    cur = case.currency
    style = "github" if markdown else "simple"
    out: list[str] = []

    def heading(text: str, level: int = 2) -> None:
        if markdown:
            out.extend([f"{'#' * level} {text}", ""])
        else:
            out.extend([text, ("=" if level == 1 else "-") * len(text)])

    def table(rows: list[list[Any]], headers: list[str]) -> None:
        out.append(tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True,
                            colalign=("left",) + ("right",) * (len(headers) - 1)))
        out.append("")

    heading(f"{case.name}: {result.status.value.replace('_', ' ')}", 1)
    out.append("")
    for line in summary_lines(result):
        out.append(f"- {line}" if markdown else line)
    out.append("")
    if result.outlook is not None:
        h = case.horizon
        assert h is not None
        lines = outlook_lines(result.outlook, [y.year for y in result.years],
                              h.min_reserves if h.reserves is not None else None, cur)
        advice = result.advice()
        for line in lines + ([advice] if advice else []):
            out.append(f"- {line}" if markdown else line)
        out.append("")
    if result.years:
        years = [str(y.year) for y in result.years]
        heading("The path, lever by lever")
        rows = []
        for lever in case.levers:
            values = [y.evaluation.effects[lever.id].value for y in result.years]
            if any(abs(v) > 1e-9 for v in values):
                rows.append([lever.name] + [lever.value_cell(v) if abs(v) > 1e-9 else "-"
                                            for v in values])
        table(rows, ["lever"] + years)
        heading("Year by year")
        rows = []
        held = result.years[0].reserves_after is not None
        for y in result.years:
            ev = y.evaluation
            row = [str(y.year), pct(y.target), pct(ev.private_share),
                   f"{keur(ev.total_revenues)}", f"{keur(ev.total_expenditures)}",
                   keur(ev.result, sign=True), f"{ev.members:,.0f}", keur(ev.risk)]
            if held:
                row.append(keur(y.reserves_after))
            rows.append(row)
        headers = ["year", "target", "private share", f"revenues ({cur})",
                   f"spending ({cur})", f"result ({cur})", "members", f"at risk ({cur})"]
        if held:
            headers.append(f"reserves at year end ({cur})")
        table(rows, headers)
        for y in result.years:
            heading(f"{y.year}: {pct(y.target)} private asked, {pct(y.evaluation.private_share)}"
                    " reached", 3)
            actions = [y.case.lever(k).describe(y.evaluation.effects[k], y.case)
                       + f" (at risk: {keur(y.evaluation.effects[k].risk)} {cur})"
                       for k in y.plan if y.evaluation.effects[k].used]
            for action in actions or ["No lever this year."]:
                out.append(f"- {action}" if markdown else f"  {action}")
            out.append("")
    if result.simulation is not None:
        sim = result.simulation
        heading(f"The same path in {sim.n:,} drawn runs of the years (seed {sim.seed})")
        out.append("Each run draws every year anew (the levers' uncertainty); the plan stays "
                   "the same and the reserves carry each year's result to the next.")
        out.append("")
        rows = []
        sim_rows = sim.year_rows()
        with_reserves = sim_rows[0]["p_reserves_ok"] is not None
        for r in sim_rows:
            q = r["share_quantiles"]
            row = [str(r["year"]), pct(r["target"]), chance(r["p_target_met"]),
                   f"{pct(q['p05'])} - {pct(q['p95'])}", chance(r["p_result_ok"])]
            if with_reserves:
                row += [chance(r["p_reserves_ok"]), keur(r["reserves_p05"])]
            rows.append(row)
        headers = ["year", "target", "target met", "share 5%-95%", "result >= minimum"]
        if with_reserves:
            headers += ["reserves above floor", f"reserves, 5% worst ({cur})"]
        table(rows, headers)
        line = f"Every year's target met in the same run: {chance(sim.p_every_target)} of runs."
        if sim.p_reserves_always_ok is not None:
            line += (f" Reserves above the floor every year: {chance(sim.p_reserves_always_ok)}"
                     " of runs.")
        out.append(line)
        out.append("")
    if result.warnings:
        heading("Warnings")
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

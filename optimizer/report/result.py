"""Reports for people (table, markdown), and for machines (json, csv).

Figures are formatted for a board: k EUR with one decimal, shares in %.
Tables are drawn by tabulate.
"""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from ..case.messages import printable
from ..fmt import keur, pct, pct_short
from ..plan.evaluate import evaluate
from ..results.base import thawed
from ..results.result import Result
from .formats import FORMATS
from .result_csv import result_csv
from .uncertainty import people_sections


def render(result: Result, fmt: str = "table") -> str:
    if fmt == "json":
        return result.to_json()
    if fmt == "csv":
        return result_csv(result)
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return _people(result, markdown=fmt == "markdown")


def _people(result: Result, markdown: bool) -> str:
    case = result.case
    cur = case.currency
    style = "github" if markdown else "simple"
    out: list[str] = []

    def heading(text: str, level: int = 2) -> None:
        if markdown:
            out.append(f"{'#' * level} {text}")
            if level > 1:
                out.append("")
        else:
            out.append(text)
            out.append("=" * len(text) if level == 1 else "-" * len(text))

    def table(rows: list[list[Any]], headers: list[str], align: tuple[str, ...] | None = None
              ) -> None:
        out.append(tabulate(rows, headers=headers, tablefmt=style, disable_numparse=True,
                            colalign=align))
        out.append("")

    heading(f"{case.name}: {result.status.value.replace('_', ' ')}", 1)
    out.append("")
    for line in result.to_dict()["summary"]:
        out.append(f"- {line}" if markdown else line)
    out.append("")

    after = result.after
    after_title = "After"
    closest = None
    d = result.diagnosis
    if result.evaluation is None and d is not None and d.best_plan is not None:
        closest = after = evaluate(case, d.best_plan)
        after_title = "Closest plan"
    if result.evaluation is not None or closest is not None:
        if closest is None:
            heading("The plan")
        else:
            heading(f"The plan that comes closest ({pct(closest.private_share)} private)")
        rows = []
        for lever in case.levers:
            eff = after.effects[lever.id]
            if not eff.used:
                continue
            effect = sum(eff.revenue.values()) - sum(eff.expenditure.values())
            rows.append([lever.name, lever.describe(eff, case), keur(effect, sign=True),
                         keur(eff.risk)])
        rows.append(["Total", "", keur(after.result - result.before.result, sign=True),
                     keur(after.risk)])
        table(rows, ["Lever", "Action", f"Effect on result ({cur})", f"At risk ({cur})"],
              ("left", "left", "right", "right"))
        unused = [lever.name for lever in case.levers if not after.effects[lever.id].used]
        if unused:
            out.append(f"Levers not used: {', '.join(unused)}.")
            out.append("")

    heading("Budget before and after")
    rows = []
    for r in case.revenues:
        rows.append([r.name, "public" if r.public else "private", keur(r.amount),
                     keur(after.revenues[r.id]), keur(after.revenues[r.id] - r.amount, True)])
    before = result.before
    rows.append(["Public revenue", "", keur(before.public), keur(after.public),
                 keur(after.public - before.public, True)])
    rows.append(["Private revenue", "", keur(before.private), keur(after.private),
                 keur(after.private - before.private, True)])
    rows.append(["Total revenue", "", keur(before.total_revenues), keur(after.total_revenues),
                 keur(after.total_revenues - before.total_revenues, True)])
    for e in case.expenditures:
        rows.append([e.name, "spending", keur(e.amount), keur(after.expenditures[e.id]),
                     keur(after.expenditures[e.id] - e.amount, True)])
    rows.append(["Total spending", "", keur(before.total_expenditures),
                 keur(after.total_expenditures),
                 keur(after.total_expenditures - before.total_expenditures, True)])
    table(rows, ["Line", "Side", f"Before ({cur})", f"{after_title} ({cur})", "Change"],
          ("left", "left", "right", "right", "right"))

    heading("Indicators")
    rows = [
        ["Private share", pct(before.private_share), pct(after.private_share),
         f"target {pct_short(case.target.private_share)}"],
        ["Result", keur(before.result, True), keur(after.result, True),
         f"at least {keur(case.target.min_result, True)}"],
        ["Members", f"{before.members:,.0f}", f"{after.members:,.1f}".rstrip("0").rstrip("."),
         f"at least {case.target.min_members}" if case.target.min_members is not None else ""],
        ["Staff capacity used (FTE)", "0", f"{after.fte_use:.2f}",
         f"spare {case.spare_fte:g}"],
        [f"EUR at risk ({cur})", "", keur(after.risk if closest else result.risk), ""],
    ]
    table(rows, ["Indicator", "Before", after_title, "Limit"], ("left", "right", "right", "left"))

    if result.binding:
        heading("What limits the plan (binding constraints)")
        out.extend(f"- {b}" for b in result.binding)
        out.append("")
    if result.marginal is not None:
        heading("One more point of target")
        m = result.marginal
        if result.marginal_risk is not None:
            out.append(f"At {pct_short(m.target)} the least risky plan puts {keur(m.risk)} {cur} at risk: "
                       f"{keur(result.marginal_risk, True)} {cur} more.")
        else:
            out.append(f"At {pct_short(m.target)} no plan exists ({m.status.value}).")
        out.append("")
    out.extend(people_sections(result, markdown))
    if result.warnings:
        heading("Warnings")
        out.extend(f"- {w}" for w in result.warnings)
        out.append("")
    out.extend(audit_lines(result))
    return "\n".join(out).rstrip() + "\n"


def audit_lines(result: Result) -> list[str]:
    """The audit trail in words: enough to reproduce the figures years later."""
    audit = result.audit
    if not audit:
        return []
    overrides = audit.get("overrides") or {}
    options = audit.get("solver_options") or {}
    limit = options.get("time_limit")
    sets = ", ".join(f"{k}={json.dumps(thawed(v), ensure_ascii=False)}"
                     for k, v in overrides.items())
    line = (f"Audit: case SHA-256 {audit.get('case_sha256', '')} "
            f"({printable(str(audit.get('case_source', '')))}); "
            f"overrides: {printable(sets) if sets else 'none'}; "
            f"solver {audit.get('solver_version', result.solver)}, seed {options.get('seed', '-')}, "
            f"time limit {f'{limit:g} s' if limit else 'none'}; "
            f"optimizer {audit.get('package_version', '')}.")
    return [line]


__all__ = ["audit_lines", "render"]

"""Reports for people (table, markdown), and for machines (json, csv).

Figures are formatted for a board: k EUR with one decimal, shares in %.
Tables are drawn by tabulate.
"""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from ..case.messages import printable
from ..fmt import (
    count,
    count_trim,
    currency,
    fixed,
    general,
    keur,
    money,
    pct,
    pct_short,
    status_words,
)
from ..i18n import gettext as _
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
    cur = currency(case.currency)
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

    heading(_("{case}: {status}").format(case=case.name, status=status_words(result.status)), 1)
    out.append("")
    for line in result.to_dict()["summary"]:
        out.append(f"- {line}" if markdown else line)
    out.append("")

    after = result.after
    after_title = _("After")
    closest = None
    d = result.diagnosis
    if result.evaluation is None and d is not None and d.best_plan is not None:
        closest = after = evaluate(case, d.best_plan)
        after_title = _("Closest plan")
    if result.evaluation is not None or closest is not None:
        if closest is None:
            heading(_("The plan"))
        else:
            heading(_("The plan that comes closest ({share} private)").format(
                share=pct(closest.private_share)))
        rows = []
        for lever in case.levers:
            eff = after.effects[lever.id]
            if not eff.used:
                continue
            effect = sum(eff.revenue.values()) - sum(eff.expenditure.values())
            rows.append([lever.name, lever.describe(eff, case), keur(effect, sign=True),
                         keur(eff.risk)])
        rows.append([_("Total"), "", keur(after.result - result.before.result, sign=True),
                     keur(after.risk)])
        table(rows, [_("Lever"), _("Action"), _("Effect on result ({cur})").format(cur=cur),
                     _("At risk ({cur})").format(cur=cur)],
              ("left", "left", "right", "right"))
        unused = [lever.name for lever in case.levers if not after.effects[lever.id].used]
        if unused:
            out.append(_("Levers not used: {levers}.").format(levers=", ".join(unused)))
            out.append("")

    heading(_("Budget before and after"))
    rows = []
    for r in case.revenues:
        rows.append([r.name, _("public") if r.public else _("private"), keur(r.amount),
                     keur(after.revenues[r.id]), keur(after.revenues[r.id] - r.amount, True)])
    before = result.before
    rows.append([_("Public revenue"), "", keur(before.public), keur(after.public),
                 keur(after.public - before.public, True)])
    rows.append([_("Private revenue"), "", keur(before.private), keur(after.private),
                 keur(after.private - before.private, True)])
    rows.append([_("Total revenue"), "", keur(before.total_revenues), keur(after.total_revenues),
                 keur(after.total_revenues - before.total_revenues, True)])
    for e in case.expenditures:
        rows.append([e.name, _("spending"), keur(e.amount), keur(after.expenditures[e.id]),
                     keur(after.expenditures[e.id] - e.amount, True)])
    rows.append([_("Total spending"), "", keur(before.total_expenditures),
                 keur(after.total_expenditures),
                 keur(after.total_expenditures - before.total_expenditures, True)])
    table(rows, [_("Line"), _("Side"), _("Before ({cur})").format(cur=cur),
                 _("{after} ({cur})").format(after=after_title, cur=cur), _("Change")],
          ("left", "left", "right", "right", "right"))

    heading(_("Indicators"))
    rows = [
        [_("Private share"), pct(before.private_share), pct(after.private_share),
         _("target {share}").format(share=pct_short(case.target.private_share))],
        [_("Result"), keur(before.result, True), keur(after.result, True),
         _("at least {amount}").format(amount=keur(case.target.min_result, True))],
        [_("Members"), count(before.members), count_trim(after.members),
         _("at least {n}").format(n=case.target.min_members)
         if case.target.min_members is not None else ""],
        [_("Staff capacity used (FTE)"), "0", fixed(after.fte_use, 2),
         _("spare {fte}").format(fte=general(case.spare_fte))],
        [_("EUR at risk ({cur})").format(cur=cur), "", keur(after.risk if closest else
                                                             result.risk), ""],
    ]
    table(rows, [_("Indicator"), _("Before"), after_title, _("Limit")],
          ("left", "right", "right", "left"))

    if result.binding:
        heading(_("What limits the plan (binding constraints)"))
        out.extend(f"- {b}" for b in result.binding)
        out.append("")
    if result.marginal is not None:
        heading(_("One more point of target"))
        m = result.marginal
        if result.marginal_risk is not None:
            out.append(_("At {target} the least risky plan puts {risk} at risk: {more} more.")
                       .format(target=pct_short(m.target), risk=money(m.risk, case.currency),
                               more=money(result.marginal_risk, case.currency, True)))
        else:
            out.append(_("At {target} no plan exists ({status}).").format(
                target=pct_short(m.target), status=status_words(m.status, raw=True)))
        out.append("")
    out.extend(people_sections(result, markdown))
    if result.warnings:
        heading(_("Warnings"))
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
    line = _("Audit: case SHA-256 {sha} ({source}); overrides: {overrides}; solver {solver}, "
             "seed {seed}, time limit {limit}; optimizer {version}.").format(
        sha=audit.get("case_sha256", ""), source=printable(str(audit.get("case_source", ""))),
        overrides=printable(sets) if sets else _("none"),
        solver=audit.get("solver_version", result.solver), seed=options.get("seed", "-"),
        limit=_("{seconds} s").format(seconds=general(limit)) if limit else _("none"),
        version=audit.get("package_version", ""))
    return [line]


__all__ = ["audit_lines", "render"]

"""Cross-field checks of a case that pydantic cannot express, each problem with its JSON path.

Ids unique and references valid (lines, sides, rule quantities), each lever type's own
checks (`reference_problems`, `uncertainty_problems`), and the shocks. The case is
duck-typed: this module needs no schema (the schema calls it).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..i18n import gettext as _
from ..levers.fields import near
from ..levers.uncertainty import order_problems
from .messages import path_part

# Rule quantities after the plan, and (version 2) today's values, constants.
BEFORE = ("private_before", "public_before", "revenues_before", "expenditures_before",
          "result_before", "members_before", "eligible_before")
QUANTITIES = ("private", "public", "revenues", "expenditures", "result", "members", "risk",
              "eligible", *BEFORE)
QUANTITY_KINDS = ("revenue", "expenditure", "lever", "revenue_before", "expenditure_before")


def check_references(case: Any) -> list[str]:
    """Cross-field checks pydantic cannot express: ids, sides, defaults that need the budget."""
    problems: list[str] = []

    def unique(items: list[Any], kind: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(_("{kind}[{i}].id: duplicate id '{id}' (already used by "
                                  "{kind}[{first}])").format(kind=kind, i=i, id=item.id,
                                                             first=seen[item.id]))
            seen.setdefault(item.id, i)

    unique(case.revenues, "revenues")
    unique(case.expenditures, "expenditures")
    unique(case.levers, "levers")
    revenue_ids = {r.id: r for r in case.revenues}
    expenditure_ids = {e.id for e in case.expenditures}
    if sum(r.amount for r in case.revenues) <= 0:
        problems.append(_("revenues: the revenues add up to 0, so no private share can be "
                          "computed"))

    fee_lines: dict[str, int] = {}
    for i, lever in enumerate(case.levers):
        where = f"levers[{i}]"
        for attr, side in lever.line_fields.items():
            line = getattr(lever, attr)
            # A line the case never wrote (the lever type's default) is named as such.
            default = ("" if attr in lever.model_fields_set else
                       " " + _("(the default line; set `{field}`)").format(field=attr))
            if side == "expenditure":
                if line not in expenditure_ids:
                    problems.append(_("{where}: no expenditure line '{line}'{default}{hint}")
                                    .format(where=f"{where}.{attr}", line=line, default=default,
                                            hint=near(line, sorted(expenditure_ids))))
                continue
            if line not in revenue_ids:
                pool = sorted(r.id for r in case.revenues if r.public == (side == "public"))
                problems.append(_("{where}: no revenue line '{line}'{default}{hint}").format(
                    where=f"{where}.{attr}", line=line, default=default, hint=near(line, pool)))
            elif revenue_ids[line].public != (side == "public"):
                text = (_("{where}: '{line}' is a private line{default}; a {type} lever needs a "
                          "public revenue line") if side == "public" else
                        _("{where}: '{line}' is a public line{default}; a {type} lever needs a "
                          "private revenue line"))
                problems.append(text.format(where=f"{where}.{attr}", line=line, default=default,
                                            type=lever.type))
        line = lever.raises_fee_on()
        if line is not None:
            if line in fee_lines:
                problems.append(_("{where}: a second {type} on '{line}' (levers[{first}] "
                                  "already raises it); keep one").format(
                    where=where, type=lever.type, line=line, first=fee_lines[line]))
            fee_lines.setdefault(line, i)
        problems += lever.reference_problems(case, where)
    lever_ids = {lever.id for lever in case.levers}
    rule_names: dict[str, int] = {}
    for i, rule in enumerate(case.rules):
        if rule.name in rule_names:
            # Names identify rules in diagnoses ("blocking") and in --set rules.NAME.rhs.
            problems.append(_("rules[{i}].name: duplicate rule name {name} (already used by "
                              "rules[{first}]); give each rule its own name").format(
                i=i, name=repr(rule.name), first=rule_names[rule.name]))
        rule_names.setdefault(rule.name, i)
        for quantity in rule.terms:
            problem = check_quantity(quantity, revenue_ids, expenditure_ids, lever_ids)
            if problem:
                problems.append(f"rules[{i}].terms{path_part(quantity)}: {problem}")
    problems += check_uncertainty(case)
    return problems


def check_quantity(q: str, revenues: Mapping[str, Any], expenditures: set[str],
                   levers: set[str]) -> str | None:
    """What is wrong with a rule quantity (None: nothing)."""
    if q in QUANTITIES:
        return None
    kind, sep, ident = q.partition(":")
    if not sep or kind not in QUANTITY_KINDS:
        close = difflib.get_close_matches(q, list(QUANTITIES), n=1)
        hint = _("did you mean '{name}'? ").format(name=close[0]) if close else ""
        return _("unknown quantity; {hint}use one of {names}, or revenue:ID, expenditure:ID, "
                 "lever:ID, revenue_before:ID, expenditure_before:ID").format(
            hint=hint, names=", ".join(QUANTITIES))
    pool = {"revenue": set(revenues), "expenditure": expenditures, "lever": levers,
            "revenue_before": set(revenues), "expenditure_before": expenditures}[kind]
    if ident not in pool:
        close = difflib.get_close_matches(ident, sorted(pool), n=1)
        hint = _("; did you mean '{name}'?").format(name=f"{kind}:{close[0]}") if close else ""
        return _("no {kind} '{id}'{hint}").format(kind=kind, id=ident, hint=hint)
    return None


def check_uncertainty(case: Any) -> list[str]:
    """Cross-field checks of the uncertainty fields, each problem with its JSON path."""
    problems: list[str] = []
    for i, lever in enumerate(case.levers):
        problems += lever.uncertainty_problems(f"levers[{i}].uncertainty")
    revenue_ids = {r.id for r in case.revenues}
    expenditure_ids = {e.id for e in case.expenditures}
    seen: dict[tuple[str, str], int] = {}
    for j, shock in enumerate(case.shocks):
        where = f"shocks[{j}]"
        if (shock.revenue is None) == (shock.expenditure is None):
            problems.append(_("{where}: name exactly one line, with \"revenue\": ID or "
                              "\"expenditure\": ID").format(where=where))
            continue
        pool = revenue_ids if shock.side == "revenue" else expenditure_ids
        if shock.line not in pool:
            problems.append((_("{where}: no revenue line '{line}'; use one of {names}")
                             if shock.side == "revenue" else
                             _("{where}: no expenditure line '{line}'; use one of {names}"))
                            .format(where=f"{where}.{shock.side}", line=shock.line,
                                    names=", ".join(sorted(pool))))
            continue
        key = (shock.side, shock.line)
        if key in seen:
            problems.append(_("{where}: a second shock on '{line}' (shocks[{first}] already "
                              "shocks it); keep one").format(where=f"{where}.{shock.side}",
                                                             line=shock.line, first=seen[key]))
        seen.setdefault(key, j)
        problems += order_problems(where, shock.low, shock.mode, shock.high)
    return problems


__all__ = ["BEFORE", "QUANTITIES", "QUANTITY_KINDS", "check_quantity", "check_references",
           "check_uncertainty"]

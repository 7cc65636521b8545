"""Cross-field checks of a case that pydantic cannot express, each problem with its JSON path.

Ids unique and references valid (lines, sides, rule quantities), each lever type's own
checks (`reference_problems`, `uncertainty_problems`), and the shocks. The case is
duck-typed: this module needs no schema (the schema calls it).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

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
                problems.append(f"{kind}[{i}].id: duplicate id '{item.id}' "
                                f"(already used by {kind}[{seen[item.id]}])")
            seen.setdefault(item.id, i)

    unique(case.revenues, "revenues")
    unique(case.expenditures, "expenditures")
    unique(case.levers, "levers")
    revenue_ids = {r.id: r for r in case.revenues}
    expenditure_ids = {e.id for e in case.expenditures}
    if sum(r.amount for r in case.revenues) <= 0:
        problems.append("revenues: the revenues add up to 0, so no private share can be computed")

    fee_lines: dict[str, int] = {}
    for i, lever in enumerate(case.levers):
        where = f"levers[{i}]"
        for attr, side in lever.line_fields.items():
            line = getattr(lever, attr)
            # A line the case never wrote (the lever type's default) is named as such.
            default = ("" if attr in lever.model_fields_set else
                       f" (the default line; set `{attr}`)")
            if side == "expenditure":
                if line not in expenditure_ids:
                    problems.append(f"{where}.{attr}: no expenditure line '{line}'{default}"
                                    f"{near(line, sorted(expenditure_ids))}")
                continue
            if line not in revenue_ids:
                pool = sorted(r.id for r in case.revenues if r.public == (side == "public"))
                problems.append(f"{where}.{attr}: no revenue line '{line}'{default}"
                                f"{near(line, pool)}")
            elif revenue_ids[line].public != (side == "public"):
                want = "a public" if side == "public" else "a private"
                problems.append(f"{where}.{attr}: '{line}' is a "
                                f"{'public' if revenue_ids[line].public else 'private'} "
                                f"line{default}; a {lever.type} lever needs {want} revenue line")
        line = lever.raises_fee_on()
        if line is not None:
            if line in fee_lines:
                problems.append(f"{where}: a second {lever.type} on '{line}' "
                                f"(levers[{fee_lines[line]}] already raises it); keep one")
            fee_lines.setdefault(line, i)
        problems += lever.reference_problems(case, where)
    lever_ids = {lever.id for lever in case.levers}
    rule_names: dict[str, int] = {}
    for i, rule in enumerate(case.rules):
        if rule.name in rule_names:
            # Names identify rules in diagnoses ("blocking") and in --set rules.NAME.rhs.
            problems.append(f"rules[{i}].name: duplicate rule name {rule.name!r} (already used "
                            f"by rules[{rule_names[rule.name]}]); give each rule its own name")
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
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (f"unknown quantity; {hint}use one of {', '.join(QUANTITIES)}, "
                "or revenue:ID, expenditure:ID, lever:ID, revenue_before:ID, "
                "expenditure_before:ID")
    pool = {"revenue": set(revenues), "expenditure": expenditures, "lever": levers,
            "revenue_before": set(revenues), "expenditure_before": expenditures}[kind]
    if ident not in pool:
        close = difflib.get_close_matches(ident, sorted(pool), n=1)
        hint = f"; did you mean '{kind}:{close[0]}'?" if close else ""
        return f"no {kind} '{ident}'{hint}"
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
            problems.append(f"{where}: name exactly one line, with \"revenue\": ID or "
                            "\"expenditure\": ID")
            continue
        pool = revenue_ids if shock.side == "revenue" else expenditure_ids
        if shock.line not in pool:
            problems.append(f"{where}.{shock.side}: no {shock.side} line '{shock.line}'; use one "
                            f"of {', '.join(sorted(pool))}")
            continue
        key = (shock.side, shock.line)
        if key in seen:
            problems.append(f"{where}.{shock.side}: a second shock on '{shock.line}' "
                            f"(shocks[{seen[key]}] already shocks it); keep one")
        seen.setdefault(key, j)
        problems += order_problems(where, shock.low, shock.mode, shock.high)
    return problems


__all__ = ["BEFORE", "QUANTITIES", "QUANTITY_KINDS", "check_quantity", "check_references",
           "check_uncertainty"]

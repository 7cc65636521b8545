"""The board pack: one self-contained HTML page for a board, from the JSON of a run.

Input are the plain dicts the CLI prints (`optimize CASE --format json`, `optimize CASE
--frontier --format json`, a result's `simulation` block); output is one page that needs
nothing but a browser: inline CSS and script, charts drawn here as inline SVG, the data of
the frontier's slider embedded as JSON, a Content-Security-Policy that allows no request
at all, and a print stylesheet (A4, a page per section, the case's own plan instead of the
slider).

Rendering is Jinja2 with autoescape on (the optional extra `html`, imported when a page is
rendered): every string that comes from the case (its name, labels, notes, lever
actions) is escaped where it is written, without anyone having to remember to. The SVG
charts are composed with markupsafe, which escapes the same way.

Every human-facing string is in `STRINGS`, marked for the catalog (`N_`) and translated
where it is written (`_s`, and the template's `strings`) in the current language
(optimizer.i18n); the page's `lang` follows it. Figures follow `optimizer.fmt` (k EUR with
one decimal, halves rounded up; French: `1 500,0 k€`, `60,0 %`): every figure the page
shows, the slider's included, is formatted here, so the script only writes text.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import CaseError
from ..fmt import count as fmt_count
from ..fmt import currency as fmt_currency
from ..fmt import fixed as fmt_fixed
from ..fmt import general as fmt_general
from ..fmt import keur as fmt_keur
from ..fmt import money as fmt_money
from ..fmt import pct_digits as fmt_pct_digits
from ..fmt import pct_short as fmt_pct_short
from ..i18n import N_, NNBSP, current, is_default
from ..i18n import decimal as local_decimal
from ..i18n import gettext as _

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["STRINGS", "render_board_pack"]

STRINGS: dict[str, str] = {
    # Page
    "title": N_("{case}: board pack"),
    "subtitle": N_("Which mix of levers brings the private share to the target at the least EUR "
                   "at risk"),
    "status_optimal": N_("Optimal plan, proven by the solver"),
    "status_not_proven": N_("Not proven optimal: the solver stopped at its time limit"),
    "status_infeasible": N_("The target is out of reach"),
    "status_none": N_("No plan: the solver gave no usable answer ({status})"),
    "contents": N_("Contents"),
    # Section 1: the plan
    "plan_heading": N_("The plan"),
    "closest_heading": N_("The plan that comes closest"),
    "key_figures": N_("Key figures"),
    "fig_share": N_("Private share"),
    "fig_result": N_("Result"),
    "fig_members": N_("Members"),
    "fig_capacity": N_("Capacity used"),
    "fig_capacity_of": N_("of {spare} FTE spare"),
    "fig_risk": N_("EUR at risk"),
    "fig_risk_none": N_("no plan"),
    "fte": N_("{value} FTE"),
    "before_after": N_("{before} before"),
    "risk_heading": N_("EUR at risk per lever"),
    "risk_total": N_("Total: {amount}"),
    "risk_none": N_("No lever is used: nothing is at risk."),
    "risk_chart": N_("EUR at risk of each lever used"),
    "limits_heading": N_("What limits the plan"),
    "binding_lead": N_("These constraints are at their limit after the plan:"),
    "binding_none": N_("No constraint is at its limit."),
    "marginal": N_("One more point of target ({target}) would add {extra} at risk."),
    "marginal_out": N_("One more point of target ({target}) is out of reach."),
    "max_share": N_("The highest share the levers can reach is {share}."),
    "blocking_lead": N_("The target becomes reachable if:"),
    "warnings_heading": N_("Warnings"),
    "warnings_none": N_("None."),
    "notes_heading": N_("Assumptions of the case"),
    # Section 2: the budget
    "budget_heading": N_("The budget, before and after the plan"),
    "budget_closest": N_("The budget as it is (no plan reaches the target)"),
    "col_line": N_("Line"),
    "col_before": N_("Before ({unit})"),
    "col_after": N_("After ({unit})"),
    "col_change": N_("Change"),
    "revenues": N_("Revenues"),
    "expenditures": N_("Expenditures"),
    "public": N_("public"),
    "private": N_("private"),
    "public_total": N_("Public revenues"),
    "private_total": N_("Private revenues"),
    "revenues_total": N_("Total revenues"),
    "expenditures_total": N_("Total expenditures"),
    "result_row": N_("Result (revenues - expenditures)"),
    "private_share_row": N_("Private share"),
    "no_change": "-",
    # Lever decisions in words
    "lever_cut": N_("cut by {amount}"),
    "lever_grant_cut": N_("ask for {amount} less"),
    "lever_fee_increase": N_("raise fees by {pct}"),
    "lever_new_members": N_("recruit {count} members"),
    "lever_service": N_("sell {count} units"),
    "lever_success_fee": N_("charge a {pct} success fee"),
    "lever_eu_projects": N_("submit {count} proposals"),
    "lever_other": N_("{count} units"),
    "col_lever": N_("Lever"),
    "col_decision": N_("Decision"),
    "col_risk": N_("EUR at risk ({unit})"),
    "plan_none": N_("No lever is used."),
    # Section 3: the frontier
    "frontier_heading": N_("What each target would take"),
    "frontier_chart": N_("The least EUR at risk against the target private share"),
    "axis_target": N_("Target private share"),
    "axis_risk": N_("Least EUR at risk ({unit})"),
    "case_target": N_("Case target {share}"),
    "highest": N_("Highest reachable {share}"),
    "slider_label": N_("Move the target"),
    "slider_hint": N_("Drag the slider or use the arrow keys: the least-risk plan and its budget "
                      "at each grid target of the run."),
    "point_head": N_("At a target of {target}: the least EUR at risk is {risk}."),
    "point_figures": N_("Private share {share}, result {result}, members {members}."),
    "point_no_plan": N_("At a target of {target}: no plan ({status})."),
    "point_infeasible": N_("out of reach"),
    "point_time_limit": N_("the solver stopped at its time limit"),
    "point_error": N_("the solver failed"),
    "point_budget": N_("The budget at this target"),
    "point_budget_missing": N_("The budget at this target was not computed for this pack."),
    "frontier_legend": N_("Dots: the least EUR at risk at each grid target of the run. Diamond: "
                          "the plan of this pack, at the case's target."),
    "frontier_legend_slider": N_("The ring follows the slider."),
    "print_own_plan": N_("The plan of this pack, at the case's target of {target}"),
    "print_own_plan_note": N_("Its budget is in section 2. On screen, a slider shows the plan and "
                              "the budget at every grid target of the run."),
    "events_heading": N_("Where the plan changes shape"),
    "frontier_note": N_("{points} grid targets from {low} to {high}; solver {solver}."),
    # Section 4: the simulation
    "simulation_heading": N_("How likely the plan holds"),
    "sim_lead": N_("{n} simulated years (seed {seed}); every lever may underdeliver."),
    "sim_target": N_("The plan meets the {target} target share {words} ({p} of the years)."),
    "sim_result": N_("It keeps the result at or above {amount} {words} ({p} of the years)."),
    "sim_both": N_("It does both {words} ({p} of the years)."),
    "sim_loss": N_("On average it misses by {expected}; in the worst 5% of years it misses by "
                   "{cvar} on average (more than {var} in each of them)."),
    "sim_deficit": N_("The expected deficit is {amount}."),
    "sim_share_chart": N_("Private share in the simulated years"),
    "sim_result_chart": N_("Result in the simulated years ({unit})"),
    "sim_caption": N_("Each bar spans the {low} to {high} percentile of the simulated years; the "
                      "tick is the median. The dashed line is what the case requires."),
    "sim_required_share": N_("target {value}"),
    "sim_required_result": N_("minimum {value}"),
    "p_never": N_("almost never"),
    "p_rarely": N_("rarely"),
    "p_less": N_("less often than not"),
    "p_more": N_("more often than not"),
    "p_usually": N_("usually"),
    "p_always": N_("almost always"),
    # Audit line
    "audit_heading": N_("Audit"),
    # After a heading in a line ("Audit: ..."): French puts a narrow space before the colon.
    "colon": N_(":"),
    "audit_case": N_("Case \u201c{case}\u201d from {source}, SHA-256 {sha}"),
    "audit_overrides": N_("overrides {overrides}"),
    "audit_solver": N_("solver {solver} ({version}; {options})"),
    "audit_versions": N_("cluster-optimizer {package}, PuLP {pulp}, Python {python}"),
    "audit_seeds": N_("seeds {seeds}"),
    "audit_frontier": N_("frontier: {points} grid targets, solver {solver}"),
    "none": N_("none"),
    "unknown": N_("unknown"),
    "amount": N_("{value} k {currency}"),
}


def _s(key: str, **values: Any) -> str:
    """A text of the page in the current language (optimizer.i18n), its figures filled in."""
    return _(STRINGS[key]).format(**values)


def _strings() -> dict[str, str]:
    """STRINGS in the current language, for the template."""
    return {key: _(text) for key, text in STRINGS.items()}


def _unit(currency: str) -> str:
    """Thousands of the currency as a unit: 'k EUR' (French: 'k€')."""
    return f"k {currency}" if is_default() else f"k{NNBSP if currency != 'EUR' else ''}" \
        f"{fmt_currency(currency)}"


# ---------------------------------------------------------------------------------------
# Figures (the rules of optimizer.fmt, which this module does not import: it reads JSON)
# ---------------------------------------------------------------------------------------

def _thousands(amount: float, sign: bool = False) -> str:
    """Thousands with one decimal, halves rounded up: 270,450 -> '270.5'."""
    if not is_default():  # the language's symbols: '270,5', '1 500,0'
        return fmt_keur(amount, sign).removesuffix(NNBSP + "k")
    euros = Decimal(repr(round(float(amount), 6)))
    value = (euros / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == 0:
        value = Decimal("0.0")
    return f"{value:+,.1f}" if sign else f"{value:,.1f}"


def _keur(amount: float | None, sign: bool = False) -> str:
    """Like optimizer.fmt.keur: '270.5 k'."""
    if amount is None:
        return "-"
    return _thousands(amount, sign) + (" k" if is_default() else NNBSP + "k")


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _pct(share: float | None, digits: int = 1) -> str:
    if share is None or _missing(share):
        return "-"
    return f"{share:.{digits}%}" if is_default() else fmt_pct_digits(share, digits)


def _pct_short(share: float) -> str:
    return f"{share:.1%}".replace(".0%", "%") if is_default() else fmt_pct_short(share)


def _count(value: float) -> str:
    """A count or a number of units: '37', '250.75'."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}" if is_default() else fmt_count(round(value))
    if not is_default():
        return local_decimal(round(value, 2), "#,##0.##")
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _members(value: float) -> str:
    if _missing(value):
        return "-"
    whole = abs(value - round(value)) < 1e-9
    if not is_default():
        return fmt_count(round(value)) if whole else fmt_count(value, 1)
    return f"{round(value):,}" if whole else f"{value:,.1f}"


def _likelihood(p: float) -> str:
    for limit, key in ((0.01, "p_never"), (0.25, "p_rarely"), (0.5, "p_less"),
                       (0.75, "p_more"), (0.99, "p_usually")):
        if p < limit:
            return _s(key)
    return _s("p_always")


# ---------------------------------------------------------------------------------------
# Reading the JSON: every field checked once, a bad one named by its path
# ---------------------------------------------------------------------------------------

def _bad(path: str, what: str) -> CaseError:
    return CaseError(f"{path}: {what}")


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(path, f"must be an object, got {type(value).__name__}")
    return value


def _field(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise _bad(f"{path}.{key}", "missing")
    return obj[key]


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _bad(path, f"must be a list, got {type(value).__name__}")
    return list(value)


def _number(value: Any, path: str, optional: bool = False) -> float:
    if value is None and optional:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(path, f"must be a number, got {value!r}"[:200])
    x = float(value)
    if not math.isfinite(x):
        raise _bad(path, f"must be a finite number, got {value!r}")
    return x


def _text(value: Any, path: str, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise _bad(path, f"must be a string, got {type(value).__name__}")
    return value


def _notes(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [_text(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path))]


@dataclass(frozen=True)
class _Line:
    id: str
    public: bool | None  # None for an expenditure
    before: float
    after: float


@dataclass(frozen=True)
class _Lever:
    id: str
    type: str
    value: float
    risk: float
    action: str


@dataclass(frozen=True)
class _Names:
    """What the case adds to the JSON of a run: labels, currency, notes, spare FTE."""

    levers: Mapping[str, str] = field(default_factory=dict)
    revenues: Mapping[str, str] = field(default_factory=dict)
    expenditures: Mapping[str, str] = field(default_factory=dict)
    currency: str = "EUR"
    spare_fte: float | None = None
    notes: tuple[tuple[str, str], ...] = ()

    def amount(self, value: float | None, sign: bool = False) -> str:
        if value is None or _missing(value):
            return "-"
        if not is_default():  # '1 500,0 k€'
            return fmt_money(value, self.currency, sign)
        return _s("amount", value=_thousands(value, sign), currency=self.currency)


def _read_names(case: Any) -> _Names:
    if case is None:
        return _Names()
    if hasattr(case, "model_dump"):  # an optimizer.Case: its JSON form
        case = case.model_dump(mode="json")
    case = _mapping(case, "case")
    labels: dict[str, dict[str, str]] = {}
    notes = [("", n) for n in _notes(case.get("notes"), "case.notes")]
    for key in ("revenues", "expenditures", "levers"):
        labels[key] = {}
        for i, item in enumerate(_list(case.get(key) or [], f"case.{key}")):
            path = f"case.{key}[{i}]"
            item = _mapping(item, path)
            ident = _text(_field(item, "id", path), f"{path}.id")
            label = _text(item.get("label"), f"{path}.label", optional=True) or ident
            labels[key][ident] = label
            notes += [(label, n) for n in _notes(item.get("notes"), f"{path}.notes")]
    spare = None
    staff = case.get("staff")
    if isinstance(staff, Mapping) and staff.get("spare_fte") is not None:
        spare = _number(staff["spare_fte"], "case.staff.spare_fte")
    currency = _text(case.get("currency") or "EUR", "case.currency")
    return _Names(labels["levers"], labels["revenues"], labels["expenditures"], currency,
                  spare, tuple(notes))


@dataclass(frozen=True)
class _Run:
    """The parts of a result's JSON that the page shows, checked."""

    raw: Mapping[str, Any]
    case: str
    status: str
    proven: bool
    target: float
    min_result: float
    risk: float | None
    levers: tuple[_Lever, ...]
    revenues: tuple[_Line, ...]
    expenditures: tuple[_Line, ...]
    indicators: Mapping[str, Any]

    @property
    def has_plan(self) -> bool:
        return self.status in ("optimal", "time_limit") and self.risk is not None

    def lever_type(self, lever_id: str, path: str) -> str:
        for lever in self.levers:
            if lever.id == lever_id:
                return lever.type
        raise _bad(path, f"unknown lever '{lever_id}' (not in the result)")


def _read_result(result: Any) -> _Run:
    r = _mapping(result, "result")
    status = _text(_field(r, "status", "result"), "result.status")
    target = _mapping(_field(r, "target", "result"), "result.target")
    risk = r.get("risk")
    levers = []
    for i, item in enumerate(_list(_field(r, "levers", "result"), "result.levers")):
        p = f"result.levers[{i}]"
        item = _mapping(item, p)
        levers.append(_Lever(_text(_field(item, "id", p), f"{p}.id"),
                             _text(_field(item, "type", p), f"{p}.type"),
                             _number(_field(item, "value", p), f"{p}.value"),
                             _number(item.get("risk", 0.0), f"{p}.risk"),
                             _text(item.get("action"), f"{p}.action", optional=True)))
    budget = _mapping(_field(r, "budget", "result"), "result.budget")

    def lines(key: str) -> tuple[_Line, ...]:
        out = []
        items = _list(_field(budget, key, "result.budget"), f"result.budget.{key}")
        for i, item in enumerate(items):
            p = f"result.budget.{key}[{i}]"
            item = _mapping(item, p)
            public = None
            if key == "revenues":
                public = _field(item, "public", p)
                if not isinstance(public, bool):
                    raise _bad(f"{p}.public", f"must be true or false, got {public!r}")
            out.append(_Line(_text(_field(item, "id", p), f"{p}.id"), public,
                             _number(_field(item, "before", p), f"{p}.before"),
                             _number(_field(item, "after", p), f"{p}.after")))
        return tuple(out)

    indicators = _mapping(_field(r, "indicators", "result"), "result.indicators")
    for key in ("private_share", "result", "members"):
        pair = _mapping(_field(indicators, key, "result.indicators"), f"result.indicators.{key}")
        for side in ("before", "after"):
            _number(_field(pair, side, f"result.indicators.{key}"),
                    f"result.indicators.{key}.{side}")
    return _Run(r, _text(_field(r, "case", "result"), "result.case"), status,
                r.get("proven_optimal") is True,
                _number(_field(target, "private_share", "result.target"),
                        "result.target.private_share"),
                _number(target.get("min_result", 0.0), "result.target.min_result"),
                None if risk is None else _number(risk, "result.risk"),
                tuple(levers), lines("revenues"), lines("expenditures"), indicators)


# ---------------------------------------------------------------------------------------
# Pieces shared by the sections
# ---------------------------------------------------------------------------------------

def _decision(kind: str, value: float, names: _Names) -> str:
    """A lever's decision value in words, in its unit."""
    if kind in ("cut", "grant_cut"):
        return _s(f"lever_{kind}", amount=names.amount(value))
    if kind in ("fee_increase", "success_fee"):
        return _s(f"lever_{kind}", pct=_pct_short(value))
    if kind in ("new_members", "service", "eu_projects"):
        return _s(f"lever_{kind}", count=_count(value))
    return _s("lever_other", count=_count(value))


def _plan_rows(plan: Iterable[tuple[str, str, float, float | None]],
               names: _Names) -> list[list[str]]:
    """Lever, decision in words, EUR at risk: one row per lever used."""
    rows = []
    for lever_id, kind, value, risk in plan:
        if abs(value) <= 1e-9:
            continue
        rows.append([names.levers.get(lever_id, lever_id), _decision(kind, value, names),
                     "-" if risk is None or _missing(risk) else _thousands(risk)])
    return rows


def _budget_rows(run: _Run, names: _Names, after_revenues: Mapping[str, float],
                 after_expenditures: Mapping[str, float]) -> list[dict[str, Any]]:
    """The budget table: lines by kind, subtotals, totals, the result, the private share."""
    rows: list[dict[str, Any]] = []

    def row(label: str, before: float, after: float, kind: str) -> None:
        change = after - before
        rows.append({"kind": kind, "cells": [
            label, _thousands(before), _thousands(after),
            _s("no_change") if abs(change) < 0.5 else _thousands(change, sign=True)]})

    def total(lines: Sequence[_Line], after: Mapping[str, float]) -> tuple[float, float]:
        return sum(x.before for x in lines), sum(after[x.id] for x in lines)

    rows.append({"kind": "group", "cells": [_s("revenues")]})
    for public, key in ((True, "public_total"), (False, "private_total")):
        group = [x for x in run.revenues if x.public is public]
        for line in group:
            row(names.revenues.get(line.id, line.id), line.before, after_revenues[line.id], "line")
        row(_s(key), *total(group, after_revenues), "subtotal")
    rev = total(run.revenues, after_revenues)
    row(_s("revenues_total"), *rev, "total")
    rows.append({"kind": "group", "cells": [_s("expenditures")]})
    for line in run.expenditures:
        row(names.expenditures.get(line.id, line.id), line.before, after_expenditures[line.id],
            "line")
    exp = total(run.expenditures, after_expenditures)
    row(_s("expenditures_total"), *exp, "total")
    row(_s("result_row"), rev[0] - exp[0], rev[1] - exp[1], "total")
    private = [x for x in run.revenues if not x.public]
    share = [sum(x.before for x in private) / rev[0] if rev[0] else 0.0,
             sum(after_revenues[x.id] for x in private) / rev[1] if rev[1] else 0.0]
    rows.append({"kind": "share", "cells": [_s("private_share_row"), _pct(share[0]),
                                            _pct(share[1]), ""]})
    return rows


def _markup() -> Any:
    from markupsafe import Markup

    return Markup


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high - 1e-12:
        ticks.append(round(value, 12))
    return ticks


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return round(self.start + (value - self.low) / span * (self.end - self.start), 2)


# ---------------------------------------------------------------------------------------
# Charts: inline SVG, one small function each
# ---------------------------------------------------------------------------------------

def _risk_bars_svg(rows: Sequence[tuple[str, float]], names: _Names) -> Markup:
    """EUR at risk of each lever used: a horizontal bar each, its label above it."""
    markup = _markup()
    # Drawn for half the page's width, where it sits: its text then keeps the body's size.
    width, left, step = 420, 2, 40
    top = max((risk for _, risk in rows), default=0.0) or 1.0
    scale = _Scale(0.0, top, left, width - 96)
    parts = [markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">').format(
        width, step * len(rows) + 6, _s("risk_chart"))]
    for i, (label, risk) in enumerate(rows):
        y = i * step + 14
        shown = label if len(label) <= 60 else label[:59] + "\u2026"
        parts.append(markup('<text class="bar-label" x="{}" y="{}">{}<title>{}</title></text>')
                     .format(left, y, shown, label))
        end = scale(risk)
        parts.append(markup('<rect class="bar" x="{}" y="{}" width="{}" height="14" rx="2"/>')
                     .format(left, y + 5, max(end - left, 1.5)))
        parts.append(markup('<text class="bar-value" x="{}" y="{}">{}</text>')
                     .format(end + 6, y + 17, names.amount(risk)))
    parts.append(markup("</svg>"))
    return markup("").join(parts)


def _frontier_svg(points: Sequence[Mapping[str, Any]], run: _Run, names: _Names, today: float,
                  max_share: float | None) -> tuple[Markup, list[list[float] | None]]:
    """The least EUR at risk against the target: the grid points, the case's target and
    its plan, the highest reachable share, and a marker that the slider moves.

    Returns the SVG and each point's position (None when it has no plan)."""
    markup = _markup()
    width, height = 680, 320
    left, right, top, bottom = 70, 24, 34, 52
    feasible = [p for p in points if p["risk"] is not None]
    targets = [p["target"] for p in points] + [run.target, today]
    if max_share is not None:
        targets.append(max_share)
    xs = _nice_ticks(min(targets), max(targets), 6)
    risks = [p["risk"] for p in feasible] + ([run.risk] if run.has_plan and run.risk else [])
    ys = _nice_ticks(0.0, max(risks, default=0.0) or 1000.0, 5)
    sx = _Scale(xs[0], xs[-1], left, width - right)
    sy = _Scale(ys[0], ys[-1], height - bottom, top)
    digits = 0 if all(abs(t * 100 - round(t * 100)) < 1e-9 for t in xs) else 1
    parts = [markup('<svg class="chart" id="frontier-chart" viewBox="0 0 {} {}" role="img" '
                    'aria-label="{}">').format(width, height, _s("frontier_chart"))]
    for y in ys:
        parts.append(markup('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>')
                     .format(left, width - right, sy(y), sy(y), left - 8, sy(y) + 4,
                             _thousands(y).removesuffix(".0" if is_default() else ",0")))
    for x in xs:
        parts.append(markup('<line class="axis-tick" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>')
                     .format(sx(x), sx(x), height - bottom, height - bottom + 5, sx(x),
                             height - bottom + 19, _pct(x, digits)))
    parts.append(markup('<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>')
                 .format(left, width - right, height - bottom, height - bottom))
    parts.append(markup('<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>')
                 .format((left + width - right) / 2, height - 10, _s("axis_target")))
    parts.append(markup('<text class="axis-label" x="{}" y="{}" text-anchor="middle" '
                        'transform="rotate(-90 {} {})">{}</text>')
                 .format(16, (top + height - bottom) / 2, 16, (top + height - bottom) / 2,
                         _s("axis_risk", unit=_unit(names.currency))))
    if max_share is not None:
        x = sx(max_share)
        # Written up along its line, from the bottom, where a rising curve leaves room.
        parts.append(markup('<line class="limit" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="note" x="{}" y="{}" transform="rotate(-90 {} {})">{}'
                            '</text>')
                     .format(x, x, top - 6, height - bottom, x - 5, height - bottom - 6,
                             x - 5, height - bottom - 6, _s("highest", share=_pct(max_share, 2))))
    x = sx(run.target)
    parts.append(markup('<line class="target" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                        '<text class="target-label" x="{}" y="{}" text-anchor="middle">{}</text>')
                 .format(x, x, top - 6, height - bottom, x, top - 12,
                         _s("case_target", share=_pct_short(run.target))))
    if feasible:
        path = " ".join(f"{sx(p['target'])},{sy(p['risk'])}" for p in feasible)
        parts.append(markup('<polyline class="curve" points="{}"/>').format(path))
    positions: list[list[float] | None] = []
    for p in points:
        if p["risk"] is None:
            positions.append(None)
            continue
        cx, cy = sx(p["target"]), sy(p["risk"])
        positions.append([cx, cy])
        parts.append(markup('<circle class="dot" cx="{}" cy="{}" r="3.5"/>').format(cx, cy))
    if run.has_plan and run.risk is not None:
        cx, cy = sx(run.target), sy(run.risk)
        parts.append(markup('<path class="own" d="M{} {} l6 6 l-6 6 l-6 -6 z"/>')
                     .format(cx, cy - 6))
    start = next((pos for pos in positions if pos is not None), None)
    if start is not None:
        parts.append(markup('<circle class="marker screen-only" id="frontier-marker" cx="{}" '
                            'cy="{}" r="8"/>').format(*start))
    parts.append(markup("</svg>"))
    return markup("").join(parts), positions


def _quantile_svg(quantiles: Mapping[str, float], required: float, required_label: str,
                  fmt: Callable[[float], str], label: str) -> Markup:
    """A distribution as nested quantile bands (p05-p95, p25-p75, ...), the median as a tick,
    and the case's requirement as a dashed line."""
    markup = _markup()
    width, height, left, right = 680, 96, 24, 24
    levels = sorted((float(k[1:]), v) for k, v in quantiles.items())
    values = [v for _, v in levels] + [required]
    pad = (max(values) - min(values)) * 0.08 or abs(required) * 0.05 or 1.0
    scale = _Scale(min(values) - pad, max(values) + pad, left, width - right)
    parts = [markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">')
             .format(width, height, label)]
    parts.append(markup('<line class="axis" x1="{}" x2="{}" y1="62" y2="62"/>')
                 .format(left, width - right))
    pairs = [(levels[i], levels[-1 - i]) for i in range(len(levels) // 2)]
    for depth, ((_low_level, lo), (_high_level, hi)) in enumerate(pairs):
        h = 26 - 8 * depth
        parts.append(markup('<rect class="band band-{}" x="{}" y="{}" width="{}" height="{}" '
                            'rx="2"/>').format(min(depth, 2), scale(lo), 49 - h / 2,
                                               max(scale(hi) - scale(lo), 1.5), h))
    for level, value in levels:
        x = scale(value)
        median = abs(level - 50) < 1e-9
        if median:
            parts.append(markup('<line class="median" x1="{}" x2="{}" y1="32" y2="66"/>')
                         .format(x, x))
        if median or level == levels[0][0] or level == levels[-1][0]:
            parts.append(markup('<text class="tick" x="{}" y="82" text-anchor="middle">{}</text>')
                         .format(x, fmt(value)))
    x = scale(required)
    parts.append(markup('<line class="target" x1="{}" x2="{}" y1="20" y2="70"/>'
                        '<text class="target-label" x="{}" y="14" text-anchor="middle">{}</text>')
                 .format(x, x, x, required_label))
    parts.append(markup("</svg>"))
    return markup("").join(parts)


# ---------------------------------------------------------------------------------------
# Sections: each returns what the template shows, or None
# ---------------------------------------------------------------------------------------

def _plan_section(run: _Run, names: _Names) -> dict[str, Any]:
    r = run.raw
    summary = _notes(r.get("summary"), "result.summary")
    actions = [lever.action for lever in run.levers if lever.action]
    bullets = [line for line in summary[1:] if any(line.startswith(a) for a in actions)]
    rest = [line for line in summary[1:] if line not in bullets]
    ind = run.indicators
    share, result, members = (ind["private_share"], ind["result"], ind["members"])
    capacity = _number(ind.get("capacity_used", 0.0), "result.indicators.capacity_used")
    figures = [
        {"label": _s("fig_share"), "after": _pct(share["after"]),
         "before": _s("before_after", before=_pct(share["before"]))},
        {"label": _s("fig_result"), "after": names.amount(result["after"], sign=True),
         "before": _s("before_after", before=names.amount(result["before"]))},
        {"label": _s("fig_members"), "after": _members(members["after"]),
         "before": _s("before_after", before=_members(members["before"]))},
        {"label": _s("fig_capacity"), "after": _s("fte", value=fmt_fixed(capacity, 2)),
         "before": (_s("fig_capacity_of", spare=fmt_general(names.spare_fte))
                    if names.spare_fte is not None else "")},
        {"label": _s("fig_risk"),
         "after": names.amount(run.risk) if run.has_plan else _s("fig_risk_none"), "before": ""},
    ]
    for figure in figures:  # a label starts a line, whatever the catalog's case
        figure["label"] = figure["label"][:1].upper() + figure["label"][1:]
    used = [lever for lever in run.levers if abs(lever.value) > 1e-9]
    risk_rows = [(names.levers.get(lv.id, lv.id), lv.risk) for lv in used if lv.risk > 0]
    closest: list[list[str]] = []
    diagnosis = r.get("diagnosis")
    blocking: list[str] = []
    max_share = None
    if isinstance(diagnosis, Mapping):
        blocking = _notes(diagnosis.get("blocking_text"), "result.diagnosis.blocking_text")
        if diagnosis.get("max_private_share") is not None:
            max_share = _number(diagnosis["max_private_share"],
                                "result.diagnosis.max_private_share")
        best = diagnosis.get("best_plan")
        if isinstance(best, Mapping):
            closest = _plan_rows(
                ((k, run.lever_type(k, f"result.diagnosis.best_plan.{k}"),
                  _number(v, f"result.diagnosis.best_plan.{k}"), None) for k, v in best.items()),
                names)
    binding = _notes(r.get("binding"), "result.binding")
    marginal = None
    m = r.get("marginal_risk")
    if isinstance(m, Mapping) and m.get("target") is not None:
        t = _pct_short(_number(m["target"], "result.marginal_risk.target"))
        if m.get("extra_risk") is not None:
            marginal = _s("marginal", target=t, extra=names.amount(
                _number(m["extra_risk"], "result.marginal_risk.extra_risk")))
        else:
            marginal = _s("marginal_out", target=t)
    return {
        "kind": "plan", "id": "plan",
        "heading": _s("plan_heading"),
        "lead": summary[0] if summary else "",
        "bullets": bullets, "rest": rest, "figures": figures,
        "risk_chart": _risk_bars_svg(risk_rows, names) if risk_rows else None,
        "risk_total": _s("risk_total", amount=names.amount(run.risk)) if risk_rows else "",
        "closest": closest,
        "binding": binding, "marginal": marginal,
        "max_share": _s("max_share", share=_pct(max_share, 2)) if max_share is not None else "",
        "blocking": blocking,
        "warnings": _notes(r.get("warnings"), "result.warnings"),
    }


def _budget_section(run: _Run, names: _Names) -> dict[str, Any]:
    after_rev = {x.id: x.after for x in run.revenues}
    after_exp = {x.id: x.after for x in run.expenditures}
    return {"kind": "budget", "id": "budget",
            "heading": _s("budget_heading") if run.has_plan else _s("budget_closest"),
            "rows": _budget_rows(run, names, after_rev, after_exp)}


def _grid_key(value: Any, path: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _bad(path, f"must be a grid target of the frontier, got {value!r}") from None
    if not math.isfinite(x):
        raise _bad(path, f"must be a finite share, got {value!r}")
    return round(x, 6)


def _read_budgets(budgets: Any, targets: Sequence[float], run: _Run
                  ) -> dict[float, tuple[dict[str, float], dict[str, float]]]:
    """target -> (revenues after, expenditures after), each line of the result present."""
    if budgets is None:
        return {}
    grid = {round(t, 6) for t in targets}
    out: dict[float, tuple[dict[str, float], dict[str, float]]] = {}
    for key, entry in _mapping(budgets, "budgets").items():
        path = f"budgets[{key!r}]"
        target = _grid_key(key, path)
        if target not in grid:
            raise _bad(path, "is not a grid target of the frontier")
        entry = _mapping(entry, path)
        after = []
        for side, lines in (("revenues", run.revenues), ("expenditures", run.expenditures)):
            amounts = _mapping(_field(entry, side, path), f"{path}.{side}")
            known = {x.id for x in lines}
            for ident in amounts:
                if ident not in known:
                    raise _bad(f"{path}.{side}", f"unknown line '{ident}' (not in the result)")
            after.append({x.id: _number(_field(amounts, x.id, f"{path}.{side}"),
                                        f"{path}.{side}.{x.id}") for x in lines})
        out[target] = (after[0], after[1])
    return out


def _frontier_section(frontier: Any, budgets: Any, run: _Run, names: _Names
                      ) -> dict[str, Any]:
    f = _mapping(frontier, "frontier")
    case = _text(_field(f, "case", "frontier"), "frontier.case")
    if case != run.case:
        raise _bad("frontier.case", f"'{case}' is not the case of the result ('{run.case}')")
    today = _number(_field(f, "today_share", "frontier"), "frontier.today_share")
    max_share = f.get("max_share")
    max_share = None if max_share is None else _number(max_share, "frontier.max_share")
    points: list[dict[str, Any]] = []
    for i, item in enumerate(_list(_field(f, "points", "frontier"), "frontier.points")):
        p = f"frontier.points[{i}]"
        item = _mapping(item, p)
        risk = _number(item.get("risk"), f"{p}.risk", optional=True)
        levers = _mapping(item.get("levers", {}), f"{p}.levers")
        lever_risk = _mapping(item.get("lever_risk", {}), f"{p}.lever_risk")
        points.append({
            "target": _number(_field(item, "target", p), f"{p}.target"),
            "status": _text(_field(item, "status", p), f"{p}.status"),
            "risk": None if math.isnan(risk) else risk,
            "private_share": _number(item.get("private_share"), f"{p}.private_share", True),
            "result": _number(item.get("result"), f"{p}.result", True),
            "members": _number(item.get("members"), f"{p}.members", True),
            "levers": {k: _number(v, f"{p}.levers.{k}", True) for k, v in levers.items()},
            "lever_risk": {k: _number(v, f"{p}.lever_risk.{k}", True)
                           for k, v in lever_risk.items()},
        })
    if not points:
        raise _bad("frontier.points", "must hold at least one grid target")
    after = _read_budgets(budgets, [p["target"] for p in points], run)
    chart, positions = _frontier_svg(points, run, names, today, max_share)
    views = []
    for i, (point, pos) in enumerate(zip(points, positions, strict=True)):
        target_text = _pct(point["target"], 2)
        if point["risk"] is None:
            key = f"point_{point['status']}"
            status = _s(key) if key in STRINGS else point["status"]
            head = _s("point_no_plan", target=target_text, status=status)
            figures, plan = "", []
        else:
            head = _s("point_head", target=target_text, risk=names.amount(point["risk"]))
            figures = _s("point_figures", share=_pct(point["private_share"]),
                         result=names.amount(point["result"], sign=True),
                         members=_members(point["members"]))
            plan = _plan_rows(
                ((k, run.lever_type(k, f"frontier.points[{i}].levers.{k}"), v,
                  point["lever_risk"].get(k))
                 for k, v in point["levers"].items() if not math.isnan(v)), names)
        budget = after.get(round(point["target"], 6))
        views.append({
            # The run's own figures, as the CLI printed them (lever values in their units)...
            "target": point["target"], "status": point["status"], "risk": point["risk"],
            "levers": {k: v for k, v in point["levers"].items() if abs(v) > 1e-9},
            "budget_after": ({"revenues": budget[0], "expenditures": budget[1]}
                             if budget else None),
            # ...and the same in words, formatted once, here.
            "text": {"target": target_text, "head": head, "figures": figures, "plan": plan,
                     "budget": _budget_rows(run, names, *budget) if budget else None},
            "marker": pos,
        })
    start = min(range(len(points)), key=lambda k: abs(points[k]["target"] - run.target))
    own = _plan_rows(((lv.id, lv.type, lv.value, lv.risk) for lv in run.levers), names)
    summary = _notes(f.get("summary"), "frontier.summary")
    return {
        "kind": "frontier", "id": "frontier", "heading": _s("frontier_heading"),
        "lead": summary[:2], "events": summary[2:], "chart": chart,
        "points": views, "start": start, "current": views[start],
        "own_plan": own if run.has_plan else [],
        "own_title": _s("print_own_plan", target=_pct_short(run.target)),
        "note": _s("frontier_note", points=len(points), low=_pct(points[0]["target"], 2),
                   high=_pct(points[-1]["target"], 2),
                   solver=_text(f.get("solver", _s("unknown")), "frontier.solver")),
    }


def _simulation_section(simulation: Any, run: _Run, names: _Names) -> dict[str, Any]:
    s = _mapping(simulation, "simulation")
    n = _number(_field(s, "n", "simulation"), "simulation.n")
    seed = s.get("seed")
    prob = {k: _number(_field(s, k, "simulation"), f"simulation.{k}")
            for k in ("p_target_met", "p_result_ok", "p_no_loss")}
    money = {k: _number(_field(s, k, "simulation"), f"simulation.{k}")
             for k in ("expected_deficit", "expected_loss", "var95_loss", "cvar95_loss")}
    charts = []
    levels: list[str] = []
    for key, title, required, req_label, fmt in (
            ("share_quantiles", _s("sim_share_chart"), run.target,
             _s("sim_required_share", value=_pct_short(run.target)), _pct),
            ("result_quantiles", _s("sim_result_chart", unit=_unit(names.currency)),
             run.min_result, _s("sim_required_result", value=_keur(run.min_result)),
             lambda v: _keur(v, sign=True))):
        q = _mapping(_field(s, key, "simulation"), f"simulation.{key}")
        quantiles = {}
        for level, value in q.items():
            if not (isinstance(level, str) and level[:1] == "p" and level[1:].isdigit()
                    and 0 < int(level[1:]) < 100):
                raise _bad(f"simulation.{key}.{level}", "must be named p01 to p99")
            quantiles[level] = _number(value, f"simulation.{key}.{level}")
        levels = levels or sorted(quantiles, key=lambda q: int(q[1:]))
        if len(quantiles) < 2:
            raise _bad(f"simulation.{key}", "needs at least two quantiles (p05, p95)")
        charts.append({"title": title,
                       "svg": _quantile_svg(quantiles, required, req_label, fmt, title)})
    sentences = [
        _s("sim_lead", n=fmt_count(n), seed=seed if seed is not None else _s("unknown")),
        _s("sim_target", target=_pct_short(run.target), words=_likelihood(prob["p_target_met"]),
           p=_pct(prob["p_target_met"])),
        _s("sim_result", amount=names.amount(run.min_result),
           words=_likelihood(prob["p_result_ok"]), p=_pct(prob["p_result_ok"])),
        _s("sim_both", words=_likelihood(prob["p_no_loss"]), p=_pct(prob["p_no_loss"])),
        _s("sim_loss", expected=names.amount(money["expected_loss"]),
           cvar=names.amount(money["cvar95_loss"]), var=names.amount(money["var95_loss"])),
        _s("sim_deficit", amount=names.amount(money["expected_deficit"])),
    ]
    return {"kind": "simulation", "id": "simulation", "heading": _s("simulation_heading"),
            "sentences": sentences, "charts": charts,
            "caption": _s("sim_caption", low=_ordinal(levels[0]), high=_ordinal(levels[-1]))}


def _ordinal(level: str) -> str:
    n = int(level[1:])
    if not is_default():  # French: 1er, 5e, 95e
        return f"{n}er" if n == 1 else f"{n}e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _audit_line(run: _Run, frontier: Any) -> str:
    a = run.raw.get("audit")
    parts: list[str] = []
    if isinstance(a, Mapping):
        def text(key: str) -> str:
            value = a.get(key)
            return _s("unknown") if value in (None, "") else str(value)

        parts.append(_s("audit_case", case=run.case, source=text("case_source"),
                        sha=text("case_sha256")))
        overrides = a.get("overrides") or {}
        shown = (", ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}"
                           for k, v in overrides.items())
                 if isinstance(overrides, Mapping) and overrides else _s("none"))
        parts.append(_s("audit_overrides", overrides=shown))
        options = a.get("solver_options") or {}
        parts.append(_s("audit_solver", solver=text("solver"), version=text("solver_version"),
                        options=", ".join(f"{k} {_s('none') if v is None else v}"
                                          for k, v in options.items())
                        if isinstance(options, Mapping) else ""))
        parts.append(_s("audit_versions", package=text("package_version"),
                        pulp=text("pulp_version"), python=text("python")))
        seeds = a.get("seeds") or {}
        parts.append(_s("audit_seeds", seeds=", ".join(f"{k} {v}" for k, v in seeds.items())
                        if isinstance(seeds, Mapping) and seeds else _s("none")))
    else:
        parts.append(_s("audit_case", case=run.case, source=_s("unknown"), sha=_s("unknown")))
    if isinstance(frontier, Mapping):
        parts.append(_s("audit_frontier", points=len(frontier.get("points") or []),
                        solver=frontier.get("solver", _s("unknown"))))
    return _("; ").join(parts) + "."


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------

def _asset(name: str) -> str:
    return resources.files(__package__ or "optimizer").joinpath("templates", name).read_text(
        encoding="utf-8")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:
        raise CaseError(_("--format html: the board pack needs Jinja2: "
                          "pip install 'cluster-optimizer[html]'")) from None
    return _jinja_environment(jinja2)


@functools.cache
def _jinja_environment(jinja2: Any) -> Any:
    """One environment per process: its templates are compiled once."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(__package__ or "optimizer", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)


def render_board_pack(result: Mapping[str, Any], *, frontier: Mapping[str, Any] | None = None,
                      simulation: Mapping[str, Any] | None = None,
                      budgets: Mapping[Any, Mapping[str, Any]] | None = None,
                      title: str | None = None, case: Any = None) -> str:
    """One self-contained HTML page for a board, from the JSON of a run.

    result: the JSON of `optimize CASE --format json` (`Result.to_dict()`).
    frontier: the JSON of `optimize CASE --frontier --format json` for the same case: adds
        the chart of the least EUR at risk against the target and a slider over its grid.
    simulation: a result's `simulation` block (`--simulate N`); by default the result's own.
    budgets: the budget after the plan at each grid target of the frontier, for the slider:
        `{target: {"revenues": {line id: EUR}, "expenditures": {line id: EUR}}}`, targets as
        in `frontier["points"][i]["target"]` (numbers or strings); what
        `optimizer.evaluate(case, point["levers"])` gives as `.revenues` and `.expenditures`.
    title: the page's heading (default: the case's name and "board pack").
    case: the case (an `optimizer.Case`, or its JSON as a dict): labels for lines and
        levers (ids otherwise), the currency, the spare FTE and the case's notes.

    Bad input raises CaseError naming the field (`frontier.points[3].risk: ...`).
    """
    run = _read_result(result)
    names = _read_names(case)
    if simulation is None and isinstance(run.raw.get("simulation"), Mapping):
        simulation = run.raw["simulation"]
    if budgets is not None and frontier is None:
        raise _bad("budgets", "given without a frontier")
    env = _environment()
    sections = [_plan_section(run, names), _budget_section(run, names)]
    if frontier is not None:
        sections.append(_frontier_section(frontier, budgets, run, names))
    if simulation is not None:
        sections.append(_simulation_section(simulation, run, names))
    status = run.status
    if status == "optimal" and run.proven:
        status_text, status_class = _s("status_optimal"), "ok"
    elif run.has_plan:
        status_text, status_class = _s("status_not_proven"), "warn"
    elif status == "infeasible":
        status_text, status_class = _s("status_infeasible"), "bad"
    else:
        status_text, status_class = _s("status_none", status=status), "bad"
    script, style = _asset("board_pack.js"), _asset("board_pack.css")
    data = next(({"points": s["points"], "start": s["start"]} for s in sections
                 if s["kind"] == "frontier"), None)
    markup = _markup()
    # Only our own style and script may run: an injected one would be refused by its hash.
    script_src = _csp_hash(script) if data is not None else "'none'"
    return str(env.get_template("board_pack.html.j2").render(
        strings=_strings(), lang=current(),
        title=title if title is not None else _s("title", case=run.case),
        case=run.case, status_text=status_text, status_class=status_class,
        sections=sections, data=data, audit=_audit_line(run, frontier), notes=names.notes,
        columns={key: _s(f"col_{key}", unit=_unit(names.currency))
                 for key in ("risk", "before", "after")},
        style=markup(style), script=markup(script) if data is not None else None,
        csp=("default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:; "
             f"style-src {_csp_hash(style)}; script-src {script_src}"),
    ))


# The helpers the pages of a region and of a path share with this one (report/html_pages.py).
asset, csp_hash, jinja_environment, markup_type = _asset, _csp_hash, _environment, _markup
nice_ticks, Scale = _nice_ticks, _Scale

"""The report as an Excel workbook (.xlsx), built from the JSON dicts the CLI prints.

    data = write_report(result_json, {"case": raw_case})            # one plan
    data = write_report(frontier_json, {"case": raw_case})          # a frontier run
    data = write_report(result_json, {"frontier": frontier_json})   # both in one workbook

`result` is the `--format json` dict of one run: a plan (`optimize CASE`, with its
`simulation` and `cvar` blocks when the run has them) or a sensitivity run (`--sweep`,
`--frontier`, `--tornado`: its `kind` says which). `extra` may add the raw case (`"case"`,
for the labels of lines and levers and the currency) and further runs by kind (`"sweep"`,
`"frontier"`, `"tornado"`).

Sheets: Plan (the plan in words, status, EUR at risk, the binding constraints, the
diagnosis, warnings, audit), Levers, Budget (before and after, public and private, totals),
Indicators, and, when the run has them, Simulation, CVaR, Summary (what a sensitivity run
says in words), Sweep, Frontier (with a chart of the least EUR at risk against the target),
Frontier changes, Tornado (with a horizontal bar chart). Each table starts in row 1; cells
hold numbers with number formats (k EUR, %), never numbers as text; labels are always text,
even those that start like a formula (`=`, `+`, `-`, `@`).

Returns the bytes of the .xlsx file; the caller writes it (atomically). openpyxl is
imported lazily: it is the optional extra `xlsx`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import CaseError
from ..fmt import currency as currency_word
from ..fmt import pct_digits, status_words
from ..i18n import N_, is_default
from ..i18n import gettext as _

# ---------------------------------------------------------------------------------------
# Human-facing strings, in one place, marked for the catalog (N_) and translated where they
# are written (_tr) in the current language (optimizer.i18n). Sheet titles follow it too
# (nothing reads this workbook back by sheet name); number formats stay Excel's.
# ---------------------------------------------------------------------------------------

SHEETS = {
    "plan": N_("Plan"),
    "levers": N_("Levers"),
    "budget": N_("Budget"),
    "indicators": N_("Indicators"),
    "simulation": N_("Simulation"),
    "cvar": N_("CVaR"),
    "summary": N_("Summary"),
    "sweep": N_("Sweep"),
    "frontier": N_("Frontier"),
    "events": N_("Frontier changes"),
    "tornado": N_("Tornado"),
}

TEXT = {
    "needs_openpyxl": N_("Excel workbooks need openpyxl: pip install 'cluster-optimizer[xlsx]'"),
    "not_a_result": N_("the report needs the JSON of a run (a plan, a sweep, a frontier or a "
                       "tornado), got {what}"),
    "title_plan": N_("{case}: {status}"),
    "title_run": N_("{case}: {kind}"),
    "section_words": N_("The plan in words"),
    "section_binding": N_("What limits the plan"),
    "section_diagnosis": N_("Why no plan reaches the target"),
    "section_best": N_("The plan that comes closest"),
    "section_warnings": N_("Warnings"),
    "section_audit": N_("Audit trail"),
    "item": N_("item"),
    "value": N_("value"),
    "status": N_("status"),
    "proven_optimal": N_("proven optimal"),
    "solver": N_("solver"),
    "risk": N_("EUR at risk"),
    "cvar_loss": N_("CVaR of the loss (optimisation scenarios)"),
    "target_share": N_("target private share"),
    "min_result": N_("least result"),
    "min_members": N_("least members"),
    "max_levers": N_("most levers at once"),
    "share_after": N_("private share after the plan"),
    "marginal": N_("EUR at risk added by one more point of target ({target})"),
    "max_share": N_("highest reachable private share"),
    "yes": N_("yes"),
    "no": N_("no"),
    "total_risk": N_("Total"),
    "public": N_("public"),
    "private": N_("private"),
    "public_total": N_("Public revenues"),
    "private_total": N_("Private revenues"),
    "revenues_total": N_("Total revenues"),
    "expenditures_total": N_("Total expenditures"),
    "result": N_("Result (revenues - expenditures)"),
    "revenue_section": N_("revenue"),
    "expenditure_section": N_("expenditure"),
    "staff": N_("staff"),
    "frontier_summary": N_("The frontier in words"),
    "today_share": N_("today's private share"),
    "precision": N_("precision of the changes"),
    "change": N_("each input moved down and up by"),
    "base_risk": N_("EUR at risk of the case as it is"),
    "base_status": N_("status of the case as it is"),
    "points": N_("points"),
    "solves": N_("solves"),
    "status_counts": N_("points {status}"),
    "chart_frontier": N_("Least EUR at risk by target share"),
    "chart_frontier_x": N_("target private share"),
    "chart_frontier_y": N_("least EUR at risk ({currency})"),
    "chart_tornado": N_("EUR at risk when each input moves by {change}"),
    "chart_tornado_x": N_("change in EUR at risk ({currency})"),
    "chart_low": N_("input lowered"),
    "chart_high": N_("input raised"),
    "chart_sweep": N_("Least EUR at risk by {axis}"),
    "plan_eur": N_("least EUR at risk plan"),
    "plan_cvar": N_("least CVaR plan"),
    "lever_value": N_("lever {lever}"),
    "kind_sweep": N_("sweep"),
    "kind_frontier": N_("frontier"),
    "kind_tornado": N_("tornado"),
}


def _tr(text: Any) -> Any:
    """A text of the workbook in the current language (an empty text stays empty: gettext
    gives the catalog's header for it)."""
    return _(text) if isinstance(text, str) and text else text


def _trs(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(_tr(t) for t in texts)


def _status(value: Any) -> Any:
    """A solve's status in words of the language (English keeps the code)."""
    return status_words(value, raw=True) if isinstance(value, str) else value


# Column headers of the tables ("{money}" is the currency in thousands, "k EUR").
HEADERS = {
    "levers": (N_("id"), N_("label"), N_("type"), N_("used"), N_("value"), N_("unit"),
               N_("EUR at risk"), N_("revenue change ({money})"),
               N_("expenditure change ({money})"), N_("members change"), N_("FTE used"),
               N_("action")),
    "budget": (N_("section"), N_("id"), N_("label"), N_("side"), N_("before ({money})"),
               N_("after ({money})"), N_("change ({money})")),
    "indicators": (N_("indicator"), N_("before"), N_("after"), N_("change"), N_("unit")),
    "simulation": (N_("measure"), N_("value")),
    "cvar": (N_("measure"),),
    "sweep_tail": (N_("status"), N_("EUR at risk"), N_("private share"),
                   N_("result ({money})"), N_("members")),
    "frontier": (N_("target"), N_("status"), N_("EUR at risk"), N_("private share"),
                 N_("result ({money})"), N_("members")),
    "events": (N_("target"), N_("lever"), N_("label"), N_("event"), N_("before"), N_("after"),
               N_("text")),
    "tornado": (N_("rank"), N_("input"), N_("name"), N_("base"), N_("low"), N_("high"),
                N_("status when low"), N_("status when high"), N_("EUR at risk when low"),
                N_("EUR at risk when high"), N_("swing"), N_("effect"), N_("feasibility"),
                N_("note"), N_("change when low"), N_("change when high")),
}

UNITS = {
    "eur": N_("EUR"),
    "share": "%",
    "members": N_("members"),
    "fte": N_("FTE"),
    "units": N_("units"),
    "proposals": N_("proposals"),
}
LEVER_UNITS = {"cut": "eur", "grant_cut": "eur", "fee_increase": "share",
               "new_members": "members", "service": "units", "success_fee": "share",
               "eu_projects": "proposals", "custom": "units"}

INDICATORS = {
    "private_share": (N_("private share"), "share"),
    "result": (N_("result"), "eur"),
    "members": (N_("members"), "members"),
    "members_lost": (N_("members lost"), "members"),
    "eligible": (N_("eligible costs"), "eur"),
    "public": (N_("public revenues"), "eur"),
    "private": (N_("private revenues"), "eur"),
    "capacity_used": (N_("staff capacity used"), "fte"),
}

SIMULATION = {
    "n": (N_("simulated scenarios"), "count"),
    "seed": (N_("seed"), "count"),
    "p_target_met": (N_("probability the target share is met"), "share"),
    "p_result_ok": (N_("probability the result is at least the least result"), "share"),
    "p_no_loss": (N_("probability of both"), "share"),
    "share_quantiles.p05": (N_("private share, 5% quantile"), "share"),
    "share_quantiles.p50": (N_("private share, median"), "share"),
    "share_quantiles.p95": (N_("private share, 95% quantile"), "share"),
    "result_quantiles.p05": (N_("result, 5% quantile"), "eur"),
    "result_quantiles.p50": (N_("result, median"), "eur"),
    "result_quantiles.p95": (N_("result, 95% quantile"), "eur"),
    "expected_deficit": (N_("expected deficit"), "eur"),
    "expected_loss": (N_("expected loss"), "eur"),
    "var95_loss": (N_("loss exceeded in 5% of scenarios (VaR 95%)"), "eur"),
    "cvar95_loss": (N_("average loss in the worst 5% (CVaR 95%)"), "eur"),
}
CVAR = {
    "alpha": (N_("CVaR level"), "share"),
    "scenarios": (N_("optimisation scenarios"), "count"),
    "seed": (N_("seed"), "count"),
}

# Number formats: amounts in thousands with one decimal ("1,234.5" for 1,234,500: the
# trailing comma divides by 1,000), shares in %, counts as whole numbers.
FORMATS = {
    "eur": '#,##0.0,;-#,##0.0,;0.0',
    "eur_exact": "#,##0",
    "share": "0.0%",
    "share_fine": "0.00%",
    "count": "#,##0",
    "members": "#,##0.##",
    "fte": "0.0##",
    "units": "#,##0.##",
    "proposals": "#,##0",
    "number": "General",
    "boolean": '"TRUE";"TRUE";"FALSE"',
}
TORNADO_CHART_ROWS = 15
CHART_ROWS = {"sweep": 19, "frontier": 19, "tornado": 25}  # rows a chart covers
SERIES_COLOURS = ("4472C4", "ED7D31")  # lowered: blue, raised: orange


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise CaseError(_tr(TEXT["needs_openpyxl"])) from None
    return openpyxl


def _set(cell: Any, value: Any, number_format: str | None = None) -> None:
    """One value: text always as text (a label '=1+1' stays a label), numbers as numbers."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
        return
    if isinstance(value, dict | list | tuple):
        value = None  # only plain figures go into cells
    cell.value = value
    if number_format is not None and isinstance(value, int | float):
        cell.number_format = number_format


class _Book:
    """The workbook being written, with the case's labels."""

    def __init__(self, case: Mapping[str, Any] | None):
        openpyxl = _openpyxl()
        from openpyxl.styles import Alignment, Font, PatternFill
        self.wb = openpyxl.Workbook()
        self.first = True
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.section = Font(bold=True, size=12)
        self.header_fill = PatternFill("solid", start_color="DDE6F0")
        self.total_font = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        case = case or {}
        currency = case.get("currency") if isinstance(case.get("currency"), str) else None
        self.currency = currency or "EUR"
        # thousands of the currency as a unit: 'k EUR' (French: 'k€')
        self.money = (f"k {self.currency}" if is_default()
                      else f"k{'' if self.currency == 'EUR' else ' '}{currency_word(self.currency)}")
        self.labels: dict[tuple[str, str], str] = {}
        self.types: dict[str, str] = {}
        self.staff: dict[str, bool] = {}
        for kind in ("revenues", "expenditures", "levers"):
            for item in case.get(kind) or []:
                if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                    continue
                if isinstance(item.get("label"), str):
                    self.labels[(kind, item["id"])] = item["label"]
                if kind == "levers" and isinstance(item.get("type"), str):
                    self.types[item["id"]] = item["type"]
                if kind == "expenditures":
                    self.staff[item["id"]] = bool(item.get("staff"))

    def label(self, kind: str, ident: Any) -> str:
        return self.labels.get((kind, str(ident)), str(ident))

    def sheet(self, key: str, index: int | None = None) -> Any:
        if self.first:
            ws = self.wb.active
            ws.title = _tr(SHEETS[key])
            self.first = False
        else:
            ws = self.wb.create_sheet(_tr(SHEETS[key]), index)
        return ws

    def header(self, ws: Any, names: Iterable[str], row: int = 1) -> None:
        for col, name in enumerate(names, start=1):
            cell = ws.cell(row=row, column=col)
            _set(cell, name.format(money=self.money))
            cell.font = self.bold
            cell.fill = self.header_fill
            cell.alignment = self.wrap
        ws.freeze_panes = ws.cell(row=row + 1, column=1).coordinate

    def widths(self, ws: Any, widths: Iterable[float], header_row: int | None = 1) -> None:
        """Column widths; a header longer than its column wraps onto two lines."""
        from openpyxl.utils import get_column_letter
        lines = 1
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
            text = ws.cell(row=header_row, column=col).value if header_row else None
            if isinstance(text, str):
                lines = max(lines, -(-len(text) // max(1, int(width) - 2)))
        if lines > 1 and header_row is not None:
            ws.row_dimensions[header_row].height = 15 * lines

    def bytes(self) -> bytes:
        for ws in self.wb.worksheets:
            ws.page_setup.orientation = "landscape"
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.wb.active = 0
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


def _fmt(unit: str) -> str:
    return FORMATS.get(unit, FORMATS["number"])


def _lever_unit(kind: str | None) -> str:
    return LEVER_UNITS.get(kind or "", "units")


def _num(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _map(obj: Any, key: str) -> Mapping[str, Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _get(obj: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


# ---------------------------------------------------------------------------------------
# One plan.
# ---------------------------------------------------------------------------------------

def _plan_sheet(book: _Book, result: Mapping[str, Any]) -> None:
    ws = book.sheet("plan")
    status = status_words(str(result.get("status", "")), raw=True)
    title = ws.cell(row=1, column=1)
    _set(title, _tr(TEXT["title_plan"]).format(case=result.get("case", ""), status=status))
    title.font = book.title
    row = 3
    target = _map(result, "target")
    indicators = result.get("indicators") or {}
    facts: list[tuple[str, Any, str]] = [
        (_tr(TEXT["status"]), status, "number"),
        (_tr(TEXT["proven_optimal"]), _tr(TEXT["yes"]) if result.get("proven_optimal") else _tr(TEXT["no"]),
         "number"),
        (_tr(TEXT["solver"]), result.get("solver"), "number"),
        (_tr(TEXT["risk"]), _num(result.get("risk")), "eur_exact"),
    ]
    cvar = result.get("cvar")
    if isinstance(cvar, Mapping):
        facts.append((_tr(TEXT["cvar_loss"]), _num(_get(cvar, "cvar_plan.cvar_loss")), "eur_exact"))
    facts += [
        (_tr(TEXT["target_share"]), _num(target.get("private_share")), "share"),
        (_tr(TEXT["share_after"]), _num(_get(indicators, "private_share.after")), "share"),
        (_tr(TEXT["min_result"]), _num(target.get("min_result")), "eur_exact"),
    ]
    if target.get("min_members") is not None:
        facts.append((_tr(TEXT["min_members"]), _num(target.get("min_members")), "count"))
    if target.get("max_levers") is not None:
        facts.append((_tr(TEXT["max_levers"]), _num(target.get("max_levers")), "count"))
    marginal = result.get("marginal_risk")
    if isinstance(marginal, Mapping) and _num(marginal.get("extra_risk")) is not None:
        shown = pct_digits(marginal.get('target', 0), 0) if _num(marginal.get("target")) is not None \
            else ""
        facts.append((_tr(TEXT["marginal"]).format(target=shown), marginal["extra_risk"],
                      "eur_exact"))
    diagnosis = result.get("diagnosis")
    if isinstance(diagnosis, Mapping) and _num(diagnosis.get("max_private_share")) is not None:
        facts.append((_tr(TEXT["max_share"]), diagnosis["max_private_share"], "share_fine"))
    book.header(ws, (_tr(TEXT["item"]), _tr(TEXT["value"])), row=row)
    ws.freeze_panes = None
    row += 1
    for label, value, unit in facts:
        _set(ws.cell(row=row, column=1), label)
        _set(ws.cell(row=row, column=2), value, _fmt(unit))
        row += 1

    def lines(title: str, texts: Iterable[Any]) -> None:
        nonlocal row
        texts = [t for t in texts if isinstance(t, str)]
        if not texts:
            return
        row += 1
        cell = ws.cell(row=row, column=1)
        _set(cell, title)
        cell.font = book.section
        row += 1
        for text in texts:
            _set(ws.cell(row=row, column=1), text)
            row += 1

    lines(_tr(TEXT["section_words"]), result.get("summary") or [])
    lines(_tr(TEXT["section_binding"]), result.get("binding") or [])
    if isinstance(diagnosis, Mapping):
        lines(_tr(TEXT["section_diagnosis"]), diagnosis.get("blocking_text") or [])
        best = diagnosis.get("best_plan")
        if isinstance(best, Mapping) and best:
            row += 1
            cell = ws.cell(row=row, column=1)
            _set(cell, _tr(TEXT["section_best"]))
            cell.font = book.section
            row += 1
            for lever, value in best.items():
                _set(ws.cell(row=row, column=1), book.label("levers", lever))
                _set(ws.cell(row=row, column=2), _num(value),
                     _fmt(_lever_unit(book.types.get(lever))))
                row += 1
    lines(_tr(TEXT["section_warnings"]), result.get("warnings") or [])
    audit = result.get("audit")
    if isinstance(audit, Mapping):
        row += 1
        cell = ws.cell(row=row, column=1)
        _set(cell, _tr(TEXT["section_audit"]))
        cell.font = book.section
        row += 1
        for key, value in _flatten(audit):
            _set(ws.cell(row=row, column=1), key)
            _set(ws.cell(row=row, column=2), value if not isinstance(value, bool)
                 else (_tr(TEXT["yes"]) if value else _tr(TEXT["no"])))
            row += 1
    book.widths(ws, (58, 70), header_row=None)


def _flatten(obj: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += _flatten(value, f"{name}.") if value else []
        elif isinstance(value, list):
            out.append((name, ", ".join(str(v) for v in value)))
        elif value is not None:
            out.append((name, value))
    return out


def _levers_sheet(book: _Book, result: Mapping[str, Any]) -> None:
    levers = [lv for lv in result.get("levers") or [] if isinstance(lv, Mapping)]
    ws = book.sheet("levers")
    head = list(_trs(HEADERS["levers"]))
    book.header(ws, head)
    money = _fmt("eur")
    for r, lever in enumerate(levers, start=2):
        kind = lever.get("type") if isinstance(lever.get("type"), str) else None
        unit = _lever_unit(kind)
        value = _num(lever.get("value"))
        revenue = _map(lever, "revenue_change")
        spending = _map(lever, "expenditure_change")
        cells: list[tuple[Any, str | None]] = [
            (lever.get("id"), None),
            (book.label("levers", lever.get("id")), None),
            (kind, None),
            (bool(value), FORMATS["boolean"]),
            (value, _fmt("eur_exact" if unit == "eur" else unit)),
            (_tr(UNITS.get(unit, "")), None),
            (_num(lever.get("risk")), _fmt("eur_exact")),
            (_sum(revenue.values()), money),
            (_sum(spending.values()), money),
            (_num(lever.get("members_change")), _fmt("members")),
            (_num(lever.get("fte_use")), _fmt("fte")),
        ]
        cells.append((lever.get("action") or "", None))
        for col, (v, f) in enumerate(cells, start=1):
            _set(ws.cell(row=r, column=col), v, f)
    total_row = len(levers) + 2
    cell = ws.cell(row=total_row, column=1)
    _set(cell, _tr(TEXT["total_risk"]))
    cell.font = book.total_font
    total = ws.cell(row=total_row, column=7)
    _set(total, _num(result.get("risk")), _fmt("eur_exact"))
    total.font = book.total_font
    book.widths(ws, (16, 32, 13, 7, 12, 9, 12, 16, 16, 10, 9, 70))


def _sum(values: Iterable[Any]) -> float | None:
    numbers = [v for v in values if _num(v) is not None]
    return float(sum(numbers)) if numbers else None


def _budget_sheet(book: _Book, result: Mapping[str, Any]) -> None:
    budget = _map(result, "budget")
    indicators = _map(result, "indicators")
    ws = book.sheet("budget")
    book.header(ws, _trs(HEADERS["budget"]))
    money = _fmt("eur")
    row = 2

    def line(section: str, ident: Any, label: str, side: str, before: Any, after: Any,
             bold: bool = False) -> None:
        nonlocal row
        before, after = _num(before), _num(after)
        change = after - before if before is not None and after is not None else None
        values = (section, ident, label, side, before, after, change)
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            _set(cell, v, money if col >= 5 else None)
            if bold:
                cell.font = book.total_font
        row += 1

    for item in budget.get("revenues") or []:
        if isinstance(item, Mapping):
            side = _tr(TEXT["public"]) if item.get("public") else _tr(TEXT["private"])
            line(_tr(TEXT["revenue_section"]), item.get("id"), book.label("revenues", item.get("id")),
                 side, item.get("before"), item.get("after"))
    public = _map(indicators, "public")
    private = _map(indicators, "private")
    line(_tr(TEXT["revenue_section"]), None, _tr(TEXT["public_total"]), _tr(TEXT["public"]),
         public.get("before"), public.get("after"), bold=True)
    line(_tr(TEXT["revenue_section"]), None, _tr(TEXT["private_total"]), _tr(TEXT["private"]),
         private.get("before"), private.get("after"), bold=True)
    totals = [_add(public.get(k), private.get(k)) for k in ("before", "after")]
    line(_tr(TEXT["revenue_section"]), None, _tr(TEXT["revenues_total"]), "", totals[0], totals[1],
         bold=True)
    spent: list[Any] = [0.0, 0.0]
    for item in budget.get("expenditures") or []:
        if isinstance(item, Mapping):
            ident = item.get("id")
            side = _tr(TEXT["staff"]) if book.staff.get(str(ident)) else ""
            line(_tr(TEXT["expenditure_section"]), ident, book.label("expenditures", ident), side,
                 item.get("before"), item.get("after"))
            spent = [_add(spent[0], item.get("before")), _add(spent[1], item.get("after"))]
    line(_tr(TEXT["expenditure_section"]), None, _tr(TEXT["expenditures_total"]), "", spent[0], spent[1],
         bold=True)
    result_line = _map(indicators, "result")
    line("", None, _tr(TEXT["result"]), "", result_line.get("before"), result_line.get("after"),
         bold=True)
    book.widths(ws, (12, 16, 40, 9, 14, 14, 14))


def _add(a: Any, b: Any) -> float | None:
    a, b = _num(a), _num(b)
    return None if a is None or b is None else float(a + b)


def _indicators_sheet(book: _Book, result: Mapping[str, Any]) -> None:
    indicators = _map(result, "indicators")
    ws = book.sheet("indicators")
    book.header(ws, _trs(HEADERS["indicators"]))
    row = 2
    for key, value in indicators.items():
        name, unit = INDICATORS.get(key, (key, "number"))
        name = _tr(name)
        fmt = _fmt("eur_exact" if unit == "eur" else unit)
        if isinstance(value, Mapping):
            before, after = _num(value.get("before")), _num(value.get("after"))
        else:
            before, after = None, _num(value)
        change = after - before if before is not None and after is not None else None
        cells = (name, before, after, change, _tr(UNITS.get(unit, "")))
        for col, v in enumerate(cells, start=1):
            _set(ws.cell(row=row, column=col), v, fmt if 2 <= col <= 4 else None)
        row += 1
    book.widths(ws, (26, 14, 14, 14, 10))


def _simulation_rows(simulation: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    return [(_tr(name), _num(_get(simulation, key)), unit) for key, (name, unit) in
            SIMULATION.items()]


def _simulation_sheet(book: _Book, simulation: Mapping[str, Any]) -> None:
    ws = book.sheet("simulation")
    book.header(ws, _trs(HEADERS["simulation"]))
    for row, (name, value, unit) in enumerate(_simulation_rows(simulation), start=2):
        _set(ws.cell(row=row, column=1), name)
        _set(ws.cell(row=row, column=2), value, _fmt("eur_exact" if unit == "eur" else unit))
    book.widths(ws, (52, 16))


def _cvar_sheet(book: _Book, cvar: Mapping[str, Any]) -> None:
    ws = book.sheet("cvar")
    plans = [_map(cvar, "eur_at_risk_plan"), _map(cvar, "cvar_plan")]
    book.header(ws, _trs(HEADERS["cvar"]) + (_tr(TEXT["plan_eur"]), _tr(TEXT["plan_cvar"])))
    rows: list[tuple[str, list[Any], str]] = []
    for key, (name, unit) in CVAR.items():
        rows.append((_tr(name), [_num(cvar.get(key))] * 2, unit))
    rows.append((_tr(TEXT["risk"]), [_num(p.get("risk")) for p in plans], "eur_exact"))
    rows.append((_tr(TEXT["cvar_loss"]), [_num(p.get("cvar_loss")) for p in plans], "eur_exact"))
    sims = [_map(p, "simulation") for p in plans]
    for key, (name, unit) in SIMULATION.items():
        rows.append((_tr(name), [_num(_get(s, key)) for s in sims],
                     "eur_exact" if unit == "eur" else unit))
    lever_ids: list[str] = []
    for p in plans:
        levers = _map(p, "levers")
        lever_ids += [str(k) for k in levers if str(k) not in lever_ids]
    for lever in lever_ids:
        unit = _lever_unit(book.types.get(lever))
        values = [_num(_map(p, "levers").get(lever, 0)) for p in plans]
        rows.append((_tr(TEXT["lever_value"]).format(lever=book.label("levers", lever)), values,
                     "eur_exact" if unit == "eur" else unit))
    for r, (name, values, unit) in enumerate(rows, start=2):
        _set(ws.cell(row=r, column=1), name)
        for c, v in enumerate(values, start=2):
            _set(ws.cell(row=r, column=c), v, _fmt(unit))
    book.widths(ws, (52, 22, 22))


# ---------------------------------------------------------------------------------------
# Sensitivity runs.
# ---------------------------------------------------------------------------------------

def _summary_sheet(book: _Book, runs: list[Mapping[str, Any]], charts: Mapping[str, Any],
                   index: int) -> None:
    """What the sensitivity runs say: key figures, the chart, the summary in words (the
    first thing a manager sees of a frontier or a tornado)."""
    ws = book.sheet("summary", index)
    row = 1
    for run in runs:
        kind = str(run.get("kind", ""))
        title = ws.cell(row=row, column=1)
        _set(title, _tr(TEXT["title_run"]).format(case=run.get("case", ""),
                                             kind=_tr(TEXT.get(f"kind_{kind}", kind))))
        title.font = book.title
        row += 1
        facts: list[tuple[str, Any, str]] = [(_tr(TEXT["solver"]), run.get("solver"), "number")]
        if kind == "sweep":
            facts += [(_tr(TEXT["points"]), _num(run.get("points")), "count"),
                      (_tr(TEXT["solves"]), _num(run.get("solves")), "count")]
            counts = _map(run, "status_counts")
            facts += [(_tr(TEXT["status_counts"]).format(status=s), _num(n), "count")
                      for s, n in counts.items()]
        elif kind == "frontier":
            facts += [(_tr(TEXT["today_share"]), _num(run.get("today_share")), "share_fine"),
                      (_tr(TEXT["max_share"]), _num(run.get("max_share")), "share_fine"),
                      (_tr(TEXT["precision"]), _num(run.get("precision")), "share_fine")]
        elif kind == "tornado":
            base = _map(run, "base")
            facts += [(_tr(TEXT["change"]), _num(run.get("change")), "share"),
                      (_tr(TEXT["base_status"]), base.get("status"), "number"),
                      (_tr(TEXT["base_risk"]), _num(base.get("risk")), "eur_exact")]
        for label, value, unit in facts:
            _set(ws.cell(row=row, column=1), label)
            _set(ws.cell(row=row, column=2), value, _fmt(unit))
            row += 1
        chart = charts.get(kind)
        if chart is not None:
            row += 1
            ws.add_chart(chart, f"A{row}")
            row += CHART_ROWS[kind]
        summary = [s for s in run.get("summary") or [] if isinstance(s, str)]
        if summary:
            row += 1
            cell = ws.cell(row=row, column=1)
            _set(cell, _tr(TEXT["frontier_summary"]))
            cell.font = book.section
            row += 1
            for text in summary:
                _set(ws.cell(row=row, column=1), text)
                row += 1
        row += 1
    book.widths(ws, (44, 30), header_row=None)


def _lever_columns(book: _Book, rows: list[Mapping[str, Any]]) -> list[str]:
    ids: list[str] = []
    for point in rows:
        levers = _map(point, "levers")
        ids += [str(k) for k in levers if str(k) not in ids]
    return ids


def _sweep_sheet(book: _Book, run: Mapping[str, Any]) -> Any:
    ws = book.sheet("sweep")
    axes = list(run.get("axes") or {}) if isinstance(run.get("axes"), Mapping) else []
    rows = [r for r in run.get("rows") or [] if isinstance(r, Mapping)]
    lever_ids = _lever_columns(book, rows)
    tail = [h for h in _trs(HEADERS["sweep_tail"])]
    member_key = "members_after" if any("members_after" in r for r in rows) else "members"
    head = axes + tail + [book.label("levers", i) for i in lever_ids]
    book.header(ws, head)
    for r, point in enumerate(rows, start=2):
        cells: list[tuple[Any, str | None]] = []
        for axis in axes:
            unit = "share" if axis.endswith("share") else "number"
            cells.append((_num(point.get(axis)), _fmt(unit)))
        cells += [(_status(point.get("status")), None), (_num(point.get("risk")), _fmt("eur_exact")),
                  (_num(point.get("private_share")), _fmt("share")),
                  (_num(point.get("result")), _fmt("eur")),
                  (_num(point.get(member_key)), _fmt("members"))]
        levers = _map(point, "levers")
        for lever in lever_ids:
            unit = _lever_unit(book.types.get(lever))
            cells.append((_num(levers.get(lever)), _fmt("eur_exact" if unit == "eur"
                                                         else unit)))
        for col, (v, f) in enumerate(cells, start=1):
            _set(ws.cell(row=r, column=col), v, f)
    book.widths(ws, [max(14, len(a) + 2) for a in axes] + [11, 12, 12, 12, 10]
                + [14] * len(lever_ids))
    if len(axes) == 1 and len(rows) >= 2:
        return _scatter(book, ws, x_col=1, y_col=len(axes) + 2, first=2, last=len(rows) + 1,
                        title=_tr(TEXT["chart_sweep"]).format(axis=axes[0]), x_title=axes[0],
                        y_title=_tr(TEXT["chart_frontier_y"]).format(currency=currency_word(book.currency)),
                        x_format="0%" if axes[0].endswith("share") else "General")
    return None


def _frontier_sheets(book: _Book, run: Mapping[str, Any]) -> Any:
    ws = book.sheet("frontier")
    points = [p for p in run.get("points") or [] if isinstance(p, Mapping)]
    lever_ids = _lever_columns(book, points)
    head = list(_trs(HEADERS["frontier"])) + [book.label("levers", i) for i in lever_ids]
    book.header(ws, head)
    for r, point in enumerate(points, start=2):
        cells: list[tuple[Any, str | None]] = [
            (_num(point.get("target")), _fmt("share_fine")), (_status(point.get("status")), None),
            (_num(point.get("risk")), _fmt("eur_exact")),
            (_num(point.get("private_share")), _fmt("share_fine")),
            (_num(point.get("result")), _fmt("eur")),
            (_num(point.get("members")), _fmt("members"))]
        levers = _map(point, "levers")
        for lever in lever_ids:
            unit = _lever_unit(book.types.get(lever))
            cells.append((_num(levers.get(lever)), _fmt("eur_exact" if unit == "eur"
                                                         else unit)))
        for col, (v, f) in enumerate(cells, start=1):
            _set(ws.cell(row=r, column=col), v, f)
    book.widths(ws, [10, 11, 12, 12, 12, 10] + [14] * len(lever_ids))
    chart = None
    if len(points) >= 2:
        chart = _scatter(book, ws, x_col=1, y_col=3, first=2, last=len(points) + 1,
                         title=_tr(TEXT["chart_frontier"]), x_title=_tr(TEXT["chart_frontier_x"]),
                         y_title=_tr(TEXT["chart_frontier_y"]).format(currency=currency_word(book.currency)),
                         x_format="0%")
    events = [e for e in run.get("events") or [] if isinstance(e, Mapping)]
    ws = book.sheet("events")
    book.header(ws, _trs(HEADERS["events"]))
    for r, event in enumerate(events, start=2):
        lever = str(event.get("lever"))
        kind = _lever_unit(book.types.get(lever))
        fmt = _fmt("eur_exact" if kind == "eur" else kind)
        row: list[tuple[Any, str | None]] = [
            (_num(event.get("target")), _fmt("share_fine")), (lever, None),
            (book.label("levers", lever), None), (event.get("event"), None),
            (_num(event.get("before")), fmt), (_num(event.get("after")), fmt),
            (event.get("text"), None)]
        for col, (v, f) in enumerate(row, start=1):
            _set(ws.cell(row=r, column=col), v, f)
    book.widths(ws, (10, 16, 30, 22, 12, 12, 70))
    return chart


def _tornado_sheet(book: _Book, run: Mapping[str, Any]) -> Any:
    ws = book.sheet("tornado")
    rows = [r for r in run.get("rows") or [] if isinstance(r, Mapping)]
    base = _num(_get(run, "base.risk"))
    book.header(ws, _trs(HEADERS["tornado"]))
    eur = _fmt("eur_exact")
    for r, item in enumerate(rows, start=2):
        low, high = _num(item.get("risk_low")), _num(item.get("risk_high"))
        cells: list[tuple[Any, str | None]] = [
            (_num(item.get("rank")), _fmt("count")), (item.get("input"), None),
            (item.get("name"), None), (_num(item.get("base")), _fmt("number")),
            (_num(item.get("low")), _fmt("number")), (_num(item.get("high")), _fmt("number")),
            (_status(item.get("status_low")), None), (_status(item.get("status_high")), None),
            (low, eur), (high, eur), (_num(item.get("swing")), eur),
            (_num(item.get("effect")), eur), (item.get("feasibility") or "", None),
            (item.get("note") or "", None),
            (low - base if low is not None and base is not None else None, eur),
            (high - base if high is not None and base is not None else None, eur)]
        for col, (v, f) in enumerate(cells, start=1):
            _set(ws.cell(row=r, column=col), v, f)
    book.widths(ws, (6, 30, 36, 12, 12, 12, 12, 12, 14, 14, 12, 12, 18, 20, 14, 14))
    shown = min(len(rows), TORNADO_CHART_ROWS)
    return _tornado_chart(book, ws, shown, run) if shown else None


def _scatter(book: _Book, ws: Any, *, x_col: int, y_col: int, first: int, last: int,
             title: str, x_title: str, y_title: str, x_format: str) -> Any:
    from openpyxl.chart import Reference, ScatterChart, Series
    chart = ScatterChart()
    chart.title = title
    chart.style = 13
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.x_axis.number_format = x_format
    chart.y_axis.number_format = '#,##0,"k"'
    chart.legend = None
    # openpyxl hides axes unless told (delete=True by default in recent versions).
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    xs = Reference(ws, min_col=x_col, min_row=first, max_row=last)
    ys = Reference(ws, min_col=y_col, min_row=first, max_row=last)
    series = Series(ys, xs, title=title)
    series.marker.symbol = "circle"
    series.marker.size = 5
    series.marker.graphicalProperties.solidFill = SERIES_COLOURS[0]
    series.marker.graphicalProperties.line.solidFill = SERIES_COLOURS[0]
    series.graphicalProperties.line.solidFill = SERIES_COLOURS[0]
    series.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
    series.smooth = False
    chart.series.append(series)
    chart.height, chart.width = 9, 16
    return chart


def _tornado_chart(book: _Book, ws: Any, shown: int, run: Mapping[str, Any]) -> Any:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.series import SeriesLabel
    chart = BarChart()
    chart.type = "bar"  # horizontal bars
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 40
    change = _num(run.get("change"))
    chart.title = _tr(TEXT["chart_tornado"]).format(change=pct_digits(change, 0) if change is not None
                                               else "")
    chart.y_axis.title = _tr(TEXT["chart_tornado_x"]).format(currency=currency_word(book.currency))
    chart.y_axis.number_format = '#,##0,"k"'
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 on top
    chart.y_axis.crosses = "max"  # and the value axis below the bars, not above
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # Category labels at the left edge, away from the bars that cross zero.
    chart.x_axis.tickLblPos = "low"
    data = Reference(ws, min_col=15, max_col=16, min_row=1, max_row=shown + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=3, min_row=2, max_row=shown + 1))
    for series, label, colour in zip(chart.series, (_tr(TEXT["chart_low"]), _tr(TEXT["chart_high"])),
                                     SERIES_COLOURS):
        series.tx = SeriesLabel(v=label)
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.height, chart.width = 12, 20
    return chart


# ---------------------------------------------------------------------------------------

def write_report(result: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> bytes:
    """The report of one run as an .xlsx workbook (bytes), from its `--format json` dict.

    extra: {"case": the raw case (labels, currency)} and further runs by kind ("sweep",
    "frontier", "tornado") to put in the same workbook.
    """
    if not isinstance(result, Mapping):
        raise CaseError(_tr(TEXT["not_a_result"]).format(what=type(result).__name__))
    extra = extra or {}
    case = extra.get("case") if isinstance(extra.get("case"), Mapping) else None
    runs: dict[str, Mapping[str, Any]] = {}
    plan: Mapping[str, Any] | None = None
    if result.get("kind") in ("sweep", "frontier", "tornado"):
        runs[str(result["kind"])] = result
    elif isinstance(result.get("levers"), list) and isinstance(result.get("budget"), Mapping):
        plan = result
    else:
        raise CaseError(_tr(TEXT["not_a_result"]).format(
            what="keys " + ", ".join(map(str, list(result)[:8]))))
    for kind in ("sweep", "frontier", "tornado"):
        if isinstance(extra.get(kind), Mapping) and kind not in runs:
            runs[kind] = extra[kind]
    book = _Book(case)
    if plan is not None:
        _plan_sheet(book, plan)
        _levers_sheet(book, plan)
        _budget_sheet(book, plan)
        _indicators_sheet(book, plan)
        if isinstance(plan.get("simulation"), Mapping):
            _simulation_sheet(book, plan["simulation"])
        if isinstance(plan.get("cvar"), Mapping):
            _cvar_sheet(book, plan["cvar"])
    index = len(book.wb.worksheets) if not book.first else 0
    charts: dict[str, Any] = {}
    if "sweep" in runs:
        charts["sweep"] = _sweep_sheet(book, runs["sweep"])
    if "frontier" in runs:
        charts["frontier"] = _frontier_sheets(book, runs["frontier"])
    if "tornado" in runs:
        charts["tornado"] = _tornado_sheet(book, runs["tornado"])
    if runs:  # written last (it shows the charts of the data above), placed first
        _summary_sheet(book, list(runs.values()), charts, index)
    return book.bytes()


__all__ = ["write_report"]

# The helpers the workbooks of a region and of a path share with this one
# (report/workbook_pages.py).
Book, set_cell, flatten, scatter_chart = _Book, _set, _flatten, _scatter

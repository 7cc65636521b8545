"""Case files as Excel workbooks (.xlsx): read one into the raw case dict of the JSON
format, write a case as one (the template), and name cells in validation messages.

    raw, cells = read_workbook(data, "case.xlsx")   # the dict `optimizer.load_case` takes
    translate(["levers[3].max_fraction: must be between 0 and 1, got 1.5"], cells)
    # -> ["Levers!F5 (max_fraction): must be between 0 and 1, got 1.5"]
    data = write_template(raw)                       # bytes; the caller writes the file

The layout is derived from the JSON Schema of case files (`optimizer.case_schema()`), so the
column names ARE the field names of the JSON case and a new field needs no change here:

- sheets Cluster (name, currency, members, staff.*, notes), Target and, when used,
  Uncertainty are key/value sheets: columns `field`, `value` (and `help`, ignored);
- sheets Revenues, Expenditures, Levers and, when used, Rules and Shocks are tables: row 1
  names the columns, one row per line, lever, rule or shock;
- a nested field is a dotted name (`uncertainty.low`, `setup.risk`, `staff.fte`); a map of
  free keys is one column per key (`revenues.fees` of a custom lever, `terms.public` of a
  rule); notes are one text (`notes`) or a list (`notes.1`, `notes.2`, ...);
- an empty cell is an absent field (its default applies); TRUE/FALSE cells for true/false
  (the words true/false, yes/no, oui/non, vrai/faux and the numbers 1/0 are accepted too);
  fractions are numbers (a cell shown as 25.0% holds 0.25).

Refused, with the sheet, row and column named: a missing sheet, an unknown column (with a
close name suggested), a formula (its value is not stored by every program that writes
xlsx), an error value or a date where a value is expected, merged cells, an empty row
inside a table (only empty rows after the last one are ignored: one in the middle would
hide the rows below it from a reader that stops there), text where a number is expected, a
field that the lever's type does not have; and, for the file, an old .xls, a
password-protected, corrupt or non-xlsx file (a CSV renamed .xlsx), or one too large.

Numbers are written in full (17 significant digits where 16 would not read back exactly:
openpyxl alone writes 16), so a case reads back to the same doubles; whole numbers read back
as ints (a JSON 1.0 comes back as 1, the same JSON number). An empty map or object
(`"setup": {}`) and an explicit null are written as absent: they mean the same.

openpyxl is imported lazily: it is the optional extra `xlsx`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import CaseError
from ..i18n import N_
from ..i18n import gettext as _
from .export import case_schema
from .schema import Case, from_mapping, validate

# ---------------------------------------------------------------------------------------
# Human-facing strings (sheet names, help texts, messages), in one place. Help texts and
# messages are marked for the catalog (N_) and translated where they are written (in the
# current language, optimizer.i18n); sheet names, column names and field names are code
# (a workbook is read back by them), so they stay as they are in every language.
# ---------------------------------------------------------------------------------------

SHEET_NAMES = {
    "help": "Help",
    "cluster": "Cluster",
    "revenues": "Revenues",
    "expenditures": "Expenditures",
    "target": "Target",
    "levers": "Levers",
    "rules": "Rules",
    "shocks": "Shocks",
    "uncertainty": "Uncertainty",
    "horizon": "Horizon",
}
KEY_HEADERS = {"field": "field", "value": "value", "help": "help"}
ROW_WORD = N_("row")

TRUE_WORDS = ("true", "yes", "y", "oui", "vrai", "1")
FALSE_WORDS = ("false", "no", "n", "non", "faux", "0")
SENSE_SYNONYMS = {"=": "==", "≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}

SHEET_HELP = {
    "cluster": N_("The cluster: one row per field (name, currency, members, staff.*, notes)."),
    "revenues": N_("Revenue lines, one per row: id, label, amount (EUR a year), public "
                   "(TRUE: public money such as grants; FALSE: private money)."),
    "expenditures": N_("Expenditure lines, one per row: id, label, amount (EUR a year), staff "
                       "(TRUE for salary lines)."),
    "target": N_("What the plan must reach: one row per field (private_share, min_result, ...)."),
    "levers": N_("The levers, one per row; the columns a lever's type does not use stay empty "
                 "(greyed). Empty cells take the defaults."),
    "rules": N_("Optional extra constraints, one per row: sum of coefficient x quantity "
                "(the terms.* columns) compared (sense) with rhs."),
    "shocks": N_("Optional: a triangular factor on one baseline line per row (uncertainty "
                 "analysis)."),
    "uncertainty": N_("Optional: how strongly one shared economic factor couples the draws."),
    "horizon": N_("Optional: a path over several years, one row per field; the years and their "
                   "targets one per row (years.1, years.2, ...; targets.1, targets.2, ...)."),
}

HELP_INTRO = [
    N_("How to fill in this workbook"),
    N_("Each sheet holds one part of the case; row 1 names the columns with the field names of "
       "the JSON case file: keep them as they are."),
    N_("An empty cell means the field is absent: its default applies (see the default column "
       "below)."),
    N_("Amounts are in the case's currency (EUR unless told), per year. Fractions may be typed "
       "as percentages or decimals: 25% and 0.25 are the same value."),
    N_("TRUE/FALSE columns take TRUE or FALSE (also accepted: yes/no, 1/0)."),
    N_("Type values, not formulas: a formula is refused (copy the cells, then paste values "
       "only). Merged cells and empty rows inside a table are refused too; empty rows after "
       "the last line are ignored."),
    N_("Nested fields are dotted names: uncertainty.low is the field low of a lever's "
       "uncertainty. A map has one column per key: revenues.fees is a custom lever's EUR per "
       "unit on the revenue line fees, terms.public the coefficient of public in a rule (add "
       "such columns as needed). Notes are one text in notes, or several in notes.1, notes.2."),
    N_("Sheets Rules, Shocks and Uncertainty are optional; add Shocks or Uncertainty with the "
       "columns listed below when the case needs them. This Help sheet is not read."),
]
HELP_COLUMNS = (N_("sheet"), N_("column or field"), N_("meaning"), N_("unit"), N_("default"),
                N_("lever types"))
ALL_TYPES_WORD = N_("all")
UNITS = {
    "eur": N_("EUR"),
    "percent": N_("fraction (% or decimal)"),
    "boolean": N_("TRUE/FALSE"),
    "integer": N_("whole number"),
    "number": N_("number"),
    "string": N_("text"),
    "notes": N_("text"),
    "enum": N_("one of: {choices}"),
}

# Meanings, by "sheet:field" or by field name (any sheet). Fields without one get none.
FIELD_HELP = {
    "schema_version": N_("Version of the case format (1)."),
    "name": N_("The cluster's name, shown in reports."),
    "currency": N_("Currency of all amounts (display only)."),
    "members": N_("Member firms today."),
    "staff.fte": N_("Staff in full-time equivalents (FTE)."),
    "staff.spare_fte": N_("Spare staff capacity for new activities (FTE)."),
    "staff.cost_per_fte": N_("Cost of one FTE; default: the staff lines divided by fte."),
    "staff.notes": N_("Assumptions and sources about staff."),
    "notes": N_("Assumptions and sources (one text, or several in notes.1, notes.2, ...)."),
    "id": N_("A short id: 1 to 40 characters among a-z, 0-9, _ and -. Levers and rules name "
             "lines and levers by it."),
    "label": N_("The name shown in reports."),
    "amount": N_("Amount today, per year."),
    "public": N_("TRUE: public money (grants); FALSE: private money (fees, services, EU "
                 "projects, sponsors)."),
    "staff": N_("TRUE: a staff line (a cut removes staff capacity)."),
    "private_share": N_("The private share of revenues to reach."),
    "min_result": N_("The least result (revenues - spending) after the plan; 0: a balanced "
                     "budget; negative: a deficit paid from reserves."),
    "min_members": N_("At least this many members after the plan."),
    "max_levers": N_("At most this many levers used at once."),
    "risk_measure": N_("eur_at_risk (default): least EUR at risk; cvar: least average loss in "
                       "the worst years."),
    "alpha": N_("CVaR level (95%: the worst 5% of scenarios); cvar only."),
    "scenarios": N_("Scenarios of the CVaR program; cvar only."),
    "seed": N_("Seed of those scenarios; cvar only."),
    "type": N_("cut, grant_cut, fee_increase, new_members, service, success_fee, eu_projects or "
               "custom."),
    "enabled": N_("FALSE: the lever stays at zero."),
    "downside": N_("Share of the planned gain that may fail to come. Defaults: cut 25%, "
                   "grant_cut 0%, fee_increase 30%, new_members 50%, service 40%, success_fee "
                   "50%, eu_projects 60%."),
    "expenditure": N_("The expenditure line (its id)."),
    "revenue": N_("The revenue line (its id)."),
    "max_fraction": N_("The most that may be cut, as a share of the line."),
    "min_fraction": N_("The least that must be cut, as a share of the line."),
    "max_increase": N_("The highest fee increase."),
    "step": N_("Step of the grid of options (0, step, 2 step, ...)."),
    "elasticity": N_("Members lost per unit of increase (0.5: +10% fees, 5% of members leave)."),
    "max_new": N_("The most new members the campaign can bring."),
    "fee": N_("Fee paid by a new member; default: the fee line divided by members."),
    "cost_line": N_("The expenditure line that bears the lever's costs."),
    "cost_per_member": N_("Cost of recruiting one member."),
    "fte_per_member": N_("Staff time per new member (FTE)."),
    "price": N_("Price of one unit."),
    "unit_cost": N_("Cost of one unit."),
    "setup_cost": N_("Paid once when the service is launched."),
    "max_units": N_("The most units that can be sold."),
    "min_units": N_("Once launched, at least this many units."),
    "integer": N_("TRUE: whole units only."),
    "fte_per_unit": N_("Staff time per unit (FTE)."),
    "launch_risk": N_("EUR at risk when the service is launched (competition with others)."),
    "volume": N_("Funding won each year by member projects the cluster supports."),
    "max_rate": N_("The highest success fee rate."),
    "volume_elasticity": N_("How fast the volume shrinks as the rate rises (k in V (1 - k r))."),
    "max_proposals": N_("The most proposals that can be written."),
    "success_rate": N_("Share of proposals won."),
    "grant": N_("Grant per won project."),
    "cost_share": N_("Share of a won grant spent on the project's own work."),
    "proposal_cost": N_("Cost of writing one proposal."),
    "fte_per_project": N_("Staff time per won project (FTE)."),
    "fte_per_proposal": N_("Staff time per proposal (FTE)."),
    "min": N_("Lowest value of the lever."),
    "max": N_("Highest value of the lever."),
    "fte": N_("Staff time per unit (FTE); negative frees capacity."),
    "levers:members": N_("Members gained per unit (negative: lost)."),
    "risk_per_unit": N_("EUR at risk per unit."),
    "revenues": N_("EUR per unit on revenue line LINE (one column per line: revenues.LINE)."),
    "expenditures": N_("EUR per unit on expenditure line LINE (one column per line: "
                       "expenditures.LINE)."),
    "setup.risk": N_("EUR at risk when the lever is used at all."),
    "setup.expenditures": N_("EUR spent once on expenditure line LINE when the lever is used."),
    "uncertainty.low": N_("Lowest realisation factor of the planned gain (triangular); "
                          "default 1 - downside."),
    "uncertainty.mode": N_("Most likely factor; default 100% (within low and high)."),
    "uncertainty.high": N_("Highest factor; default 100%."),
    "uncertainty.common": N_("FALSE: this lever's draws do not follow the common factor."),
    "uncertainty.wins": N_("eu_projects: each (proposals won one by one) or expected."),
    "uncertainty.elasticity.low": N_("fee_increase: lowest elasticity drawn."),
    "uncertainty.elasticity.mode": N_("fee_increase: most likely elasticity; default the "
                                      "lever's own."),
    "uncertainty.elasticity.high": N_("fee_increase: highest elasticity drawn."),
    "uncertainty.notes": N_("Assumptions about the lever's uncertainty."),
    "rules:name": N_("The rule's name (unique), shown when it limits the plan."),
    "terms": N_("Coefficient of QUANTITY (one column per quantity: terms.QUANTITY); QUANTITY "
                "is revenue:ID, expenditure:ID, lever:ID, private, public, revenues, "
                "expenditures, result, members or risk, after the plan."),
    "sense": N_("<=, >= or == (= is read as ==)."),
    "rhs": N_("The right-hand side."),
    "shocks:revenue": N_("The revenue line hit (give revenue or expenditure)."),
    "shocks:expenditure": N_("The expenditure line hit."),
    "shocks:low": N_("Lowest factor on the line's amount (triangular)."),
    "shocks:mode": N_("Most likely factor; default 100% (within low and high)."),
    "shocks:high": N_("Highest factor; default 100%."),
    "shocks:common": N_("FALSE: this shock does not follow the common factor."),
    "horizon:years": N_("The years of the path, consecutive (years.1 2024, years.2 2025, ...)."),
    "horizon:targets": N_("The private share to reach each year, one per year (targets.1, "
                           "targets.2, ...); default: target.private_share every year."),
    "horizon:reserves": N_("What the cluster holds at the start of the first year (EUR)."),
    "horizon:min_reserves": N_("The floor the reserves never fall below (EUR)."),
    "horizon:inflation": N_("Yearly growth of the spending lines (a fraction: 2% or 0.02)."),
    "horizon:discount": N_("Yearly discount of the EUR at risk in the objective (a fraction)."),
    "common_factor": N_("0 to 1 (excluded): how strongly one shared economic factor moves all "
                        "draws together."),
}

MSG = {
    "not_in_workbook": N_("{path}: a path over several years cannot be written to a workbook "
                          "yet; keep this case as JSON"),
    "needs_openpyxl": N_("Excel workbooks need openpyxl: pip install 'cluster-optimizer[xlsx]'"),
    "too_large": N_("{source}: the file is larger than {limit} MB; a case workbook is far "
                    "smaller"),
    "too_large_unzipped": N_("{source}: the workbook unpacks to more than {limit} MB; a case "
                             "workbook is far smaller"),
    "xls": N_("{source}: an old Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice "
              "and save it as an Excel workbook (.xlsx)"),
    "encrypted": N_("{source}: the workbook is protected by a password (encrypted); open it, "
                    "remove the password (Excel: File > Info > Protect Workbook > Encrypt with "
                    "Password) and save it again"),
    "json_renamed": N_("{source}: not an Excel workbook: it is a JSON file; give it a .json "
                       "name"),
    "text": N_("{source}: not an Excel workbook: it is a text file (a CSV renamed .xlsx?); "
               "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"),
    "not_xlsx": N_("{source}: not an Excel workbook (.xlsx)"),
    "ods": N_("{source}: an OpenDocument spreadsheet (.ods); save it as an Excel workbook "
              "(.xlsx)"),
    "xlsb": N_("{source}: an Excel binary workbook (.xlsb); save it as an Excel workbook (.xlsx)"),
    "other_zip": N_("{source}: a zip file but not an Excel workbook (no xl/workbook.xml)"),
    "corrupt": N_("{source}: the workbook cannot be read ({detail}); it may be damaged: open "
                  "it in Excel or LibreOffice and save it again"),
    "doctype": N_("{source}: the workbook holds an XML document type declaration ({part}), "
                  "which no spreadsheet program writes; refused"),
    "missing_sheet": N_("the workbook has no sheet '{sheet}'; a case needs the sheets {needed}"),
    "renamed_sheet": N_("the workbook has no sheet '{sheet}': rename the sheet '{found}' to "
                        "'{sheet}'"),
    "near_sheet": N_("sheet '{found}' is not read: rename it '{sheet}' (sheets other than "
                     "{known} are ignored)"),
    "did_you_mean": N_("; did you mean '{name}'?"),
    "too_many_rows": N_("{sheet}: {rows:,} rows in use, more than {limit:,}; delete the rows "
                        "below the table"),
    "too_many_columns": N_("{sheet}: {columns:,} columns in use, more than {limit:,}"),
    "merged": N_("{sheet}!{cells}: merged cells; unmerge them (values must sit in single cells)"),
    "formula": N_("{cell} ({field}): a formula ({formula}); type the value instead (copy the "
                  "cell, then paste values only)"),
    "error_value": N_("{cell} ({field}): an error value ({value}); type the value"),
    "date": N_("{cell} ({field}): a date or time where {expected} is expected; type a number "
               "(format the cell as Number)"),
    "text_for_number": N_("{cell} ({field}): the text {value} where a number is expected; type "
                          "a number, without spaces or currency signs"),
    "not_text": N_("{cell} ({field}): {what} where text is expected"),
    "unknown_column": N_("{cell}: unknown column {name}{hint}"),
    "unknown_field": N_("{cell}: unknown field {name}{hint}"),
    "no_name_column": N_("{cell}: a column without a name holds values (in {first}); name it or "
                         "delete it"),
    "duplicate_column": N_("{cell}: column {name} again (already in {first})"),
    "duplicate_field": N_("{cell}: field {name} again (already in {first})"),
    "missing_column": N_("{sheet}!1: the column {name} is missing (every row needs it)"),
    "missing_key_column": N_("{sheet}!1: the column '{name}' is missing (a {sheet} sheet has "
                             "the columns field and value)"),
    "value_without_field": N_("{cell}: a value without a field name in column A"),
    "empty_row": N_("{sheet} {row_word} {row}: an empty row inside the table (rows 2 to {last}); "
                    "delete it: only empty rows after the last line are ignored"),
    "not_for_type": N_("{cell} ({field}): a {kind} lever has no {field}; leave the cell empty "
                       "(the Help sheet lists the columns of each type)"),
    "notes_both": N_("{cell} ({field}): give notes either in one column notes or in notes.1, "
                     "notes.2, ..., not both"),
    "cannot_write": N_("{path}: cannot be written to a workbook ({why})"),
    "more_problems": N_("... and {count} more problems"),
}

# Number formats. Reading never depends on them: a cell holds the exact value.
FORMAT_EUR = "#,##0"
FORMAT_EUR_CENTS = "#,##0.00"
FORMAT_PERCENT = "0.0##%"
FORMAT_GENERAL = "General"
# Excel shows a TRUE/FALSE cell as such whatever its format; LibreOffice shows it as 1/0
# unless the format says otherwise.
FORMAT_BOOLEAN = '"TRUE";"TRUE";"FALSE"'

# Fields shown as percentages (dotted names within their row or sheet) and as EUR.
PERCENT_FIELDS = frozenset({
    "private_share", "alpha", "targets", "inflation", "discount", "max_fraction", "min_fraction", "downside", "max_increase",
    "step", "max_rate", "success_rate", "cost_share", "common_factor", "low", "mode", "high",
    "uncertainty.low", "uncertainty.mode", "uncertainty.high",
})
EUR_FIELDS = frozenset({
    "amount", "min_result", "fee", "cost_per_member", "price", "unit_cost", "setup_cost",
    "launch_risk", "volume", "grant", "proposal_cost", "risk_per_unit", "staff.cost_per_fte",
    "setup.risk", "revenues", "expenditures", "setup.expenditures", "reserves", "min_reserves",
})

# Limits: a case workbook is a few tens of kB.
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 1_000
MAX_PROBLEMS = 60
TEMPLATE_ROWS = 500  # drop-down lists and formats reach this row, for lines added by hand

# ---------------------------------------------------------------------------------------
# The layout, derived from the JSON Schema.
# ---------------------------------------------------------------------------------------

TABLE_SHEETS = ("revenues", "expenditures", "levers", "rules", "shocks")
KEY_SHEETS = ("cluster", "target", "uncertainty", "horizon")
REQUIRED_SHEETS = ("cluster", "revenues", "expenditures", "target", "levers")
SHEET_ORDER = ("cluster", "revenues", "expenditures", "target", "levers", "rules", "shocks",
               "uncertainty", "horizon")
_ABSENT = object()
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ID_PATTERN = "^[a-z0-9_-]{1,40}$"


@dataclass
class Field:
    """One field of a row (or of a key/value sheet): `path` are its keys from the row."""

    path: tuple[str, ...]
    kind: str  # number, integer, boolean, string, enum, notes, map, list
    choices: tuple[str, ...] = ()
    pattern: bool = False  # an id: spaces around it are never meant
    defaults: dict[str, Any] = field(default_factory=dict)  # lever type (or "") -> default
    lever_types: list[str] = field(default_factory=list)
    item_kind: str = ""  # a list: the kind of its items (number, integer), one cell each

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass
class Sheet:
    key: str  # cluster, revenues, ...
    fields: list[Field]
    required: tuple[str, ...] = ()  # fields every row needs (tables)

    @property
    def name(self) -> str:
        return SHEET_NAMES[self.key]

    @property
    def table(self) -> bool:
        return self.key in TABLE_SHEETS


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise CaseError(_(MSG["needs_openpyxl"])) from None
    return openpyxl


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    # The schema is fixed for the process (generating it takes a fifth of a second):
    # computed once.
    return case_schema()


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


def _object_fields(obj: Mapping[str, Any], defs: Mapping[str, Any], prefix: tuple[str, ...],
                   lever_type: str = "", skip: Iterable[str] = ()) -> list[Field]:
    out: list[Field] = []
    for key, prop in obj.get("properties", {}).items():
        if key in skip:
            continue
        path = prefix + (key,)
        options = [_resolve(o, defs) for o in prop.get("anyOf", [prop])]
        options = [o for o in options if o.get("type") != "null"]
        types = {o.get("type") for o in options}
        default = {lever_type: prop["default"]} if "default" in prop else {}
        if types == {"string", "array"}:
            out.append(Field(path, "notes"))
            continue
        if len(options) != 1:
            raise CaseError(_(MSG["cannot_write"]).format(path=".".join(path),
                                                       why="a field of several kinds"))
        (opt,) = options
        kind = opt.get("type")
        if "const" in opt or "enum" in opt:
            choices = (opt["const"],) if "const" in opt else tuple(opt["enum"])
            out.append(Field(path, "enum", choices, defaults=default))
        elif kind == "object" and "properties" in opt:
            out += _object_fields(opt, defs, path, lever_type)
        elif kind == "object":
            out.append(Field(path, "map"))
        elif kind == "array" and opt.get("items", {}).get("type") in ("number", "integer"):
            # A list of figures (the horizon's years, targets): name.1, name.2, ...
            out.append(Field(path, "list", item_kind=opt["items"]["type"]))
        elif kind in ("number", "integer", "boolean", "string"):
            out.append(Field(path, kind, pattern=opt.get("pattern") == _ID_PATTERN,
                             defaults=default))
        else:
            raise CaseError(_(MSG["cannot_write"]).format(path=".".join(path),
                                                       why=f"a field of type {kind}"))
    return out


def _merge(fields: list[Field], more: list[Field], lever_type: str) -> None:
    """Union of lever fields across types, in order of first appearance."""
    by_path = {f.path: f for f in fields}
    for f in more:
        have = by_path.get(f.path)
        if have is None:
            f.lever_types = [lever_type]
            fields.append(f)
            by_path[f.path] = f
            continue
        have.lever_types.append(lever_type)
        have.defaults.update(f.defaults)
        if have.kind == "enum" and f.kind == "enum":
            have.choices += tuple(c for c in f.choices if c not in have.choices)


@functools.lru_cache(maxsize=1)
def layout() -> dict[str, Sheet]:
    """The sheets of a case workbook, by key, in workbook order (computed once: do not
    modify it)."""
    schema = _schema()
    defs = schema.get("$defs", {})
    props = schema["properties"]
    sheets: dict[str, Sheet] = {}
    cluster = _object_fields(schema, defs, (), skip=TABLE_SHEETS + KEY_SHEETS + NOT_IN_WORKBOOK)
    sheets["cluster"] = Sheet("cluster", cluster)
    for key in TABLE_SHEETS:
        items = props[key]["items"]
        if key == "levers":
            fields: list[Field] = []
            refs = items.get("oneOf") or items.get("anyOf") or []
            for ref in refs:
                model = _resolve(ref, defs)
                kind = model["properties"]["type"]["const"]
                _merge(fields, _object_fields(model, defs, (), kind), kind)
            first = ("id", "type", "label", "enabled", "downside")
            nested = [f for f in fields if f.path[0] == "uncertainty"]
            notes = [f for f in fields if f.path == ("notes",)]
            rest = [f for f in fields if f.name not in first and f not in nested + notes]
            head = sorted((f for f in fields if f.name in first),
                          key=lambda f: first.index(f.name))
            required = tuple(sorted(set.intersection(*(set(_resolve(r, defs).get(
                "required", ())) for r in refs)), key=lambda n: first.index(n)
                if n in first else 99))
            sheets[key] = Sheet(key, head + rest + nested + notes, required)
        else:
            model = _resolve(items, defs)
            fields = _object_fields(model, defs, ())
            if key == "rules":  # read like the inequality: name, terms..., sense, rhs
                order = {"name": 0, "terms": 1, "sense": 2, "rhs": 3}
                fields.sort(key=lambda f: order.get(f.path[0], 4))
            sheets[key] = Sheet(key, fields, tuple(model.get("required", ())))
    for key in ("target", "uncertainty", "horizon"):
        sheets[key] = Sheet(key, _object_fields(_resolve(_nonnull(props[key]), defs), defs, ()))
    return {k: sheets[k] for k in SHEET_ORDER}


def _nonnull(prop: Mapping[str, Any]) -> Mapping[str, Any]:
    for option in prop.get("anyOf", [prop]):
        if option.get("type") != "null":
            return option
    return prop


# ---------------------------------------------------------------------------------------
# Paths and cell names.
# ---------------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:-]{1,60}")


def _render(parts: Iterable[str | int]) -> str:
    """('levers', 3, 'max_fraction') -> 'levers[3].max_fraction', as validation writes it."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += part if not out else f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


# A key may hold ':' (revenue:fees), but the path ends at ': '.
_SEGMENT = re.compile(r'\.?([A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)*)|\[(\d+)\]'
                      r'|\[("(?:[^"\\]|\\.)*")\]')


def _parse_path(text: str) -> tuple[list[str | int], int]:
    """The JSON path at the start of a message, as parts, and where it ends."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if not m or (m.group(1) is not None and text[pos] != "." and parts):
            break
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            try:
                parts.append(json.loads(m.group(3)))
            except ValueError:
                break
        pos = m.end()
    return parts, pos


def _label(parts: list[str | int]) -> str:
    """The column (or field) name of a path: 'levers[2].notes[0]' -> 'notes.1'."""
    rest = list(parts)
    if rest and rest[0] in TABLE_SHEETS:
        rest = rest[2:] if len(rest) > 1 and isinstance(rest[1], int) else rest[1:]
    elif rest and rest[0] in ("target", "uncertainty"):
        rest = rest[1:]
    return ".".join(str(p + 1) if isinstance(p, int) else p for p in rest)


def translate(problems: Iterable[str], cells: Mapping[str, str]) -> list[str]:
    """Validation messages with JSON paths -> the same messages naming sheets and cells.

    `levers[3].max_fraction: must be between 0 and 1, got 1.5` becomes
    `Levers!F5 (max_fraction): must be between 0 and 1, got 1.5`. A path with no cell of its
    own (a missing column, a lever as a whole) names the row or the sheet; references to
    other rows inside the message (`(levers[1] already raises it)`) name their rows too.
    Messages without a known path are returned as they are.
    """
    out = []
    for problem in problems:
        parts, end = _parse_path(problem)
        # French puts a narrow no-break space before the colon (optimizer.i18n)
        colon = next((c for c in (": ", "\u202f: ") if problem.startswith(c, end)), None)
        if not parts or colon is None:
            out.append(problem)
            continue
        for k in range(len(parts), 0, -1):
            where = cells.get(_render(parts[:k]))
            if where is not None:
                break
        else:
            out.append(problem)
            continue
        label = _label(parts)
        rest = _ROW_REFERENCE.sub(lambda m: cells.get(m.group(0), m.group(0)),
                                  problem[end + len(colon):])
        out.append(f"{where} ({label}){colon}{rest}" if label else f"{where}{colon}{rest}")
    return out


_ROW_REFERENCE = re.compile(rf"\b(?:{'|'.join(TABLE_SHEETS)})\[\d+\]")


def _row_name(sheet: str, row: int) -> str:
    return f"{sheet} {_(ROW_WORD)} {row}"


# ---------------------------------------------------------------------------------------
# Reading.
# ---------------------------------------------------------------------------------------

def _check_bytes(data: bytes, source: str) -> None:
    """Refuse what is not an xlsx workbook before openpyxl sees it, with a useful message."""
    if len(data) > MAX_WORKBOOK_BYTES:
        raise CaseError(_(MSG["too_large"]).format(source=source,
                                                limit=MAX_WORKBOOK_BYTES // 2**20))
    if data.startswith(_OLE2):
        # An encrypted xlsx is an OLE2 compound file holding these two streams.
        names = ("EncryptionInfo", "EncryptedPackage")
        if any(n.encode("utf-16-le") in data for n in names):
            raise CaseError(_(MSG["encrypted"]).format(source=source))
        raise CaseError(_(MSG["xls"]).format(source=source))
    if not data.startswith(b"PK"):
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith((b"{", b"[")):
            raise CaseError(_(MSG["json_renamed"]).format(source=source))
        try:
            text = data[:4096].decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data[:4096].decode("cp1252")
            except UnicodeDecodeError:
                text = ""
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable >= 0.95 * len(text):
            raise CaseError(_(MSG["text"]).format(source=source))
        raise CaseError(_(MSG["not_xlsx"]).format(source=source))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CaseError(_(MSG["corrupt"]).format(source=source, detail=_short(exc))) from None
    members = {i.filename for i in infos}
    if "mimetype" in members and b"opendocument" in _read_member(archive, "mimetype", source):
        raise CaseError(_(MSG["ods"]).format(source=source))
    if "xl/workbook.bin" in members:
        raise CaseError(_(MSG["xlsb"]).format(source=source))
    if "xl/workbook.xml" not in members:
        raise CaseError(_(MSG["other_zip"]).format(source=source))
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise CaseError(_(MSG["too_large_unzipped"]).format(source=source,
                                                         limit=MAX_UNZIPPED_BYTES // 2**20))
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            content = _read_member(archive, info.filename, source)
            # No spreadsheet program writes a DTD; entities are how XML bombs expand.
            if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                raise CaseError(_(MSG["doctype"]).format(source=source, part=info.filename))


def _read_member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise CaseError(_(MSG["corrupt"]).format(source=source, detail=_short(exc))) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _load(data: bytes, source: str) -> Any:
    openpyxl = _openpyxl()
    _check_bytes(data, source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension not supported" and the like
            return openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    # openpyxl raises many kinds (KeyError, TypeError, XML errors...) on a damaged file;
    # any of them means the same to the user.
    except Exception as exc:  # noqa: BLE001
        raise CaseError(_(MSG["corrupt"]).format(source=source, detail=_short(exc))) from None


@dataclass
class _Column:
    index: int  # 1-based
    letter: str
    field: Field | None  # None: a help column, ignored
    key: str | None = None  # map key
    item: int | None = None  # notes.N


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _closest(name: str, pool: Iterable[str]) -> str | None:
    pool = list(pool)
    close = difflib.get_close_matches(name.lower(), [p.lower() for p in pool], n=1, cutoff=0.6)
    return next(p for p in pool if p.lower() == close[0]) if close else None


def _near(name: str, pool: Iterable[str]) -> str:
    match = _closest(name, pool)
    return _(MSG["did_you_mean"]).format(name=match) if match is not None else ""


def _match(name: str, fields: list[Field]) -> tuple[Field, str | None, int | None] | None:
    """A column header (or a field name in a key/value sheet) -> (field, map key, item)."""
    text = name.strip()
    lower = text.lower()
    for f in fields:
        if f.kind != "map" and lower == f.name.lower():
            return f, None, None
    for f in fields:
        prefix = f.name.lower() + "."
        if f.kind == "map" and lower.startswith(prefix) and len(text) > len(prefix):
            return f, text[len(prefix):], None
        if f.kind in ("notes", "list") and lower.startswith(prefix):
            number = text[len(prefix):]
            if number.isdigit() and int(number) >= 1:
                return f, None, int(number)
    return None


def _pool(fields: list[Field]) -> list[str]:
    return [f"{f.name}.LINE" if f.kind == "map" else f.name for f in fields]


def _convert(cell: Any, f: Field, where: str, label: str, problems: list[str]) -> Any:
    """A cell's value as the JSON value of field f (or _ABSENT), or a problem."""
    value = cell.value
    kind = f.item_kind if f.kind == "list" else f.kind
    constant = _BOOLEAN_FORMULA.fullmatch(value) if cell.data_type == "f" and isinstance(
        value, str) else None
    if constant:  # LibreOffice saves a TRUE/FALSE cell as the formula =TRUE() or =FALSE()
        value = constant.group(1).upper() == "TRUE"
    elif cell.data_type == "f" or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        text = value if isinstance(value, str) else getattr(value, "text", None) or "="
        problems.append(_(MSG["formula"]).format(cell=where, field=label,
                                              formula=_excerpt(str(text))))
        return _ABSENT
    if cell.data_type == "e":
        problems.append(_(MSG["error_value"]).format(cell=where, field=label, value=value))
        return _ABSENT
    if _is_blank(value):
        return _ABSENT
    if isinstance(value, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        expected = _("text") if kind in ("string", "notes", "enum") else _("a number")
        problems.append(_(MSG["date"]).format(cell=where, field=label, expected=expected))
        return _ABSENT
    if kind == "boolean":
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        elif isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
        return value
    if kind in ("number", "integer", "map"):
        if isinstance(value, str):
            problems.append(_(MSG["text_for_number"]).format(cell=where, field=label,
                                                          value=_excerpt(value)))
            return _ABSENT
        if isinstance(value, float) and value.is_integer() and (
                kind == "integer" or abs(value) < 2**53):
            # Excel stores every number as a double; a whole one reads back as an int.
            return int(value)
        return value
    if kind == "enum":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if f.path == ("sense",):
                text = SENSE_SYNONYMS.get(text, text)
            return text
        return value
    if isinstance(value, bool):
        problems.append(_(MSG["not_text"]).format(cell=where, field=label,
                                               what="TRUE" if value else "FALSE"))
        return _ABSENT
    if isinstance(value, int | float):
        return _number_text(value)
    return value.strip() if f.pattern else value


_BOOLEAN_FORMULA = re.compile(r"=\s*(TRUE|FALSE)\s*(?:\(\s*\))?\s*", re.IGNORECASE)


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excerpt(text: str) -> str:
    text = text.replace("\n", " ")
    return json.dumps(text if len(text) <= 50 else text[:47] + "...", ensure_ascii=False)


def _assign(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = value


class _Reader:
    def __init__(self, workbook: Any, sheets: dict[str, Sheet]):
        self.workbook = workbook
        self.sheets = sheets
        self.problems: list[str] = []
        self.cells: dict[str, str] = {}
        self.raw: dict[str, Any] = {}

    # -- sheets ---------------------------------------------------------------------------
    def find_sheets(self) -> dict[str, Any]:
        by_name = {ws.title: ws for ws in self.workbook.worksheets}
        by_lower = {title.strip().lower(): ws for title, ws in by_name.items()}
        known = [SHEET_NAMES[k] for k in self.sheets] + [SHEET_NAMES["help"]]
        found: dict[str, Any] = {}
        for key, sheet in self.sheets.items():
            ws = by_name.get(sheet.name) or by_lower.get(sheet.name.lower())
            if ws is not None:
                found[key] = ws
        used = {ws.title for ws in found.values()}
        strays = [t for t in by_name if t not in used and t.strip().lower() != "help"]
        for key in self.sheets:
            if key in found:
                continue
            title = SHEET_NAMES[key]
            near = _closest(title, strays)
            if near is not None:  # 'Lever' for 'Levers': a sheet the user meant to be read
                strays.remove(near)
                what = "renamed_sheet" if key in REQUIRED_SHEETS else "near_sheet"
                self.problems.append(_(MSG[what]).format(sheet=title, found=near,
                                                      known=", ".join(known)))
            elif key in REQUIRED_SHEETS:
                needed = ", ".join(SHEET_NAMES[k] for k in REQUIRED_SHEETS)
                self.problems.append(_(MSG["missing_sheet"]).format(sheet=title, needed=needed))
        return found

    def grid(self, ws: Any) -> list[list[Any]] | None:
        """The sheet's cells, row by row, after checks of size and merged cells."""
        name = ws.title
        if ws.max_row > MAX_SHEET_ROWS:
            self.problems.append(_(MSG["too_many_rows"]).format(sheet=name, rows=ws.max_row,
                                                             limit=MAX_SHEET_ROWS))
            return None
        if ws.max_column > MAX_SHEET_COLUMNS:
            self.problems.append(_(MSG["too_many_columns"]).format(
                sheet=name, columns=ws.max_column, limit=MAX_SHEET_COLUMNS))
            return None
        merged = sorted(str(r) for r in ws.merged_cells.ranges)
        for cells in merged:
            self.problems.append(_(MSG["merged"]).format(sheet=name, cells=cells))
        return [list(row) for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row, 1),
                                                  max_col=max(ws.max_column, 1))]

    def last_row(self, ws: Any, rows: list[list[Any]]) -> int:
        """The number of the last non-empty row; refuses empty rows before it."""
        empty = [all(_is_blank(c.value) for c in row) for row in rows]
        last = max((i for i, e in enumerate(empty) if not e), default=0) + 1
        for i in range(1, last):
            if empty[i]:
                self.problems.append(_(MSG["empty_row"]).format(
                    sheet=ws.title, row_word=_(ROW_WORD), row=i + 1, last=last))
        return last

    def cell_name(self, ws: Any, cell: Any) -> str:
        title = ws.title
        quoted = f"'{title}'" if not re.fullmatch(r"[A-Za-z0-9_]+", title) else title
        return f"{quoted}!{cell.coordinate}"

    # -- a table --------------------------------------------------------------------------
    def header(self, ws: Any, rows: list[list[Any]], sheet: Sheet) -> list[_Column]:
        columns: list[_Column] = []
        seen: dict[tuple[Any, ...], str] = {}
        for cell in rows[0] if rows else []:
            where = self.cell_name(ws, cell)
            value = cell.value
            if cell.data_type == "f":
                self.problems.append(_(MSG["formula"]).format(cell=where, field=_("column name"),
                                                           formula=_excerpt(str(value))))
                continue
            if _is_blank(value):
                filled = [r[cell.column - 1] for r in rows[1:]
                          if not _is_blank(r[cell.column - 1].value)]
                if filled:
                    self.problems.append(_(MSG["no_name_column"]).format(
                        cell=where, first=self.cell_name(ws, filled[0])))
                continue
            name = _number_text(value) if isinstance(value, int | float) else str(value)
            match = _match(name, sheet.fields)
            if match is None:
                self.problems.append(_(MSG["unknown_column"]).format(
                    cell=where, name=_excerpt(name.strip()),
                    hint=_near(name.strip(), _pool(sheet.fields))))
                continue
            f, key, item = match
            ident = (f.path, key, item)
            if ident in seen:
                self.problems.append(_(MSG["duplicate_column"]).format(
                    cell=where, name=_excerpt(name.strip()), first=seen[ident]))
                continue
            seen[ident] = where
            columns.append(_Column(cell.column, cell.column_letter, f, key, item))
        present = {c.field.name for c in columns if c.field is not None}
        has_rows = any(not _is_blank(c.value) for row in rows[1:] for c in row)
        for f in sheet.fields if has_rows else ():
            if f.name in sheet.required and f.name not in present:
                name = f"{f.name}.*" if f.kind == "map" else f.name
                self.problems.append(_(MSG["missing_column"]).format(sheet=ws.title, name=name))
        return columns

    def table(self, sheet: Sheet, ws: Any) -> list[dict[str, Any]] | None:
        rows = self.grid(ws)
        if rows is None:
            return None
        columns = self.header(ws, rows, sheet)
        last = self.last_row(ws, rows)
        self.cells[sheet.key] = ws.title
        items: list[dict[str, Any]] = []
        for r in range(1, last):
            row = rows[r]
            if all(_is_blank(c.value) for c in row):
                continue
            index = len(items)
            base: list[str | int] = [sheet.key, index]
            self.cells[_render(base)] = _row_name(ws.title, r + 1)
            items.append(self.row(ws, sheet, row, columns, base))
        return items

    def row(self, ws: Any, sheet: Sheet, row: list[Any], columns: list[_Column],
            base: list[str | int]) -> dict[str, Any]:
        item: dict[str, Any] = {}
        notes: dict[tuple[str, ...], dict[int, Any]] = {}
        where_of: dict[tuple[str, ...], str] = {}
        kind_cell = next((row[c.index - 1] for c in columns
                          if c.field is not None and c.field.path == ("type",)), None)
        lever_kind = kind_cell.value.strip() if kind_cell is not None and isinstance(
            kind_cell.value, str) else None
        for column in columns:
            f = column.field
            if f is None:
                continue
            cell = row[column.index - 1]
            where = self.cell_name(ws, cell)
            parts = base + list(f.path)
            if column.key is not None:
                parts.append(column.key)
            if column.item is not None:
                parts.append(column.item - 1)
            label = _label(parts)
            self.cells[_render(parts)] = where
            value = _convert(cell, f, where, label, self.problems)
            if value is _ABSENT:
                continue
            if (sheet.key == "levers" and _known_type(lever_kind, sheet)
                    and lever_kind not in f.lever_types):
                self.problems.append(_(MSG["not_for_type"]).format(cell=where, field=label,
                                                                kind=lever_kind))
                continue
            if column.key is not None:
                _assign(item, f.path + (column.key,), value)
            elif column.item is not None:
                notes.setdefault(f.path, {})[column.item] = value
                where_of.setdefault(f.path, where)
            else:
                _assign(item, f.path, value)
                where_of[f.path] = where
        for path, numbered in notes.items():
            if _has(item, path):
                self.problems.append(_(MSG["notes_both"]).format(
                    cell=where_of[path], field=".".join(path)))
                continue
            _assign(item, path, [numbered[k] for k in sorted(numbered)])
        return _ordered(item, sheet.fields)

    # -- a key/value sheet ----------------------------------------------------------------
    def keys(self, sheet: Sheet, ws: Any, prefix: list[str | int]) -> dict[str, Any]:
        rows = self.grid(ws)
        if rows is None:
            return {}
        if prefix:
            self.cells[_render(prefix)] = ws.title
        else:  # a root field without a row of its own (a missing name) names the sheet
            for f in sheet.fields:
                self.cells.setdefault(f.path[0], ws.title)
        role: dict[str, int] = {}
        for cell in rows[0] if rows else []:
            if _is_blank(cell.value):
                continue
            name = str(cell.value).strip().lower()
            names = {v.lower(): k for k, v in KEY_HEADERS.items()}
            if name in names and names[name] not in role:
                role[names[name]] = cell.column
            else:
                self.problems.append(_(MSG["unknown_column"]).format(
                    cell=self.cell_name(ws, cell), name=_excerpt(str(cell.value).strip()),
                    hint=_near(name, KEY_HEADERS.values())))
        for needed in ("field", "value"):
            if needed not in role:
                self.problems.append(_(MSG["missing_key_column"]).format(
                    sheet=ws.title, name=KEY_HEADERS[needed]))
        if "field" not in role or "value" not in role:
            return {}
        last = self.last_row(ws, rows)
        obj: dict[str, Any] = {}
        notes: dict[tuple[str, ...], dict[int, Any]] = {}
        where_of: dict[tuple[str, ...], str] = {}
        seen: dict[tuple[Any, ...], str] = {}
        for r in range(1, last):
            key_cell = rows[r][role["field"] - 1]
            value_cell = rows[r][role["value"] - 1]
            key_where = self.cell_name(ws, key_cell)
            where = self.cell_name(ws, value_cell)
            if key_cell.data_type == "f":
                self.problems.append(_(MSG["formula"]).format(
                    cell=key_where, field="field name", formula=_excerpt(str(key_cell.value))))
                continue
            if _is_blank(key_cell.value):
                if not _is_blank(value_cell.value):
                    self.problems.append(_(MSG["value_without_field"]).format(cell=where))
                continue
            name = str(key_cell.value).strip()
            match = _match(name, sheet.fields)
            if match is None:
                self.problems.append(_(MSG["unknown_field"]).format(
                    cell=key_where, name=_excerpt(name), hint=_near(name, _pool(sheet.fields))))
                continue
            f, key, item = match
            ident = (f.path, key, item)
            if ident in seen:
                self.problems.append(_(MSG["duplicate_field"]).format(
                    cell=key_where, name=_excerpt(name), first=seen[ident]))
                continue
            seen[ident] = key_where
            parts = prefix + list(f.path)
            if key is not None:
                parts.append(key)
            if item is not None:
                parts.append(item - 1)
            label = _label(parts)
            self.cells[_render(parts)] = where
            value = _convert(value_cell, f, where, label, self.problems)
            if value is _ABSENT:
                continue
            if key is not None:
                _assign(obj, f.path + (key,), value)
            elif item is not None:
                notes.setdefault(f.path, {})[item] = value
                where_of.setdefault(f.path, where)
            else:
                _assign(obj, f.path, value)
                where_of[f.path] = where
        for path, numbered in notes.items():
            if _has(obj, path):
                self.problems.append(_(MSG["notes_both"]).format(cell=where_of[path],
                                                              field=".".join(path)))
                continue
            _assign(obj, path, [numbered[k] for k in sorted(numbered)])
        return _ordered(obj, sheet.fields)


def _known_type(kind: Any, sheet: Sheet) -> bool:
    type_field = next(f for f in sheet.fields if f.path == ("type",))
    return isinstance(kind, str) and kind in type_field.choices


def _has(obj: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = obj
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def _ordered(obj: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    """Keys in the order of the layout's fields (the JSON case's order), nested too."""
    out: dict[str, Any] = {}
    for f in fields:
        head = f.path[0]
        if head in obj and head not in out:
            value = obj[head]
            if isinstance(value, dict) and len(f.path) > 1:
                inner = [Field(g.path[1:], g.kind) for g in fields
                         if g.path[0] == head and len(g.path) > 1]
                value = _ordered(value, inner)
            out[head] = value
    for key, value in obj.items():  # map keys, in column order
        out.setdefault(key, value)
    return out


def read_workbook(data: bytes, source: str = "workbook") -> tuple[dict[str, Any], dict[str, str]]:
    """A case workbook (the bytes of an .xlsx file) -> (the raw case dict, cells).

    The raw dict has the field names of the JSON case and is validated by
    `optimizer.load_case`; `cells` maps JSON paths (`levers[3].max_fraction`) to cells
    (`Levers!F5`), rows (`Levers row 5`) and sheets, for `translate`. Raises `CaseError`
    naming the sheet, row and column of every cell it cannot read.
    """
    workbook = _load(data, source)
    sheets = layout()
    reader = _Reader(workbook, sheets)
    found = reader.find_sheets()
    raw: dict[str, Any] = {}
    parts: dict[str, Any] = {}
    for key, sheet in sheets.items():
        ws = found.get(key)
        if ws is None:
            continue
        if sheet.table:
            items = reader.table(sheet, ws)
            if items is not None and (items or key == "levers"):
                parts[key] = items
        elif key == "cluster":
            parts.update(reader.keys(sheet, ws, []))
        else:
            obj = reader.keys(sheet, ws, [key])
            if obj or key == "target":
                parts[key] = obj
    if reader.problems:
        problems = reader.problems
        if len(problems) > MAX_PROBLEMS:  # a sheet of 5,000 formulas gets a readable answer
            problems = problems[:MAX_PROBLEMS] + [
                _(MSG["more_problems"]).format(count=len(problems) - MAX_PROBLEMS)]
        raise CaseError(problems)
    order = list(_schema()["properties"])
    for key in order:
        if key in parts:
            raw[key] = parts[key]
    return raw, reader.cells


def load_workbook_case(data: bytes, source: str = "workbook") -> Any:
    """Read and validate a case workbook: a `Case`, or `CaseError` naming cells."""
    raw, cells = read_workbook(data, source)
    try:
        return validate(raw)
    except CaseError as exc:
        raise CaseError(translate(exc.problems, cells)) from None


# ---------------------------------------------------------------------------------------
# Writing (the template).
# ---------------------------------------------------------------------------------------

def _number_format(f: Field, value: Any = None) -> str:
    if f.kind == "boolean":
        return FORMAT_BOOLEAN
    if f.kind == "map" and f.name in EUR_FIELDS or f.name in EUR_FIELDS:
        if isinstance(value, float) and not value.is_integer():
            return FORMAT_EUR_CENTS
        return FORMAT_EUR
    if f.name in PERCENT_FIELDS and "number" in (f.kind, f.item_kind):
        return FORMAT_PERCENT
    return FORMAT_GENERAL


def _set(cell: Any, value: Any, f: Field | None = None) -> None:
    """Write one value: text always as text (a label '=1+1' stays a label), numbers and
    booleans as themselves."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
        return
    cell.value = value
    if f is not None and isinstance(value, int | float):
        cell.number_format = _number_format(f, value)


def _columns_for(sheet: Sheet, items: list[dict[str, Any]]) -> list[tuple[Field, Any, Any]]:
    """The columns a table needs: every plain field (the template shows them all), nested
    groups when some row uses them, one column per map key in use, notes.N for lists."""
    columns: list[tuple[Field, Any, Any]] = []
    for f in sheet.fields:
        if sheet.key == "levers" and f.path[0] == "uncertainty" and not any(
                "uncertainty" in i for i in items):
            continue
        if f.kind == "map":
            keys: list[str] = []
            for i in items:
                node: Any = i
                for k in f.path:
                    node = node.get(k, {}) if isinstance(node, dict) else {}
                keys += [k for k in node if k not in keys] if isinstance(node, dict) else []
            columns += [(f, k, None) for k in keys]
            continue
        if f.kind == "notes":
            longest = max((len(v) for v in (_get(i, f.path) for i in items)
                           if isinstance(v, list)), default=0)
            if any(isinstance(_get(i, f.path), str) for i in items) or not longest:
                columns.append((f, None, None))
            columns += [(f, None, n) for n in range(1, longest + 1)]
            continue
        columns.append((f, None, None))
    return columns


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def _header_name(f: Field, key: Any, item: Any) -> str:
    if key is not None:
        return f"{f.name}.{key}"
    if item is not None:
        return f"{f.name}.{item}"
    return f.name


def _help_of(sheet: str, name: str) -> str:
    text = FIELD_HELP.get(f"{sheet}:{name}") or FIELD_HELP.get(name, "")
    return _(text) if text else ""


def _check_writable(raw: Mapping[str, Any], sheets: dict[str, Sheet]) -> None:
    """Every value must have a place in the workbook (a valid case always has)."""
    problems: list[str] = []

    def walk(obj: Any, fields: list[Field], parts: list[str | int], depth: int = 0) -> None:
        # A list of figures (horizon.years) is one cell per item: name.1, name.2, ...
        if not isinstance(obj, dict):
            return
        for key, value in obj.items():
            sub = [f for f in fields if f.path[depth:depth + 1] == (key,)]
            here = parts + [key]
            if not sub:
                problems.append(_(MSG["cannot_write"]).format(path=_render(here),
                                                           why=_("an unknown field")))
                continue
            exact = [f for f in sub if len(f.path) == depth + 1]
            if exact:
                f = exact[0]
                if f.kind == "map" and isinstance(value, dict):
                    for k, v in value.items():
                        if isinstance(v, dict | list):
                            problems.append(_(MSG["cannot_write"]).format(
                                path=_render(here + [k]), why=_("a nested value in a map")))
                elif f.kind == "list" and isinstance(value, list):
                    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
                        problems.append(_(MSG["cannot_write"]).format(
                            path=_render(here), why=_("a list that is not all numbers")))
                elif f.kind == "notes" and isinstance(value, list):
                    if any(not isinstance(v, str) for v in value):
                        problems.append(_(MSG["cannot_write"]).format(
                            path=_render(here), why=_("notes that are not all text")))
                elif isinstance(value, dict | list):
                    problems.append(_(MSG["cannot_write"]).format(path=_render(here),
                                                               why=_("a nested value")))
                continue
            walk(value, sub, here, depth + 1)

    for key, value in raw.items():
        if key in TABLE_SHEETS:
            if not isinstance(value, list):
                problems.append(_(MSG["cannot_write"]).format(path=key, why=_("not a list")))
                continue
            for i, item in enumerate(value):
                walk(item, sheets[key].fields, [key, i])
        elif key in ("target", "uncertainty", "horizon"):
            walk(value, sheets[key].fields, [key])
        else:
            walk({key: value}, sheets["cluster"].fields, [])
    if problems:
        raise CaseError(problems)


# Parts of a case that have no workbook layout yet; a case that uses one stays a JSON file.
NOT_IN_WORKBOOK: tuple[str, ...] = ()


def write_template(raw_case: Mapping[str, Any] | Case) -> bytes:
    """A case (its raw dict, valid, or a `Case`) as a workbook that `read_workbook` reads back
    to the same dict: a Help sheet, one sheet per part, drop-down lists, number formats,
    frozen headers. Returns the bytes of the .xlsx file; the caller writes it:

        Path("case.xlsx").write_bytes(optimizer.write_template(optimizer.load_case(path)))
    """
    if isinstance(raw_case, Case):
        raw_case = raw_case.model_dump(mode="json", exclude_unset=True)
    openpyxl = _openpyxl()
    from_mapping(raw_case)
    for key in NOT_IN_WORKBOOK:
        if raw_case.get(key) is not None:
            raise CaseError(_(MSG["not_in_workbook"]).format(path=key))  # a template of an invalid case would mislead
    sheets = layout()
    _check_writable(raw_case, sheets)
    wb = openpyxl.Workbook()
    help_ws = wb.active
    help_ws.title = SHEET_NAMES["help"]
    for key, sheet in sheets.items():
        if key in ("cluster", "target"):
            obj = raw_case if key == "cluster" else raw_case.get("target", {})
            _write_keys(wb.create_sheet(sheet.name), sheet, obj)
        elif key in ("uncertainty", "horizon"):
            if raw_case.get(key):
                _write_keys(wb.create_sheet(sheet.name), sheet, raw_case[key])
        elif key in REQUIRED_SHEETS or key == "rules" or raw_case.get(key):
            _write_table(wb.create_sheet(sheet.name), sheet, list(raw_case.get(key) or []))
    _write_help(help_ws, sheets, raw_case)
    for ws in wb.worksheets:
        _print_setup(ws)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return _exact_numbers(out.getvalue(), _inexact_cells(wb))


def _inexact_cells(wb: Any) -> dict[str, dict[str, str]]:
    """Cells whose number openpyxl would write to 16 significant digits only (it writes
    '%.16g'): sheet title -> {coordinate: the shortest text that reads back exactly}."""
    out: dict[str, dict[str, str]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, float) and not isinstance(value, bool) and \
                        float(f"{value:.16g}") != value:
                    out.setdefault(ws.title, {})[cell.coordinate] = repr(value)
    return out


def _exact_numbers(data: bytes, fixes: Mapping[str, Mapping[str, str]]) -> bytes:
    """The saved workbook with those cells' numbers written in full (17 digits, as Excel
    itself writes them), so that any case reads back exactly."""
    if not fixes:
        return data
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    from xml.etree import ElementTree
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        book = ElementTree.fromstring(src.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(src.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
        parts: dict[str, Mapping[str, str]] = {}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            title = sheet.get("name", "")
            if title in fixes:
                target = targets[sheet.get(f"{{{ns['r']}}}id", "")].lstrip("/")
                parts[target if target.startswith("xl/") else f"xl/{target}"] = fixes[title]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                content = src.read(info)
                cells = parts.get(info.filename)
                if cells:
                    text = content.decode("utf-8")
                    for coordinate, number in cells.items():
                        # The number holds only digits, '.', '-', '+' and 'e': no escape.
                        text = re.sub(rf'(<c r="{coordinate}"[^>]*>)<v>[^<]*</v>',
                                      rf"\g<1><v>{number}</v>", text, count=1)
                    content = text.encode("utf-8")
                dst.writestr(info, content)
    return out.getvalue()


def _print_setup(ws: Any) -> None:
    """Printed (or saved as PDF): landscape, one page wide, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if ws.max_column <= 12:  # a wide table (Levers) prints on several pages across instead
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if ws.title != SHEET_NAMES["help"]:
        ws.print_title_rows = "1:1"


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill
    return {
        "header_font": Font(bold=True),
        "header_fill": PatternFill("solid", start_color="DDE6F0"),
        "title_font": Font(bold=True, size=14),
        "section_font": Font(bold=True, size=12),
        "grey": PatternFill("solid", start_color="EEEEEE", end_color="EEEEEE"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "left_wrap": Alignment(wrap_text=True, vertical="top", horizontal="left"),
        "top": Alignment(vertical="top"),
    }


def _validation(ws: Any, choices: Iterable[str], ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation
    listed = ",".join(choices)
    dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    dv.error = f"Choose one of: {listed}"
    dv.errorTitle = "Invalid value"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(ref)


def _choices(f: Field) -> tuple[str, ...] | None:
    if f.kind == "boolean":
        return ("TRUE", "FALSE")
    if f.kind == "enum" and all(isinstance(c, str) for c in f.choices):
        return f.choices
    return None


def _width(texts: Iterable[Any], low: int = 8, high: int = 60) -> float:
    longest = max((len(_display(t)) for t in texts), default=0)
    return float(min(high, max(low, longest + 2)))


def _display(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.4g}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value) if value is not None else ""


def _write_keys(ws: Any, sheet: Sheet, obj: Mapping[str, Any]) -> None:
    st = _styles()
    headers = (KEY_HEADERS["field"], KEY_HEADERS["value"], KEY_HEADERS["help"])
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        _set(cell, text)
        cell.font = st["header_font"]
        cell.fill = st["header_fill"]
    row = 2
    values: list[Any] = []
    for f in sheet.fields:
        if sheet.key == "cluster" and f.path[0] == "schema_version" and "schema_version" \
                not in obj:
            continue
        value = _get(obj, f.path)
        entries: list[tuple[str, Any]]
        if f.kind in ("notes", "list") and isinstance(value, list):
            entries = [(f"{f.name}.{n}", v) for n, v in enumerate(value, start=1)]
        elif f.kind == "map":
            entries = [(f"{f.name}.{k}", v) for k, v in (value or {}).items()]
        else:
            entries = [(f.name, value)]
        for name, v in entries:
            _set(ws.cell(row=row, column=1), name)
            if v is not None:
                _set(ws.cell(row=row, column=2), v, f)
                values.append(v)
            else:
                ws.cell(row=row, column=2).number_format = _number_format(f)
            _set(ws.cell(row=row, column=3), _help_of(sheet.key, f.name))
            choices = _choices(f)
            if choices:
                _validation(ws, choices, f"B{row}")
            for col in (1, 3):
                ws.cell(row=row, column=col).alignment = st["top"]
            ws.cell(row=row, column=2).alignment = st["left_wrap"]
            if isinstance(v, str) and len(v) > 66:  # wrapped: not every program fits rows
                ws.row_dimensions[row].height = 15 * -(-len(v) // 66)
            row += 1
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = _width(values, 14, 60)
    ws.column_dimensions["C"].width = 80
    ws.freeze_panes = "A2"


def _write_table(ws: Any, sheet: Sheet, items: list[dict[str, Any]]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.utils import get_column_letter
    st = _styles()
    columns = _columns_for(sheet, items)
    last = max(TEMPLATE_ROWS, len(items) + 1)
    type_letter = None
    for col, (f, key, item) in enumerate(columns, start=1):
        if f.path == ("type",):
            type_letter = get_column_letter(col)
    for col, (f, key, item) in enumerate(columns, start=1):
        letter = get_column_letter(col)
        name = _header_name(f, key, item)
        cell = ws.cell(row=1, column=col)
        _set(cell, name)
        cell.font = st["header_font"]
        cell.fill = st["header_fill"]
        meaning = _help_of(sheet.key, f.name)
        if meaning:
            comment = Comment(meaning, "cluster-optimizer")
            comment.width, comment.height = 300, 110
            cell.comment = comment
        texts: list[Any] = [name]
        for r, obj in enumerate(items, start=2):
            value = _get(obj, f.path)
            if key is not None:
                value = value.get(key) if isinstance(value, dict) else None
            elif item is not None:
                value = value[item - 1] if isinstance(value, list) and item <= len(value) \
                    else None
            elif f.kind == "notes" and isinstance(value, list):
                value = None
            target = ws.cell(row=r, column=col)
            if value is not None:
                _set(target, value, f)
                texts.append(value)
            else:
                target.number_format = _number_format(f)
        choices = _choices(f)
        if choices:
            _validation(ws, choices, f"{letter}2:{letter}{last}")
        high = 60 if f.kind == "notes" else 36
        low = 10 if f.kind in ("boolean", "enum") else 8  # room for FALSE and the arrow
        ws.column_dimensions[letter].width = _width(texts, low, high)
        if sheet.key == "levers" and type_letter and f.lever_types and \
                len(f.lever_types) < len(_type_choices(sheet)):
            others = ",".join(f'${type_letter}2<>"{t}"' for t in f.lever_types)
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{last}",
                FormulaRule(formula=[f'AND(${type_letter}2<>"",{others})'], fill=st["grey"]))
    freeze = {"levers": "C2", "rules": "B2", "shocks": "A2"}.get(sheet.key, "B2")
    ws.freeze_panes = freeze


def _type_choices(sheet: Sheet) -> tuple[str, ...]:
    return next(f.choices for f in sheet.fields if f.path == ("type",))


def _write_help(ws: Any, sheets: dict[str, Sheet], raw_case: Mapping[str, Any]) -> None:
    st = _styles()
    row = 1
    widths = (14, 28, 90, 22, 24, 40)
    for n, text in enumerate(_(t) for t in HELP_INTRO):
        cell = ws.cell(row=row, column=1)
        _set(cell, text)
        if n == 0:
            cell.font = st["title_font"]
        else:  # the Help sheet is not read: merged cells are fine here
            ws.merge_cells(start_row=row, start_column=1, end_row=row,
                           end_column=len(widths))
            cell.alignment = st["wrap"]
            ws.row_dimensions[row].height = 15 * -(-len(text) // int(sum(widths) * 0.9))
        row += 1
    row += 1
    for col, text in enumerate((_(t) for t in HELP_COLUMNS), start=1):
        cell = ws.cell(row=row, column=col)
        _set(cell, text)
        cell.font = st["header_font"]
        cell.fill = st["header_fill"]
    header_row = row
    row += 1
    for key, sheet in sheets.items():
        cell = ws.cell(row=row, column=1)
        _set(cell, SHEET_NAMES[key])
        cell.font = st["section_font"]
        _set(ws.cell(row=row, column=3), _(SHEET_HELP[key]))
        row += 1
        all_types = len(_type_choices(sheet)) if key == "levers" else 0
        for f in sheet.fields:
            name = f"{f.name}.LINE" if f.kind == "map" else f.name
            if f.path == ("terms",):
                name = "terms.QUANTITY"
            applies = _(ALL_TYPES_WORD) if not f.lever_types or len(f.lever_types) == all_types \
                else ", ".join(f.lever_types)
            if f.kind == "enum":
                unit = _(UNITS["enum"]).format(choices=", ".join(map(str, f.choices)))
            elif f.name in EUR_FIELDS:
                unit = _(UNITS["eur"])
            elif f.name in PERCENT_FIELDS and "number" in (f.kind, f.item_kind):
                unit = _(UNITS["percent"])
            elif f.kind == "list":
                unit = _(UNITS[f.item_kind])
            else:
                unit = _(UNITS[f.kind]) if f.kind in UNITS else ""
            values = [(_default_text(f, d), t) for t, d in f.defaults.items()
                      if d is not None and d != {}]
            if len({v for v, _type in values}) > 1:
                default = _("; ").join(f"{t}: {v}" for v, t in values)
            else:
                default = values[0][0] if values else ""
            cells = [SHEET_NAMES[key], name, _help_of(key, f.name), unit, default,
                     applies if key == "levers" else ""]
            lines = 1
            for col, text in enumerate(cells, start=1):
                _set(ws.cell(row=row, column=col), text)
                ws.cell(row=row, column=col).alignment = st["wrap"]
                lines = max(lines, -(-len(text) // int(widths[col - 1] * 1.1)))
            if lines > 1:  # programs do not all fit the height of wrapped text on opening
                ws.row_dimensions[row].height = 15 * lines
            row += 1
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(ord("A") + col - 1)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate


def _default_text(f: Field, value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and f.name in PERCENT_FIELDS:
        return f"{value * 100:g}%"
    if isinstance(value, int | float):
        return f"{value:,g}"
    return str(value)


__all__ = ["layout", "load_workbook_case", "read_workbook", "translate", "write_template"]

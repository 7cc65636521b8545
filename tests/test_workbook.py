"""Excel in and out (issue 12): case workbooks (`optimizer.case.workbook`) and report
workbooks (`optimizer.report.workbook`).

Round trips are compared as canonical JSON: keys sorted, and a number written the way
RFC 8785 writes it (1.0 and 1 are one JSON number; Excel stores both as the double 1).
Whole numbers come back as ints, so a case's ints stay ints. Workbooks are read back with
openpyxl and pandas, and, when LibreOffice is installed, re-saved or converted by it.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer.case.workbook import (
    MAX_WORKBOOK_BYTES,
    load_workbook_case,
    read_workbook,
    translate,
    write_template,
)
from optimizer.report.workbook import write_report

from .conftest import CASES, DATA
from .random_cases import random_cases

# A path over several years (`horizon`, lists per year) has no workbook layout yet: the
# template refuses it, naming the field (tests/test_io_cli.py).
BUNDLED = sorted(p for p in CASES.glob("*.json") if "horizon" not in json.loads(p.read_text()))
AURA = CASES / "aura-average-2020.json"
UNCERTAIN = CASES / "aura-average-2020-uncertain.json"
FIXTURES = DATA / "workbook"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _canonical(value: Any) -> str:
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(w) for k, w in v.items()}
        if isinstance(v, list):
            return [norm(w) for w in v]
        return v
    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


def _ints(value: Any, path: str = "") -> dict[str, int]:
    """Every int of a JSON value, by path (bools excluded)."""
    out: dict[str, int] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_ints(v, f"{path}.{k}"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(_ints(v, f"{path}[{i}]"))
    elif isinstance(value, int) and not isinstance(value, bool):
        out[path] = value
    return out


def _plan(raw: dict, solver: str = "cbc") -> dict:
    result = optimizer.solve(optimizer.load_case(raw), solver=solver).to_dict()
    return {"status": result["status"], "risk": result["risk"],
            "levers": {lv["id"]: lv["value"] for lv in result["levers"]}}


def _edit(data: bytes, change) -> bytes:
    """The workbook with one change made through openpyxl (a user editing it)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _column(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


def _letter(ws, name: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == name)


def _problems(data: bytes, source: str = "case.xlsx") -> list[str]:
    with pytest.raises(optimizer.CaseError) as info:
        load_workbook_case(data, source)
    return info.value.problems


# A rule of the kind a case may carry (the bundled cases now use the eligible-cost cap of
# model version 2 instead): the tests below edit and read a Rules sheet with a row.
EU_RULE = {"name": "EU cap on public operating aid",
           "terms": {"public": 1, "expenditures": -0.5}, "sense": "<=", "rhs": 0,
           "notes": "EU State-aid rule: public operating aid at most 50 % of costs."}


@pytest.fixture(scope="module")
def aura_raw() -> dict:
    return {**json.loads(AURA.read_text()), "rules": [EU_RULE]}


@pytest.fixture(scope="module")
def aura_book(aura_raw) -> bytes:
    return write_template(aura_raw)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_case_round_trips_exactly(path):
    """JSON -> workbook -> JSON gives the same case, ints as ints."""
    raw = json.loads(path.read_text())
    back, cells = read_workbook(write_template(raw), path.name)
    assert _canonical(back) == _canonical(raw)
    ints = _ints(back)
    assert all(ints.get(path) == value for path, value in _ints(raw).items())
    assert cells["levers[0].id"] == "Levers!A2"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_case_gives_the_same_plan_from_its_workbook(path):
    raw = json.loads(path.read_text())
    if "cvar" in json.dumps(raw.get("target", {})):
        raw["target"]["scenarios"] = 200  # the same program, smaller: the point is equality
    back, _ = read_workbook(write_template(raw))
    assert _plan(back) == _plan(raw)


def test_fifty_random_cases_round_trip_with_identical_plans():
    for i, raw in enumerate(random_cases(1207, 50)):
        back, _ = read_workbook(write_template(raw), f"random {i}")
        assert _canonical(back) == _canonical(raw), i
        assert _plan(back, "highs") == _plan(raw, "highs"), i


def _dressed(raw: dict, rng: random.Random) -> dict:
    """A random case with what random_cases does not draw: notes as text and as lists,
    labels that look like formulas, shocks, lever uncertainty, a case-level common factor,
    a rule on a lever, odd but valid values."""
    raw = copy.deepcopy(raw)
    odd = ["=1+1", "+33 6 12", "-5 % fees", "@sum", "Café, 25 %", "  spaces  "]
    notes = odd + ["tab\there", "line\nbreak"]  # labels are one line; notes need not be
    raw["notes"] = rng.choice([rng.choice(notes), [rng.choice(notes), "second"], ["only"]])
    raw["staff"] = {**raw.get("staff", {}), "notes": rng.choice(notes)}
    for item in raw["revenues"] + raw["expenditures"]:
        if rng.random() < 0.5:
            item["label"] = rng.choice(odd)
    for lever in raw["levers"]:
        lever["label"] = rng.choice(odd)
        if rng.random() < 0.3:
            lever["notes"] = [rng.choice(notes) for _ in range(rng.randint(1, 3))]
        if lever["type"] == "service" and rng.random() < 0.5:
            lever["price"] = lever["price"] + 0.1 + 0.2  # a double that needs 17 digits
        if lever["type"] != "grant_cut" and rng.random() < 0.5:
            low = round(rng.uniform(0.2, 0.9), 2)
            lever["uncertainty"] = {"low": low, "high": rng.choice([1, 1.0, 1.2]),
                                    "common": rng.random() < 0.5}
            if lever["type"] == "fee_increase" and rng.random() < 0.5:
                lever["uncertainty"]["elasticity"] = {"low": 0.2, "high": 1.5}
            if lever["type"] == "eu_projects":
                lever["uncertainty"]["wins"] = rng.choice(["each", "expected"])
    raw["shocks"] = [{"revenue": raw["revenues"][-1]["id"], "low": 0.5, "mode": 0.9,
                      "high": 1.0, "notes": "a bad year"},
                     {"expenditure": raw["expenditures"][0]["id"], "low": 1.0, "high": 1.1,
                      "common": False}]
    raw["uncertainty"] = {"common_factor": round(rng.uniform(0, 0.9), 2)}
    raw["target"]["notes"] = ["why this target", "=not a formula"]
    return raw


def test_cases_with_notes_shocks_and_uncertainty_round_trip():
    rng = random.Random(5)
    for i, raw in enumerate(random_cases(77, 15)):
        raw = _dressed(raw, rng)
        optimizer.load_case(raw)  # the dressed case is valid
        back, _ = read_workbook(write_template(raw))
        assert _canonical(back) == _canonical(raw), i


def test_doubles_that_need_17_digits_come_back_exactly(aura_raw):
    raw = copy.deepcopy(aura_raw)
    raw["levers"][0]["max_fraction"] = 0.1 + 0.2 - 0.2  # 0.10000000000000003
    raw["target"]["private_share"] = 0.1 + 0.2 + 0.3  # 0.6000000000000001
    raw["revenues"][0]["amount"] = 350000.12345678901
    back, _ = read_workbook(write_template(raw))
    assert back["levers"][0]["max_fraction"] == raw["levers"][0]["max_fraction"]
    assert back["target"]["private_share"] == raw["target"]["private_share"]
    assert back["revenues"][0]["amount"] == raw["revenues"][0]["amount"]


def test_a_list_of_one_note_stays_a_list_and_a_text_stays_a_text(aura_raw):
    raw = copy.deepcopy(aura_raw)
    raw["notes"] = ["one"]
    raw["levers"][0]["notes"] = ["only"]
    raw["levers"][1]["notes"] = "plain"
    back, _ = read_workbook(write_template(raw))
    assert back["notes"] == ["one"]
    assert back["levers"][0]["notes"] == ["only"]
    assert back["levers"][1]["notes"] == "plain"


def test_load_workbook_case_returns_the_validated_case(aura_book, aura_raw):
    case = load_workbook_case(aura_book, "aura.xlsx")
    assert case.name == aura_raw["name"]
    assert [lv.id for lv in case.levers] == [lv["id"] for lv in aura_raw["levers"]]


# ------------------------------------------------------------------ the template


def test_template_has_help_dropdowns_formats_and_frozen_headers(aura_book):
    wb = openpyxl.load_workbook(io.BytesIO(aura_book))
    assert wb.sheetnames == ["Help", "Cluster", "Revenues", "Expenditures", "Target", "Levers",
                             "Rules"]
    assert wb.active.title == "Help"
    help_text = " ".join(str(c.value) for row in wb["Help"].iter_rows() for c in row if c.value)
    for word in ("max_fraction", "uncertainty.low", "revenues.LINE", "terms.QUANTITY",
                 "TRUE/FALSE", "formula"):
        assert word in help_text
    levers = wb["Levers"]
    lists = {str(dv.sqref): dv.formula1 for dv in levers.data_validations.dataValidation}
    type_col = _letter(levers, "type")
    assert lists[f"{type_col}2:{type_col}500"] == (
        '"cut,grant_cut,fee_increase,new_members,service,success_fee,eu_projects,custom"')
    enabled = _letter(levers, "enabled")
    assert lists[f"{enabled}2:{enabled}500"] == '"TRUE,FALSE"'
    public = _letter(wb["Revenues"], "public")
    assert any(str(dv.sqref) == f"{public}2:{public}500" and dv.formula1 == '"TRUE,FALSE"'
               for dv in wb["Revenues"].data_validations.dataValidation)
    sense = _letter(wb["Rules"], "sense")
    assert any(str(dv.sqref) == f"{sense}2:{sense}500" and dv.formula1 == '"<=,>=,=="'
               for dv in wb["Rules"].data_validations.dataValidation)
    assert wb["Revenues"].cell(row=2, column=_column(wb["Revenues"], "amount")).number_format \
        == "#,##0"
    fraction = levers.cell(row=2, column=_column(levers, "max_fraction"))
    assert fraction.value == 0.1 and fraction.number_format.endswith("%")
    assert levers.freeze_panes == "C2" and wb["Revenues"].freeze_panes == "B2"
    assert wb["Cluster"].freeze_panes == "A2"
    assert levers.cell(row=1, column=_column(levers, "price")).comment is not None
    assert wb["Revenues"].column_dimensions[_letter(wb["Revenues"], "label")].width > 20
    # The columns a type does not use are greyed by a rule on the type column.
    assert any(f'${type_col}2<>"service"' in rule.formula[0]
               for rng in levers.conditional_formatting for rule in rng.rules)


def test_template_writes_values_as_numbers_booleans_and_text(aura_book):
    wb = openpyxl.load_workbook(io.BytesIO(aura_book))
    revenues = wb["Revenues"]
    assert revenues["C2"].value == 350000 and revenues["C2"].data_type == "n"
    assert revenues["D2"].value is True and revenues["D2"].data_type == "b"
    assert wb["Target"]["B2"].value == 0.6


def test_labels_that_look_like_formulas_stay_text_in_the_template(aura_raw):
    raw = copy.deepcopy(aura_raw)
    labels = ["=HYPERLINK(\"http://x\",\"y\")", "+33 6 12", "-10 %", "@SUM(A1)"]
    for lever, label in zip(raw["levers"], labels):
        lever["label"] = label
    raw["name"] = "=cmd|' /C calc'!A0"
    data = write_template(raw)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    levers = wb["Levers"]
    label_col = _column(levers, "label")
    for row, label in enumerate(labels, start=2):
        cell = levers.cell(row=row, column=label_col)
        assert cell.data_type == "s" and cell.value == label
    assert wb["Cluster"]["B3"].data_type == "s"
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet6.xml").decode()
    back, _ = read_workbook(data)
    assert [lv["label"] for lv in back["levers"][:4]] == labels
    assert back["name"] == raw["name"]


def test_a_template_of_an_invalid_case_is_refused(aura_raw):
    raw = copy.deepcopy(aura_raw)
    raw["levers"][0]["max_fraction"] = 1.5
    with pytest.raises(optimizer.CaseError, match=r"levers\[0\]\.max_fraction"):
        write_template(raw)


# ------------------------------------------------------------------ what a user types


def test_cells_a_user_types_are_read_as_the_json_values(aura_book):
    def change(wb):
        rev = wb["Revenues"]
        rev.cell(row=2, column=_column(rev, "public")).value = "yes"
        rev.cell(row=3, column=_column(rev, "public")).value = 1
        rev.cell(row=5, column=_column(rev, "public")).value = "False"
        rev.cell(row=2, column=_column(rev, "amount")).value = 350000.0
        lv = wb["Levers"]
        lv.cell(row=2, column=_column(lv, "id")).value = "  "  # blank: the id is absent
        lv.cell(row=2, column=_column(lv, "id")).value = "cut-overheads"
        lv.cell(row=9, column=_column(lv, "max_units")).value = 12.0
        lv.cell(row=11, column=_column(lv, "max_proposals")).value = 6.0
        lv.cell(row=3, column=_column(lv, "type")).value = " cut "
        wb["Rules"].cell(row=2, column=_column(wb["Rules"], "sense")).value = "="
        wb["Rules"].cell(row=2, column=_column(wb["Rules"], "rhs")).value = 0.0
    back, _ = read_workbook(_edit(aura_book, change))
    assert [r["public"] for r in back["revenues"][:4]] == [True, True, True, False]
    assert back["revenues"][0]["amount"] == 350000
    assert isinstance(back["levers"][8 - 1]["max_units"], int)
    assert back["levers"][9]["max_proposals"] == 6 and isinstance(
        back["levers"][9]["max_proposals"], int)
    assert back["levers"][1]["type"] == "cut"
    assert back["rules"][0]["sense"] == "=="


def test_libreoffice_booleans_saved_as_formulas_are_booleans(aura_book):
    """LibreOffice writes a TRUE cell as the formula =TRUE() with its value."""
    def change(wb):
        rev = wb["Revenues"]
        rev.cell(row=2, column=_column(rev, "public")).value = "=TRUE()"
        rev.cell(row=5, column=_column(rev, "public")).value = "=false()"
    back, _ = read_workbook(_edit(aura_book, change))
    assert back["revenues"][0]["public"] is True
    assert back["revenues"][3]["public"] is False


def test_empty_rows_after_the_last_line_are_ignored(aura_book):
    def change(wb):
        ws = wb["Levers"]
        ws.cell(row=40, column=1).value = "   "
        ws.cell(row=41, column=3).number_format = "0.0%"
    back, _ = read_workbook(_edit(aura_book, change))
    assert len(back["levers"]) == 10


def test_unknown_sheets_and_the_help_sheet_are_ignored(aura_book, aura_raw):
    def change(wb):
        wb.create_sheet("My sums")["A1"] = "=SUM(1,2)"
        wb["Help"]["A1"] = "=1+1"
    back, _ = read_workbook(_edit(aura_book, change))
    assert _canonical(back) == _canonical(aura_raw)


# ------------------------------------------------------------------ bad input


def test_a_bad_value_names_its_cell(aura_book):
    data = _edit(aura_book, lambda wb: wb["Levers"].cell(
        row=2, column=_column(wb["Levers"], "max_fraction")).__setattr__("value", 1.5))
    col = _letter(openpyxl.load_workbook(io.BytesIO(data))["Levers"], "max_fraction")
    assert _problems(data) == [(f"Levers!{col}2 (max_fraction): must be between 0 and 1, "
                               "got 1.5")]


def test_translate_rewrites_paths_rows_and_references():
    cells = {"levers": "Levers", "levers[0]": "Levers row 2", "levers[3]": "Levers row 5",
             "levers[3].max_fraction": "Levers!G5", "levers[0].notes[1]": "Levers!BD2",
             "rules[0].terms.revenue:fees": "Rules!C2", "target": "Target",
             "target.private_share": "Target!B2"}
    assert translate(["levers[3].max_fraction: must be between 0 and 1, got 1.5",
                      "levers[3].price: required field is missing",
                      ("levers[3]: a second fee_increase on 'fees' (levers[0] already raises "
                      "it); keep one"),
                      "levers[0].notes[1]: must be a string",
                      "rules[0].terms.revenue:fees: unknown line",
                      "target.min_members: must be a whole number, got 2.5",
                      "... and 3 more problems"], cells) == [
        "Levers!G5 (max_fraction): must be between 0 and 1, got 1.5",
        "Levers row 5 (price): required field is missing",
        ("Levers row 5: a second fee_increase on 'fees' (Levers row 2 already raises it); "
        "keep one"),
        "Levers!BD2 (notes.2): must be a string",
        "Rules!C2 (terms.revenue:fees): unknown line",
        "Target (min_members): must be a whole number, got 2.5",
        "... and 3 more problems"]


def test_a_formula_where_a_number_is_expected_is_refused(aura_book):
    data = _edit(aura_book, lambda wb: wb["Levers"].cell(
        row=7, column=_column(wb["Levers"], "price")).__setattr__("value", "=1000*1.2"))
    col = _letter(openpyxl.load_workbook(io.BytesIO(data))["Levers"], "price")
    assert _problems(data) == [
        (f'Levers!{col}7 (price): a formula ("=1000*1.2"); type the value instead (copy the '
        "cell, then paste values only)")]


def test_a_sheet_of_formulas_gets_a_readable_answer(aura_book):
    def change(wb):
        for row in range(2, 80):
            wb["Revenues"].cell(row=row, column=3).value = f"=B{row}*2"
    problems = _problems(_edit(aura_book, change))
    assert len(problems) == 61 and problems[-1] == "... and 18 more problems"


def test_merged_cells_are_refused(aura_book):
    data = _edit(aura_book, lambda wb: wb["Levers"].merge_cells("C3:E3"))
    assert _problems(data) == [("Levers!C3:E3: merged cells; unmerge them (values must sit in "
                               "single cells)")]


def test_an_empty_row_inside_a_table_is_refused(aura_book):
    data = _edit(aura_book, lambda wb: wb["Levers"].insert_rows(5))
    assert _problems(data) == [
        ("Levers row 5: an empty row inside the table (rows 2 to 12); delete it: only empty "
        "rows after the last line are ignored")]


def test_a_renamed_column_is_refused_with_the_close_name(aura_book):
    def change(wb):
        ws = wb["Levers"]
        ws.cell(row=1, column=_column(ws, "max_fraction")).value = "Max fraction"
    data = _edit(aura_book, change)
    col = _letter(openpyxl.load_workbook(io.BytesIO(aura_book))["Levers"], "max_fraction")
    assert _problems(data) == [
        f"Levers!{col}1: unknown column \"Max fraction\"; did you mean 'max_fraction'?"]


def test_a_column_named_in_another_case_is_accepted(aura_book):
    def change(wb):
        ws = wb["Levers"]
        ws.cell(row=1, column=_column(ws, "price")).value = " PRICE "
    back, _ = read_workbook(_edit(aura_book, change))
    assert back["levers"][5]["price"] == 6000


def test_a_missing_or_renamed_sheet_is_refused(aura_book):
    def drop(wb):
        del wb["Revenues"]
    assert _problems(_edit(aura_book, drop)) == [
        ("the workbook has no sheet 'Revenues'; a case needs the sheets Cluster, Revenues, "
        "Expenditures, Target, Levers")]
    data = _edit(aura_book, lambda wb: setattr(wb["Levers"], "title", "Lever"))
    assert _problems(data) == [("the workbook has no sheet 'Levers': rename the sheet 'Lever' "
                               "to 'Levers'")]


def test_text_a_date_or_an_error_where_a_number_is_expected(aura_book):
    def change(wb):
        rev = wb["Revenues"]
        rev.cell(row=2, column=_column(rev, "amount")).value = "350 000 €"
        rev.cell(row=3, column=_column(rev, "amount")).value = dt.datetime(2020, 1, 1)
        rev.cell(row=4, column=_column(rev, "amount")).value = "#DIV/0!"
    data = _edit(aura_book, change)
    col = _letter(openpyxl.load_workbook(io.BytesIO(data))["Revenues"], "amount")
    assert _problems(data) == [
        (f'Revenues!{col}2 (amount): the text "350 000 €" where a number is expected; type a '
        "number, without spaces or currency signs"),
        (f"Revenues!{col}3 (amount): a date or time where a number is expected; type a number "
        "(format the cell as Number)"),
        f"Revenues!{col}4 (amount): an error value (#DIV/0!); type the value"]


def test_a_field_the_lever_type_does_not_have_is_refused(aura_book):
    def change(wb):
        ws = wb["Levers"]
        ws.cell(row=2, column=_column(ws, "price")).value = 100
    data = _edit(aura_book, change)
    col = _letter(openpyxl.load_workbook(io.BytesIO(data))["Levers"], "price")
    assert _problems(data) == [
        (f"Levers!{col}2 (price): a cut lever has no price; leave the cell empty (the Help "
        "sheet lists the columns of each type)")]


def test_validation_problems_name_cells_rows_and_sheets(aura_book):
    def change(wb):
        lv = wb["Levers"]
        lv.cell(row=3, column=_column(lv, "type")).value = "grantcut"
        lv.cell(row=2, column=_column(lv, "expenditure")).value = "overhead"
        wb["Cluster"]["B3"] = None  # the name
        wb["Target"]["B2"] = 60
    data = _edit(aura_book, change)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    kind, line = _letter(wb["Levers"], "type"), _letter(wb["Levers"], "expenditure")
    assert _problems(data) == [
        "Cluster!B3 (name): required field is missing",
        ("Target!B2 (private_share): must be above 0 and below 1, got 60 (fractions are "
         "decimals: "
        "write 0.6 for 60 %)"),
        (f'Levers!{kind}3 (type): unknown lever type "grantcut"; use one of cut, grant_cut, '
        "fee_increase, new_members, service, success_fee, eu_projects, custom")]
    data = _edit(aura_book, lambda wb: wb["Levers"].cell(
        row=2, column=_column(wb["Levers"], "expenditure")).__setattr__("value", "overhead"))
    assert _problems(data) == [(f"Levers!{line}2 (expenditure): no expenditure line 'overhead'; "
                               "did you mean 'overheads'?")]


def test_a_second_fee_increase_names_both_rows(aura_raw):
    raw = copy.deepcopy(aura_raw)
    raw["levers"].append({"id": "fees-again", "type": "fee_increase", "max_increase": 0.1})
    data = _edit(write_template(aura_raw), lambda wb: _append_lever(wb, raw["levers"][-1]))
    assert _problems(data) == [("Levers row 12: a second fee_increase on 'fees' (Levers row 5 "
                               "already raises it); keep one")]


def _append_lever(wb, lever: dict) -> None:
    ws = wb["Levers"]
    for key, value in lever.items():
        ws.cell(row=12, column=_column(ws, key)).value = value


def test_a_missing_required_column_is_named_once(aura_book):
    data = _edit(aura_book, lambda wb: wb["Revenues"].delete_cols(
        _column(wb["Revenues"], "public")))
    assert _problems(data) == ["Revenues!1: the column public is missing (every row needs it)"]


@pytest.mark.parametrize("name, expected", [
    ("encrypted.xlsx", ("case.xlsx: the workbook is protected by a password (encrypted); open "
                       "it, remove the password")),
    ("old-format.xls", ("case.xlsx: an old Excel 97-2003 workbook (.xls); open it in Excel or "
                       "LibreOffice and save it as an Excel workbook (.xlsx)")),
    ("opendocument.ods", ("case.xlsx: an OpenDocument spreadsheet (.ods); save it as an Excel "
                         "workbook (.xlsx)")),
])
def test_files_of_other_formats_are_named(name, expected):
    """The fixtures were made by real programs: msoffcrypto-tool (an xlsx encrypted with a
    password) and LibreOffice (save as .xls, .ods)."""
    problems = _problems((FIXTURES / name).read_bytes())
    assert len(problems) == 1 and problems[0].startswith(expected)


def test_text_json_corrupt_and_oversized_files_are_refused(aura_book, aura_raw):
    csv = b"id,label,amount,public\nregion,Regional council,350000,TRUE\n"
    assert _problems(csv) == [
        ("case.xlsx: not an Excel workbook: it is a text file (a CSV renamed .xlsx?); open it "
        "in Excel or LibreOffice and save it as an Excel workbook (.xlsx)")]
    assert _problems(json.dumps(aura_raw).encode()) == [
        "case.xlsx: not an Excel workbook: it is a JSON file; give it a .json name"]
    truncated = _problems(aura_book[: len(aura_book) // 2])
    assert truncated[0].startswith("case.xlsx: the workbook cannot be read (BadZipFile")
    assert _problems(bytes(range(256)) * 8) == ["case.xlsx: not an Excel workbook (.xlsx)"]
    assert _problems(b"PK" + bytes(MAX_WORKBOOK_BYTES)) == [
        "case.xlsx: the file is larger than 20 MB; a case workbook is far smaller"]
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert _problems(other.getvalue()) == [
        "case.xlsx: a zip file but not an Excel workbook (no xl/workbook.xml)"]


def test_a_workbook_that_unpacks_too_large_or_declares_entities_is_refused(aura_book):
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(aura_book)) as src, zipfile.ZipFile(
            bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("xl/media/padding.bin", bytes(101 * 2**20))
    assert _problems(bomb.getvalue()) == [
        "case.xlsx: the workbook unpacks to more than 100 MB; a case workbook is far smaller"]
    laughs = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(aura_book)) as src, zipfile.ZipFile(laughs, "w") as z:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/workbook.xml":
                content = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + content
            z.writestr(info, content)
    assert _problems(laughs.getvalue()) == [
        ("case.xlsx: the workbook holds an XML document type declaration (xl/workbook.xml), "
        "which no spreadsheet program writes; refused")]


def test_random_edits_give_a_case_or_a_case_error_never_a_crash(aura_book):
    """A user can type anything anywhere: every outcome is a case or a CaseError whose
    problems each name a sheet (or the file)."""
    rng = random.Random(12)
    values = [None, "", " ", "x", "=A1", "=TRUE()", "#N/A", -1, 0, 1, 0.5, 1e20, True, False,
              dt.datetime(2021, 3, 4), dt.time(12, 0), "TRUE", "1,5", "levers", "notes.3",
              "uncertainty.low", "revenues.fees", "type"]
    sheets = ["Cluster", "Revenues", "Expenditures", "Target", "Levers", "Rules"]
    names = ("Cluster", "Revenues", "Expenditures", "Target", "Levers", "Rules", "case.xlsx",
             "the workbook")
    for _ in range(60):
        def change(wb):
            for _ in range(rng.randint(1, 4)):
                ws = wb[rng.choice(sheets)]
                ws.cell(row=rng.randint(1, 14), column=rng.randint(1, 12)).value = \
                    rng.choice(values)
        data = _edit(aura_book, change)
        try:
            load_workbook_case(data, "case.xlsx")
        except optimizer.CaseError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.startswith(names) or problem.startswith("..."), problem


def test_without_openpyxl_both_modules_say_what_to_install(monkeypatch, aura_raw):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    with pytest.raises(optimizer.CaseError, match=r"pip install 'cluster-optimizer\[xlsx\]'"):
        read_workbook(b"PK")
    with pytest.raises(optimizer.CaseError, match=r"pip install 'cluster-optimizer\[xlsx\]'"):
        write_template(aura_raw)
    with pytest.raises(optimizer.CaseError, match=r"pip install 'cluster-optimizer\[xlsx\]'"):
        write_report({"levers": [], "budget": {}})


# ------------------------------------------------------------------ real clients


def _soffice(args: list[str], tmp_path: Path) -> None:
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: runs in parallel are fine
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args],
                   check=True, capture_output=True, timeout=300)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_a_template_resaved_by_libreoffice_reads_back_the_same_case(tmp_path):
    raw = json.loads(UNCERTAIN.read_text())
    (tmp_path / "in.xlsx").write_bytes(write_template(raw))
    out = tmp_path / "out"
    _soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
              str(tmp_path / "in.xlsx")], tmp_path)
    back, _ = read_workbook((out / "in.xlsx").read_bytes(), "resaved")
    assert _canonical(back) == _canonical(raw)


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
def test_libreoffice_shows_the_report_figures(tmp_path, aura_raw):
    result = optimizer.solve(optimizer.load_case(aura_raw)).to_dict()
    (tmp_path / "report.xlsx").write_bytes(write_report(result, {"case": aura_raw}))
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "report.xlsx")],
             tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "Average AURA cluster, 2020: optimal" in text
    assert f"{result['risk']:,.0f}" in text  # EUR at risk, a number shown with its format
    revenues = [sum(line[when] for line in result["budget"]["revenues"])
                for when in ("before", "after")]
    shown = r"\s+".join(re.escape(f"{x / 1000:,.1f}") for x in revenues)
    assert re.search(r"Total revenues\s+" + shown, text), text  # k EUR
    assert f"{result['indicators']['private_share']['after']:.1%}" in text


# ------------------------------------------------------------------ the report workbook


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


@pytest.fixture(scope="module")
def aura_result(aura_raw) -> dict:
    return optimizer.solve(optimizer.load_case(aura_raw)).to_dict()


def test_report_of_a_plan_holds_the_json_figures(aura_result, aura_raw):
    data = write_report(aura_result, {"case": aura_raw})
    frames = _sheets(data)
    assert list(frames) == ["Plan", "Levers", "Budget", "Indicators"]
    levers = frames["Levers"].iloc[:-1]
    assert list(levers["id"]) == [lv["id"] for lv in aura_result["levers"]]
    assert list(levers["value"]) == [lv["value"] for lv in aura_result["levers"]]
    assert list(levers["EUR at risk"]) == [lv["risk"] for lv in aura_result["levers"]]
    assert list(levers["label"]) == [lv["label"] for lv in aura_raw["levers"]]
    assert list(levers["used"]) == [lv["value"] != 0 for lv in aura_result["levers"]]
    assert frames["Levers"]["EUR at risk"].iloc[-1] == aura_result["risk"]
    for column in ("value", "EUR at risk", "members change", "FTE used"):
        assert pd.api.types.is_numeric_dtype(levers[column]), column
    budget = frames["Budget"]
    lines = budget[budget["id"].notna()]
    expected = aura_result["budget"]["revenues"] + aura_result["budget"]["expenditures"]
    assert list(lines["id"]) == [b["id"] for b in expected]
    assert list(lines["before (k EUR)"]) == [b["before"] for b in expected]
    assert list(lines["after (k EUR)"]) == [b["after"] for b in expected]
    totals = budget.set_index("label")
    ind = aura_result["indicators"]
    assert totals.loc["Public revenues", "after (k EUR)"] == ind["public"]["after"]
    assert totals.loc["Private revenues", "after (k EUR)"] == ind["private"]["after"]
    assert totals.loc["Result (revenues - expenditures)", "after (k EUR)"] == \
        ind["result"]["after"]
    indicators = frames["Indicators"].set_index("indicator")
    assert indicators.loc["private share", "after"] == ind["private_share"]["after"]
    assert indicators.loc["members", "before"] == ind["members"]["before"]
    assert indicators.loc["staff capacity used", "after"] == ind["capacity_used"]
    plan = openpyxl.load_workbook(io.BytesIO(data))["Plan"]
    column_a = [c.value for c in plan["A"]]
    for line in aura_result["summary"] + aura_result["binding"]:
        assert line in column_a
    facts = {row[0].value: row[1] for row in plan.iter_rows(min_row=4, max_row=15)}
    assert facts["EUR at risk"].value == aura_result["risk"]
    assert facts["EUR at risk"].data_type == "n"
    assert facts["target private share"].number_format == "0.0%"


def test_report_number_formats_are_k_eur_and_percent(aura_result, aura_raw):
    wb = openpyxl.load_workbook(io.BytesIO(write_report(aura_result, {"case": aura_raw})))
    budget = wb["Budget"]
    assert budget["E2"].value == 350000 and budget["E2"].number_format.startswith("#,##0.0,")
    fee = next(r for r in wb["Levers"].iter_rows(min_row=2) if r[0].value == "success")
    assert fee[4].number_format == "0.0%" and fee[4].value == 0.015
    assert wb["Indicators"]["C2"].number_format == "0.0%"


def test_report_of_an_unreachable_target_shows_the_diagnosis():
    raw = json.loads((CASES / "out-of-reach.json").read_text())
    result = optimizer.solve(optimizer.load_case(raw)).to_dict()
    wb = openpyxl.load_workbook(io.BytesIO(write_report(result, {"case": raw})))
    column_a = [c.value for c in wb["Plan"]["A"]]
    assert "Why no plan reaches the target" in column_a
    for text in result["diagnosis"]["blocking_text"]:
        assert text in column_a
    facts = {r[0].value: r[1].value for r in wb["Plan"].iter_rows(min_row=4, max_row=14)}
    assert facts["EUR at risk"] is None
    assert facts["highest reachable private share"] == result["diagnosis"]["max_private_share"]
    best = {r[0].value: r[1].value for r in wb["Plan"].iter_rows() if r[0].value in
            {lv["label"] for lv in raw["levers"]}}
    assert best["Training days"] == result["diagnosis"]["best_plan"]["training"]


def test_report_of_a_simulation_and_a_cvar_plan(tmp_path):
    raw = json.loads(UNCERTAIN.read_text())
    raw["target"]["scenarios"] = 200
    result = optimizer.solve(optimizer.load_case(raw))
    result = result.with_simulation(optimizer.simulate(result, 2000, seed=3)).to_dict()
    frames = _sheets(write_report(result, {"case": raw}))
    assert {"Simulation", "CVaR"} <= set(frames)
    sim = frames["Simulation"].set_index("measure")["value"]
    assert sim["simulated scenarios"] == 2000
    assert sim["probability the result is at least the least result"] == \
        result["simulation"]["p_result_ok"]
    assert sim["private share, median"] == result["simulation"]["share_quantiles"]["p50"]
    assert sim["average loss in the worst 5% (CVaR 95%)"] == \
        result["simulation"]["cvar95_loss"]
    cvar = frames["CVaR"].set_index("measure")
    plans = result["cvar"]
    assert cvar.loc["EUR at risk", "least EUR at risk plan"] == \
        plans["eur_at_risk_plan"]["risk"]
    assert cvar.loc["CVaR of the loss (optimisation scenarios)", "least CVaR plan"] == \
        plans["cvar_plan"]["cvar_loss"]
    for lever, value in plans["cvar_plan"]["levers"].items():
        label = next(lv["label"] for lv in raw["levers"] if lv["id"] == lever)
        assert cvar.loc[f"lever {label}", "least CVaR plan"] == value


def _cli_json(*args: str) -> dict:
    run = CliRunner().invoke(main, [*args, "--format", "json"])
    assert run.exit_code == 0, run.output
    return json.loads(run.output)


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _charts(data: bytes) -> list[ElementTree.Element]:
    """The chart parts of a workbook (xl/charts/chartN.xml), parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [ElementTree.fromstring(z.read(n)) for n in sorted(z.namelist())
                if n.startswith("xl/charts/chart")]


def _references(chart: ElementTree.Element) -> list[str]:
    return [f.text or "" for f in chart.iter(f"{CHART}f")]


def test_report_of_a_frontier_has_its_table_and_a_native_chart(aura_raw):
    run = _cli_json(str(AURA), "--frontier", "--points", "5")
    data = write_report(run, {"case": aura_raw})
    frames = _sheets(data)
    assert list(frames) == ["Summary", "Frontier", "Frontier changes"]
    table = frames["Frontier"]
    assert list(table["target"]) == [p["target"] for p in run["points"]]
    assert list(table["EUR at risk"]) == [p["risk"] for p in run["points"]]
    training = next(lv["label"] for lv in aura_raw["levers"] if lv["id"] == "training")
    assert list(table[training]) == [p["levers"]["training"] for p in run["points"]]
    changes = frames["Frontier changes"]
    assert list(changes["text"]) == [e["text"] for e in run["events"]]
    assert list(changes["target"]) == [e["target"] for e in run["events"]]
    (chart,) = _charts(data)
    assert chart.find(f".//{CHART}scatterChart") is not None
    assert _references(chart) == ["'Frontier'!$A$2:$A$6", "'Frontier'!$C$2:$C$6"]
    summary = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["Summary"]["A"]]
    for line in run["summary"]:
        assert line in summary


def test_report_of_a_tornado_has_horizontal_bars(tmp_path):
    small = CASES / "small-regional-cluster.json"
    run = _cli_json(str(small), "--tornado", "20%")
    raw = json.loads(small.read_text())
    data = write_report(run, {"case": raw})
    table = _sheets(data)["Tornado"]
    assert list(table["input"]) == [r["input"] for r in run["rows"]]
    assert list(table["EUR at risk when low"].fillna(-1)) == [
        -1 if r["risk_low"] is None else r["risk_low"] for r in run["rows"]]
    base = run["base"]["risk"]
    assert list(table["change when high"].dropna()) == pytest.approx(
        [r["risk_high"] - base for r in run["rows"] if r["risk_high"] is not None], rel=1e-15)
    (chart,) = _charts(data)
    assert chart.find(f".//{CHART}barDir").get("val") == "bar"  # horizontal bars
    # The 15 inputs that matter most: their names, the change when lowered, when raised.
    assert _references(chart) == ["'Tornado'!$C$2:$C$16", "'Tornado'!$O$2:$O$16",
                                  "'Tornado'!$C$2:$C$16", "'Tornado'!$P$2:$P$16"]


def test_report_of_a_sweep_and_of_a_plan_with_its_runs(aura_result, aura_raw):
    run = _cli_json(str(AURA), "--sweep", "target.private_share=0.55,0.6,0.65")
    frames = _sheets(write_report(run, {"case": aura_raw}))
    sweep = frames["Sweep"]
    assert list(sweep["target.private_share"]) == [0.55, 0.6, 0.65]
    assert list(sweep["status"]) == [r["status"] for r in run["rows"]]
    assert sweep["EUR at risk"].iloc[1] == run["rows"][1]["risk"]
    assert pd.isna(sweep["EUR at risk"].iloc[2])  # no plan at 65 %: an empty cell
    both = write_report(aura_result, {"case": aura_raw, "sweep": run})
    assert list(_sheets(both)) == ["Plan", "Levers", "Budget", "Indicators", "Summary",
                                   "Sweep"]


def test_report_labels_that_look_like_formulas_stay_text(aura_raw):
    raw = copy.deepcopy(aura_raw)
    odd = ["=1+1", "+cmd", "-x", "@SUM(A1:A2)"]
    raw["name"] = "=HYPERLINK(\"http://example.com\",\"click\")"
    for lever, label in zip(raw["levers"], odd):
        lever["label"] = label
    for line, label in zip(raw["revenues"], odd):
        line["label"] = label
    result = optimizer.solve(optimizer.load_case(raw)).to_dict()
    data = write_report(result, {"case": raw})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    title = wb["Plan"]["A1"]
    assert title.data_type == "s" and title.value == f"{raw['name']}: optimal"
    labels = [wb["Levers"].cell(row=r, column=2) for r in range(2, 6)]
    assert [(c.data_type, c.value) for c in labels] == [("s", t) for t in odd]
    lines = [wb["Budget"].cell(row=r, column=3) for r in range(2, 6)]
    assert [(c.data_type, c.value) for c in lines] == [("s", t) for t in odd]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist()
                       if n.startswith("xl/worksheets/"))


def test_a_report_of_something_else_is_refused():
    with pytest.raises(optimizer.CaseError, match="the report needs the JSON of a run"):
        write_report({"name": "a case, not a result"})

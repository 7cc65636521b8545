"""Issue 12 through the command line, as a cluster manager would try it: a JSON case ->
`--template` workbook -> `optimize case.xlsx` gives the same plan; every bundled case
round-trips both ways; bad workbooks exit 2 naming sheet, row and column and write
nothing; `--format xlsx|html --output FILE` for a plan, a simulation, a sweep, a frontier
and a tornado, read back with openpyxl and pandas (figures are numbers with k EUR and %
formats) and in headless Chromium (the board pack); labels that start like a formula stay
text in the workbook and in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main

from .conftest import CASES, DATA
from .test_board_pack import HOSTILE, Watched, browser  # noqa: F401 (a fixture)

AURA = CASES / "aura-average-2020.json"
UNCERTAIN = CASES / "aura-average-2020-uncertain.json"
BUNDLED = sorted(CASES.glob("*.json")) + sorted(  # not the region files, region*.json
    p for p in (CASES / "aura-region").glob("*.json") if not p.name.startswith("region"))
FIXTURES = DATA / "workbook"


def run(*args: Any, input: str | bytes | None = None):
    """Invoke `optimize`; no output, on either stream, may hold a traceback."""
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def plan_of(*args: Any) -> dict[str, Any]:
    """What a plan decides, from `--format json` (the audit names the file: left out)."""
    out = run(*args, "--format", "json")
    assert out.exit_code in (0, 3), out.stderr
    data = json.loads(out.stdout)
    return {"status": data["status"], "risk": data["risk"],
            "levers": {lv["id"]: lv["value"] for lv in data["levers"]},
            "budget": data["budget"], "indicators": data["indicators"]}


def canonical(value: Any) -> str:
    """JSON text where 1.0 and 1 are the same number (as they are in JSON)."""
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(w) for k, w in v.items()}
        if isinstance(v, list):
            return [norm(w) for w in v]
        return v
    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


@pytest.fixture(scope="module")
def aura_book(tmp_path_factory) -> Path:
    """The template of the default case, written by the CLI."""
    path = tmp_path_factory.mktemp("book") / "aura.xlsx"
    out = run("--template", path)
    assert out.exit_code == 0, out.stderr
    return path


def edited(book: Path, tmp_path: Path, change, name: str = "case.xlsx") -> Path:
    """The workbook with one change a user made (through openpyxl)."""
    wb = openpyxl.load_workbook(book)
    change(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def column(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


# ---------------------------------------------------------------------------------------
# Cases: JSON <-> workbook
# ---------------------------------------------------------------------------------------

def test_template_defaults_to_the_average_cluster_and_gives_its_plan(aura_book):
    """`optimize --template aura.xlsx` writes the average cluster; `optimize aura.xlsx`
    gives exactly the plan of `optimize cases/aura-average-2020.json`."""
    assert plan_of(aura_book) == plan_of(AURA)
    wb = openpyxl.load_workbook(aura_book)
    assert {"Help", "Cluster", "Revenues", "Expenditures", "Target", "Levers"} <= set(
        wb.sheetnames)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_case_round_trips_both_ways(path, tmp_path):
    """JSON -> --template x.xlsx -> --template back.json: the same JSON case (a path over
    several years too: its Horizon sheet, issue 12)."""
    assert run("--template", tmp_path / "x.xlsx", path).exit_code == 0
    out = run("--template", tmp_path / "back.json", tmp_path / "x.xlsx")
    assert out.exit_code == 0, out.stderr
    assert canonical(json.loads((tmp_path / "back.json").read_text())) == canonical(
        json.loads(path.read_text()))


@pytest.mark.parametrize("path", [UNCERTAIN, CASES / "out-of-reach.json"], ids=lambda p: p.stem)
def test_a_workbook_gives_the_plan_of_its_json_case(path, tmp_path):
    assert run("--template", tmp_path / "x.xlsx", path).exit_code == 0
    assert plan_of(tmp_path / "x.xlsx") == plan_of(path)


def test_set_and_sweep_work_on_a_workbook_as_on_json(aura_book):
    sets = ("--set", "target.private_share=62%", "--set", "levers.training.price=1500")
    assert plan_of(aura_book, *sets) == plan_of(AURA, *sets)
    sweep = ("--sweep", "target.private_share=0.55,0.6", "--format", "csv", "-q")
    book_csv, json_csv = run(aura_book, *sweep), run(AURA, *sweep)
    assert book_csv.exit_code == json_csv.exit_code == 0
    assert book_csv.stdout == json_csv.stdout


def test_template_applies_set_and_refuses_other_names(tmp_path):
    out = run("--template", tmp_path / "c.json", AURA, "--set", "target.private_share=0.65")
    assert out.exit_code == 0
    assert json.loads((tmp_path / "c.json").read_text())["target"]["private_share"] == 0.65
    out = run("--template", tmp_path / "c.csv", AURA)
    assert out.exit_code == 2 and "--template" in out.stderr and ".xlsx" in out.stderr
    out = run("--template", tmp_path / "c.xlsx", AURA, "--frontier")
    assert out.exit_code == 2 and "--frontier" in out.stderr
    assert not (tmp_path / "c.csv").exists() and not (tmp_path / "c.xlsx").exists()


def test_a_workbook_on_standard_input_is_read_as_one(aura_book):
    out = run("-", "--format", "json", input=aura_book.read_bytes())
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["risk"] == plan_of(AURA)["risk"]


# ---------------------------------------------------------------------------------------
# Bad workbooks: exit 2, the sheet, row and column named, nothing written
# ---------------------------------------------------------------------------------------

def _lever_row(wb, lever_id: str) -> int:
    ws = wb["Levers"]
    col = column(ws, "id")
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == lever_id)


def _set_cell(sheet: str, name: str, row: int | None, value: Any):
    def change(wb):
        ws = wb[sheet]
        ws.cell(row or _lever_row(wb, "training"), column(ws, name)).value = value
    return change


def _drop_sheet(wb):
    del wb["Expenditures"]


def _rename_column(wb):
    ws = wb["Levers"]
    ws.cell(1, column(ws, "max_fraction")).value = "max_fractoin"


def _merge(wb):
    wb["Revenues"].merge_cells("A3:B3")


def _empty_row(wb):
    wb["Revenues"].insert_rows(3)


def _formula(wb):
    ws = wb["Revenues"]
    ws.cell(2, column(ws, "amount")).value = "=300000+50000"


BAD_BOOKS = {
    "missing sheet": (_drop_sheet, ["Expenditures"]),
    "renamed column": (_rename_column, ["Levers!", "max_fractoin", "max_fraction"]),
    "formula": (_formula, ["Revenues!", "formula"]),
    "merged cells": (_merge, ["Revenues!A3", "merged"]),
    "empty row inside": (_empty_row, ["Revenues", "3"]),
    "out of range": (_set_cell("Levers", "max_units", None, -4), ["Levers!", "(max_units)"]),
    "text for a number": (_set_cell("Revenues", "amount", 2, "lots"), ["Revenues!", "amount"]),
}


@pytest.mark.parametrize("name", list(BAD_BOOKS))
def test_a_bad_workbook_exits_2_naming_the_cell_and_writes_nothing(name, aura_book, tmp_path):
    change, words = BAD_BOOKS[name]
    book = edited(aura_book, tmp_path, change)
    report = tmp_path / "plan.json"
    out = run(book, "-o", report)
    assert out.exit_code == 2, out.stdout
    assert out.stderr.startswith("error: ")
    for word in words:
        assert word in out.stderr, (word, out.stderr)
    assert not report.exists()


def test_a_bad_cell_is_named_sheet_cell_field(aura_book, tmp_path):
    """`Levers!F7 (max_fraction): must be ...`, the issue's own example."""
    def change(wb):
        ws = wb["Levers"]
        row = _lever_row(wb, "cut-overheads")
        ws.cell(row, column(ws, "max_fraction")).value = 1.5
    book = edited(aura_book, tmp_path, change)
    wb = openpyxl.load_workbook(book)
    cell = wb["Levers"].cell(_lever_row(wb, "cut-overheads"),
                             column(wb["Levers"], "max_fraction")).coordinate
    out = run(book)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: Levers!{cell} (max_fraction): ")
    assert "1.5" in out.stderr


@pytest.mark.parametrize("name, words", [
    ("encrypted.xlsx", ["password"]),
    ("old-format.xls", [".xls"]),
    ("opendocument.ods", [".ods"]),
])
def test_files_of_other_formats_exit_2_and_say_what_they_are(name, words, tmp_path):
    report = tmp_path / "plan.json"
    out = run(FIXTURES / name, "-o", report)
    assert out.exit_code == 2
    for word in words:
        assert word in out.stderr.lower() or word in out.stderr, out.stderr
    assert not report.exists()


def test_a_csv_renamed_xlsx_and_a_corrupt_workbook_exit_2(aura_book, tmp_path):
    renamed = tmp_path / "case.xlsx"
    renamed.write_text("id,label,amount\nfees,Fees,250000\n")
    out = run(renamed)
    assert out.exit_code == 2 and "CSV" in out.stderr, out.stderr
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(aura_book.read_bytes()[:5000])
    out = run(corrupt)
    assert out.exit_code == 2 and str(corrupt) in out.stderr, out.stderr


# ---------------------------------------------------------------------------------------
# Reports as files
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_file_formats_need_output_and_refuse_the_terminal(fmt):
    out = run(AURA, "--format", fmt)
    assert out.exit_code == 2 and out.stdout == ""
    assert "--output" in out.stderr and "not to the terminal" in out.stderr


def test_html_of_a_sweep_or_tornado_is_refused_before_any_solve(tmp_path):
    out = run(AURA, "--tornado", "20%", "-o", tmp_path / "t.html", "-q")
    assert out.exit_code == 2 and "--format xlsx" in out.stderr
    assert not (tmp_path / "t.html").exists()


def test_a_missing_extra_is_one_line_naming_it(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    monkeypatch.setitem(sys.modules, "jinja2", None)
    for fmt, extra in (("xlsx", "xlsx"), ("html", "html")):
        out = run(AURA, "-o", tmp_path / f"r.{fmt}")
        assert out.exit_code == 2
        package = "openpyxl" if fmt == "xlsx" else "Jinja2"
        assert out.stderr.strip().splitlines() == [
            f"error: --format {fmt} needs {package}: pip install 'cluster-optimizer[{extra}]'"]
        assert not (tmp_path / f"r.{fmt}").exists()


def _formats(ws) -> set[str]:
    return {c.number_format for row in ws.iter_rows() for c in row
            if isinstance(c.value, int | float) and not isinstance(c.value, bool)}


def test_report_workbook_of_a_plan_reads_back_with_openpyxl_and_pandas(tmp_path):
    path = tmp_path / "plan.xlsx"
    out = run(AURA, "-o", path)  # the format from the extension
    assert out.exit_code == 0, out.stderr
    result = optimizer.solve(optimizer.load_case(AURA)).to_dict()
    wb = openpyxl.load_workbook(path)
    assert {"Plan", "Levers", "Budget", "Indicators"} <= set(wb.sheetnames)
    formats = set().union(*(_formats(ws) for ws in wb.worksheets))
    assert any("%" in f for f in formats) and any("#,##0" in f for f in formats), formats
    sheets = pd.read_excel(path, sheet_name=None)
    levers = sheets["Levers"]
    numeric = levers.select_dtypes("number").columns
    assert len(numeric) >= 2  # figures are numbers, not text
    risk_col = next(c for c in numeric if "risk" in str(c).lower())
    shown = levers[risk_col].fillna(0).tolist()
    expected = [lv["risk"] for lv in result["levers"]]
    # The sheet holds EUR or k EUR: either way, the same figures.
    scale = 1000 if max(shown) < max(expected) / 10 else 1
    assert [round(x * scale) for x in shown] == [round(x) for x in expected] + [
        round(result["risk"])]  # a row per lever, then the total


def test_report_workbook_of_a_simulation_has_its_sheet(tmp_path):
    path = tmp_path / "sim.xlsx"
    assert run(UNCERTAIN, "--simulate", "500", "-o", path).exit_code == 0
    sheets = pd.read_excel(path, sheet_name=None)
    assert "Simulation" in sheets


@pytest.mark.parametrize("kind, args, sheet", [
    ("sweep", ("--sweep", "target.private_share=0.55:0.65:0.05"), "Sweep"),
    ("frontier", ("--frontier", "--points", "6"), "Frontier"),
    ("tornado", ("--tornado", "20%"), "Tornado"),
])
def test_report_workbook_of_a_sensitivity_run_has_its_table(kind, args, sheet, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    out = run(AURA, *args, "--format", "xlsx", "-o", path, "-q")
    assert out.exit_code == 0, out.stderr
    data = json.loads(run(AURA, *args, "--format", "json", "-q").stdout)
    sheets = pd.read_excel(path, sheet_name=None)
    assert "Summary" in sheets and sheet in sheets
    table = sheets[sheet]
    rows = data.get("rows") or data.get("points") or data.get("inputs") or []
    assert len(table) >= len(rows) > 0
    assert len(table.select_dtypes("number").columns) >= 2


def test_labels_that_look_like_formulas_stay_text_in_xlsx_and_csv(tmp_path):
    case = json.loads(AURA.read_text())
    case["revenues"][0]["label"] = "=HYPERLINK(\"http://example.invalid\",\"x\")"
    case["expenditures"][0]["label"] = "@SUM(A1:A9)"
    case["levers"][0]["label"] = "+cmd|' /C calc'!A0"
    case["levers"][1]["label"] = "-2+3"
    src = tmp_path / "case.json"
    src.write_text(json.dumps(case))
    labels = [case["revenues"][0]["label"], case["expenditures"][0]["label"],
              case["levers"][0]["label"], case["levers"][1]["label"]]
    # The report workbook and the template: every such label is a text cell, no formula.
    assert run(src, "-o", tmp_path / "r.xlsx").exit_code == 0
    assert run("--template", tmp_path / "t.xlsx", src).exit_code == 0
    for book in ("r.xlsx", "t.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / book)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        found = {c.value for c in cells if c.value in labels}
        assert set(labels) <= found, (book, found)
    # The CSV report: the labels get an apostrophe; numbers (even negative) do not.
    out = run(src, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    shown = {r["label"] for r in rows}
    for label in labels:
        assert "'" + label in shown and label not in shown
    assert any(r["change"].startswith("-") for r in rows)  # a number is never quoted
    sweep = run(src, "--sweep", "target.private_share=0.55,0.6", "--format", "csv", "-q")
    assert sweep.exit_code == 0
    assert all(not cell.startswith(("=", "@", "+"))
               for row in csv.reader(io.StringIO(sweep.stdout)) for cell in row)


# ---------------------------------------------------------------------------------------
# The board pack from the CLI, in headless Chromium
# ---------------------------------------------------------------------------------------

def test_board_pack_of_a_frontier_in_a_browser(browser, tmp_path):  # noqa: F811
    """`--frontier --format html -o board.html`: no request, no console message, the
    slider changes the plan shown, a screenshot is taken."""
    page_file = tmp_path / "board.html"
    out = run(AURA, "--frontier", "--points", "6", "-o", page_file, "-q")
    assert out.exit_code == 0, out.stderr
    watched = Watched(browser, page_file.read_text(encoding="utf-8"), tmp_path)
    try:
        plans = []
        for index in (0, 5):
            watched.slider_to(index)
            plans.append(watched.rows("point-plan"))
        assert plans[0] != plans[1]
        watched.page.wait_for_timeout(200)
        assert watched.others() == []
        assert watched.console == [] and watched.errors == []
        shot = tmp_path / "board.png"
        watched.page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    finally:
        watched.close()


def test_board_pack_of_a_simulation_with_hostile_labels(browser, tmp_path):  # noqa: F811
    """--simulate: the distributions section; markup in labels shows as text, never runs."""
    case = json.loads(UNCERTAIN.read_text())
    case["name"] = HOSTILE["name"]
    case["revenues"][0]["label"] = HOSTILE["revenue"]
    src = tmp_path / "case.json"
    src.write_text(json.dumps(case))
    page_file = tmp_path / "sim.html"
    out = run(src, "--simulate", "500", "--format", "html", "-o", page_file)
    assert out.exit_code == 0, out.stderr
    watched = Watched(browser, page_file.read_text(encoding="utf-8"), tmp_path)
    try:
        text = watched.page.inner_text("body")
        assert HOSTILE["name"] in text and HOSTILE["revenue"] in text
        assert watched.dialogs == [] and watched.errors == []
        assert watched.page.locator("img").count() == 0
        assert watched.others() == []
    finally:
        watched.close()


def test_template_is_a_zip_with_no_formula_and_no_macro(aura_book):
    with zipfile.ZipFile(aura_book) as archive:
        names = archive.namelist()
    assert "xl/workbook.xml" in names and not any("vbaProject" in n for n in names)

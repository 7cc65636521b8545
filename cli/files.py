"""The file options of `optimize`: --format xlsx|html (files, never a terminal) and
--template FILE [CASE]. Glue only: the workbook and the page are drawn by optimizer.report."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

from optimizer.analyses.solve import solve
from optimizer.case.fractions import fractions_applied
from optimizer.case.load import parse_case_data, read_case_source, validate_cells
from optimizer.case.schema import Case, apply_overrides
from optimizer.errors import CaseError
from optimizer.report import FILE_FORMATS
from optimizer.report.files import board_pack, check_extra, result_file, run_file
from optimizer.report.output import write_atomic
from optimizer.results.frontier import Frontier
from optimizer.results.result import Result

# The case --template writes when none is given: the average cluster of the README.
DEFAULT_TEMPLATE_CASE = Path(__file__).resolve().parents[1] / "cases" / "aura-average-2020.json"
TEMPLATE_SUFFIXES = (".xlsx", ".json")

# Human-facing strings of this module, in one place (for a translation step).
TEXT = {
    "needs_output": "--format {fmt}: {what} is written to a file, not to the terminal; add "
                    "--output FILE.{fmt}",
    "what_xlsx": "an Excel workbook",
    "what_html": "the HTML board pack",
    "html_run": "--format html: the board pack shows a plan, its frontier (--frontier) and its "
                "simulation (--simulate); for the table of {option} use --format xlsx (its own "
                "sheet) or csv",
    "not_yet": "--format {fmt}: the report of {what} is not written as {fmt} yet; use "
               "--format json, csv, markdown or table",
    "template_suffix": "--template {file}: name the file .xlsx (a case workbook to fill in) or "
                       ".json (the case as JSON)",
    "template_alone": "--template: it writes a case file and stops; drop {options} (run the "
                      "case in a second command)",
    "no_default": "--template: the bundled case {path} is not here; give a CASE to write as a "
                  "template",
}


def check_file_format(fmt: str, output: str | None, run: str | None) -> None:
    """Usage problems of --format xlsx|html, found before any solve (exit 2): no --output,
    the extra missing, a page asked of a sweep or tornado (`run`: '--sweep', '--tornado')."""
    if fmt not in FILE_FORMATS:
        return
    if not output:
        raise CaseError(TEXT["needs_output"].format(fmt=fmt, what=TEXT[f"what_{fmt}"]))
    if fmt == "html" and run in ("--sweep", "--tornado"):
        raise CaseError(TEXT["html_run"].format(option=run))
    check_extra(fmt)


def refuse_file_format(fmt: str, what: str) -> None:
    """Answers that have no workbook or page yet (a region, a path over several years)."""
    if fmt in FILE_FORMATS:
        raise CaseError(TEXT["not_yet"].format(fmt=fmt, what=what))


def result_report(result: Result, fmt: str, render: Any) -> str | bytes:
    """A plan's report: a file's content (xlsx, html) or the text `render` draws."""
    return result_file(result, fmt) if fmt in FILE_FORMATS else render(result, fmt)


def run_report(kind: str, json_text: str, case: Case, fmt: str) -> bytes:
    """A sweep, frontier or tornado run (its --format json text) as a workbook."""
    return run_file(kind, json_text, case, fmt)


def frontier_page(fr: Frontier, case: Case, *, solver: str, time_limit: float | None) -> str:
    """The board pack of a frontier run: the plan at the case's own target (solved here),
    and the frontier's chart and slider."""
    return board_pack(solve(case, solver=solver, time_limit=time_limit), frontier=fr)


def write_template(file: str, case_file: str | None, overrides: dict[str, Any],
                   others: list[str]) -> int:
    """--template FILE [CASE]: the case (default: the average cluster) as a workbook to fill
    in (.xlsx) or as JSON (.json, e.g. from a workbook), with --set applied."""
    if others:
        raise CaseError(TEXT["template_alone"].format(options=", ".join(others)))
    suffix = PurePath(file).suffix.lower()
    if suffix not in TEMPLATE_SUFFIXES:
        raise CaseError(TEXT["template_suffix"].format(file=file))
    if case_file is None:
        if not DEFAULT_TEMPLATE_CASE.is_file():
            raise CaseError(TEXT["no_default"].format(path=DEFAULT_TEMPLATE_CASE))
        case_file = str(DEFAULT_TEMPLATE_CASE)
    if suffix == ".xlsx":
        check_extra("xlsx")
    data, origin = read_case_source(case_file)
    raw, cells = parse_case_data(data, origin)
    if overrides:
        if not isinstance(raw, dict):
            raise CaseError("case: must be a JSON object {...}")
        raw = apply_overrides(raw, fractions_applied(raw, overrides))
    validate_cells(raw, cells)  # messages name the workbook's cells, or JSON paths
    if suffix == ".xlsx":
        from optimizer.case.workbook import write_template as workbook_of

        content: str | bytes = workbook_of(raw)
    else:
        content = json.dumps(raw, indent=2, ensure_ascii=False) + "\n"
    protect = (case_file,) if case_file != "-" else ()
    write_atomic(file, content, protect=protect)
    return 0


__all__ = ["DEFAULT_TEMPLATE_CASE", "check_file_format", "frontier_page", "refuse_file_format",
           "result_report", "run_report", "write_template"]

"""Reports that are files, not text: the Excel workbook (`xlsx`) and the board pack (`html`).

Both are drawn from the JSON of a run (what `--format json` prints), by `workbook` and
`html`; this module turns the answers (a `Result`, a `Frontier`, a sweep or tornado table)
into that JSON and back into one file's content:

    result_file(result, "xlsx")                 # bytes of the .xlsx workbook
    result_file(result, "html")                 # the page, a str
    frontier_file(fr, "xlsx")                   # the frontier's table and chart
    board_pack(result, frontier=fr)             # the page with the frontier's slider
    run_file("sweep", frame, case, "xlsx")      # a sweep or tornado table on its own sheet

Each extra is imported when a file is made (openpyxl: `xlsx`; Jinja2: `html`); `check_extra`
says which one is missing before any solve, in one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from typing import Any

from ..case.schema import Case
from ..errors import CaseError
from ..plan.evaluate import evaluate
from ..results.frontier import Frontier
from ..results.result import Result
from .formats import FILE_FORMATS

# Human-facing strings of this module, in one place (for a translation step).
TEXT = {
    "needs": "--format {fmt} needs {package}: pip install 'cluster-optimizer[{fmt}]'",
    "html_run": "--format html: the board pack shows a plan, its frontier (--frontier) and "
                "its simulation (--simulate); a {kind} table goes to --format xlsx (its own "
                "sheet) or csv",
    "html_frontier": "--format html: the board pack of a frontier shows the plan at the "
                     "case's target too: optimizer.board_pack(optimizer.solve(case), "
                     "frontier=fr)",
}
# The package each file format needs: (module to import, what to call it).
_EXTRA = {"xlsx": ("openpyxl", "openpyxl"), "html": ("jinja2", "Jinja2")}


def check_extra(fmt: str) -> None:
    """CaseError in one line naming the extra to install when the format's library is
    missing (nothing is imported: the check is cheap, before any solve)."""
    need = _EXTRA.get(fmt)
    if need is not None and not _installed(need[0]):
        raise CaseError(TEXT["needs"].format(fmt=fmt, package=need[1]))


def _installed(module: str) -> bool:
    if module in sys.modules:
        return sys.modules[module] is not None  # None: its import is blocked
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def case_json(case: Case) -> dict[str, Any]:
    """The case as JSON data: the labels, currency and notes the files show."""
    return json.loads(json.dumps(case.model_dump(mode="json", exclude_unset=True)))


def _plain(data: Mapping[str, Any] | str) -> dict[str, Any]:
    """A run's JSON as plain dicts and lists (exactly what a reader of --format json gets)."""
    return json.loads(data if isinstance(data, str) else json.dumps(data))


def result_file(result: Result, fmt: str) -> str | bytes:
    """A plan (with its simulation and CVaR blocks when it has them) as a workbook or a page."""
    if fmt == "xlsx":
        from .workbook import write_report

        return write_report(_plain(result.to_json()), {"case": case_json(result.case)})
    if fmt == "html":
        return board_pack(result)
    raise ValueError(f"unknown file format '{fmt}'; use one of {', '.join(FILE_FORMATS)}")


def board_pack(result: Result, frontier: Frontier | None = None,
               title: str | None = None) -> str:
    """The board pack of a plan: one self-contained HTML page. With `frontier` (of the same
    case), a chart and a slider over its grid targets showing the plan and the budget at
    each (the budgets are evaluated here, from each point's levers)."""
    from .html import render_board_pack

    fr_json = budgets = None
    if frontier is not None:
        fr_json = _plain(frontier.to_dict())
        budgets = {}
        for point in fr_json["points"]:
            if point["risk"] is not None:
                ev = evaluate(frontier.case, point["levers"])
                budgets[point["target"]] = {"revenues": dict(ev.revenues),
                                            "expenditures": dict(ev.expenditures)}
    return render_board_pack(_plain(result.to_json()), frontier=fr_json, budgets=budgets,
                             title=title, case=case_json(result.case))


def frontier_file(fr: Frontier, fmt: str) -> str | bytes:
    """A frontier as a workbook: its table, the changes and a native chart. The page needs
    the plan at the case's target as well (`board_pack`)."""
    if fmt == "html":
        raise CaseError(TEXT["html_frontier"])
    return run_file("frontier", fr.to_dict(), fr.case, fmt)


def run_file(kind: str, data: Mapping[str, Any] | str, case: Case, fmt: str) -> bytes:
    """A sensitivity run (its --format json dict or text: sweep, frontier, tornado) as a
    workbook: a Summary sheet in words and the run's table on its own sheet."""
    if fmt != "xlsx":
        raise CaseError(TEXT["html_run"].format(kind=kind))
    from .workbook import write_report

    return write_report(_plain(data), {"case": case_json(case)})


__all__ = ["FILE_FORMATS", "board_pack", "case_json", "check_extra", "frontier_file",
           "result_file", "run_file"]

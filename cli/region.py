"""`optimize region.json`: a region file (it has `clusters`) instead of a case (issue 10).

Glue only: detect the kind, load with the region's --set paths, solve, print. The region
supports the four formats and --output; the sensitivity options are refused for now.
"""

from __future__ import annotations

from typing import Any

from optimizer.analyses.region import DEFAULT_TIME_LIMIT, solve_region
from optimizer.case.region import is_region, load_region, read_region_raw
from optimizer.errors import CaseError
from optimizer.report.pack_files import region_report


def is_region_file(case_file: str) -> bool:
    """Whether the file holds a region (standard input is always a case)."""
    if case_file == "-":
        return False
    try:
        raw, _, _ = read_region_raw(case_file)
    except CaseError:
        return False  # the case reader says what is wrong with it
    return is_region(raw)


def schema_for(case_file: str | None) -> dict[str, Any]:
    """The JSON Schema `--schema` prints: of region files for the word `region` or a region
    file, of case files otherwise."""
    from optimizer.case.export import case_schema
    from optimizer.case.region import region_schema

    if case_file == "region" or (case_file is not None and is_region_file(case_file)):
        return region_schema()
    return case_schema()


def run(case_file: str, overrides: dict[str, Any], *, fmt: str, time_limit: float | None,
        unsupported: dict[str, bool]) -> tuple[str | bytes, int]:
    """(the report, the exit code) of a region file."""
    for option, given in unsupported.items():
        if given:
            raise CaseError(f"{option}: not available for a region file yet; run it on one "
                            "cluster's case")
    region = load_region(case_file, overrides)
    result = solve_region(region, time_limit=time_limit or DEFAULT_TIME_LIMIT,
                          overrides=overrides)
    return region_report(result, fmt), result.status.exit_code


__all__ = ["is_region_file", "run", "schema_for"]

"""`optimize region.json`: a region file (it has `clusters`) instead of a case (issue 10).

Glue only: detect the kind, load with the region's --set paths, solve, print. The region
supports the four formats and --output; the sensitivity options are refused for now.
"""

from __future__ import annotations

from typing import Any

from optimizer.analyses.region import DEFAULT_TIME_LIMIT, solve_region
from optimizer.case.region import is_region, load_region, read_region_raw
from optimizer.errors import CaseError
from optimizer.i18n import gettext as _
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


def refuse_for_case(method: str | None, checkpoint: str | None) -> None:
    """--method and --checkpoint go with a region file only."""
    for option, given in (("--method", method), ("--checkpoint", checkpoint)):
        if given is not None:
            raise CaseError(f"{option}: it goes with a region file (a file with clusters)")


def scheduler_of(address: str | None, from_environment: bool) -> tuple[str, str] | None:
    """(address, where it came from) of --scheduler or DASK_SCHEDULER_ADDRESS, or None."""
    if address is None or (from_environment and not address.strip()):
        return None
    from optimizer.analyses.region_dask import ENVIRONMENT, OPTION

    return address.strip(), ENVIRONMENT if from_environment else OPTION


def refuse_scheduler(scheduler: tuple[str, str] | None, what: str) -> None:
    """--scheduler given on the command line for a run that has no decomposition (the
    environment variable is then ignored: it may be set for every run)."""
    if scheduler is not None and scheduler[1].startswith("--"):
        raise CaseError(_("--scheduler: Dask runs the per-cluster work of a region solved by "
                          "decomposition; not available for {what}").format(what=what))


def _checkpoint(path: str | None, protect: tuple[str, ...]) -> Any:
    if path is None:
        return None
    from optimizer.analyses.region_checkpoint import Checkpoint
    from optimizer.report.output import write_atomic

    def write(text: str) -> None:
        try:
            write_atomic(path, text, protect)
        except CaseError as exc:
            raise CaseError([p.replace("--output", "--checkpoint", 1) for p in exc.problems]
                            ) from None

    return Checkpoint(path, write)


def run(case_file: str, overrides: dict[str, Any], *, fmt: str, time_limit: float | None,
        unsupported: dict[str, bool], method: str = "auto", workers: int | None = None,
        checkpoint: str | None = None, scheduler: tuple[str, str] | None = None
        ) -> tuple[str | bytes, int]:
    """(the report, the exit code) of a region file."""
    for option, given in unsupported.items():
        if given:
            raise CaseError(f"{option}: not available for a region file yet; run it on one "
                            "cluster's case")
    region = load_region(case_file, overrides)
    if region.spec.horizon is not None:  # a region horizon: the envelopes year by year
        from optimizer.analyses.region_horizon import DEFAULT_TIME_LIMIT as PATH_LIMIT
        from optimizer.analyses.region_horizon import solve_region_horizon
        from optimizer.report import FILE_FORMATS, render_region_horizon

        if fmt in FILE_FORMATS:
            raise CaseError(_("--format {fmt}: not available for a region with a horizon yet; "
                              "use table, markdown, json or csv").format(fmt=fmt))
        if checkpoint is not None or method == "decompose":
            raise CaseError(_("--method decompose and --checkpoint: not available for a region "
                              "with a horizon yet"))
        refuse_scheduler(scheduler, _("a region with a horizon"))
        answer = solve_region_horizon(region, time_limit or PATH_LIMIT,
                                      overrides=overrides)
        return render_region_horizon(answer, fmt), answer.status.exit_code

    from optimizer.analyses.region_scale import use_decomposition

    if checkpoint is not None and not use_decomposition(region, method):
        raise CaseError(_("--checkpoint: it records the decomposition's work; add --method "
                          "decompose (or give a region of more than 40 clusters)"))
    decomposed = use_decomposition(region, method)
    if not decomposed:
        refuse_scheduler(scheduler, _("the joint program; add --method decompose (or give a "
                                      "region of more than 40 clusters)"))
    if scheduler is None or not decomposed:
        result = solve_region(region, time_limit=time_limit or DEFAULT_TIME_LIMIT,
                              overrides=overrides, method=method, workers=workers,
                              checkpoint=_checkpoint(checkpoint, (case_file,)))
        return region_report(result, fmt), result.status.exit_code
    from optimizer.analyses.region_dask import DaskScheduler

    with DaskScheduler(*scheduler) as connected:  # exit 2 here if it cannot connect
        result = solve_region(region, time_limit=time_limit or DEFAULT_TIME_LIMIT,
                              overrides=overrides, method=method, workers=workers,
                              checkpoint=_checkpoint(checkpoint, (case_file,)),
                              scheduler=connected)
    return region_report(result, fmt), result.status.exit_code


__all__ = ["is_region_file", "run", "schema_for"]

"""`optimize`: the command line. Glue only: parse, call the library, print.

Exit codes (MODEL.md): 0 optimal; 2 invalid input or usage; 3 infeasible
(the result is still printed); 4 solver failure or time limit without a
proven optimum.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import click
from click.core import ParameterSource

from cli import files as file_options
from cli import restore_interrupts
from cli import uncertainty as uncertainty_options
from optimizer import __version__
from optimizer.analyses.solve import solve
from optimizer.case.load import load_case_applied
from optimizer.case.paths import parse_value
from optimizer.errors import CaseError, OptimizerError
from optimizer.i18n import gettext as _
from optimizer.i18n import language
from optimizer.plan.scenarios import MAX_SIMULATION
from optimizer.report import REPORT_FORMATS, render
from optimizer.report.output import write_atomic
from optimizer.solvers.names import SOLVERS

EXIT_INTERRUPTED = 130

# The report format a file name asks for, by its extension (`-o report.json`), when
# --format is not given. One line per format: a format that lands (xlsx, html) adds its
# line here; any other extension needs --format.
FORMAT_OF_SUFFIX = {
    ".txt": "table",
    ".md": "markdown",
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".html": "html",
}

restore_interrupts()  # the imports are done (see cli/__init__.py)


def parse_assignments(values: tuple[str, ...], option: str) -> dict[str, Any]:
    """('levers.x.price=1500', ...) -> {'levers.x.price': 1500}."""
    out: dict[str, Any] = {}
    for item in values:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise CaseError(_("{option} {item}: write PATH=VALUE, e.g. {option} "
                              "target.private_share=0.62").format(option=option, item=repr(item)))
        try:
            out[path.strip()] = parse_value(text)
        except ValueError as exc:
            raise CaseError(f"{option} {item!r}: {exc}") from None
    return out


def report_format(fmt: str | None, output: str | None) -> str:
    """The format of the report: --format; else the extension of --output
    (FORMAT_OF_SUFFIX); else table. A clash between the two is a usage error."""
    suffix = PurePath(output).suffix.lower() if output else ""
    inferred = FORMAT_OF_SUFFIX.get(suffix)
    if fmt is not None:
        if inferred is not None and inferred != fmt:
            raise CaseError(_("--format {fmt}: --output {output} asks for a {inferred} report; "
                              "drop --format, or {fix}").format(fmt=fmt, output=output,
                                                                inferred=inferred,
                                                                fix=_name_it(fmt)))
        return fmt
    if inferred is not None:
        return inferred
    if not suffix:
        return "table"
    if suffix.lstrip(".") in uncertainty_options.PLOT_SUFFIXES:
        raise CaseError(_("--output {output}: reports are {suffixes} files; to draw a "
                          "chart use --plot {output}").format(output=output,
                                                              suffixes=_known_suffixes()))
    raise CaseError(_("--output {output}: no report is written as a {suffix} file; name the "
                      "file {suffixes}, or give --format to write one of those under this "
                      "name").format(output=output, suffix=suffix, suffixes=_known_suffixes()))


def _known_suffixes() -> str:
    """'.txt (table), .md (markdown), .json or .csv'."""
    names = [s if s.lstrip(".") == f else f"{s} ({f})" for s, f in FORMAT_OF_SUFFIX.items()]
    return (_("{names} or {last}").format(names=", ".join(names[:-1]), last=names[-1])
            if len(names) > 1 else names[0])


def _name_it(fmt: str) -> str:
    suffixes = [s for s, f in FORMAT_OF_SUFFIX.items() if f == fmt]
    return (_("name the file {suffixes}").format(suffixes=_(" or ").join(suffixes)) if suffixes
            else _("choose another file name"))


def emit(text: str | bytes, output: str | None, protect: tuple[str, ...]) -> None:
    if output:
        write_atomic(output, text, protect=protect)
    else:
        click.echo(text, nl=False)


def _region_inputs(region_file: str) -> tuple[str, ...]:
    """The files a region reads (its cluster cases), which --output may never replace."""
    from pathlib import Path

    from optimizer.case.region import read_region_raw

    raw, _, _ = read_region_raw(region_file)
    folder = Path(region_file).parent
    return tuple(str(folder / c["case"]) for c in raw.get("clusters", [])
                 if isinstance(c, dict) and isinstance(c.get("case"), str))


def run_safely(body: Callable[[], int], lang: str | None = None) -> None:
    """Map the package's exceptions to exit codes in one place; never show a traceback.
    `lang` (--lang) is the language of everything the run writes, messages included."""
    try:
        with language(lang):
            _run_safely(body)
    except CaseError as exc:  # the language itself (a French run without Babel)
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(2)


def _run_safely(body: Callable[[], int]) -> None:
    try:
        code = body()
    except CaseError as exc:
        for problem in exc.problems:
            click.echo(_("error: {problem}").format(problem=problem), err=True)
        sys.exit(2)
    except OptimizerError as exc:
        click.echo(_("error: {problem}").format(problem=exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo(_("interrupted: nothing was written"), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - a bug of ours; say so without a traceback
        click.echo(_("internal error: {kind}: {exc}. Please report it with the case file.")
                   .format(kind=type(exc).__name__, exc=exc), err=True)
        sys.exit(1)
    sys.exit(code)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("case_file", metavar="CASE", required=False)
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Report for people (table, markdown), machines (json, csv), an Excel "
                   "workbook (xlsx) or the HTML board pack (html; both need --output). "
                   "Default: from the --output file's extension (.txt, .md, .json, .csv, "
                   ".xlsx, .html), else table.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--solver", type=click.Choice(SOLVERS), default="cbc", show_default=True,
              help="CBC (bundled with PuLP) or HiGHS (in-process).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the solver after this many seconds.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Override one value, e.g. --set target.private_share=0.62 or "
                   "--set levers.training.price=1500 (levers and lines by id).")
@click.option("--simulate", "simulate_n", type=click.IntRange(1, MAX_SIMULATION), default=None,
              metavar="N", help="Draw N scenarios and evaluate the plan in each: the "
              "probabilities of meeting the target and the budget, quantiles, CVaR.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None, metavar="S",
              help="Seed of the simulated scenarios (default 1): same seed, same numbers.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="Draw to FILE (.png, .svg, .pdf): the simulated "
              "distributions (--simulate), the frontier, the tornado or the sweep.")
@click.option("--sweep", "sweeps", multiple=True, metavar="PATH=START:STOP:STEP|V1,V2,...",
              help="Solve at each value of PATH (a --set path); two --sweep make a grid. "
                   "One row per point.")
@click.option("--frontier", "want_frontier", is_flag=True,
              help="Least EUR at risk from today's share to the highest reachable, and the "
                   "exact targets where levers enter, leave or reach their maximum.")
@click.option("--points", type=click.IntRange(2, 100_000), default=None, metavar="N",
              help="Grid targets of --frontier (default 101).")
@click.option("--tornado", "tornado_pct", default=None, metavar="PCT",
              help="Move each numeric input down and up by PCT (e.g. 20%) and rank the inputs "
                   "by their effect on the least EUR at risk.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, metavar="N",
              help="Processes for sensitivity runs and region files (default: one per "
                   "core).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--method", "region_method", type=click.Choice(["auto", "joint", "decompose"]),
              default=None, help="A region file: the joint program (proven optimal, a few "
              "dozen clusters), the decomposition (any number, with a proven gap), or auto "
              "(the joint program up to 40 clusters).")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False),
              default=None, metavar="FILE", help="A region solved by decomposition: record "
              "finished work in FILE; the same command resumes from it.")
@click.option("--scheduler", "scheduler_address", envvar="DASK_SCHEDULER_ADDRESS",
              default=None, metavar="ADDRESS", help="A region solved by decomposition: "
              "send the per-cluster work to the running dask.distributed scheduler at "
              "ADDRESS (default: $DASK_SCHEDULER_ADDRESS, else local processes; needs the "
              "[dask] extra). Same answer.")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of case files and exit (of region files: "
                   "optimize --schema region, or a region file).")
@click.option("--lang", default=None, metavar="en|fr",
              help="Language of the reports, plots and messages (default en; fr needs the "
                   "[fr] extra).")
@click.option("--template", "template_file", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="Write CASE (default: the average cluster, "
              "cases/aura-average-2020.json) as a workbook to fill in (FILE.xlsx) or as JSON "
              "(FILE.json), with --set applied, and exit.")
@click.version_option(__version__, prog_name="optimize")
def main(case_file: str | None, fmt: str | None, output: str | None, solver: str,
         time_limit: float | None, sets: tuple[str, ...], simulate_n: int | None,
         seed: int | None, plot_file: str | None, sweeps: tuple[str, ...],
         want_frontier: bool, points: int | None, tornado_pct: str | None,
         workers: int | None, quiet: bool, schema: bool, lang: str | None,
         template_file: str | None, region_method: str | None = None,
         checkpoint_file: str | None = None, scheduler_address: str | None = None) -> None:
    """Find the least risky mix of levers that brings a cluster to its target
    private-funding share.

    CASE is a case file (JSON, see the README and MODEL.md, or an Excel workbook .xlsx,
    see --template), or - for standard input.

    Exit codes: 0 a plan was found (proven optimal); 2 invalid input; 3 the target is
    out of reach (the report says why); 4 solver failure or time limit.
    """

    def body() -> int:
        protect = (case_file,) if case_file and case_file != "-" else ()
        if schema:
            from cli import region as region_schema_of  # issue 10: `--schema region`
            emit(json.dumps(region_schema_of.schema_for(case_file), indent=2) + "\n",
                 output, protect)
            return 0
        if template_file is not None:
            others = [name for name, value in (
                ("--format", fmt), ("--output", output), ("--simulate", simulate_n),
                ("--seed", seed), ("--plot", plot_file), ("--sweep", sweeps or None),
                ("--frontier", want_frontier or None), ("--tornado", tornado_pct),
                ("--points", points)) if value is not None]
            return file_options.write_template(template_file, case_file,
                                               parse_assignments(sets, "--set"), others)
        if case_file is None:
            raise CaseError(_("CASE: give a case file (or - for standard input); see optimize "
                              "--help"))
        fmt_used = report_format(fmt, output)
        run = "--sweep" if sweeps else "--tornado" if tornado_pct is not None else None
        # A path's sweep has a page (issue 12): a sweep's html waits for the case's kind.
        file_options.check_file_format(fmt_used, output, None if run == "--sweep" else run)
        overrides = parse_assignments(sets, "--set")
        from cli import region as region_options  # issue 10: a region file

        scheduler = region_options.scheduler_of(
            scheduler_address, click.get_current_context().get_parameter_source(
                "scheduler_address") is ParameterSource.ENVIRONMENT)
        if region_options.is_region_file(case_file):
            if sweeps or want_frontier or tornado_pct is not None:
                region_options.refuse_scheduler(scheduler, _("a region's sensitivity run"))
                file_options.refuse_file_format(fmt_used, "a region's sensitivity run")
                from cli import region_sensitivity  # issue 10: frontier, sweep, tornado

                return region_sensitivity.run(
                    case_file, overrides, sweeps=sweeps, want_frontier=want_frontier,
                    tornado_pct=tornado_pct, points=points, time_limit=time_limit,
                    plot_file=plot_file, fmt=fmt_used, quiet=quiet, simulate=simulate_n,
                    seed=seed, output=output, protect=protect + _region_inputs(case_file),
                    emit=emit)
            text, code = region_options.run(
                case_file, overrides, fmt=fmt_used, time_limit=time_limit,
                method=region_method or "auto", workers=workers, checkpoint=checkpoint_file,
                scheduler=scheduler,
                unsupported={"--sweep": bool(sweeps), "--frontier": want_frontier,
                             "--tornado": tornado_pct is not None,
                             "--simulate": simulate_n is not None,
                             "--plot": plot_file is not None})
            emit(text, output, protect + _region_inputs(case_file))
            return code
        region_options.refuse_for_case(region_method, checkpoint_file)
        region_options.refuse_scheduler(scheduler, _("a cluster's case"))
        if sweeps or want_frontier or tornado_pct is not None:
            # Imported here: a single solve never needs the sensitivity engine.
            from cli import sensitivity as sensitivity_options

            # Sweeps, frontier, tornado (README, "Sensitivity runs"): HiGHS in-process
            # unless --solver is given; exit 0 once the run is done.
            options = sensitivity_options.check_options(
                sweeps, want_frontier, tornado_pct, points, overrides, simulate_n, seed,
                plot_file)
            given = click.get_current_context().get_parameter_source("solver")
            swept_case = load_case_applied(case_file, overrides)[0]
            if swept_case.horizon is not None:
                from cli import horizon as horizon_options

                return horizon_options.run_sensitivity(
                    swept_case, sweeps, want_frontier, tornado_pct, points,
                    solver=solver if given is ParameterSource.COMMANDLINE else "highs",
                    time_limit=time_limit, plot_file=plot_file, fmt=fmt_used, output=output,
                    protect=protect, emit=emit)
            file_options.check_file_format(fmt_used, output, run)
            return sensitivity_options.run(
                swept_case, options,
                want_frontier=want_frontier,
                points=points, solver=solver if given is ParameterSource.COMMANDLINE else
                "highs", time_limit=time_limit, workers=workers, quiet=quiet,
                plot_file=plot_file, fmt=fmt_used, output=output, protect=protect)
        if points is not None:
            raise CaseError(_("--points: it sets the grid of --frontier; add --frontier"))
        if workers is not None:
            raise CaseError(_("--workers: it goes with --sweep, --frontier or --tornado"))
        uncertainty_options.check_options(simulate_n, seed, plot_file)
        case, overrides = load_case_applied(case_file, overrides)  # percentages as fractions
        if case.horizon is not None:
            from cli import horizon as horizon_options

            # A path is solved by HiGHS unless --solver is given (README, "A path over
            # several years": CBC takes about twice as long on a four-year path).
            given = click.get_current_context().get_parameter_source("solver")
            return horizon_options.run(case, overrides, solver=solver if given is
                                       ParameterSource.COMMANDLINE else "highs",
                                       time_limit=time_limit,
                                       simulate_n=simulate_n, plot_file=plot_file,
                                       fmt=fmt_used, output=output, protect=protect,
                                       emit=emit, seed=seed)
        result = solve(case, solver=solver, time_limit=time_limit, overrides=overrides)
        result = uncertainty_options.apply(result, simulate_n, seed, plot_file, protect)
        emit(file_options.result_report(result, fmt_used, render), output, protect)
        return result.status.exit_code

    run_safely(body, lang)


if __name__ == "__main__":  # pragma: no cover
    main()

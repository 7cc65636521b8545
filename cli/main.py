"""`optimize`: the command line. Glue only: parse, call the library, print.

Exit codes (MODEL.md): 0 optimal; 2 invalid input or usage; 3 infeasible
(the result is still printed); 4 solver failure or time limit without a
proven optimum.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from optimizer import __version__
from optimizer.case import case_schema, load_case_with, parse_value
from optimizer.errors import CaseError, OptimizerError
from optimizer.optimize import solve
from optimizer.output import write_atomic
from optimizer.report import FORMATS, render
from optimizer.solve import SOLVERS

EXIT_INTERRUPTED = 130


def parse_assignments(values: tuple[str, ...], option: str) -> dict[str, Any]:
    """('levers.x.price=1500', ...) -> {'levers.x.price': 1500}."""
    out: dict[str, Any] = {}
    for item in values:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise CaseError(f"{option} {item!r}: write PATH=VALUE, e.g. "
                            f"{option} target.private_share=0.62")
        try:
            out[path.strip()] = parse_value(text)
        except ValueError as exc:
            raise CaseError(f"{option} {item!r}: {exc}") from None
    return out


def emit(text: str, output: str | None, protect: tuple[str, ...]) -> None:
    if output:
        write_atomic(output, text, protect=protect)
    else:
        click.echo(text, nl=False)


def run_safely(body: Callable[[], int]) -> None:
    """Map the package's exceptions to exit codes in one place; never show a traceback."""
    try:
        code = body()
    except CaseError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    except OptimizerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing was written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - a bug of ours; say so without a traceback
        click.echo(f"internal error: {type(exc).__name__}: {exc}. Please report it with the "
                   "case file.", err=True)
        sys.exit(1)
    sys.exit(code)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("case_file", metavar="CASE", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Report for people (table, markdown) or machines (json, csv).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--solver", type=click.Choice(SOLVERS), default="cbc", show_default=True,
              help="CBC (bundled with PuLP) or HiGHS (in-process).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the solver after this many seconds.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Override one value, e.g. --set target.private_share=0.62 or "
                   "--set levers.training.price=1500 (levers and lines by id).")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of case files and exit.")
@click.version_option(__version__, prog_name="optimize")
def main(case_file: str | None, fmt: str, output: str | None, solver: str,
         time_limit: float | None, sets: tuple[str, ...], schema: bool) -> None:
    """Find the least risky mix of levers that brings a cluster to its target
    private-funding share.

    CASE is a case file (JSON, see the README and MODEL.md), or - for standard input.

    Exit codes: 0 a plan was found (proven optimal); 2 invalid input; 3 the target is
    out of reach (the report says why); 4 solver failure or time limit.
    """

    def body() -> int:
        protect = (case_file,) if case_file and case_file != "-" else ()
        if schema:
            emit(json.dumps(case_schema(), indent=2) + "\n", output, protect)
            return 0
        if case_file is None:
            raise CaseError("CASE: give a case file (or - for standard input); "
                            "see optimize --help")
        overrides = parse_assignments(sets, "--set")
        case = load_case_with(case_file, overrides)
        result = solve(case, solver=solver, time_limit=time_limit, overrides=overrides)
        emit(render(result, fmt), output, protect)
        return result.status.exit_code

    run_safely(body)


if __name__ == "__main__":  # pragma: no cover
    main()

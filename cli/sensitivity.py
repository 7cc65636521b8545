"""The sensitivity options of `optimize`: --sweep, --frontier, --tornado (and --plot). Glue only."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TypedDict

import click

from optimizer.analyses.sensitivity.engine import whole_solves
from optimizer.analyses.sensitivity.frontier import frontier
from optimizer.analyses.sensitivity.sweep import parse_sweep, sweep
from optimizer.analyses.sensitivity.tornado import tornado, tornado_inputs
from optimizer.case.paths import parse_fraction
from optimizer.case.schema import Case
from optimizer.errors import CaseError
from optimizer.i18n import gettext as _
from optimizer.report.formats import FILE_FORMATS
from optimizer.report.output import write_atomic
from optimizer.report.plots import (
    check_plot_file,
    check_sweep_plot,
    plot_frontier,
    plot_sweep,
    plot_tornado,
)
from optimizer.report.progress import Estimate, Kind, outline, progress_line, run_label
from optimizer.report.sensitivity import render_frontier, render_sweep, render_tornado


def parse_pct(text: str) -> float:
    """'20%' or '0.2' -> 0.2 (the fractions reader of --set and --sweep)."""
    raw = text.strip()
    try:
        value = parse_fraction(raw)
    except ValueError:
        raise CaseError(_("--tornado {text}: write a percentage, e.g. --tornado 20%").format(
            text=text)) from None
    if not raw.endswith("%") and value > 1:
        raise CaseError(_("--tornado {text}: write {raw}% (or {fraction} as a fraction)").format(
            text=text, raw=raw, fraction=f"{value / 100:g}"))
    if not 0 < value <= 1:
        raise CaseError(_("--tornado {text}: the change must be above 0 and at most 100%")
                        .format(text=text))
    return value


def check_options(sweeps: tuple[str, ...], want_frontier: bool, tornado_pct: str | None,
                  points: int | None, sets: dict[str, Any], simulate: int | None,
                  seed: int | None, plot_file: str | None) -> dict[str, Any]:
    """Usage problems found before any solve (exit code 2); the parsed options."""
    kinds = [name for name, given in (("--sweep", bool(sweeps)), ("--frontier", want_frontier),
                                      ("--tornado", tornado_pct is not None)) if given]
    if len(kinds) > 1:
        raise CaseError(_("{options}: choose one sensitivity run at a time").format(
            options=_(" and ").join(kinds)))
    if simulate is not None or seed is not None:
        raise CaseError(_("{option}: --simulate and --seed go with a single plan, not with "
                          "{option}").format(option=kinds[0]))
    if points is not None and not want_frontier:
        raise CaseError(_("--points: it sets the grid of --frontier; add --frontier"))
    axes: dict[str, list[Any]] = {}
    for spec in sweeps:
        path, values = parse_sweep(spec)
        if path in axes:
            raise CaseError(_("--sweep {path}: given twice; give each path once").format(path=path))
        if path in sets:
            raise CaseError(_("--sweep {path}: also given by --set; keep one").format(path=path))
        axes[path] = values
    pct = parse_pct(tornado_pct) if tornado_pct is not None else None
    if plot_file is not None:
        check_plot_file(plot_file)
        if axes:
            check_sweep_plot(axes)
    return {"axes": axes, "pct": pct}


class ProgressBar:
    """A progress line on standard error: first what the run will do and how many solves
    it takes, then a bar, the time so far and, once points are done, the time left.

    Silent with --quiet, or when standard error is not a terminal. The words are
    `report.progress`'s.
    """

    def __init__(self, label: str, quiet: bool, delay: float = 1.0, outline: str | None = None,
                 stream: Any = None):
        self.stream = sys.stderr if stream is None else stream
        self.on = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.label = label
        self.start = time.perf_counter()
        self.delay = delay
        self.shown = False
        self.last = 0.0
        self.width = 0
        self.estimate = Estimate()
        if self.on and outline:
            self._show(f"{outline} ...")  # before the first point: what the run will take

    def _show(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))
        self.shown = True

    def __call__(self, done: int, total: int) -> None:
        if not self.on:
            return
        now = time.perf_counter()
        left = self.estimate.update(done, total, now - self.start)
        if (not self.shown and now - self.start < self.delay) or (
                now - self.last < 0.1 and done < total):
            return
        self.last = now
        self._show(progress_line(self.label, done, total, now - self.start, left))

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * max(self.width, 79) + "\r")
            self.stream.flush()


class _Settings(TypedDict):
    """The keyword arguments shared by sweep, frontier and tornado."""

    solver: str
    time_limit: float | None
    workers: int | None
    progress: ProgressBar


def run(case: Case, options: dict[str, Any], *, want_frontier: bool, points: int | None,
        solver: str, time_limit: float | None, workers: int | None, quiet: bool,
        plot_file: str | None, fmt: str, output: str | None, protect: tuple[str, ...]) -> int:
    """Run the sensitivity run asked for, print or write its report, draw its plot."""
    axes, pct = options["axes"], options["pct"]
    kind: Kind = "sweep" if axes else "frontier" if want_frontier else "tornado"
    count = (math.prod(len(v) for v in axes.values()) if axes else
             (101 if points is None else points) if want_frontier else
             1 + 2 * len(tornado_inputs(case)))
    bar = ProgressBar(run_label(kind, case), quiet,
                      outline=outline(kind, case, count, whole=whole_solves(case, solver)))
    code = 0
    # A workbook is drawn from the run's JSON (cli/files.py); the page of a frontier adds
    # the plan at the case's target.
    text_fmt = "json" if fmt in FILE_FORMATS else fmt
    settings: _Settings = {"solver": solver, "time_limit": time_limit, "workers": workers,
                           "progress": bar}
    try:
        if axes:
            frame = sweep(case, axes, **settings)
            text: str | bytes = render_sweep(frame, case, text_fmt)
            draw = (lambda f: plot_sweep(frame, case, f, protect))
        elif want_frontier:
            fr = frontier(case, points=101 if points is None else points, **settings)
            text = render_frontier(fr, text_fmt) if fmt != "html" else ""
            # A frontier a time limit (or a solver failure) left unproven: exit 4, as a
            # single solve; no plan whatever the target is an answer (exit 0).
            code = 4 if fr.status.exit_code == 4 else 0
            draw = (lambda f: plot_frontier(fr, f, protect))
        else:
            frame = tornado(case, pct, **settings)
            text = render_tornado(frame, case, text_fmt)
            draw = (lambda f: plot_tornado(frame, case, f, protect))
    finally:
        bar.close()
    if fmt == "html":  # checked before the run: a frontier's (cli/files.check_file_format)
        from cli.files import frontier_page

        text = frontier_page(fr, case, solver=solver, time_limit=time_limit)
    elif fmt in FILE_FORMATS:
        from cli.files import run_report

        text = run_report(kind, str(text), case, fmt)
    if plot_file is not None:
        draw(plot_file)
    if output:
        write_atomic(output, text, protect=protect)
    else:
        click.echo(text, nl=False)
    return code

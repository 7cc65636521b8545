"""The uncertainty options of `optimize`: --simulate N, --seed S, --plot FILE. Glue only."""

from __future__ import annotations

from optimizer.analyses.simulate import simulate
from optimizer.case.schema import DEFAULT_SEED
from optimizer.errors import CaseError
from optimizer.i18n import gettext as _
from optimizer.report.plots import matplotlib_installed, plot_simulation
from optimizer.results.result import Result

PLOT_SUFFIXES = ("png", "svg", "pdf")


def check_options(simulate_n: int | None, seed: int | None, plot_file: str | None) -> None:
    """Usage problems found before any solve (exit code 2)."""
    if seed is not None and simulate_n is None:
        raise CaseError(_("--seed: use it with --simulate N (the seed of the simulated "
                          "scenarios)"))
    if plot_file is not None:
        suffix = plot_file.rsplit(".", 1)[-1].lower() if "." in plot_file else ""
        if suffix not in PLOT_SUFFIXES:
            raise CaseError(_("--plot {file}: use a .png, .svg or .pdf file name").format(
                file=plot_file))
        if not matplotlib_installed():
            raise CaseError(_("--plot needs matplotlib: pip install 'cluster-optimizer[plot]'"))


def apply(result: Result, simulate_n: int | None, seed: int | None, plot_file: str | None,
          protect: tuple[str, ...] = ()) -> Result:
    """Attach the simulation asked for, and draw the plot."""
    if simulate_n is not None:
        result = result.with_simulation(
            simulate(result, simulate_n, DEFAULT_SEED if seed is None else seed))
    if plot_file is not None:
        plot_simulation(plot_file, result, protect)
    return result

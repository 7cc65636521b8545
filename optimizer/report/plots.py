"""Plots: the frontier, the tornado, a sweep, a simulation (matplotlib, optional).

matplotlib is the optional extra `plot` (`pip install .[plot]`). Each plot is drawn in
memory on its own `Figure` (no pyplot state) and written with `write_atomic`: the file
is complete or untouched, and carries no date, so the same run writes the same bytes.

Plots are for a board: inputs by their names and units (`results.names`), amounts in
k EUR, shares in %, members as whole numbers, what the plans minimise in the axis
label, and what has no plan drawn, not left out. `*_figure` builds a figure (the tests
read it), `plot_*` writes it.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..case.schema import Case
from ..errors import CaseError
from ..fmt import count, currency, money, pct, pct_digits, pct_short, status_words
from ..i18n import current, is_default, language
from ..i18n import decimal as local_decimal
from ..i18n import gettext as _
from ..results.names import input_name, input_unit, objective_words, value_cells
from .bulk import columns
from .output import write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from ..results.frontier import Frontier
    from ..results.result import Result

PLOT_SUFFIXES = ("png", "svg", "pdf")
INSTALL_HINT = "--plot needs matplotlib: pip install '.[plot]' (or pip install matplotlib)"

# Entry points of the frontier closer than this (a fraction of the x range) share a marker.
ENTRY_GAP = 0.035
NO_PLAN_COLOR = "firebrick"
TARGET_COLOR = "navy"


def check_plot_file(path: str) -> None:
    """A usable --plot file name, and matplotlib installed (else CaseError, exit 2)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_SUFFIXES:
        raise CaseError(_("--plot {path}: use a .png, .svg or .pdf file name").format(path=path))
    _matplotlib()


def check_sweep_plot(axes: dict[str, list[Any]]) -> None:
    """A sweep that can be drawn: numbers on the first axis, at most 12 lines."""
    paths = list(axes)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in axes[paths[0]]):
        raise CaseError(_("--plot: the values of {path} are not all numbers; nothing to draw "
                          "(put a numeric path first)").format(path=paths[0]))
    lines = math.prod(len(axes[p]) for p in paths[1:])
    if lines > 12:
        raise CaseError(_("--plot: {lines} lines would be unreadable; sweep at most 12 "
                          "combinations of {paths}").format(lines=lines,
                                                            paths=", ".join(paths[1:])))


def matplotlib_installed() -> bool:
    """Whether the optional `plot` extra (matplotlib) can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise CaseError(INSTALL_HINT) from None
    return matplotlib


def _figure(width: float, height: float) -> Any:
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _save(fig: Any, path: str | os.PathLike[str], protect: tuple[str, ...]) -> None:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_SUFFIXES:
        raise CaseError(_("--plot {path}: use a .png, .svg or .pdf file name").format(path=path))
    if not is_default():
        _local_ticks(fig)
    buf = io.BytesIO()
    # A fixed salt for the SVG's element ids (random by default): the same bytes each run.
    with _matplotlib().rc_context({"svg.hashsalt": "cluster-optimizer"}):
        fig.savefig(buf, format=suffix, dpi=150, bbox_inches="tight",
                    metadata=_plot_metadata(suffix))
    write_atomic(path, buf.getvalue(), protect=protect)


def _local_ticks(fig: Any) -> None:
    """Tick numbers in the current language's decimals (French: 52,5 and 1 000), on the
    axes matplotlib numbers itself (labels set by hand, such as years, are kept)."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    lang = current()

    def tick(value: float, _pos: Any) -> str:
        with language(lang):
            return local_decimal(round(value, 9), "#,##0.###")

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(tick))


def new_figure(width: float, height: float) -> Any:
    """A matplotlib Figure of that size in inches (for plots in other report modules)."""
    return _figure(width, height)


def save_figure(fig: Any, path: str | os.PathLike[str], protect: tuple[str, ...] = ()) -> None:
    """Write fig to path (.png, .svg or .pdf), atomically, the same bytes each run."""
    _save(fig, path, protect)


def _plot_metadata(suffix: str) -> dict[str, Any]:
    # No creation date and no software version in the file: the same run writes the
    # same bytes.
    if suffix == "svg":
        return {"Date": None}
    if suffix == "pdf":
        return {"CreationDate": None}
    return {"Software": None}


def risk_label(case: Case, wrap: bool = False) -> str:
    """The y axis of the frontier and the sweep, the x axis of the tornado: what each
    point's plan minimises, and the figure drawn (its EUR at risk). wrap: on two lines
    when long (an axis along the side)."""
    what = objective_words(case)
    cur = currency(case.currency)
    if what == _("EUR at risk"):
        return _("least EUR at risk (k {cur})").format(cur=cur)
    return (_("EUR at risk of the plan\nof least {what} (k {cur})") if wrap else
            _("EUR at risk of the plan of least {what} (k {cur})")).format(what=what, cur=cur)


def _risk_axis(ax: Any, case: Case, tops: list[float]) -> None:
    """The risk axis of the frontier and the sweep: from 0, with room above the highest
    point, labelled with what the plans minimise."""
    top = max(tops, default=0.0)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1.0)
    ax.set_ylabel(risk_label(case, wrap=True))


def axis_scale(path: str) -> tuple[float, str]:
    """How a swept path is drawn: the divisor of its values and its unit in the label."""
    unit = input_unit(path)
    if unit == "eur":
        return 1000.0, "k EUR"
    if unit == "share":
        return 0.01, "%"
    return 1.0, ""


def _axis_text(case: Case, path: str) -> str:
    unit = axis_scale(path)[1].replace("EUR", currency(case.currency))
    return f"{input_name(case, path)} ({unit})" if unit else input_name(case, path)


def _value_text(path: str, value: Any) -> str:
    """One value of a path in its unit, short: 60%, 1.25 k, 250."""
    return value_cells(path, [value])[0]


# ------------------------------------------------------------------ frontier


def entry_groups(entries: list[tuple[float, str]], span: float,
                 gap: float = ENTRY_GAP) -> list[tuple[float, list[int]]]:
    """Entry points (x, text), in order of x, gathered so that two markers are never
    closer than gap x span: (the marker's x, the numbers of its entries, from 1)."""
    groups: list[tuple[float, list[int]]] = []
    for number, (x, _text) in enumerate(entries, start=1):
        if groups and x - groups[-1][0] < gap * span:
            groups[-1][1].append(number)
        else:
            groups.append((x, [number]))
    return groups


def frontier_figure(fr: Frontier) -> Any:
    """The least EUR at risk against the target: a stacked area of each lever's share of
    the risk (its top edge is the frontier); each lever's entry numbered above the plot
    and listed below it; the case's own target; the shares no plan reaches, shaded."""
    case = fr.case
    ok = fr.table[fr.table["status"] == "optimal"]
    data = columns(ok, ["target", "risk"] + [f"risk:{lv.id}" for lv in case.levers])
    x = [100 * t for t in data["target"]]
    events = columns(fr.events, ["target", "lever", "label", "event"])
    entries: list[tuple[float, str]] = []
    seen: set[str] = set()
    for t, lever, label, event in zip(*events.values()):
        if lever and event.startswith("enters") and lever not in seen:
            seen.add(lever)
            entries.append((100 * t, _("{lever} enters at {target}").format(
                lever=label, target=pct_digits(t, 2))))
    rows = math.ceil(len(entries) / 2)
    fig = _figure(10, 5.8 + 0.22 * rows)
    ax = fig.add_axes((0.08, 0.12 + 0.04 * rows, 0.68, 0.76 - 0.04 * rows))
    target = case.target.private_share * 100
    low = min(x + [target]) if x else target - 1
    high = max(x + [target]) if x else target + 1
    if fr.max_share is not None:
        high = max(high, fr.max_share * 100)
    span = max(high - low, 1e-6)
    right = high + 0.08 * span
    if x:
        used = [lv for lv in case.levers
                if any(math.isfinite(v) and v != 0 for v in data[f"risk:{lv.id}"])]
        if used:
            areas = [[v / 1000 if math.isfinite(v) else 0.0 for v in data[f"risk:{lv.id}"]]
                     for lv in used]
            ax.stackplot(x, areas, labels=[lv.name for lv in used], alpha=0.75)
        ax.plot(x, [r / 1000 for r in data["risk"]], color="black", linewidth=1.6,
                label=risk_label(case).split(" (")[0])
    if fr.max_share is not None:
        edge = fr.max_share * 100
        ax.axvspan(edge, right, color=NO_PLAN_COLOR, alpha=0.08, linewidth=0)
        ax.axvline(edge, color=NO_PLAN_COLOR, linewidth=1.2)
        # In the band, as far from the target's line as the band allows.
        spots = [(edge + right) / 2, (edge + target) / 2, (target + right) / 2]
        spot = max(spots, key=lambda at: min(abs(at - target), at - edge, right - at))
        ax.text(spot, 0.5, _("no plan beyond {share}").format(share=pct_digits(fr.max_share, 2)),
                transform=ax.get_xaxis_transform(), rotation=90, ha="center", va="center",
                fontsize=8, color=NO_PLAN_COLOR)
    else:
        ax.text(0.5, 0.5, _("No plan meets the case's other constraints, whatever the target."),
                transform=ax.transAxes, ha="center", va="center", color=NO_PLAN_COLOR)
    reachable = fr.max_share is None or target <= fr.max_share * 100 + 1e-9
    ax.axvline(target, color=TARGET_COLOR, linestyle="--", linewidth=1.3,
               label=(_("the case's target, {share}") if reachable else
                      _("the case's target, {share}, out of reach")).format(
                   share=pct_short(case.target.private_share)))
    for at, numbers in entry_groups(entries, span):
        ax.axvline(at, color="grey", linestyle=":", linewidth=0.9)
        ax.text(at, 1.01, ",".join(map(str, numbers)), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, color="dimgrey")
    ax.set_xlim(low - 0.02 * span, right)
    _risk_axis(ax, case, [r / 1000 for r in data["risk"]])
    ax.set_xlabel(_("Target private share (%)"))
    ax.set_title(_("{case}: the risk of reaching each target").format(case=case.name), pad=16)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    start = columns(ok.head(1), [f"lever:{lv.id}" for lv in case.levers])
    already = [lv.name for lv in case.levers  # in the plan at the first target
               if any(math.isfinite(v) and abs(v) > 1e-7 for v in start[f"lever:{lv.id}"])]
    if entries or already:
        lines = [f"{k}  {text}" for k, (_, text) in enumerate(entries, start=1)]
        half = math.ceil(len(lines) / 2)
        head = (_("Where each lever enters the plan (numbers above the plot); in the plan "
                  "from {target}: {levers}:").format(target=pct(data["target"][0]),
                                                     levers=", ".join(already))
                if already else
                _("Where each lever enters the plan (numbers above the plot):"))
        fig.text(0.08, 0.02 + 0.04 * rows, head, fontsize=8, va="bottom")
        for col, part in enumerate((lines[:half], lines[half:])):
            fig.text(0.08 + 0.4 * col, 0.02 + 0.04 * rows, "\n".join(part), fontsize=7.5,
                     va="top", color="dimgrey", linespacing=1.5)
    return fig


def plot_frontier(fr: Frontier, path: str | os.PathLike[str], protect: tuple[str, ...] = ()
                  ) -> None:
    """The frontier of `frontier_figure`, written to path (.png, .svg or .pdf)."""
    _save(frontier_figure(fr), path, protect)


# ------------------------------------------------------------------ tornado


def tornado_figure(frame: pd.DataFrame, case: Case, top: int = 20) -> Any:
    """Each input's low and high move as two bars side by side (lowered above, raised
    below) around the EUR at risk as given; a move that leaves no plan is a hatched bar to
    the edge of its own half, "no plan" written inside it."""
    rows = frame.head(top).iloc[::-1]
    cols = columns(rows, ["name", "status_low", "risk_low", "status_high", "risk_high"])
    # Each input with its value as given: "Members today (270)".
    names = [f"{name} ({_value_text(path, base)})" for name, path, base in
             zip(cols["name"], rows["input"].tolist(), rows["base"].tolist())]
    base = frame.attrs.get("base_risk")
    fig = _figure(10, 0.42 * max(len(rows), 4) + 1.6)
    ax = fig.add_subplot()
    if base is None:
        ax.text(0.5, 0.5, _("No plan for the case as given: see the table for the moves that "
                            "make the target reachable."), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    b = base / 1000
    finite = [v / 1000 for v in cols["risk_low"] + cols["risk_high"]
              if isinstance(v, float) and math.isfinite(v)] + [b]
    span = max(max(finite) - b, b - min(finite), 1.0)
    edge = b + 1.15 * span
    labelled: set[str] = set()

    def label(text: str) -> str | None:
        if text in labelled:
            return None
        labelled.add(text)
        return text

    height = 0.38
    for y, (name, status_low, risk_low, status_high, risk_high) in enumerate(
            zip(*cols.values())):
        for offset, status, risk, color, verb in (
                (height / 2, status_low, risk_low, "tab:blue", "lowered"),
                (-height / 2, status_high, risk_high, "tab:orange", "raised")):
            at = y + offset
            moved = _("lowered") if verb == "lowered" else _("raised")
            if status == "optimal":
                ax.barh(at, risk / 1000 - b, left=b, height=height, color=color, alpha=0.85,
                        label=label(_("input {moved}").format(moved=moved)))
            elif status == "infeasible":
                ax.barh(at, edge - b, left=b, height=height, color="none", edgecolor=color,
                        hatch="//", label=label(_("no plan when {sides}").format(sides=moved)))
                ax.text(edge - 0.01 * span, at, _("no plan") + " ", va="center", ha="right",
                        fontsize=7, color=color,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
            elif status != "invalid":
                ax.text(b, at, " " + _("{status} when {moved}").format(
                    status=status_words(status), moved=moved), va="center",
                        fontsize=7, color="dimgrey")
    ax.axvline(b, color="black", linewidth=1)
    ax.set_xlim(min(min(finite), b) - 0.05 * span, edge + 0.03 * span)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel(_("{axis}; as given: {risk} k").format(axis=risk_label(case),
                                                         risk=count(b, 1)))
    ax.set_title(_("{case}: each input moved down and up by {pct}").format(
        case=case.name, pct=pct_digits(frame.attrs.get("pct", 0), 0)))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return fig


def plot_tornado(frame: pd.DataFrame, case: Case, path: str | os.PathLike[str],
                 protect: tuple[str, ...] = (), top: int = 20) -> None:
    """The tornado of `tornado_figure`, written to path (.png, .svg or .pdf)."""
    _save(tornado_figure(frame, case, top), path, protect)


# ------------------------------------------------------------------ sweep


def sweep_lines(frame: pd.DataFrame, case: Case) -> list[dict[str, Any]]:
    """What a sweep plot draws, one item per line (one per value of the other axes):
    `label`, `x` and `y` of the points with a plan (x in the unit of `axis_scale`, y in
    k EUR), `no_plan` the x of the points out of reach, `unsolved` the x of the points
    stopped by a time limit or an error."""
    import pandas as pd

    axes = list(frame.attrs.get("axes", {}))
    x_path = axes[0]
    if not pd.api.types.is_numeric_dtype(frame[x_path]):
        raise CaseError(_("--plot: the sweep of {path} is not numeric; nothing to draw").format(
            path=x_path))
    scale, _unit = axis_scale(x_path)
    cols = columns(frame, axes + ["status", "risk"])
    groups: dict[tuple[Any, ...], list[int]] = {}
    keys = zip(*(cols[p] for p in axes[1:])) if len(axes) > 1 else [()] * len(frame)
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    if len(groups) > 12:
        raise CaseError(_("--plot: {lines} lines would be unreadable; sweep at most 12 values "
                          "of {paths}").format(lines=len(groups), paths=", ".join(axes[1:])))
    out = []
    for key, indices in groups.items():
        label = ", ".join(f"{input_name(case, p)}: {_value_text(p, v)}"
                          for p, v in zip(axes[1:], key)) or None
        item: dict[str, Any] = {"label": label, "x": [], "y": [], "no_plan": [],
                                "unsolved": []}
        for i in indices:
            x = cols[x_path][i] / scale
            status = cols["status"][i]
            if status == "optimal":
                item["x"].append(x)
                item["y"].append(cols["risk"][i] / 1000)
            elif status == "infeasible":
                item["no_plan"].append(x)
            else:
                item["unsolved"].append(x)
        out.append(item)
    return out


def sweep_figure(frame: pd.DataFrame, case: Case) -> Any:
    """EUR at risk against the first swept value, one line per value of the others; a
    point with no plan is an x on the axis, in its line's colour."""
    axes = list(frame.attrs.get("axes", {}))
    x_path = axes[0]
    lines = sweep_lines(frame, case)
    fig = _figure(9, 5.5)
    ax = fig.add_subplot()
    marks = ax.get_xaxis_transform()  # x in data, y in axes: on the axis whatever the data
    no_plan = unsolved = False
    row = 0  # lines with marks get their own row of marks, so that none hides another
    for item in lines:
        (line,) = ax.plot(item["x"], item["y"], marker=".", label=item["label"])
        color = line.get_color()
        if item["no_plan"] or item["unsolved"]:
            height = 0.025 + 0.03 * row
            row += 1
        if item["no_plan"]:
            no_plan = True
            ax.plot(item["no_plan"], [height] * len(item["no_plan"]), linestyle="none",
                    marker="x", markersize=7, color=color, transform=marks, clip_on=False)
        if item["unsolved"]:
            unsolved = True
            ax.plot(item["unsolved"], [height] * len(item["unsolved"]), linestyle="none",
                    marker="s", markerfacecolor="none", color=color, transform=marks,
                    clip_on=False)
    if no_plan:
        ax.plot([], [], linestyle="none", marker="x", color="dimgrey",
                label=_("no plan (x on the axis)"))
    if unsolved:
        ax.plot([], [], linestyle="none", marker="s", markerfacecolor="none", color="dimgrey",
                label=_("no proven plan (time limit or error)"))
    if input_unit(x_path) == "count":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))
    _risk_axis(ax, case, [y for item in lines for y in item["y"]])
    ax.set_xlabel(_axis_text(case, x_path))
    ax.set_title(_("{case}: sweep of {input}").format(case=case.name,
                                                      input=input_name(case, x_path)))
    ax.grid(alpha=0.3)
    if len(axes) > 1 or no_plan or unsolved:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_sweep(frame: pd.DataFrame, case: Case, path: str | os.PathLike[str],
               protect: tuple[str, ...] = ()) -> None:
    """The sweep of `sweep_figure`, written to path (.png, .svg or .pdf)."""
    _save(sweep_figure(frame, case), path, protect)


# ------------------------------------------------------------------ simulation


def simulation_figure(result: Result) -> Any:
    """Histograms of the private share and of the result in the simulated scenarios, the
    target and the minimum result marked, and above each, how often each plan holds.

    For a CVaR result, both plans of the comparison are drawn over each other.
    """
    import numpy as np

    series: list[tuple[str, Any]] = []
    if result.cvar is not None:
        for name, item in result.cvar.plans():
            if item.simulation is not None:
                series.append((name, item.simulation))
    elif result.simulation is not None:
        series.append((_("the plan"), result.simulation))
    if not series:
        raise CaseError(_("--plot: nothing to draw; add --simulate N, --frontier, --tornado "
                          "PCT or --sweep PATH=... (or use a case with a cvar target)"))
    case = result.case
    cur = currency(case.currency)
    fig = _figure(11, 4.6)
    ax1, ax2 = fig.subplots(1, 2)
    # The same bins for every plan, so that the bars compare.
    share_bins = np.histogram_bin_edges(np.concatenate([s.share * 100 for _, s in series]), 60)
    result_bins = np.histogram_bin_edges(np.concatenate([s.result / 1000 for _, s in series]), 60)
    for name, sim in series:
        ax1.hist(sim.share * 100, bins=share_bins, alpha=0.55, label=name)
        ax2.hist(sim.result / 1000, bins=result_bins, alpha=0.55, label=name)
    target = case.target.private_share
    ax1.axvline(target * 100, color="black", linestyle="--",
                label=_("target {share}").format(share=pct_short(target)))
    ax2.axvline(case.target.min_result / 1000, color="black", linestyle="--",
                label=_("minimum result, {amount}").format(
                    amount=money(case.target.min_result, case.currency)))
    ax1.set_title("\n".join(_("{plan}: target met in {chance} of scenarios").format(
        plan=name, chance=_chance(sim.p_target_met)) for name, sim in series), fontsize=9)
    ax2.set_title("\n".join(_("{plan}: result at or above the minimum in {chance} of "
                              "scenarios").format(plan=name, chance=_chance(sim.p_result_ok))
                            for name, sim in series), fontsize=9)
    ax1.set_xlabel(_("private share after the plan (%)"))
    ax2.set_xlabel(_("result after the plan (k {cur})").format(cur=cur))
    for ax in (ax1, ax2):
        ax.set_ylabel(_("scenarios"))
        ax.legend(fontsize=8)
    first = series[0][1]
    fig.suptitle(_("{case}: {n} simulated scenarios (seed {seed})").format(
        case=case.name, n=count(first.n), seed=first.seed))
    fig.tight_layout()
    return fig


def _chance(p: float) -> str:
    """A probability for people: 84.7%; never 0% or 100% when it is not exactly so."""
    text = f"{p:.1%}"
    if text == "0.0%" and p > 0:
        return _("under {share}").format(share=pct(0.001))
    if text == "100.0%" and p < 1:
        return _("over {share}").format(share=pct(0.999))
    return pct(p)


def plot_simulation(path: str, result: Result, protect: tuple[str, ...] = ()) -> None:
    """The simulation of `simulation_figure`, written to path (.png, .svg or .pdf)."""
    _save(simulation_figure(result), path, protect)


__all__ = [
    "INSTALL_HINT",
    "axis_scale",
    "check_plot_file",
    "check_sweep_plot",
    "entry_groups",
    "frontier_figure",
    "matplotlib_installed",
    "new_figure",
    "plot_frontier",
    "plot_simulation",
    "plot_sweep",
    "plot_tornado",
    "risk_label",
    "save_figure",
    "simulation_figure",
    "sweep_figure",
    "sweep_lines",
    "tornado_figure",
]

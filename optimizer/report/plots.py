"""Plots: the frontier, the tornado, a sweep, a simulation (matplotlib, optional).

matplotlib is the optional extra `plot` (`pip install .[plot]`). Each plot is drawn
in memory and written with `write_atomic`: the file is complete or untouched.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..case.schema import Case
from ..errors import CaseError
from .output import write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from ..results.frontier import Frontier
    from ..results.result import Result

PLOT_SUFFIXES = ("png", "svg", "pdf")
INSTALL_HINT = "--plot needs matplotlib: pip install '.[plot]' (or pip install matplotlib)"


def check_plot_file(path: str) -> None:
    """A usable --plot file name, and matplotlib installed (else CaseError, exit 2)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_SUFFIXES:
        raise CaseError(f"--plot {path}: use a .png, .svg or .pdf file name")
    _pyplot()


def check_sweep_plot(axes: dict[str, list[Any]]) -> None:
    """A sweep that can be drawn: numbers on the first axis, at most 12 lines."""
    paths = list(axes)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in axes[paths[0]]):
        raise CaseError(f"--plot: the values of {paths[0]} are not all numbers; nothing to draw "
                        "(put a numeric path first)")
    lines = math.prod(len(axes[p]) for p in paths[1:])
    if lines > 12:
        raise CaseError(f"--plot: {lines} lines would be unreadable; sweep at most 12 "
                        f"combinations of {', '.join(paths[1:])}")


def matplotlib_installed() -> bool:
    """Whether the optional `plot` extra (matplotlib) can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise CaseError(INSTALL_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | os.PathLike[str], protect: tuple[str, ...]) -> None:
    plt = _pyplot()
    suffix = Path(path).suffix.lower().lstrip(".")
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix, dpi=150, bbox_inches="tight",
                metadata={"Software": None} if suffix == "png" else None)
    plt.close(fig)
    write_atomic(path, buf.getvalue(), protect=protect)


def plot_frontier(fr: Frontier, path: str | os.PathLike[str], protect: tuple[str, ...] = ()
                  ) -> None:
    """Least EUR at risk against the target: a stacked area of each lever's share of the
    risk (its top edge is the frontier), the levers' entry points marked."""
    plt = _pyplot()
    case = fr.case
    table = fr.table[fr.table["status"] == "optimal"]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    if len(table):
        x = table["target"].to_numpy() * 100
        used = [lv for lv in case.levers if table[f"risk:{lv.id}"].fillna(0).abs().sum() > 0]
        if used:
            ax.stackplot(x, [table[f"risk:{lv.id}"].fillna(0).to_numpy() / 1000 for lv in used],
                         labels=[lv.name for lv in used], alpha=0.75)
        ax.plot(x, table["risk"].to_numpy() / 1000, color="black", linewidth=1.6,
                label="least EUR at risk")
        top = float(table["risk"].max()) / 1000 if len(table) else 1.0
        firsts = (fr.events[fr.events["event"].str.startswith("enters")]
                  .drop_duplicates("lever", keep="first"))
        width = max(float(x[-1] - x[0]), 1e-9)
        labels: list[tuple[float, list[str]]] = []  # entries close together share one label
        for _, e in firsts.iterrows():
            at = float(e["target"]) * 100
            ax.axvline(at, color="grey", linestyle=":", linewidth=0.9)
            text = f"{e['label']} {e['target']:.2%}"
            if labels and at - labels[-1][0] < 0.03 * width:
                labels[-1][1].append(text)
            else:
                labels.append((at, [text]))
        for at, texts in labels:
            ax.text(at, top, "enter: " + "; ".join(texts), rotation=90, va="top", ha="right",
                    fontsize=7, color="dimgrey")
    if fr.max_share is not None:
        ax.axvline(fr.max_share * 100, color="firebrick", linewidth=1.2)
        ax.annotate(f"no plan beyond\n{fr.max_share:.2%}", (fr.max_share * 100, 0),
                    xytext=(-4, 8), textcoords="offset points", ha="right", fontsize=8,
                    color="firebrick")
    ax.set_xlabel("target private share (%)")
    ax.set_ylabel(f"least EUR at risk (k {case.currency})")
    ax.set_title(f"{case.name}: the risk of reaching each target")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    _save(fig, path, protect)


def plot_tornado(frame: pd.DataFrame, case: Case, path: str | os.PathLike[str],
                 protect: tuple[str, ...] = (), top: int = 20) -> None:
    """Each input's low and high move as a bar around the EUR at risk as given; a move
    that leaves no plan is a hatched bar to the edge."""
    import pandas as pd

    plt = _pyplot()
    rows = frame.head(top).iloc[::-1]
    base = frame.attrs.get("base_risk")
    fig, ax = plt.subplots(figsize=(9, 0.35 * max(len(rows), 4) + 1.5))
    if base is None:
        ax.text(0.5, 0.5, "No plan for the case as given: see the table for the moves that "
                "make the target reachable.", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        _save(fig, path, protect)
        return
    b = base / 1000
    finite = [v / 1000 for v in pd.concat([rows["risk_low"], rows["risk_high"]])
              if isinstance(v, float) and math.isfinite(v)] + [b]
    span = max(max(finite) - b, b - min(finite), 1.0)
    edge = b + 1.15 * span
    labelled: set[str] = set()

    def label(text: str) -> str | None:
        if text in labelled:
            return None
        labelled.add(text)
        return text

    for y, (_, row) in enumerate(rows.iterrows()):
        for side, color, verb in (("low", "tab:blue", "lowered"),
                                  ("high", "tab:orange", "raised")):
            risk, status = row[f"risk_{side}"], row[f"status_{side}"]
            if status == "optimal":
                ax.barh(y, risk / 1000 - b, left=b, color=color, alpha=0.8,
                        label=label(f"input {verb}"))
            elif status == "infeasible":
                ax.barh(y, edge - b, left=b, color="none", edgecolor=color, hatch="//",
                        label=label(f"no plan when {verb}"))
                ax.text(edge, y, " no plan", va="center", fontsize=7, color=color)
    ax.axvline(b, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows["name"], fontsize=7)
    ax.set_xlabel(f"least EUR at risk (k {case.currency}); as given: {b:,.1f} k")
    ax.set_title(f"{case.name}: inputs moved by {frame.attrs.get('pct', 0):.0%}")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    _save(fig, path, protect)


def plot_sweep(frame: pd.DataFrame, case: Case, path: str | os.PathLike[str],
               protect: tuple[str, ...] = ()) -> None:
    """EUR at risk against the swept value (one line per value of a second axis)."""
    import pandas as pd

    plt = _pyplot()
    axes = list(frame.attrs.get("axes", {}))
    fig, ax = plt.subplots(figsize=(9, 5.5))
    x_path = axes[0]
    if not pd.api.types.is_numeric_dtype(frame[x_path]):
        raise CaseError(f"--plot: the sweep of {x_path} is not numeric; nothing to draw")
    scale = 100 if x_path == "target.private_share" else 1
    groups = [((), frame)] if len(axes) == 1 else list(frame.groupby(axes[1:], sort=False))
    if len(groups) > 12:
        raise CaseError(f"--plot: {len(groups)} lines would be unreadable; sweep at most 12 "
                        f"values of {', '.join(axes[1:])}")
    for key, part in groups:
        ok = part[part["status"] == "optimal"]
        label = None if len(axes) == 1 else ", ".join(
            f"{p}={v:g}" if isinstance(v, float) else f"{p}={v}"
            for p, v in zip(axes[1:], key if isinstance(key, tuple) else (key,)))
        ax.plot(ok[x_path].to_numpy() * scale, ok["risk"].to_numpy() / 1000, marker=".",
                label=label)
    ax.set_xlabel(x_path + (" (%)" if scale == 100 else ""))
    ax.set_ylabel(f"least EUR at risk (k {case.currency})")
    ax.set_title(f"{case.name}: sweep of {x_path}")
    ax.grid(alpha=0.3)
    if len(axes) > 1:
        ax.legend(fontsize=7, frameon=False)
    _save(fig, path, protect)


def plot_simulation(path: str, result: Result, protect: tuple[str, ...] = ()) -> None:
    """Histograms of the private share and of the result in the simulated scenarios.

    For a CVaR result, both plans of the comparison are drawn over each other.
    The format follows the file's extension (png, svg, pdf).
    """
    import numpy as np

    series: list[tuple[str, Any]] = []
    if result.cvar is not None:
        for name, item in result.cvar.plans():
            if item.simulation is not None:
                series.append((name, item.simulation))
    elif result.simulation is not None:
        series.append(("plan", result.simulation))
    if not series:
        raise CaseError("--plot: nothing to draw; add --simulate N, --frontier, --tornado PCT "
                        "or --sweep PATH=... (or use a case with a cvar target)")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise CaseError("--plot needs matplotlib: pip install 'cluster-optimizer[plot]'") from None
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    if suffix not in ("png", "svg", "pdf"):
        raise CaseError(f"--plot {path}: use a .png, .svg or .pdf file name")
    case = result.case
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    # The same bins for every plan, so that the bars compare.
    share_bins = np.histogram_bin_edges(np.concatenate([s.share * 100 for _, s in series]), 60)
    result_bins = np.histogram_bin_edges(np.concatenate([s.result / 1000 for _, s in series]), 60)
    for name, sim in series:
        ax1.hist(sim.share * 100, bins=share_bins, alpha=0.55, label=name)
        ax2.hist(sim.result / 1000, bins=result_bins, alpha=0.55, label=name)
    ax1.axvline(case.target.private_share * 100, color="black", linestyle="--",
                label=f"target {case.target.private_share:.0%}")
    ax2.axvline(case.target.min_result / 1000, color="black", linestyle="--",
                label="min_result")
    ax1.set_xlabel("private share after the plan (%)")
    ax2.set_xlabel(f"result after the plan (k {case.currency})")
    for ax in (ax1, ax2):
        ax.set_ylabel("scenarios")
        ax.legend(fontsize=8)
    n = series[0][1].n
    fig.suptitle(f"{case.name}: {n:,} simulated scenarios (seed {series[0][1].seed})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix, dpi=110, metadata=_plot_metadata(suffix))
    plt.close(fig)
    write_atomic(path, buf.getvalue(), protect=protect)


def _plot_metadata(suffix: str) -> dict[str, Any]:
    # No creation date in the file: the same run writes the same bytes.
    if suffix == "svg":
        return {"Date": None}
    if suffix == "pdf":
        return {"CreationDate": None}
    return {}


__all__ = [
    "INSTALL_HINT",
    "check_plot_file",
    "check_sweep_plot",
    "matplotlib_installed",
    "plot_frontier",
    "plot_simulation",
    "plot_sweep",
    "plot_tornado",
]

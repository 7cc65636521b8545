"""`--plot` of a horizon case: the private share year by year against the targets, with
what each lever adds (stacked), and, after `--simulate N`, the drawn shares (5 % - 95 %)
and the reserves."""

from __future__ import annotations

import os
from typing import Any

from ..fmt import count, currency, money, pct_short
from ..i18n import gettext as _
from ..results.horizon import HorizonResult
from .plots import new_figure, save_figure

BEFORE_COLOR = "lightgrey"
TARGET_COLOR = "black"


def horizon_figure(result: HorizonResult) -> Any:
    case = result.case
    years = [y.year for y in result.years]
    sim = result.simulation
    with_reserves = bool(result.years) and result.years[0].reserves_after is not None
    fig = new_figure(10, 7.5 if with_reserves else 5)
    if with_reserves:
        ax, ax2 = fig.subplots(2, 1, height_ratios=[3, 1.4], sharex=True)
    else:
        ax, ax2 = fig.subplots(1, 1), None
    x = list(range(len(years)))
    before = [y.before.private_share * 100 for y in result.years]
    ax.bar(x, before, color=BEFORE_COLOR, width=0.6, label=_("share before the plan"))
    bottom = list(before)
    points = [y.share_points() for y in result.years]
    for lever in case.levers:
        adds = [p.get(lever.id, 0.0) * 100 for p in points]
        if not any(abs(a) > 1e-9 for a in adds):
            continue
        ax.bar(x, adds, bottom=bottom, width=0.6, label=lever.name)
        bottom = [b + a for b, a in zip(bottom, adds)]
    targets = [y.target * 100 for y in result.years]
    ax.plot(x, targets, color=TARGET_COLOR, linestyle="--", marker="_", markersize=28,
            label=_("target"))
    for i, y in enumerate(result.years):
        ax.annotate(pct_short(y.evaluation.private_share), (i, bottom[i]),
                    textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8)
    if sim is not None:
        rows = sim.year_rows()
        lo = [r["share_quantiles"]["p05"] * 100 for r in rows]
        hi = [r["share_quantiles"]["p95"] * 100 for r in rows]
        mid = [r["share_quantiles"]["p50"] * 100 for r in rows]
        ax.errorbar([i + 0.38 for i in x], mid, yerr=[[m - a for m, a in zip(mid, lo)],
                                                      [b - m for m, b in zip(mid, hi)]],
                    fmt="o", color="dimgray", capsize=3, markersize=3,
                    label=_("drawn share, 5%-95% ({n} runs)").format(n=count(sim.n)))
    low = min(before + targets) - 5
    top = max(bottom + targets) + 3
    ax.set_ylim(max(0, low), min(100, top))
    ax.set_ylabel(_("private share of revenues (%)"))
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(_("{case}: the private share each year, and what each lever adds").format(
        case=case.name), fontsize=10)
    if ax2 is not None:
        after = [(y.reserves_after or 0.0) / 1000 for y in result.years]
        ax2.plot(x, after, marker="o", label=_("reserves at year end (plan)"))
        h = case.horizon
        if h is not None and h.reserves is not None:
            ax2.axhline(h.min_reserves / 1000, color="firebrick", linestyle="--",
                        label=_("floor, {amount}").format(amount=money(h.min_reserves,
                                                                  case.currency)))
        if sim is not None:
            lows = [r["reserves_p05"] / 1000 for r in sim.year_rows()
                    if r["reserves_p05"] is not None]
            if len(lows) == len(x):
                ax2.plot(x, lows, marker=".", linestyle=":", color="dimgray",
                         label=_("reserves, 5% worst drawn runs"))
        ax2.set_ylabel(_("k {cur}").format(cur=currency(case.currency)))
        ax2.legend(fontsize=8)
    last = ax2 if ax2 is not None else ax
    last.set_xticks(x, [str(y) for y in years])
    fig.tight_layout()
    return fig


def plot_horizon(path: str | os.PathLike[str], result: HorizonResult,
                 protect: tuple[str, ...] = ()) -> None:
    save_figure(horizon_figure(result), path, protect)


__all__ = ["horizon_figure", "plot_horizon"]

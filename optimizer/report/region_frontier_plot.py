"""The region frontier drawn (issue 10): the least total EUR at risk against the envelope,
today's total at the left and the envelope falling to the right, with the amount reached at
no extra risk, the file's amount, the smallest envelope (no split below it, shaded) and
where each cluster starts being cut and reaches its maximum cut (numbered, listed below)."""

from __future__ import annotations

import math
import os
import textwrap
from typing import Any

from ..fmt import keur
from ..i18n import gettext as _
from ..results.region_frontier import EnvelopeFrontier, RegionFrontier
from .plots import NO_PLAN_COLOR, TARGET_COLOR, entry_groups, new_figure, save_figure


def _entries(env: EnvelopeFrontier) -> tuple[list[tuple[float, str]], list[str]]:
    """(entry points inside the frontier, in order down from today: (amount, text);
    clusters already cut or at their maximum at today's total)."""
    inside: list[tuple[float, str]] = []
    already: list[str] = []
    for e in env.entries:
        every = env.entry_method == "every_split"
        for t, what in ((e.cut, _("every least-risk split cuts {cluster} from {amount} EUR")
                         if every else _("the split found cuts {cluster} from {amount} EUR")),
                        (e.full, _("every least-risk split cuts {cluster} by its maximum "
                                   "({most} EUR) from {amount} EUR") if every else
                         _("the split found cuts {cluster} by its maximum ({most} EUR) from "
                           "{amount} EUR"))):
            if t.below is None:
                continue
            if t.above is None:
                if t is e.full:  # at its maximum cut: said once, instead of "cut"
                    already[already.index(e.cluster) if e.cluster in already else
                            len(already):] = [_("{cluster} (maximum cut)").format(
                                cluster=e.cluster)]
                else:
                    already.append(e.cluster)
                continue
            inside.append((t.below, what.format(cluster=e.cluster, amount=keur(t.below),
                                                most=keur(e.max_cut))))
    inside.sort(key=lambda x: -x[0])
    return inside, already


def region_frontier_figure(fr: RegionFrontier) -> Any:
    envs = fr.envelopes
    listed = [_entries(env) for env in envs]
    axes_h, label_h, line_h, top_h = 3.2, 0.75, 0.2, 0.6  # inches
    blocks = [axes_h + label_h + line_h * (max(1, len(inside)) + 2
                                          + len(textwrap.wrap(", ".join(already), 120)))
              for inside, already in listed]
    height = top_h + sum(blocks)
    fig = new_figure(10, height)
    y = height - top_h  # the top of the next block, in inches from the bottom
    for env, (inside, already), block in zip(envs, listed, blocks):
        ax = fig.add_axes((0.1, (y - axes_h) / height, 0.62, axes_h / height))
        _draw(ax, env)
        text_top = (y - axes_h - label_h) / height
        head = _("The numbers above the plot mark the first amount, going down, where:")
        if already:
            cut = textwrap.wrap(_("Cut at today's total already: {names}.").format(
                names=", ".join(already)), 150)
            head = "\n".join(cut + [head])
        lines = [f"{n}  {text}" for n, (_at, text) in enumerate(inside, start=1)]
        body = "\n".join(lines) if lines else _("no cluster's cut changes inside the "
                                                "frontier.")
        fig.text(0.1, text_top, head, fontsize=7.5, va="top")
        fig.text(0.1, text_top - line_h * (head.count("\n") + 1) / height, body, fontsize=7.5, va="top",
                 color="dimgrey", linespacing=1.5)
        y -= block
    fig.suptitle(_("{region}: the least total EUR at risk as the envelope falls").format(
        region=fr.region.spec.name), fontsize=11, y=1 - 0.15 / height)
    return fig


def _draw(ax: Any, env: EnvelopeFrontier) -> None:
    pts = [p for p in env.points if p.total_risk is not None]
    x = [p.amount / 1000 for p in pts]
    y = [(p.total_risk or 0.0) / 1000 for p in pts]
    ax.plot(x, y, color="black", linewidth=1.6, label=_("least total EUR at risk"))
    proven = [(a, b) for a, b, p in zip(x, y, pts) if p.proven and p.grid]
    if proven:
        ax.plot(*zip(*proven), "o", color="black", markersize=3.5,
                label=_("grid point, proven optimal"))
    unproven = [(a, b) for a, b, p in zip(x, y, pts) if not p.proven]
    bounds = [(p.amount / 1000, p.bound / 1000) for p in pts if p.bound is not None]
    if unproven and bounds:
        ax.plot(*zip(*bounds), color="firebrick", linestyle="--", linewidth=1.0,
                label=_("proven lower bound: the least total risk lies between it and the "
                        "curve").replace(": ", ":\n", 1))
    if unproven:
        ax.plot(*zip(*unproven), "o", markerfacecolor="white", color="firebrick",
                markersize=5, label=_("best split found, not proven (see the gap)"))
    # the first and last figures, inside the axes (the axis runs right to left)
    for p, ha, dx in ((pts[0], "left", -4), (pts[-1], "right", 4)) if len(pts) > 1 else ():
        ax.annotate(_("{risk} EUR").format(risk=keur(p.total_risk)),
                    (p.amount / 1000, (p.total_risk or 0.0) / 1000), textcoords="offset points",
                    xytext=(dx, 7), ha=ha, fontsize=7.5)
    left = env.today / 1000
    low = (env.minimum if env.minimum is not None else env.today) / 1000
    span = max(left - low, 1e-6)
    right_edge = low - 0.08 * span
    if env.minimum is not None:
        ax.text(left, 1.01, _("today"), transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=7, color="dimgrey")
        ax.axvspan(low, right_edge, color=NO_PLAN_COLOR, alpha=0.08, linewidth=0)
        ax.axvline(low, color=NO_PLAN_COLOR, linewidth=1.2)
        ax.text((low + right_edge) / 2, 0.5, _("no split below {amount}").format(
            amount=keur(env.minimum)), transform=ax.get_xaxis_transform(), rotation=90,
            ha="center", va="center", fontsize=8, color=NO_PLAN_COLOR)
    if env.free_until is not None and env.free_until < env.today - 1:
        ax.axvline(env.free_until / 1000, color="seagreen", linestyle=":", linewidth=1.3,
                   label=_("no extra risk down to {amount} EUR").format(
                       amount=keur(env.free_until)))
    if env.file_amount < env.today - 1:
        ax.axvline(env.file_amount / 1000, color=TARGET_COLOR, linestyle="--", linewidth=1.3,
                   label=_("the file's amount, {amount} EUR").format(
                       amount=keur(env.file_amount)))
    inside, _already = _entries(env)
    # numbered markers, grouped so that two never overlap (the axis runs right to left)
    flipped = [(-a / 1000, t) for a, t in inside]
    for at, numbers in entry_groups(flipped, span):
        ax.axvline(-at, color="grey", linestyle=":", linewidth=0.9)
        label = (f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 2 else
                 ",".join(map(str, numbers)))  # numbered in order: a group is a range
        ax.text(-at, 1.01, label, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, color="dimgrey")
    ax.set_xlim(left + 0.02 * span, right_edge)  # today's total at the left
    tops = [v for v in y if math.isfinite(v)]
    ax.set_ylim(0, (max(tops) if tops else 1.0) * 1.12)
    ax.set_xlabel(_("{label} envelope (k EUR): today's total at the left, falling to the "
                    "right").format(label=env.label))
    ax.set_ylabel(_("Least total EUR at risk (k EUR)"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


def plot_region_frontier(fr: RegionFrontier, path: str | os.PathLike[str],
                         protect: tuple[str, ...] = ()) -> None:
    """The figure of `region_frontier_figure`, written to path (.png, .svg or .pdf)."""
    save_figure(region_frontier_figure(fr), path, protect)


__all__ = ["plot_region_frontier", "region_frontier_figure"]

"""The report of a horizon sweep or frontier: one row per value, the path's total EUR at
risk, the final year's share and the levers the path uses; `--plot` draws the EUR at risk
against the value."""

from __future__ import annotations

import csv
import io
import json
import os

from tabulate import tabulate

from ..fmt import currency, general, keur, pct, status_words
from ..i18n import gettext as _
from ..i18n import is_default
from ..results.horizon_sweep import HorizonSweep
from .formats import FORMATS
from .plots import new_figure, save_figure


def _value_text(path: str, value: object) -> str:
    if isinstance(value, float) and ("target" in path or "share" in path):
        return pct(value)
    if isinstance(value, float) and not is_default():
        return general(value)
    return str(value)


def render_horizon_sweep(sweep: HorizonSweep, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(sweep.to_dict(), indent=2, ensure_ascii=False,
                          allow_nan=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([sweep.path, "status", "risk", "final_share", "levers"])
        for p in sweep.points:
            writer.writerow([p.value, p.status.value, "" if p.risk is None else f"{p.risk:.6f}",
                             "" if p.final_share is None else f"{p.final_share:.6f}",
                             " ".join(p.levers)])
        return buf.getvalue()
    if fmt not in ("table", "markdown"):
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    case = sweep.case
    h = case.horizon
    years = f"{h.years[0]}-{h.years[-1]}" if h else ""
    title = _("{case}: the path ({years}) at each value of {path}").format(
        case=case.name, years=years, path=sweep.path)
    out = [f"# {title}" if fmt == "markdown" else title,
           "" if fmt == "markdown" else "=" * len(title), ""]
    out.append(_("Each row is a whole path solved on its own: its total EUR at risk over the "
                 "years, the private share of the final year, and the levers it uses."))
    out.append("")
    rows = []
    for p in sweep.points:
        rows.append([_value_text(sweep.path, p.value), status_words(p.status),
                     "-" if p.risk is None else keur(p.risk),
                     "-" if p.final_share is None else pct(p.final_share),
                     ", ".join(case.lever(i).name for i in p.levers) or "-"])
    out.append(tabulate(rows, headers=[sweep.path, _("status"),
                                       _("EUR at risk ({cur})").format(cur=currency(case.currency)),
                                       _("final-year share"), _("levers used")],
                        tablefmt="github" if fmt == "markdown" else "simple",
                        disable_numparse=True))
    return "\n".join(out).rstrip("\n") + "\n"


def plot_horizon_sweep(path: str | os.PathLike[str], sweep: HorizonSweep,
                       protect: tuple[str, ...] = ()) -> None:
    fig = new_figure(8, 4.5)
    ax = fig.subplots(1, 1)
    share = "target" in sweep.path or "share" in sweep.path
    xs = [float(p.value) * (100 if share else 1) for p in sweep.points if p.risk is not None]
    ys = [p.risk / 1000 for p in sweep.points if p.risk is not None]
    ax.plot(xs, ys, marker="o")
    missing = [float(p.value) * (100 if share else 1) for p in sweep.points if p.risk is None]
    if missing:
        ax.plot(missing, [0] * len(missing), "x", color="firebrick", label=_("no path"))
        ax.legend(fontsize=8)
    ax.set_xlabel(f"{sweep.path}{' (%)' if share else ''}")
    ax.set_ylabel(_("least total EUR at risk over the path (k {cur})").format(
        cur=currency(sweep.case.currency)))
    ax.set_ylim(bottom=0)
    ax.set_title(sweep.case.name, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, protect)


__all__ = ["plot_horizon_sweep", "render_horizon_sweep"]

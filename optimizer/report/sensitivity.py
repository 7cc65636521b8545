"""Reports of sensitivity runs (sweep, frontier, tornado) in the four formats.

table and markdown are for people (k EUR, shares in %); json and csv for machines
(plain numbers: EUR, shares as fractions, lever values in their units, rounded to
1e-6 so that the bytes are stable from run to run; NaN is null in JSON, empty in CSV).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from ..case.schema import Case
from ..fmt import keur
from ..results.base import SCHEMA_VERSION, plain
from ..results.frontier import frontier_dict
from ..results.sweep import members_column
from .formats import FORMATS

if TYPE_CHECKING:
    import pandas as pd

    from ..results.frontier import Frontier


def _csv_cell(value: Any) -> str:
    v = plain(value)
    if v is None:
        return ""
    return repr(v) if isinstance(v, float) else str(v)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _keur(x: Any) -> str:
    return "-" if x is None or not math.isfinite(float(x)) else keur(float(x))


def _pct(x: Any, digits: int = 1) -> str:
    return "-" if x is None or not math.isfinite(float(x)) else f"{float(x):.{digits}%}"


def lever_value(case: Case, lever_id: str, value: Any) -> str:
    """A lever's value in its unit, short: 12%, 69.8 k, 76."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    return str(case.lever(lever_id).value_cell(float(value)))


def _plan_text(case: Case, row: pd.Series) -> str:
    parts = []
    for lever in case.levers:
        v = row.get(f"lever:{lever.id}")
        if v is not None and math.isfinite(float(v)) and abs(float(v)) > 1e-7:
            parts.append(f"{lever.id} {lever_value(case, lever.id, v)}")
    return "; ".join(parts) if parts else "no lever"


def _axis_value(path: str, value: Any) -> str:
    if path == "target.private_share" and isinstance(value, int | float):
        return f"{value:.2%}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _people(lines: list[str], markdown: bool, heading: str) -> None:
    if markdown:
        lines.insert(0, f"# {heading}\n")
    else:
        lines.insert(0, heading)
        lines.insert(1, "=" * len(heading))


def _table(rows: list[list[Any]], headers: list[str], markdown: bool) -> str:
    return tabulate(rows, headers=headers, tablefmt="github" if markdown else "simple",
                    disable_numparse=True)


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


# ------------------------------------------------------------------ sweep


def sweep_dict(frame: pd.DataFrame, case: Case) -> dict[str, Any]:
    axes = frame.attrs.get("axes", {})
    rows = []
    for _, row in frame.iterrows():
        item: dict[str, Any] = {path: plain(row[path]) for path in axes}
        item.update({k: plain(row[k]) for k in ("status", "risk", "private_share", "result")})
        item[members_column(frame)] = plain(row[members_column(frame)])
        item["levers"] = {lever.id: plain(row[f"lever:{lever.id}"]) for lever in case.levers}
        rows.append(item)
    return {
        "schema_version": SCHEMA_VERSION, "kind": "sweep", "case": case.name,
        "solver": frame.attrs.get("solver"), "axes": {p: [plain(v) for v in vals]
                                                      for p, vals in axes.items()},
        "points": len(frame), "status_counts": dict(Counter(frame["status"])),
        "solves": frame.attrs.get("solves"), "rows": rows,
    }


def _frame_csv(frame: pd.DataFrame, columns: list[str]) -> str:
    """The columns of a frame as CSV, one row per line, numbers as plain values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for _, row in frame.iterrows():
        writer.writerow([_csv_cell(row[c]) for c in columns])
    return buf.getvalue()


def render_sweep(frame: pd.DataFrame, case: Case, fmt: str = "table") -> str:
    _check(fmt)
    if fmt == "json":
        return _json(sweep_dict(frame, case))
    if fmt == "csv":
        return _frame_csv(frame, list(frame.columns))
    markdown = fmt == "markdown"
    axes = list(frame.attrs.get("axes", {}))
    counts = Counter(frame["status"])
    lines = [f"{len(frame):,} points: " + ", ".join(f"{n:,} {s}" for s, n in counts.items())
             + ". EUR at risk is the least for each point (exact, as `optimize` finds it).", ""]
    headers = axes + ["status", f"EUR at risk ({case.currency})", "private share",
                      "result", "members after", "plan"]
    rows = []
    for _, row in frame.iterrows():
        ok = row["status"] == "optimal"
        rows.append([_axis_value(p, row[p]) for p in axes] + [
            row["status"], _keur(row["risk"]), _pct(row["private_share"]),
            _keur(row["result"]) if ok else "-",
            f"{row[members_column(frame)]:,.1f}".rstrip("0").rstrip(".") if ok else "-",
            _plan_text(case, row) if ok else "-"])
    lines.append(_table(rows, headers, markdown))
    _people(lines, markdown, f"Sweep of {case.name}")
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ frontier


def render_frontier(fr: Frontier, fmt: str = "table") -> str:
    _check(fmt)
    case = fr.case
    if fmt == "json":
        return _json(frontier_dict(fr))
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        lever_cols = [f"lever:{lv.id}" for lv in case.levers]
        writer.writerow(["section", "target", "status", "risk", "private_share", "result",
                         "members", "lever", "event", "before", "after"] + lever_cols)
        for _, row in fr.table.iterrows():
            writer.writerow(["point"] + [_csv_cell(row[k]) for k in (
                "target", "status", "risk", "private_share", "result", "members")]
                + ["", "", "", ""] + [_csv_cell(row[c]) for c in lever_cols])
        for _, e in fr.events.iterrows():
            writer.writerow(["event", _csv_cell(e["target"]), "", "", "", "", "", e["lever"],
                             e["event"], _csv_cell(e["before"]), _csv_cell(e["after"])]
                            + [""] * len(lever_cols))
        return buf.getvalue()
    markdown = fmt == "markdown"
    lines: list[str] = []
    for text in _summary_short(fr):
        lines.append(f"- {text}" if markdown else text)
    lines.append("")
    if len(fr.events) > 1:
        lines.append("## Where the plan changes shape\n" if markdown else
                     "Where the plan changes shape\n----------------------------")
        rows = [[_pct(e["target"], 2), e["label"] or "-", e["event"],
                 lever_value(case, e["lever"], e["before"]) if e["lever"] else "-",
                 lever_value(case, e["lever"], e["after"]) if e["lever"] else "-"]
                for _, e in fr.events.iterrows()]
        lines.append(_table(rows, ["target", "lever", "change", "before", "after"], markdown))
        lines.append("")
        lines.append(f"Targets found by bisection between grid points, to {fr.precision:g}.")
        lines.append("")
    if len(fr.table):
        lines.append("## Least EUR at risk against the target\n" if markdown else
                     "Least EUR at risk against the target\n------------------------------------")
        rows = []
        for _, row in fr.table.iterrows():
            ok = row["status"] == "optimal"
            rows.append([_pct(row["target"], 2), row["status"], _keur(row["risk"]),
                         _plan_text(case, row) if ok else "-"])
        lines.append(_table(rows, ["target", "status", f"EUR at risk ({case.currency})",
                                   "plan"], markdown))
    _people(lines, markdown, f"Frontier of {case.name}")
    return "\n".join(lines).rstrip() + "\n"


def _summary_short(fr: Frontier) -> list[str]:
    """The headline, then each lever's changes on one line."""
    out = fr.headline()
    if fr.max_share is None:
        return out
    events = fr.events[fr.events["lever"] != ""]
    for lever in fr.case.levers:
        mine = events[events["lever"] == lever.id]
        if not len(mine):
            continue
        parts = [f"{e['event']} at {e['target']:.2%}" for _, e in mine.head(3).iterrows()]
        more = len(mine) - 3
        if more > 0:
            parts.append(f"then {more} more change{'s' if more > 1 else ''} up to "
                         f"{mine['target'].iloc[-1]:.2%}")
        out.append(f"{lever.name}: {'; '.join(parts)}.")
    out.append(f"Beyond {fr.max_share:.2%} no plan exists.")
    out.extend(fr.notes)
    return out


# ------------------------------------------------------------------ tornado


def tornado_dict(frame: pd.DataFrame, case: Case) -> dict[str, Any]:
    rows = [{k: plain(row[k]) for k in frame.columns if k != "flips"}
            for _, row in frame.iterrows()]
    return {
        "schema_version": SCHEMA_VERSION, "kind": "tornado", "case": case.name,
        "solver": frame.attrs.get("solver"), "change": plain(frame.attrs.get("pct")),
        "base": {"status": frame.attrs.get("base_status"),
                 "risk": plain(frame.attrs.get("base_risk"))},
        "rows": rows,
    }


def render_tornado(frame: pd.DataFrame, case: Case, fmt: str = "table") -> str:
    _check(fmt)
    if fmt == "json":
        return _json(tornado_dict(frame, case))
    if fmt == "csv":
        return _frame_csv(frame, [c for c in frame.columns if c != "flips"])
    markdown = fmt == "markdown"
    pct = frame.attrs.get("pct", 0.0)
    base_risk = frame.attrs.get("base_risk")
    lines = [(f"Each input moved down and up by {pct:.0%}, one at a time; ranked by its effect "
              "on the least EUR at risk (a move that makes the target unreachable first)."),
             (f"As given: {_keur(base_risk)} {case.currency} at risk." if base_risk is not None
              else f"As given: no plan ({frame.attrs.get('base_status')})."), ""]
    rows = []
    for _, row in frame.iterrows():
        values = f"{_short(row['low'])} / {_short(row['base'])} / {_short(row['high'])}"
        rows.append([row["rank"], row["name"], values,
                     _risk_cell(row["status_low"], row["risk_low"]),
                     _risk_cell(row["status_high"], row["risk_high"]), _keur(row["swing"]),
                     row["feasibility"] or ""])
    lines.append(_table(rows, ["#", "input", "low / as given / high", "EUR at risk when low",
                               "when high", "swing", "feasibility"], markdown))
    _people(lines, markdown, f"Tornado of {case.name}")
    return "\n".join(lines).rstrip() + "\n"


def _short(value: Any) -> str:
    v = float(value)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.4g}"


def _risk_cell(status: str, risk: Any) -> str:
    if status == "optimal":
        return _keur(risk)
    return "no plan" if status == "infeasible" else status


__all__ = [
    "lever_value",
    "render_frontier",
    "render_sweep",
    "render_tornado",
    "sweep_dict",
    "tornado_dict",
]

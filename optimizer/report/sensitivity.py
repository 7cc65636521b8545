"""Reports of sensitivity runs (sweep, frontier, tornado) in the four formats.

table and markdown are for people (k EUR, shares in %); json and csv for machines
(plain numbers: EUR, shares as fractions, lever values in their units, rounded to
1e-6 so that the bytes are stable from run to run; NaN is null in JSON, empty in CSV).
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..case.schema import Case
from ..fmt import count, currency, general, keur, money, pct_digits, status_words
from ..i18n import N_, ngettext, pgettext
from ..i18n import gettext as _
from ..results.base import SCHEMA_VERSION, plain
from ..results.frontier import event_words, frontier_dict
from ..results.names import (
    input_name,
    input_unit,
    objective_words,
    robust_words,
    value_cells,
)
from ..results.sweep import members_column
from . import bulk
from .bulk import columns, csv_cells, plain_values
from .formats import FORMATS

if TYPE_CHECKING:
    import pandas as pd

    from ..results.frontier import Frontier


def _json(data: dict[str, Any]) -> str:
    return bulk.dumps(data) + "\n"


def _keur(x: Any, sign: bool = False) -> str:
    return "-" if x is None or not math.isfinite(float(x)) else keur(float(x), sign)


def _pct(x: Any, digits: int = 1) -> str:
    return "-" if x is None or not math.isfinite(float(x)) else pct_digits(float(x), digits)


def lever_value(case: Case, lever_id: str, value: Any) -> str:
    """A lever's value in its unit, short: 12%, 69.8 k, 76."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    return str(case.lever(lever_id).value_cell(float(value)))


def _plan_texts(case: Case, cols: dict[str, list[Any]]) -> list[str]:
    """Each row's plan in words ("Lower regional grant 69.8 k; Training days 76"), from the
    `lever:ID` columns, lever by lever: each distinct value is written once."""
    parts = []
    for lever in case.levers:
        values = cols.get(f"lever:{lever.id}")
        if values is None:
            continue
        name = lever.name

        def cell(v: Any, lever_id: str = lever.id, name: str = name) -> str:
            if v is None or not math.isfinite(float(v)) or abs(float(v)) <= 1e-7:
                return ""
            return f"{name} {lever_value(case, lever_id, v)}"

        parts.append(_mapped(cell, values))
    return [_("; ").join(filter(None, plan)) or _("no lever") for plan in zip(*parts)]


def _only(keep: list[bool], cells: list[str]) -> list[str]:
    """The cells of the rows to keep, "-" elsewhere (the figures of a point with no plan)."""
    return [c if k else "-" for k, c in zip(keep, cells)]


def _mapped(fn: Any, values: list[Any]) -> list[str]:
    """[fn(v) for v in values], fn called once per distinct value (values repeat in a
    sweep: plans reached by shortcut, points out of reach)."""
    memo: dict[Any, str] = {}
    out = []
    for v in values:
        text = memo.get(v)
        if text is None:
            text = fn(v)
            if not (isinstance(v, float) and math.isnan(v)):  # NaN is never found again
                memo[v] = text
        out.append(text)
    return out


def _axis_header(case: Case, path: str) -> str:
    """A swept path's column: its name in words, and its unit when it is EUR or a share."""
    unit = input_unit(path)
    name = input_name(case, path)
    if unit == "eur":
        return f"{name} ({currency(case.currency)})"
    return name


def sweep_objective(case: Case) -> str:
    """What each point's plan is, in one sentence: the objective it minimises, exactly."""
    what = objective_words(case)
    if what == _("EUR at risk"):
        text = _("Each plan has the least EUR at risk of its point (exact, as `optimize` finds "
                 "it)")
    else:
        text = _("Each plan has the least {what} of its point (as `optimize` finds it); the "
                 "table gives its EUR at risk").format(what=what)
    robust = robust_words(case)
    return (_("{text}; every plan {robust}.").format(text=text, robust=robust) if robust else
            _("{text}.").format(text=text))


# How a point's status reads in a table for people (json and csv keep the status itself).
STATUS_WORDS = {"optimal": N_("optimal"), "infeasible": N_("no plan"),
                "time_limit": N_("time limit")}


def _status_word(status: str) -> str:
    word = STATUS_WORDS.get(status)
    return _(word) if word is not None else status_words(status)


def _people(lines: list[str], markdown: bool, heading: str) -> None:
    if markdown:
        lines.insert(0, f"# {heading}\n")
    else:
        lines.insert(0, heading)
        lines.insert(1, "=" * len(heading))


def _table(rows: list[list[Any]], headers: list[str], markdown: bool,
           align: list[str] | None = None) -> str:
    return bulk.table(rows, headers, markdown, align)


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


# ------------------------------------------------------------------ sweep


def _sweep_head(frame: pd.DataFrame, case: Case, statuses: list[str]) -> dict[str, Any]:
    axes = frame.attrs.get("axes", {})
    return {
        "schema_version": SCHEMA_VERSION, "kind": "sweep", "case": case.name,
        "solver": frame.attrs.get("solver"), "axes": {p: plain_values(list(vals))
                                                      for p, vals in axes.items()},
        "points": len(frame), "status_counts": dict(Counter(statuses)),
        "solves": frame.attrs.get("solves"),
    }


def sweep_dict(frame: pd.DataFrame, case: Case) -> dict[str, Any]:
    axes = frame.attrs.get("axes", {})
    members = members_column(frame)
    figures = ["status", "risk", "private_share", "result", members]
    lever_ids = [lever.id for lever in case.levers]
    cols = columns(frame, list(axes) + figures + [f"lever:{i}" for i in lever_ids])
    values = {name: plain_values(col) for name, col in cols.items()}
    rows = []
    for at, figs, levers in zip(zip(*(values[p] for p in axes)),
                                zip(*(values[f] for f in figures)),
                                zip(*(values[f"lever:{i}"] for i in lever_ids))):
        item: dict[str, Any] = dict(zip(axes, at))
        item.update(zip(figures, figs))
        item["levers"] = dict(zip(lever_ids, levers))
        rows.append(item)
    return {**_sweep_head(frame, case, cols["status"]), "rows": rows}


def _frame_csv(frame: pd.DataFrame, names: list[str]) -> str:
    """The columns of a frame as CSV, one row per line, numbers as plain values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    cols = columns(frame, names)
    writer.writerows(zip(*(csv_cells(cols[name]) for name in names)))
    return buf.getvalue()


def _sweep_json(frame: pd.DataFrame, case: Case) -> str:
    """`_json(sweep_dict(frame, case))`, byte for byte, in linear time: the rows are written
    from a template, each column's values turned into JSON text at once."""
    axes = list(frame.attrs.get("axes", {}))
    members = members_column(frame)
    figures = axes + ["status", "risk", "private_share", "result", members]
    levers = [f"lever:{lever.id}" for lever in case.levers]
    cols = columns(frame, figures + levers)
    head = bulk.dumps(_sweep_head(frame, case, cols["status"]))  # "rows", the last key, below
    if not len(frame):
        return head[:-2] + ',\n  "rows": []\n}\n'
    key = bulk.json_tokens

    def line(name: str, indent: int) -> str:
        return " " * indent + key([name])[0].replace("{", "{{").replace("}", "}}") + ": {}"

    inner = [line(name, 6) for name in figures]
    if levers:
        inner.append('      "levers": {{\n' + ",\n".join(
            line(lever.id, 8) for lever in case.levers) + "\n      }}")
    else:
        inner.append('      "levers": {{}}')
    template = "    {{\n" + ",\n".join(inner) + "\n    }}"
    tokens = [bulk.plain_tokens(cols[name]) for name in figures + levers]
    rows = ",\n".join(template.format(*values) for values in zip(*tokens))
    return head[:-2] + ',\n  "rows": [\n' + rows + "\n  ]\n}\n"


def render_sweep(frame: pd.DataFrame, case: Case, fmt: str = "table") -> str:
    _check(fmt)
    if fmt == "json":
        return _sweep_json(frame, case)
    if fmt == "csv":
        return _frame_csv(frame, list(frame.columns))
    markdown = fmt == "markdown"
    axes = list(frame.attrs.get("axes", {}))
    members = members_column(frame)
    cols = columns(frame, axes + ["status", "risk", "private_share", "result", members]
                   + [f"lever:{lever.id}" for lever in case.levers])
    counts = Counter(cols["status"])
    lines = [_("{n} points: {counts}. {objective}").format(
        n=count(len(frame)), counts=", ".join(
            (_("{n} with no plan") if s == "infeasible" else
             ngettext("{n} optimal", "{n} optimal", n) if s == "optimal" else
             _("{n} {status}")).format(n=count(n), status=_status_word(s))
            for s, n in counts.items()), objective=sweep_objective(case)), ""]
    cur = currency(case.currency)
    headers = [_axis_header(case, p) for p in axes] + [
        _("Status"), _("EUR at risk ({cur})").format(cur=cur), _("Private share"),
        _("Result ({cur})").format(cur=cur), _("Members after"), _("Plan")]
    ok = [status == "optimal" for status in cols["status"]]
    table = [value_cells(p, cols[p]) for p in axes] + [
        _mapped(_status_word, cols["status"]), _mapped(_keur, cols["risk"]),
        _mapped(_pct, cols["private_share"]),
        _only(ok, _mapped(lambda v: _keur(v, sign=True), cols["result"])),
        _only(ok, _mapped(count, cols[members])),
        _only(ok, _plan_texts(case, cols))]
    lines.append(bulk.table_columns(table, headers, markdown,
                                    ["right"] * len(axes) + ["left", "right", "right", "right",
                                                             "right", "left"]))
    _people(lines, markdown, _("Sweep of {case}").format(case=case.name))
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
        figures = ["target", "status", "risk", "private_share", "result", "members"]
        cols = columns(fr.table, figures + lever_cols)
        n = len(fr.table)
        writer.writerows(zip(["point"] * n, *(csv_cells(cols[k]) for k in figures),
                             *([[""] * n] * 4), *(csv_cells(cols[c]) for c in lever_cols)))
        ev = columns(fr.events, ["target", "lever", "event", "before", "after"])
        m = len(fr.events)
        writer.writerows(zip(["event"] * m, csv_cells(ev["target"]), *([[""] * m] * 5),
                             csv_cells(ev["lever"]), csv_cells(ev["event"]),
                             csv_cells(ev["before"]), csv_cells(ev["after"]),
                             *([[""] * m] * len(lever_cols))))
        return buf.getvalue()
    markdown = fmt == "markdown"
    lines: list[str] = []
    for text in _summary_short(fr):
        lines.append(f"- {text}" if markdown else text)
    lines.append("")
    if len(fr.events) > 1:
        title = _("Where the plan changes shape")
        lines.append(f"## {title}\n" if markdown else f"{title}\n{'-' * len(title)}")
        ev = columns(fr.events, ["target", "label", "event", "lever", "before", "after"])
        rows = [[_pct(t, 2), label or "-", event_words(event),
                 lever_value(case, lever, before) if lever else "-",
                 lever_value(case, lever, after) if lever else "-"]
                for t, label, event, lever, before, after in zip(*ev.values())]
        lines.append(_table(rows, [_("Target private share"), _("Lever"),
                                   pgettext("frontier event", "Change"),
                                   _("Before"), _("After")], markdown,
                            ["right", "left", "left", "right", "right"]))
        lines.append("")
        lines.append(_("Targets found by bisection between grid points, to {precision}.")
                     .format(precision=general(fr.precision)))
        lines.append("")
    if len(fr.table):
        what = objective_words(case)
        title = (_("Least EUR at risk against the target") if what == _("EUR at risk") else
                 _("The plan of least {what} at each target, and its EUR at risk").format(
                     what=what))
        lines.append(f"## {title}\n" if markdown else f"{title}\n{'-' * len(title)}")
        cols = columns(fr.table, ["target", "status", "risk"]
                       + [f"lever:{lever.id}" for lever in case.levers])
        plans = _plan_texts(case, cols)
        rows = [[_pct(t, 2), _status_word(status), _keur(risk),
                 plan if status == "optimal" else "-"]
                for t, status, risk, plan in zip(cols["target"], cols["status"], cols["risk"],
                                                 plans)]
        lines.append(_table(rows, [_("Target private share"), _("Status"),
                                   _("EUR at risk ({cur})").format(cur=currency(case.currency)),
                                   _("Plan")], markdown,
                            ["right", "left", "right", "left"]))
    _people(lines, markdown, _("Frontier of {case}").format(case=case.name))
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
        parts = [_("{event} at {target}").format(event=event_words(event),
                                                 target=pct_digits(t, 2))
                 for event, t in zip(mine["event"].tolist()[:3], mine["target"].tolist()[:3])]
        more = len(mine) - 3
        if more > 0:
            parts.append(ngettext("then {n} more change up to {target}",
                                  "then {n} more changes up to {target}", more).format(
                n=more, target=pct_digits(mine["target"].iloc[-1], 2)))
        out.append(_("{lever}: {changes}.").format(lever=lever.name, changes=_("; ").join(parts)))
    out.append(_("Beyond {share} no plan exists.").format(share=pct_digits(fr.max_share, 2)))
    out.extend(fr.notes)
    return out


# ------------------------------------------------------------------ tornado


def tornado_dict(frame: pd.DataFrame, case: Case) -> dict[str, Any]:
    names = [k for k in frame.columns if k != "flips"]
    cols = columns(frame, names)
    rows = [dict(zip(names, values))
            for values in zip(*(plain_values(cols[k]) for k in names))]
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
    what = objective_words(case)
    effect = (_("the least EUR at risk") if what == _("EUR at risk") else
              _("the EUR at risk of the plan of least {what}").format(what=what))
    robust = robust_words(case)
    lines = [(_("Each input moved down and up by {pct}, one at a time; ranked by its effect on "
                "{effect} (a move that makes the target unreachable first).").format(
                  pct=pct_digits(pct, 0), effect=effect)
              + (" " + _("Every plan {robust}.").format(robust=robust) if robust else "")),
             (_("As given: {risk} at risk.").format(risk=money(base_risk, case.currency))
              if base_risk is not None else _("As given: no plan ({status}).").format(
                  status=status_words(frame.attrs.get("base_status"), raw=True))), ""]
    cols = columns(frame, ["rank", "name", "input", "low", "base", "high", "status_low",
                           "risk_low", "status_high", "risk_high", "swing", "feasibility"])
    rows = []
    for (rank, name, path, low, base, high, status_low, risk_low, status_high, risk_high, swing,
         feasibility) in zip(*cols.values()):
        rows.append([rank, name, " / ".join(value_cells(path, [low, base, high])),
                     _risk_cell(status_low, risk_low), _risk_cell(status_high, risk_high),
                     _keur(swing), feasibility or ""])
    lines.append(_table(rows, ["#", _("Input"), _("Low / as given / high"),
                               _("EUR at risk when low ({cur})").format(
                                   cur=currency(case.currency)),
                               _("When high"), _("Swing"), _("Feasibility")], markdown,
                        ["right", "left", "right", "right", "right", "right", "left"]))
    _people(lines, markdown, _("Tornado of {case}").format(case=case.name))
    return "\n".join(lines).rstrip() + "\n"


def _risk_cell(status: str, risk: Any) -> str:
    if status == "optimal":
        return _keur(risk)
    return _("no plan") if status == "infeasible" else status_words(status, raw=True)


__all__ = [
    "lever_value",
    "render_frontier",
    "render_sweep",
    "render_tornado",
    "sweep_dict",
    "tornado_dict",
]

"""A horizon sweep or frontier (`--sweep PATH=...` or `--frontier` on a case with a
horizon) as a page and as a workbook (issue 12): one row per value, each a whole path
solved on its own (its total EUR at risk over the years, the final year's private share,
the levers it uses, the first year out of reach), and a chart of the EUR at risk against
the value (inline SVG; a native scatter chart in the workbook).

    horizon_sweep_page(sweep)          # the page (str)
    horizon_sweep_workbook(sweep)      # the bytes of the .xlsx file
"""

from __future__ import annotations

from typing import Any

from ..fmt import currency, general, keur, money, pct, pct_short, status_words
from ..i18n import gettext as _
from ..i18n import is_default
from ..results.horizon_sweep import HorizonSweep
from .files import case_json
from .html_pages import figure, lead, para, render_pack, section, table, xy_svg
from .pack_words import notes_of
from .workbook import scatter_chart
from .workbook_pages import Cell, Pages


def _value_text(path: str, value: object) -> str:
    """A swept value as the text report shows it (a share in %)."""
    if isinstance(value, float) and _is_share(path):
        return pct(value)
    if isinstance(value, float) and not is_default():
        return general(value)
    return str(value)


def _is_share(path: str) -> bool:
    return "target" in path or "share" in path


def _years(sweep: HorizonSweep) -> str:
    h = sweep.case.horizon
    if h is None:
        return ""
    return f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else str(h.years[0])


def _numeric(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _summary(sweep: HorizonSweep) -> list[str]:
    cur = sweep.case.currency
    found = [p for p in sweep.points if p.risk is not None]
    out = [_("Each row is a whole path solved on its own: its total EUR at risk over the "
             "years, the private share of the final year, and the levers it uses.")]
    if found:
        low = min(found, key=lambda p: p.risk or 0.0)
        high = max(found, key=lambda p: p.risk or 0.0)
        out.append(_("{n} of {total} values have a path; the EUR at risk goes from {low} "
                     "({low_value}) to {high} ({high_value}).").format(
                         n=len(found), total=len(sweep.points), low=money(low.risk, cur),
                         low_value=_value_text(sweep.path, low.value),
                         high=money(high.risk, cur),
                         high_value=_value_text(sweep.path, high.value)))
    blocked = [p for p in sweep.points if p.risk is None]
    if blocked:
        first = blocked[0]
        where = (_(" (first year out of reach: {year})").format(year=first.first_blocked_year)
                 if first.first_blocked_year is not None else "")
        out.append(_("No path at {values}{where}.").format(
            values=", ".join(_value_text(sweep.path, p.value) for p in blocked), where=where))
    return out


def horizon_sweep_page(sweep: HorizonSweep) -> str:
    case = sweep.case
    cur = currency(case.currency)
    share = _is_share(sweep.path)
    rows = []
    for p in sweep.points:
        rows.append([_value_text(sweep.path, p.value), status_words(p.status),
                     keur(p.risk), pct(p.final_share),
                     ", ".join(case.lever(i).name for i in p.levers) or "-",
                     "-" if p.first_blocked_year is None else str(p.first_blocked_year)])
    words = _summary(sweep)
    blocks: list[dict[str, Any]] = [lead(words[0])] + [para(w) for w in words[1:]]
    points = [(x, p.risk) for p in sweep.points if (x := _numeric(p.value)) is not None]
    if points:
        svg = xy_svg(points, pct_short if share else (lambda v: f"{v:g}"),
                     lambda v: keur(v).removesuffix(" k").removesuffix("\u202fk"),
                     _("The least total EUR at risk over the path at each value"),
                     sweep.path, _("least total EUR at risk (k {cur})").format(cur=cur))
        blocks.append(figure(svg, legend=_("Dots: the least total EUR at risk of the path at "
                                           "each value. Crosses: no path.")))
    blocks.append(table([sweep.path, _("status"), _("EUR at risk ({cur})").format(cur=cur),
                         _("final-year share"), _("levers used"), _("first year out of reach")],
                        rows, num=(2, 3), ident="sweep-table"))
    h = case.horizon
    return render_pack(
        title=_("{case}: the path ({years}) at each value of {path}").format(
            case=case.name, years=_years(sweep), path=sweep.path),
        kicker=_("What each value would take over the whole path"),
        status_text=_("{n} paths solved").format(n=len(sweep.points)), status_class="ok",
        sections=[section("sweep", _("The path at each value"), blocks)],
        notes=notes_of(case.notes, h.notes if h else None),
        audit=_("Case \u201c{case}\u201d; {n} values of {path}.").format(
            case=case.name, n=len(sweep.points), path=sweep.path))


def horizon_sweep_workbook(sweep: HorizonSweep) -> bytes:
    case = sweep.case
    pages = Pages(case_json(case))
    ws = pages.sheet(_("Summary"))
    pages.words(ws, _("{case}: the path ({years}) at each value of {path}").format(
        case=case.name, years=_years(sweep), path=sweep.path),
        [(_("swept input"), sweep.path, None), (_("values"), len(sweep.points), "count"),
         (_("paths found"), sum(p.risk is not None for p in sweep.points), "count")],
        [(_("The sweep in words"), _summary(sweep))], _("item"), _("value"))
    ws = pages.sheet(_("Path sweep"))
    share = _is_share(sweep.path)
    rows: list[list[Cell]] = []
    for p in sweep.points:
        x = _numeric(p.value)
        rows.append([(x if x is not None else str(p.value), "share_fine" if share else None),
                     (p.status.value, None), (p.risk, "eur_exact"),
                     (p.final_share, "share_fine"),
                     (", ".join(p.levers), None),
                     (p.first_blocked_year, None)])
    pages.table(ws, [sweep.path, _("status"), _("EUR at risk over the path"),
                     _("final-year private share"), _("levers used"),
                     _("first year out of reach")], rows, [22, 12, 16, 14, 50, 14])
    if rows:
        chart = scatter_chart(pages.book, ws, x_col=1, y_col=3, first=2, last=len(rows) + 1,
                         title=_("Least total EUR at risk over the path"),
                         x_title=sweep.path,
                         y_title=_("EUR at risk ({currency})").format(currency=pages.currency),
                         x_format="0%" if share else "General")
        ws.add_chart(chart, "H2")
    return pages.bytes()


__all__ = ["horizon_sweep_page", "horizon_sweep_workbook"]

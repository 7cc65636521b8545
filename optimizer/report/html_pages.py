"""Board packs made of generic blocks: the region's page and the path's pages (issue 12).

The board pack of one plan (`html.py`) has its own template; the pages of a region, of a
path over several years and of a path's sweep are lists of sections, each a list of
blocks (a lead, paragraphs, lists, tables, inline SVG figures, a cluster's card), drawn by
one template (`templates/pack.html.j2`) with the board pack's style, the same
Content-Security-Policy (no request at all, no script) and the same print stylesheet.

Every string that comes from a case or a region (names, labels, notes) is escaped by
Jinja2's autoescape where it is written; the SVG figures are composed with markupsafe,
which escapes the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..i18n import current
from ..i18n import gettext as _
from .html import Scale as _Scale
from .html import asset as _asset
from .html import csp_hash as _csp_hash
from .html import jinja_environment as _environment
from .html import markup_type as _markup
from .html import nice_ticks as _nice_ticks

if TYPE_CHECKING:
    from markupsafe import Markup


def lead(text: str) -> dict[str, Any]:
    return {"kind": "lead", "text": text}


def para(text: str, cls: str = "") -> dict[str, Any]:
    return {"kind": "p", "text": text, "cls": cls}


def sub(text: str) -> dict[str, Any]:
    return {"kind": "h3", "text": text}


def bullets(items: Sequence[str], cls: str = "") -> dict[str, Any]:
    return {"kind": "ul", "lines": list(items), "cls": cls}


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], num: Sequence[int] = (),
          *, totals: Sequence[int] = (), ident: str = "", empty: str = "-") -> dict[str, Any]:
    """A table; `num` lists the columns of figures (right-aligned), `totals` the rows
    shown as totals."""
    return {"kind": "table", "headers": list(headers), "id": ident, "empty": empty,
            "num": list(num), "cls": "data",
            "rows": [{"cells": ["-" if c is None else c for c in row],
                      "cls": "total" if i in totals else ""} for i, row in enumerate(rows)]}


def figure(svg: Markup, caption: str = "", legend: str = "") -> dict[str, Any]:
    return {"kind": "figure", "svg": svg, "caption": caption, "legend": legend}


def section(ident: str, heading: str, blocks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"id": ident, "heading": heading, "blocks": list(blocks)}


def render_pack(*, title: str, kicker: str, status_text: str, status_class: str,
                sections: Sequence[dict[str, Any]], notes: Sequence[str] = (),
                audit: str = "") -> str:
    """The page: one self-contained HTML document (inline style, no script, no request)."""
    env = _environment()
    style = _asset("board_pack.css") + "\n" + _asset("pack_extra.css")
    markup = _markup()
    return str(env.get_template("pack.html.j2").render(
        lang=current(), title=title, kicker=kicker, status_text=status_text,
        status_class=status_class, sections=list(sections), notes=list(notes),
        audit=audit, contents=_("Contents"), notes_heading=_("Assumptions and sources"),
        audit_heading=_("Audit"), style=markup(style),
        csp=("default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:; "
             f"style-src {_csp_hash(style)}; script-src 'none'")))


# ---------------------------------------------------------------------------------------
# Charts: inline SVG
# ---------------------------------------------------------------------------------------

def _short(label: str, size: int = 40) -> str:
    return label if len(label) <= size else label[:size - 1] + "\u2026"


def before_after_bars_svg(rows: Sequence[tuple[str, float, float]], amount: Callable[[float], str],
                          label: str, before_word: str, after_word: str) -> Markup:
    """One pair of horizontal bars per row: the amount before (grey) and after (teal),
    its label above it and the after amount at the bar's end."""
    markup = _markup()
    width, left, step = 680, 4, 46
    top = max((max(b, a) for _, b, a in rows), default=0.0) or 1.0
    scale = _Scale(0.0, top, left, width - 150)
    height = step * len(rows) + 34
    parts = [markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">')
             .format(width, height, label)]
    parts.append(markup('<rect class="bar-before swatch" x="{}" y="4" width="12" height="10"/>'
                        '<text class="legend-text" x="{}" y="13">{}</text>'
                        '<rect class="bar-after swatch" x="{}" y="4" width="12" height="10"/>'
                        '<text class="legend-text" x="{}" y="13">{}</text>')
                 .format(left, left + 16, before_word, left + 180, left + 196, after_word))
    for i, (name, before, after) in enumerate(rows):
        y = i * step + 34
        parts.append(markup('<text class="bar-label" x="{}" y="{}">{}<title>{}</title></text>')
                     .format(left, y, _short(name, 70), name))
        parts.append(markup('<rect class="bar-before" x="{}" y="{}" width="{}" height="9" '
                            'rx="1"/>').format(left, y + 4, max(scale(before) - left, 1.0)))
        parts.append(markup('<rect class="bar-after" x="{}" y="{}" width="{}" height="12" '
                            'rx="1"/>').format(left, y + 14, max(scale(after) - left, 1.0)))
        parts.append(markup('<text class="bar-value" x="{}" y="{}">{}</text>')
                     .format(max(scale(before), scale(after)) + 6, y + 24, amount(after)))
    parts.append(markup("</svg>"))
    return markup("").join(parts)


def share_path_svg(years: Sequence[int], shares: Sequence[float | None],
                   targets: Sequence[float], pct: Callable[[float], str], label: str,
                   share_word: str, target_word: str,
                   bands: Sequence[tuple[float, float, float]] = (),
                   ident: str = "share-chart") -> Markup:
    """The private share each year (a solid line) against each year's target (dashed);
    with `bands` (p05, p50, p95 per year, a simulation), each year's band and median."""
    markup = _markup()
    width, height = 680, 300
    left, right, top, bottom = 58, 24, 40, 40
    values = [s for s in shares if s is not None] + list(targets)
    values += [v for band in bands for v in (band[0], band[2])]
    ys = _nice_ticks(max(0.0, min(values) - 0.03), min(1.0, max(values) + 0.02), 5)
    sy = _Scale(ys[0], ys[-1], height - bottom, top)
    n = len(years)
    sx = _Scale(-0.5, n - 0.5, left, width - right)
    parts = [markup('<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" '
                    'aria-label="{}">').format(ident, width, height, label)]
    for y in ys:
        parts.append(markup('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>')
                     .format(left, width - right, sy(y), sy(y), left - 8, sy(y) + 4, pct(y)))
    for k, year in enumerate(years):
        parts.append(markup('<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>')
                     .format(sx(k), height - bottom + 20, year))
    parts.append(markup('<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>')
                 .format(left, width - right, height - bottom, height - bottom))
    for k, (low, mid, high) in enumerate(bands):
        parts.append(markup('<rect class="band" x="{}" y="{}" width="28" height="{}" rx="2">'
                            '<title>{}</title></rect><line class="median" x1="{}" x2="{}" '
                            'y1="{}" y2="{}"/>').format(
            sx(k) - 14, sy(high), max(sy(low) - sy(high), 1.5),
            f"{years[k]}: {pct(low)} - {pct(high)}", sx(k) - 14, sx(k) + 14, sy(mid), sy(mid)))
    tpath = " ".join(f"{sx(k)},{sy(t)}" for k, t in enumerate(targets))
    parts.append(markup('<polyline class="target-step" points="{}"/>').format(tpath))
    known = [(k, s) for k, s in enumerate(shares) if s is not None]
    if known:
        parts.append(markup('<polyline class="share" points="{}"/>').format(
            " ".join(f"{sx(k)},{sy(s)}" for k, s in known)))
        for k, s in known:
            parts.append(markup('<circle class="share-dot" cx="{}" cy="{}" r="4.5"/>'
                                '<text class="bar-value" x="{}" y="{}" text-anchor="middle">{}'
                                '</text>').format(sx(k), sy(s), sx(k), sy(s) - 12, pct(s)))
    for k, t in enumerate(targets):  # drawn last: a share on its target shows both
        parts.append(markup('<circle class="target-dot" cx="{}" cy="{}" r="7"><title>{}</title>'
                            '</circle>').format(sx(k), sy(t), f"{years[k]}: {pct(t)}"))
    parts.append(markup('<line class="share" x1="{}" x2="{}" y1="16" y2="16"/>'
                        '<text class="legend-text" x="{}" y="20">{}</text>'
                        '<line class="target-step" x1="{}" x2="{}" y1="16" y2="16"/>'
                        '<text class="legend-text" x="{}" y="20">{}</text>')
                 .format(left, left + 24, left + 30, share_word, left + 220, left + 244,
                         left + 250, target_word))
    parts.append(markup("</svg>"))
    return markup("").join(parts)


def xy_svg(points: Sequence[tuple[float, float | None]], xfmt: Callable[[float], str],
           yfmt: Callable[[float], str], label: str, x_title: str, y_title: str) -> Markup:
    """A curve through the points that have a value; a cross on the axis for those that
    have none (no path there)."""
    markup = _markup()
    width, height = 680, 300
    left, right, top, bottom = 70, 24, 24, 52
    xs_all = [x for x, _ in points] or [0.0]
    known = [(x, y) for x, y in points if y is not None]
    xs = _nice_ticks(min(xs_all), max(xs_all), 6)
    ys = _nice_ticks(0.0, max((y for _, y in known), default=0.0) or 1000.0, 5)
    sx = _Scale(xs[0], xs[-1], left, width - right)
    sy = _Scale(ys[0], ys[-1], height - bottom, top)
    parts = [markup('<svg class="chart" id="sweep-chart" viewBox="0 0 {} {}" role="img" '
                    'aria-label="{}">').format(width, height, label)]
    for y in ys:
        parts.append(markup('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>')
                     .format(left, width - right, sy(y), sy(y), left - 8, sy(y) + 4, yfmt(y)))
    for x in xs:
        parts.append(markup('<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>')
                     .format(sx(x), height - bottom + 19, xfmt(x)))
    parts.append(markup('<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>')
                 .format(left, width - right, height - bottom, height - bottom))
    parts.append(markup('<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>')
                 .format((left + width - right) / 2, height - 10, x_title))
    parts.append(markup('<text class="axis-label" x="{}" y="{}" text-anchor="middle" '
                        'transform="rotate(-90 {} {})">{}</text>')
                 .format(16, (top + height - bottom) / 2, 16, (top + height - bottom) / 2,
                         y_title))
    if known:
        parts.append(markup('<polyline class="curve" points="{}"/>').format(
            " ".join(f"{sx(x)},{sy(y)}" for x, y in known)))
        for x, value in known:
            parts.append(markup('<circle class="dot" cx="{}" cy="{}" r="3.5"/>')
                         .format(sx(x), sy(value)))
    for x, missing in points:
        if missing is None:
            cx, cy = sx(x), height - bottom
            parts.append(markup('<path class="missing" d="M{} {} l8 8 m0 -8 l-8 8"/>')
                         .format(cx - 4, cy - 4))
    parts.append(markup("</svg>"))
    return markup("").join(parts)


__all__ = ["before_after_bars_svg", "bullets", "figure", "lead", "para", "render_pack",
           "section", "share_path_svg", "sub", "table", "xy_svg"]

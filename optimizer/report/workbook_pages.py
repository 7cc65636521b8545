"""Helpers of the region's and the path's workbooks (issue 12), on top of the report
workbook's own (`workbook.py`): a sheet by title, a words sheet (facts and sections of
sentences), a table whose first row names the columns, native charts.

Cells hold numbers with number formats (k EUR, %), never numbers as text; labels are
always text, even those that start like a formula (`=`, `+`, `-`, `@`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .workbook import FORMATS, SERIES_COLOURS, Book, set_cell

Cell = tuple[Any, str | None]  # a value and its format key in FORMATS (None: text/general)


class Pages:
    """The workbook being written: sheets in the order they are asked for."""

    def __init__(self, case: Mapping[str, Any] | None = None):
        self.book = Book(case)

    @property
    def money(self) -> str:
        return self.book.money

    @property
    def currency(self) -> str:
        return self.book.currency

    def sheet(self, title: str) -> Any:
        book = self.book
        if book.first:
            ws = book.wb.active
            ws.title = title
            book.first = False
            return ws
        return book.wb.create_sheet(title)

    def words(self, ws: Any, title: str, facts: Sequence[tuple[str, Any, str | None]],
              sections: Sequence[tuple[str, Iterable[str]]], item: str, value: str) -> None:
        """A title, a two-column table of facts (label, value), then sections of sentences,
        one a row."""
        book = self.book
        cell = ws.cell(row=1, column=1)
        set_cell(cell, title)
        cell.font = book.title
        row = 3
        book.header(ws, (item, value), row=row)
        ws.freeze_panes = None
        row += 1
        for label, v, fmt in facts:
            set_cell(ws.cell(row=row, column=1), label)
            set_cell(ws.cell(row=row, column=2), v, FORMATS.get(fmt) if fmt else None)
            row += 1
        for heading, lines in sections:
            lines = [t for t in lines if isinstance(t, str) and t]
            if not lines:
                continue
            row += 1
            cell = ws.cell(row=row, column=1)
            set_cell(cell, heading)
            cell.font = book.section
            row += 1
            for text in lines:
                set_cell(ws.cell(row=row, column=1), text)
                row += 1
        book.widths(ws, (60, 70), header_row=None)

    def table(self, ws: Any, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
              widths: Sequence[float], bold_rows: Sequence[int] = ()) -> None:
        """Row 1 names the columns; one row per item, each cell with its format."""
        book = self.book
        book.header(ws, headers)
        for r, row in enumerate(rows, start=2):
            for c, (v, fmt) in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                set_cell(cell, v, FORMATS.get(fmt) if fmt else None)
                if r - 2 in bold_rows:
                    cell.font = book.total_font
        book.widths(ws, widths)

    def bytes(self) -> bytes:
        return self.book.bytes()


def line_chart(ws: Any, *, title: str, y_title: str, x_title: str, categories: tuple[int, int, int],
               series: Sequence[tuple[int, str]], first: int, last: int,
               y_format: str = "0%") -> Any:
    """A native line chart: categories (column, first row, last row) on x, one line per
    (column, title) series, rows first..last."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.series import SeriesLabel
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.y_axis.number_format = y_format
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for k, (col, name) in enumerate(series):
        chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
        s = chart.series[-1]
        s.tx = SeriesLabel(v=name)
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        s.graphicalProperties.line.solidFill = colour
        s.graphicalProperties.line.width = 28575
        s.marker.symbol = "circle"
        s.marker.graphicalProperties.solidFill = colour
        s.marker.graphicalProperties.line.solidFill = colour
        if k:
            s.graphicalProperties.line.dashStyle = "dash"
        s.smooth = False
    col, lo, hi = categories
    chart.set_categories(Reference(ws, min_col=col, min_row=lo, max_row=hi))
    chart.height, chart.width = 9, 16
    return chart


def bar_chart(ws: Any, *, title: str, y_title: str, categories: tuple[int, int, int],
              series: Sequence[tuple[int, str]], first: int, last: int) -> Any:
    """A native clustered bar chart (horizontal bars), one series per (column, title)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.series import SeriesLabel
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = '#,##0,"k"'
    chart.x_axis.scaling.orientation = "maxMin"  # the first row on top
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for k, (col, name) in enumerate(series):
        chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
        s = chart.series[-1]
        s.tx = SeriesLabel(v=name)
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        s.graphicalProperties.solidFill = colour
        s.graphicalProperties.line.solidFill = colour
    col, lo, hi = categories
    chart.set_categories(Reference(ws, min_col=col, min_row=lo, max_row=hi))
    chart.height, chart.width = max(8, 1.2 * (hi - lo + 1) + 4), 18
    return chart


__all__ = ["Pages", "bar_chart", "line_chart"]

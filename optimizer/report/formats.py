"""The report formats, written once, and the plain numbers of CSV cells."""

from __future__ import annotations

from typing import Literal

Format = Literal["table", "markdown", "json", "csv"]
FORMATS: tuple[str, ...] = ("table", "markdown", "json", "csv")
# Reports written as files only (report/files.py): the Excel workbook and the board pack.
FILE_FORMATS: tuple[str, ...] = ("xlsx", "html")
REPORT_FORMATS: tuple[str, ...] = FORMATS + FILE_FORMATS


def csv_number(value: float | None) -> str:
    """A CSV cell: the value rounded to 1e-6 (stable bytes), empty for none."""
    if value is None:
        return ""
    rounded = round(float(value), 6)
    return repr(0.0 if rounded == 0 else rounded)


# What a spreadsheet reads as the start of a formula in a cell (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet cannot take for a formula: a label starting with
    = + - @ (or a tab, a carriage return) gets a leading apostrophe, shown by no program
    as part of a formula. Numbers (`-5`, `+0.25`) are left as they are."""
    if not text.startswith(FORMULA_STARTS):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


__all__ = ["FILE_FORMATS", "FORMATS", "FORMULA_STARTS", "REPORT_FORMATS", "Format", "csv_number", "csv_text"]

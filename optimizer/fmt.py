"""Figures for people: k EUR with one decimal (halves rounded up), shares in %.

One place, so that a summary line, a lever's action and a table cell show the same
figure for the same amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def keur(amount: float | None, sign: bool = False) -> str:
    """Thousands with one decimal, halves rounded up (270,450 -> '270.5 k', as by hand)."""
    if amount is None:
        return "-"
    # Round the euros first (binary fractions), then the hundreds, half away from zero:
    # a column of figures then adds up as a reader adds it.
    euros = Decimal(repr(round(float(amount), 6)))
    value = (euros / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == 0:
        value = Decimal("0.0")
    return f"{value:+,.1f} k" if sign else f"{value:,.1f} k"


def pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.1%}"


def pct_short(share: float) -> str:
    """60 % as '60%', 54.2 % as '54.2%'."""
    return f"{share:.1%}".replace(".0%", "%")

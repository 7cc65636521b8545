"""Figures for people: k EUR with one decimal (halves rounded up), shares in %.

One place, so that a summary line, a lever's action and a table cell show the same
figure for the same amount. In another language than English (optimizer/i18n.py) the
same figures take that language's symbols (French: `1 500,0 k€`, `60,0 %`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .i18n import N_, NNBSP, is_default
from .i18n import decimal as local_decimal
from .i18n import gettext as _
from .i18n import percent as local_percent


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
    if not is_default():
        text = local_decimal(value, "#,##0.0")
        return f"{'+' if sign and value >= 0 else ''}{text}{NNBSP}k"
    return f"{value:+,.1f} k" if sign else f"{value:,.1f} k"


def currency(cur: str) -> str:
    """The currency as a unit in the current language: 'EUR' (French: '€')."""
    if not is_default() and cur == "EUR":
        return "€"
    return cur


def money(amount: float | None, cur: str, sign: bool = False) -> str:
    """'1,500.0 k EUR' (French: '1 500,0 k€'): keur() and its currency, in a sentence."""
    if not is_default() and cur == "EUR":
        return f"{keur(amount, sign)}€"
    return f"{keur(amount, sign)} {cur}"


def pct(share: float | None) -> str:
    if share is not None and not is_default():
        return local_percent(share, 1)
    return "-" if share is None else f"{share:.1%}"


def pct_short(share: float) -> str:
    """60 % as '60%', 54.2 % as '54.2%'."""
    if not is_default():
        return local_percent(share, 1).replace(",0" + NNBSP, NNBSP)
    return f"{share:.1%}".replace(".0%", "%")


def pct_digits(share: float, digits: int) -> str:
    """A share with `digits` decimals: '48.53%' (French: '48,53 %')."""
    if not is_default():
        return local_percent(share, digits)
    return f"{share:.{digits}%}"


def count(n: float, digits: int = 0) -> str:
    """A count or a plain figure with thousands: '1,500' (French: '1 500')."""
    if not is_default():
        return local_decimal(n, "#,##0" + ("." + "0" * digits if digits else ""))
    return f"{n:,.{digits}f}"


def count_trim(n: float) -> str:
    """A count with one decimal, a trailing zero dropped: '450', '452.5' (French '452,5')."""
    if not is_default():
        return local_decimal(n, "#,##0.#")
    return f"{n:,.1f}".rstrip("0").rstrip(".")


def fixed(x: float, digits: int) -> str:
    """A figure with `digits` decimals and no thousands: '1.50' (French: '1,50')."""
    if not is_default():
        return local_decimal(x, "0." + "0" * digits if digits else "0")
    return f"{x:.{digits}f}"


def general(x: float) -> str:
    """A figure as Python's `g` writes it: '0.5', '12' (French: '0,5')."""
    text = f"{x:g}"
    return text if is_default() else text.replace(".", ",")


# How a solve ended, in words (Status values; N_ marks them for the catalog).
STATUS_WORDS = {
    "optimal": N_("optimal"),
    "infeasible": N_("infeasible"),
    "unbounded": N_("unbounded"),
    "time_limit": N_("time limit"),
    "error": N_("error"),
}


def status_words(status: object, raw: bool = False) -> str:
    """'time limit' for Status.TIME_LIMIT (raw: English keeps 'time_limit' as the code)."""
    value = str(getattr(status, "value", status))
    if is_default():
        return value if raw else value.replace("_", " ")
    return _(STATUS_WORDS.get(value, value))

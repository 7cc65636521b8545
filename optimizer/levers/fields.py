"""The vocabulary of case files: ids, labels, amounts, fractions, counts (written once)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from ..i18n import gettext as _

ID_PATTERN = r"^[a-z0-9_-]{1,40}$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Notes = str | list[str] | None


def plain_text(text: str) -> str:
    """Names and labels reach reports and terminals: no control characters (a newline, a
    tab, an escape sequence); quotes, symbols and any other unicode are welcome."""
    for char in text:
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            raise ValueError(_("contains the control character U+{code}; write it on one "
                               "line, in plain text").format(code=f"{ord(char):04X}"))
    return text


def near(name: str, pool: list[str]) -> str:
    """"; did you mean 'x'?" for the closest name of the pool, else the pool itself."""
    import difflib

    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.5)
    if close:
        return _("; did you mean '{name}'?").format(name=close[0])
    return _("; use one of {names}").format(names=", ".join(pool)) if pool else ""


Label = Annotated[str, Field(max_length=200), AfterValidator(plain_text)]

__all__ = ["ID_PATTERN", "Amount", "Count", "Fraction", "Id", "Label", "Notes", "Number",
           "near", "plain_text"]

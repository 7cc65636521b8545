"""The language of every human-facing text: the current language, the message catalogs
(gettext) and the number formats of that language (Babel, French only).

English is the language the code is written in: `_()` returns its argument unchanged and
the numbers keep Python's formats, so English needs neither a catalog nor Babel. Another
language is chosen for a block of work, not globally:

    >>> from optimizer.i18n import gettext as _, language
    >>> with language("fr"):                                      # doctest: +SKIP
    ...     _("Indicators")
    'Indicateurs'

The current language is a `contextvars.ContextVar`: threads and asyncio tasks each see
their own, and a block restores the one before it. The CLI sets it once (`--lang`);
the library takes `lang=` (`Result.report(lang="fr")`) or the `language()` block.

Texts are wrapped where they are written, as whole sentences with named placeholders
(`_("Raise membership fees by {pct}").format(pct=...)`), plurals with `ngettext`.
The catalogs live in `optimizer/locale/<lang>/LC_MESSAGES/optimizer.mo` (compiled
from the `.po` beside it by `pybabel compile`), loaded on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CaseError

if TYPE_CHECKING:
    from gettext import NullTranslations

DOMAIN = "optimizer"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")
DEFAULT = "en"
# The extra that brings Babel (pyproject.toml, [project.optional-dependencies]).
EXTRA = "fr"
# French typography: a narrow no-break space between a figure and its unit (60,0 %,
# 1 500,0 k€), and Babel's group separator is the same character.
NNBSP = "\u202f"

_current: ContextVar[str] = ContextVar("optimizer_language", default=DEFAULT)


def check_language(lang: str) -> str:
    """The language code, checked: 'en' or 'fr' (case-insensitive, 'fr_FR' is 'fr');
    French needs Babel for its numbers (CaseError naming the extra when it is missing)."""
    code = str(lang).strip().replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise CaseError(f"--lang {lang}: choose one of {', '.join(LANGUAGES)}")
    if code != DEFAULT:
        try:
            import babel.numbers  # noqa: F401
        except ImportError:
            raise CaseError(f"--lang {code}: French needs Babel; install the extra: "
                            f"pip install 'cluster-optimizer[{EXTRA}]'") from None
    return code


def current() -> str:
    """The language of the texts written now ('en' unless a block or the CLI chose one)."""
    return _current.get()


def set_language(lang: str) -> Token[str]:
    """Make `lang` the current language (until `reset_language(token)`)."""
    return _current.set(check_language(lang))


def reset_language(token: Token[str]) -> None:
    _current.reset(token)


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """A block written in `lang` (None keeps the current language)."""
    if lang is None:
        yield current()
        return
    token = set_language(lang)
    try:
        yield current()
    finally:
        _current.reset(token)


@cache
def catalog(lang: str) -> NullTranslations:
    """The compiled catalog of a language (loaded once, on first use: English never loads
    gettext)."""
    from gettext import NullTranslations, translation

    if lang == DEFAULT:
        return NullTranslations()
    return translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def gettext(message: str) -> str:
    """`message` in the current language (English: unchanged). Imported as `_` where
    texts are written (`from ..i18n import gettext as _`), the name Babel extracts."""
    lang = _current.get()
    if lang == DEFAULT:
        return message
    return catalog(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, by the rules of the current language."""
    lang = _current.get()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return catalog(lang).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, in a context: one English word that reads two
    ways ("Change": a budget line's change, a frontier's change of plan)."""
    lang = _current.get()
    if lang == DEFAULT:
        return message
    return catalog(lang).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now (translated where shown)."""
    return message


def is_default() -> bool:
    return _current.get() == DEFAULT


# Numbers in the current language (used by optimizer/fmt.py when the language is not
# English; English keeps its own formats there, without Babel).

def _locale() -> str:
    return {"fr": "fr_FR"}.get(_current.get(), _current.get())


def decimal(value: Any, pattern: str) -> str:
    """A number by a CLDR pattern ('#,##0.0') in the current language's symbols."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, format=pattern, locale=_locale()))


def percent(share: float, digits: int) -> str:
    """60 % as '60,0 %' (digits=1) with a narrow no-break space before the sign."""
    body = decimal(share * 100, "#,##0." + "0" * digits if digits else "#,##0")
    return f"{body}{NNBSP}%"


__all__ = ["DEFAULT", "LANGUAGES", "NNBSP", "N_", "catalog", "check_language", "current",
           "decimal", "gettext", "is_default", "language", "ngettext", "pgettext", "reset_language", "set_language"]

"""Dotted paths into a case (`--set levers.training.price=1500`, `--sweep ...`).

Levers, revenues and expenditures are addressed by id, rules by name or index. The
top-level field names come from the caller (the schema), so that this module needs
no model.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Self

from ..errors import CaseError
from ..i18n import gettext as _


def reject_constant(name: str) -> float:
    raise ValueError(_("{name} is not a number; write a finite number").format(name=name))


_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class Percent(float):
    """A value written with a percent sign ("60%" is 0.6): a fraction for a field that takes
    one (`case.fractions` checks it and keeps the plain number)."""

    text: str

    def __new__(cls, fraction: float, text: str = "") -> Self:
        value = super().__new__(cls, fraction)
        value.text = text or f"{fraction * 100:.10g}%"
        return value

    def __repr__(self) -> str:
        return self.text


def percent(text: str) -> Percent | None:
    """'60%' -> Percent(0.6) ('60 %' too); None when text is not a number with a percent sign."""
    raw = text.strip()
    if not raw.endswith("%"):
        return None
    number = raw[:-1].strip()
    if not _NUMBER.match(number):
        return None
    return Percent(float(number) / 100, raw)


def parse_fraction(text: str) -> float:
    """The one reader of fractions typed on a command line: '0.6', '60%' -> 0.6
    (ValueError otherwise). A number above 1 without '%' is left as it is: the caller
    knows whether its field allows it (a fee increase of 1.5 does)."""
    value = percent(text)
    if value is not None:
        return value
    raw = text.strip()
    if not _NUMBER.match(raw):
        raise ValueError(_("{text} is not a number; write a decimal (0.6) or a percentage "
                           "(60%)").format(text=repr(text)))
    return float(raw)


def parse_value(text: str) -> Any:
    """A --set value: a number, a percentage (`Percent`: "60%"), JSON when it parses (true,
    null, [...], {...}), else the plain string. A value that starts like JSON ({, [ or ")
    and does not parse is an error, not a string (ValueError saying where it breaks)."""
    text = text.strip()
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    pct = percent(text)
    if pct is not None:
        return pct
    try:
        return json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        if text[:1] in ("{", "[", '"'):
            raise ValueError(_("not valid JSON at column {column} ({problem}); check the quotes, "
                               "commas and brackets, and put the whole PATH=VALUE in single "
                               "quotes for the shell").format(column=exc.colno,
                                                              problem=exc.msg)) from None
        return text
    except ValueError as exc:  # NaN or Infinity (reject_constant)
        if text[:1] in ("{", "["):
            raise ValueError(str(exc)) from None
        return text


def resolve_path(raw: dict[str, Any], path: str, top_fields: Sequence[str]
                 ) -> tuple[Any, Any, str]:
    """Find the container and key that a dotted path names.

    Levers, revenues and expenditures are addressed by id (`levers.training.price`);
    lists also accept an index (`rules.0.rhs`). Raises CaseError naming the nearest paths.
    """
    parts = path.split(".")
    node: Any = raw
    shown: list[str] = []
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                ids = [str(x.get("id", x.get("name"))) for x in node if isinstance(x, dict)]
                raise CaseError(_("--set {path}: no item '{part}' in {where}{hint}").format(
                    path=path, part=part, where=".".join(shown) or "case",
                    hint=_did_you_mean(part, ids, ".".join(shown))))
            if last:
                return node, index, path
            node = node[index]
        elif isinstance(node, dict):
            if last:
                return node, part, path
            if part not in node:
                if not shown and part in ("staff", "target", "uncertainty"):
                    node[part] = {}
                else:
                    pool = list(node) if shown else list(top_fields)
                    raise CaseError(_("--set {path}: no field '{part}' in {where}{hint}").format(
                        path=path, part=part, where=".".join(shown) or "case",
                        hint=_did_you_mean(part, pool, ".".join(shown))))
            node = node[part]
        else:
            raise CaseError(_("--set {path}: '{where}' is a value, not an object").format(
                path=path, where=".".join(shown)))
        shown.append(part)
    raise CaseError(_("--set {path}: empty path").format(path=path))


def locate(raw: Any, path: str) -> tuple[Any, ...]:
    """The JSON location a dotted path names in raw data: keys, and list items by index
    (`levers.training.price` -> ('levers', 6, 'price')). A part that names nothing is kept
    as it is (`resolve_path` says what is wrong with it)."""
    loc: list[Any] = []
    node = raw
    for part in path.split("."):
        if isinstance(node, list):
            index = _list_index(node, part)
            loc.append(part if index is None else index)
            node = None if index is None else node[index]
        else:
            loc.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(loc)


def _list_index(node: list[Any], part: str) -> int | None:
    for i, item in enumerate(node):
        if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
            return i
    if part.isdigit() and int(part) < len(node):
        return int(part)
    return None


def _did_you_mean(part: str, pool: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(part, pool, n=3, cutoff=0.4)
    if not close:
        return _("; valid: {names}").format(names=", ".join(pool[:12])) if pool else ""
    dotted = [f"{prefix}.{c}" if prefix else c for c in close]
    return _("; did you mean {names}?").format(names=_(" or ").join(dotted))


def set_values(raw: dict[str, Any], overrides: Mapping[str, Any], top_fields: Sequence[str]
               ) -> dict[str, Any]:
    """A copy of raw with each dotted path set to its value (the input is not modified)."""
    out = copy.deepcopy(raw)
    for path, value in overrides.items():
        container, key, _ = resolve_path(out, path, top_fields)
        container[key] = value
    return out



__all__ = ["Percent", "locate", "parse_fraction", "parse_value", "percent", "reject_constant",
           "resolve_path", "set_values"]

"""Validation problems in words: pydantic's errors -> "levers[3].max_fraction: ...".

Each problem names its JSON path and, where it can, the fix (the nearest field
name, the allowed range, "fractions are decimals"). Text from the case (keys,
values) is quoted and stripped of control characters, so that messages never carry
terminal escapes.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from ..i18n import N_, ngettext
from ..i18n import gettext as _
from ..levers.registry import LEVER_TYPES

# Which model holds the field at a location (schema.model_at): for close field names and limits.
ModelAt = Callable[[tuple[Any, ...], Any], "type[BaseModel] | None"]

MAX_PROBLEMS = 60


def at_most(problems: list[str]) -> list[str]:
    """The first MAX_PROBLEMS problems (a file with 5,000 broken levers gets a readable answer)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [_("... and {n} more problems").format(
        n=len(problems) - MAX_PROBLEMS)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    return _({dict: N_("an object"), list: N_("a list"), str: N_("a string"),
              bool: N_("true/false"), int: N_("a number"), float: N_("a number"),
              type(None): N_("null")}.get(type(value), N_("a value")))


def _path(loc: tuple[Any, ...], raw: Any) -> str:
    """('levers', 3, 'cut', 'max_fraction') -> 'levers[3].max_fraction' (drops union tags)."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and part in LEVER_TYPES:
            continue  # the discriminator tag pydantic adds to the location
        if isinstance(node, dict) and part not in node and part.startswith("function-"):
            continue
        if (part == "[key]" or _UNION_TAG.fullmatch(part)) and not (
                isinstance(node, dict) and part in node):
            continue  # pydantic's marker for "the key itself is invalid", or a union member
        out += path_part(part, first=not out)
        node = node.get(part) if isinstance(node, dict) else None
    return out or "case"


_UNION_TAG = re.compile(r"str|int|float|bool|none|[a-z-]+\[.*\]")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:-]{1,60}")


def path_part(key: str, first: bool = False) -> str:
    """One key of a JSON path: `.key`, or `["odd key"]` when it holds anything but letters,
    digits, '_', '-' and ':' (quoted, control characters escaped, cut at 60 characters)."""
    key = str(key)
    if _PLAIN_KEY.fullmatch(key):
        return key if first else f".{key}"
    return f"[{shown(key)}]"


def printable(text: str) -> str:
    """text with control characters (C0, DEL, C1) written as \\uXXXX: messages and
    reports never send terminal escapes from a case file."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")



def shown(value: Any) -> str:
    if isinstance(value, str) and len(value) > 200:
        value = value[:200]  # a 20 MB string is not encoded whole for a 60-character excerpt
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (ValueError, RecursionError):  # a NaN or a deeply nested value
        text = repr(value)[:200]
    text = printable(text.encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= 60 else text[:57] + "..."


def format_errors(exc: ValidationError, raw: Any, model_at: ModelAt) -> list[str]:
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _path(loc, raw)
        kind = err["type"]
        got = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            field = str(loc[-1])
            model = model_at(loc, raw)
            hint = ""
            if model is not None:
                names = [n for n in model.model_fields if n != "type"]
                close = difflib.get_close_matches(field, names, n=1, cutoff=0.6)
                hint = (_("; did you mean '{name}'?").format(name=close[0]) if close else
                        _("; allowed: {names}").format(names=", ".join(names)))
            problems.append(_("{path}: unknown field{hint}").format(path=path, hint=hint))
        elif kind == "missing":
            problems.append(_("{path}: required field is missing").format(path=path))
        elif kind == "union_tag_invalid":
            problems.append(_("{path}.type: unknown lever type {tag}; use one of {types}").format(
                path=path, tag=shown(ctx.get("tag")), types=", ".join(LEVER_TYPES)))
        elif kind == "union_tag_not_found":
            problems.append(_("{path}.type: required field is missing (one of {types})").format(
                path=path, types=", ".join(LEVER_TYPES)))
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            limits = _limits(loc, raw, model_at)
            if limits is not None and limits.low is not None and limits.high is not None:
                hint = ""
                if limits.high == 1 and isinstance(got, int | float) and 2 <= got <= 100:
                    hint = " " + _("(fractions are decimals: write {fraction} for {pct} %)").format(
                        fraction=f"{got / 100:g}", pct=f"{got:g}")
                problems.append(_("{path}: must be {expected}, got {got}").format(
                    path=path, expected=limits.words(), got=shown(got)) + hint)
            else:
                problems.append(_("{path}: {problem}, got {got}").format(
                    path=path, problem=err["msg"].lower(), got=shown(got)))
        elif kind == "float_type" and isinstance(got, int) and not isinstance(got, bool):
            limits = _limits(loc, raw, model_at)
            within = (limits.words() if limits is not None and limits.high is not None
                      else _("a finite number"))
            problems.append(_("{path}: must be {expected}, got {got}").format(
                path=path, expected=within, got=_("a whole number of {n} digits").format(
                    n=len(str(abs(got))))))
        elif kind == "string_unicode":
            problems.append(_("{path}: must be valid text; it holds an unpaired surrogate "
                              "(a \\ud800-\\udfff escape without its pair)").format(path=path))
        elif kind == "finite_number":
            problems.append(_("{path}: must be {expected}, got {got}").format(
                path=path, expected=_("a finite number"), got=shown(got)))
        elif kind == "string_pattern_mismatch" and str(loc[-1]) in ("id",) or (
            kind == "string_pattern_mismatch"
        ):
            problems.append(_("{path}: {got} is not a valid id; use 1 to 40 characters among "
                              "a-z, 0-9, '_' and '-'").format(path=path, got=shown(got)))
        elif kind in ("float_type", "int_type", "bool_type", "string_type", "dict_type",
                      "list_type", "model_type", "model_attributes_type", "int_from_float",
                      "float_parsing", "int_parsing", "literal_error", "dataclass_type"):
            expected = {"float_type": N_("a number"), "int_type": N_("a whole number"),
                        "int_from_float": N_("a whole number"), "bool_type": N_("true or false"),
                        "string_type": N_("a string"), "dict_type": N_("an object {...}"),
                        "list_type": N_("a list [...]"), "model_type": N_("an object {...}"),
                        "model_attributes_type": N_("an object {...}")}.get(kind)
            if kind == "literal_error":
                problems.append(_("{path}: must be {expected}, got {got}").format(
                    path=path, expected=ctx.get("expected"), got=shown(got)))
            else:
                problems.append(_("{path}: must be {expected}, got {got}").format(
                    path=path, expected=_(expected) if expected else err["msg"].lower(),
                    got=shown(got) if _is_number(got) or not expected else kind_of(got)))
        elif kind == "value_error":
            problems.append(_("{path}: {problem}").format(
                path=path, problem=str(ctx.get("error", err["msg"]))))
        elif kind == "too_short" and isinstance(got, list):
            need = ctx.get("min_length", 1)
            problems.append(ngettext("{path}: must hold at least {n} item, got {got}",
                                     "{path}: must hold at least {n} items, got {got}", need)
                            .format(path=path, n=need,
                                    got=_("an empty list") if not got else len(got)))
        else:
            problems.append(f"{path}: {err['msg']}" + (f", got {shown(got)}" if got is not None
                                                       and not isinstance(got, dict | list) else ""))
    return _merge_alternatives(problems) or [_("case: invalid")]


def _merge_alternatives(problems: list[str]) -> list[str]:
    """'notes: must be a string, got X' + 'notes: must be a list [...], got X' (a union of
    types) -> 'notes: must be a string or a list [...], got X'."""
    out: list[str] = []
    # The sentence of the current language, its placeholders as groups.
    template = re.escape(_("{path}: must be {expected}, got {got}"))
    for name, group in (("path", "(.+?)"), ("expected", "(.+)"), ("got", "(.+)")):
        template = template.replace(re.escape("{" + name + "}"), group)
    for problem in problems:
        m = re.fullmatch(template, problem, re.DOTALL)
        prev = re.fullmatch(template, out[-1], re.DOTALL) if out else None
        if m and prev and m.group(1) == prev.group(1) and m.group(3) == prev.group(3):
            out[-1] = _("{path}: must be {expected}, got {got}").format(
                path=m.group(1), got=m.group(3), expected=_("{first} or {second}").format(
                    first=prev.group(2), second=m.group(2)))
        else:
            out.append(problem)
    return out


@dataclass(frozen=True)
class Limits:
    """The allowed range of a number field, each end included or not (schema metadata)."""

    low: float | None
    high: float | None
    low_open: bool = False  # gt: the low end itself is not allowed
    high_open: bool = False  # lt: the high end itself is not allowed

    def words(self) -> str:
        """'between 0 and 1' (ends allowed); 'above 0 and below 1', 'at least 0 and below
        1', 'above 0 and at most 1' when an end is excluded."""
        low, high = _limit_text(self.low), _limit_text(self.high)
        if not self.low_open and not self.high_open:
            return _("between {low} and {high}").format(low=low, high=high)
        first = (_("above {low}") if self.low_open else _("at least {low}")).format(low=low)
        second = (_("below {high}") if self.high_open else _("at most {high}")).format(high=high)
        return _("{first} and {second}").format(first=first, second=second)


def field_limits(model: type[BaseModel], field: str) -> Limits | None:
    """The limits of a field's number (None: not a field of the model, or no limit); an
    optional field (`Fraction | None`) has its limits inside the union."""
    if field not in model.model_fields:
        return None
    info = model.model_fields[field]
    metas = list(info.metadata)
    for arg in get_args(info.annotation):  # `Fraction | None`: the limits sit in the union
        for meta in getattr(arg, "__metadata__", ()):
            metas.extend(getattr(meta, "metadata", [meta]))
    low = high = None
    low_open = high_open = False
    for meta in metas:
        for attr in ("ge", "gt"):
            if getattr(meta, attr, None) is not None:
                low, low_open = getattr(meta, attr), attr == "gt"
        for attr in ("le", "lt"):
            if getattr(meta, attr, None) is not None:
                high, high_open = getattr(meta, attr), attr == "lt"
    if low is None and high is None:
        return None
    return Limits(low, high, low_open, high_open)


def _limits(loc: tuple[Any, ...], raw: Any, model_at: ModelAt) -> Limits | None:
    model = model_at(loc, raw)
    return None if model is None else field_limits(model, str(loc[-1]))


def _limit_text(v: Any) -> Any:
    """1000000000000.0 -> '1e12' (a limit a person can read)."""
    if v is None or abs(v) < 1e6:
        return v
    return f"{v:.0e}".replace("e+0", "e").replace("e+", "e")



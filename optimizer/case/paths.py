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
from typing import Any

from ..errors import CaseError


def reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number; write a finite number")


_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def parse_value(text: str) -> Any:
    """A --set value: JSON when it parses (numbers, true, null, [..]), else the plain string."""
    text = text.strip()
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    try:
        return json.loads(text, parse_constant=reject_constant)
    except ValueError:
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
                raise CaseError(f"--set {path}: no item '{part}' in {'.'.join(shown) or 'case'}"
                                f"{_did_you_mean(part, ids, '.'.join(shown))}")
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
                    raise CaseError(f"--set {path}: no field '{part}' in {'.'.join(shown) or 'case'}"
                                    f"{_did_you_mean(part, pool, '.'.join(shown))}")
            node = node[part]
        else:
            raise CaseError(f"--set {path}: '{'.'.join(shown)}' is a value, not an object")
        shown.append(part)
    raise CaseError(f"--set {path}: empty path")


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
        return f"; valid: {', '.join(pool[:12])}" if pool else ""
    dotted = [f"{prefix}.{c}" if prefix else c for c in close]
    return f"; did you mean {' or '.join(dotted)}?"


def set_values(raw: dict[str, Any], overrides: Mapping[str, Any], top_fields: Sequence[str]
               ) -> dict[str, Any]:
    """A copy of raw with each dotted path set to its value (the input is not modified)."""
    out = copy.deepcopy(raw)
    for path, value in overrides.items():
        container, key, _ = resolve_path(out, path, top_fields)
        container[key] = value
    return out



__all__ = ["parse_value", "reject_constant", "resolve_path", "set_values"]

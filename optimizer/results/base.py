"""What every answer shares: stable numbers for JSON, read-only copies, the renderers.

A result holds answers; words for boards, tables and plots live in `report/`, above
it. Where a result offers `.report(fmt)` (the README's API), the report layer
registers its renderer here when it is imported (`register_renderer`), so that no
arrow points up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..i18n import language

SCHEMA_VERSION = 1

_RENDERERS: dict[str, Callable[[Any, str], str]] = {}


def register_renderer(kind: str, render: Callable[[Any, str], str]) -> None:
    """Let `render_as(kind, answer, fmt)` draw answers of this kind (called by report/)."""
    _RENDERERS[kind] = render


def render_as(kind: str, answer: Any, fmt: str, lang: str | None = None) -> str:
    """The report of an answer, by the renderer report/ registered for its kind, in
    `lang` (None: the current language, optimizer/i18n.py)."""
    render = _RENDERERS.get(kind)
    if render is None:
        raise RuntimeError(f"no renderer for {kind} answers: import optimizer.report "
                           "(importing optimizer does it)")
    with language(lang):
        return render(answer, fmt)


def num(value: float | None, digits: int = 6) -> float | None:
    """Round for output: stable bytes across runs, exact enough for any check (1e-6 EUR)."""
    if value is None:
        return None
    rounded = round(float(value), digits)
    return 0.0 if rounded == 0 else rounded


def plain(value: Any, digits: int = 6) -> Any:
    """A plain JSON value from a DataFrame cell: whole numbers stay whole, floats rounded,
    NaN -> None."""
    import numpy as np

    if isinstance(value, np.bool_):
        return bool(value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    if not math.isfinite(x):
        return None
    rounded = round(x, digits)
    return 0.0 if rounded == 0 else rounded


def plain_values(values: list[Any], digits: int = 6) -> list[Any]:
    """`results.base.plain` on a whole column: floats rounded to `digits` (-0.0 as 0.0),
    NaN and infinities as None, whole numbers and strings as they are.

    A column of floats is read by NumPy: only the values with more than `digits`
    decimals go through Python's round (the one `plain` uses, so that the figures are the
    same to the last digit), each distinct value once (a sweep repeats its plans).
    """
    if values and set(map(type, values)) == {float}:
        return _plain_floats(values, digits)
    out: list[Any] = []
    append = out.append
    for v in values:
        if type(v) is float:
            if not math.isfinite(v):
                append(None)
            else:
                r = round(v, digits)
                append(0.0 if r == 0 else r)
        elif v is None or isinstance(v, bool | str | int):
            append(v)
        else:  # numpy scalars and the rest: the one-value rule
            append(plain(v, digits))
    return out


def _plain_floats(values: list[float], digits: int) -> list[Any]:
    import numpy as np

    arr = np.asarray(values, dtype=float)
    finite = np.isfinite(arr)
    with np.errstate(invalid="ignore", over="ignore"):
        # Already at most `digits` decimals: round() would give the value back.
        need = finite & (np.round(arr, digits) != arr)
    out = (arr + 0.0).astype(object)  # + 0.0: -0.0 is 0.0
    out[~finite] = None
    if need.any():
        distinct, where = np.unique(arr[need], return_inverse=True)
        rounded = [round(v, digits) for v in distinct.tolist()]
        out[need] = np.array([0.0 if r == 0 else r for r in rounded], dtype=object)[where]
    return out.tolist()


def thawed(value: Any) -> Any:
    """Read-only mappings and tuples (as a result holds them) as JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thawed(v) for v in value]
    return value


def frozen(value: Any) -> Any:
    """A read-only deep copy: dicts as MappingProxyType, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


__all__ = ["SCHEMA_VERSION", "frozen", "num", "plain", "register_renderer", "render_as",
           "thawed"]

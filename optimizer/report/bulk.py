"""Tables and JSON for reports of 100,000 rows, in linear time.

A sweep may have 100,000 points (`MAX_POINTS`), and its report must not take longer to
write than the sweep took to solve. Two of the usual tools do Python-level work per cell
that adds up at that size:

- tabulate infers a type for every cell, even with `disable_numparse`: 5 s for a table of
  100,000 rows. `table` writes its "simple" and "github" layouts column by column with str
  methods (strip, ljust, rjust, join), byte for byte what tabulate writes for string cells
  aligned left or right (tests/test_render_scale.py compares the two on random tables);
- `json.dumps(..., indent=2)` leaves the C encoder for its pure-Python one as soon as an
  indent is asked for: 2.5 s for the rows of such a sweep. `dumps` writes the same bytes,
  handing each run of scalar items (a row's figures, a row's levers) to the C encoder with
  the indentation written into its separator.

And pandas gives every row of `iterrows` its own copy of the frame's `attrs` (a sweep's
attrs hold every axis value): `columns` reads a frame column by column, from a frame that
shares the data but not the attrs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..results.base import plain_values
from .formats import csv_text

if TYPE_CHECKING:
    import pandas as pd

_SCALARS = (str, int, float, bool, type(None))


def columns(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, list[Any]]:
    """Each named column as a list of plain Python values (float, int, str, bool, None).

    Read from a frame that shares the data but not the attrs: selecting a column copies
    `attrs` deeply, once per column here instead of once per row with iterrows.
    """
    import pandas as pd

    bare = pd.DataFrame(frame, copy=False)  # the same columns, attrs left behind
    return {name: bare[name].tolist() for name in names}


def plain_tokens(values: list[Any]) -> list[str]:
    """json_tokens(plain_values(values)), for a column of floats by its distinct values:
    each is rounded and written once, then the texts are gathered by NumPy."""
    if not values or set(map(type, values)) != {float}:
        return json_tokens(plain_values(values))
    import numpy as np

    distinct, where = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    texts = json_tokens(plain_values(distinct.tolist()))
    return np.array(texts, dtype=object)[where].tolist()


def csv_cells(values: list[Any]) -> list[str]:
    """A column as CSV cells: plain values, floats by repr, None empty."""
    if set(map(type, values)) <= {int, float, type(None)}:
        # Numbers as JSON writes them (repr); null is an empty cell.
        return ["" if t == "null" else t for t in plain_tokens(values)]
    return ["" if v is None else repr(v) if type(v) is float else
            csv_text(v) if type(v) is str else str(v) for v in plain_values(values)]


def json_tokens(values: list[Any]) -> list[str]:
    """Each plain value of a column as JSON text, as json.dumps writes it: a column of
    numbers and None by the C encoder, each distinct number once (a sweep repeats its
    zeros and its plans); other columns value by value."""
    enc = _ENCODER
    kinds = set(map(type, values))
    if kinds <= {float, type(None)} and float in kinds:
        import numpy as np

        present = [v for v in values if v is not None] if type(None) in kinds else values
        arr = np.asarray(present, dtype=float)
        distinct, where = np.unique(arr, return_inverse=True)
        texts = enc.encode(distinct.tolist())[1:-1].split(", ")
        # -0.0 equals 0.0 for unique but not for json: such a column goes value by value.
        if len(texts) == len(distinct) and not np.any(np.signbit(arr) & (arr == 0)):
            tokens = np.array(texts, dtype=object)[where].tolist()
            if len(present) == len(values):
                return tokens
            it = iter(tokens)
            return ["null" if v is None else next(it) for v in values]
    if kinds <= {int, float, type(None)}:
        tokens = enc.encode(values)[1:-1].split(", ") if values else []
        if len(tokens) == len(values):
            return tokens
    memo: dict[str, str] = {}  # strings (a status, a name) repeat; numbers go one by one
    out = []
    for v in values:
        if type(v) is str:
            token = memo.get(v)
            if token is None:
                token = memo[v] = enc.encode(v)
        else:
            token = enc.encode(v)
        out.append(token)
    return out


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


# ------------------------------------------------------------------ tables


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], markdown: bool = False,
          align: Sequence[str] | None = None) -> str:
    """tabulate(rows, headers, tablefmt="github" if markdown else "simple",
    disable_numparse=True, colalign=align), for string cells, in linear time.

    align: "left" or "right" per column (default left). As tabulate: cells stripped of
    surrounding spaces, each column as wide as its widest cell and at least its header
    plus 2, headers aligned as their column (left when there is no row); "simple" lines
    stripped on the right. Cells hold no line break (names and labels cannot).
    """
    n = len(headers)
    if any(len(row) != n for row in rows):
        raise ValueError(f"table: every row needs {n} cells")
    cols = [list(col) for col in zip(*rows)] if rows else [[] for _ in range(n)]
    return table_columns(cols, headers, markdown, align)


def table_columns(cols: Sequence[Sequence[Any]], headers: Sequence[str],
                  markdown: bool = False, align: Sequence[str] | None = None) -> str:
    """`table` from its columns (each a list of cells, all of one length)."""
    n = len(headers)
    align = tuple(align) if align is not None else ("left",) * n
    if len(align) != n or any(a not in ("left", "right") for a in align):
        raise ValueError(f"align: one of 'left' or 'right' per column, got {align!r}")
    if len(cols) != n or len({len(c) for c in cols}) > 1:
        raise ValueError(f"table: {n} columns of one length needed")
    nrows = len(cols[0]) if cols else 0
    cells = [[str(c).strip() for c in col] for col in cols]
    heads = [str(h) for h in headers]
    if not nrows:  # tabulate aligns the headers of an empty table left
        align = ("left",) * n
    padded_cols = []
    padded_heads = []
    widths = []
    for head, col, side in zip(heads, cells, align):
        width = max(len(head) + 2, max(map(len, col), default=0))
        widths.append(width)
        pad = str.rjust if side == "right" else str.ljust
        padded_heads.append(pad(head, width))
        padded_cols.append([pad(c, width) for c in col])
    body = zip(*padded_cols)
    if markdown:
        lines = ["| " + " | ".join(padded_heads) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
    else:
        lines = ["  ".join(padded_heads).rstrip(), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(r).rstrip() for r in body]
    return "\n".join(lines)


# ------------------------------------------------------------------ json


def dumps(data: Any) -> str:
    """json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False), in linear time.

    Runs of scalar items go to the C encoder, with the newline and indentation of their
    level as its item separator; containers are opened and closed here.
    """
    return _Indented().dump(data, 0)


class _Indented:
    def __init__(self) -> None:
        self._encoders: dict[int, json.JSONEncoder] = {}
        self._plain = json.JSONEncoder(ensure_ascii=False, allow_nan=False)

    def _flat(self, level: int) -> json.JSONEncoder:
        enc = self._encoders.get(level)
        if enc is None:
            enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False,
                                   separators=(",\n" + "  " * level, ": "))
            self._encoders[level] = enc
        return enc

    def dump(self, value: Any, level: int) -> str:
        if isinstance(value, dict):
            return self._dict(value, level)
        if isinstance(value, list | tuple):
            return self._list(value, level)
        return self._plain.encode(value)

    def _dict(self, value: dict[Any, Any], level: int) -> str:
        if not value:
            return "{}"
        inner = "  " * (level + 1)
        if any(not isinstance(k, str) for k in value):
            # JSON's own key conversions (1 -> "1", None -> "null"): rare, left to json.
            return json.dumps(value, indent=2, ensure_ascii=False,
                              allow_nan=False).replace("\n", "\n" + "  " * level)
        parts: list[str] = []
        run: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, _SCALARS):
                run[key] = item
                continue
            if run:
                parts.append(self._flat(level + 1).encode(run)[1:-1])
                run = {}
            parts.append(self._plain.encode(key) + ": " + self.dump(item, level + 1))
        if run:
            parts.append(self._flat(level + 1).encode(run)[1:-1])
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + "  " * level + "}"

    def _list(self, value: list[Any] | tuple[Any, ...], level: int) -> str:
        if not value:
            return "[]"
        inner = "  " * (level + 1)
        parts: list[str] = []
        run: list[Any] = []
        for item in value:
            if isinstance(item, _SCALARS):
                run.append(item)
                continue
            if run:
                parts.append(self._flat(level + 1).encode(run)[1:-1])
                run = []
            parts.append(self.dump(item, level + 1))
        if run:
            parts.append(self._flat(level + 1).encode(run)[1:-1])
        return "[\n" + inner + (",\n" + inner).join(parts) + "\n" + "  " * level + "]"


__all__ = ["columns", "csv_cells", "dumps", "json_tokens", "plain_tokens", "plain_values",
           "table", "table_columns"]

"""Reports of large sensitivity runs are written in linear time (issue 14, item 4).

No test here reads a clock. A quadratic renderer is caught by what it does per row:
- pandas copies a frame's `attrs` into every row of `iterrows`, and a sweep's attrs hold
  every axis value: a probe in the attrs counts its deep copies, which must not grow with
  the rows;
- the Python function calls of a render (counted by a profile hook) must grow with the
  rows, not with their square: ten times the rows, at most twelve times the calls.
The linear-time writers of `report/bulk.py` are checked byte for byte against what they
replace (tabulate, json.dumps with an indent) on random inputs.
`python bench/bench_render.py` measures the times beside the solve of a 100,000-point sweep.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

import optimizer
from optimizer.report import bulk
from optimizer.report.sensitivity import (
    render_frontier,
    render_sweep,
    render_tornado,
    sweep_dict,
)

from .conftest import CASES

FORMATS = ("table", "markdown", "json", "csv")


class Probe:
    """An attrs entry that counts how often pandas deep-copies the attrs."""

    copies = 0

    def __deepcopy__(self, memo: dict) -> Probe:
        Probe.copies += 1
        return self


@pytest.fixture(scope="module")
def case() -> optimizer.Case:
    return optimizer.load_case(CASES / "aura-average-2020.json")


@pytest.fixture(scope="module")
def solved(case: optimizer.Case) -> pd.DataFrame:
    """A real sweep of 20 targets, some out of reach: plans of every shape."""
    targets = [round(0.50 + 0.007 * k, 4) for k in range(20)]
    return optimizer.sweep(case, {"target.private_share": targets}, workers=1)


def _big(solved: pd.DataFrame, rows: int) -> pd.DataFrame:
    """`rows` rows of the solved sweep, each with its own axis value, and attrs holding
    every axis value (as a sweep's do) plus a probe."""
    reps = -(-rows // len(solved))
    frame = pd.concat([solved] * reps, ignore_index=True).iloc[:rows].copy()
    values = [0.5 + 0.1 * k / rows for k in range(rows)]
    frame["target.private_share"] = values
    frame.attrs = {"kind": "sweep", "case": "x", "solver": "highs",
                   "axes": {"target.private_share": values}, "solves": rows, "probe": Probe()}
    return frame


def _calls(render, *args) -> tuple[int, str]:
    """The Python and C function calls made by one render, and its text."""
    count = 0

    def hook(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(hook)
    try:
        text = render(*args)
    finally:
        sys.setprofile(None)
    return count, text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sweep_render_never_copies_the_attrs_per_row(solved, case, fmt):
    """Rendering 2,000 or 20,000 rows deep-copies the attrs (every axis value) the same
    small number of times: never once per row, as iterrows does."""
    copies = []
    for rows in (2_000, 20_000):
        frame = _big(solved, rows)
        Probe.copies = 0
        text = render_sweep(frame, case, fmt)
        copies.append(Probe.copies)
        assert text.count("\n") >= rows
    assert copies[1] == copies[0] <= 50, copies


@pytest.mark.parametrize("fmt", FORMATS)
def test_sweep_render_work_grows_linearly(solved, case, fmt):
    """Ten times the rows, at most twelve times the function calls (a quadratic renderer
    makes a hundred times as many)."""
    small, text_small = _calls(render_sweep, _big(solved, 1_000), case, fmt)
    large, text_large = _calls(render_sweep, _big(solved, 10_000), case, fmt)
    assert len(text_large) > 9 * len(text_small)
    assert large <= 12 * small, (small, large)


@pytest.fixture(scope="module")
def frontier_and_tornado(case: optimizer.Case) -> tuple[optimizer.Frontier, pd.DataFrame]:
    return optimizer.frontier(case, points=5, workers=1), optimizer.tornado(case, 0.2, workers=1)


def _no_iterrows(self):
    raise AssertionError("iterrows: one Series (and one copy of the attrs) per row")


@pytest.mark.parametrize("fmt", FORMATS)
def test_tornado_render_without_a_row_series(case, frontier_and_tornado, fmt, monkeypatch):
    """The tornado report reads its frame column by column too: never a Series per row."""
    _, tor = frontier_and_tornado
    monkeypatch.setattr(pd.DataFrame, "iterrows", _no_iterrows)
    assert render_tornado(tor, case, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_frontier_render_without_a_row_series(frontier_and_tornado, fmt, monkeypatch):
    """The frontier report (up to 100,000 grid targets) reads its tables column by column."""
    fr, _ = frontier_and_tornado
    monkeypatch.setattr(pd.DataFrame, "iterrows", _no_iterrows)
    assert render_frontier(fr, fmt)


@pytest.mark.parametrize("axes", [
    {"target.private_share": [0.5, 0.55, 0.6, 0.65]},
    {"levers.training.price": [900, 1500], "target.private_share": [0.56, 0.64]},
    {"members": [200, 300], "levers.training.enabled": [True, False]},
])
def test_sweep_json_is_the_sweep_dict(case, axes):
    """The JSON of a sweep, written from a template row by row, is exactly json.dumps of
    sweep_dict (the library's dict of the same sweep), out-of-reach points included."""
    frame = optimizer.sweep(case, axes, workers=1)
    want = json.dumps(sweep_dict(frame, case), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
    assert render_sweep(frame, case, "json") == want
    assert json.loads(want)["rows"][0]["levers"]


# ------------------------------------------------------------------ the writers

cell = st.one_of(st.text(alphabet=st.sampled_from(list("ab Z09.,-%|:é€ k")), max_size=8),
                st.sampled_from(["True", "False", " True", "  ", "1,200", "-"]))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), ncols=st.integers(1, 5), nrows=st.integers(0, 6),
       markdown=st.booleans())
def test_table_is_what_tabulate_writes(data, ncols, nrows, markdown):
    """bulk.table gives tabulate's bytes (simple and github layouts, string cells, left or
    right alignment), spaces around cells and True/False strings included."""
    headers = data.draw(st.lists(cell, min_size=ncols, max_size=ncols))
    rows = data.draw(st.lists(st.lists(cell, min_size=ncols, max_size=ncols),
                              min_size=nrows, max_size=nrows))
    align = data.draw(st.one_of(st.none(), st.lists(st.sampled_from(["left", "right"]),
                                                    min_size=ncols, max_size=ncols)))
    want = tabulate(rows, headers=headers, tablefmt="github" if markdown else "simple",
                    disable_numparse=True, colalign=align)
    assert bulk.table(rows, headers, markdown, align) == want


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.text(alphabet=st.sampled_from(list('a"\\\n\té€ :,{}[]')), max_size=6))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.text(alphabet=st.sampled_from(list('ab:"\n é')), max_size=4), inner,
                    max_size=5)), max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_dumps_is_what_json_writes(value):
    """bulk.dumps gives json.dumps(indent=2, ensure_ascii=False)'s bytes, nesting, escapes,
    empty containers and runs of scalars between containers included."""
    assert bulk.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False,
                                           allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6),
                                 st.floats(allow_nan=False, allow_infinity=False),
                                 st.sampled_from([0.0, -0.0, 0.1, 76.0, 1e-7]),
                                 st.booleans(), st.text(max_size=3)), max_size=30))
def test_json_tokens_are_what_json_writes(values):
    """Each value's token is json.dumps(value, ensure_ascii=False), whichever path the
    column takes (floats by distinct value, numbers at once, or one by one)."""
    assert bulk.json_tokens(values) == [json.dumps(v, ensure_ascii=False) for v in values]
    floats = [v for v in values if type(v) is float]
    assert bulk.json_tokens(floats) == [json.dumps(v) for v in floats]
    assert bulk.json_tokens(floats + [None]) == [json.dumps(v) for v in floats + [None]]


def test_dumps_refuses_nan_as_json_does():
    with pytest.raises(ValueError):
        bulk.dumps({"rows": [{"risk": float("nan")}]})


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e7, 1e7).map(lambda x: round(x, 7)),
    st.sampled_from([0.0, -0.0, -1e-9, 0.1, 76.0, 69753.1234565, 1234.5678915])), max_size=40))
def test_plain_values_of_a_float_column_are_plain_of_each(values):
    """The NumPy path of plain_values (a column of floats) gives what `plain` gives for
    each value, to the last digit (repr), NaN and infinities as None, -0.0 as 0.0."""
    from optimizer.results.base import plain

    got = bulk.plain_values(values)
    assert [repr(v) for v in got] == [repr(plain(v)) for v in values]
    assert bulk.plain_tokens(values) == [json.dumps(plain(v)) for v in values]


def test_plain_values_and_csv_cells_follow_the_one_value_rule():
    """Column helpers: NaN as None (an empty CSV cell), floats rounded to 1e-6, -0.0 as 0.0,
    whole numbers, booleans and strings kept."""
    import numpy as np

    values = [float("nan"), 1.23456789, -1e-9, 3, True, "x", None, np.int64(4), np.float64(0.5)]
    assert bulk.plain_values(values) == [None, 1.234568, 0.0, 3, True, "x", None, 4, 0.5]
    assert bulk.csv_cells(values) == ["", "1.234568", "0.0", "3", "True", "x", "", "4", "0.5"]
    floats = [float("nan"), 1.23456789, -1e-9, -0.0, 2.5, 1.23456789, float("inf")]
    assert bulk.plain_tokens(floats) == ["null", "1.234568", "0.0", "0.0", "2.5", "1.234568",
                                         "null"]
    assert bulk.csv_cells(floats) == ["", "1.234568", "0.0", "0.0", "2.5", "1.234568", ""]
    assert Counter(type(v) for v in bulk.plain_values(values))[float] == 3

"""A case's model as arrays that are affine in the target share t, built once.

Every row of the model that depends on the target does so linearly: the share row
`private - t x revenues >= 0`, the robust target's protection rows (a private revenue
lost counts 1 - t, a public one -t) and the CVaR's scenario rows (`t x revenues_s -
private_s`). So the model is built at two targets and compared entry by entry: the
entries that differ are the target's, and at any t each is `value0 + (t - t0) x slope`.
Nothing about which rows depend on t is written twice: whatever `build_model` (and
`model.cvar.add_scenarios`) writes is what moves.

The second build happens only when a second target is asked for (a tornado solves each
changed case at its own target only). If the two builds differ in anything but values
(another column, another row, a bound of a column), the model is not affine in t and
`NotAffine` is raised: the engine then solves such points one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pulp

from ...model.milp import Model
from ...solvers.highs import MatrixModel, to_matrix


class NotAffine(Exception):
    """The model's structure changes with the target (never seen; the engine falls back)."""


def _entries(m: MatrixModel) -> tuple[np.ndarray, np.ndarray]:
    """(key = row x columns + column, value) of every stored coefficient, sorted by key."""
    rows = np.repeat(np.arange(len(m.row_names), dtype=np.int64), np.diff(m.starts))
    keys = rows * max(1, len(m.names)) + m.index.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], m.value[order]


def vector(expr: Any, names: list[str]) -> tuple[np.ndarray, float]:
    """A PuLP expression as (coefficients over the columns ordered as names, constant)."""
    col = {name: j for j, name in enumerate(names)}
    out = np.zeros(len(names))
    if isinstance(expr, int | float):
        return out, float(expr)
    expr = pulp.LpAffineExpression(expr)
    for var, c in expr.items():
        if var.name in col:
            out[col[var.name]] += c
    return out, float(expr.constant)


class TargetModel:
    """The model of a case at its own target, and what moves when the target moves.

    build(t) builds the model at target t (the same case otherwise).
    """

    def __init__(self, build: Callable[[float], Model], t0: float):
        self._build = build
        self.t0 = t0
        self.model = build(t0)
        self.matrix = to_matrix(self.model.prob)
        self.columns = self.model.prob.variables()
        self._learnt = False
        # the target's entries: rows, columns, value at t0, slope
        self.rows = np.zeros(0, np.int32)
        self.cols = np.zeros(0, np.int32)
        self.value0 = np.zeros(0)
        self.slope = np.zeros(0)
        # the target's row bounds: rows, lower at t0, its slope, upper at t0, its slope
        self.bound_rows = np.zeros(0, np.int32)
        self.bounds0 = (np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))

    def learn(self) -> None:
        """Build the model at a second target and find what moves (once)."""
        if self._learnt:
            return
        t0 = self.t0
        t1 = t0 + 0.125 if t0 <= 0.5 else t0 - 0.125
        m0, m1 = self.matrix, to_matrix(self._build(t1).prob)
        if (m0.names != m1.names or m0.row_names != m1.row_names or m0.sense != m1.sense
                or not np.array_equal(m0.cost, m1.cost) or m0.offset != m1.offset
                or not np.array_equal(m0.lower, m1.lower)
                or not np.array_equal(m0.upper, m1.upper)
                or not np.array_equal(m0.integer, m1.integer)):
            raise NotAffine("the model's columns change with the target")
        k0, v0 = _entries(m0)
        k1, v1 = _entries(m1)
        keys = np.union1d(k0, k1)
        a0 = np.zeros(len(keys))
        a1 = np.zeros(len(keys))
        a0[np.searchsorted(keys, k0)] = v0
        a1[np.searchsorted(keys, k1)] = v1
        moving = a0 != a1
        n = max(1, len(m0.names))
        self.rows = (keys[moving] // n).astype(np.int32)
        self.cols = (keys[moving] % n).astype(np.int32)
        self.value0 = a0[moving]
        self.slope = (a1[moving] - a0[moving]) / (t1 - t0)
        lo0, lo1, up0, up1 = m0.row_lower, m1.row_lower, m0.row_upper, m1.row_upper
        if not (np.array_equal(np.isfinite(lo0), np.isfinite(lo1))
                and np.array_equal(np.isfinite(up0), np.isfinite(up1))):
            raise NotAffine("the model's row bounds change kind with the target")
        with np.errstate(invalid="ignore"):
            moved = (np.isfinite(lo0) & (lo0 != lo1)) | (np.isfinite(up0) & (up0 != up1))
            rows = np.flatnonzero(moved)
            lo_slope = np.where(np.isfinite(lo0[rows]), (lo1[rows] - lo0[rows]) / (t1 - t0), 0.0)
            up_slope = np.where(np.isfinite(up0[rows]), (up1[rows] - up0[rows]) / (t1 - t0), 0.0)
        self.bound_rows = rows.astype(np.int32)
        self.bounds0 = (lo0[rows], lo_slope, up0[rows], up_slope)
        self._learnt = True

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(coefficients of the target's entries, lower and upper bounds of its rows) at t."""
        if t != self.t0:
            self.learn()
        d = t - self.t0
        lo0, lo_s, up0, up_s = self.bounds0
        with np.errstate(invalid="ignore"):
            lower = np.where(np.isfinite(lo0), lo0 + d * lo_s, lo0)
            upper = np.where(np.isfinite(up0), up0 + d * up_s, up0)
        return self.value0 + d * self.slope, lower, upper


__all__ = ["NotAffine", "TargetModel", "vector"]

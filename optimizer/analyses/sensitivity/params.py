"""Lever-parameter sweeps and tornado moves re-solved in place (issue 13, last goal).

A sweep of `levers.training.price`, or a tornado move of a lever's unit cost, changes the
case, not the target: main built a new model per point (`TargetEngine` of the changed
case). Here the model of the group's case is built once and each point only rewrites
what the parameter sets in the same HiGHS instance, then solves again:

- The model is built at a second value of the parameter and compared, array by array,
  with the model already built (`ParamModel`): the coefficients, column bounds, row
  bounds and objective that differ are the parameter's, and at any value p each is
  `value0 + (p - p0) x slope`. The quantities the choice among plans re-solves with (EUR
  at risk, members, euros moved) are learnt the same way. A chunk of three values or
  more is checked against a third build before it is used (`NotAffine`: rebuilt).
- Only parameters that move coefficients and bounds, never the model's STRUCTURE, go
  this way (`IN_PLACE`): the two builds share their columns, rows and integrality, and
  the dependence is affine over the whole domain allowed (`in_place`):

  * "same sign" fields (prices, unit costs, set-up costs, launch risks, FTE per unit,
    downsides, EU grants, success rates, cost shares, proposal costs, a success fee's
    volume, a recruit's explicit fee and cost, a custom lever's lines, EUR at risk per
    unit and FTE) enter as products with a decision (`price x u`, `risk_share x price x
    u`, `q x g x n`); a value of 0 would drop a row or an indicator (a set-up's launch
    indicator, the capacity row, a robust target's protection row), so every value must
    be non-zero with the sign of the case's own value;
  * an EU lever's `cost_share` ("open fraction"): strictly between 0 and 1, since at 1
    the costs a won project brings cancel its grant in the result, and a robust target's
    protection row for the result disappears;
  * "bound" fields (a service's `max_units`, an EU lever's `max_proposals`) set a
    column's upper bound and the coefficient of its launch row (`u - up x z <= 0`); they
    are affine for whole values of at least 1 (an integer service rounds `max_units`
    down; below one unit the launch floor changes).

- Kept on the rebuild (a new model per point), because they change the model's structure
  or enter it through rounding: an option grid's top or step (`max_increase`, `max_rate`,
  `step`), a fee's or a success fee's elasticity (options that gain nothing are dropped,
  and with a risk tolerance dominated options too), `min_units`, `max_new` (with a fee
  increase on the line, the recruits' floors per fee option are rounded up), the
  fractions and amounts of cuts and grant cuts (`min_amount`, `round_to` round them),
  amounts of budget lines, members and staff (fee options, members' floors and rounded
  limits follow them), a custom lever's bounds and members, a disabled lever, a lever's
  `integer` and anything a CVaR case draws scenarios from (a CVaR case's points are all
  rebuilt, through `cvar_moves`: exact shortcuts, the base plan's bound and restricted
  scenario rows), and every point of `--solver cbc` (a whole solve).

Between values, the previous point's solution bounds the next search when it is still
feasible (checked row by row on the new coefficients); as in the target engine, a search
bounded that way that finds nothing is solved again unbounded, so the bound never decides
an answer. `OPTIMIZER_PARAMS_REBUILD=1` in the environment forces the rebuild of every
point (the path before; `bench/bench_params.py` compares).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pulp

from ...case.schema import Case
from ...errors import CaseError
from ...model.milp import build_model
from ...results.point import Point
from ...solvers.highs import MatrixModel, to_matrix
from .affine import NotAffine, vector

# The engine of a case (`engine.TargetEngine`; not imported: the engine imports this module).
Engine = Any

# The environment switch that forces a new model per point (the path before).
REBUILD_ENV = "OPTIMIZER_PARAMS_REBUILD"

SAME_SIGN = "same sign"
BOUND = "bound"
OPEN_FRACTION = "open fraction"

# Lever type -> field -> how its values may move in place (see the module doc). A field
# not listed (and every field of a lever type not listed) is rebuilt per point.
IN_PLACE: dict[str, dict[str, str]] = {
    "service": {"price": SAME_SIGN, "unit_cost": SAME_SIGN, "setup_cost": SAME_SIGN,
                "launch_risk": SAME_SIGN, "fte_per_unit": SAME_SIGN, "downside": SAME_SIGN,
                "max_units": BOUND},
    "eu_projects": {"grant": SAME_SIGN, "success_rate": SAME_SIGN, "cost_share": OPEN_FRACTION,
                    "proposal_cost": SAME_SIGN, "fte_per_project": SAME_SIGN,
                    "fte_per_proposal": SAME_SIGN, "downside": SAME_SIGN,
                    "max_proposals": BOUND},
    "success_fee": {"volume": SAME_SIGN, "downside": SAME_SIGN},
    "fee_increase": {"downside": SAME_SIGN},
    "cut": {"downside": SAME_SIGN},
    "grant_cut": {"downside": SAME_SIGN},
    "new_members": {"fee": SAME_SIGN, "cost_per_member": SAME_SIGN,
                    "fte_per_member": SAME_SIGN, "downside": SAME_SIGN},
    "custom": {"risk_per_unit": SAME_SIGN, "fte": SAME_SIGN, "revenues": SAME_SIGN,
               "expenditures": SAME_SIGN},
}

# Values of one path solved one after another by one task (fixed, as the engine's CHUNK:
# answers never depend on the number of workers). Smaller than CHUNK: a value costs a
# whole solve (no target shortcut applies), so small tasks keep the cores evenly busy.
VALUE_CHUNK = 8

# Points solved in place and points rebuilt, in this process (tests and benches read it).
STATS = {"in_place": 0, "rebuilt": 0, "learnt": 0}


def force_rebuild() -> bool:
    """Whether the environment asks for a new model per point (the path before)."""
    return os.environ.get(REBUILD_ENV, "").strip() not in ("", "0")


def _lever_of(case: Case, key: str) -> Any:
    if key.isdigit() and int(key) < len(case.levers):
        return case.levers[int(key)]
    return next((lever for lever in case.levers if lever.id == key), None)


def base_value(case: Case, path: str) -> float | None:
    """The case's own number at a lever-parameter path (a default downside included), or
    None when the path is not a lever parameter with a number."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "levers":
        return None
    lever = _lever_of(case, parts[1])
    if lever is None:
        return None
    field = parts[2]
    if field == "downside" and len(parts) == 3:
        value: Any = lever.risk_share
    else:
        value = getattr(lever, field, None)
        for key in parts[3:]:
            value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def in_place(case: Case, path: str, values: Sequence[Any]) -> bool:
    """Whether every value of a lever-parameter path moves only coefficients and bounds of
    the model of `case` (the module doc says which fields, over which domain)."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "levers" or getattr(case.target, "risk_measure",
                                                         None) == "cvar":
        return False
    lever = _lever_of(case, parts[1])
    if lever is None or not lever.enabled:
        return False
    kind = IN_PLACE.get(lever.type, {}).get(parts[2])
    nested = parts[2] in ("revenues", "expenditures")
    if kind is None or (len(parts) != (4 if nested else 3)):
        return False
    p0 = base_value(case, path)
    if p0 is None:
        return False
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return False
        if kind == SAME_SIGN and not (p0 != 0 and v * p0 > 0):
            return False
        if kind == OPEN_FRACTION and not (0 < p0 < 1 and 0 < v < 1):
            return False
        if kind == BOUND and not (p0 >= 1 and v >= 1 and float(v).is_integer()
                                  and float(p0).is_integer()):
            return False
    return True


@dataclasses.dataclass
class _Affine:
    """An array affine in the parameter: value0 + (p - p0) x slope."""

    value0: np.ndarray
    slope: np.ndarray

    def at(self, d: float) -> np.ndarray:
        return self.value0 + d * self.slope


def _affine(a0: np.ndarray, a1: np.ndarray, dp: float) -> _Affine:
    with np.errstate(invalid="ignore"):
        slope = np.where(np.isfinite(a0), (a1 - a0) / dp, 0.0)
    return _Affine(a0.astype(float), slope)


def _entry_keys(m: MatrixModel) -> tuple[np.ndarray, np.ndarray]:
    rows = np.repeat(np.arange(len(m.row_names), dtype=np.int64), np.diff(m.starts))
    keys = rows * max(1, len(m.names)) + m.index.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], m.value[order]


def _dense(keys: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = np.zeros(len(keys))
    out[np.searchsorted(keys, k)] = v
    return out


def _quantities(model: Any, names: list[str]) -> dict[str, tuple[np.ndarray, float]]:
    q = model.quantity
    return {"risk": vector(q["risk"], names), "members": vector(q["members"], names),
            "change": vector(pulp.lpSum(t.change for t in model.terms.values()), names)}


def _same_structure(m0: MatrixModel, m1: MatrixModel) -> bool:
    return (m0.names == m1.names and m0.row_names == m1.row_names and m0.sense == m1.sense
            and np.array_equal(m0.integer, m1.integer)
            and all(np.array_equal(np.isfinite(a), np.isfinite(b)) for a, b in (
                (m0.lower, m1.lower), (m0.upper, m1.upper), (m0.row_lower, m1.row_lower),
                (m0.row_upper, m1.row_upper))))


class ParamModel:
    """The engine's model as arrays affine in one lever parameter, learnt from the model of
    the engine's case (at p0) and a build at p1."""

    def __init__(self, engine: Engine, path: str, p0: float, at1: tuple[float, Case],
                 check: tuple[float, Case] | None = None):
        self.p0 = p0
        m0 = engine.matrix
        names = m0.names
        p1, case1 = at1
        model1 = build_model(case1, share=engine.target_model.t0, tight=True)
        m1 = to_matrix(model1.prob)
        if not _same_structure(m0, m1):
            raise NotAffine(f"{path}: the model's structure changes with the value")
        dp = p1 - p0
        k0, v0 = _entry_keys(m0)
        k1, v1 = _entry_keys(m1)
        keys = np.union1d(k0, k1)
        a0, a1 = _dense(keys, k0, v0), _dense(keys, k1, v1)
        n = max(1, len(names))
        self.entry_rows = (keys // n).astype(np.int32)
        self.entry_cols = (keys % n).astype(np.int32)
        self.entries = _affine(a0, a1, dp)
        self.cost = _affine(m0.cost * m0.sense, m1.cost * m1.sense, dp)
        self.lower = _affine(m0.lower, m1.lower, dp)
        self.upper = _affine(m0.upper, m1.upper, dp)
        self.row_lower = _affine(m0.row_lower, m1.row_lower, dp)
        self.row_upper = _affine(m0.row_upper, m1.row_upper, dp)
        self.offset = (m0.offset, (m1.offset - m0.offset) / dp)
        q0, q1 = _quantities(engine.model, names), _quantities(model1, names)
        self.quantities = {k: (_affine(q0[k][0], q1[k][0], dp),
                               (q0[k][1], (q1[k][1] - q0[k][1]) / dp)) for k in q0}
        self.moved_entries = np.flatnonzero(self.entries.slope)
        self.moved_cols = np.flatnonzero((self.lower.slope != 0) | (self.upper.slope != 0))
        self.moved_rows = np.flatnonzero((self.row_lower.slope != 0)
                                         | (self.row_upper.slope != 0))
        self.base = m0
        STATS["learnt"] += 1
        if check is not None:
            self._check(check[0], check[1], engine.target_model.t0)

    def _check(self, p: float, case: Case, t0: float) -> None:
        """A third build at p must equal the prediction (else NotAffine)."""
        m = to_matrix(build_model(case, share=t0, tight=True).prob)
        if not _same_structure(self.base, m):
            raise NotAffine("the model's structure changes with the value")
        d = p - self.p0
        keys = self.entry_rows.astype(np.int64) * max(1, len(m.names)) + self.entry_cols
        k, v = _entry_keys(m)
        if not np.isin(k, keys).all():
            raise NotAffine("a coefficient appears at another value")
        got = _dense(keys, k, v)
        pairs = [(self.entries.at(d), got), (self.cost.at(d), m.cost * m.sense),
                 (self.lower.at(d), m.lower), (self.upper.at(d), m.upper),
                 (self.row_lower.at(d), m.row_lower), (self.row_upper.at(d), m.row_upper)]
        for want, have in pairs:
            fin = np.isfinite(have)
            if not np.allclose(want[fin], have[fin], rtol=1e-9, atol=1e-9):
                raise NotAffine("the model is not affine in the value")

    def matrix_at(self, p: float) -> MatrixModel:
        """The model's costs, bounds and offset at p, as the session reads them after a
        solve (an empty model's rows, the objective's offset). Its coefficients stay those
        built: the session holds the rewritten ones, and `entries.at` gives them."""
        d = p - self.p0
        base = self.base
        return dataclasses.replace(
            base, cost=self.cost.at(d) * base.sense, lower=self.lower.at(d),
            upper=self.upper.at(d), row_lower=self.row_lower.at(d),
            row_upper=self.row_upper.at(d), offset=self.offset[0] + d * self.offset[1])

    def feasible(self, x: np.ndarray, p: float) -> bool:
        """Whether the column values x meet every row and bound of the model at p (to a
        relative 1e-7; only used to bound the next search, never to decide an answer)."""
        d = p - self.p0
        lower, upper = self.lower.at(d), self.upper.at(d)
        tol = 1e-7 * np.maximum(1.0, np.abs(x))
        if np.any(x < lower - tol) or np.any(x > upper + tol):
            return False
        act = np.bincount(self.entry_rows, weights=self.entries.at(d) * x[self.entry_cols],
                          minlength=len(self.base.row_names))
        lo, up = self.row_lower.at(d), self.row_upper.at(d)
        tol = 1e-7 * np.maximum(1.0, np.abs(act))
        with np.errstate(invalid="ignore"):
            return bool(np.all(~np.isfinite(lo) | (act >= lo - tol))
                        and np.all(~np.isfinite(up) | (act <= up + tol)))


class _Saved:
    """The engine's own arrays, restored after a task of values."""

    FIELDS = ("case", "_cost", "_risk", "_risk0", "_members", "_members0", "_change")

    def __init__(self, engine: Engine):
        self.values = {f: getattr(engine, f) for f in self.FIELDS if hasattr(engine, f)}

    def restore(self, engine: Engine) -> None:
        for f, v in self.values.items():
            setattr(engine, f, v)
        engine.reset()
        engine.least = None
        engine._least_values = None
        engine._last = None


def _apply(engine: Engine, pm: ParamModel, p: float, case: Case) -> None:
    """Write the model at p into the engine's HiGHS instance, and its arrays into the
    engine (the case at p, the objective, the choice's quantities)."""
    session = engine._highs()
    d = p - pm.p0
    m = pm.moved_entries
    if len(m):
        session.set_coefficients(pm.entry_rows[m], pm.entry_cols[m], pm.entries.at(d)[m])
    c = pm.moved_cols
    if len(c):
        session.set_col_bounds(c, pm.lower.at(d)[c], pm.upper.at(d)[c])
    r = pm.moved_rows
    if len(r):
        session.set_row_bounds(r, pm.row_lower.at(d)[r], pm.row_upper.at(d)[r])
    session.model = pm.matrix_at(p)
    engine.case = case
    engine._cost = pm.cost.at(d)
    if not engine.cvar:
        for name, row in (("risk", engine._cap_row), ("members", engine._floor_row)):
            vec, (c0, cs) = pm.quantities[name]
            now = vec.at(d)
            cols = np.flatnonzero(vec.slope)
            if len(cols):
                session.set_coefficients(np.full(len(cols), row, np.int32),
                                         cols.astype(np.int32), now[cols])
            setattr(engine, f"_{name}", now)
            setattr(engine, f"_{name}0", c0 + d * cs)
        vec, _ = pm.quantities["change"]
        engine._change = vec.at(d)
    # the objective and the choice's rows as at a fresh target (`_set_target`)
    engine._dirty = True
    engine._set_target(engine.target_model.t0)
    # nothing of the last value's choice carries over
    engine.least = None
    engine._least_values = None
    engine._most = None
    engine._last = None


def _rebuilt(engine: Engine, case: Case) -> Point:
    """The point of a changed case on a model of its own (the path before)."""
    STATS["rebuilt"] += 1
    other = type(engine)(case, engine.solver, engine.time_limit)
    return other.solve_targets((case.target.private_share,))[0]


def _learnt(engine: Engine, path: str, p0: float, moved: list[tuple[float, Case]]
            ) -> ParamModel | None:
    """The engine's model affine in path (learnt once per engine and path; None when the
    builds say it is not)."""
    cache: dict[str, ParamModel | None] = engine.__dict__.setdefault("_param_models", {})
    if path not in cache:
        check = moved[-1] if len({v for v, _ in moved}) >= 3 else None
        try:
            cache[path] = ParamModel(engine, path, p0, moved[0], check)
        except NotAffine:
            cache[path] = None
    return cache[path]


def solve_values(engine: Engine, path: str, values: Sequence[Any]) -> list[Point]:
    """The point of each value of one path on the engine's case: re-solved in place when
    the path only moves coefficients and bounds (`in_place`), else a new model per value.
    A value that makes the case invalid is a point with status "invalid"."""
    if engine.cvar and not engine.general and not force_rebuild():
        from .cvar_moves import solve_cvar_values  # shortcuts and bounds of a CVaR case

        return solve_cvar_values(engine, path, values)
    base = engine.case
    cases: list[Case | CaseError] = []
    for v in values:
        try:
            cases.append(base.with_values({path: v}))
        except CaseError as exc:
            cases.append(exc)
    good = [(v, c) for v, c in zip(values, cases) if isinstance(c, Case)]
    p0 = base_value(base, path)
    fast = (p0 is not None and not force_rebuild() and not engine.general and not engine.cvar
            and in_place(base, path, [v for v, _ in good]))
    pm: ParamModel | None = None
    saved = _Saved(engine)
    out: list[Point] = []
    try:
        if fast:
            moved = [(float(v), c) for v, c in good if float(v) != p0]
            if moved and p0 is not None:
                pm = _learnt(engine, path, p0, moved)
            fast = pm is not None or not moved
        start: np.ndarray | None = None
        t0 = base.target.private_share
        for v, c in zip(values, cases):
            if isinstance(c, CaseError):
                out.append(Point("invalid", detail="; ".join(c.problems), solved=False))
                continue
            if not fast:
                out.append(_rebuilt(engine, c))
                continue
            p = float(v)
            if pm is not None:
                _apply(engine, pm, p, c)
            else:  # every value is the case's own: the engine's model as built
                engine.case = c
            bound = start if (start is not None and pm is not None
                              and pm.feasible(start, p)) else None
            STATS["in_place"] += 1
            point, x = engine.solve(t0, bound)
            out.append(point)
            if point.ok and x is not None:
                start = x
    finally:
        saved.restore(engine)
    return out


__all__ = ["BOUND", "IN_PLACE", "OPEN_FRACTION", "REBUILD_ENV", "SAME_SIGN", "STATS",
           "VALUE_CHUNK", "ParamModel", "base_value", "force_rebuild", "in_place",
           "solve_values"]

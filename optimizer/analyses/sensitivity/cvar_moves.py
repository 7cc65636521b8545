"""Tornado moves of a CVaR case (issue 13): exact shortcuts and bounded solves.

A CVaR case's moves are rebuilt (a new model per value: the scenarios are drawn from the
case, `params.in_place` keeps them off the in-place path). What makes them cheaper, all
exact (each point equals a single `optimize --set` on that input):

1. The base plan. Each worker solves the case's own point once (`base_point`, cached on
   the engine of the case; the same fresh HiGHS solve as the tornado's first row).

2. Shortcut W ("weakly worse"): no solve. Let X be a lever the base plan x0 does not use
   (its value 0) and the move change one of X's parameters in a direction listed in
   `WORSE`. Write P for the base problem, P' for the moved one, obj = CVaR of the loss +
   1e-6 x EUR at risk (docs/MODEL.md, CVaR objective and tie-break).
   - The plans that do not use X have the same effects, constraints, scenario losses and
     objective in P and P' (a parameter of X enters only X's terms, each a multiple of
     X's units, launch indicator or proposals, all 0 when X is off; X's draws only
     multiply X's terms; and X off counts nothing against max_levers). So x0, optimal in
     P, is feasible in P' with the same objective: OPT(P') <= obj(x0).
   - Every plan y that is feasible in P' is feasible in P, with obj_P(y) <= obj_P'(y):
     then OPT(P') >= OPT(P) = obj(x0), and x0 is optimal in P'. Per kind of move:
     * a higher `unit_cost`, `setup_cost` (service), `cost_per_member` (new_members) or
       `proposal_cost` (eu_projects): X's spending is higher by a non-negative amount, the
       same in every scenario (costs are committed, never scaled by a factor: `split`).
       Every scenario's result falls, its share is unchanged, so every loss
       max(0, min_result - result_s, t x revenues_s - private_s) is weakly higher and so
       is its CVaR (monotone in each loss); the nominal result falls, so min_result only
       binds more; these costs are never eligible costs (docs/MODEL.md) and enter no other
       row; EUR at risk does not depend on them.
     * a higher `launch_risk` (service): only EUR at risk rises (the tie-break), on plans
       that launch X.
     * a higher `fte_per_unit`, `fte_per_member`, `fte_per_proposal`, `fte_per_project`:
       only the capacity row `FTE used <= spare FTE` binds more.
     * a higher `downside` (any lever type): EUR at risk (risk_share x gain) rises; X's
       realisation factor is checked scenario by scenario to be no higher than before
       (`_factors_fall`: a lower `1 - downside` lowers each quantile of the default
       triangular), so every scenario's gain of X is weakly lower and its loss weakly
       higher. A robust target also reads the downside: not taken (below).
   - Not taken: a case with rules (a rule may bound spending or EUR at risk from below),
     a robust target, a base point that is not optimal, a used lever, prices and
     revenues (a lower price lowers EUR at risk too: the tie-break may then prefer X),
     bounds and grids (they change the options). Those moves are solved.

3. Every move solved is bounded by the base plan when it stays feasible on the moved
   case (checked by arithmetic: `violations`): its objective there (the CVaR of its
   losses over the moved case's scenarios + 1e-6 x its EUR at risk) bounds the optimum,
   so HiGHS prunes everything worse from the start. A search bounded that way that finds
   nothing is solved again unbounded (`TargetEngine._solve`): the bound never decides an
   answer.

4. Every solve (the base point's too) is restricted to the scenarios that matter, and
   the rest added back only where needed (`solve_restricted`). Dropping a scenario's two
   rows `u_s + eta >= t x revenues_s - private_s`, `u_s + eta >= min_result - result_s`
   (u_s then 0) gives a relaxation: every plan's objective can only fall, so the
   restricted optimum is at most the whole model's. If the restricted optimum (y, eta)
   meets every dropped row with u_s = 0 (checked on the whole model's coefficients),
   (y, eta, u) is feasible in the whole model with the same objective, so it is optimal
   there (within the same gap as a single solve: HiGHS's dual bound of the relaxation
   is a dual bound of the whole model). Else the scenarios whose rows it breaks are
   added back and the restricted model solved again. It starts with the worst
   SEED_TAILS x (1 - alpha) x N scenarios of the base plan on the moved case (of the plan
   doing nothing for the base point). Two ways: the base point's model is built whole
   and its dropped rows are freed (bounds -inf, +inf; HiGHS's presolve removes them),
   checked on the whole model's coefficients (`solve_restricted`); a move's model is
   built with the kept scenarios' rows only (`model.cvar.add_scenarios(only=...)`, each
   u_s keeping its weight 1 / ((1 - alpha) N)), a dropped scenario is broken when its
   loss by arithmetic (`plan.scenarios.loss`, the simulation's code) exceeds the
   solution's eta, and the model is built again with it (`solve_moved`). A relaxation
   that has no proven optimum falls back to the whole model.

5. A move that rounds back to the case's own value (a whole number moved by 20 %) is the
   base point.

`OPTIMIZER_PARAMS_REBUILD=1` (`params.force_rebuild`) turns all this off: every move a
plain rebuilt solve (the path before; `bench/bench_tornado.py` compares).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...case.schema import Case
from ...errors import CaseError
from ...levers.base import EPS
from ...model.cvar import RISK_TIE_BREAK
from ...plan.evaluate import evaluate, violations
from ...plan.scenarios import OPTIMISE, Scenarios, loss, outcomes
from ...results.point import Point
from ...status import Status
from ..cvar import in_sample_cvar, settings

# The engine of a case (`engine.TargetEngine`; not imported: `params`, which the engine
# imports, dispatches here).
Engine = Any


def _lever(case: Case, key: str) -> Any:
    return next((lever for lever in case.levers if lever.id == key), None)


def _number(case: Case, path: str) -> float | None:
    """The case's own number at a lever field `levers.ID.FIELD` (a default downside too)."""
    parts = path.split(".")
    lever = _lever(case, parts[1]) if len(parts) == 3 else None
    if lever is None:
        return None
    value = lever.risk_share if parts[2] == "downside" else getattr(lever, parts[2], None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _point_of(case: Case, plan: dict[str, float], detail: str) -> Point:
    """The optimal point of a plan, its figures by arithmetic, rechecked against every
    constraint (as `engine.point_from_plan`)."""
    ev = evaluate(case, plan)
    broken = violations(case, ev, plan)
    if broken:
        return Point(Status.ERROR.value, dict(plan), detail="the plan fails our own recheck: "
                     + "; ".join(broken), solved=False)
    return Point(Status.OPTIMAL.value, dict(plan), ev.risk, ev.private_share, ev.result,
                 ev.members, {k: e.risk for k, e in ev.effects.items()}, detail, False)

# Lever type -> fields whose RISE makes every plan that uses the lever weakly worse
# (see the module doc, 2.); "downside" holds for every type.
WORSE: dict[str, frozenset[str]] = {
    "service": frozenset({"unit_cost", "setup_cost", "launch_risk", "fte_per_unit"}),
    "new_members": frozenset({"cost_per_member", "fte_per_member"}),
    "eu_projects": frozenset({"proposal_cost", "fte_per_proposal", "fte_per_project"}),
}

# Points answered by shortcut W, solved with the base plan's bound, and solved without
# one, in this process (tests and benches read it).
STATS = {"worse": 0, "bounded": 0, "unbounded": 0, "base": 0, "same": 0,
         "restricted_solves": 0, "whole": 0}

# Scenario rows a restricted solve starts with: the worst SEED_TAILS x (1 - alpha) x N
# scenarios of the hint plan (module doc, 4.).
SEED_TAILS = 2.0


def base_point(engine: Engine) -> Point:
    """The point of the engine's own case at its own target (solved once per engine)."""
    cached = engine.__dict__.get("_cvar_base")
    if cached is None:
        engine.reset()
        STATS["base"] += 1
        cached = solve_restricted(engine, None)
        engine.reset()
        engine.__dict__["_cvar_base"] = cached
    return cached


def _factors_fall(base: Case, moved: Case, lever_id: str) -> bool:
    """Whether every draw of the lever's realisation factor (and elasticity) of the moved
    case is at most the base case's, scenario by scenario."""
    _, n, seed = settings(base)
    a = Scenarios(base, n, seed, OPTIMISE)
    b = Scenarios(moved, n, seed, OPTIMISE)
    fa = np.broadcast_to(np.asarray(a.factor[lever_id], float), (n,))
    fb = np.broadcast_to(np.asarray(b.factor[lever_id], float), (n,))
    if not bool(np.all(fb <= fa)):
        return False
    ea, eb = a.elasticity.get(lever_id), b.elasticity.get(lever_id)
    if ea is None and eb is None:
        return True
    return ea is not None and eb is not None and bool(np.array_equal(
        np.broadcast_to(np.asarray(ea, float), (n,)), np.broadcast_to(np.asarray(eb, float),
                                                                       (n,))))


def worse_move(base: Case, plan: dict[str, float], path: str, value: Any, moved: Case) -> bool:
    """Shortcut W (module doc, 2.): the base plan stays optimal after this move."""
    if base.rules or base.target.robust:
        return False
    parts = path.split(".")
    if len(parts) != 3 or parts[0] != "levers":
        return False
    lever = _lever(base, parts[1])
    if lever is None or not lever.enabled or abs(plan.get(lever.id, 0.0)) > EPS:
        return False
    field = parts[2]
    if field != "downside" and field not in WORSE.get(lever.type, ()):
        return False
    p0 = _number(base, path)
    if (p0 is None or isinstance(value, bool) or not isinstance(value, int | float)
            or not value >= p0):
        return False
    if field == "downside":
        return _factors_fall(base, moved, lever.id)
    return True


def _bound(moved: Case, plan: dict[str, float]) -> float | None:
    """The objective of the plan on the moved case, when it meets every constraint there."""
    ev = evaluate(moved, plan)
    if violations(moved, ev, plan):
        return None
    return in_sample_cvar(moved, plan) + RISK_TIE_BREAK * ev.risk


def _scenario_rows(engine: Engine, n: int) -> np.ndarray | None:
    """The two rows of each scenario (share, result) in the engine's model, (n, 2)."""
    where = {name: i for i, name in enumerate(engine.matrix.row_names)}
    try:
        return np.array([[where[f"cvar_s{s}"], where[f"cvar_r{s}"]] for s in range(n)],
                        np.int64)
    except KeyError:
        return None


def solve_restricted(engine: Engine, hint: dict[str, float] | None,
                     cutoff: float | None = None) -> Point:
    """The point of a CVaR engine's case at its own target, solved on a few scenarios'
    rows at a time (module doc, 4.); exact: the same optimum as the whole model."""
    case = engine.case
    t0 = case.target.private_share
    alpha, n, seed = settings(case)
    rows = _scenario_rows(engine, n)
    if engine.general or rows is None:
        return engine.solve(t0, cutoff=cutoff)[0]
    sc = Scenarios(case, n, seed, OPTIMISE)
    plan = hint if hint is not None else {lever.id: 0.0 for lever in case.levers}
    losses = loss(case, outcomes(case, plan, sc))
    keep = min(n, math.ceil(SEED_TAILS * (1 - alpha) * n) + 1)
    active = np.zeros(n, bool)
    active[np.argsort(-losses, kind="stable")[:keep]] = True
    m = engine.matrix
    engine._set_target(t0)
    session = engine._highs()
    free = rows[~active].ravel()
    session.set_row_bounds(free, np.full(len(free), -math.inf), np.full(len(free), math.inf))
    entry_rows = np.repeat(np.arange(len(m.row_names)), np.diff(m.starts))
    lower = m.row_lower[rows]
    tol = 1e-7 * np.maximum(1.0, np.abs(lower))
    while True:
        point, x = engine.solve(t0, cutoff=cutoff)
        STATS["restricted_solves"] += 1
        if x is None or not point.ok:
            break  # not a proven optimum of the relaxation: the whole model decides
        act = np.bincount(entry_rows, weights=m.value * x[m.index], minlength=len(m.row_names))
        broken = ~active & np.any(act[rows] < lower - tol, axis=1)
        if not broken.any():
            return point
        active |= broken
        back = rows[broken].ravel()
        session.set_row_bounds(back, m.row_lower[back], m.row_upper[back])
    STATS["whole"] += 1
    every = rows.ravel()
    session.set_row_bounds(every, m.row_lower[every], m.row_upper[every])
    return engine.solve(t0, cutoff=cutoff)[0]


def _restricted_engine(engine_type: type, case: Case, only: np.ndarray, solver: str,
                       time_limit: float | None) -> Engine:
    """The engine of a CVaR case whose model holds the rows of the scenarios `only`."""
    from ...model.cvar import add_scenarios
    from ...model.milp import build_model

    class Restricted(engine_type):
        def _builder(self) -> Any:
            alpha, n, seed = settings(case)
            scenarios = Scenarios(case, n, seed, OPTIMISE)

            def build(t: float) -> Any:
                at = case if t == case.target.private_share else case.model_copy(update={
                    "target": case.target.model_copy(update={"private_share": t})})
                model = build_model(at, tight=True)
                add_scenarios(model, scenarios, alpha, np.flatnonzero(only))
                return model
            return build

    return Restricted(case, solver, time_limit)


def solve_moved(engine: Engine, moved: Case, hint: dict[str, float] | None,
                cutoff: float | None) -> Point:
    """The point of a moved CVaR case, on a model built with the rows of the scenarios that
    matter only (module doc, 4.): those of the worst scenarios of the hint plan first; a
    dropped scenario is broken when its loss, by arithmetic (`plan.scenarios.loss`, the
    simulation's code), exceeds the solution's eta; then the model is built again with it."""
    t0 = moved.target.private_share
    alpha, n, seed = settings(moved)
    sc = Scenarios(moved, n, seed, OPTIMISE)
    plan = hint if hint is not None else {lever.id: 0.0 for lever in moved.levers}
    losses = loss(moved, outcomes(moved, plan, sc))
    active = np.zeros(n, bool)
    active[np.argsort(-losses, kind="stable")[:min(n, math.ceil(SEED_TAILS * (1 - alpha) * n)
                                                       + 1)]] = True
    while not active.all():
        other = _restricted_engine(type(engine), moved, active, engine.solver,
                                   engine.time_limit)
        if other.general or "cvar_eta" not in other.matrix.names:
            break
        point, x = other.solve(t0, cutoff=cutoff)
        STATS["restricted_solves"] += 1
        if x is None or not point.ok or point.plan is None:
            break  # not a proven optimum of the relaxation: the whole model decides
        eta = float(x[other.matrix.names.index("cvar_eta")])
        now = loss(moved, outcomes(moved, point.plan, sc))
        broken = ~active & (now > eta + 1e-6 * max(1.0, abs(eta)))
        if not broken.any():
            return point
        active |= broken
    STATS["whole"] += 1
    return type(engine)(moved, engine.solver, engine.time_limit).solve(t0, cutoff=cutoff)[0]


def solve_cvar_values(engine: Engine, path: str, values: Sequence[Any]) -> list[Point]:
    """The point of each value of one path on a CVaR engine's case (module doc): a value
    equal to the case's own is the base point, shortcut W needs no solve, the rest are
    solved on a model of their own, bounded by the base plan and restricted to the
    scenarios that matter."""
    base = engine.case
    out: list[Point] = []
    start: Point | None = None
    for v in values:
        try:
            moved = base.with_values({path: v})
        except CaseError as exc:
            out.append(Point("invalid", detail="; ".join(exc.problems), solved=False))
            continue
        if start is None:
            start = base_point(engine)
        if moved.model_dump() == base.model_dump():  # the move rounds back to the own value
            STATS["same"] += 1
            out.append(dataclasses.replace(start, solved=False))
            continue
        plan = start.plan if start.ok and start.plan is not None else None
        if plan is not None and worse_move(base, plan, path, v, moved):
            STATS["worse"] += 1
            out.append(_point_of(moved, plan, "a move that makes only plans using an "
                                 "unused lever worse: the base plan stays optimal"))
            continue
        cutoff = _bound(moved, plan) if plan is not None else None
        STATS["bounded" if cutoff is not None else "unbounded"] += 1
        out.append(solve_moved(engine, moved, plan, cutoff))
    return out


__all__ = ["STATS", "WORSE", "base_point", "solve_cvar_values", "worse_move"]

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

`OPTIMIZER_PARAMS_REBUILD=1` (`params.force_rebuild`) turns all this off: every move a
plain rebuilt solve (the path before; `bench/bench_tornado.py` compares).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...case.schema import Case
from ...errors import CaseError
from ...levers.base import EPS
from ...model.cvar import RISK_TIE_BREAK
from ...plan.evaluate import evaluate, violations
from ...plan.scenarios import OPTIMISE, Scenarios
from ...results.point import Point
from ...status import Status
from ..cvar import in_sample_cvar, settings
from .params import _lever_of, base_value

Engine = Any

# Lever type -> fields whose RISE makes every plan that uses the lever weakly worse
# (see the module doc, 2.); "downside" holds for every type.
WORSE: dict[str, frozenset[str]] = {
    "service": frozenset({"unit_cost", "setup_cost", "launch_risk", "fte_per_unit"}),
    "new_members": frozenset({"cost_per_member", "fte_per_member"}),
    "eu_projects": frozenset({"proposal_cost", "fte_per_proposal", "fte_per_project"}),
}

# Points answered by shortcut W, solved with the base plan's bound, and solved without
# one, in this process (tests and benches read it).
STATS = {"worse": 0, "bounded": 0, "unbounded": 0, "base": 0}


def base_point(engine: Engine) -> Point:
    """The point of the engine's own case at its own target (solved once per engine)."""
    cached = engine.__dict__.get("_cvar_base")
    if cached is None:
        engine.reset()
        STATS["base"] += 1
        cached, _ = engine.solve(engine.case.target.private_share)
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
    lever = _lever_of(base, parts[1])
    if lever is None or not lever.enabled or abs(plan.get(lever.id, 0.0)) > EPS:
        return False
    field = parts[2]
    if field != "downside" and field not in WORSE.get(lever.type, ()):
        return False
    p0 = base_value(base, path)
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


def solve_cvar_values(engine: Engine, path: str, values: Sequence[Any],
                      rebuilt: Any) -> list[Point]:
    """The point of each value of one path on a CVaR engine's case (module doc).

    rebuilt(engine, case, cutoff): the point of a changed case on a model of its own."""
    base = engine.case
    t0 = base.target.private_share
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
        plan = start.plan if start.ok and start.plan is not None else None
        if plan is not None and worse_move(base, plan, path, v, moved):
            STATS["worse"] += 1
            from .engine import point_from_plan

            out.append(point_from_plan(moved, plan, Status.OPTIMAL.value, t0,
                                       "a move that makes only plans using an unused lever "
                                       "worse: the base plan stays optimal", solved=False))
            continue
        cutoff = _bound(moved, plan) if plan is not None else None
        STATS["bounded" if cutoff is not None else "unbounded"] += 1
        out.append(rebuilt(engine, moved, cutoff))
    return out


__all__ = ["STATS", "WORSE", "base_point", "solve_cvar_values", "worse_move"]

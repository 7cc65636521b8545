"""Issue 13: every kind of point goes through the in-process engine (the model built once,
re-solved at each target) and must equal an independent single `optimize` of that point:
a risk tolerance (the members step and the least-change step as re-solves), a robust
target (its protection rows rewritten with t), the CVaR (its scenario rows rewritten).

The reference is `optimizer.solve` of the case with the target set, one point at a time
(a new PuLP model, HiGHS through PuLP): nothing of the engine is shared but the model
builder, which the contract tests check on their own.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import optimizer
from optimizer.analyses.sensitivity.affine import TargetModel
from optimizer.analyses.sensitivity.common import TARGET
from optimizer.analyses.sensitivity.engine import TargetEngine
from optimizer.analyses.sensitivity.sweep import sweep
from optimizer.model.milp import build_model
from optimizer.plan.evaluate import evaluate
from optimizer.solvers.highs import to_matrix

from .conftest import CASES
from .random_cases import random_case

AURA = str(CASES / "aura-average-2020.json")


def _v2(raw: dict, rng: random.Random) -> dict:
    """The same case with version-2 choices: a risk tolerance, sometimes a robust target."""
    target = raw["target"]
    target["risk_tolerance"] = rng.choice([0.0, 0.01, 0.05, 0.2])
    if rng.random() < 0.5:
        target["robust"] = rng.choice([1, 2])
    return raw


def _same(point, single) -> str:
    """'' when the engine's point is the single solve's answer, else what differs."""
    if point.status != single.status.value:
        return f"status {point.status} != {single.status.value}"
    if single.plan is None:
        return ""
    if abs(point.risk - single.risk) > 0.01 + 1e-6 * abs(single.risk):
        return f"risk {point.risk} != {single.risk}"
    ev = evaluate(single.case, dict(point.plan))
    if abs(ev.members - single.evaluation.members) > 1e-6:
        return f"members {ev.members} != {single.evaluation.members}"
    return ""


def test_engine_points_equal_single_solves_with_tolerance_and_robust_targets():
    """Random cases with a risk tolerance and robust targets, several targets each, from
    today's share to beyond the highest reachable one: status, EUR at risk and members of
    each point are those of a single solve."""
    rng = random.Random(13)
    compared = optimal = 0
    for _ in range(14):
        case = optimizer.load_case(_v2(random_case(rng), rng))
        today = evaluate(case, {}).private_share
        targets = sorted({round(min(0.95, today + rng.uniform(0.0, 0.25)), 4)
                          for _ in range(6)})
        points = TargetEngine(case).solve_targets(targets)
        for t, point in zip(targets, points):
            single = optimizer.solve(case.with_values({TARGET: t}), solver="highs",
                                     explain=False)
            assert _same(point, single) == "", (case.name, t, _same(point, single))
            compared += 1
            optimal += single.plan is not None
    assert compared >= 60 and optimal >= 25


@pytest.mark.parametrize("extra", [{}, {"target.robust": 1}, {"target.risk_tolerance": 0.05},
                                   {"target.risk_measure": "cvar", "target.scenarios": 200}],
                         ids=["bundled", "robust", "tolerance", "cvar"])
def test_bundled_case_sweep_equals_single_solves_plan_by_plan(extra):
    """The bundled case (tolerance 0.01) and variants: each point's plan, lever by lever."""
    case = optimizer.load_case(AURA).with_values(extra)
    targets = [0.53, 0.56, 0.58, 0.6, 0.61, 0.63]
    frame = sweep(case, {TARGET: targets}, workers=1)
    for _, row in frame.iterrows():
        single = optimizer.solve(case.with_values({TARGET: row[TARGET]}), solver="highs",
                                 explain=False)
        assert row["status"] == single.status.value, row[TARGET]
        if single.plan is None:
            continue
        assert row["risk"] == pytest.approx(single.risk, rel=1e-6, abs=0.01), row[TARGET]
        for lever, value in single.plan.items():
            assert row[f"lever:{lever}"] == pytest.approx(value, rel=1e-6, abs=1e-6), (
                row[TARGET], lever)


@pytest.mark.parametrize("extra", [{"target.robust": 2},
                                   {"target.risk_measure": "cvar", "target.scenarios": 50}],
                         ids=["robust", "cvar"])
def test_the_rows_that_move_with_the_target_are_those_of_a_build_at_that_target(extra):
    """The affine model rewritten to a target has the matrix of a model built there."""
    case = optimizer.load_case(AURA).with_values(extra)
    engine = TargetEngine(case)
    tm = engine.target_model
    for t in (0.41, 0.57, 0.66):
        direct = to_matrix(engine._builder()(t).prob)
        values, lower, upper = tm.at(t)
        m = tm.matrix
        dense = np.zeros((len(m.row_names), len(m.names)))
        for r in range(len(m.row_names)):
            dense[r, m.index[m.starts[r]:m.starts[r + 1]]] = m.value[m.starts[r]:m.starts[r + 1]]
        dense[tm.rows, tm.cols] = values
        want = np.zeros_like(dense)
        for r in range(len(direct.row_names)):
            want[r, direct.index[direct.starts[r]:direct.starts[r + 1]]] = direct.value[
                direct.starts[r]:direct.starts[r + 1]]
        assert np.allclose(dense, want, rtol=1e-12, atol=1e-9)
        row_lower = m.row_lower.copy()
        row_lower[tm.bound_rows] = lower
        assert np.allclose(row_lower, direct.row_lower, rtol=1e-12, atol=1e-6)
        assert len(tm.rows) > 0


def test_frontier_reports_every_change_of_a_walk_at_each_step():
    """Issue 13, goal 2: every change of a lever's state between two adjacent 1e-4 steps of
    target (toggles included) is an event of the frontier, and nothing else is. The walk
    solves each step on its own (a fresh engine per target: no chunk, no shortcut); the
    notes say which levers enter for good and which come and go."""
    from optimizer.analyses.sensitivity.engine import lever_state
    from optimizer.analyses.sensitivity.frontier import frontier

    from .test_sensitivity import _small_case

    case = optimizer.load_case(_small_case())
    fr = frontier(case, points=5, workers=1)
    low, top = min(fr.today_share, fr.max_share), fr.max_share
    steps = int((top - low) / 1e-4 + 1e-9)
    fine = sorted({round(low + k * 1e-4, 12) for k in range(steps + 1)} | {top})
    states = []
    for t in fine:
        point, _ = TargetEngine(case).solve(t)
        states.append({lv.id: lever_state(lv, case, point.plan[lv.id]) for lv in case.levers}
                      if point.ok else None)
    walk = set()
    for k in range(1, len(fine)):
        if states[k - 1] and states[k]:
            for lever in case.levers:
                if states[k - 1][lever.id] != states[k][lever.id]:
                    walk.add((lever.id, round(fine[k], 10)))
    events = fr.events[fr.events["lever"] != ""]
    got = {(e["lever"], round(e["target"], 10)) for _, e in events.iterrows()}
    assert got == walk
    assert len(walk) >= 3
    assert any("Enter for good" in note or "Come and go" in note for note in fr.notes)

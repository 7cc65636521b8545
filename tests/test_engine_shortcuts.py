"""Issue 13, second part: the exact shortcuts of `TargetEngine.solve_targets` (the least
risk holds when the least-risk plan of a lower target reaches the next one: only the choice
among plans is solved again; the most members hold when the most-members plan reaches it:
no members step). Every point of dense target walks, where the shortcuts fire, must equal
an independent single `optimize` of that point (status, EUR at risk, members), and the
walk without the shortcuts (the first engine's) must give the same answers.
"""

from __future__ import annotations

import random

import optimizer
from optimizer.analyses.sensitivity.common import TARGET
from optimizer.analyses.sensitivity.engine import TargetEngine
from optimizer.plan.evaluate import evaluate

from .random_cases import random_case
from .test_engine_v2 import AURA, _same, _v2

LEAST_HOLDS = "the least risk of a lower target holds here"


def _walk(case, targets, shortcuts=True):
    engine = TargetEngine(case)
    engine.shortcuts = shortcuts
    points = engine.solve_targets(targets)
    return points, engine.solves


def test_dense_walks_with_shortcuts_equal_single_solves():
    """Random cases with a risk tolerance (and sometimes a robust target), 12 close targets
    each: every point is the single solve's answer, with or without the shortcuts."""
    rng = random.Random(1302)
    compared = 0
    for _ in range(10):
        raw = _v2(random_case(rng), rng)
        raw["target"]["risk_tolerance"] = rng.choice([0.0, 0.01, 0.05])
        case = optimizer.load_case(raw)
        today = evaluate(case, {}).private_share
        start = today + rng.uniform(0.0, 0.1)
        step = rng.choice([2e-4, 5e-4, 1e-3])
        targets = [round(start + k * step, 6) for k in range(12)]  # increasing
        targets = [t for t in targets if t < 0.97]
        points, _ = _walk(case, targets)
        plain, _ = _walk(case, targets, shortcuts=False)
        for t, point, other in zip(targets, points, plain):
            single = optimizer.solve(case.with_values({TARGET: t}), solver="highs",
                                     explain=False)
            assert _same(point, single) == "", (case.name, t, _same(point, single))
            assert point.status == other.status, (case.name, t)
            compared += 1
    assert compared >= 100


def test_bundled_case_walk_at_every_1e4_step_equals_single_solves():
    """The bundled case (tolerance 0.01, members that vary), 24 steps of 1e-4 where its
    plans change often: the shortcuts save solves and change no answer, lever by lever
    against the walk without them, and EUR at risk against single solves."""
    # The window was chosen where shortcut A fires with training days sold from 1 a year
    # (the bundled case now starts them at 10: min_units; its plans there change at every
    # step, so nothing can be skipped).
    case = optimizer.load_case(AURA).with_values({"levers.training.min_units": 0})
    targets = [round(0.5125 + k * 1e-4, 6) for k in range(24)]  # one chunk of a sweep
    points, solves = _walk(case, targets)
    plain, plain_solves = _walk(case, targets, shortcuts=False)
    assert sum(solves.values()) < sum(plain_solves.values()), (solves, plain_solves)
    assert sum(p.detail == LEAST_HOLDS for p in points) >= 1  # shortcut A fired
    for t, point, other in zip(targets, points, plain):
        assert point.status == other.status == "optimal"
        assert abs(point.risk - other.risk) <= 0.01 + 1e-6 * abs(other.risk), t
        assert abs(point.members - other.members) <= 1e-6, t
    for t, point in list(zip(targets, points))[::3]:
        single = optimizer.solve(case.with_values({TARGET: t}), solver="highs", explain=False)
        assert _same(point, single) == "", (t, _same(point, single))


def test_a_kept_most_members_plan_is_never_used_below_its_target():
    """Shortcut C holds only for targets at or above the one where the most-members plan
    was found (the plans of a lower target are a larger set): a downward walk of single
    solves on one engine gives the answers of fresh engines."""
    case = optimizer.load_case(AURA)
    engine = TargetEngine(case)
    for t in (0.5605, 0.5603, 0.5601, 0.56):
        point, _ = engine.solve(t)
        fresh, _ = TargetEngine(case).solve(t)
        assert point.status == fresh.status
        assert abs(point.risk - fresh.risk) <= 0.01 + 1e-6 * abs(fresh.risk), t
        assert abs(point.members - fresh.members) <= 1e-6, t

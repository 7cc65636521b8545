"""Issue 13: the tornado of a CVaR case (`analyses/sensitivity/cvar_moves.py`).

Every point is compared with an independent single `optimize --set` of the moved case
(`optimizer.solve`: a new PuLP model of every scenario, HiGHS through PuLP), by the
objective of docs/MODEL.md computed by arithmetic from each plan (the CVaR of its losses
over the case's scenarios, `plan.scenarios`, + 1e-6 x its EUR at risk): equal to the
solver's gap, and the same status. The shortcut with no solve, the moves that round back to
the case's own value, the bound of the base plan and the restricted scenario rows are all
exercised, and the restricted solve is also compared with the whole model on random cases.
"""

from __future__ import annotations

import math
import random

import pytest

import optimizer
from optimizer.analyses.cvar import in_sample_cvar
from optimizer.analyses.sensitivity import cvar_moves, engine, params
from optimizer.analyses.sensitivity.engine import TargetEngine, Task
from optimizer.analyses.sensitivity.tornado import _moved, tornado, tornado_inputs
from optimizer.errors import CaseError
from optimizer.model.cvar import RISK_TIE_BREAK
from optimizer.plan.evaluate import evaluate
from optimizer.results.point import Point

from .conftest import CASES
from .random_cases import random_case

UNCERTAIN = str(CASES / "aura-average-2020-uncertain.json")


def _objective(case, plan) -> float:
    """docs/MODEL.md's CVaR objective of a plan, by arithmetic."""
    return in_sample_cvar(case, plan) + RISK_TIE_BREAK * evaluate(case, plan).risk


def _differs(case, point: Point, single) -> str:
    if point.status != single.status.value:
        return f"status {point.status} != {single.status.value}"
    if single.plan is None:
        return ""
    mine, theirs = _objective(case, dict(point.plan)), _objective(case, dict(single.plan))
    if abs(mine - theirs) > 0.01 + 2e-4 * abs(theirs):  # the solvers' relative gap 1e-4
        return f"objective {mine} != {theirs}"
    return ""


def _run_values(case, path, values):
    """The points of one values task, run in this process as a worker runs it."""
    engine._BASE = case
    engine._ENGINES.clear()
    task = Task(0, (), None, tuple(range(len(values))), values=(path, tuple(values)))
    return engine.run_task(task)


@pytest.fixture(scope="module")
def uncertain():
    case = optimizer.load_case(UNCERTAIN)
    return case.with_values({"target.scenarios": 300})


def test_cvar_tornado_points_equal_single_solves(uncertain):
    """Every move the shortcut answers, every move that rounds back, and a fixed random
    sample of the others, each against a single solve of the moved case."""
    base = optimizer.solve(uncertain, solver="highs", explain=False)
    plan = dict(base.plan)
    rng = random.Random(13)
    items = tornado_inputs(uncertain)
    shortcut = [i for i in items if any(
        cvar_moves.worse_move(uncertain, plan, i.path, v, uncertain.with_values({i.path: v}))
        for v in (_moved(i, 0.8), _moved(i, 1.2)))]
    same = [i for i in items if _moved(i, 0.8) == i.value or _moved(i, 1.2) == i.value]
    others = rng.sample([i for i in items if i not in shortcut and i not in same], 8)
    assert len(shortcut) >= 8 and same
    before = dict(cvar_moves.STATS)
    problems = []
    for item in shortcut + same + others:
        values = (_moved(item, 0.8), _moved(item, 1.2))
        points = _run_values(uncertain, item.path, values)
        for v, point in zip(values, points):
            try:
                moved = uncertain.with_values({item.path: v})
            except CaseError:
                assert point.status == "invalid"
                continue
            single = optimizer.solve(moved, solver="highs", explain=False)
            why = _differs(moved, point, single)
            if why:
                problems.append(f"{item.path}={v}: {why}")
    assert not problems, problems
    used = {k: cvar_moves.STATS[k] - before[k] for k in before}
    assert used["worse"] >= len(shortcut) and used["same"] >= 1 and used["bounded"] >= 1


def test_the_shortcut_takes_only_moves_that_make_plans_worse(uncertain):
    base = optimizer.solve(uncertain, solver="highs", explain=False)
    plan = dict(base.plan)
    unused = next(lever for lever in uncertain.levers if lever.type == "service"
                  and plan.get(lever.id, 0.0) == 0)
    used = next(lever for lever in uncertain.levers if lever.type == "service"
                and plan.get(lever.id, 0.0) > 0)

    def takes(lever, field, factor):
        path = f"levers.{lever.id}.{field}"
        value = params.base_value(uncertain, path) * factor
        return cvar_moves.worse_move(uncertain, plan, path, value,
                                     uncertain.with_values({path: value}))

    assert takes(unused, "unit_cost", 1.2) and takes(unused, "downside", 1.2)
    assert not takes(unused, "unit_cost", 0.8)  # cheaper: the lever may now pay
    assert not takes(unused, "price", 0.8)  # a lower price also lowers EUR at risk
    assert not takes(used, "unit_cost", 1.2)  # the base plan's own objective moves


@pytest.mark.parametrize("seed", range(10))
def test_restricted_scenarios_give_the_whole_models_optimum(seed, monkeypatch):
    """On random CVaR cases, from a poor start (the plan doing nothing, few rows), the
    restricted solve reaches the optimum of the whole model (objective by arithmetic)."""
    raw = random_case(random.Random(1000 + seed))
    try:
        case = optimizer.load_case(raw).with_values({"target.risk_measure": "cvar",
                                                     "target.scenarios": 200})
    except CaseError:
        pytest.skip("the random case takes no CVaR")
    monkeypatch.setattr(cvar_moves, "SEED_TAILS", 0.3)
    whole, _ = TargetEngine(case).solve(case.target.private_share)
    before = cvar_moves.STATS["restricted_solves"]
    eng = TargetEngine(case)
    for restricted in (cvar_moves.solve_restricted(eng, None),  # rows freed in place
                       cvar_moves.solve_moved(eng, case, None, None)):  # rows never built
        assert restricted.status == whole.status
        if whole.ok:
            a, b = _objective(case, restricted.plan), _objective(case, whole.plan)
            assert abs(a - b) <= 0.01 + 2e-4 * abs(b), (a, b)
    if whole.ok:
        assert cvar_moves.STATS["restricted_solves"] >= before + 2


def test_tornado_order_ignores_float_noise_in_swings(monkeypatch):
    """Two inputs whose swings differ by 1e-9 EUR rank by their path, not by the noise."""
    raw = {
        "name": "noise", "revenues": [
            {"id": "region", "amount": 500000, "public": True},
            {"id": "fees", "amount": 200000, "public": False},
            {"id": "services", "amount": 100000, "public": False}],
        "expenditures": [{"id": "external", "amount": 800000}],
        "members": 100, "target": {"private_share": 0.3},
        "levers": [{"id": "cut", "type": "cut", "expenditure": "external",
                    "max_fraction": 0.1}]}
    case = optimizer.load_case(raw)
    count = 1 + 2 * len(tornado_inputs(case))

    def fake(_case, _tasks, total, **_kw):
        assert total == count
        out = [Point("optimal", {}, 1000.0)]
        for k in range(1, total, 2):
            noise = 1e-9 * (count - k)  # later inputs a hair larger: noise says reverse
            out += [Point("optimal", {}, 1000.0), Point("optimal", {}, 1100.0 + noise)]
        return out

    monkeypatch.setattr("optimizer.analyses.sensitivity.tornado.run_tasks", fake)
    frame = tornado(case, 0.2, workers=1)
    assert list(frame["input"]) == sorted(frame["input"])
    assert math.isclose(frame["swing"].iloc[0], 100.0)


def test_cvar_lever_parameter_sweep_equals_single_solves(uncertain):
    """A grid sweep of a lever parameter on a CVaR case goes the same way (values tasks)."""
    from optimizer.analyses.sensitivity.sweep import sweep

    path = "levers.fund.price"
    values = [4000.0, 6000.0, 9000.0]
    frame = sweep(uncertain, {path: values}, workers=1)
    for _, row in frame.iterrows():
        moved = uncertain.with_values({path: row[path]})
        single = optimizer.solve(moved, solver="highs", explain=False)
        assert row["status"] == single.status.value
        plan = {lever.id: row[f"lever:{lever.id}"] for lever in uncertain.levers}
        mine, theirs = _objective(moved, plan), _objective(moved, dict(single.plan))
        assert abs(mine - theirs) <= 0.01 + 2e-4 * abs(theirs), (row[path], mine, theirs)

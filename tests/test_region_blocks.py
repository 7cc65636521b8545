"""The region's joint program solved block by block (solvers/blocks.py: Lagrangian bound,
starting plan, binaries fixed by Lagrangian probing) against the same program solved
plainly by HiGHS (solvers/bounded.run_bounded), on random regions: the same optimum (both
proven, to the region's gap), and the plan found meets every row of the unfixed program.

The regions: tests/test_region_check.py's tiny clusters and tests/region_gen.py's realistic
ones (with twins: a generated region draws several clusters from the same template, some
with the same noise-free figures), 2 to 6 clusters, with and without a pool and a region
share. And the bundled region: proven optimal, with binaries actually fixed.
"""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import numpy as np
import pytest

import optimizer
from optimizer.model.region import block_of, build_region_model
from optimizer.solvers import blocks
from optimizer.solvers.blocks import _incumbent, _probe, lagrange, run_blocks_bounded
from optimizer.solvers.bounded import REGION_GAP_ABS, REGION_GAP_REL, run_bounded
from optimizer.solvers.highs import to_matrix
from optimizer.status import Status
from tests.region_gen import generate_region
from tests.test_region_check import random_region, tiny_cluster

REGIONS = 30
SEED = 20_260


def region_of(index: int) -> dict[str, Any]:
    rng = random.Random(SEED + index)
    if index % 3 == 0:
        return random_region(rng)
    return generate_region(rng.randint(2, 6), SEED + index, pool=rng.random() < 0.6,
                           share=rng.random() < 0.7, cut=(0.05, rng.choice([0.15, 0.3])))


def _rows_hold(prob: Any) -> list[str]:
    bad = []
    for row in prob.constraints():
        name = row.name
        slack = row.value()
        tol = 1e-6 * max(1.0, abs(row.constant)) + 1e-5
        if (row.sense <= 0 and slack > tol) or (row.sense >= 0 and slack < -tol):
            bad.append(name)
    for var in prob.variables():
        v = var.varValue
        if var.lowBound is not None and v < var.lowBound - 1e-6 \
                or var.upBound is not None and v > var.upBound + 1e-6:
            bad.append(var.name)
    return bad


def _assert_same_optimum(ref: Any, fast_model: Any) -> None:
    """The block method on fast_model gives ref's status and optimum (to the region's gap),
    and its plan meets every row of the unfixed program."""
    got, _stats = run_blocks_bounded(fast_model.prob, block_of, 120)
    assert got.outcome.status is ref.outcome.status
    if ref.outcome.status is not Status.OPTIMAL:
        return
    a, b = ref.outcome.objective, got.outcome.objective
    assert a is not None and b is not None
    tol = 2 * REGION_GAP_REL * max(1.0, abs(a)) + 2 * REGION_GAP_ABS
    assert abs(a - b) <= tol, (a, b)
    assert _rows_hold(fast_model.prob) == []


@pytest.mark.parametrize("index", range(REGIONS))
def test_blocks_give_the_plain_optimum(index):
    region = optimizer.load_region(region_of(index))
    plain = build_region_model(region)
    ref = run_bounded(plain.prob, 120)
    fast_model = build_region_model(region)
    _assert_same_optimum(ref, fast_model)


def test_the_bundled_region_is_proven_optimal_with_binaries_fixed():
    region = optimizer.load_region(
        "cases/aura-region/region.json",
        {"envelopes.region.amount": 8848833, "envelopes.state.amount": 2607925})
    rm = build_region_model(region)
    got, stats = run_blocks_bounded(rm.prob, block_of, 120)
    assert got.outcome.status is Status.OPTIMAL
    assert got.gap is not None and got.gap <= REGION_GAP_REL * 1.0001
    assert stats is not None and stats.fixed > 0
    assert stats.lagrange_bound <= got.outcome.objective + REGION_GAP_ABS
    assert stats.lp_bound <= stats.lagrange_bound + REGION_GAP_ABS


def twin_region(index: int) -> dict[str, Any]:
    """Two to four distinct tiny clusters, each repeated one to three times under other ids
    (identical clusters: the twins whose symmetry solvers/blocks.py breaks), one envelope
    over every cluster's grant, sometimes a pool and a region share."""
    rng = random.Random(SEED + 1000 + index)
    clusters, lines, today = [], {}, 0.0
    for k in range(rng.randint(2, 3)):
        case = tiny_cluster(rng, k)
        case["levers"] = [lv for lv in case["levers"] if lv["type"] != "grant_cut"]
        grant = next(r["amount"] for r in case["revenues"] if r["id"] == "grant")
        for copy in range(rng.randint(1, 3) if k else rng.randint(2, 3)):
            cid = f"c{k}-{copy}"
            clusters.append({"id": cid, "case": copy_case(case)})
            lines[cid] = "grant"
            today += grant
    region: dict[str, Any] = {"name": "twins", "clusters": clusters, "envelopes": [
        {"id": "region", "amount": round(today * rng.uniform(0.9, 1.0)), "lines": lines,
         "max_cut_fraction": rng.choice([0.2, 0.3, 0.5])}]}
    if rng.random() < 0.4:
        region["member_pool"] = rng.randint(0, 6)
    if rng.random() < 0.5:
        region["region_private_share"] = round(rng.uniform(0.35, 0.6), 3)
    return region


def copy_case(case: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(case))


@pytest.mark.parametrize("index", range(40))
def test_twins_in_order_give_the_plain_optimum(index):
    """The rows that put identical clusters in order of their EUR at risk (`_order_twins`)
    keep the optimum: same status and objective as the plain program, every row held."""
    region = optimizer.load_region(twin_region(index))
    ref = run_bounded(build_region_model(region).prob, 120)
    fast_model = build_region_model(region)
    matrix = to_matrix(fast_model.prob)
    lag = lagrange(matrix, np.array([block_of(n) for n in matrix.names]))
    if lag is not None:  # None: no plan for some cluster (then no rows are added)
        assert len(set(lag.split.twin)) < len(lag.split.twin)  # the twins are seen
    _assert_same_optimum(ref, fast_model)


@pytest.mark.parametrize("index", range(REGIONS))
def test_probing_bounds_keep_every_better_plan(index):
    """The bounds Lagrangian probing puts on integer columns (`_probe`: binaries and general
    integers, through the block's LP or its MILP) leave out only plans no better than the
    start: a proven optimum of the plain program that beats the start by more than the
    gap meets every bound. Probed with the start's gap and with a quarter of it (a smaller
    gap, more bounds), so that the check bites on most regions."""
    region = optimizer.load_region(region_of(index))
    plain = build_region_model(region)
    ref = run_bounded(plain.prob, 120)
    if ref.outcome.status is not Status.OPTIMAL:
        return
    matrix = to_matrix(plain.prob)
    best = np.array([ref.outcome.values[n] for n in matrix.names])
    lag = lagrange(matrix, np.array([block_of(n) for n in matrix.names]))
    assert lag is not None and lag.start is not None
    objective = float(matrix.cost @ best)
    tol = 2 * REGION_GAP_REL * max(1.0, abs(objective)) + 2 * REGION_GAP_ABS
    for gap in (float(matrix.cost @ lag.start) - lag.bound,
                max(0.0, objective - lag.bound) + tol):
        bounds = _probe(matrix, lag.split, lag.y, lag.plans, lag.values, gap)
        assert bounds  # something is bounded (tightening is what is checked)
        if objective - lag.bound > gap - tol:
            continue  # the optimum is not better than that start: it may be cut off
        for col, (lo, hi) in bounds.items():
            assert lo - 1e-6 <= best[col] <= hi + 1e-6, (matrix.names[col], best[col], lo, hi)


def _best_choice(matrix: Any, split: Any, columns: list[list[np.ndarray]]) -> float:
    """Brute force: the least total cost of one plan per block (each block from its own
    list) that meets the coupling rows; inf when none does."""
    best = np.inf
    for pick in itertools.product(*[range(len(c)) for c in columns]):
        use = np.zeros(len(split.coupling_b))
        cost = 0.0
        for k, i in enumerate(pick):
            cols = split.blocks[k]
            use += split.coupling_a[:, cols] @ columns[k][i]
            cost += float(matrix.cost[cols] @ columns[k][i])
        if np.all(use <= split.coupling_b + 1e-6 * np.maximum(1.0, np.abs(split.coupling_b))):
            best = min(best, cost)
    return best


@pytest.mark.parametrize("index", range(40))
def test_the_start_chosen_from_the_plans_found_is_the_best_choice(index, monkeypatch):
    """The start chosen from the plans found (`_incumbent`) against a brute force over one
    plan per cluster (twin regions, identical clusters offered the same plans): with no
    node limit it costs no more than the best choice (the joint LP may then improve the
    continuous values), every row of the program holds, and each cluster takes the
    integer values of a plan it was offered."""
    monkeypatch.setattr(blocks, "CHOICE_NODES", 10**6)
    region = optimizer.load_region(twin_region(index))
    matrix = to_matrix(build_region_model(region).prob)
    lag = lagrange(matrix, np.array([block_of(n) for n in matrix.names]))
    if lag is None:
        return
    columns = lag.columns
    if len(columns[0]) == 1 and len(lag.plans[0]) > 0:  # offer a second plan: the Lagrangian one
        columns = [list(c) + ([lag.plans[lag.split.twin[k]]] if not any(
            np.array_equal(lag.plans[lag.split.twin[k]], x) for x in c) else [])
            for k, c in enumerate(columns)]
    best = _best_choice(matrix, lag.split, columns)
    got = _incumbent(matrix, lag.split, columns)
    if not np.isfinite(best):
        assert got is None
        return
    assert got is not None
    tol = 1e-6 * max(1.0, abs(best)) + 1e-6
    assert float(matrix.cost @ got) <= best + tol
    m = matrix
    rows = np.zeros(len(m.row_names))
    for r in range(len(m.row_names)):
        s, e = int(m.starts[r]), int(m.starts[r + 1])
        rows[r] = float(m.value[s:e] @ got[m.index[s:e]])
    scale = 1e-6 * np.maximum(1.0, np.abs(np.where(np.isfinite(m.row_upper), m.row_upper, 0)))
    assert np.all(rows <= m.row_upper + scale + 1e-6)
    assert np.all(rows >= m.row_lower - scale - 1e-6)
    assert np.all(got >= m.lower - 1e-6) and np.all(got <= m.upper + 1e-6)
    groups: dict[int, list[int]] = {}
    for k, t in enumerate(lag.split.twin):
        groups.setdefault(t, []).append(k)
    for ks in groups.values():
        offered = [tuple(np.round(x[m.integer[lag.split.blocks[ks[0]]].astype(bool)], 6))
                   for x in columns[ks[0]]]
        taken = [tuple(np.round(got[lag.split.blocks[k]][
            m.integer[lag.split.blocks[k]].astype(bool)], 6)) for k in ks]
        assert all(t in offered for t in taken), (taken, offered)

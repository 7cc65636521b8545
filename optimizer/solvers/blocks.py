"""A block-structured MILP (the region's joint program: one block of columns and rows per
cluster, joined by a few coupling rows) solved by HiGHS to the region's gap, faster: the
same optimum, tie-break and proven gap as `bounded.run_bounded` on the same program.

Why: the joint program's LP bound is weak (the sum of each cluster's LP bound, 0.17 %
under the optimum on the bundled region), and closing that gap by branching over 22
blocks at once took HiGHS more than its 60 s.

1. Lagrangian bound. Pricing the coupling rows (each written a x <= b) with y >= 0, each
   block alone gives a proven value v_k(y) = min over block k's own rows of
   (c_k + y A_k) x_k (its MIP dual bound), and L(y) = sum_k v_k(y) - y b is a lower
   bound on the program. The multipliers come from Dantzig-Wolfe's master LP over the
   block plans found (a slack per coupling row), smoothed towards the best so far, until
   the master's value meets the bound. Blocks that are the same (identical clusters: the
   same columns, rows and coupling coefficients) share each solve; the distinct blocks
   are solved on two cores when there are two (as the probing, 3.).
2. A starting plan: one plan per block from those found, meeting the coupling rows (a
   small MILP), its integers kept and its continuous values chosen again by the joint LP.
3. Lagrangian probing. For any plan x of the program, its objective is at least
   L(y) + sum_k [(c_k + y A_k) x_k - v_k(y)]; so a plan that beats the start (objective
   S) has every block's excess at most S - L(y). An integer column of block k at value p
   in the block's Lagrangian plan gets the bound x <= p (x >= p) when block k's own MILP
   at y with x >= p + 1 (x <= p - 1) is proven to exceed that: only plans worse than the
   start are left out. The block's LP relaxation is tried first (when it already exceeds
   the threshold, so does the MILP); a binary, or an integer bounded on both sides, is
   fixed. The plans the probing meets within the threshold are near-optimal plans of
   their block: the start is chosen again with them (as in 2.). The distinct blocks are
   probed on two cores when there are two (`forked.forked_map`: the same bounds, in the
   same order, as one loop).
4. HiGHS on the program with those bounds and the start. Only when the probing's plans
   gave no better start, a first solve stopped after STAGE_NODES nodes, then (if it found
   a better plan) the probing again; then HiGHS to the gap.

(Adding the Lagrangian inequalities (c_k + y A_k) x_k >= v_k(y) as rows lifts the root
bound to L(y) too, but was measured to slow HiGHS's branching: they are not added.
Ordering twins by their pattern of free binaries instead of by cost, exact too, took 20
times the nodes on the bundled region. Probing again with the smaller gap of a better
start fixed more columns (799 of 924 instead of 630 on the bundled region) but cost more
than the nodes it saved, there and on every generated region measured: the probing runs
once, PROBE_ROUNDS. HiGHS's MIP runs in Python threads need its scheduler shared, which
it does not promise to be safe: the second core is a forked process.)
Rounds and node counts are counted, never timed: the same program always gets the same
steps.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np

from ..status import Status
from .bounded import REGION_GAP_ABS, REGION_GAP_REL, Bounded, outcome_bound
from .forked import fork_is_safe, forked_map, usable_cores
from .highs import MatrixModel, new_highs, quiet_stdout, run_highs, to_matrix

R = TypeVar("R")

# Rounds of pricing at most, and the relative bound improvement under which they stop.
MAX_ROUNDS = 12
MIN_IMPROVEMENT = 1e-7
# Probing keeps a block's other binary patterns unless their excess is proven above the
# gap plus this much (relative): fixing never rests on a solver tolerance.
PROBE_SAFETY = 1e-7
# Rounds of probing: each after one that found a better start (1: the probing runs once;
# see the module doc).
PROBE_ROUNDS = 1
# The first solve after probing stops after this many nodes (a count, never a time), to
# probe again with the better plan it found.
STAGE_NODES = 100
# A twin block's cost may exceed the next twin's by this much (EUR; rounding only).
TWIN_SLACK = 1e-7
# The choice of one plan per block for the starting plan: a MILP stopped after this many
# nodes (a count, never a time: the same program always gets the same start). More nodes
# can only give a start as good or better; where the start misses the optimum the final
# proof takes 2-4 times longer. Measured on the bundled region cut by 10 % (a 2-core
# machine, in process): 200 nodes left the start 171 EUR above the optimum and the whole
# solve took 4.7 s; 1,000 nodes, 90 EUR and 2.9-3.2 s; the region as filed (optimum found
# either way) 1.8-1.9 s against 1.9-2.0 s; eight generated regions of 10 clusters the same.
CHOICE_NODES = 1000
# The master's price of one unit of a coupling row left unmet (a slack).
SLACK_PRICE = 1e6
# The pricing stops when the master LP's value is within this (relative) of the best bound.
MASTER_GAP = 1e-6
# Weight of the best multipliers so far in the next ones (Wentges' smoothing).
SMOOTHING = 0.5
# The subproblems are small MILPs: HiGHS's heuristics and restarts cost more than they
# save (as in the sensitivity engine's FAST_OPTIONS).
SUB_OPTIONS: dict[str, Any] = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_detect_symmetry": False,
}


@dataclass(frozen=True)
class BlockStats:
    rounds: int
    subproblems: int
    lp_bound: float  # the plain LP relaxation's bound
    lagrange_bound: float  # the best Lagrangian bound
    fixed: int = 0  # integer columns fixed by Lagrangian probing
    tightened: int = 0  # integer columns whose bounds it tightened (fixed ones included)


@dataclass
class _Lagrange:
    split: _Split
    y: np.ndarray  # the best multipliers
    plans: list[np.ndarray]  # each block's Lagrangian plan at y
    values: list[float]  # each block's proven value at y
    bound: float  # L(y), without the objective's constant
    start: np.ndarray | None  # a plan of the whole program
    stats: BlockStats
    columns: list[list[np.ndarray]]  # block -> the plans of it found by the pricing


@dataclass
class _Split:
    """The matrix cut into blocks: each block's columns and own rows, the coupling rows
    (a x <= b form, dense over the columns)."""

    blocks: list[np.ndarray]  # block -> its column indices
    block_rows: list[list[int]]  # block -> its row indices
    coupling_a: np.ndarray  # (m_c, n)
    coupling_b: np.ndarray  # (m_c,)
    coupling_rows: list[tuple[int, int]]  # (row index, +1 for <= / -1 for >=)
    twin: list[int]  # block -> the first block identical to it


def _rows(model: MatrixModel) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for r in range(len(model.row_names)):
        s, e = int(model.starts[r]), int(model.starts[r + 1])
        out.append((model.index[s:e], model.value[s:e]))
    return out


def _split(model: MatrixModel, block_of: np.ndarray) -> _Split | None:
    n = len(model.names)
    nb = int(block_of.max()) + 1 if n else 0
    if nb < 2 or np.any(block_of < 0):
        return None
    rows = _rows(model)
    block_rows: list[list[int]] = [[] for _ in range(nb)]
    coupling: list[tuple[int, int]] = []
    for r, (idx, _) in enumerate(rows):
        owners = set(block_of[idx].tolist())
        if len(owners) == 1:
            block_rows[owners.pop()].append(r)
        elif len(owners) > 1:
            lo, hi = model.row_lower[r], model.row_upper[r]
            if math.isfinite(hi):
                coupling.append((r, 1))
            if math.isfinite(lo):
                coupling.append((r, -1))
    if not coupling:
        return None
    a = np.zeros((len(coupling), n))
    b = np.zeros(len(coupling))
    for j, (r, sign) in enumerate(coupling):
        idx, val = rows[r]
        a[j, idx] = sign * val
        b[j] = model.row_upper[r] if sign > 0 else -model.row_lower[r]
    blocks = [np.flatnonzero(block_of == k) for k in range(nb)]
    twin: list[int] = []
    seen: dict[str, int] = {}
    for k in range(nb):
        cols = blocks[k]
        local = {int(c): i for i, c in enumerate(cols)}
        h = hashlib.sha256()
        for arr in (model.cost[cols], model.lower[cols], model.upper[cols],
                    model.integer[cols].astype(float), a[:, cols]):
            h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
        for r in block_rows[k]:
            idx, val = rows[r]
            h.update(np.array([local[int(i)] for i in idx], dtype=float).tobytes())
            h.update(np.ascontiguousarray(val, dtype=float).tobytes())
            h.update(np.array([model.row_lower[r], model.row_upper[r]]).tobytes())
        twin.append(seen.setdefault(h.hexdigest(), k))
    return _Split(blocks, block_rows, a, b, coupling, twin)


def _sub_model(model: MatrixModel, split: _Split, k: int) -> MatrixModel:
    cols = split.blocks[k]
    local = np.full(len(model.names), -1, dtype=np.int64)
    local[cols] = np.arange(len(cols))
    starts, index, value = [0], [], []
    for r in split.block_rows[k]:
        s, e = int(model.starts[r]), int(model.starts[r + 1])
        index.extend(local[model.index[s:e]].tolist())
        value.extend(model.value[s:e].tolist())
        starts.append(len(index))
    rows = split.block_rows[k]
    return MatrixModel(
        names=[model.names[c] for c in cols], cost=model.cost[cols].copy(),
        lower=model.lower[cols], upper=model.upper[cols], integer=model.integer[cols],
        row_lower=model.row_lower[rows], row_upper=model.row_upper[rows],
        starts=np.array(starts, np.int32), index=np.array(index, np.int32),
        value=np.array(value, float), row_names=[model.row_names[r] for r in rows],
        sense=1, offset=0.0)


def _priced_block(model: MatrixModel, split: _Split, k: int, priced: np.ndarray
                  ) -> tuple[MatrixModel, Any]:
    """Block k's own MILP at the priced costs (a row over all columns), and a HiGHS
    instance holding it, set up for small MILPs on one thread."""
    sub = _sub_model(model, split, k)
    sub.cost[:] = priced[split.blocks[k]]
    inst = new_highs(sub)
    for name, value in SUB_OPTIONS.items():
        inst.setOptionValue(name, value)
    inst.setOptionValue("threads", 1)
    return sub, inst


def _per_distinct_block(split: _Split, fn: Callable[[int], R], weight: Callable[[int], float],
                        fork: bool) -> dict[int, R]:
    """fn(k) for each distinct block k (the first of its twins, which share its result),
    half of them in a forked child when fork (`forked.forked_map`, weighted by weight(k):
    the same results, in the same order, as one loop)."""
    firsts = sorted(set(split.twin))
    return dict(zip(firsts, forked_map(fn, firsts, [weight(k) for k in firsts], fork),
                    strict=True))


def _price_block(model: MatrixModel, split: _Split, k: int, priced: np.ndarray
                 ) -> tuple[float, np.ndarray] | None:
    """Block k's proven value at the priced costs and its plan there; None when it has
    no plan."""
    sub, inst = _priced_block(model, split, k, priced)
    outcome = run_highs(inst, sub)
    if outcome.status is not Status.OPTIMAL:
        return None
    assert outcome.objective is not None
    v = float(outcome.objective)
    dual = getattr(inst.getInfo(), "mip_dual_bound", None)
    if dual is not None and math.isfinite(dual):
        v = min(v, float(dual))
    return v, np.array([outcome.values[n] for n in sub.names])


def _price(model: MatrixModel, split: _Split, y: np.ndarray, fork: bool = False
           ) -> tuple[list[tuple[np.ndarray, float]], list[np.ndarray]] | None:
    """Each block's priced cost at y (a row over all columns) and its proven value, and its
    plan there (a column of the master: the block's values); None when a block has no
    plan (the program then has none either). Twins share their first block's solve; fork:
    half the distinct blocks solved in a forked child (`forked.forked_map`, the same
    answer)."""
    priced = model.cost + y @ split.coupling_a
    done = _per_distinct_block(split, lambda k: _price_block(model, split, k, priced),
                               lambda k: float(len(split.blocks[k])), fork)
    out: list[tuple[np.ndarray, float]] = []
    plans: list[np.ndarray] = []
    for k, cols in enumerate(split.blocks):
        got = done[split.twin[k]]
        if got is None:
            return None
        v, plan = got
        plans.append(plan)
        row = np.zeros(len(model.names))
        row[cols] = priced[cols]
        out.append((row, v))
    return out, plans


def _master(model: MatrixModel, split: _Split, columns: list[list[np.ndarray]]
            ) -> tuple[np.ndarray, float] | None:
    """The multipliers of the coupling rows, and the value, of Dantzig-Wolfe's master LP over the plans
    found (one convexity row per block, each coupling row with a slack priced
    SLACK_PRICE)."""
    mc = len(split.coupling_b)
    cost: list[float] = []
    entries: list[np.ndarray] = []  # per master column: its coupling use (mc,) then block
    owner: list[int] = []
    for k, plans in enumerate(columns):
        cols = split.blocks[k]
        for x in plans:
            cost.append(float(model.cost[cols] @ x))
            entries.append(split.coupling_a[:, cols] @ x)
            owner.append(k)
    n = len(cost) + mc
    h = new_highs(MatrixModel(
        names=[str(i) for i in range(n)], cost=np.array(cost + [SLACK_PRICE] * mc),
        lower=np.zeros(n), upper=np.full(n, math.inf), integer=np.zeros(n, dtype=bool),
        row_lower=np.array([-math.inf] * mc + [1.0] * len(columns)),
        row_upper=np.concatenate([split.coupling_b, np.ones(len(columns))]),
        starts=np.zeros(1, np.int32), index=np.zeros(0, np.int32), value=np.zeros(0),
        row_names=[], sense=1, offset=0.0))
    dense = np.zeros((mc + len(columns), n))
    for i, (use, k) in enumerate(zip(entries, owner)):
        dense[:mc, i] = use
        dense[mc + k, i] = 1.0
    dense[np.arange(mc), len(cost) + np.arange(mc)] = -1.0
    lo = np.concatenate([np.full(mc, -math.inf), np.ones(len(columns))])
    hi = np.concatenate([split.coupling_b, np.ones(len(columns))])
    for r in range(dense.shape[0]):
        idx = np.flatnonzero(dense[r]).astype(np.int32)
        h.addRow(lo[r], hi[r], len(idx), idx, dense[r, idx])
    with quiet_stdout():
        h.run()
    if h.getModelStatus() != h.getModelStatus().__class__.kOptimal:
        return None
    dual = np.array(h.getSolution().row_dual)[:mc]
    return np.maximum(0.0, -dual), float(h.getInfo().objective_function_value)


def _solved_lp(model: MatrixModel, lower: np.ndarray, upper: np.ndarray) -> Any:
    """HiGHS having solved the LP relaxation of model within these column bounds (a
    minimisation, no offset), or None when it has no optimum."""
    inst = new_highs(replace(model, lower=lower, upper=upper, sense=1, offset=0.0,
                             integer=np.zeros(len(model.names), dtype=bool)))
    with quiet_stdout():
        inst.run()
    if inst.getModelStatus() != inst.getModelStatus().__class__.kOptimal:
        return None
    return inst


def _lp(model: MatrixModel, split: _Split) -> tuple[float, np.ndarray] | None:
    """The LP relaxation: its bound and the coupling rows' multipliers."""
    inst = _solved_lp(model, model.lower, model.upper)
    if inst is None:
        return None
    dual = np.array(inst.getSolution().row_dual)
    y = np.array([max(0.0, -sign * dual[r]) for r, sign in split.coupling_rows])
    return float(inst.getInfo().objective_function_value), y


def _incumbent(model: MatrixModel, split: _Split, columns: list[list[np.ndarray]],
               cutoff: float | None = None) -> np.ndarray | None:
    """A plan of the whole program from the plans found: one per block meeting the
    coupling rows (a small MILP over the columns), then every block's integer values
    fixed and its continuous ones chosen again by the joint LP. None if none is found."""
    mc = len(split.coupling_b)
    owner = [k for k, plans in enumerate(columns) for _ in plans]
    xs = [x for plans in columns for x in plans]
    n = len(xs)
    choice = new_highs(MatrixModel(
        names=[str(i) for i in range(n)],
        cost=np.array([float(model.cost[split.blocks[k]] @ x) for k, x in zip(owner, xs)]),
        lower=np.zeros(n), upper=np.ones(n), integer=np.ones(n, dtype=bool),
        row_lower=np.zeros(0), row_upper=np.zeros(0), starts=np.zeros(1, np.int32),
        index=np.zeros(0, np.int32), value=np.zeros(0), row_names=[], sense=1, offset=0.0))
    choice.setOptionValue("mip_max_nodes", CHOICE_NODES)
    if cutoff is not None:
        choice.setOptionValue("objective_bound", cutoff)
    for j in range(mc):
        use = np.array([float(split.coupling_a[j, split.blocks[k]] @ x)
                        for k, x in zip(owner, xs)])
        idx = np.flatnonzero(use).astype(np.int32)
        choice.addRow(-math.inf, float(split.coupling_b[j]), len(idx), idx, use[idx])
    for k in range(len(columns)):
        idx = np.array([i for i, o in enumerate(owner) if o == k], dtype=np.int32)
        choice.addRow(1.0, 1.0, len(idx), idx, np.ones(len(idx)))
    with quiet_stdout():
        choice.run()
    if choice.getInfo().primal_solution_status != 2:
        return None
    pick = np.array(choice.getSolution().col_value) > 0.5
    lower, upper = model.lower.copy(), model.upper.copy()
    for i in np.flatnonzero(pick):
        cols = split.blocks[owner[i]]
        ints = model.integer[cols].astype(bool)
        lower[cols[ints]] = upper[cols[ints]] = np.round(xs[i][ints])
    lp = _solved_lp(model, lower, upper)
    return None if lp is None else np.array(lp.getSolution().col_value)


def _probe(model: MatrixModel, split: _Split, y: np.ndarray, plans: list[np.ndarray],
           values: list[float], gap: float,
           known: dict[int, tuple[float, float]] | None = None,
           found: list[list[np.ndarray]] | None = None,
           fork: bool = False) -> dict[int, tuple[float, float]]:
    """Bounds on integer columns that every plan better than the start meets: column ->
    (lower, upper), tighter than the model's.

    For y >= 0 and any plan x of the program, its objective is at least
    sum_k (c_k + y A_k) x_k - y b >= L(y) + (the excess of block k's own term over v_k).
    So a plan better than the start (objective S) has every block's excess at most `gap`
    (S - L(y)). For each integer column j of block k, at value p in the block's Lagrangian
    plan at y: if block k's own MILP with x_j >= p + 1 is proven to have no plan of excess
    at most `gap`, every plan better than the start has x_j <= p; likewise x_j >= p from
    x_j <= p - 1 (a binary is then fixed). One MILP per side, per distinct block, solved
    only as far as that threshold. known: bounds proven before (with a larger gap: still
    true), kept and not probed again. found: block -> plans met on the way whose excess is
    within the gap (appended to; candidates for a better start). fork: half the blocks
    probed in a forked child process (`forked.forked_map`; the same answer)."""
    out: dict[int, tuple[float, float]] = dict(known or {})
    priced = model.cost + y @ split.coupling_a
    done = _per_distinct_block(
        split, lambda k: _probe_block(model, split, k, priced, plans[k], values[k], gap, out),
        lambda k: _open_integers(model, split.blocks[k], out), fork)
    for k in range(len(split.blocks)):
        verdict, met = done[split.twin[k]]
        if found is not None and k == split.twin[k]:
            found[k].extend(met)
        cols = split.blocks[k]
        for j, bounds in verdict.items():
            out[int(cols[j])] = bounds
    return out


def _open_integers(model: MatrixModel, cols: np.ndarray,
                   known: dict[int, tuple[float, float]]) -> float:
    """How many integer columns of a block are not fixed yet (its probing's work)."""
    count = 0
    for c in cols[model.integer[cols].astype(bool)]:
        lo, hi = known.get(int(c), (float(model.lower[c]), float(model.upper[c])))
        count += lo < hi
    return float(count)


def _probe_block(model: MatrixModel, split: _Split, k: int, priced: np.ndarray,
                 plan: np.ndarray, value: float, gap: float,
                 known: dict[int, tuple[float, float]]
                 ) -> tuple[dict[int, tuple[float, float]], list[np.ndarray]]:
    """`_probe` on block k: its local integer columns' bounds, and the plans met within
    the threshold."""
    verdict: dict[int, tuple[float, float]] = {}
    found: list[np.ndarray] = []
    cols = split.blocks[k]
    sub, inst = _priced_block(model, split, k, priced)
    threshold = value + gap + PROBE_SAFETY * max(1.0, abs(value))
    inst.setOptionValue("objective_bound", threshold)
    # The LP relaxation first: when it already exceeds the threshold (or has no plan), so
    # does the MILP, and the MILP is not run.
    relaxed = new_highs(replace(sub, integer=np.zeros(len(sub.names), dtype=bool)))
    kind = relaxed.getModelStatus().__class__  # HighsModelStatus
    for j in np.flatnonzero(sub.integer.astype(bool) & (sub.lower < sub.upper)):
        lo, hi = float(sub.lower[j]), float(sub.upper[j])
        if int(cols[j]) in known:
            lo, hi = known[int(cols[j])]
            if lo == hi:
                verdict[int(j)] = (lo, hi)
                continue
        p = float(round(plan[j]))
        for side_lo, side_hi in ((p + 1, hi), (lo, p - 1)):
            if side_lo > side_hi:
                continue
            relaxed.changeColBounds(int(j), side_lo, side_hi)
            with quiet_stdout():
                relaxed.run()
            lp_status = relaxed.getModelStatus()
            lp_value = float(relaxed.getInfo().objective_function_value)
            relaxed.changeColBounds(int(j), float(sub.lower[j]), float(sub.upper[j]))
            if lp_status == kind.kInfeasible or (lp_status == kind.kOptimal
                                                 and lp_value > threshold):
                proven = True
            else:
                inst.changeColBounds(int(j), side_lo, side_hi)
                outcome = run_highs(inst, sub)
                dual = getattr(inst.getInfo(), "mip_dual_bound", None)
                within = (outcome.has_plan and outcome.objective is not None
                          and outcome.objective <= threshold)
                if within:
                    found.append(np.array([outcome.values[n] for n in sub.names]))
                # HiGHS stops at the threshold (objective_bound) with its dual bound above
                # it; a run that failed proves nothing, whatever bound it left behind.
                ended = inst.getModelStatus() in (kind.kOptimal, kind.kInfeasible,
                                                  kind.kObjectiveBound)
                proven = outcome.status is Status.INFEASIBLE or (
                    ended and not within and dual is not None and math.isfinite(dual)
                    and float(dual) > threshold)
                inst.changeColBounds(int(j), float(sub.lower[j]), float(sub.upper[j]))
                inst.clearSolver()
            if proven:
                if side_lo > p:
                    hi = p
                else:
                    lo = p
        if (lo, hi) != (float(sub.lower[j]), float(sub.upper[j])):
            verdict[int(j)] = (lo, hi)
    return verdict, found


def lagrange(model: MatrixModel, block_of: np.ndarray, rounds: int = MAX_ROUNDS,
             fork: bool = False) -> _Lagrange | None:
    """The best Lagrangian bound of a minimisation in block form (block_of: column ->
    block), its multipliers and each block's plan there, a plan to start from (or None);
    None when it has no coupling row or a block has no plan."""
    if model.sense != 1:
        return None
    split = _split(model, block_of)
    if split is None:
        return None
    first = _lp(model, split)
    if first is None:
        return None
    lp_bound, y = first
    columns: list[list[np.ndarray]] = [[] for _ in split.blocks]
    best, best_y = -math.inf, y
    best_plans: list[np.ndarray] = []
    best_v: list[float] = []
    subproblems = 0
    done = 0
    for r in range(rounds):
        done = r + 1
        priced = _price(model, split, y, fork)
        subproblems += len(set(split.twin))
        if priced is None:
            return None
        found, plans = priced
        for k, x in enumerate(plans):
            if not any(np.array_equal(x, old) for old in columns[k]):
                columns[k].append(x)
        value = sum(v for _, v in found) - float(y @ split.coupling_b)
        if value > best:
            best, best_y, best_plans, best_v = value, y, plans, [v for _, v in found]
        master = _master(model, split, columns)
        if master is None:
            break
        y_master, upper = master
        # The master's value is at least the best Lagrangian bound: when they meet, no
        # multipliers give more.
        if upper - best <= MASTER_GAP * max(1.0, abs(best)) or (
                r and float(np.max(np.abs(y_master - best_y), initial=0.0)) <= 1e-9):
            break
        y = SMOOTHING * best_y + (1 - SMOOTHING) * y_master
    start = _incumbent(model, split, columns)
    return _Lagrange(split, best_y, best_plans, best_v, best, start,
                     BlockStats(done, subproblems, lp_bound + model.offset,
                                best + model.offset), columns)


def start_solution(inst: Any) -> Any:
    """An empty HiGHS solution object of inst's kind, to hand a starting plan in."""
    return inst.getSolution()


def _order_twins(inst: Any, model: MatrixModel, split: _Split, start: Any) -> Any:
    """Break the symmetry of identical clusters: within each group of twin blocks (the
    same columns, rows and coupling coefficients, `_Split.twin`), each block's own cost is
    at most the next one's (a row added to inst). Exact: permuting the twins' values maps
    a feasible split to a feasible split of the same total cost (their rows and coupling
    coefficients are the same), so some optimal split has its twins in that order, and
    the optimum is unchanged; only which of two identical clusters gets which of two plans
    of equal total may differ from the plain program's. Without it HiGHS explores every
    permutation of the twins' plans (the bundled region has groups of 9 and 6 twins).
    Returns start (the starting plan) with its twins put in that order, so it stays
    feasible (twins share their fixings: `_probe` treats them alike)."""
    groups: dict[int, list[int]] = {}
    for k, t in enumerate(split.twin):
        groups.setdefault(t, []).append(k)
    out = None if start is None else np.array(start, dtype=float)
    for ks in groups.values():
        if len(ks) < 2:
            continue
        if out is not None:
            order = sorted(range(len(ks)), key=lambda i: (
                float(model.cost[split.blocks[ks[i]]] @ out[split.blocks[ks[i]]]), i))
            chunks = [out[split.blocks[ks[i]]].copy() for i in order]
            for k, chunk in zip(ks, chunks, strict=True):
                out[split.blocks[k]] = chunk
        for a, b in itertools.pairwise(ks):
            ca, cb = split.blocks[a], split.blocks[b]
            idx = np.concatenate([ca, cb]).astype(np.int32)
            val = np.concatenate([model.cost[ca], -model.cost[cb]])
            keep = val != 0
            # a little slack: the start's sorted costs may differ by rounding only
            inst.addRow(-math.inf, TWIN_SLACK, int(keep.sum()), idx[keep], val[keep])
    return out


def _probe_and_start(model: MatrixModel, lag: _Lagrange, start: np.ndarray,
                     bounds: dict[int, tuple[float, float]], fork: bool = False
                     ) -> tuple[np.ndarray, dict[int, tuple[float, float]]]:
    """The probing's bounds for the gap the start leaves, and a better start when the plans
    the probing met give one (with PROBE_ROUNDS above 1, the probing again with the
    smaller gap, while the start improves by more than the region's absolute gap).
    bounds: bounds proven for a start no better than this one, kept. fork: see `_probe`."""
    seen = [list(x) for x in lag.columns]  # block -> the plans the start was chosen from
    for _ in range(PROBE_ROUNDS):
        found: list[list[np.ndarray]] = [[] for _ in lag.split.blocks]
        bounds = _probe(model, lag.split, lag.y, lag.plans, lag.values,
                        float(model.cost @ start) - lag.bound, bounds, found, fork)
        fresh = [[x for x in found[k] if not any(np.array_equal(x, old) for old in seen[k])]
                 for k in range(len(found))]
        if not any(fresh):  # no plan the start was not already chosen from
            break
        for k, xs in enumerate(fresh):
            seen[k].extend(xs)
        columns = [list(seen[lag.split.twin[k]]) for k in range(len(lag.split.blocks))]
        better = _incumbent(model, lag.split, columns, float(model.cost @ start))
        if better is None or (float(model.cost @ better)
                              >= float(model.cost @ start) - REGION_GAP_ABS):
            break
        start = better
    return start, bounds


def run_blocks_bounded(prob: Any, block_of_name: Any, time_limit: float | None,
                       gap_rel: float = REGION_GAP_REL, workers: int | None = None
                       ) -> tuple[Bounded, BlockStats | None]:
    """`run_bounded` on a block-structured PuLP minimisation (block_of_name: variable name
    -> block index, or -1): the same optimum and proven gap, found faster.

    The Lagrangian bound and a starting plan first; the integer columns bounded where no
    better plan can go, and the start improved with the plans the probing met
    (`_probe_and_start`); when that gave no better start, a first solve stopped after
    STAGE_NODES nodes and, if it found a better plan, the probing again with the smaller
    gap; then the solve to the gap. workers: processes for the probing (None: two when
    this process may run on two cores; 1: this process alone; a fork only where
    `forked.fork_is_safe`); the answer is the same."""
    started = time.perf_counter()
    fork = (usable_cores() if workers is None else workers) >= 2 and fork_is_safe()
    model = to_matrix(prob)
    block_of = np.array([block_of_name(name) for name in model.names], dtype=np.int64)
    lag = lagrange(model, block_of, fork=fork) if len(model.names) else None
    stats = None if lag is None else lag.stats
    bounds: dict[int, tuple[float, float]] = {}
    start = None if lag is None else lag.start
    nodes: int | None = None
    if lag is not None and start is not None:
        first = start
        start, bounds = _probe_and_start(model, lag, start, bounds, fork)
        # A short first solve, to find a better start to probe again with, only when the
        # probing's plans gave none.
        nodes = STAGE_NODES if start is first else None
    while True:
        left = None if time_limit is None else max(
            0.0, time_limit - (time.perf_counter() - started))
        inst = new_highs(model, left)
        inst.setOptionValue("mip_rel_gap", gap_rel)
        inst.setOptionValue("mip_abs_gap", REGION_GAP_ABS)
        for j, (lo, hi) in bounds.items():
            inst.changeColBounds(j, lo, hi)
        if lag is not None:
            start = _order_twins(inst, model, lag.split, start)
        if start is not None:
            h = start_solution(inst)
            h.col_value = list(start)
            inst.setSolution(h)
        if nodes is not None:
            inst.setOptionValue("mip_max_nodes", nodes)
        outcome = run_highs(inst, model)
        if nodes is None or outcome.status is Status.OPTIMAL or lag is None \
                or not outcome.has_plan or start is None:
            break
        better = np.array([outcome.values[n] for n in model.names])
        nodes = None
        if float(model.cost @ better) < float(model.cost @ start) - 1e-9:
            start, bounds = _probe_and_start(model, lag, better, bounds, fork)
    fixed = [j for j, (lo, hi) in bounds.items() if lo == hi]
    if stats is not None:
        stats = replace(stats, fixed=len(fixed), tightened=len(bounds))
    if outcome.has_plan:
        for var in prob.variables():
            var.varValue = outcome.values.get(var.name)
    return Bounded(outcome, outcome_bound(inst, model, outcome)), stats


__all__ = ["BlockStats", "lagrange", "run_blocks_bounded"]

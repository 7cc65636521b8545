"""The region by decomposition (issue 10, at scale): a split and a proven bound on its gap,
without the joint program (docs/MODEL.md, "Region at scale").

The coupling rows (envelopes, member pool, region share) are priced with multipliers
y = (lam_e >= 0 per envelope, nu >= 0 for the pool, mu >= 0 for the region share). At y,
every cluster alone minimises, under its own rows only (solved exactly, each in its own
HiGHS on one thread)

    risk_i + TIE x change_i + sum_e lam_e (A_ei - c_ei) + nu m_i - mu (P_i - s T_i)

and, by weak duality, L(y) = sum_i v_i(y) - sum_e lam_e amount_e - nu pool is a proven lower
bound on the least total EUR at risk (v_i(y): the subproblem's proven MIP bound). Every
subproblem plan is a plan of its cluster (a column). The multipliers come from the master
LP over the columns found (Dantzig-Wolfe: one convexity row per cluster, the coupling rows
with a priced slack), smoothed towards the best y so far. The split reported is the best
choice of one column per cluster that meets the coupling rows (a MILP over the columns); its
total minus the best L is the proven gap.

The per-cluster work (one subproblem at one y) runs in worker processes; each is a pure
function of (cluster, y): a fresh HiGHS on one thread, so the answer is the same, byte for
byte, whatever the number of workers. A checkpoint (analyses/region_checkpoint.py) records
each finished subproblem; a resumed run reads them back instead of solving again and
therefore follows the same steps to the same answer.
"""

from __future__ import annotations

import math
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pulp

from ..case.region import Region
from ..model.milp import TIE_BREAK, build_model
from ..model.region import funder_lever_id, new_member_terms, region_case
from ..solvers.bounded import REGION_GAP_ABS, REGION_GAP_REL
from ..solvers.highs import HighsSession, single_thread_worker, to_matrix
from ..solvers.master import Rows, solve_matrix
from ..status import Status
from .region_spend import at_least, spend_rows, spend_whole

# Rounds of pricing at most: MAX_ROUNDS, and no more than SUBPROBLEM_BUDGET subproblems in
# all (2 rounds for 1,000 clusters), but at least 2. The rounds are counted, never timed:
# a stop on the clock would make the answer depend on the machine's load, and the same
# command must give the same bytes with 1 or 2 workers and after a resumed checkpoint.
MAX_ROUNDS = 12
SUBPROBLEM_BUDGET = 2000
# The choice of one column per cluster: a MILP stopped after CHOICE_NODES nodes (a count,
# for the same reason); the time limit stays as a safety net.
CHOICE_NODES = 5000
# The master's price of one unit of a coupling row left unmet (a slack): far above any
# multiplier a feasible region needs.
SLACK_PRICE = 1e6
# The decomposition's tolerance (docs/MODEL.md, "Region at scale"), as a MIP gap: pricing
# stops when the master LP and the proven bound meet within it, and a split within it of
# the bound is an answer (status optimal, exit 0, its gap stated); `proven_optimal` keeps
# the joint program's 1e-6.
DECOMPOSE_GAP_REL = 1e-3
SMOOTHING = 0.5
# The subproblems are small MILPs solved at the root: HiGHS's presolve costs more than it
# saves there (about a third of the time, measured on the bundled clusters), and so do its
# primal heuristics (feasibility jump, RINS, RENS, reduced-cost fixing) and symmetry
# detection: without them a subproblem takes 13 to 15 ms of CPU instead of 30 to 31
# (40 generated clusters at 3 multipliers, bench/bench_region_scale.py --subproblems),
# with the same proven bounds (the plans may differ only between ties).
SUBPROBLEM_OPTIONS: dict[str, Any] = {
    "presolve": "off", "mip_detect_symmetry": False, "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_feasibility_jump": False, "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False, "mip_heuristic_run_root_reduced_cost": False}
# The first two rounds price the coupling rows a little below and a little above the LP
# relaxation's multipliers (times 1 - SPREAD and 1 + SPREAD, the latter at least FLOOR): at
# those multipliers many clusters are indifferent between plans (a kink of their value
# function), and the two sides give both ends of each kink, the plans whose mix the LP
# relaxation takes. The LP relaxation's optimum is already a proven bound.
SPREAD = 0.02
# Small regions: the split chosen among the columns is bettered cluster by cluster (each
# cluster's least risk within what the others leave of the coupling rows), in the calling
# process, for regions of at most POLISH_MAX clusters.
POLISH_MAX = 60
POLISH_PASSES = 3
FLOOR = (0.01, 10.0, 0.01)  # envelope (per EUR), pool (per member), share (per EUR)

Answer = tuple[float, dict[str, Any]] | None  # (proven bound, column) or no plan at all


@dataclass(frozen=True)
class Column:
    """One plan of one cluster: its objective, its use of the coupling rows, its plan."""

    objective: float
    after: tuple[float, ...]  # per envelope of the region: A - c (0 if it does not fund it)
    members: float
    surplus: float  # P - s T
    plan: dict[str, float]
    cuts: dict[str, float]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Column:
        return cls(float(data["o"]), tuple(float(a) for a in data["a"]), float(data["m"]),
                   float(data["s"]), dict(data["p"]), dict(data["c"]))

    def same(self, other: Column) -> bool:
        return self.plan == other.plan and self.cuts == other.cuts


@dataclass
class Decomposed:
    status: Status  # OPTIMAL (converged: gap within DECOMPOSE_GAP_REL), TIME_LIMIT, INFEASIBLE
    objective: float | None
    bound: float
    plans: list[dict[str, float]]
    cuts: dict[str, dict[str, float]]
    rounds: int
    columns: int = 0
    subproblems: int = 0
    reused: int = 0  # subproblems read back from a checkpoint
    blocking: tuple[str, ...] = ()  # clusters with no plan at any cut
    history: list[tuple[float, float | None]] = field(default_factory=list)  # (L, master)
    # why it stopped: "converged" (within the tolerance), "time_limit" (the choice MILP's
    # time limit), "rounds" (the counted budget of rounds), "infeasible"
    stopped: str = "converged"
    tolerance: float = DECOMPOSE_GAP_REL

    @property
    def proven_optimal(self) -> bool:
        gap = self.gap_eur
        return gap is not None and (gap <= REGION_GAP_ABS or
                                    gap <= REGION_GAP_REL * max(1.0, abs(self.objective or 0)))

    @property
    def gap(self) -> float | None:
        if self.objective is None:
            return None
        return max(0.0, self.objective - self.bound) / max(1.0, abs(self.objective))

    @property
    def gap_eur(self) -> float | None:
        return None if self.objective is None else max(0.0, self.objective - self.bound)


class Prepared:
    """One cluster's model as arrays, with the coefficient vectors of the quantities the
    multipliers price."""

    def __init__(self, region: Region, k: int) -> None:
        self.cid = region.ids[k]
        case = region_case(region, k)
        self.model = build_model(case)
        self.matrix = to_matrix(self.model.prob)
        self.col = {name: j for j, name in enumerate(self.matrix.names)}
        self.envs = [env.id for env in region.spec.envelopes]
        self.funded = {env.id: line for env, line in region.funded(self.cid)}
        q = self.model.quantity
        self.base = self._vec(q["risk"]) + TIE_BREAK * self._vec(q["change"])
        self.base_const = self._const(q["risk"]) + TIE_BREAK * self._const(q["change"])
        self.cut_vec = {e: self._vec(self.model.terms[funder_lever_id(e)[:40]].value)
                        for e in self.funded}
        self.today = {e: case.revenue(line).amount for e, line in self.funded.items()}
        self.members_vec = self._vec(new_member_terms(self.model))
        s = region.spec.region_private_share or 0.0
        self.surplus_vec = self._vec(q["private"]) - s * self._vec(q["revenues"])
        self.surplus_const = self._const(q["private"]) - s * self._const(q["revenues"])

    def _vec(self, expr: Any) -> np.ndarray:
        out = np.zeros(len(self.matrix.names))
        for var, coef in pulp.LpAffineExpression(expr).items():
            if var.name in self.col:
                out[self.col[var.name]] += coef
        return out

    @staticmethod
    def _const(expr: Any) -> float:
        return float(pulp.LpAffineExpression(expr).constant)

    def data(self) -> dict[str, Any]:
        """What the parent needs for the LP relaxation of the joint program."""
        m = self.matrix
        return {"lower": m.lower, "upper": m.upper, "row_lower": m.row_lower,
                "row_upper": m.row_upper, "starts": m.starts, "index": m.index,
                "value": m.value, "base": self.base, "base_const": self.base_const,
                "cut": [self.cut_vec[e] if e in self.funded else None for e in self.envs],
                "today": [self.today.get(e, 0.0) for e in self.envs],
                "members": self.members_vec, "surplus": self.surplus_vec,
                "surplus_const": self.surplus_const}

    def within(self, after: Sequence[float], members: float | None, surplus: float | None,
               floor: Sequence[float] | None = None) -> Answer:
        """The cluster's least objective with its use of the coupling rows within quotas:
        each funded envelope's after-amount at most after[j] (and at least floor[j]: a
        spend-all envelope, region_spend.py), its new members at most members, its P - s T
        at least surplus (the polish of a split)."""
        m = self.matrix
        starts, index, value = list(m.starts), list(m.index), list(m.value)
        lower, upper = list(m.row_lower), list(m.row_upper)

        def row(vec: np.ndarray, lo: float, hi: float) -> None:
            cols = np.flatnonzero(vec)
            index.extend(cols.tolist())
            value.extend(vec[cols].tolist())
            starts.append(len(index))
            lower.append(lo)
            upper.append(hi)

        slack = 1e-7
        for j, e in enumerate(self.envs):
            if e in self.funded:
                top = math.inf if floor is None or floor[j] == -math.inf \
                    else self.today[e] - floor[j] + slack
                row(self.cut_vec[e], self.today[e] - after[j] - slack, top)
        if members is not None:
            row(self.members_vec, -math.inf, members + slack)
        if surplus is not None:
            row(self.surplus_vec, surplus - self.surplus_const - slack, math.inf)
        quota = replace(m, cost=self.base, sense=1, offset=0.0,
                        starts=np.asarray(starts, np.int32), index=np.asarray(index, np.int32),
                        value=np.asarray(value, float), row_lower=np.asarray(lower, float),
                        row_upper=np.asarray(upper, float),
                        row_names=list(m.row_names) + [f"q{i}" for i in
                                                       range(len(lower) - len(m.row_lower))])
        return self._solve(quota, self.base, self.base_const)

    def price(self, y: Sequence[float]) -> Answer:
        """The subproblem at multipliers y: (its proven lower bound, its plan as a column),
        None when the cluster has no plan at any cut."""
        ne = len(self.envs)
        lam, nu, mu = y[:ne], y[ne], y[ne + 1]
        cost = self.base + nu * self.members_vec - mu * self.surplus_vec
        const = self.base_const - mu * self.surplus_const
        for j, e in enumerate(self.envs):
            if e in self.funded and lam[j]:
                cost = cost - lam[j] * self.cut_vec[e]
                const += lam[j] * self.today[e]
        return self._solve(replace(self.matrix, cost=cost, sense=1, offset=0.0), cost, const)

    def _solve(self, matrix: Any, cost: np.ndarray, const: float) -> Answer:
        session = HighsSession(matrix, options=SUBPROBLEM_OPTIONS, threads=1)
        out = session.solve()
        if not out.has_plan or out.objective is None:
            if out.status is Status.INFEASIBLE:
                return None
            raise RuntimeError(f"cluster {self.cid}: subproblem {out.status.value}")
        x = session.values()
        bound = session.dual_bound(float(x @ cost)) + const
        for var in self.model.prob.variables():
            var.varValue = float(x[self.col[var.name]])
        plan = self.model.read_plan()
        cuts = {e: max(0.0, float(x @ self.cut_vec[e])) for e in self.funded}
        for e in self.funded:
            plan.pop(funder_lever_id(e)[:40], None)
        after = [self.today[e] - cuts[e] if e in self.funded else 0.0 for e in self.envs]
        return bound, {"o": float(x @ self.base) + self.base_const, "a": after,
                       "m": float(x @ self.members_vec),
                       "s": float(x @ self.surplus_vec) + self.surplus_const,
                       "p": plan, "c": cuts}


# -- the workers -------------------------------------------------------------------------

_REGION: Region | None = None
_PREPARED: dict[int, Prepared] = {}


def _init_worker(region: Region) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    use_region(region)
    single_thread_worker()


def use_region(region: Region) -> None:
    """The region of this process's run_chunk and prepare_chunk (any pool's worker)."""
    global _REGION
    _REGION = region
    _PREPARED.clear()


def _prepared(k: int) -> Prepared:
    if k not in _PREPARED:
        assert _REGION is not None
        _PREPARED[k] = Prepared(_REGION, k)
    return _PREPARED[k]


def run_chunk(ks: Sequence[int], y: Sequence[float]) -> list[Answer]:
    """The subproblems of clusters ks at y (in a worker process)."""
    return [_prepared(k).price(y) for k in ks]


def prepare_chunk(ks: Sequence[int]) -> list[dict[str, Any]]:
    """The arrays of clusters ks (in a worker process)."""
    return [_prepared(k).data() for k in ks]


def default_workers() -> int:
    from .sensitivity.engine import default_workers as cores

    return cores()


def _context() -> Any:
    """fork where it is safe and fast (Linux, no Python threads running), else a fresh
    interpreter per worker (as the sensitivity engine)."""
    import multiprocessing
    import sys
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def y_key(y: Sequence[float]) -> str:
    """The multipliers as text that reads back to the same floats (checkpoint keys)."""
    return ",".join(repr(float(v)) for v in y)


class Pricer:
    """The pool of workers, and the record of finished subproblems."""

    def __init__(self, region: Region, workers: int,
                 store: Callable[[str, Answer], None] | None = None,
                 known: Callable[[str], tuple[bool, Answer]] | None = None,
                 executor: Callable[[Region, Callable[[Region], None]], Any] | None = None
                 ) -> None:
        self.n = len(region.ids)
        self.workers = max(1, workers)
        self.store, self.known = store, known
        if executor is not None:  # another pool, e.g. Dask's (analyses/region_dask.py)
            self.pool = executor(region, use_region)
            self.workers = max(1, int(self.pool.workers))
        else:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                            initializer=_init_worker, initargs=(region,))
        self.solved = self.reused = 0

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _chunks(self, ks: list[int]) -> Iterator[list[int]]:
        size = max(1, min(50, math.ceil(len(ks) / (4 * self.workers))))
        for i in range(0, len(ks), size):
            yield ks[i:i + size]

    def _map(self, fn: Callable[..., list[Any]], ks: list[int], *args: Any
             ) -> Iterator[tuple[int, Any]]:
        """(k, fn's answer for k) for every k, as chunks finish (each chunk in k order)."""
        pending = list(self._chunks(ks))
        pending.reverse()
        running: dict[Future[list[Any]], list[int]] = {}
        while pending or running:
            while pending and len(running) < 2 * self.workers:
                chunk = pending.pop()
                running[self.pool.submit(fn, chunk, *args)] = chunk
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f][0]):
                chunk = running.pop(future)
                yield from zip(chunk, future.result())

    def prepare(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{} for _ in range(self.n)]
        for k, data in self._map(prepare_chunk, list(range(self.n))):
            out[k] = data
        return out

    def round(self, y: Sequence[float]) -> list[Answer]:
        key = y_key(y)
        answers: list[Answer] = [None] * self.n
        todo: list[int] = []
        for k in range(self.n):
            if self.known is not None:
                found, answer = self.known(f"{k}|{key}")
                if found:
                    answers[k] = answer
                    self.reused += 1
                    continue
            todo.append(k)
        for k, answer in self._map(run_chunk, todo, list(y)):
            answers[k] = answer
            self.solved += 1
            if self.store is not None:
                self.store(f"{k}|{key}", answer)
        return answers


# -- the master --------------------------------------------------------------------------


def _coupling(region: Region, amounts: dict[str, float] | None
              ) -> list[tuple[str, int, float, float]]:
    """The coupling rows: (kind, index in a column's data, lower, upper)."""
    spec = region.spec
    rows: list[tuple[str, int, float, float]] = []
    for j, env in enumerate(spec.envelopes):
        amount = env.amount_in(0) if amounts is None else amounts.get(env.id, env.amount_in(0))
        rows.append(("env", j, -math.inf, float(amount)))
    if spec.member_pool is not None:
        rows.append(("pool", 0, -math.inf, float(spec.member_pool)))
    if spec.region_private_share is not None:
        rows.append(("share", 0, 0.0, math.inf))
    return rows


def _use(col: Column, kind: str, j: int) -> float:
    return col.after[j] if kind == "env" else col.members if kind == "pool" else col.surplus


def _program(columns: list[list[Column]], coupling: list[tuple[str, int, float, float]],
             slack: bool) -> tuple[np.ndarray, Rows, int]:
    """(costs, rows, number of column variables) of the master (with slacks) or the choice."""
    cost: list[float] = []
    conv: list[list[int]] = []
    for cols in columns:
        conv.append(list(range(len(cost), len(cost) + len(cols))))
        cost.extend(c.objective for c in cols)
    nx = len(cost)
    starts, index, value, lower, upper = [0], [], [], [], []
    for ids in conv:
        index.extend(ids)
        value.extend([1.0] * len(ids))
        starts.append(len(index))
        lower.append(1.0)
        upper.append(1.0)
    for r, (kind, j, lo, hi) in enumerate(coupling):
        p = 0
        for cols in columns:
            for c in cols:
                v = _use(c, kind, j)
                if v:
                    index.append(p)
                    value.append(v)
                p += 1
        if slack:
            index.append(nx + r)
            value.append(1.0 if kind == "share" else -1.0)
            cost.append(SLACK_PRICE)
        starts.append(len(index))
        lower.append(lo)
        upper.append(hi)
    return np.array(cost), Rows(starts, index, value, lower, upper), nx


def _master(columns: list[list[Column]], coupling: list[tuple[str, int, float, float]],
            ne: int) -> tuple[float, list[float]] | None:
    """The master LP's objective and the multipliers y (its coupling rows' duals)."""
    cost, rows, _ = _program(columns, coupling, slack=True)
    n = len(cost)
    got = solve_matrix(cost, np.zeros(n), np.full(n, math.inf), np.zeros(n, bool), rows)
    if got.row_dual is None or got.objective is None:
        return None
    y = [0.0] * (ne + 2)
    base = len(columns)
    for r, (kind, j, _, _) in enumerate(coupling):
        d = float(got.row_dual[base + r])
        if kind == "env":
            y[j] = max(0.0, -d)
        elif kind == "pool":
            y[ne] = max(0.0, -d)
        else:
            y[ne + 1] = max(0.0, d)
    return got.objective, y


def _choose(columns: list[list[Column]], coupling: list[tuple[str, int, float, float]],
            time_limit: float | None, gap_rel: float = REGION_GAP_REL / 10
            ) -> tuple[tuple[list[Column], float] | None, bool]:
    """The least-objective choice of one column per cluster meeting the coupling rows, and
    whether the time limit stopped it."""
    cost, rows, nx = _program(columns, coupling, slack=False)
    got = solve_matrix(cost, np.zeros(nx), np.ones(nx), np.ones(nx, bool), rows,
                       time_limit=time_limit, gap_rel=gap_rel, max_nodes=CHOICE_NODES)
    timed_out = got.status is Status.TIME_LIMIT
    if got.x is None:
        return None, timed_out
    out: list[Column] = []
    p = 0
    for cols in columns:
        pick = max(range(len(cols)), key=lambda k: got.x[p + k])  # type: ignore[index]
        out.append(cols[pick])
        p += len(cols)
    return (out, float(sum(c.objective for c in out))), timed_out


def _relaxation(datas: list[dict[str, Any]], coupling: list[tuple[str, int, float, float]],
                ne: int) -> tuple[float, list[float]] | None:
    """The LP relaxation of the joint program, from the clusters' arrays: its optimum (a
    proven lower bound) and the duals of its coupling rows (the first multipliers)."""
    offsets = np.cumsum([0] + [len(d["base"]) for d in datas])
    n = int(offsets[-1])
    cost = np.concatenate([d["base"] for d in datas]) if n else np.zeros(0)
    lower = np.concatenate([d["lower"] for d in datas]) if n else np.zeros(0)
    upper = np.concatenate([d["upper"] for d in datas]) if n else np.zeros(0)
    starts: list[np.ndarray] = []
    index: list[np.ndarray] = []
    value: list[np.ndarray] = []
    row_lower: list[np.ndarray] = []
    row_upper: list[np.ndarray] = []
    nnz = 0
    for d, off in zip(datas, offsets):
        starts.append(np.asarray(d["starts"][:-1], np.int64) + nnz)
        index.append(np.asarray(d["index"], np.int64) + int(off))
        value.append(np.asarray(d["value"], float))
        row_lower.append(np.asarray(d["row_lower"], float))
        row_upper.append(np.asarray(d["row_upper"], float))
        nnz += len(d["index"])
    first = sum(len(r) for r in row_lower)
    extra_starts, extra_index, extra_value, extra_lo, extra_hi = [], [], [], [], []
    for kind, j, lo, hi in coupling:
        extra_starts.append(nnz)
        vec = np.zeros(n)
        const = 0.0
        for d, off in zip(datas, offsets):
            size = len(d["base"])
            if kind == "env":
                if d["cut"][j] is not None:
                    vec[off:off + size] -= d["cut"][j]
                    const += d["today"][j]
            elif kind == "pool":
                vec[off:off + size] += d["members"]
            else:
                vec[off:off + size] += d["surplus"]
                const += d["surplus_const"]
        cols = np.flatnonzero(vec)
        extra_index.append(cols)
        extra_value.append(vec[cols])
        nnz += len(cols)
        extra_lo.append(lo - const)
        extra_hi.append(hi - const)
    rows = Rows(np.concatenate(starts + [np.array(extra_starts + [nnz], np.int64)]).tolist(),
                np.concatenate(index + extra_index).tolist(),
                np.concatenate(value + extra_value).tolist(),
                np.concatenate(row_lower + [np.array(extra_lo)]).tolist(),
                np.concatenate(row_upper + [np.array(extra_hi)]).tolist())
    got = solve_matrix(cost, lower, upper, np.zeros(n, bool), rows)
    if got.objective is None or got.row_dual is None:
        return None
    y = [0.0] * (ne + 2)
    for r, (kind, j, _, _) in enumerate(coupling):
        dual = float(got.row_dual[first + r])
        if kind == "env":
            y[j] = max(0.0, -dual)
        elif kind == "pool":
            y[ne] = max(0.0, -dual)
        else:
            y[ne + 1] = max(0.0, dual)
    return got.objective + sum(d["base_const"] for d in datas), y


def _repair(region: Region, columns: list[list[Column]],
            coupling: list[tuple[str, int, float, float]], ne: int
            ) -> tuple[list[Column], float] | None:
    """A split when no choice of columns meets the region rows: the master LP (without
    slacks) mixes columns; each cluster, in order, takes its least objective within what
    the others' mixes (or, once repaired, their plans) leave of every region row. None
    when the mix itself cannot meet them or a cluster cannot keep within its share."""
    cost, rows, nx = _program(columns, coupling, slack=False)
    got = solve_matrix(cost, np.zeros(nx), np.ones(nx), np.zeros(nx, bool), rows)
    if got.x is None:
        return None
    mixed: list[Column] = []
    p = 0
    for cols in columns:
        w = got.x[p:p + len(cols)]
        p += len(cols)
        mixed.append(Column(float(w @ [c.objective for c in cols]),
                            tuple(float(w @ [c.after[j] for c in cols]) for j in range(ne)),
                            float(w @ [c.members for c in cols]),
                            float(w @ [c.surplus for c in cols]), {}, {}))
    pick = list(mixed)
    for i in range(len(pick)):
        answer = Prepared(region, i).within(*_left_for(pick, i, coupling, ne))
        if answer is None:
            return None
        pick[i] = Column.of(answer[1])
    return pick, sum(c.objective for c in pick)


def _left_for(pick: list[Column], i: int, coupling: list[tuple[str, int, float, float]],
              ne: int) -> tuple[list[float], float | None, float | None]:
    """What the other clusters of the split leave cluster i of every coupling row: (each
    envelope's room, the pool's room or None, the share surplus it must bring or None)."""
    after = [0.0] * ne
    members: float | None = None
    surplus: float | None = None
    for kind, j, lo, hi in coupling:
        others = sum(_use(c, kind, j) for k, c in enumerate(pick) if k != i)
        if kind == "env":
            after[j] = hi - others
        elif kind == "pool":
            members = hi - others
        else:
            surplus = lo - others
    return after, members, surplus


def _polish(region: Region, pick: list[Column], coupling: list[tuple[str, int, float, float]],
            ne: int, start: float, time_limit: float | None) -> tuple[list[Column], float]:
    """Better the split cluster by cluster (in order, a few passes): each cluster's least
    objective given what the others leave of every coupling row. Each step keeps the
    split feasible and never worsens it (the cluster's own column is within its quotas)."""
    prepared: dict[int, Prepared] = {}
    pick = list(pick)
    for _ in range(POLISH_PASSES):
        better = False
        for i in range(len(pick)):
            after, members, surplus = _left_for(pick, i, coupling, ne)
            if i not in prepared:
                prepared[i] = Prepared(region, i)
            got = prepared[i].within(after, members, surplus,
                                     at_least(region.spec, pick, i, coupling, ne))
            if got is None:
                continue
            col = Column.of(got[1])
            if col.objective < pick[i].objective - 1e-9 * max(1.0, abs(pick[i].objective)):
                pick[i], better = col, True
        if not better:
            break
    return pick, sum(c.objective for c in pick)


def _spend_whole(region: Region, pick: list[Column],
                 coupling: list[tuple[str, int, float, float]], ne: int
                 ) -> list[Column] | None:
    prepared: dict[int, Prepared] = {}

    def solve(i: int, after: Sequence[float], members: float | None, surplus: float | None,
              lower: Sequence[float]) -> Column | None:
        if i not in prepared:
            prepared[i] = Prepared(region, i)
        got = prepared[i].within(after, members, surplus, lower)
        return None if got is None else Column.of(got[1])

    return spend_whole(region.spec, pick, coupling, ne, solve,
                       lambda p, i: _left_for(p, i, coupling, ne))


def _friendly(y: list[float], ne: int, coupling: list[tuple[str, int, float, float]]
              ) -> list[float]:
    out = [v * (1 + SPREAD) for v in y]
    for kind, j, _, _ in coupling:
        at = j if kind == "env" else ne if kind == "pool" else ne + 1
        out[at] = max(out[at], FLOOR[0 if kind == "env" else 1 if kind == "pool" else 2])
    return out


def _within(gap: float, value: float, tolerance: float) -> bool:
    return gap <= REGION_GAP_ABS or gap <= tolerance * max(1.0, abs(value))


def decompose_region(region: Region, *, amounts: dict[str, float] | None = None,
                     workers: int | None = None, rounds: int = MAX_ROUNDS,
                     time_limit: float | None = 60.0,
                     store: Callable[[str, Answer], None] | None = None,
                     known: Callable[[str], tuple[bool, Answer]] | None = None,
                     iterations: int | None = None, executor: Any = None,
                     tolerance: float = DECOMPOSE_GAP_REL) -> Decomposed:
    """The total-risk split by decomposition (see the module). store/known: the checkpoint
    (record a finished subproblem by its key; read one back); iterations: the first cut's
    name for `rounds`; executor: where the per-cluster work runs (None: local processes;
    Pricer says what it is).

    The multipliers priced, in order: the LP relaxation's duals, the same priced higher
    (plans that spare the coupling rows), then the master LP's duals over the columns
    found, smoothed towards the best multipliers so far, until the master and the bound
    meet, `rounds` rounds, or ROUND_SHARE of the time limit.
    """
    start = time.perf_counter()
    if iterations is not None:
        rounds = iterations
    spec = region.spec
    ne = len(spec.envelopes)
    coupling = _coupling(region, amounts)
    rhs = {("env", j): hi for kind, j, _, hi in coupling if kind == "env"}
    pricer = Pricer(region, default_workers() if workers is None else workers, store, known,
                    executor)
    columns: list[list[Column]] = [[] for _ in region.ids]
    best_bound, best_y = -math.inf, [0.0] * (ne + 2)
    history: list[tuple[float, float | None]] = []
    done = 0
    try:
        relaxed = _relaxation(pricer.prepare(), coupling, ne) if coupling else None
        if relaxed is not None:
            best_bound, best_y = relaxed[0], list(relaxed[1])
            y = [v * (1 - SPREAD) for v in best_y]
        else:
            y = [0.0] * (ne + 2)
        rounds = max(2, min(rounds, SUBPROBLEM_BUDGET // max(1, len(region.ids))))
        for r in range(rounds):
            done = r + 1
            answers = pricer.round(y)
            missing = tuple(region.ids[k] for k, a in enumerate(answers) if a is None)
            if missing:
                return Decomposed(Status.INFEASIBLE, None, math.inf, [], {}, done,
                                  subproblems=pricer.solved, reused=pricer.reused,
                                  blocking=missing, stopped="infeasible",
                                  tolerance=tolerance)
            bound = sum(a[0] for a in answers if a is not None)
            bound -= sum(y[j] * rhs[("env", j)] for j in range(ne))
            bound -= y[ne] * float(spec.member_pool or 0)
            if bound > best_bound:
                best_bound, best_y = bound, list(y)
            for k, a in enumerate(answers):
                assert a is not None
                col = Column.of(a[1])
                if not any(col.same(c) for c in columns[k]):
                    columns[k].append(col)
            if not coupling:
                break
            master = _master(columns, coupling, ne)
            history.append((bound, None if master is None else master[0]))
            if master is None:
                break
            value, y_master = master
            if _within(value - best_bound, value, tolerance):
                break
            if r == 0:
                y = _friendly(best_y if relaxed is not None else y, ne, coupling)
            else:
                y = [SMOOTHING * b + (1 - SMOOTHING) * m for b, m in zip(best_y, y_master)]
    finally:
        pricer.close()
    small = len(region.ids) <= POLISH_MAX
    picked, timed_out = _choose(columns, coupling, time_limit,
                                REGION_GAP_REL / 10 if small else tolerance / 10)
    if picked is None and coupling:
        picked = _repair(region, columns, coupling, ne)
    ncols = sum(len(c) for c in columns)
    if picked is None:
        return Decomposed(Status.TIME_LIMIT, None, best_bound, [], {}, done, ncols,
                          pricer.solved, pricer.reused, history=history,
                          stopped="time_limit" if timed_out else "rounds", tolerance=tolerance)
    pick, value = picked
    if spend_rows(spec, coupling):  # spend "all": give back what the split leaves unspent
        whole = _spend_whole(region, pick, coupling, ne)
        if whole is None:
            return Decomposed(Status.TIME_LIMIT, None, best_bound, [], {}, done, ncols,
                              pricer.solved, pricer.reused, history=history,
                              stopped="time_limit" if timed_out else "rounds",
                              tolerance=tolerance)
        pick, value = whole, sum(c.objective for c in whole)
    if small and coupling:
        pick, value = _polish(region, pick, coupling, ne, start, time_limit)
    # An answer when the split is within the tolerance of the bound (converged), whatever
    # ended the pricing; else the limit that stopped it: the choice's time limit, or the
    # counted rounds (reported as time_limit, exit 4, with the gap).
    if _within(max(0.0, value - best_bound), value, tolerance):
        status, stopped = Status.OPTIMAL, "converged"
    else:
        status = Status.TIME_LIMIT
        stopped = "time_limit" if timed_out else "rounds"
    return Decomposed(status, value, min(best_bound, value), [c.plan for c in pick],
                      {region.ids[i]: dict(c.cuts) for i, c in enumerate(pick)}, done, ncols,
                      pricer.solved, pricer.reused, history=history, stopped=stopped,
                      tolerance=tolerance)


__all__ = ["DECOMPOSE_GAP_REL", "MAX_ROUNDS", "Column", "Decomposed", "Prepared", "decompose_region", "y_key"]

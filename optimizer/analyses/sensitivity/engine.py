"""Many solves of one case, fast: the engine behind sweeps, the frontier and the tornado.

A single `optimize` builds a PuLP model and solves it once. A sensitivity run solves
the same model hundreds of times with one thing changed, so it works differently:

- The model is built once per case (`TargetEngine`) in its tight formulation
  (`build_model(tight=True)`: dominated options dropped, implied bounds added) and
  handed to HiGHS in-process. For a change of target only the rows that depend on it
  move: their coefficients and bounds are rewritten in place and the same HiGHS
  instance solves again.
- Targets are cut into chunks of increasing targets, which gives exact shortcuts. The
  plan optimal at t stays optimal for every target up to the share it reaches (the
  feasible set only shrinks as t grows, and the plan is still in it): those targets
  need no solve. Once a target is out of reach, every higher one is too (and the
  highest reachable target of a chunk is found by bisection).
- A chunk is solved from its lowest target up while those shortcuts pay, then from
  its highest target down: the plan of the target above is feasible at the one below,
  so its objective bounds the optimum there and HiGHS prunes everything worse from the
  start; it is left to prove optimality. (Given as a bound, not as a MIP start: HiGHS
  1.16 can take a start that presolve moves to another objective offset for optimal.)
- HiGHS runs without the heuristics and restarts that pay off on large models (RINS,
  RENS, feasibility jump, root reduced cost, symmetry detection, presolve probing,
  strong branching): on these small models they cost more than they save.
  Optimality is still proven, to the same gaps as `optimize`.
- Points are spread over worker processes (one per core by default), each with its own
  HiGHS on one thread. Chunks depend only on the points (never on the number of
  workers or on timing), so results are the same, in the same order, whatever the
  number of workers.

HiGHS keeps one thread scheduler per process: a forked worker drops the one it
inherited (`resetGlobalScheduler`) and starts its own on one thread before its first
solve. The calling process's HiGHS is never touched: even one worker is a process.

Every objective goes through the same engine (issue 13): the rows that move with the
target (the share row, a robust target's protection rows, the CVaR's scenario rows) are
found by building the model at two targets (`affine.TargetModel`) and rewritten in place;
the choice among plans of least risk (most members within the risk tolerance, then least
change) is two more solves of the same HiGHS instance (`_SessionSteps`). The plan-reuse
shortcut is kept off for the CVaR (its loss depends on t). `--solver cbc` keeps working:
each point is then a whole `solve`, as `optimize` runs it (the slow path).

The engine drives no solver library itself: the share row's algebra is the model's
(`Model.share_row`), and the re-solved HiGHS instance is `solvers.highs.HighsSession`.
"""

from __future__ import annotations

import math
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from ...case.schema import Case
from ...errors import CaseError, SolverError
from ...levers.base import EPS
from ...model.milp import build_model
from ...plan.evaluate import evaluate, robust_margins, violations
from ...results.point import Point
from ...solvers import SolverName
from ...solvers.forked import fork_is_safe, usable_cores
from ...solvers.highs import HighsSession, MatrixModel, single_thread_worker
from ...solvers.highs import start_one_thread_highs as start_highs_on_one_thread
from ...status import Status
from ..plans import choose_plan_with
from .affine import NotAffine, TargetModel, vector
from .params import solve_values

# HiGHS options for the many small MILPs of a sensitivity run (see the module doc).
FAST_OPTIONS: dict[str, Any] = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_detect_symmetry": False,
    "presolve_rule_off": 1 << 15,  # probing in presolve: the models are small, probing slow
    "mip_pscost_minreliable": 0,  # no strong branching on such small trees
}

# Targets solved one after another by one worker (warm starts and shortcuts work within
# a chunk). Fixed, so that results never depend on the number of workers.
CHUNK = 24

# Threads given to each HiGHS instance: 1 in a worker process; None (HiGHS's default, that
# is whatever the process's scheduler has) when an engine is used directly.
_THREADS: int | None = None


def point_from_plan(case: Case, plan: Mapping[str, float], status: str, share: float,
                    detail: str = "", solved: bool = True) -> Point:
    """A point's figures by arithmetic from the plan, rechecked against every constraint."""
    ev = evaluate(case, plan)
    broken = violations(case, ev, plan, share=share)
    if broken:
        return Point(Status.ERROR.value, dict(plan), detail="the plan fails our own recheck: "
                     + "; ".join(broken), solved=solved)
    return Point(status, dict(plan), ev.risk, ev.private_share, ev.result, ev.members,
                 {k: e.risk for k, e in ev.effects.items()}, detail, solved)


def point_by_point(case: Case) -> bool:
    """Whether a case's points each need more than one solve (the CVaR's plain plan first,
    the members step and the least-change step of the choice among plans): since the
    in-process engine makes those as re-solves of the same HiGHS model, this now only
    decides the size of the tasks of the slow path (`--solver cbc`)."""
    target = case.target
    return (getattr(target, "risk_measure", None) == "cvar" or bool(target.robust)
            or target.risk_tolerance > 0)


def whole_solves(case: Case, solver: str = "highs") -> bool:
    """Whether each point of a run is a whole `optimize` solve (the slow path, `--solver
    cbc`, on a case whose points are several solves), not re-solves in process."""
    return SolverName.parse(solver).value != "highs" and point_by_point(case)


def chunk_size(case: Case, solver: str = "highs") -> int:
    """Targets per task. CHUNK when the model is re-solved in place (shortcuts and bounds
    work within a chunk); 1 when each point is a whole solve (CBC on a case whose points
    are several solves): nothing is shared, and each point goes to a free worker and counts
    in the progress as soon as it is done."""
    return 1 if whole_solves(case, solver) else CHUNK


def _at_target(case: Case, t: float) -> Case:
    if t == case.target.private_share:
        return case
    return case.model_copy(update={"target": case.target.model_copy(
        update={"private_share": t})})


def _direct() -> bool:
    """Whether HiGHS may run in the calling thread, unsilenced (`HighsSession` direct): in
    a worker process (one HiGHS thread, Ctrl-C ignored, the banner already printed), never
    in the caller's process, where Ctrl-C must stop a solve."""
    return _THREADS == 1 and signal.getsignal(signal.SIGINT) is signal.SIG_IGN


class _SessionSteps:
    """The choice among plans (MODEL.md v2, steps 2 and 3) as re-solves of the engine's
    HiGHS model: the objective becomes the members (then the euros moved), and two rows
    added once, free until used, hold the risk under its cap and the members above their
    floor. `analyses.plans.choose_plan_with` decides, as for a single solve."""

    def __init__(self, engine: TargetEngine):
        self.engine = engine

    def members_vary(self) -> bool:
        return self.engine.members_vary

    def _run(self, cost: np.ndarray, cap: float, floor: float | None
             ) -> dict[str, float] | None:
        e = self.engine
        session = e._highs()
        session.set_costs(cost)
        session.set_row_bounds(np.array([e._cap_row, e._floor_row]),
                               np.array([-math.inf, -math.inf if floor is None
                                         else floor - e._members0]),
                               np.array([cap - e._risk0, math.inf]))
        e._dirty = True
        # The plan of the step before is feasible here: its objective bounds the search.
        cutoff = math.inf
        if e._last is not None:
            known = float(np.dot(cost, e._last))
            cutoff = known + max(1e-6 * abs(known), 1e-6)
        e.solves["members" if floor is None else "change"] += 1
        outcome = session.solve(cutoff)
        if outcome.status is Status.INFEASIBLE and cutoff < math.inf:
            outcome = session.solve(math.inf)
        if outcome.status is not Status.OPTIMAL:
            return None
        values = session.values()
        e._last = values
        e.model.load_values(e._columns, values)
        return e.model.read_plan()

    def most_members(self, risk_cap: float) -> dict[str, float] | None:
        e = self.engine
        kept = e._most
        if (e.shortcuts and kept is not None and kept[0] == risk_cap and kept[1] <= e._target
                and kept[3] is not None and _meets(e.case, kept[2], e._target)):
            # Shortcut C (`TargetEngine.walk`): the most-members plan of a target no higher,
            # under the same risk cap, reaches this target: it keeps the most members here.
            e._last = kept[3]
            return dict(kept[2])
        plan = self._run(-e._members, risk_cap, None)
        e._most = (risk_cap, e._target, plan, e._last) if plan is not None else None
        return plan

    def least_change(self, risk_cap: float, members_floor: float | None
                     ) -> dict[str, float] | None:
        return self._run(self.engine._change, risk_cap, members_floor)


class TargetEngine:
    """One case's model, built once and re-solved at many targets.

    solver "highs": the rows that depend on the target are rewritten in place
    (`affine.TargetModel`) and the same in-process HiGHS instance solves again; the
    choice among plans of least risk (members, then least change) re-solves the same
    instance with another objective; a CVaR case's model carries its scenario rows.
    solver "cbc": each target is a whole `solve`, as `optimize` runs it.
    """

    def __init__(self, case: Case, solver: str = "highs", time_limit: float | None = None):
        self.case = case
        self.solver = SolverName.parse(solver).value
        self.time_limit = time_limit
        target = case.target
        self.cvar = getattr(target, "risk_measure", None) == "cvar"
        self.general = self.solver != "highs"
        # "The plan chosen at t stays the plan up to the share it reaches" holds when the
        # objective does not depend on t (EUR at risk; not the CVaR, whose loss is each
        # scenario's shortfall from t x revenues). With a risk tolerance it needs the
        # least-risk plan to reach that share too (`_reaches`). Reach is monotone always.
        self.reuse_plans = not self.cvar and not (self.general and point_by_point(case))
        self.session: HighsSession | None = None
        self._dirty = False
        self._last: np.ndarray | None = None
        # Shortcuts A and C of `solve_targets` (the least risk holds: only the choice among
        # plans is solved; the most members hold: no members step); False: the first
        # engine's walk (bench/bench_engine.py compares). HiGHS solves made, by kind.
        self.shortcuts = True
        self.solves = {"main": 0, "members": 0, "change": 0}
        self.least: dict[str, float] | None = None
        self._least_values: np.ndarray | None = None
        # the members step's last answer: (risk cap, plan, column values)
        self._most: tuple[float, float, dict[str, float], np.ndarray | None] | None = None
        if not self.general:
            try:
                self.target_model = TargetModel(self._builder(), target.private_share)
            except NotAffine:  # pragma: no cover - never seen: every point a whole solve
                self.general = True
                self.reuse_plans = not self.cvar and not point_by_point(case)
                return
            self.model = self.target_model.model
            self.matrix: MatrixModel = self.target_model.matrix
            self._columns = self.target_model.columns
            names = self.matrix.names
            self._cost = self.matrix.cost * self.matrix.sense
            if not self.cvar:
                q = self.model.quantity
                self._risk, self._risk0 = vector(q["risk"], names)
                self._members, self._members0 = vector(q["members"], names)
                self._change, _ = vector(pulp.lpSum(t.change for t in self.model.terms.values()),
                                         names)
                self.members_vary = self.model.members_vary()

    def _builder(self) -> Callable[[float], Any]:
        case = self.case
        if not self.cvar:
            return lambda t: build_model(case, share=t, tight=True)
        from ...model.cvar import add_scenarios
        from ...plan.scenarios import OPTIMISE, Scenarios
        from ..cvar import settings

        alpha, n, seed = settings(case)
        scenarios = Scenarios(case, n, seed, OPTIMISE)

        def build(t: float) -> Any:
            at = _at_target(case, t)
            model = build_model(at, tight=True)
            add_scenarios(model, scenarios, alpha)
            return model
        return build

    # -- one target
    def reset(self) -> None:
        """Drop the HiGHS instance: the next solve starts from a fresh one."""
        self.session = None
        self._most = None

    def _highs(self) -> HighsSession:
        if self.session is None:
            self.session = HighsSession(self.matrix, self.time_limit, FAST_OPTIONS, _THREADS,
                                        direct=_direct())
            self._target: float = self.target_model.t0
            if not self.cvar:
                cols = np.flatnonzero(self._risk)
                self._cap_row = self.session.add_row(cols, self._risk[cols])
                cols = np.flatnonzero(self._members)
                self._floor_row = self.session.add_row(cols, self._members[cols])
            self._dirty = False
        return self.session

    def _set_target(self, t: float) -> None:
        session = self._highs()
        if t != self._target:
            tm = self.target_model
            values, lower, upper = tm.at(t)
            session.set_coefficients(tm.rows, tm.cols, values)
            session.set_row_bounds(tm.bound_rows, lower, upper)
            self._target = t
        if self._dirty:  # the choice's solves changed the objective and freed rows
            session.set_costs(self._cost)
            session.set_row_bounds(np.array([self._cap_row, self._floor_row]),
                                   np.array([-math.inf, -math.inf]),
                                   np.array([math.inf, math.inf]))
            self._dirty = False

    def solve(self, t: float, start: np.ndarray | Sequence[float] | None = None,
              cutoff: float | None = None) -> tuple[Point, np.ndarray | None]:
        """The plan of a single `optimize` at target t, and the solver's column values.

        start: the column values of a plan known to be feasible at t (the plan of a higher
        target); its objective bounds the search. cutoff: the objective of a plan known by
        arithmetic to be feasible at t (`cvar_moves`), used the same way. A solver failure
        is a point with status "error" (the run goes on), not an exception.
        """
        try:
            return self._solve(t, start, cutoff)
        except SolverError as exc:
            return Point(Status.ERROR.value, detail=str(exc)), None

    def _solve(self, t: float, start: np.ndarray | Sequence[float] | None,
               known: float | None = None) -> tuple[Point, np.ndarray | None]:
        if self.general:
            return self._solve_general(t), None
        self._set_target(t)
        session = self._highs()
        # A plan known to be feasible at t (the plan of a higher target) bounds the optimum:
        # HiGHS prunes everything worse from the start. (Not as a MIP start: HiGHS 1.16 can
        # take a start that presolve maps to another objective offset for optimal.)
        cutoff = math.inf
        if start is not None:
            known = float(np.dot(self._cost, start))
            cutoff = known + max(1e-6 * abs(known), 1e-6)
        elif known is not None:
            cutoff = known + max(1e-6 * abs(known), 1e-6)
        self.solves["main"] += 1
        outcome = session.solve(cutoff)
        if cutoff < math.inf and outcome.status is Status.INFEASIBLE:
            # A plan exists (the start): never report "out of reach" because of the bound.
            outcome = session.solve(math.inf)
        if not outcome.has_plan:
            return self._point(outcome.status, None, t, outcome.detail), None
        values = session.values()
        self.model.load_values(self._columns, values)
        plan = self.model.read_plan()
        self.least = plan
        self._least_values = values
        if outcome.status is Status.OPTIMAL and not self.cvar:
            plan, values = self._choose(t, plan, values)
        return self._point(outcome.status, plan, t, outcome.detail), values

    def _choose(self, t: float, plan: dict[str, float], values: np.ndarray
                ) -> tuple[dict[str, float], np.ndarray]:
        """The choice among plans of least risk at t (members, then least change), from a
        plan of least risk at t and its column values."""
        case = _at_target(self.case, t)
        ev = evaluate(case, plan)
        if violations(case, ev, plan):
            return plan, values
        self._last = values
        chosen, _ = choose_plan_with(_SessionSteps(self), case, plan, ev)
        if chosen is not plan:
            values = self._last if self._last is not None else values
        return chosen, values

    def solve_steps(self, t: float) -> tuple[Point, np.ndarray | None]:
        """The point at t when the least-risk plan of the last solve (`self.least`, at a
        lower target) reaches t: the least risk is then the same at t (see `walk`), so
        only the choice among plans is solved again, from that plan."""
        assert self.least is not None and self._least_values is not None
        try:
            self._set_target(t)
            plan, values = self._choose(t, self.least, self._least_values)
        except SolverError as exc:
            return Point(Status.ERROR.value, detail=str(exc)), None
        return point_from_plan(self.case, plan, Status.OPTIMAL.value, t,
                               "the least risk of a lower target holds here"), values

    def _point(self, status: Status, plan: dict[str, float] | None, t: float,
               detail: str) -> Point:
        if plan is None:
            return Point(status.value, detail=detail)
        return point_from_plan(self.case, plan, status.value, t, detail)

    def _solve_general(self, t: float) -> Point:
        from ..solve import solve

        case = _at_target(self.case, t)
        result = solve(case, solver=self.solver, time_limit=self.time_limit, explain=False)
        self.least = None  # not kept: no plan reuse with a risk tolerance on this path
        if result.plan is None:
            return Point(result.status.value, detail=result.solver_detail)
        return point_from_plan(case, result.plan, result.status.value, t, result.solver_detail)

    def _reaches(self, point: Point, t: float) -> bool:
        """Whether the plan chosen at a lower target is the plan at t too (exact)."""
        if point.plan is None or not _meets(self.case, point.plan, t):
            return False
        if self.case.target.risk_tolerance > 0:
            # the least risk must not move: the least-risk plan reaches t as well
            least = getattr(self, "least", None)
            return least is not None and _meets(self.case, least, t)
        return True

    # -- many targets
    def solve_targets(self, targets: Sequence[float]) -> list[Point]:
        """Each target's optimal plan; targets must be in increasing order.

        From the lowest target up while a plan also reaches the next targets (they need no
        solve); then the rest from the highest target down, each solve starting from the
        plan of the target just above, which is feasible at the lower target: HiGHS then
        only has to prove optimality. If the highest target is out of reach, a bisection
        finds the highest reachable one (reach is monotone in the target).

        The shortcuts, all exact, for an objective that does not depend on the target (EUR
        at risk, robust or not; never the CVaR). Write F(t) for the plans that meet every constraint at
        target t, r(t) for the least EUR at risk over F(t), L for the least-risk plan found
        at t and C for the plan chosen at t (within the risk tolerance of r(t): most
        members, then least change, MODEL.md v2).

        1. F(t') is a subset of F(t) for t' > t: the target enters only the share row
           `private - t x revenues >= 0` (and a robust target's protection rows, its share
           row under the low cases), whose left-hand side falls as t rises, revenues being
           positive. So r(t') >= r(t).
        2. If L reaches t' (L in F(t'), checked by arithmetic, `_meets`), then r(t') <= risk
           of L = r(t): the least risk, hence the risk cap r x (1 + tolerance), is the same
           at t'. Shortcut A: the main solve at t' is skipped; L is a least-risk plan there,
           and the choice among plans (members step, least-change step) is solved at t'
           from L (`solve_steps`).
        3. If moreover C reaches t', C is the plan chosen at t': the plans of F(t') under
           the cap are a subset of those of F(t) under the same cap, and C is among them; C
           kept the most members of the larger set, so of the smaller one (the same
           members M), and among the plans with at least M members (up to the members
           slack) it moved the fewest euros in the larger set, so in the smaller one.
           Shortcut B: no solve at all (`_reaches`).
        4. Likewise for the members step alone: the plan B of most members under a risk
           cap at t, if it reaches t' >= t and the cap at t' is the same number, keeps the
           most members at t' (a subset of the set it was best in, and B is in it).
           Shortcut C: the members step at t' is skipped (`_SessionSteps.most_members`;
           it checks t' >= t itself, so bisections and downward walks are safe).

        Neither holds for the CVaR, whose loss depends on t: such cases never come here.
        Reach is monotone (1.), so once a target is out of reach every higher one is.
        On the way up, shortcut A keeps the walk going (`shortcuts` False: neither A nor C,
        the first engine's walk, which went down as soon as the plan changed).
        """
        n = len(targets)
        out: list[Point | None] = [None] * n
        values: list[np.ndarray | None] = [None] * n

        def solve_at(i: int, start: np.ndarray | None = None) -> Point:
            point, values[i] = self.solve(targets[i], start)
            out[i] = point
            return point

        def out_of_reach_from(i: int, bound: float) -> None:
            for j in range(i, n):
                if out[j] is None:
                    out[j] = Point(Status.INFEASIBLE.value, detail=f"target above {bound:g}, "
                                   "which is already out of reach", solved=False)

        i = 0
        while i < n:
            point = solve_at(i)
            if point.status == Status.INFEASIBLE.value:
                out_of_reach_from(i + 1, targets[i])
                return out  # type: ignore[return-value]
            j = i + 1
            while point.ok and point.plan is not None and self.reuse_plans and j < n:
                if self._reaches(point, targets[j]):  # shortcut B
                    out[j] = point_from_plan(self.case, point.plan, point.status, targets[j],
                                             "the plan of a lower target reaches this one",
                                             solved=False)
                elif (self.shortcuts and self.least is not None
                      and _meets(self.case, self.least, targets[j])):  # shortcut A
                    point, values[j] = self.solve_steps(targets[j])
                    out[j] = point
                else:
                    break
                j += 1
            shortcut = j > i + 1
            i = j
            if not shortcut:
                break
        if i >= n:
            return out  # type: ignore[return-value]
        top = n - 1
        if solve_at(top).status == Status.INFEASIBLE.value:
            good, bad = i - 1, top  # i - 1 was solved and is not out of reach
            while bad - good > 1:
                mid = (good + bad) // 2
                if solve_at(mid).status == Status.INFEASIBLE.value:
                    bad = mid
                else:
                    good = mid
            out_of_reach_from(bad + 1, targets[bad])
            top = good
        start: np.ndarray | None = None
        for k in range(top, i - 1, -1):
            if out[k] is None:
                solve_at(k, start)
            if out[k].ok and values[k] is not None:  # type: ignore[union-attr]
                start = values[k]
        return out  # type: ignore[return-value]


def _meets(case: Case, plan: Mapping[str, float], t: float) -> bool:
    """Whether the plan reaches target t (exactly, by arithmetic: no tolerance), and with a
    robust target, still when its weakest levers deliver only their low case."""
    ev = evaluate(case, plan)
    if ev.private - t * ev.total_revenues < 0:
        return False
    if case.target.robust:
        share_margin, _ = robust_margins(case, plan, t)
        return share_margin >= 0
    return True


# ------------------------------------------------------------------ tasks and workers


def lever_state(lever: Any, case: Case, value: float) -> str:
    """'off' (not used), 'max' (at its maximum) or 'on'."""
    if abs(value) <= EPS:
        return "off"
    up = lever.upper_bound(case)
    if up > 0 and value >= up - 1e-6 * max(1.0, abs(up)):
        return "max"
    return "on"


@dataclass(frozen=True)
class Bisect:
    """Find the target, between low and high, where one lever leaves its state at low."""

    lever: str
    low: float
    high: float
    state_low: str
    precision: float


def run_bisect(engine: TargetEngine, job: Bisect) -> tuple[float, Point | None, Point | None]:
    """(the first target known to have left the state, the point just below, the point there).

    Each step solves the midpoint exactly; the bracket halves until it is narrower than
    the precision.
    """
    lever = engine.case.lever(job.lever)
    low, high = job.low, job.high
    at_low: Point | None = None
    at_high: Point | None = None
    start: np.ndarray | None = None  # the plan at `high`, feasible at every lower target
    while high - low > job.precision:
        mid = round((low + high) / 2, 12)
        point, values = engine.solve(mid, start)
        if point.ok and point.plan is not None and lever_state(
                lever, engine.case, point.plan.get(lever.id, 0.0)) == job.state_low:
            low, at_low = mid, point
        else:
            high, at_high = mid, point
            if point.ok:
                start = values
    return high, at_low, at_high


@dataclass(frozen=True)
class Task:
    """A batch of points of one group: the same overrides, several targets (increasing),
    or one bisection."""

    group: int
    overrides: tuple[tuple[str, Any], ...]
    targets: tuple[float, ...] | None  # None: the group's own target
    indices: tuple[int, ...]  # where each answer goes in the caller's list
    bisect: Bisect | None = None
    # (path, values): one lever parameter at several values on the group's case, the
    # model re-solved in place when the parameter only moves coefficients and bounds
    # (`params.solve_values`); one answer per value, at the group's own target.
    values: tuple[str, tuple[Any, ...]] | None = None


_BASE: Case | None = None
_SETTINGS: tuple[str, float | None] = ("highs", None)
_ENGINES: dict[str, TargetEngine | Exception] = {}


def _group_engine(overrides: tuple[tuple[str, Any], ...]) -> TargetEngine | Exception:
    """The engine of a group (cached: a worker often gets several chunks of one group)."""
    key = repr(overrides)
    if key not in _ENGINES:
        if len(_ENGINES) > 64:
            _ENGINES.clear()
        assert _BASE is not None
        solver, time_limit = _SETTINGS
        try:
            case = _BASE.with_values(dict(overrides)) if overrides else _BASE
            _ENGINES[key] = TargetEngine(case, solver, time_limit)
        except CaseError as exc:
            _ENGINES[key] = exc
    return _ENGINES[key]


def run_task(task: Task) -> list[Point]:
    engine = _group_engine(task.overrides)
    if isinstance(engine, Exception):
        text = "; ".join(engine.problems) if isinstance(engine, CaseError) else str(engine)
        return [Point("invalid", detail=text, solved=False) for _ in task.indices]
    engine.reset()  # a fresh HiGHS per task: answers never depend on what ran before
    if task.bisect is not None:
        return [Point("bisect", found=run_bisect(engine, task.bisect), solved=True)]
    if task.values is not None:
        return solve_values(engine, task.values[0], task.values[1])
    targets = task.targets or (engine.case.target.private_share,)
    return engine.solve_targets(targets)


def _init_worker(base: Case, solver: str, time_limit: float | None) -> None:
    global _BASE, _SETTINGS, _THREADS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _BASE, _SETTINGS, _THREADS = base, (solver, time_limit), 1
    _ENGINES.clear()
    # A forked worker inherits the parent's HiGHS scheduler but not its threads: drop it,
    # and start this process's scheduler on one thread with a trivial model, so that
    # every HiGHS of this worker (ours, and solve's for CVaR cases) uses it.
    single_thread_worker()


def start_one_thread_highs() -> None:
    """Start this process's HiGHS scheduler on one thread, so that every later HiGHS of
    the process (the engines' included) runs single-threaded."""
    global _THREADS
    _THREADS = 1
    start_highs_on_one_thread()


def default_workers() -> int:
    return usable_cores()


def _context() -> Any:
    """fork where it is safe and fast (`fork_is_safe`: Linux, no Python threads running),
    else a fresh interpreter per worker."""
    methods = multiprocessing.get_all_start_methods()
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def run_tasks(base: Case, tasks: Sequence[Task], total: int, *, solver: str = "highs",
              time_limit: float | None = None, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[Point]:
    """Run the tasks and return one Point per index (0 .. total-1).

    A task whose first target lies above a target of its group already found out of
    reach is answered without a solve. workers: processes to use (default: one per core).
    """
    results: list[Point | None] = [None] * total
    out_of_reach: dict[int, float] = {}
    done = 0

    def record(task: Task, points: list[Point]) -> None:
        nonlocal done
        for index, t, point in zip(task.indices, task.targets or (None,) * len(task.indices),
                                   points):
            results[index] = point
            if t is not None and point.status == Status.INFEASIBLE.value and point.solved:
                out_of_reach[task.group] = min(out_of_reach.get(task.group, math.inf), t)
        done += len(task.indices)
        if progress is not None:
            progress(done, total)

    def skip(task: Task) -> bool:
        bound = out_of_reach.get(task.group)
        if bound is None or not task.targets or task.targets[0] <= bound:
            return False
        record(task, [Point(Status.INFEASIBLE.value, detail=f"target above {bound:g}, which "
                            "is already out of reach", solved=False) for _ in task.indices])
        return True

    # Always in worker processes, even for one: each worker's HiGHS runs on one thread, so
    # the answers are the same whatever the number of workers, and the calling process's
    # own HiGHS settings are never touched.
    workers = default_workers() if workers is None else max(1, workers)
    workers = max(1, min(workers, len(tasks)))
    pending = list(reversed(tasks))
    running: dict[Future[list[Point]], Task] = {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                               initializer=_init_worker, initargs=(base, solver, time_limit))
    try:
        while pending or running:
            while pending and len(running) < 2 * workers:
                task = pending.pop()
                if not skip(task):
                    running[pool.submit(run_task, task)] = task
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f].indices[0]):
                record(running.pop(future), future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [p if p is not None else Point(Status.ERROR.value, detail="not solved")
            for p in results]


def target_tasks(group: int, overrides: Iterable[tuple[str, Any]], targets: Sequence[float],
                 indices: Sequence[int], chunk: int = CHUNK) -> list[Task]:
    """Tasks for the targets of one group: sorted, cut into fixed chunks."""
    order = sorted(range(len(targets)), key=lambda k: targets[k])
    key = tuple(overrides)
    out = []
    for s in range(0, len(order), chunk):
        part = order[s:s + chunk]
        out.append(Task(group, key, tuple(float(targets[k]) for k in part),
                        tuple(indices[k] for k in part)))
    return out


__all__ = [
    "FAST_OPTIONS",
    "Bisect",
    "Point",
    "TargetEngine",
    "Task",
    "chunk_size",
    "default_workers",
    "lever_state",
    "point_by_point",
    "point_from_plan",
    "run_bisect",
    "run_tasks",
    "start_one_thread_highs",
    "target_tasks",
    "whole_solves",
]

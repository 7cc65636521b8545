"""HiGHS in-process (highspy): a PuLP problem as arrays, a quiet and exact solve, and the
re-solving session the sensitivity engine uses (a model changed in place, solved again).

highspy is imported on first use: a run that never asks for HiGHS never loads it.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from ..errors import SolverError
from ..status import SolverOutcome, Status
from .base import GAP_ABS, GAP_REL, Solver
from .names import SolverName

# EUR of slack for the rows of a model without columns (a case with no enabled lever).
EMPTY_ROW_TOL = 1e-6
# HiGHS's random seed (fixed: the same case gives the same plan on every run).
HIGHS_SEED = 0


class Highs(Solver):
    name = SolverName.HIGHS
    seed = HIGHS_SEED

    def solve(self, prob: Any, time_limit: float | None = None) -> SolverOutcome:
        return run_highs_problem(prob, time_limit)

    def version(self) -> str:
        return highs_version()


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence C-level writes to standard output (HiGHS prints a banner once per process).

    The process's file descriptor 1 is silenced, whatever `sys.stdout` is: HiGHS writes
    to it directly, also when Python's standard output is redirected to an object without
    a file (`contextlib.redirect_stdout`, doctest, a notebook) or in a worker process.
    """
    for stream in (sys.stdout, sys.__stdout__):
        try:
            if stream is not None:
                stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    fd = 1
    try:
        saved = os.dup(fd)
    except OSError:  # no standard output at all: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


_HIGHS: Any = None


def _highspy() -> Any:
    global _HIGHS
    if _HIGHS is None:
        try:
            import highspy
        except ImportError:
            raise SolverError("HiGHS is not installed: pip install highspy, or use --solver cbc") \
                from None
        with quiet_stdout():
            highspy.Highs()  # the banner is printed here, once per process
        _HIGHS = highspy
    return _HIGHS


def highs_version() -> str:
    h = _highspy()
    with quiet_stdout():
        inst = h.Highs()
    try:
        return f"HiGHS {inst.version()}"
    except Exception:  # noqa: BLE001 - older highspy builds have no version()
        return "HiGHS"


@dataclass
class MatrixModel:
    """A PuLP problem as arrays, ready for highspy (columns ordered as `names`)."""

    names: list[str]
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_names: list[str]
    sense: int  # +1 minimise, -1 maximise
    offset: float


def to_matrix(prob: pulp.LpProblem) -> MatrixModel:
    variables = prob.variables()
    col = {v.name: j for j, v in enumerate(variables)}
    inf = math.inf
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], bool)
    cost = np.zeros(len(variables))
    for v, c in prob.objective.items():
        cost[col[v.name]] = c
    starts, index, value, row_lower, row_upper, row_names = [0], [], [], [], [], []
    for con in prob.constraints():
        name = con.name
        for v, c in con.items():
            if c != 0:
                index.append(col[v.name])
                value.append(c)
        starts.append(len(index))
        rhs = -con.constant
        row_lower.append(rhs if con.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -inf)
        row_upper.append(rhs if con.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else inf)
        row_names.append(name)
    return MatrixModel(
        names=[v.name for v in variables], cost=cost, lower=lower, upper=upper, integer=integer,
        row_lower=np.array(row_lower, float), row_upper=np.array(row_upper, float),
        starts=np.array(starts, np.int32), index=np.array(index, np.int32),
        value=np.array(value, float), row_names=row_names,
        sense=1 if prob.sense == pulp.LpMinimize else -1,
        offset=float(prob.objective.constant),
    )


def new_highs(model: MatrixModel, time_limit: float | None = None) -> Any:
    """A highspy.Highs holding the model, quiet and tuned for exact small MILPs."""
    h = _highspy()
    with quiet_stdout():
        inst = h.Highs()
    inst.setOptionValue("output_flag", False)
    inst.setOptionValue("mip_rel_gap", GAP_REL)
    inst.setOptionValue("mip_abs_gap", GAP_ABS)
    inst.setOptionValue("random_seed", HIGHS_SEED)
    if time_limit is not None:
        inst.setOptionValue("time_limit", float(time_limit))
    n = len(model.names)
    inst.addVars(n, model.lower, model.upper)
    if n:
        inst.changeColsCost(n, np.arange(n, dtype=np.int32), model.cost * model.sense)
        ints = np.flatnonzero(model.integer).astype(np.int32)
        if len(ints):
            inst.changeColsIntegrality(len(ints), ints,
                                       np.array([h.HighsVarType.kInteger] * len(ints)))
    m = len(model.row_names)
    if m:
        inst.addRows(m, model.row_lower, model.row_upper, len(model.index), model.starts[:-1],
                     model.index, model.value)
    return inst


def _run_interruptible(inst: Any) -> None:
    """inst.run(), but Ctrl-C stops it: HiGHS runs in highspy's worker thread while this
    thread waits on a lock (a wait that signals interrupt), and on KeyboardInterrupt HiGHS
    is told to stop and joined before the interrupt goes on. highspy's own handler is not
    used: it prints to standard output and turns Ctrl-C into a status."""
    inst.HandleKeyboardInterrupt = False
    inst.HandleUserInterrupt = True
    worker = inst.startSolve()
    try:
        while not inst.wait(-1)[0]:
            pass
    except BaseException:
        inst.cancelSolve()
        worker.join()
        raise


def run_highs(inst: Any, model: MatrixModel, direct: bool = False) -> SolverOutcome:
    """Run a prepared highspy instance and map its outcome.

    direct: call HiGHS in this thread, without silencing standard output (for a process
    that ignores Ctrl-C and whose HiGHS already printed its banner: a sensitivity worker;
    saves a thread and two file-descriptor swaps per solve)."""
    h = _highspy()
    start = time.perf_counter()
    if direct:
        inst.run()
    else:
        with quiet_stdout():
            _run_interruptible(inst)
    seconds = time.perf_counter() - start
    status = inst.getModelStatus()
    info = inst.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    ms = h.HighsModelStatus
    if status == ms.kOptimal:
        result_status, has_plan = Status.OPTIMAL, True
    elif status == ms.kInfeasible:
        result_status, has_plan = Status.INFEASIBLE, False
    elif status == ms.kUnboundedOrInfeasible:
        # HiGHS cannot tell these apart on a MILP; our models have bounded variables,
        # so the answer is infeasibility.
        result_status, has_plan = Status.INFEASIBLE, False
    elif status == ms.kUnbounded:
        result_status, has_plan = Status.UNBOUNDED, False
    elif status == ms.kModelEmpty:
        # No column at all (no enabled lever): every row's activity is 0, so the answer is
        # whether 0 lies within each row's bounds (HiGHS itself only says "Empty").
        feasible = bool(np.all(model.row_lower <= EMPTY_ROW_TOL)
                        and np.all(model.row_upper >= -EMPTY_ROW_TOL))
        result_status, has_plan = (Status.OPTIMAL, True) if feasible else (Status.INFEASIBLE,
                                                                           False)
        if feasible:
            return SolverOutcome(result_status, True, {}, model.offset, "highs", "",
                                 "Empty model: feasible", seconds)
    elif status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt):
        result_status, has_plan = Status.TIME_LIMIT, has_solution
    else:
        result_status, has_plan = Status.ERROR, False
    values: dict[str, float] = {}
    objective = None
    if has_plan:
        col_value = inst.getSolution().col_value
        values = dict(zip(model.names, map(float, col_value)))
        objective = model.sense * info.objective_function_value + model.offset
    return SolverOutcome(result_status, has_plan, values, objective, "highs", "",
                         inst.modelStatusToString(status), seconds)


def run_highs_problem(prob: pulp.LpProblem, time_limit: float | None) -> SolverOutcome:
    model = to_matrix(prob)
    inst = new_highs(model, time_limit)
    outcome = run_highs(inst, model)
    if outcome.has_plan:
        for v in prob.variables():
            v.varValue = outcome.values.get(v.name)
    return SolverOutcome(outcome.status, outcome.has_plan, outcome.values, outcome.objective,
                         "highs", highs_version(), outcome.detail, outcome.seconds)


class HighsSession:
    """One model in one HiGHS instance, changed in place and solved again (sensitivity runs).

    threads: HiGHS threads (None: whatever the process's scheduler has). options: extra
    HiGHS options (an older HiGHS refuses unknown ones, harmlessly). direct: each solve
    runs in the calling thread, not silenced and not interruptible (`run_highs`): only for
    a process that ignores Ctrl-C (a sensitivity worker).
    """

    def __init__(self, model: MatrixModel, time_limit: float | None = None,
                 options: Mapping[str, Any] | None = None, threads: int | None = None,
                 direct: bool = False):
        self.model = model
        self.direct = direct
        self.inst = new_highs(model, time_limit)
        for key, value in (options or {}).items():
            self.inst.setOptionValue(key, value)
        if threads is not None:
            self.inst.setOptionValue("threads", threads)

    def set_row(self, row: int, columns: list[int], coefficients: np.ndarray,
                lower: float) -> None:
        """Rewrite a row's coefficients on the given columns, and its lower bound."""
        for j in columns:
            self.inst.changeCoeff(row, j, float(coefficients[j]))
        self.inst.changeRowBounds(row, lower, math.inf)

    def set_coefficients(self, rows: np.ndarray, columns: np.ndarray,
                         values: np.ndarray) -> None:
        """Rewrite single coefficients (row i, column j) = value (a new entry if it was 0)."""
        change = self.inst.changeCoeff
        for i, j, v in zip(rows.tolist(), columns.tolist(), values.tolist()):
            change(i, j, v)

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Rewrite the bounds of several rows at once."""
        if len(rows):
            self.inst.changeRowsBounds(len(rows), np.asarray(rows, np.int32),
                                       np.asarray(lower, float), np.asarray(upper, float))

    def set_col_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Rewrite the bounds of several columns at once."""
        if len(columns):
            self.inst.changeColsBounds(len(columns), np.asarray(columns, np.int32),
                                       np.asarray(lower, float), np.asarray(upper, float))

    def set_costs(self, cost: np.ndarray) -> None:
        """A new objective (minimised), one cost per column."""
        n = len(cost)
        if n:
            self.inst.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, float))

    def add_row(self, columns: np.ndarray, values: np.ndarray, lower: float = -math.inf,
                upper: float = math.inf) -> int:
        """Append a row (free unless bounds are given); its index."""
        index = self.inst.getNumRow()
        self.inst.addRow(lower, upper, len(columns), np.asarray(columns, np.int32),
                         np.asarray(values, float))
        return int(index)

    def solve(self, cutoff: float = math.inf) -> SolverOutcome:
        """Solve; cutoff bounds the objective (only plans at least as good are sought)."""
        self.inst.setOptionValue("objective_bound", cutoff)
        return run_highs(self.inst, self.model, self.direct)

    def values(self) -> np.ndarray:
        return np.array(self.inst.getSolution().col_value, dtype=float)

    def dual_bound(self, objective: float) -> float:
        """A proven lower bound on the last solve's minimum (its MIP dual bound, never above
        the objective found; the objective itself for an LP)."""
        dual = getattr(self.inst.getInfo(), "mip_dual_bound", None)
        if dual is None or not math.isfinite(dual):
            return objective
        return min(objective, float(dual) + self.model.offset)


def start_one_thread_highs() -> None:
    """Start this process's HiGHS scheduler on one thread, with a trivial model, so that
    every later HiGHS of the process runs single-threaded (the scheduler is process-wide)."""
    import highspy

    with quiet_stdout():
        inst = highspy.Highs()
        inst.setOptionValue("output_flag", False)
        inst.setOptionValue("threads", 1)
        inst.addVar(0.0, 1.0)
        inst.run()


def single_thread_worker() -> bool:
    """In a forked worker: drop the HiGHS scheduler inherited from the parent (its threads
    are gone) and start this process's own on one thread. False when highspy is missing."""
    try:
        import highspy
    except ImportError:
        return False
    if hasattr(highspy.Highs, "resetGlobalScheduler"):
        highspy.Highs.resetGlobalScheduler(False)
    start_one_thread_highs()
    return True


__all__ = ["EMPTY_ROW_TOL", "HIGHS_SEED", "Highs", "HighsSession", "MatrixModel",
           "highs_version", "new_highs", "quiet_stdout", "run_highs", "run_highs_problem",
           "single_thread_worker", "start_one_thread_highs", "to_matrix"]

"""The one place that runs a solver.

`run(prob, solver, time_limit)` solves a PuLP problem with CBC (PuLP's bundled
binary, a separate process) or HiGHS (in-process, through highspy) and maps
every outcome to a `Status`. Infeasible is an answer, not an exception; only a
missing or crashing solver raises `SolverError`.

Traps of PuLP 3.3 handled here: the solver is always passed explicitly (the
default changes when a `cbc` is on the PATH); "Optimal" after a time limit is
trusted only when `sol_status` says the solution is optimal; CBC leaves junk
values on infeasible models, so values are read only for a plan.
"""

from __future__ import annotations

import enum
import math
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pulp

from .errors import SolverError

SolverName = Literal["cbc", "highs"]
SOLVERS: tuple[str, ...] = ("cbc", "highs")

# Relative and absolute optimality gaps: small enough that CBC and HiGHS agree on
# the optimal EUR at risk to well within MODEL.md's 1e-6 relative.
GAP_REL = 1e-9
GAP_ABS = 1e-6
# EUR of slack for the rows of a model without columns (a case with no enabled lever).
EMPTY_ROW_TOL = 1e-6


# HiGHS's random seed (fixed: the same case gives the same plan on every run). CBC is run
# with its own default seeds, which are fixed too.
HIGHS_SEED = 0


def solver_options(solver: str, time_limit: float | None) -> dict[str, Any]:
    """The options a solve runs with, for the audit trail of a result."""
    return {"time_limit": time_limit, "gap_rel": GAP_REL, "gap_abs": GAP_ABS,
            "seed": HIGHS_SEED if solver == "highs" else "cbc default (fixed)",
            }


class Status(str, enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def exit_code(self) -> int:
        return {Status.OPTIMAL: 0, Status.INFEASIBLE: 3}.get(self, 4)


@dataclass(frozen=True)
class SolverOutcome:
    status: Status
    has_plan: bool  # a feasible plan was found (proven optimal only when status is OPTIMAL)
    values: dict[str, float] = field(default_factory=dict)
    objective: float | None = None
    solver: str = "cbc"
    solver_version: str = ""
    detail: str = ""  # what the solver said, in its words
    seconds: float = 0.0


def run(prob: pulp.LpProblem, solver: str = "cbc", time_limit: float | None = None) -> SolverOutcome:
    if solver == "cbc":
        return _run_cbc(prob, time_limit)
    if solver == "highs":
        return _run_highs(prob, time_limit)
    raise SolverError(f"unknown solver '{solver}'; use one of {', '.join(SOLVERS)}")


# ------------------------------------------------------------------ CBC


def cbc_version() -> str:
    return f"CBC bundled with PuLP {pulp.__version__}"


def _cbc_solver(time_limit: float | None, tmp_dir: str, preprocess: bool = False) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PuLP 3.3 warns that 4.0 drops the bundled CBC
        # No `threads` option: CBC's default (0) runs without threads. The bundled CBC 2.10.3
        # given `-threads 1` hangs for 10 s in about 1 run in 300 (a lock race in its
        # threaded code; coin-or/Cbc#640, coin-or/pulp#737).
        # `preprocess off`: the bundled CBC 2.10.3's preprocessing can fix variables wrongly
        # and report a worse plan as proven optimal (a random case found it 3.9 % above
        # HiGHS's optimum, like coin-or/Cbc#449, fixed in 2.10.7). Our models are small.
        cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=GAP_REL, gapAbs=GAP_ABS,
                                options=[] if preprocess else ["preprocess off"])
    cmd.tmpDir = tmp_dir
    return cmd


def _run_cbc(prob: pulp.LpProblem, time_limit: float | None) -> SolverOutcome:
    start = time.perf_counter()
    # Our own folder for CBC's files: parallel solves never share one, and an
    # interrupted run (Ctrl-C) leaves nothing behind.
    tmp_dir = tempfile.mkdtemp(prefix="cluster-opt-cbc-")
    try:
        cmd = _cbc_solver(time_limit, tmp_dir)
        if not cmd.available():
            raise SolverError("CBC is not available: PuLP's bundled cbc binary is missing. "
                              "Reinstall with: pip install --force-reinstall 'pulp>=3.3,<4', "
                              "or use --solver highs")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    prob.solve(cmd)
                except pulp.PulpSolverError:
                    # Without preprocessing, CBC 2.10.3 crashes (SIGSEGV) on some infeasible
                    # models ("infeasible - tightenPrimalBounds"); with it, it answers.
                    prob.solve(_cbc_solver(time_limit, tmp_dir, preprocess=True))
        except pulp.PulpSolverError as exc:
            raise SolverError(f"CBC failed: {exc}. Try --solver highs") from None
        except Exception as exc:  # noqa: BLE001 - a truncated or garbled solution file
            raise SolverError(f"CBC failed: its answer could not be read ({type(exc).__name__}: "
                              f"{exc}). Try --solver highs") from None
        except BaseException:
            # Ctrl-C (or any other interruption) while CBC runs: PuLP leaves its CBC
            # running, writing into the folder we are about to remove. Stop it first.
            _stop_children(tmp_dir)
            raise
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    seconds = time.perf_counter() - start
    status, sol = prob.status, prob.sol_status
    if sol == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        result_status, has_plan = Status.OPTIMAL, True
    elif sol == pulp.LpSolutionIntegerFeasible:
        result_status, has_plan = Status.TIME_LIMIT, True
    elif status == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        result_status, has_plan = Status.INFEASIBLE, False
    elif status == pulp.LpStatusUnbounded or sol == pulp.LpSolutionUnbounded:
        result_status, has_plan = Status.UNBOUNDED, False
    elif status == pulp.LpStatusNotSolved and time_limit is not None:
        result_status, has_plan = Status.TIME_LIMIT, False
    else:
        result_status, has_plan = Status.ERROR, False
    values: dict[str, float] = {}
    objective = None
    if has_plan:
        values = {v.name: float(v.varValue) if v.varValue is not None else 0.0
                  for v in prob.variables()}
        objective = pulp.value(prob.objective)
    return SolverOutcome(result_status, has_plan, values, objective, "cbc", cbc_version(),
                         f"{pulp.LpStatus.get(status, status)} / "
                         f"{pulp.LpSolution.get(sol, sol)}", seconds)


def _stop_children(marker: str, grace: float = 5.0) -> None:
    """Terminate (then kill) our child processes whose command line holds marker.

    Linux only (it reads /proc); elsewhere an interrupted CBC finishes on its own and
    finds its folder gone.
    """
    me = os.getpid()
    pids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            if ppid != me:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    pids.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    for pid in pids:
        with suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for pid in pids:
        with suppress(ChildProcessError):
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.01)


# ------------------------------------------------------------------ HiGHS (in-process)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level writes to standard output (HiGHS prints a banner once per process)."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
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
        with _quiet_stdout():
            highspy.Highs()  # the banner is printed here, once per process
        _HIGHS = highspy
    return _HIGHS


def highs_version() -> str:
    h = _highspy()
    with _quiet_stdout():
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
    with _quiet_stdout():
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


def run_highs(inst: Any, model: MatrixModel) -> SolverOutcome:
    """Run a prepared highspy instance and map its outcome."""
    h = _highspy()
    start = time.perf_counter()
    with _quiet_stdout():
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


def _run_highs(prob: pulp.LpProblem, time_limit: float | None) -> SolverOutcome:
    model = to_matrix(prob)
    inst = new_highs(model, time_limit)
    outcome = run_highs(inst, model)
    if outcome.has_plan:
        for v in prob.variables():
            v.varValue = outcome.values.get(v.name)
    return SolverOutcome(outcome.status, outcome.has_plan, outcome.values, outcome.objective,
                         "highs", highs_version(), outcome.detail, outcome.seconds)

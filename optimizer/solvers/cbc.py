"""CBC, bundled with PuLP, run as a separate process in its own temporary folder.

Traps of PuLP 3.3 handled here: the solver is always passed explicitly (the
default changes when a `cbc` is on the PATH); "Optimal" after a time limit is
trusted only when `sol_status` says the solution is optimal; CBC leaves junk
values on infeasible models, so values are read only for a plan.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import warnings
from contextlib import suppress
from typing import Any

import pulp

from ..errors import SolverError
from ..status import SolverOutcome, Status
from .base import GAP_ABS, GAP_REL, Solver
from .names import SolverName


class Cbc(Solver):
    name = SolverName.CBC
    seed = "cbc default (fixed)"  # CBC runs with its own default seeds, which are fixed

    def solve(self, prob: Any, time_limit: float | None = None) -> SolverOutcome:
        return run_cbc(prob, time_limit)

    def version(self) -> str:
        return cbc_version()


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


def run_cbc(prob: pulp.LpProblem, time_limit: float | None) -> SolverOutcome:
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


__all__ = ["Cbc", "cbc_version", "run_cbc"]

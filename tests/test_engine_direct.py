"""Issue 13 (`sweepfast`): a sensitivity worker runs HiGHS in its own thread, unsilenced
(`HighsSession(direct=True)`), instead of through a helper thread that Ctrl-C can stop.
Only where Ctrl-C is ignored (a worker process), and with the same answers: each solve
of the same model and each point of a sweep run by workers is compared with the
interruptible path and with single solves.
"""

from __future__ import annotations

import math
import signal

import numpy as np

import optimizer
from optimizer.analyses.sensitivity import engine
from optimizer.analyses.sensitivity.common import TARGET
from optimizer.analyses.sensitivity.engine import (
    FAST_OPTIONS,
    TargetEngine,
    run_tasks,
    target_tasks,
)
from optimizer.solvers.highs import HighsSession

from .test_engine_v2 import AURA, _same


def test_direct_only_where_ctrl_c_is_ignored(monkeypatch):
    monkeypatch.setattr(engine, "_THREADS", 1)
    # Ctrl-C as a terminal gives it (a runner started in the background of a script
    # inherits it ignored), then ignored as in a worker process.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert not engine._direct()  # the caller's process: Ctrl-C must stop a solve
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        assert engine._direct()
        monkeypatch.setattr(engine, "_THREADS", None)
        assert not engine._direct()  # not a worker's one-thread HiGHS
    finally:
        signal.signal(signal.SIGINT, previous)


def test_direct_and_interruptible_solves_agree():
    """The same model at several targets, solved both ways: the same status, objective
    and column values."""
    eng = TargetEngine(optimizer.load_case(AURA))
    tm = eng.target_model
    sessions = [HighsSession(eng.matrix, None, FAST_OPTIONS, None, direct=d) for d in (False, True)]
    for t in (0.505, 0.53, 0.58, 0.6169, 0.63):
        values, lower, upper = tm.at(t)
        outcomes = []
        for session in sessions:
            session.set_coefficients(tm.rows, tm.cols, values)
            session.set_row_bounds(tm.bound_rows, lower, upper)
            outcomes.append((session.solve(math.inf), session))
        (a, sa), (b, sb) = outcomes
        assert a.status == b.status, t
        if a.has_plan:
            assert math.isclose(a.objective, b.objective, rel_tol=1e-9, abs_tol=1e-6), t
            assert np.allclose(sa.values(), sb.values(), atol=1e-6), t


def test_worker_points_equal_single_solves():
    """Targets of the bundled case run by a worker process (the direct path) equal single
    `optimize` runs of each target, out of reach included."""
    case = optimizer.load_case(AURA)
    targets = [0.5013, 0.5262, 0.5551, 0.5807, 0.6102, 0.6169, 0.64]
    tasks = target_tasks(0, (), targets, list(range(len(targets))))
    points = run_tasks(case, tasks, len(targets), workers=1)
    for t, point in zip(targets, points):
        single = optimizer.solve(case.with_values({TARGET: t}), solver="highs", explain=False)
        assert _same(point, single) == "", (t, _same(point, single))

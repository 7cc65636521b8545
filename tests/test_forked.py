"""`optimizer.solvers.forked.forked_map`: half a map computed in a forked child, the same
results in the same order as the plain loop, whatever happens to the child; and the
region's probing through it (solvers/blocks.py) giving the same bounds and the same plan.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import optimizer
from optimizer.model.region import block_of, build_region_model
from optimizer.solvers import blocks
from optimizer.solvers.blocks import _probe, lagrange, run_blocks_bounded
from optimizer.solvers.forked import forked_map, halves
from optimizer.solvers.highs import to_matrix
from tests.interrupts import interrupt, start_from_a_terminal, wait_for
from tests.region_gen import generate_region

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")

PARENT = os.getpid()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_the_child_computes_half_and_the_results_keep_their_order():
    items = list(range(9))
    weights = [1, 5, 2, 8, 3, 3, 1, 7, 2]
    got = forked_map(_square_and_pid, items, weights)
    assert [v for v, _ in got] == [x * x for x in items]
    mine, theirs = halves(weights)
    assert sorted(mine + theirs) == items and mine and theirs
    pids = {pid for _, pid in got}
    assert len(pids) == 2  # one share came from another process
    assert {got[i][1] for i in mine} == {os.getpid()}
    assert {got[i][1] for i in theirs} != {os.getpid()}


def test_the_split_depends_on_the_weights_only_and_balances_them():
    weights = [4.0, 1.0, 3.0, 2.0, 2.0, 3.0]
    assert halves(weights) == halves(list(weights))
    mine, theirs = halves(weights)
    load = [sum(weights[i] for i in side) for side in (mine, theirs)]
    assert abs(load[0] - load[1]) <= max(weights)


def test_no_fork_when_told_or_when_there_is_one_item():
    assert forked_map(_square_and_pid, [3], [1.0]) == [(9, os.getpid())]
    got = forked_map(_square_and_pid, [1, 2, 3], [1.0, 1.0, 1.0], fork=False)
    assert got == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


def _fails_in_child(x: int) -> int:
    if os.getpid() != PARENT:
        raise RuntimeError("the child fails")
    return x + 100


def _dies_in_child(x: int) -> int:
    if os.getpid() != PARENT:
        os._exit(7)
    return x + 100


def test_a_child_that_fails_or_dies_costs_time_not_the_answer():
    for fn in (_fails_in_child, _dies_in_child):
        assert forked_map(fn, list(range(6)), [1.0] * 6) == [x + 100 for x in range(6)]


def _hang_in_child(marker: Path) -> None:
    """In the child only: write its pid to marker, then hang."""
    if os.getpid() != PARENT:
        marker.write_text(str(os.getpid()))
        time.sleep(600)


def test_a_child_that_hangs_is_killed_and_its_share_computed_here(tmp_path):
    marker = tmp_path / "child.pid"

    def hangs_in_child(x: int) -> int:
        _hang_in_child(marker)
        return -x

    started = time.monotonic()
    got = forked_map(hangs_in_child, [1, 2, 3, 4], [1.0] * 4, wait=0.5)
    assert got == [-1, -2, -3, -4]
    assert time.monotonic() - started < 60
    assert _gone(int(marker.read_text()))  # killed and reaped, no zombie left


def test_an_interrupt_here_kills_the_child_first(tmp_path):
    marker = tmp_path / "child.pid"

    def interrupted(x: int) -> int:
        _hang_in_child(marker)
        if os.getpid() != PARENT:
            return x
        for _ in range(200):  # the child has started
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.05)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        forked_map(interrupted, [1, 2], [1.0, 1.0])
    assert _gone(int(marker.read_text()))


def test_the_child_ignores_ctrl_c(tmp_path):
    """Ctrl-C in a terminal reaches the whole process group: the child ignores it (this
    process decides), and still answers."""
    def interrupted_child(x: int) -> tuple[int, int]:
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        return 2 * x, os.getpid()

    got = forked_map(interrupted_child, [1, 2, 3, 4], [1.0] * 4)
    assert [v for v, _ in got] == [2, 4, 6, 8]
    assert len({pid for _, pid in got}) == 2  # the child's share is the child's answer


CTRL_C_AT_FORK = """
import os, signal
from optimizer.solvers import forked

real_fork = os.fork

def fork():  # a Ctrl-C that reaches the child at once, before it can ignore it
    pid = real_fork()
    if pid == 0:
        os.kill(os.getpid(), signal.SIGINT)
    return pid

os.fork = fork
print(os.getpid(), forked.forked_map(lambda x: (x * x, os.getpid()), [1, 2, 3, 4],
                                     [1, 1, 1, 1]))
"""


def test_a_ctrl_c_that_reaches_the_child_at_the_fork_is_ignored_there(tmp_path):
    """The child must not go on as a second copy of the program (it would print, and raise
    KeyboardInterrupt, as this one): Ctrl-C is held back across the fork, and the child
    ignores it. The child's half is computed by the child, and only this process prints."""
    script = tmp_path / "ctrl_c_at_fork.py"
    script.write_text(CTRL_C_AT_FORK)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    here, results = lines[0].split(" ", 1)
    values = ast.literal_eval(results)
    assert [v for v, _ in values] == [1, 4, 9, 16]
    assert {pid for _, pid in values} - {int(here)}  # the child did compute its half


def _region(seed: int, clusters: int):
    return optimizer.load_region(generate_region(clusters, seed, pool=True, share=True,
                                                 cut=(0.05, 0.3)))


@pytest.mark.parametrize("seed,clusters", [(3, 5), (8, 6), (12, 4), (21, 6)])
def test_probing_on_two_processes_gives_the_same_bounds_and_plans(seed, clusters):
    matrix = to_matrix(build_region_model(_region(seed, clusters)).prob)
    lag = lagrange(matrix, np.array([block_of(n) for n in matrix.names]))
    assert lag is not None and lag.start is not None
    gap = float(matrix.cost @ lag.start) - lag.bound
    runs = []
    for fork in (False, True):
        found: list[list[np.ndarray]] = [[] for _ in lag.split.blocks]
        bounds = _probe(matrix, lag.split, lag.y, lag.plans, lag.values, gap, None, found,
                        fork=fork)
        runs.append((bounds, [[x.tolist() for x in xs] for xs in found]))
    assert runs[0][0]  # something was bounded
    assert runs[0] == runs[1]


@pytest.mark.parametrize("seed,clusters", [(3, 5), (8, 6), (12, 4), (21, 6)])
def test_pricing_on_two_processes_gives_the_same_multipliers_bound_and_start(
        seed, clusters, monkeypatch, tmp_path):
    """The Lagrangian pricing with half the clusters solved in a child: the same rounds,
    multipliers, bound, plans and start as in one process; with the fork, some blocks were
    solved in another process (each solve writes its pid to a file)."""
    matrix = to_matrix(build_region_model(_region(seed, clusters)).prob)
    block_of_col = np.array([block_of(n) for n in matrix.names])
    runs = []
    real = blocks._price_block
    for fork in (False, True):
        log = tmp_path / f"pids-{fork}"

        def spy(*args, _log=log):
            with open(_log, "a") as f:
                f.write(f"{os.getpid()}\n")
            return real(*args)

        monkeypatch.setattr(blocks, "_price_block", spy)
        lag = lagrange(matrix, block_of_col, fork=fork)
        assert lag is not None and lag.start is not None
        runs.append((lag.stats, lag.y.tolist(), lag.bound, [x.tolist() for x in lag.plans],
                     lag.start.tolist(), [[x.tolist() for x in xs] for xs in lag.columns]))
        pids = set(log.read_text().split())
        assert (pids - {str(os.getpid())} != set()) is fork, pids
    assert runs[0] == runs[1]


def test_the_bundled_region_gives_the_same_plan_with_one_process_or_two():
    region = optimizer.load_region(
        Path("cases/aura-region/region.json"),
        {"envelopes.region.amount": 8848833, "envelopes.state.amount": 2607925})
    plans = []
    for workers in (1, 2):
        rm = build_region_model(region)
        got, stats = run_blocks_bounded(rm.prob, block_of, 120, workers=workers)
        assert stats is not None and stats.fixed > 0
        plans.append((got.outcome.status, got.outcome.objective, got.bound,
                      sorted(got.outcome.values.items()), stats))
    assert plans[0] == plans[1]


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("target", ["process", "group"])
def test_ctrl_c_during_the_forked_probing_of_a_region(tmp_path, target):
    """SIGINT to `optimize region.json --output F` while its probing child runs (the process
    alone, or its whole group as a terminal's Ctrl-C does): exit 130, 'interrupted', nothing
    written, and no child left running."""
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "split.json"
    proc = start_from_a_terminal(
        [sys.executable, "-m", "cli.main", "cases/aura-region/region.json", "--set",
         "envelopes.region.amount=8848833", "--set", "envelopes.state.amount=2607925",
         "--workers", "2", "--output", str(out)], root)
    seen: list[int] = []

    def probing() -> None:  # the first child of the process: the probing's
        found = wait_for(lambda: _children(proc.pid) or proc.poll() is not None,
                         "the probing child", every=0.005)
        assert found is not True, "the probing child was never seen"
        seen.extend(found)

    stdout, stderr = interrupt(proc, target, probing)
    child = seen[0]
    assert proc.returncode == 130, stderr.decode()[-2000:]
    assert stderr.decode() == "interrupted: nothing was written\n"
    assert stdout == b"" and not out.exists()
    assert _gone(child)

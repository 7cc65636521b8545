"""How fast are sensitivity runs? Every figure measured side by side, in one run.

    python bench/bench_sweep.py [--repeat 3] [--case cases/aura-average-2020.json]

1. Whole processes, alternated so that both see the same machine load:
   - a single `optimize CASE` (imports, validation, the plan and the marginal risk: two
     CBC solves, the report);
   - a 1,001-point target sweep `optimize CASE --sweep target.private_share=0.50:0.70:0.0002
     --format csv` (the same imports, then 1,001 exact optima);
   and their ratio (goal: at most 5).
2. The naive way, per point: rebuild the PuLP model and start a CBC process, as a loop of
   single solves would; times 1,001 plus one start-up, as a ratio to the single optimize.
3. One solve inside the process, for the case's own target and on average over the feasible
   targets of the sweep: the straightforward formulation (`build_model(tight=False)`)
   handed to HiGHS with default options, a new model per solve, against the engine of
   sensitivity runs (tight formulation, tuned options, the model re-solved in place).

Figures are medians; speed is always a ratio measured in this run, never a fixed number.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import optimizer
from optimizer.analyses.sensitivity import engine
from optimizer.model.milp import build_model
from optimizer.solvers import run
from optimizer.solvers.highs import new_highs, run_highs, to_matrix

SWEEP = "target.private_share=0.50:0.70:0.0002"


def optimize_command() -> list[str]:
    exe = Path(sys.executable).with_name("optimize")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli.main"]


CPU: list[float] = []  # CPU seconds (user + system) of each whole-process run, in order


def whole_process(args: list[str]) -> float:
    """Wall seconds of one `optimize` process (its CPU seconds go to CPU)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(optimize_command() + args, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"optimize {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return seconds


def naive_per_point(case: optimizer.Case, targets: list[float], tight: bool) -> float:
    """Seconds per point: a PuLP model built and a CBC process run, as a single optimize."""
    start = time.perf_counter()
    for t in targets:
        run(build_model(case, share=t, tight=tight).prob, "cbc")
    return (time.perf_counter() - start) / len(targets)


def one_thread_highs() -> None:
    """Start this process's HiGHS scheduler on one thread (as in the sweep's workers), so
    that CPU times below are one thread's work for both sides."""
    engine.start_one_thread_highs()


def straightforward_solve(case: optimizer.Case, t: float) -> float:
    """CPU seconds: straightforward model, matrix, a new HiGHS with default options."""
    start = time.process_time()
    model = build_model(case, share=t, tight=False)
    matrix = to_matrix(model.prob)
    run_highs(new_highs(matrix), matrix)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default=str(ROOT / "cases" / "aura-average-2020.json"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-points", type=int, default=40)
    opts = parser.parse_args()
    case = optimizer.load_case(opts.case)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"case: {case.name}; {cores} cores; Python {sys.version.split()[0]}")
    try:
        print(f"load average before: {os.getloadavg()[0]:.2f}")
    except OSError:
        pass

    # 1. whole processes, alternated
    single, sweep, single_cpu, sweep_cpu = [], [], [], []
    whole_process([opts.case])  # warm the file cache
    for _ in range(opts.repeat):
        single.append(whole_process([opts.case]))
        single_cpu.append(CPU[-1])
        sweep.append(whole_process([opts.case, "--sweep", SWEEP, "--format", "csv", "-q"]))
        sweep_cpu.append(CPU[-1])
    s1, s2 = statistics.median(single), statistics.median(sweep)
    print(f"\nsingle optimize, whole process:           {s1:7.3f} s  (runs: "
          f"{', '.join(f'{x:.3f}' for x in single)})")
    print(f"1,001-point target sweep, whole process:  {s2:7.3f} s  (runs: "
          f"{', '.join(f'{x:.3f}' for x in sweep)})")
    print(f"ratio sweep / single:                     {s2 / s1:7.2f}   (goal: at most 5)")
    c1, c2 = statistics.median(single_cpu), statistics.median(sweep_cpu)
    idle = c1 + max(c2 - c1, 0.0) / (cores or 1)  # the start-up, then the rest spread
    print(f"CPU seconds (every process of a run): single {c1:.3f}, sweep {c2:.3f}; the sweep "
          f"on {cores} idle cores: about {idle:.2f} s, ratio about {idle / s1:.2f}")

    # 2. the naive way
    targets = [0.5 + 0.2 * k / (opts.naive_points - 1) for k in range(opts.naive_points)]
    for label, tight in (("as optimize builds it", True), ("straightforward formulation", False)):
        per_point = naive_per_point(case, targets, tight)
        naive_total = s1 + 1000 * per_point
        print(f"\nnaive, per point (rebuild + CBC process, {label}): {1000 * per_point:6.1f} ms "
              f"(over {opts.naive_points} targets)")
        print(f"  1,001 points that way (one start-up + 1,001 points): {naive_total:.1f} s, "
              f"ratio to single: {naive_total / s1:.0f}")

    # 3. one solve inside the process
    one_thread_highs()
    grid = [round(0.5 + 0.0002 * k, 10) for k in range(1001)]
    eng = engine.TargetEngine(case)
    points = eng.solve_targets(grid)
    feasible = [t for t, p in zip(grid, points) if p.ok][::10]
    plain = [straightforward_solve(case, t) for t in feasible]
    fast_engine = engine.TargetEngine(case)
    fast = []
    for t in feasible:
        fast_engine.reset()  # a fresh HiGHS each time: no help from the previous solve
        start = time.process_time()
        fast_engine.solve(t)
        fast.append(time.process_time() - start)
    build = []
    for _ in range(5):
        start = time.process_time()
        engine.TargetEngine(case)
        build.append(time.process_time() - start)
    own = case.target.private_share
    plain_own = statistics.median([straightforward_solve(case, own) for _ in range(5)])
    fast_own = []
    for _ in range(5):
        fast_engine.reset()
        start = time.process_time()
        fast_engine.solve(own)
        fast_own.append(time.process_time() - start)
    print("\none solve inside the process (CPU, one thread), straightforward vs sensitivity "
          "engine:")
    print(f"  at the case's target {own:.0%}:              {1000 * plain_own:6.1f} ms vs "
          f"{1000 * statistics.median(fast_own):6.1f} ms")
    print(f"  mean over {len(feasible)} feasible sweep targets:  "
          f"{1000 * statistics.mean(plain):6.1f} ms vs {1000 * statistics.mean(fast):6.1f} ms "
          f"(max {1000 * max(plain):.1f} vs {1000 * max(fast):.1f})")
    print(f"  building the engine's model once per run:  {1000 * statistics.median(build):6.1f} ms")
    solved = sum(p.solved for p in points)
    print(f"\nthe sweep: {len(grid)} targets, {sum(p.ok for p in points)} reachable, "
          f"{solved} solved by HiGHS, {len(grid) - solved} answered by exact shortcuts")


if __name__ == "__main__":
    main()

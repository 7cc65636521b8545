"""Issue 13: sweeps and tornados of every objective through the in-process engine, before
and after, measured side by side in one run.

    python bench/bench_engine.py [--repeat 3] [--quick]

For each case (the bundled average case, two generated realistic clusters of 410 and 620
members, `bench/generated.py`), a 1,001-point target sweep over targets that are all
reachable (today's share up to 0.1 above it, below the highest reachable share):

- after: the sweep as a whole process (`optimize CASE --sweep ... --format csv -q`), wall
  and CPU, against a single `optimize CASE` (median of --repeat, alternated);
- before: how main ran these points (cases with a risk tolerance, a robust target or the
  CVaR went through a whole `solve` per point): that path's CPU per point on 12 targets
  spread over the sweep, in this process, times 1,001, spread over the cores, plus one
  start-up; the same 12 targets through the engine, for the per-point ratio.
- the engine itself before and after shortcuts A and C (`TargetEngine.solve_targets`):
  the 1,001 targets in the chunks of a sweep, in this process, alternated, CPU and the
  HiGHS solves by kind (main, members step, least-change step), and whether every point
  has the same EUR at risk both ways.

Before and after this branch (issue 13, the target sweep and the frontier): the same
sweep, and the frontier of the bundled case (every 1e-4 step of target), as whole
processes of the code of --before (a git ref, default main, extracted with `git archive`)
and of this tree, alternated, each as a ratio to this tree's single `optimize`.

Then the tornado of `cases/aura-average-2020-uncertain.json` (CVaR) as a whole process
against its single `optimize`, and the old path's estimate (its points measured on 3 of
them). Figures are medians; speed is always a ratio measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generated import realistic_case  # noqa: E402
from refs import extract  # noqa: E402

import optimizer  # noqa: E402
from optimizer.analyses.sensitivity import engine  # noqa: E402
from optimizer.analyses.sensitivity.tornado import tornado_inputs  # noqa: E402
from optimizer.plan.evaluate import evaluate  # noqa: E402

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def optimize_command() -> list[str]:
    exe = Path(sys.executable).with_name("optimize")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli.main"]


def whole(args: list[str], root: Path = ROOT) -> tuple[float, float]:
    """(wall, CPU) seconds of one `optimize` process and its workers, run from the code at
    root (this tree, or the --before ref's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = optimize_command() if root == ROOT else [sys.executable, "-m", "cli.main"]
    proc = subprocess.run(command + args, cwd=root, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"optimize {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def old_path_cpu(case: optimizer.Case, targets: list[float]) -> float:
    """CPU seconds per point of main's path for these cases: a whole solve per point."""
    eng = engine.TargetEngine(case)
    eng.general = True
    start = time.process_time()
    for t in targets:
        eng.solve(t)
    return (time.process_time() - start) / len(targets)


def new_path_cpu(case: optimizer.Case, targets: list[float]) -> float:
    """CPU seconds per point of the engine, each point on a fresh HiGHS (no chunk help)."""
    eng = engine.TargetEngine(case)
    start = time.process_time()
    for t in targets:
        eng.reset()
        eng.solve(t)
    return (time.process_time() - start) / len(targets)


def chunked_cpu(case: optimizer.Case, targets: list[float], shortcuts: bool
                ) -> tuple[float, dict[str, int], list[float | None]]:
    """(CPU seconds, HiGHS solves by kind, EUR at risk per point) of the targets as a sweep's
    tasks run them (chunks of engine.CHUNK, a fresh HiGHS per chunk), in this process;
    shortcuts False is the first engine (shortcut B only), True adds A and C
    (`TargetEngine.solve_targets`)."""
    eng = engine.TargetEngine(case)
    eng.shortcuts = shortcuts
    start = time.process_time()
    risks: list[float | None] = []
    for s in range(0, len(targets), engine.CHUNK):
        eng.reset()
        points = eng.solve_targets(targets[s:s + engine.CHUNK])
        risks += [p.risk if p.ok else None for p in points]
    return time.process_time() - start, eng.solves, risks


def walks(case: optimizer.Case, targets: list[float], repeat: int) -> None:
    """Before and after shortcuts A and C on the same 1,001 targets, alternated, here."""
    before, after = [], []
    for _ in range(max(1, repeat)):
        b = chunked_cpu(case, targets, False)
        a = chunked_cpu(case, targets, True)
        before.append(b)
        after.append(a)
    same = all((x is None) == (y is None) and (x is None or abs(x - y) <= 0.01 + 1e-6 * abs(x))
               for x, y in zip(before[0][2], after[0][2]))
    b_cpu = statistics.median(c for c, _, _ in before)
    a_cpu = statistics.median(c for c, _, _ in after)
    print(f"  engine in process, 1,001 targets in chunks of {engine.CHUNK} (CPU, median of "
          f"{len(before)}): before (shortcut B only) {1000 * b_cpu / len(targets):.1f} ms per "
          f"point, HiGHS solves {before[0][1]}; after (shortcuts A, B, C) "
          f"{1000 * a_cpu / len(targets):.1f} ms per point, HiGHS solves {after[0][1]}; "
          f"ratio {b_cpu / a_cpu:.2f}; same EUR at risk at every point: {same}")


def before_after(label: str, args: list[str], single: float, before: Path | None,
                 repeat: int) -> None:
    """The same run by the --before code and by this tree, alternated: wall and CPU, and
    the ratio of each to this tree's single optimize (single: its wall seconds)."""
    if before is None:
        return
    b_runs, a_runs = [], []
    for _ in range(max(1, repeat)):
        b_runs.append(whole(args, before))
        a_runs.append(whole(args))
        if b_runs[0][0] > 120:
            break  # a slow machine: one pair is enough
    bw, bc = statistics.median(w for w, _ in b_runs), statistics.median(c for _, c in b_runs)
    aw, ac = statistics.median(w for w, _ in a_runs), statistics.median(c for _, c in a_runs)
    print(f"  {label}, before vs after (median of {len(a_runs)} pairs, alternated): before "
          f"{bw:.2f} s wall, {bc:.2f} s CPU, ratio to single {bw / single:.1f}; after "
          f"{aw:.2f} s wall, {ac:.2f} s CPU, ratio to single {aw / single:.1f}; "
          f"speed-up {bw / aw:.2f} (wall), {bc / ac:.2f} (CPU)")


def sweep_case(label: str, path: str, repeat: int, before: Path | None = None,
               frontier: bool = False) -> None:
    case = optimizer.load_case(path)
    today = evaluate(case, {}).private_share
    top = optimizer.max_private_share(case, "highs")[0]
    lo = round(today + 0.0005, 4)
    hi = round(min(top - 0.0005, lo + 0.1), 4)
    step = (hi - lo) / 1000
    spec = f"target.private_share={lo}:{lo + 1000 * step:.10f}:{step:.10f}"
    singles, sweeps = [], []
    whole([path])  # warm the file cache
    for _ in range(repeat):
        singles.append(whole([path]))
        sweeps.append(whole([path, "--sweep", spec, "--format", "csv", "-q"]))
        if len(sweeps) >= 1 and repeat > 1 and sweeps[0][0] > 60:
            break  # a slow machine: one sweep is enough
    s_wall = statistics.median(w for w, _ in singles)
    s_cpu = statistics.median(c for _, c in singles)
    w_wall = statistics.median(w for w, _ in sweeps)
    w_cpu = statistics.median(c for _, c in sweeps)
    sample = [lo + (hi - lo) * k / 11 for k in range(12)]
    old = old_path_cpu(case, sample)
    new = new_path_cpu(case, sample)
    before_wall = s_wall + 1001 * old / CORES
    print(f"\n{label}: today {today:.2%}, highest reachable {top:.2%}, sweep {lo:.2%} to "
          f"{hi:.2%} (1,001 targets, all reachable)")
    print(f"  single optimize: {s_wall:.2f} s wall, {s_cpu:.2f} s CPU")
    print(f"  after:  sweep {w_wall:.2f} s wall, {w_cpu:.2f} s CPU; ratio to single "
          f"{w_wall / s_wall:.1f} (wall), {w_cpu / s_cpu:.1f} (CPU); "
          f"{1000 * max(w_cpu - s_cpu, 0) / 1001:.1f} ms CPU per point")
    print(f"  before: {1000 * old:.0f} ms CPU per point (whole solve per point, 12 targets): "
          f"about {before_wall:.0f} s on {CORES} cores, ratio to single about "
          f"{before_wall / s_wall:.0f}")
    print(f"  one point alone, CPU: before {1000 * old:.0f} ms, after {1000 * new:.0f} ms "
          f"(ratio {old / new:.1f})")
    before_after("sweep", [path, "--sweep", spec, "--format", "csv", "-q"], s_wall, before,
                 repeat)
    if frontier:
        before_after("frontier (every 1e-4)", [path, "--frontier", "--format", "csv", "-q"],
                     s_wall, before, repeat)
    walks(case, [lo + k * step for k in range(1001)], repeat)


def tornado_case(repeat: int) -> None:
    path = str(ROOT / "cases" / "aura-average-2020-uncertain.json")
    case = optimizer.load_case(path)
    count = 1 + 2 * len(tornado_inputs(case))
    singles = [whole([path]) for _ in range(repeat)]
    after = whole([path, "--tornado", "20%", "-q"])
    s_wall = statistics.median(w for w, _ in singles)
    old = old_path_cpu(case, [case.target.private_share] * 2)
    before_wall = s_wall + count * old / CORES
    print(f"\nCVaR tornado ({case.name}, {count} solves):")
    print(f"  single optimize: {s_wall:.2f} s wall")
    print(f"  after:  {after[0]:.2f} s wall, {after[1]:.2f} s CPU; ratio to single "
          f"{after[0] / s_wall:.1f} (goal: at most 10)")
    print(f"  before: {old:.2f} s CPU per point (whole CVaR solve, 2 points): about "
          f"{before_wall:.0f} s on {CORES} cores, ratio to single about {before_wall / s_wall:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the bundled case only")
    parser.add_argument("--no-tornado", action="store_true")
    parser.add_argument("--before", default="main", metavar="REF",
                        help="the git ref measured as 'before' (default main; '' for none)")
    opts = parser.parse_args()
    before = extract(opts.before) if opts.before else None
    engine.start_one_thread_highs()
    print(f"{CORES} cores; load average {os.getloadavg()[0]:.2f}; Python "
          f"{sys.version.split()[0]}")
    cases = [("bundled average case", str(ROOT / "cases" / "aura-average-2020.json"))]
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    if not opts.quick:
        for seed, members in ((1, 410), (2, 620)):
            file = tmp / f"generated-{members}.json"
            file.write_text(json.dumps(realistic_case(seed, members)))
            cases.append((f"generated cluster, {members} members (seed {seed})", str(file)))
    for k, (label, path) in enumerate(cases):
        sweep_case(label, path, opts.repeat, before, frontier=k == 0)
    if not opts.no_tornado:
        tornado_case(opts.repeat)


if __name__ == "__main__":
    main()

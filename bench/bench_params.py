"""Issue 13, last goal: lever-parameter sweeps and tornados re-solved in place, before and
after, measured side by side in one run.

    python bench/bench_params.py [--repeat 2] [--quick]

For each case (the bundled average case and the generated clusters of 410 and 620 members
of `bench/generated.py`):

- a 101-point sweep of the training-day price (half to one and a half times the case's
  price) and a 20 % tornado, each as a whole process (`optimize CASE ... --format csv
  -q`), before (`OPTIMIZER_PARAMS_REBUILD=1`: a new model per point, as main did) and
  after (the model re-solved in place, `analyses/sensitivity/params.py`), alternated,
  wall and CPU (the process and its workers), median of --repeat; and whether both
  print the same bytes;
- the same 101 prices in this process, the worker's own work without process start-up
  or pool: CPU per point before and after.

Figures are medians; speed is always a ratio measured in this run.
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

from generated import realistic_case

import optimizer
from optimizer.analyses.sensitivity import engine, params
from optimizer.analyses.sensitivity.sweep import value_tasks
from optimizer.analyses.sensitivity.tornado import tornado_inputs

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
PATH = "levers.training.price"


def optimize_command() -> list[str]:
    exe = Path(sys.executable).with_name("optimize")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli.main"]


def whole(args: list[str], rebuild: bool) -> tuple[float, float, bytes]:
    """(wall, CPU seconds, standard output) of one `optimize` process and its workers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(params.REBUILD_ENV, None)
    if rebuild:
        env[params.REBUILD_ENV] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(optimize_command() + args, cwd=ROOT, capture_output=True,
                          check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"optimize {' '.join(args)} failed ({proc.returncode}): "
                         f"{proc.stderr.decode()}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, proc.stdout


def side_by_side(label: str, args: list[str], repeat: int) -> None:
    runs: dict[bool, list[tuple[float, float, bytes]]] = {True: [], False: []}
    for _ in range(max(1, repeat)):
        for rebuild in (True, False):
            runs[rebuild].append(whole(args, rebuild))
    b_wall = statistics.median(w for w, _, _ in runs[True])
    b_cpu = statistics.median(c for _, c, _ in runs[True])
    a_wall = statistics.median(w for w, _, _ in runs[False])
    a_cpu = statistics.median(c for _, c, _ in runs[False])
    same = runs[True][0][2] == runs[False][0][2]
    print(f"  {label}: before {b_wall:.2f} s wall, {b_cpu:.2f} s CPU; after {a_wall:.2f} s "
          f"wall, {a_cpu:.2f} s CPU; ratio before/after {b_wall / a_wall:.2f} (wall), "
          f"{b_cpu / a_cpu:.2f} (CPU); same output: {same}")


def in_process(case: optimizer.Case, values: list[float], repeat: int) -> None:
    """CPU per point of the 101 prices as the workers run them, in this process."""
    engine._BASE = case

    def before() -> list[float | None]:
        engine._ENGINES.clear()
        return [engine.run_task(engine.Task(i, ((PATH, v),), None, (i,)))[0].risk
                for i, v in enumerate(values)]

    def after() -> list[float | None]:
        engine._ENGINES.clear()
        out: list[float | None] = []
        for task in value_tasks([PATH], [(v,) for v in values], params.VALUE_CHUNK):
            out += [p.risk for p in engine.run_task(task)]
        return out

    times: dict[str, list[float]] = {"before": [], "after": []}
    risks = {}
    for _ in range(max(1, repeat)):
        for name, run in (("before", before), ("after", after)):
            start = time.process_time()
            risks[name] = run()
            times[name].append(time.process_time() - start)
    b = statistics.median(times["before"]) / len(values)
    a = statistics.median(times["after"]) / len(values)
    same = all((x is None and y is None) or (x is not None and y is not None
                                              and abs(x - y) <= 0.01 + 1e-6 * abs(x))
               for x, y in zip(risks["before"], risks["after"]))
    print(f"  101 prices in process (CPU per point): before {1000 * b:.1f} ms, after "
          f"{1000 * a:.1f} ms; ratio {b / a:.2f}; same EUR at risk at every point: {same}")


def bench_case(label: str, path: str, repeat: int) -> None:
    case = optimizer.load_case(path)
    price = float(params.base_value(case, PATH) or 0.0)
    lo, hi = round(price * 0.5), round(price * 1.5)
    step = (hi - lo) / 100
    values = [round(lo + k * step, 6) for k in range(101)]
    moves = 1 + 2 * len(tornado_inputs(case))
    fast = sum(params.in_place(case, item.path, [item.value * 0.8, item.value * 1.2])
               for item in tornado_inputs(case))
    print(f"\n{label}: training price {price:g} EUR, swept {lo} to {hi}; tornado of {moves} "
          f"points, {2 * fast} of them lever parameters re-solved in place")
    single = statistics.median(whole([path], False)[0] for _ in range(max(1, repeat)))
    print(f"  single optimize: {single:.2f} s wall")
    side_by_side("101-point price sweep", [path, "--sweep", f"{PATH}={lo}:{hi}:{step:g}",
                                           "--format", "csv", "-q"], repeat)
    side_by_side("tornado 20%", [path, "--tornado", "20%", "--format", "csv", "-q"], repeat)
    in_process(case, values, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="the bundled case only")
    opts = parser.parse_args()
    engine.start_one_thread_highs()
    print(f"{CORES} cores; load average {os.getloadavg()[0]:.2f}; Python "
          f"{sys.version.split()[0]}")
    cases = [("bundled average case", str(ROOT / "cases" / "aura-average-2020.json"))]
    tmp = Path(tempfile.mkdtemp(prefix="bench-params-"))
    if not opts.quick:
        for seed, members in ((1, 410), (2, 620)):
            file = tmp / f"generated-{members}.json"
            file.write_text(json.dumps(realistic_case(seed, members)))
            cases.append((f"generated cluster, {members} members (seed {seed})", str(file)))
    for label, path in cases:
        bench_case(label, path, opts.repeat)


if __name__ == "__main__":
    main()

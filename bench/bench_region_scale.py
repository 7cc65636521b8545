"""A region of 1,000 generated clusters by decomposition: the whole process's time and the
proven gap (issue 10, "Exact, then at scale": at most 60 s on this 2-core machine).

    python bench/bench_region_scale.py [--clusters 1000] [--seed 1] [--workers 2]
                                       [--time-limit 60] [--compare 10,20,40]
                                       [--before] [--subproblems 40]

The region comes from tests/region_gen.py (the bundled clusters with noise, both envelopes
cut by 5 to 15 %, a member pool, the 55 % combined share). One fresh interpreter runs
`optimize REGION --method decompose --format json`; the script prints the wall time, the
CPU time of the process and its workers, the load average, the status, the total EUR at
risk, the proven bound and the gap (EUR and %).

--compare N1,N2,...: for each size, the joint program and the decomposition side by side
in one run (time, status, gap): the figures behind `auto`'s threshold (JOINT_MAX).
--before: the same region also solved with the settings before the scale1000 change (the
subproblems with HiGHS's heuristics and symmetry detection, pricing until the master and
the bound meet to 1e-6), side by side in this run, and the ratio of the two.
--subproblems K: K clusters' subproblems priced in this process at 3 multipliers with the
old and the new HiGHS options: CPU ms per subproblem (the workers' time per subproblem).
Nothing here is a test: the figures go in the closing note of a change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.region_gen import generate_region

MAIN = [sys.executable, "-c", "from cli.main import main; main()"]
# The settings before the scale1000 change, patched in before the CLI runs (the workers are
# forked from it on Linux; elsewhere they re-import the module and price with the new
# options: --before is meant for this machine).
OLD_OPTIONS = {"presolve": "off"}
BEFORE = [sys.executable, "-c",
          ("import optimizer.analyses.region_decompose as rd; "
           f"rd.SUBPROBLEM_OPTIONS = {OLD_OPTIONS!r}; "
           "rd.decompose_region.__kwdefaults__['tolerance'] = 1e-6; "
           "from cli.main import main; main()")]


def run(path: Path, method: str, workers: int, time_limit: float, command: list[str] = MAIN
        ) -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*command, str(path), "--method", method, "--format", "json",
                           "--workers", str(workers), "--time-limit", str(time_limit)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 3, 4):
        raise SystemExit(f"{method} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, cpu, json.loads(done.stdout)


def line(label: str, wall: float, cpu: float, out: dict) -> str:
    gap, gap_eur = out.get("gap"), out.get("gap_eur")
    words = "-" if gap is None else (f"{gap_eur:,.0f} EUR ({gap:.2g})" if gap_eur is not None
                                     else f"({gap:.2g})")
    return (f"{label}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, status {out['status']}, "
            f"total risk {out.get('total_risk') or 0:,.0f} EUR, bound "
            f"{out.get('bound') or 0:,.0f} EUR, gap {words}")


def subproblems(path: Path, k: int) -> None:
    """CPU ms per subproblem, old and new HiGHS options, in this process (one thread)."""
    import optimizer
    from optimizer.analyses import region_decompose as rd
    from optimizer.solvers.highs import single_thread_worker

    single_thread_worker()
    region = optimizer.load_region(path)
    prepared = [rd.Prepared(region, i) for i in range(min(k, len(region.ids)))]
    ne = len(region.spec.envelopes)
    ys = [[0.0] * (ne + 2), [0.3] * ne + [50.0, 0.05], [1.0] * ne + [500.0, 0.3]]
    new = dict(rd.SUBPROBLEM_OPTIONS)
    times = {}
    bounds = {}
    for label, options in (("old", OLD_OPTIONS), ("new", new), ("old", OLD_OPTIONS),
                           ("new", new)):
        rd.SUBPROBLEM_OPTIONS = options
        start = time.process_time()
        got = [p.price(y) for y in ys for p in prepared]
        times.setdefault(label, []).append((time.process_time() - start) / len(got) * 1e3)
        bounds[label] = sum(a[0] for a in got if a is not None)
    rd.SUBPROBLEM_OPTIONS = new
    old, now = min(times["old"]), min(times["new"])
    print(f"  subproblems ({len(prepared)} clusters x 3 multipliers, CPU per subproblem, best "
          f"of 2): old options {old:.1f} ms, new {now:.1f} ms, ratio {old / now:.2f}; "
          f"sum of proven bounds old {bounds['old']:,.2f}, new {bounds['new']:,.2f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--compare", default=None)
    parser.add_argument("--before", action="store_true")
    parser.add_argument("--subproblems", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(s) for s in args.compare.split(",")] if args.compare else [args.clusters]
        for n in sizes:
            path = Path(tmp) / f"region-{n}.json"
            path.write_text(json.dumps(generate_region(n, args.seed)), encoding="utf-8")
            print(f"{n} generated clusters (seed {args.seed}), {args.workers} workers, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            if args.subproblems:
                subproblems(path, args.subproblems)
            methods = ["joint", "decompose"] if args.compare else ["decompose"]
            for method in methods:
                if args.before and method == "decompose":
                    wall0, cpu0, out0 = run(path, method, args.workers, args.time_limit, BEFORE)
                    print("  " + line("decompose, before", wall0, cpu0, out0), flush=True)
                wall, cpu, out = run(path, method, args.workers, args.time_limit)
                print("  " + line(method, wall, cpu, out), flush=True)
                if method == "decompose":
                    print(f"  {n} clusters: {wall:.1f} s wall, {cpu:.1f} s CPU; goal 60 s: "
                          f"ratio {wall / 60:.2f} (wall), {cpu / 60:.2f} (CPU)", flush=True)
                    if args.before:
                        print(f"  before / after: wall {wall0 / wall:.2f}, CPU "
                              f"{cpu0 / cpu:.2f}", flush=True)


if __name__ == "__main__":
    main()

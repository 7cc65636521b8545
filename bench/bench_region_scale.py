"""A region of 1,000 generated clusters by decomposition: the whole process's time and the
proven gap (issue 10, "Exact, then at scale": at most 60 s on this 2-core machine).

    python bench/bench_region_scale.py [--clusters 1000] [--seed 1] [--workers 2]
                                       [--time-limit 60] [--compare 10,20,40]

The region comes from tests/region_gen.py (the bundled clusters with noise, both envelopes
cut by 5 to 15 %, a member pool, the 55 % combined share). One fresh interpreter runs
`optimize REGION --method decompose --format json`; the script prints the wall time, the
CPU time of the process and its workers, the load average, the status, the total EUR at
risk, the proven bound and the gap (EUR and %).

--compare N1,N2,...: for each size, the joint program and the decomposition side by side
in one run (time, status, gap): the figures behind `auto`'s threshold (JOINT_MAX).
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


def run(path: Path, method: str, workers: int, time_limit: float) -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*MAIN, str(path), "--method", method, "--format", "json",
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--compare", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(s) for s in args.compare.split(",")] if args.compare else [args.clusters]
        for n in sizes:
            path = Path(tmp) / f"region-{n}.json"
            path.write_text(json.dumps(generate_region(n, args.seed)), encoding="utf-8")
            print(f"{n} generated clusters (seed {args.seed}), {args.workers} workers, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            methods = ["joint", "decompose"] if args.compare else ["decompose"]
            for method in methods:
                wall, cpu, out = run(path, method, args.workers, args.time_limit)
                print("  " + line(method, wall, cpu, out), flush=True)


if __name__ == "__main__":
    main()

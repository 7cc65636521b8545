"""The decomposition's per-cluster work on the local pool and on Dask, side by side (issue
10, "Exact, then at scale": `--scheduler`).

    python bench/bench_region_dask.py [--clusters 40] [--seed 1] [--workers 2] [--repeat 1]

One generated region (tests/region_gen.py); one `distributed.LocalCluster` with as many
worker processes as --workers, one thread each, started before the timings. Then, in
turns (local, Dask, local, Dask, ... --repeat times): a fresh interpreter runs
`optimize REGION --method decompose --format json`, with `--workers N` or with
`--scheduler ADDRESS`. Printed: each run's wall time, the best of each side, the ratio
Dask / local and whether the JSON is the same bytes. Needs the [dask] extra. Nothing here
is a test: the figures go in the closing note of a change.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.region_gen import generate_region

MAIN = [sys.executable, "-c", "from cli.main import main; main()"]


def run(args: list[str]) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    start = time.perf_counter()
    done = subprocess.run([*MAIN, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, env=env)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 4):
        raise SystemExit(f"failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    try:
        from distributed import LocalCluster
    except ImportError:
        raise SystemExit("Dask is not installed: pip install 'cluster-optimizer[dask]'")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "region.json"
        path.write_text(json.dumps(generate_region(options.clusters, seed=options.seed)),
                        encoding="utf-8")
        base = [str(path), "--method", "decompose", "--format", "json"]
        with LocalCluster(n_workers=options.workers, processes=True, threads_per_worker=1,
                          dashboard_address=None) as cluster:
            local: list[float] = []
            dask: list[float] = []
            outputs: set[str] = set()
            for _ in range(options.repeat):
                wall, out = run([*base, "--workers", str(options.workers)])
                local.append(wall)
                outputs.add(out)
                wall, out = run([*base, "--scheduler", cluster.scheduler_address])
                dask.append(wall)
                outputs.add(out)
    print(f"region of {options.clusters} generated clusters (seed {options.seed}), "
          f"{options.workers} workers, load average {os.getloadavg()[0]:.1f}")
    print(f"local pool  : {', '.join(f'{w:.1f}' for w in local)} s wall (best {min(local):.1f})")
    print(f"LocalCluster: {', '.join(f'{w:.1f}' for w in dask)} s wall (best {min(dask):.1f})")
    print(f"ratio Dask / local (best of each): {min(dask) / min(local):.2f}")
    print(f"same JSON bytes: {'yes' if len(outputs) == 1 else 'NO'}")


if __name__ == "__main__":
    main()

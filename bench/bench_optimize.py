"""How long `optimize CASE` takes as a whole process, against a bare Python that only
imports pulp (the floor any PuLP-based command pays).

    .venv/bin/python bench/bench_optimize.py                # 10 runs of each
    .venv/bin/python bench/bench_optimize.py --runs 30 --case cases/covid-2020.json

The two commands run side by side, interleaved (their order alternates from one
run to the next, after one untimed warm-up run of each), so that a busy machine
slows both alike. Prints the median and minimum wall-clock times and the ratio of
the medians. It measures; it asserts nothing (no test depends on a timing).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall_time(cmd: list[str], ok: tuple[int, ...]) -> float:
    """Seconds from start to exit of one process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}:\n"
                         f"{proc.stderr.decode(errors='replace')}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each (default 10)")
    parser.add_argument("--case", default="cases/aura-average-2020.json",
                        help="the case file (default cases/aura-average-2020.json)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    optimize = Path(sys.executable).parent / "optimize"
    if not optimize.exists():
        raise SystemExit(f"no optimize executable next to {sys.executable}; "
                         "install the package in this environment (pip install -e .)")
    commands = {
        "optimize": ([str(optimize), args.case], (0, 3)),  # 3: out of reach, still a full run
        "python -c 'import pulp'": ([sys.executable, "-c", "import pulp"], (0,)),
    }
    names = list(commands)
    for name in names:  # warm-up: file caches, .pyc files
        wall_time(*commands[name])
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(args.runs):
        for name in (names if run % 2 == 0 else names[::-1]):
            times[name].append(wall_time(*commands[name]))

    width = max(len(n) for n in names)
    print(f"{args.runs} interleaved runs each; case {args.case}; Python {sys.version.split()[0]}")
    for name in names:
        t = times[name]
        print(f"  {name:<{width}}  median {statistics.median(t) * 1000:7.1f} ms   "
              f"min {min(t) * 1000:7.1f} ms")
    ratio = statistics.median(times[names[0]]) / statistics.median(times[names[1]])
    print(f"  ratio of medians (optimize / bare import of pulp): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long the four-year path takes as a whole process (`optimize
cases/aura-average-2024-2027.json`) against the one-year `optimize
cases/aura-average-2020.json` (issue 11: goal at most 5 times).

    python bench/bench_horizon.py               # 5 runs of each, each with its default
                                                # solver (HiGHS for a path, CBC for one year)
    python bench/bench_horizon.py --runs 9 --solver cbc   # both with CBC
    python bench/bench_horizon.py --cvar --runs 3  # the four-year path of least CVaR
                                                # (cases/aura-average-2024-2027-uncertain.json)
                                                # against the one-year CVaR optimize
                                                # (cases/aura-average-2020-uncertain.json)

The two commands run side by side, interleaved (their order alternates, after one
untimed warm-up run of each), so that a busy machine slows both alike. Prints the
median and minimum times and the ratio of the medians. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall_time(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cvar", action="store_true",
                        help="the CVaR objective: the four-year uncertain path against the "
                        "one-year uncertain case")
    parser.add_argument("--solver", default=None,
                        help="give both runs this --solver (default: each its default)")
    args = parser.parse_args()
    base = [sys.executable, "-m", "cli.main"]
    given = ["--solver", args.solver] if args.solver else []
    suffix = "-uncertain" if args.cvar else ""
    one_case = f"cases/aura-average-2020{suffix}.json"
    four_case = f"cases/aura-average-2024-2027{suffix}.json"
    one = base + [one_case] + given
    four = base + [four_case] + given
    wall_time(one), wall_time(four)
    times: dict[str, list[float]] = {"one": [], "four": []}
    for i in range(args.runs):
        order = [("one", one), ("four", four)]
        for name, cmd in (order if i % 2 == 0 else order[::-1]):
            times[name].append(wall_time(cmd))
    for name, label in (("one", f"one year ({one_case})"),
                        ("four", f"four years ({four_case})")):
        print(f"{label}: median {statistics.median(times[name]):.2f} s, "
              f"min {min(times[name]):.2f} s")
    ratio = statistics.median(times["four"]) / statistics.median(times["one"])
    what = "CVaR, " if args.cvar else ""
    print(f"ratio four years / one year ({what}{args.solver or 'default solvers'}): {ratio:.2f} "
          + ("(no goal set for CVaR)" if args.cvar else "(goal <= 5)"))


if __name__ == "__main__":
    main()

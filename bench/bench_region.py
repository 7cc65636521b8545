"""The bundled region's whole-process time over one cluster's `optimize`, side by side.

    python bench/bench_region.py [--rounds 3] [--time-limit 60]

Two commands, each in a fresh interpreter, run interleaved round after round (a busy
machine slows both alike):

- cluster: optimize cases/aura-region/minalogic.json           (one cluster of the region)
- region:  optimize cases/aura-region/region.json, both envelopes cut by 10 % (the README
           example), with --time-limit

It prints each command's median, the ratio region / cluster (issue 10's goal: at most 3),
and the region's exit code and gap line (exit 0 only when the split is proven optimal).
Nothing here is a test: the figures go in the closing note of a change.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = ROOT / "cases" / "aura-region"
MAIN = [sys.executable, "-c", "from cli.main import main; main()"]


def run_once(command: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 4):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return seconds, done.returncode, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    commands = {
        "cluster": MAIN + [str(REGION / "minalogic.json")],
        "region": MAIN + [str(REGION / "region.json"), "--set", "envelopes.region.amount=8848833",
                          "--set", "envelopes.state.amount=2607925",
                          "--time-limit", str(args.time_limit)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: list[int] = []
    status = ""
    run_once(commands["cluster"])  # warm the file cache and the bytecode
    for _ in range(max(1, args.rounds)):
        for name, command in commands.items():
            seconds, code, out = run_once(command)
            times[name].append(seconds)
            if name == "region":
                codes.append(code)
                status = next((line for line in out.splitlines()
                               if line.startswith(("Proven", "The time limit"))), "")
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.rounds} interleaved rounds, medians (whole process):")
    for name, median in medians.items():
        print(f"  {name:<8} {median:8.2f} s")
    print(f"  region / cluster: x{medians['region'] / medians['cluster']:.1f} (goal: at most 3)")
    print(f"  region exit codes: {codes}; {status}")


if __name__ == "__main__":
    main()

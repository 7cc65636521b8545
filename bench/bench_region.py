"""The bundled region's whole-process time over one cluster's `optimize`, side by side.

    python bench/bench_region.py [--rounds 3] [--time-limit 60] [--before REF]

Commands, each in a fresh interpreter, run interleaved round after round (a busy machine
slows them alike):

- cluster: optimize cases/aura-region/minalogic.json           (one cluster of the region)
- region:  optimize cases/aura-region/region.json, both envelopes cut by 10 % (the README
           example), with --time-limit
- region, before: the same region command run by the code of git ref REF (default main,
           extracted with `git archive`; --before '' for none)

It prints each command's median, the ratio region / cluster before and after (issue 10's
goal: at most 3), and the region's exit code and gap line (exit 0 only when the split is
proven optimal). Nothing here is a test: the figures go in the closing note of a change.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from refs import extract

REGION = Path("cases") / "aura-region"
MAIN = [sys.executable, "-c", "from cli.main import main; main()"]


def run_once(command: list[str], root: Path = ROOT) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 4):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return seconds, done.returncode, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--before", default="main", metavar="REF",
                        help="the git ref measured as 'before' (default main; '' for none)")
    args = parser.parse_args()
    region = MAIN + [str(REGION / "region.json"), "--set", "envelopes.region.amount=8848833",
                     "--set", "envelopes.state.amount=2607925",
                     "--time-limit", str(args.time_limit)]
    commands: dict[str, tuple[list[str], Path]] = {
        "cluster": (MAIN + [str(REGION / "minalogic.json")], ROOT),
        "region": (region, ROOT),
    }
    before = extract(args.before) if args.before else None
    if before is not None:
        commands["region, before"] = (region, before)
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, list[int]] = {name: [] for name in commands if name != "cluster"}
    status: dict[str, str] = {}
    run_once(commands["cluster"][0])  # warm the file cache and the bytecode
    for _ in range(max(1, args.rounds)):
        for name, (command, root) in commands.items():
            seconds, code, out = run_once(command, root)
            times[name].append(seconds)
            if name != "cluster":
                codes[name].append(code)
                status[name] = next((line for line in out.splitlines()
                                     if line.startswith(("Proven", "The time limit"))), "")
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.rounds} interleaved rounds, medians (whole process):")
    for name, median in medians.items():
        print(f"  {name:<16} {median:8.2f} s")
    for name, exits in codes.items():
        print(f"  {name} / cluster: x{medians[name] / medians['cluster']:.1f} (goal: at most 3);"
              f" exit codes {exits}; {status[name]}")


if __name__ == "__main__":
    main()

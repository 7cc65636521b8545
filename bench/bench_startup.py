"""Start-up cost of `optimize`, measured side by side with a bare import of its libraries.

    python bench/bench_startup.py [--pairs 9]

Three commands, each in a fresh interpreter, run interleaved round after round (so a
busy machine slows all of them alike):

- bare:     python -c "import pandas, pulp, click, tabulate"   (the floor: the libraries)
- import:   python -c "import optimizer"                         (the package's own cost)
- optimize: optimize cases/aura-average-2020.json                (the whole run, CBC)

It prints each command's median and the ratios to the bare import (issue 8's goal: the
whole `optimize` run at most 1.3 times the bare import). Nothing here is a test: the
figures go in the closing note of a change, not in an assertion.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AVERAGE = str(ROOT / "cases" / "aura-average-2020.json")

COMMANDS: dict[str, list[str]] = {
    "bare": [sys.executable, "-c", "import pandas, pulp, click, tabulate"],
    "import": [sys.executable, "-c", "import optimizer"],
    "import case": [sys.executable, "-c", "import optimizer.case"],
    "optimize": [sys.executable, "-c", "from cli.main import main; main()", AVERAGE],
}


def run_once(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9, help="rounds (at least 7)")
    pairs = max(7, parser.parse_args().pairs)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        run_once(command)  # warm the file cache and the bytecode
    for _ in range(pairs):
        for name, command in COMMANDS.items():
            times[name].append(run_once(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["bare"]
    print(f"{pairs} interleaved rounds, medians (whole process):")
    for name, median in medians.items():
        print(f"  {name:<12} {median * 1000:7.0f} ms   x{median / bare:.2f} of bare")
    # The ratio of each round's pair as well: the spread shows how busy the machine was.
    ratios = [o / b for o, b in zip(times["optimize"], times["bare"])]
    print(f"optimize / bare: {medians['optimize'] / bare:.2f} (per-round ratios "
          f"{min(ratios):.2f} to {max(ratios):.2f}; goal at most 1.3)")


if __name__ == "__main__":
    main()

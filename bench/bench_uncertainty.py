"""Speed of the uncertainty features, measured side by side in one run.

    .venv/bin/python bench/bench_uncertainty.py [--rounds 5]

1. Whole process (`optimize ...` in a fresh interpreter, as a user runs it): the
   2,000-scenario CVaR solve of the average case against the plain solve of it,
   for each solver, as a ratio (goal: at most 5). Commands run interleaved, round
   after round, and each ratio compares medians, so a busy machine slows both sides.
2. The simulation of 100,000 scenarios: in-process time of `simulate_plan` (goal:
   well under a second), and `--simulate 100000` as a whole process against the
   plain solve.

Nothing here is a test: the figures go in the closing note of a change, not in
an assertion.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZE = [sys.executable, "-c", "from cli.main import main; main()"]
AVERAGE = str(ROOT / "cases" / "aura-average-2020.json")
UNCERTAIN = str(ROOT / "cases" / "aura-average-2020-uncertain.json")

COMMANDS: dict[str, list[str]] = {}
for solver in ("cbc", "highs"):
    COMMANDS[f"plain {solver}"] = [AVERAGE, "--solver", solver]
    COMMANDS[f"cvar average {solver}"] = [AVERAGE, "--set", "target.risk_measure=cvar",
                                          "--solver", solver]
    COMMANDS[f"cvar uncertain {solver}"] = [UNCERTAIN, "--solver", solver]
COMMANDS["simulate 100k cbc"] = [AVERAGE, "--simulate", "100000"]


def run_once(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(OPTIMIZE + args, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return seconds


def in_process_simulation(rounds: int) -> tuple[float, float]:
    """Median seconds of simulate_plan with 100,000 scenarios: the average case's plan,
    and the uncertain case's (shocks, a common factor, an elasticity range)."""
    sys.path.insert(0, str(ROOT))
    import optimizer
    from optimizer.results.simulation import simulate_plan

    out = []
    for path in (AVERAGE, UNCERTAIN):
        case = optimizer.load_case(path)
        plan = dict(optimizer.solve(optimizer.load_case(AVERAGE), explain=False).plan)
        simulate_plan(case, plan, 1000, 1)  # warm up imports and caches
        times = []
        for seed in range(rounds):
            start = time.perf_counter()
            simulate_plan(case, plan, 100_000, seed)
            times.append(time.perf_counter() - start)
        out.append(statistics.median(times))
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name, args in COMMANDS.items():
        run_once(args)  # warm the file cache
    for _ in range(rounds):
        for name, args in COMMANDS.items():
            times[name].append(run_once(args))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"Whole process, median of {rounds} interleaved rounds (seconds):")
    for name, value in median.items():
        print(f"  {name:<24} {value:6.2f}")
    print("Ratios (goal for CVaR: at most 5):")
    for solver in ("cbc", "highs"):
        plain = median[f"plain {solver}"]
        for kind in ("average", "uncertain"):
            ratio = median[f"cvar {kind} {solver}"] / plain
            print(f"  CVaR 2,000 scenarios, {kind:<9} case, {solver:<5}: {ratio:4.2f} x plain "
                  f"{solver}")
    print(f"  --simulate 100000 (cbc): {median['simulate 100k cbc'] / median['plain cbc']:4.2f} "
          "x plain cbc")
    average, uncertain = in_process_simulation(max(rounds, 5))
    print("simulate_plan, 100,000 scenarios, in-process median: "
          f"{average * 1000:.0f} ms (average case), {uncertain * 1000:.0f} ms (uncertain case)")


if __name__ == "__main__":
    main()

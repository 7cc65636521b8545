"""Issue 13: the tornado of the CVaR case in at most 10 times its single optimize, before
and after, measured side by side in one run.

    python bench/bench_tornado.py [--repeat 1] [--no-plain]

- CVaR: `optimize cases/aura-average-2020-uncertain.json --tornado 20%` as a whole process
  against a single `optimize` of the same file (wall and CPU, the process and its
  workers), alternated: before (`OPTIMIZER_PARAMS_REBUILD=1`: every move a new model
  solved whole, as main ran CVaR moves) and after (`analyses/sensitivity/cvar_moves.py`:
  shortcuts, the base plan's bound, restricted scenario rows). Both tables are compared
  input by input (the same status, the EUR at risk of each move to the solver's gap).
- Plain (EUR at risk) tornados, on the bundled average case and on a generated cluster of
  410 members (`bench/generated.py`): the same ratio, after, and with
  `OPTIMIZER_PARAMS_REBUILD=1` for reference (this branch changes only their sort key).

Figures are medians of --repeat; speed is always a ratio measured in this run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
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

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
REBUILD = {"OPTIMIZER_PARAMS_REBUILD": "1"}


def optimize_command() -> list[str]:
    exe = Path(sys.executable).with_name("optimize")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli.main"]


def whole(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `optimize` process and its workers."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(optimize_command() + args, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"optimize {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row["input"]: row for row in csv.DictReader(f)}


def _same(a: dict[str, dict[str, str]], b: dict[str, dict[str, str]]) -> list[str]:
    """Inputs whose moves differ between two tornado tables (status, or EUR at risk beyond
    the solver's relative gap 1e-4 of the CVaR, which the 1e-6 tie-break leaves loose:
    compared to 1 %)."""
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            out.append(key)
            continue
        for side in ("low", "high"):
            if x[f"status_{side}"] != y[f"status_{side}"]:
                out.append(f"{key} ({side}: status)")
                continue
            rx, ry = x[f"risk_{side}"], y[f"risk_{side}"]
            if rx and ry and not math.isclose(float(rx), float(ry), rel_tol=1e-2, abs_tol=1):
                out.append(f"{key} ({side}: {rx} != {ry})")
    return out


def pair(label: str, path: str, repeat: int, tmp: Path, compare: bool) -> None:
    singles, before, after = [], [], []
    whole([path])  # warm the file cache
    for k in range(max(1, repeat)):
        singles.append(whole([path]))
        before.append(whole([path, "--tornado", "20%", "--format", "csv", "-q", "-o",
                             str(tmp / f"before{k}.csv")], REBUILD))
        after.append(whole([path, "--tornado", "20%", "--format", "csv", "-q", "-o",
                            str(tmp / f"after{k}.csv")]))
    s_wall = statistics.median(w for w, _ in singles)
    s_cpu = statistics.median(c for _, c in singles)
    b_wall = statistics.median(w for w, _ in before)
    b_cpu = statistics.median(c for _, c in before)
    a_wall = statistics.median(w for w, _ in after)
    a_cpu = statistics.median(c for _, c in after)
    rows = _rows(tmp / "after0.csv")
    print(f"\n{label} ({len(rows)} inputs, {1 + 2 * len(rows)} points), median of "
          f"{len(singles)}, load average {os.getloadavg()[0]:.2f}:")
    print(f"  single optimize: {s_wall:.2f} s wall, {s_cpu:.2f} s CPU")
    print(f"  before (a new model per move, solved whole): {b_wall:.2f} s wall, "
          f"{b_cpu:.2f} s CPU; ratio to single {b_wall / s_wall:.1f} (wall), "
          f"{b_cpu / s_cpu:.1f} (CPU)")
    print(f"  after:  {a_wall:.2f} s wall, {a_cpu:.2f} s CPU; ratio to single "
          f"{a_wall / s_wall:.1f} (wall), {a_cpu / s_cpu:.1f} (CPU); before / after "
          f"{b_wall / a_wall:.1f} (wall), {b_cpu / a_cpu:.1f} (CPU)")
    if compare:
        differ = _same(_rows(tmp / "before0.csv"), rows)
        print(f"  the same answer at every move, before and after: {not differ}"
              + (f" (differ: {', '.join(differ)})" if differ else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-plain", action="store_true")
    opts = parser.parse_args()
    print(f"{CORES} cores; load average {os.getloadavg()[0]:.2f}; Python "
          f"{sys.version.split()[0]}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-tornado-"))
    pair("CVaR tornado, cases/aura-average-2020-uncertain.json (goal: at most 10 x single)",
         str(ROOT / "cases" / "aura-average-2020-uncertain.json"), opts.repeat, tmp, True)
    if opts.no_plain:
        return
    generated = tmp / "generated-410.json"
    generated.write_text(json.dumps(realistic_case(1, 410)))
    for k, (label, path) in enumerate((
            ("plain tornado, cases/aura-average-2020.json",
             str(ROOT / "cases" / "aura-average-2020.json")),
            ("plain tornado, generated cluster of 410 members (seed 1)", str(generated)))):
        where = tmp / f"plain{k}"
        where.mkdir()
        pair(label, path, opts.repeat, where, True)


if __name__ == "__main__":
    main()

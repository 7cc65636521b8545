"""How long does the report of a large sweep take, beside its solve? (issue 14, item 4)

    python bench/bench_render.py [--points 100000] [--case cases/aura-average-2020.json]
                                 [--low 0.30] [--high 0.70] [--workers N] [--solve K]

Solves a sweep of `target.private_share` over --points targets evenly spaced from --low
to --high (the default, 100,000 points, is the largest sweep `optimize` accepts), as
`optimize CASE --sweep target.private_share=...` does, then renders it in each format
(table, markdown, json, csv) and prints, for each, the render time beside the solve
time. The goal: each render at most 2 s, so that a sweep's whole run takes at most 2 s
more than its solve. Every point of the default range is a solve or an exact shortcut
of the engine (below today's share, one plan reaches a whole chunk of targets; above
the highest reachable share, a chunk is out of reach), so the rows hold plans of every
shape and "infeasible" rows, as a real sweep does.

With `--solve K`, only K targets are solved and their rows repeated up to --points rows
(each row keeping its own target): the render times of a 100,000-row sweep without the
hours its solve takes on a slow machine; the solve time printed is then that of K points.

Figures are this machine's, in this run (wall and CPU seconds): nothing here is a test
(tests/test_render_scale.py checks that rendering grows linearly without reading a clock).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import optimizer
from optimizer.report.sensitivity import render_sweep

if TYPE_CHECKING:
    import pandas as pd

GOAL = 2.0  # seconds of rendering a sweep may add to its solve
TARGET = "target.private_share"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--case", default=str(ROOT / "cases" / "aura-average-2020.json"))
    parser.add_argument("--low", type=float, default=0.30)
    parser.add_argument("--high", type=float, default=0.70)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--solve", type=int, default=None, metavar="K",
                        help="solve K targets only, their rows repeated up to --points")
    args = parser.parse_args()
    if args.points < 2 or not 0 < args.low < args.high < 1:
        raise SystemExit("--points at least 2, and 0 < --low < --high < 1")
    solved = args.points if args.solve is None else max(2, min(args.solve, args.points))

    case = optimizer.load_case(args.case)
    targets = [round(args.low + (args.high - args.low) * k / (solved - 1), 12)
               for k in range(solved)]
    start = time.perf_counter()
    frame = optimizer.sweep(case, {"target.private_share": targets}, workers=args.workers)
    solve = time.perf_counter() - start
    counts = frame["status"].value_counts().to_dict()
    print(f"{case.name}: {len(frame):,} targets from {args.low:g} to {args.high:g}; "
          f"{frame.attrs['solves']:,} solves; {counts}")
    print(f"solve  {solve:8.2f} s")
    if solved < args.points:
        frame = repeated(frame, args.points)
        print(f"rows repeated up to {len(frame):,} (each with its own target)")
    print(f"{'format':9} {'wall':>8} {'cpu':>8}  {'bytes':>12}  goal: render <= {GOAL:g} s")
    worst = 0.0
    for fmt in ("table", "markdown", "json", "csv"):
        start, cpu = time.perf_counter(), time.process_time()
        text = render_sweep(frame, case, fmt)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        worst = max(worst, seconds)
        print(f"{fmt:9} {seconds:8.2f} {cpu:8.2f}  {len(text.encode()):12,}  "
              f"{'ok' if seconds <= GOAL else 'SLOWER THAN THE GOAL'}")
    print(f"slowest render {worst:.2f} s (wall) beside a solve of {solve:.2f} s "
          f"({'within' if worst <= GOAL else 'beyond'} the goal of {GOAL:g} s more)")


def repeated(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The frame's rows repeated up to `rows`, each with its own target, the attrs holding
    every target (as a sweep's do)."""
    import pandas as pd

    reps = -(-rows // len(frame))
    big = pd.concat([frame] * reps, ignore_index=True).iloc[:rows].copy()
    low, high = min(frame[TARGET]), max(frame[TARGET])
    big[TARGET] = [low + (high - low) * k / (rows - 1) for k in range(rows)]
    big.attrs = {**frame.attrs, "axes": {TARGET: big[TARGET].tolist()}}
    return big


if __name__ == "__main__":
    main()

"""How long the bundled region horizon takes as a whole process (`optimize
cases/aura-region/region-2024-2027.json`: three clusters, four years) against the one-year
region of the same three clusters (the same file without its horizon, the envelope at
its 2027 amount), and against one of them alone on its four-year path.

    python bench/bench_region_horizon.py            # 3 runs of each
    python bench/bench_region_horizon.py --runs 5

The commands run side by side, interleaved (their order rotates, after one untimed
warm-up run of each), so that a busy machine slows them alike. Prints the median and
minimum times and the ratios of the medians. It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "cases" / "aura-region"
REGION = FOLDER / "region-2024-2027.json"


def wall_time(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return seconds


def inputs(folder: Path) -> tuple[Path, Path]:
    """(the one-year region of the same clusters, the first cluster alone on its path)."""
    raw = json.loads(REGION.read_text())
    horizons = {}
    raw.pop("horizon")
    for c in raw["clusters"]:
        horizons[c["id"]] = c.pop("horizon")
        c["case"] = str(FOLDER / c["case"])
    for env in raw["envelopes"]:
        env["amount"] = env["amount"][-1]
    one = folder / "one-year-region.json"
    one.write_text(json.dumps(raw))
    first = raw["clusters"][0]
    case = json.loads(Path(first["case"]).read_text())
    case["horizon"] = horizons[first["id"]]
    alone = folder / "one-cluster-path.json"
    alone.write_text(json.dumps(case))
    return one, alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = [sys.executable, "-m", "cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        one, alone = inputs(Path(tmp))
        cmds = {"region horizon (3 clusters x 4 years)": base + [str(REGION)],
                "one-year region (3 clusters)": base + [str(one)],
                "one cluster's 4-year path": base + [str(alone)]}
        for cmd in cmds.values():
            wall_time(cmd)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        names = list(cmds)
        for i in range(args.runs):
            for name in names[i % 3:] + names[:i % 3]:
                times[name].append(wall_time(cmds[name]))
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name}: median {med[name]:.2f} s, min {min(t):.2f} s")
    first, second, third = names
    print(f"ratio region horizon / one-year region: {med[first] / med[second]:.2f}")
    print(f"ratio region horizon / one cluster's path: {med[first] / med[third]:.2f}")


if __name__ == "__main__":
    main()

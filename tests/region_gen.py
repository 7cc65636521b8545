"""Realistic random regions of N clusters (issue 10 at scale), for tests and bench/.

Each generated cluster is one of the bundled Auvergne-Rhone-Alpes clusters
(cases/aura-region/*.json, built from published figures) with noise that can only make it
easier to plan, so that every generated cluster has a plan on its own as its template does:

- its target private share lowered by 0 to 3 points (never below today's share), its
  minimum number of members lowered by 0 to 15;
- each lever's `downside` (its EUR at risk per EUR, which the constraints never read
  without `target.robust`, and the bundled cases have none) multiplied by 0.7 to 1.3.

The region: the Regional council's envelope on every cluster's `region` line, the State's
on every `state` line, each at today's amount minus 5 to 15 %, a maximum cut of 30 %
(as cases/aura-region/region.json); optionally a member pool (about 18 new members per
cluster, as the bundled region's 400 for 22, times 0.5 to 1) and the region's 55 %
combined private share. Everything is drawn from random.Random(seed): the same seed gives
the same region.
"""

from __future__ import annotations

import copy
import json
import random
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "cases" / "aura-region"


@lru_cache(maxsize=1)
def templates() -> tuple[tuple[str, str], ...]:
    """(id, case JSON text) of each bundled cluster, in file-name order."""
    out = []
    for path in sorted(TEMPLATES.glob("*.json")):
        if path.name.startswith("region"):  # region.json, region-2024-2027.json: regions
            continue
        out.append((path.stem, path.read_text(encoding="utf-8")))
    return tuple(out)


def _share(case: dict[str, Any]) -> float:
    revenues = case["revenues"]
    total = sum(r["amount"] for r in revenues)
    return sum(r["amount"] for r in revenues if not r.get("public")) / total


def noisy_cluster(rng: random.Random, template: dict[str, Any]) -> dict[str, Any]:
    case = copy.deepcopy(template)
    case.pop("notes", None)
    target = case["target"]
    target.pop("notes", None)
    lowered = target["private_share"] - rng.uniform(0.0, 0.03)
    keep = min(target["private_share"], _share(case) + 0.001)
    target["private_share"] = max(round(lowered, 4), keep)
    if "min_members" in target:
        target["min_members"] = max(0, int(target["min_members"]) - rng.randint(0, 15))
    for lever in case.get("levers", []):
        lever.pop("notes", None)
        if lever.get("downside") is not None:
            lever["downside"] = round(min(1.0, lever["downside"] * rng.uniform(0.7, 1.3)), 4)
    return case


def generate_region(n: int, seed: int = 0, *, pool: bool = True, share: bool = True,
                    cut: tuple[float, float] = (0.05, 0.15)) -> dict[str, Any]:
    """A region file (a dict, cases inline) of n generated clusters."""
    rng = random.Random(seed)
    pool_size = templates()
    clusters = []
    lines: dict[str, dict[str, str]] = {"region": {}, "state": {}}
    today = {"region": 0.0, "state": 0.0}
    for i in range(n):
        name, text = pool_size[rng.randrange(len(pool_size))]
        case = noisy_cluster(rng, json.loads(text))
        case["name"] = f"{name} #{i}"
        cid = f"c{i:04d}-{name}"[:40]
        clusters.append({"id": cid, "case": case})
        for rev in case["revenues"]:
            if rev["id"] in lines and rev.get("public"):
                lines[rev["id"]][cid] = rev["id"]
                today[rev["id"]] += rev["amount"]
    envelopes = []
    labels = {"region": "Regional council", "state": "State"}
    for env_id in ("region", "state"):
        if lines[env_id]:
            envelopes.append({"id": env_id, "label": labels[env_id],
                              "amount": round(today[env_id] * (1 - rng.uniform(*cut))),
                              "lines": lines[env_id], "max_cut_fraction": 0.3})
    region: dict[str, Any] = {"schema_version": 1,
                              "name": f"Generated region of {n} clusters (seed {seed})",
                              "clusters": clusters, "envelopes": envelopes}
    if pool:
        region["member_pool"] = max(1, round(n * 400 / 22 * rng.uniform(0.5, 1.0)))
    if share:
        region["region_private_share"] = 0.55
    return region


__all__ = ["generate_region", "noisy_cluster", "templates"]

"""Even cuts between funders with a region horizon (MODEL.md, "Even cuts between funders"):
year by year, each cluster paid by two envelopes is cut by the same share of each line, at
the same least total EUR at risk.

Checked from the contract's words, not from the LP that makes them. In each year, the
shares of a shared cluster may differ only where evening them out is blocked: the funder
cutting the larger share has no room left under that year's envelope (or spends all), the
other spends all or is at its largest cut, or the rule that a cut never falls ties that
year to the one before (the larger cut already equals last year's) or after (the smaller
cut already equals next year's) and that year is itself held by one of the first reasons.
"""

from __future__ import annotations

import random

import pytest

import optimizer
from optimizer import i18n
from optimizer.analyses import region_horizon
from optimizer.report.region_horizon import render_region_horizon
from optimizer.status import Status
from tests.region_gen import generate_region

SHARE_TOL = 1e-6
YEARS = [2024, 2025]


def horizon_region(seed: int) -> dict:
    """A generated region (two envelopes, the Region's and the State's, sharing clusters)
    over two years: each envelope falls a little more in the second year, each cluster's
    target rises by up to a point."""
    rng = random.Random(seed)
    raw = generate_region(rng.randint(2, 3), 9_000 + seed, pool=rng.random() < 0.5,
                          share=rng.random() < 0.5, cut=(0.02, rng.choice([0.06, 0.12])))
    raw["horizon"] = {"years": YEARS}
    for env in raw["envelopes"]:
        env["amount"] = [env["amount"], round(env["amount"] * rng.uniform(0.95, 1.0))]
        if rng.random() < 0.15:
            env["spend"] = "all"
    for cluster in raw["clusters"]:
        share = cluster["case"]["target"]["private_share"]
        cluster["horizon"] = {"years": YEARS,
                              "targets": [share, round(min(0.9, share + rng.uniform(0, 0.01)), 4)]}
    return raw


def _shares(result, cid: str, k: int):
    """(larger share, its envelope, its cuts), (smaller share, ...) of cluster cid in year
    k."""
    region = result.region
    part = next(p for p in result.parts if p.id == cid)
    shares = []
    for env, line in region.funded(cid):
        amount = region.case_of(cid).revenue(line).amount
        cuts = part.cuts.get(env.id, (0.0,) * len(YEARS))
        shares.append((cuts[k] / amount, env, cuts))
    return max(shares, key=lambda s: s[0]), min(shares, key=lambda s: s[0])


def _held(result, cid: str, k: int) -> list[str]:
    """What holds cluster cid's cuts in year k where they are, whatever the other year:
    the larger share's funder has no room left that year (or spends all), the other
    spends all or is at its largest cut."""
    hi, lo = _shares(result, cid, k)
    year = {e.id: e for e in result.years[k].envelopes}
    reasons = []
    if hi[1].spends_all or year[hi[1].id].after >= year[hi[1].id].amount - 1e-3:
        reasons.append(f"{hi[1].id} has no room")
    if lo[1].spends_all:
        reasons.append(f"{lo[1].id} spends all")
    if lo[0] >= lo[1].max_cut_fraction - SHARE_TOL:
        reasons.append(f"{lo[1].id} at its largest cut")
    return reasons


def _blocked(result, cid: str, k: int) -> list[str]:
    """Why cluster cid's funders could not cut it by the same share in year k: [] when its
    shares are equal that year. A cut that never falls ties year k to the year before
    (the larger cut already equals last year's) or after (the smaller cut already equals
    next year's): that is a reason only when the tied year is itself held."""
    hi, lo = _shares(result, cid, k)
    if hi[0] - lo[0] <= SHARE_TOL:
        return []
    reasons = _held(result, cid, k)
    if k > 0 and abs(hi[2][k] - hi[2][k - 1]) <= 1e-3 and _held(result, cid, k - 1):
        reasons.append(f"{hi[1].id}'s cut equals last year's, which is held")
    if k + 1 < len(YEARS) and abs(lo[2][k + 1] - lo[2][k]) <= 1e-3 \
            and _held(result, cid, k + 1):
        reasons.append(f"{lo[1].id}'s cut equals next year's, which is held")
    return reasons or [f"shares {hi[0]:.6f} and {lo[0]:.6f} could be evened"]


def _solve(raw, even: bool, monkeypatch):
    if not even:
        monkeypatch.setattr(region_horizon, "even_cuts", lambda rm: False)
    result = optimizer.solve_region_horizon(optimizer.load_region(raw), explain=False)
    monkeypatch.undo()
    return result


@pytest.mark.parametrize("seed", range(12))
def test_each_shared_cluster_is_cut_evenly_each_year_at_the_same_risk(seed, monkeypatch):
    raw = horizon_region(seed)
    even = _solve(raw, True, monkeypatch)
    plain = _solve(raw, False, monkeypatch)
    assert even.status is plain.status
    if plain.status is not Status.OPTIMAL:
        return
    assert abs(even.total_risk - plain.total_risk) <= 1e-6 * max(1.0, plain.total_risk) + 1e-3
    region = even.region
    shared = [cid for cid in region.ids if len(region.funded(cid)) >= 2]
    for cid in shared:
        for k in range(len(YEARS)):
            why = _blocked(even, cid, k)
            assert not why or "could be evened" not in why[0], (cid, YEARS[k], why)


def test_the_split_found_alone_is_often_uneven_and_the_report_names_the_even_clusters(
        monkeypatch):
    """Without the step the least-risk path leaves the split to the solver (this is what
    the step is for); with it the report names, in English and French, exactly the shared
    clusters cut evenly in every year."""
    uneven_before = 0
    named = 0
    for seed in range(12):
        raw = horizon_region(seed)
        plain = _solve(raw, False, monkeypatch)
        if plain.status is not Status.OPTIMAL:
            continue
        region = plain.region
        shared = [cid for cid in region.ids if len(region.funded(cid)) >= 2]
        uneven_before += sum(bool(_blocked(plain, cid, k)) for cid in shared
                             for k in range(len(YEARS)))
        even = _solve(raw, True, monkeypatch)
        evenly = [cid for cid in shared
                  if not any(_blocked(even, cid, k) for k in range(len(YEARS)))
                  and any(sum(p.cuts.get(e, (0, 0))[k] for e in p.cuts) > 1
                          for p in even.parts if p.id == cid for k in range(len(YEARS)))]
        text = render_region_horizon(even, "table")
        lines = [t for t in text.splitlines() if t.startswith("Where two funders pay")]
        if not evenly:
            assert lines == []
            continue
        named += 1
        assert len(lines) == 1
        inside = lines[0].split("(")[1].split(")")[0].split(", ")
        assert sorted(inside) == sorted(evenly)
        with i18n.language("fr"):
            assert "année par année" in render_region_horizon(even, "table")
    assert uneven_before >= 5
    assert named >= 5

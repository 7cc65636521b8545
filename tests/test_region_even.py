"""Even cuts between the funders of one cluster (MODEL.md, "Even cuts between funders").

Checked from the contract's words, not from the LP that makes them: at the same least total
EUR at risk, each cluster paid by two envelopes is cut by the same share of each line,
unless evening it out is blocked (the funder cutting the larger share has no room left
under its envelope, or the other is at its largest cut); and the split reported no longer
depends on which of the equal-risk splits the solver met first.
"""

from __future__ import annotations

import random

import numpy as np
import pulp
import pytest

import optimizer
from optimizer import i18n
from optimizer.analyses import region as region_analysis
from optimizer.analyses.region_even import even_cuts, shared_clusters
from optimizer.model.region import block_of, build_region_model
from optimizer.report.region import render_region
from optimizer.solvers.blocks import run_blocks_bounded
from optimizer.status import Status
from tests.region_gen import generate_region

SHARE_TOL = 1e-6


def _regions() -> list[tuple[str, dict]]:
    out = []
    for i in range(10):
        rng = random.Random(7_000 + i)
        out.append((f"generated-{i}", generate_region(
            rng.randint(2, 5), 7_000 + i, pool=rng.random() < 0.5, share=rng.random() < 0.7,
            cut=(0.02, rng.choice([0.1, 0.25])))))
    return out


def _evenness_blocked(region, result, cid: str) -> list[str]:
    """Why cluster cid's funders could not cut it by the same share: [] when nothing
    blocks it (then its shares must be equal)."""
    part = next(p for p in result.parts if p.id == cid)
    funded = region.funded(cid)
    shares = {}
    for env, line in funded:
        amount = region.case_of(cid).revenue(line).amount
        shares[env.id] = (part.cuts.get(env.id, 0.0) / amount, env, amount)
    hi = max(shares.values(), key=lambda s: s[0])
    lo = min(shares.values(), key=lambda s: s[0])
    if hi[0] - lo[0] <= SHARE_TOL:
        return []
    reasons = []
    split = {s.id: s for s in result.envelopes_split}
    h_env = hi[1]
    if h_env.spends_all or split[h_env.id].after >= split[h_env.id].amount - 1e-3:
        reasons.append(f"{h_env.id} has no room")
    if lo[1].spends_all:
        reasons.append(f"{lo[1].id} spends all")
    if lo[0] >= lo[1].max_cut_fraction - SHARE_TOL:
        reasons.append(f"{lo[1].id} at its largest cut")
    return reasons or [f"shares {hi[0]:.6f} and {lo[0]:.6f} could be evened"]


@pytest.mark.parametrize("name,raw", _regions())
def test_each_shared_cluster_is_cut_evenly_at_the_same_risk(name, raw, monkeypatch):
    region = optimizer.load_region(raw)
    even = region_analysis.solve_region(region, time_limit=60, method="joint")
    monkeypatch.setattr(region_analysis, "even_cuts", lambda rm: False)
    plain = region_analysis.solve_region(region, time_limit=60, method="joint")
    assert even.status is plain.status
    if plain.status is not Status.OPTIMAL:
        return
    assert abs(even.total_risk - plain.total_risk) <= 1e-6 * max(1.0, plain.total_risk) + 1e-3
    shared = [cid for cid in region.ids if len(region.funded(cid)) >= 2]
    for cid in shared:
        blocked = _evenness_blocked(region, even, cid)
        assert not blocked or "could be evened" not in blocked[0], (cid, blocked)


def test_the_bundled_region_cut_by_10_percent_is_shared_evenly():
    result = region_analysis.solve_region(
        "cases/aura-region/region.json",
        overrides={"envelopes.region.amount": 8848833, "envelopes.state.amount": 2607925})
    assert result.status is Status.OPTIMAL
    region = result.region
    shared = [cid for cid in region.ids if len(region.funded(cid)) >= 2]
    assert len(shared) >= 10
    uneven = [cid for cid in shared if _evenness_blocked(region, result, cid)]
    assert uneven == []
    # The report says it, naming exactly the shared clusters cut (here all of them), in
    # English and in French.
    text = render_region(result, "table")
    line = next(t for t in text.splitlines() if t.startswith("Where two funders pay"))
    assert all(cid in line for cid in shared)
    assert not any(cid in line for cid in region.ids if cid not in shared)
    with i18n.language("fr"):
        assert "chacun réduit la même part de ce qu'il lui verse" in render_region(result)


def _solved(raw):
    region = optimizer.load_region(raw)
    rm = build_region_model(region)
    run, _ = run_blocks_bounded(rm.prob, block_of, 60)
    assert run.outcome.status is Status.OPTIMAL
    return region, rm


def _cut_values(rm) -> dict[tuple[str, str], float]:
    return {(cid, e): float(v.varValue) for cid, by in rm.cuts.items() for e, v in by.items()}


@pytest.mark.parametrize("seed", [3, 8, 21, 30])
def test_the_split_reported_does_not_depend_on_the_split_found(seed):
    """Two least-risk splits that differ only in which funder cuts a shared cluster (the
    solver could meet either) give the same even split."""
    raw = generate_region(4, seed, pool=False, share=True, cut=(0.01, 0.02))
    region, rm = _solved(raw)
    shared = shared_clusters(rm)
    if not shared:
        pytest.skip("no cluster paid by two envelopes")
    risk = float(pulp.value(rm.prob.objective))
    assert even_cuts(rm)
    first = _cut_values(rm)
    # Another split of the same risk: in each shared cluster, move what can be moved from
    # one funder to the other (the envelopes here ask for little: they have room).
    moved = False
    for cid in shared:
        (e1, _), (e2, _) = region.funded(cid)[:2]
        c1, c2 = rm.cuts[cid][e1.id], rm.cuts[cid][e2.id]
        room = min(float(c1.varValue),
                   e2.max_cut_fraction * region.case_of(cid).revenue(
                       region.funded(cid)[1][1]).amount - float(c2.varValue))
        if room > 1.0:
            c1.varValue -= room
            c2.varValue += room
            moved = True
    assert moved
    assert abs(float(pulp.value(rm.prob.objective)) - risk) <= 1e-6 * risk + 1e-3
    assert _cut_values(rm) != pytest.approx(first, abs=1e-3)
    assert even_cuts(rm)
    again = _cut_values(rm)
    keys = sorted(first)
    assert np.allclose([again[k] for k in keys], [first[k] for k in keys], atol=1e-3)

"""Sensitivity runs on a region (issue 10): the envelope frontier, sweeps of region paths,
the tornado of region inputs.

The frontier of an envelope runs from today's total (the clusters' lines today, summed)
down to the smallest amount the clusters can absorb, computed exactly as the diagnosis
does (the joint program minimising the envelope's after-amount under every other row).
Every point is `solve_region` with that envelope at that amount and the others at the
file's: the least total EUR at risk there, with its proven gap. Two more exact figures:
`free_until`, the lowest amount at which today's least total risk is still reachable (the
joint program minimising the after-amount with the total risk held at today's least), and
each cluster's entry points, where going down every least-risk split starts cutting it and
cuts it to its maximum (the least cut of that cluster among the splits at the point's least
total risk, one more exact solve: the split found is not unique, so its own cuts would make
the entry points depend on the grid), located by bisection between two solved amounts to
within `resolution` EUR.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from ..case.paths import Percent
from ..case.region import Region, load_region
from ..errors import CaseError
from ..fmt import count as count_text
from ..i18n import gettext as _
from ..model.region import build_region_model
from ..results.region_frontier import (
    ClusterEntry,
    EnvelopeFrontier,
    FrontierPoint,
    RegionFrontier,
    RegionRuns,
    Transition,
)
from ..solvers.bounded import REGION_GAP_REL, run_bounded
from ..status import Status
from .region import solve_region

# Default grid of a region frontier: today's total, the lowest amount at no extra risk,
# then evenly down to the smallest feasible amount (README "Regions"); fewer points for a
# large region (more than SMALL_REGION clusters on the envelope).
DEFAULT_POINTS = 11
LARGE_REGION_POINTS = 6
# Per solve, when --time-limit is not given: the 3-4 cluster regions prove each point in a
# second or two; the bundled 22 clusters get a split and its proven gap in LARGE_REGION_...
DEFAULT_POINT_TIME_LIMIT = 20.0
LARGE_REGION_TIME_LIMIT = 10.0
# A cut within this many EUR of 0 (of its maximum) is no cut (the maximum cut).
TOL_EUR = 1.0
# Entry points are located to within this share of the frontier's range by default.
RESOLUTION_SHARE = 1 / 200
# Up to this many clusters on an envelope, entry points are exact (every least-risk split,
# bisected to the fine resolution); above, they are read from the split found at each grid
# point, to within a grid step (a least-cut solve per cluster would take hours).
SMALL_REGION = 6

Progress = Callable[[str], None]


def _one_year(region: Region, option: str) -> None:
    """The sensitivity runs solve today's region (`solve_region`); a region over several
    years (its `horizon`) is refused, not silently solved as one year."""
    if getattr(region.spec, "horizon", None) is not None:
        raise CaseError(_("{option}: not available for a region with a horizon yet; drop "
                          "its horizon to run it on one year").format(option=option))


def _envelope_today(region: Region, env_id: str) -> float:
    env = next(e for e in region.spec.envelopes if e.id == env_id)
    return float(sum(region.case_of(cid).revenue(line).amount for cid, line in env.lines.items()))


def min_envelope(region: Region, env_id: str, time_limit: float | None
                 ) -> tuple[float | None, bool]:
    """(the smallest after-amount of the envelope under every other row, proven) - the
    diagnosis's exact computation (docs/MODEL.md, "Diagnosis")."""
    rm = build_region_model(region, objective="min_envelope", envelope=env_id)
    run = run_bounded(rm.prob, time_limit)
    if not run.outcome.has_plan or run.outcome.objective is None:
        return None, run.outcome.status is Status.INFEASIBLE
    return float(run.outcome.objective), run.outcome.status is Status.OPTIMAL


def free_until(region: Region, env_id: str, least_risk: float, time_limit: float | None
               ) -> float | None:
    """The lowest after-amount of the envelope among the splits whose total risk is today's
    least (to the region's 1e-6 gap): the envelope can fall this far at no extra risk."""
    rm = build_region_model(region, objective="min_envelope", envelope=env_id)
    rm.prob += rm.risk <= least_risk * (1 + REGION_GAP_REL) + 1e-3, "frontier_risk_cap"
    run = run_bounded(rm.prob, time_limit)
    if run.outcome.status is not Status.OPTIMAL or run.outcome.objective is None:
        return None
    return float(run.outcome.objective)


def least_cut(region: Region, env_id: str, cluster: str, amount: float, total_risk: float,
              time_limit: float | None) -> float | None:
    """The least cut envelope env_id makes on cluster among the splits with the envelope at
    amount and a total risk at most total_risk (to the region's 1e-6 gap): above 0, every
    least-risk split cuts the cluster; at its maximum, every one cuts it to its maximum.
    None when the search found no such split in time."""
    rm = build_region_model(region, amounts={env_id: amount})
    rm.prob += rm.risk <= total_risk * (1 + REGION_GAP_REL) + 1e-3, "frontier_risk_cap"
    rm.prob.setObjective(rm.cuts[cluster][env_id])
    run = run_bounded(rm.prob, time_limit)
    if run.outcome.status is not Status.OPTIMAL or run.bound is None:
        return None
    return max(0.0, float(run.bound))


def _whole_up(amount: float) -> float:
    """The whole euro at or above amount (an amount the clusters can absorb stays so)."""
    return float(math.ceil(amount - 1e-6))


def region_frontier(
    region: Region | Mapping[str, Any] | str | os.PathLike[str],
    envelope: str | None = None,
    points: int | None = None,
    time_limit: float | None = None,
    *,
    resolution: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> RegionFrontier:
    """The least total EUR at risk of the region as one envelope falls from today's total
    to the smallest amount the clusters can absorb; every envelope in turn unless
    `envelope` names one (the others stay at the file's amounts).

    points: grid points (today's total, the lowest amount at no extra risk, then evenly to
        the smallest feasible amount); at least 2.
    time_limit: per solve (each point, the minimum, the free amount).
    resolution: entry points are located to within this many EUR (default: 1/200 of the
        frontier's range, at least 1 EUR).
    """
    region = load_region(region, overrides)
    _one_year(region, "--frontier")
    envs = region.spec.envelopes
    if not envs:
        raise CaseError(_("--frontier: the region has no envelope to move (envelopes is "
                          "empty)"))
    if envelope is not None and envelope not in {e.id for e in envs}:
        raise CaseError(_("envelope: no envelope '{envelope}'; envelopes: {ids}").format(
            envelope=envelope, ids=", ".join(e.id for e in envs)))
    chosen = [e for e in envs if envelope is None or e.id == envelope]
    large = any(len(e.lines) > SMALL_REGION for e in chosen)
    if points is None:
        points = LARGE_REGION_POINTS if large else DEFAULT_POINTS
    if time_limit is None:
        time_limit = LARGE_REGION_TIME_LIMIT if large else DEFAULT_POINT_TIME_LIMIT
    if points < 2:
        raise CaseError(_("points: at least 2, got {points}").format(points=points))
    out = tuple(_one(region, e.id, points, time_limit, resolution, progress) for e in chosen)
    digest, origin = region.source
    audit = {"region_sha256": digest, "region_source": origin,
             "overrides": dict(overrides or {}), "solver": "highs", "gap_rel": REGION_GAP_REL,
             "time_limit_per_solve": time_limit, "points": points}
    return RegionFrontier(region, out, time_limit, MappingProxyType(audit))


def _one(region: Region, env_id: str, points: int, time_limit: float | None,
         resolution: float | None, progress: Progress | None) -> EnvelopeFrontier:
    env = next(e for e in region.spec.envelopes if e.id == env_id)
    today = _envelope_today(region, env_id)
    solved: dict[float, FrontierPoint] = {}

    def at(amount: float, grid: bool) -> FrontierPoint:
        amount = float(amount)
        if amount in solved:
            p = solved[amount]
            if grid and not p.grid:
                solved[amount] = p = FrontierPoint(**{**p.__dict__, "grid": True})
            return p
        if progress is not None:
            progress(_("{envelope} at {amount} EUR").format(envelope=env_id,
                                                            amount=count_text(amount)))
        res = solve_region(region, time_limit=time_limit, explain=False,
                           amounts={env_id: amount})
        split = next((s for s in res.envelopes_split if s.id == env_id), None)
        cuts = {p.id: float(p.cuts.get(env_id, 0.0)) for p in res.parts}
        risks = {p.id: p.risk for p in res.parts}
        solved[amount] = FrontierPoint(amount, res.status, res.total_risk, res.gap, res.bound,
                                       None if split is None else split.after,
                                       MappingProxyType(cuts), MappingProxyType(risks), grid)
        return solved[amount]

    minimum, minimum_proven = min_envelope(region, env_id, time_limit)
    top = at(today, True)
    free = None
    # spend "all": every point spends its amount whole, so the least risk need not fall as
    # the amount rises (a larger envelope spent whole can cost risk): no free_until, and no
    # point borrows a split from a lower amount (consistent_points assumes a ceiling).
    if top.proven and top.total_risk is not None and region.spec.objective == "total_risk" \
            and not env.spends_all:
        free = free_until(region, env_id, top.total_risk, time_limit)
    bottom = None if minimum is None else min(today, _whole_up(minimum))
    span = today - (bottom if bottom is not None else today)
    exact = len(env.lines) <= SMALL_REGION
    if resolution is None:
        res_eur = max(TOL_EUR, span * RESOLUTION_SHARE)
    else:
        res_eur = max(TOL_EUR, float(resolution))
    grid = [today]
    if bottom is not None and span > 0:
        start = today
        if free is not None and bottom + res_eur < _whole_up(free) < today - res_eur:
            start = _whole_up(free)
            grid.append(start)
        n = points - len(grid)
        grid += [round(start - (start - bottom) * k / n, 2) for k in range(1, n + 1)] if n else []
        grid[-1] = bottom
    for amount in grid[1:]:
        at(amount, True)
    if not exact:  # no bisection: to within the largest grid step
        res_eur = max([a - b for a, b in itertools.pairwise(grid)] + [TOL_EUR])
    max_cut = {cid: env.max_cut_fraction * region.case_of(cid).revenue(line).amount
               for cid, line in env.lines.items()}
    least: dict[tuple[float, str], float | None] = {}

    def least_at(p: FrontierPoint, cid: str) -> float | None:
        key = (p.amount, cid)
        if key not in least:
            least[key] = None if p.total_risk is None else least_cut(
                region, env_id, cid, p.amount, p.total_risk, time_limit)
        return least[key]

    entries = []
    for cid, line in env.lines.items():
        # The split found bounds the least cut from above: when it does not cut the cluster
        # (to its maximum), some least-risk split does not, and no extra solve is needed.
        def is_cut(p: FrontierPoint, cid: str = cid) -> bool | None:
            if p.cuts.get(cid, 0.0) <= TOL_EUR or not exact:
                return p.cuts.get(cid, 0.0) > TOL_EUR
            v = least_at(p, cid)
            return None if v is None else v > TOL_EUR

        def is_full(p: FrontierPoint, cid: str = cid) -> bool | None:
            if p.cuts.get(cid, 0.0) < max_cut[cid] - TOL_EUR or not exact:
                return p.cuts.get(cid, 0.0) >= max_cut[cid] - TOL_EUR
            v = least_at(p, cid)
            return None if v is None else v >= max_cut[cid] - TOL_EUR

        entries.append(ClusterEntry(cid, line, max_cut[cid],
                                    _transition(grid, at, is_cut, res_eur),
                                    _transition(grid, at, is_full, res_eur)))
    for amount, p in list(solved.items()):
        cuts = {cid: least[(amount, cid)] for cid in env.lines if (amount, cid) in least}
        solved[amount] = FrontierPoint(**{**p.__dict__, "least_cuts": MappingProxyType(cuts)})
    ordered = sorted(solved.values(), key=lambda p: -p.amount)
    pts = tuple(ordered) if env.spends_all else consistent_points(ordered)
    return EnvelopeFrontier(env.id, env.name, today, env.amount_in(0), minimum, minimum_proven, free,
                            res_eur, pts, tuple(entries),
                            "every_split" if exact else "split_found")


def consistent_points(pts: list[FrontierPoint]) -> tuple[FrontierPoint, ...]:
    """Points stopped by the time limit, made consistent with the others: a split found at a
    lower amount is feasible at a higher one (so the best risk known at an amount is the
    least over the amounts at or below it), and a bound proven at a higher amount holds at
    a lower one (so the bound is the largest over the amounts at or above it)."""
    out = []
    for i, p in enumerate(pts):
        if p.proven:
            out.append(p)
            continue
        below = [q for q in pts[i:] if q.has_plan]
        best = min(below, key=lambda q: q.total_risk or 0.0, default=None)
        bounds = [q.bound for q in pts[:i + 1] if q.bound is not None]
        bound = max(bounds) if bounds else None
        update: dict[str, Any] = {"bound": bound}
        if best is not None and (p.total_risk is None or (best.total_risk or 0.0)
                                 < p.total_risk - 1e-6 * max(1.0, p.total_risk)):
            update.update(total_risk=best.total_risk, after=best.after, cuts=best.cuts,
                          risks=best.risks, split_from=best.amount, status=Status.TIME_LIMIT)
        risk = update.get("total_risk", p.total_risk)
        if risk is not None and bound is not None:
            update["gap"] = max(0.0, risk - bound) / max(1.0, abs(risk))
        out.append(FrontierPoint(**{**p.__dict__, **update}))
    return tuple(out)


def _transition(grid: Sequence[float], at: Callable[[float, bool], FrontierPoint],
                state: Callable[[FrontierPoint], bool | None], resolution: float
                ) -> Transition:
    """The first place, going down the grid, where state turns true, narrowed by bisection
    to within resolution EUR (both ends are solved points where the state is known)."""
    above: float | None = None
    for amount in grid:
        p = at(amount, True)
        known = state(p) if p.has_plan else None
        if known is None:
            continue
        if known:
            if above is None:
                return Transition(None, amount)
            lo, hi = amount, above  # state true at lo, false at hi
            while hi - lo > resolution:
                mid = round((lo + hi) / 2, 2)
                if mid in (lo, hi):
                    break
                q = at(mid, False)
                known = state(q) if q.has_plan else None
                if known is None:
                    break
                if known:
                    lo = mid
                else:
                    hi = mid
            return Transition(hi, lo)
        above = amount
    return Transition(None, None)


# ------------------------------------------------------------------ sweeps and tornado


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Percent) else value


def _row(res: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"status": res.status.value, "total_risk": res.total_risk,
                           "gap": res.gap}
    for s in res.envelopes_split:
        row[f"after:{s.id}"] = s.after
    for p in res.parts:
        for env_id, cut in p.cuts.items():
            row[f"cut:{p.id}:{env_id}"] = cut
        row[f"risk:{p.id}"] = p.risk
    return row


def region_sweep(
    source: Region | Mapping[str, Any] | str | os.PathLike[str],
    axes: Sequence[tuple[str, Sequence[Any]]],
    time_limit: float | None = DEFAULT_POINT_TIME_LIMIT,
    *,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> RegionRuns:
    """The region solved at every point of the grid of region paths (`--set` paths such as
    `envelopes.region.amount` or `clusters.axelera.target.private_share`)."""
    import pandas as pd

    if isinstance(source, Region):
        raise CaseError(_("region_sweep: give the region file (or its dict), not a loaded "
                          "Region"))
    base = dict(overrides or {})
    region = load_region(source, base)
    _one_year(region, "--sweep")
    for path, values in axes:  # every value checked before any solve
        for value in values:
            load_region(source, {**base, path: _plain(value)})
    rows = []
    for combo in itertools.product(*[values for _path, values in axes]):
        sets = {path: _plain(v) for (path, _values), v in zip(axes, combo)}
        if progress is not None:
            progress(", ".join(f"{k}={v}" for k, v in sets.items()))
        res = solve_region(load_region(source, {**base, **sets}), time_limit=time_limit,
                           explain=False)
        rows.append({**sets, **_row(res)})
    return RegionRuns(region, "sweep", pd.DataFrame(rows))


def tornado_inputs(region: Region) -> list[tuple[str, float, bool, float]]:
    """(path, value today, whole, highest allowed) of the inputs a region tornado moves:
    each envelope's amount (it never rises above today's total), the member pool, and each
    cluster's members and the amounts of its private revenue and expenditure lines. Targets
    are decisions, not assumptions (as in a cluster's tornado); inputs at 0 are left out."""
    out: list[tuple[str, float, bool, float]] = []
    for env in region.spec.envelopes:
        out.append((f"envelopes.{env.id}.amount", env.amount_in(0), False,
                    _envelope_today(region, env.id)))
    if region.spec.member_pool is not None:
        out.append(("member_pool", float(region.spec.member_pool), True, math.inf))
    for cid, case in zip(region.ids, region.cases):
        out.append((f"clusters.{cid}.members", float(case.members), True, math.inf))
        for r in case.revenues:
            if not r.public:
                out.append((f"clusters.{cid}.revenues.{r.id}.amount", r.amount, False, math.inf))
        for e in case.expenditures:
            out.append((f"clusters.{cid}.expenditures.{e.id}.amount", e.amount, False,
                        math.inf))
    return [i for i in out if i[1] != 0]


def region_tornado(
    source: Region | Mapping[str, Any] | str | os.PathLike[str],
    percent: float,
    time_limit: float | None = DEFAULT_POINT_TIME_LIMIT,
    *,
    overrides: Mapping[str, Any] | None = None,
    inputs: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> RegionRuns:
    """Each region input moved down and up by `percent` (a fraction, 0.2 for 20%), one at a
    time: the least total EUR at risk each way, ranked by the larger change."""
    import pandas as pd

    if isinstance(source, Region):
        raise CaseError(_("region_tornado: give the region file (or its dict), not a loaded "
                          "Region"))
    if not (0 < percent <= 1):
        raise CaseError(_("--tornado {text}: the change must be above 0 and at most 100%")
                        .format(text=f"{percent:.0%}"))
    base = dict(overrides or {})
    region = load_region(source, base)
    _one_year(region, "--tornado")
    start = solve_region(region, time_limit=time_limit, explain=False)
    chosen = None if inputs is None else set(inputs)
    rows = []
    for path, value, whole, highest in tornado_inputs(region):
        if chosen is not None and path not in chosen:
            continue
        row: dict[str, Any] = {"input": path, "value": value}
        for side, factor in (("low", 1 - percent), ("high", 1 + percent)):
            moved = value * factor
            moved = float(round(moved)) if whole else round(moved, 6)
            moved = min(moved, highest)
            if progress is not None:
                progress(f"{path}={moved:g}")
            if moved == value:  # at its highest already (an envelope): nothing to move
                res_risk, res_status = start.total_risk, start.status.value
            else:
                res = solve_region(load_region(source, {**base, path: int(moved) if whole
                                                        else moved}),
                                   time_limit=time_limit, explain=False)
                res_risk, res_status = res.total_risk, res.status.value
            row[side] = moved
            row[f"{side}_status"] = res_status
            row[f"{side}_risk"] = res_risk
        base_risk = start.total_risk
        row["swing"] = _swing(base_risk, row["low_risk"], row["high_risk"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame):
        frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
        frame["status"] = [Status.TIME_LIMIT.value if Status.TIME_LIMIT.value in (a, b)
                           else Status.OPTIMAL.value
                           for a, b in zip(frame["low_status"], frame["high_status"])]
    return RegionRuns(region, "tornado", frame, start.total_risk, start.status, percent)


def _swing(base: float | None, low: float | None, high: float | None) -> float:
    """The larger change of the least total risk either way; no plan counts as infinite."""
    if base is None:
        return math.nan
    moves = [math.inf if v is None else abs(v - base) for v in (low, high)]
    return max(moves)


__all__ = ["DEFAULT_POINTS", "DEFAULT_POINT_TIME_LIMIT", "LARGE_REGION_POINTS",
           "LARGE_REGION_TIME_LIMIT", "SMALL_REGION", "consistent_points", "free_until", "least_cut", "min_envelope",
           "region_frontier", "region_sweep", "region_tornado", "tornado_inputs"]

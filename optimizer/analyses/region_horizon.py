"""`solve_region_horizon(region)`: the yearly envelope split of least total path risk
(docs/MODEL.md, "Region horizon").

One joint program (model/region_horizon.py): every cluster's path block joined by the
envelope rows of each year, the member pool over the horizon and the region share of each
year, solved by HiGHS with its proven gap. Each cluster's part is then rechecked by
arithmetic: its year cases with the funded lines at that year's after-cut amount, the
path's figures by `evaluate_path`, every row of every year by `path_violations`; and the
region's own rows (the envelopes each year, cuts that never fall, the pool, the shares)
are rechecked from those figures. When the envelopes cannot be met: the first year whose
envelope no split meets (those of the years before it met), and the smallest amount each
envelope can fall to in that year.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pulp

from ..case.region import Region, load_region
from ..case.schema import Case
from ..errors import CaseError, SolverError
from ..i18n import gettext as _
from ..model.horizon import build_horizon, year_cases
from ..model.region_horizon import RegionHorizonModel, build_region_horizon, cluster_path_cases
from ..plan.evaluate import evaluate, tolerance
from ..results.horizon import HorizonResult
from ..results.region_horizon import (
    ClusterPath,
    EnvelopeYear,
    RegionHorizonDiagnosis,
    RegionHorizonResult,
    RegionYear,
)
from ..solvers.bounded import REGION_GAP_REL, run_bounded
from ..status import Status
from .horizon import evaluate_path, path_violations, year_results
from .plans import audit_trail, case_warnings
from .region import cut_case, tolerance_warnings
from .region_even import even_cuts
from .region_spend import CENT, spend_all

# A region horizon's program is about K times the one-year region's (K years): its default
# time limit is longer than the one-year region's 60 s (docs/MODEL.md, "Region horizon").
DEFAULT_TIME_LIMIT = 300.0


def solve_region_horizon(
    region: Region | Mapping[str, Any] | str | os.PathLike[str],
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    *,
    explain: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> RegionHorizonResult:
    """The split of every year's envelope that keeps every cluster on its path at the
    least total EUR at risk (the sum of the clusters' path risks), each cluster's path,
    and the region's figures year by year."""
    region = load_region(region, overrides)
    spec = region.spec
    if spec.horizon is None:
        raise CaseError(_("horizon: the region file has no horizon; use optimizer.solve_region"))
    if spec.objective != "total_risk":
        raise CaseError(_("objective: only \"total_risk\" is available with a region horizon "
                          "(got \"{objective}\")").format(objective=spec.objective))
    digest, origin = region.source
    audit = {"region_sha256": digest, "region_source": origin,
             "overrides": dict(overrides or {}), "solver": "highs",
             "gap_rel": REGION_GAP_REL, "time_limit": time_limit}
    rm = build_region_horizon(region)
    run = run_bounded(rm.prob, time_limit)
    if not run.outcome.has_plan:
        diagnosis = None
        if run.outcome.status is Status.INFEASIBLE and explain:
            diagnosis = diagnose_region_horizon(region, time_limit)
        return RegionHorizonResult(region, run.outcome.status, "highs", (),
                                   tuple(_years(region, None, None)), False,
                                   diagnosis=diagnosis, audit=MappingProxyType(audit))
    even_cuts(rm)  # two funders of one cluster: the even split each year, at the same risk
    paths, cuts = rm.read()
    gap = run.gap
    proven = run.outcome.status is Status.OPTIMAL and (
        gap is None or gap <= REGION_GAP_REL * 1.0001 or _abs_ok(run))
    status = Status.OPTIMAL if proven else Status.TIME_LIMIT
    parts = [_part(region, k, paths[k], cuts[region.ids[k]], status, audit)
             for k in range(len(region.ids))]
    recruited = [float(pulp.value(rm.recruited(j)) or 0.0) for j in range(len(rm.years))]
    years = _years(region, parts, recruited)
    broken = region_violations(region, parts, years)
    if broken:
        raise SolverError(_("the region path fails our own recheck: {problems}").format(
            problems="; ".join(broken[:5])))
    return RegionHorizonResult(region, status, "highs", tuple(parts), tuple(years), proven,
                               gap, run.bound, tuple(_binding(region, years, sum(recruited))),
                               sum(recruited), None, MappingProxyType(audit))


def _abs_ok(run: Any) -> bool:
    obj, bound = run.outcome.objective, run.bound
    return obj is not None and bound is not None and obj - bound <= 1e-3


def plain_case(case: Case, lines: set[str]) -> Case:
    """The case with its own grant cuts on the funded lines disabled (the funder decides
    those lines)."""
    return case.model_copy(update={"levers": [
        lever.model_copy(update={"enabled": False})
        if lever.type == "grant_cut" and getattr(lever, "revenue", None) in lines else lever
        for lever in case.levers]})


def _part(region: Region, k: int, path: list[dict[str, float]],
          cuts: Mapping[str, list[float]], status: Status, audit: Mapping[str, Any]
          ) -> ClusterPath:
    cid = region.ids[k]
    original = region.cases[k]
    funded = region.funded(cid)
    case = plain_case(original, {line for _env, line in funded})
    cases = [cut_case(ycase, {line: cuts[env.id][j] for env, line in funded})
             for j, ycase in enumerate(year_cases(original))]
    path = [{lever.id: float(plan.get(lever.id, 0.0)) for lever in case.levers}
            for plan in path]
    evs = evaluate_path(cases, path)
    broken = path_violations(case, cases, path, evs)
    if broken:
        raise SolverError(_("the region path of cluster {id} fails our own recheck: "
                            "{problem}").format(id=cid, problem=broken[0]))
    from ..status import SolverOutcome

    outcome = SolverOutcome(status, True, solver="highs")
    result = HorizonResult(case, status, "highs", year_results(case, cases, path, evs),
                           status is Status.OPTIMAL, "region joint program", None,
                           tuple(case_warnings(cases[0]) + tolerance_warnings(cases[0])),
                           audit_trail(case, "highs", outcome, dict(audit.get("overrides", {}))))
    today = evaluate(original, {})
    return ClusterPath(cid, MappingProxyType({e: tuple(v) for e, v in cuts.items()}),
                       MappingProxyType({env.id: (line, original.revenue(line).amount)
                                         for env, line in funded}),
                       result, original.private_total + original.public_total,
                       today.private_share)


def _years(region: Region, parts: Sequence[ClusterPath] | None,
           recruited: Sequence[float] | None) -> list[RegionYear]:
    spec = region.spec
    assert spec.horizon is not None
    out = []
    for j, year in enumerate(spec.horizon.years):
        envs = []
        for env in spec.envelopes:
            before = sum(region.case_of(cid).revenue(line).amount
                         for cid, line in env.lines.items())
            after = None if parts is None else sum(
                p.grant_after(env.id, j) for p in parts if env.id in p.cuts)
            envs.append(EnvelopeYear(env.id, env.name, year, env.amount_in(j), before, after))
        share = risk = None
        if parts is not None:
            before_p = sum(p.before_share * p.budget for p in parts)
            before_t = sum(p.budget for p in parts)
            evs = [p.result.years[j].evaluation for p in parts]
            after_t = sum(ev.total_revenues for ev in evs)
            share = (before_p / before_t if before_t else 0.0,
                     sum(ev.private for ev in evs) / after_t if after_t else 0.0)
            risk = sum(ev.risk for ev in evs)
        out.append(RegionYear(year, tuple(envs), share,
                              None if recruited is None else recruited[j], risk))
    return out


def region_violations(region: Region, parts: Sequence[ClusterPath],
                      years: Sequence[RegionYear]) -> list[str]:
    """The region rows the split breaks, by arithmetic: each year's envelopes, cuts within
    [0, max_cut_fraction x line] that never fall, the pool over the horizon (from each
    cluster's recruits by year), each year's region share."""
    spec = region.spec
    out: list[str] = []
    for y in years:
        for e in y.envelopes:
            if e.after is not None and e.after > e.amount + 1e-6 * max(1.0, e.amount) + 1e-3:
                out.append(f"{y.year}: envelope {e.id} after {e.after:,.2f} > {e.amount:,.2f}")
            elif e.after is not None and spend_all(spec, e.id) and e.after < e.amount - CENT:
                out.append(f"{y.year}: envelope {e.id} spends {e.after:,.2f} of its "
                           f"{e.amount:,.2f}, not all of it (spend \"all\")")
    for p in parts:
        for env, line in region.funded(p.id):
            top = env.max_cut_fraction * p.lines[env.id][1]
            values = p.cuts[env.id]
            for j, c in enumerate(values):
                if c < -1e-6 or c > top + 1e-6 * max(1.0, top):
                    out.append(f"{p.id}: cut {c:,.2f} of {line} outside [0, {top:,.2f}]")
                if j and c < values[j - 1] - 1e-6 * max(1.0, values[j - 1]):
                    out.append(f"{p.id}: the cut of {line} falls back in year {j + 1}")
    if spec.member_pool is not None:
        total = 0.0
        for p in parts:
            for lever in p.result.case.levers:
                if lever.type != "new_members" or not lever.enabled:
                    continue
                keep = 1.0 - float(getattr(lever, "churn", 0.0))
                held = [float(y.plan.get(lever.id, 0.0)) for y in p.result.years]
                total += sum(v - (keep * held[j - 1] if j else 0.0)
                             for j, v in enumerate(held))
        if total > spec.member_pool + 1e-6:
            out.append(f"member pool: {total:,.2f} recruited > {spec.member_pool}")
    if spec.region_private_share is not None:
        s = spec.region_private_share
        for j, y in enumerate(years):
            private = sum(p.result.years[j].evaluation.private for p in parts)
            total = sum(p.result.years[j].evaluation.total_revenues for p in parts)
            if private - s * total < -sum(tolerance(p.result.years[j].case) for p in parts):
                out.append(f"{y.year}: region private share {private / total:.6f} < {s}")
    return out


def _binding(region: Region, years: Sequence[RegionYear], recruited: float) -> list[str]:
    spec = region.spec
    out = []
    for y in years:
        for e in y.envelopes:
            if e.after is not None and e.after >= e.amount - 1e-6 * max(1.0, e.amount) - 1:
                out.append(f"envelope:{e.id}:{y.year}")
        if spec.region_private_share is not None and y.private_share is not None \
                and y.private_share[1] <= spec.region_private_share + 1e-7:
            out.append(f"region_private_share:{y.year}")
    if spec.member_pool is not None and recruited >= spec.member_pool - 1e-6:
        out.append("member_pool")
    return out


def diagnose_region_horizon(region: Region, time_limit: float | None = DEFAULT_TIME_LIMIT
                            ) -> RegionHorizonDiagnosis:
    """The first year whose envelopes no split meets while meeting those of the years
    before it (every other row of every year kept), and in that year the smallest amount
    each envelope can fall to (exact: minimise its after-amount with the year's other
    envelopes and the earlier years' envelopes kept). When even no envelope at all leaves
    a split, the clusters whose own path fails at any cut."""
    spec = region.spec
    assert spec.horizon is not None
    years = list(spec.horizon.years)
    if not _feasible(build_region_horizon(region, envelope_years=0), time_limit):
        failing = []
        for k, cid in enumerate(region.ids):
            case, cases = cluster_path_cases(region, k)
            alone = build_horizon(case, cases=cases)
            if run_bounded(alone.prob, time_limit).outcome.status is Status.INFEASIBLE:
                failing.append(cid)
        return RegionHorizonDiagnosis(None, MappingProxyType({}), MappingProxyType({}),
                                      tuple(failing))
    first = len(years) - 1
    for j in range(len(years)):
        if not _feasible(build_region_horizon(region, envelope_years=j + 1), time_limit):
            first = j
            break
    least: dict[str, float | None] = {}
    for env in spec.envelopes:
        rm = build_region_horizon(region, objective="min_envelope", envelope=env.id,
                                  year=first, envelope_years=first + 1)
        run = run_bounded(rm.prob, time_limit)
        least[env.id] = float(run.outcome.objective) if run.outcome.status is Status.OPTIMAL \
            and run.outcome.objective is not None else None
    return RegionHorizonDiagnosis(years[first], MappingProxyType(least), MappingProxyType(
        {env.id: env.amount_in(first) for env in spec.envelopes}))


def _feasible(rm: RegionHorizonModel, time_limit: float | None) -> bool:
    rm.prob.setObjective(pulp.lpSum([]) + 0)
    return run_bounded(rm.prob, time_limit).outcome.has_plan


__all__ = ["DEFAULT_TIME_LIMIT", "diagnose_region_horizon", "plain_case",
           "region_violations", "solve_region_horizon"]

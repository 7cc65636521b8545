"""`solve_region(region)`: the envelope split of least total risk (docs/MODEL.md, "Region").

One joint program (model/region.py) over all clusters, solved by HiGHS with its proven
gap; each cluster's part is then evaluated by arithmetic on its case with the envelope
lines at their after-cut amounts, and built as `analyses.solve` builds a `Result`. When
the envelopes cannot be met, the diagnosis: the smallest amount each envelope can fall to
(exact: the joint program minimising that envelope's after-amount under every other row)
and the clusters that cannot absorb their maximum cut on their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pulp

from ..case.region import Region, load_region
from ..case.schema import Case, validate
from ..errors import CaseError, SolverError
from ..fmt import pct_short
from ..i18n import gettext as _
from ..model.region import block_of, build_region_model, max_cut_model, region_case
from ..plan.evaluate import evaluate, violations
from ..results.region import (
    ClusterPart,
    EnvelopeSplit,
    RegionDiagnosis,
    RegionMarginal,
    RegionResult,
)
from ..results.result import Result
from ..solvers.blocks import run_blocks_bounded
from ..solvers.bounded import REGION_GAP_REL, run_bounded
from ..status import Status
from .plans import audit_trail, binding, case_warnings
from .region_even import even_cuts
from .region_spend import unspent
from .solve import quick_outlook, solve

# "What 100 k EUR less would add" (issue 10).
MARGINAL_STEP = 100_000.0
DEFAULT_TIME_LIMIT = 60.0


def cut_case(case: Case, cuts: Mapping[str, float]) -> Case:
    """The cluster's case with each funded line at its after-cut amount (line id -> EUR
    cut) and its own grant_cut levers on those lines disabled: the case whose
    `optimize --format json` a cluster's part of the region result is."""
    raw = case.model_dump(mode="json", exclude_unset=True)
    for rev in raw["revenues"]:
        if rev["id"] in cuts:
            rev["amount"] = max(0.0, float(rev["amount"]) - cuts[rev["id"]])
    for lever in raw.get("levers", []):
        if lever.get("type") == "grant_cut" and lever.get("revenue") in cuts:
            lever["enabled"] = False
    out = validate(raw)
    if case.source is not None:
        out.record_source(*case.source)
    return out


def solve_region(
    region: Region | Mapping[str, Any] | str | os.PathLike[str],
    solver: str = "highs",
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    *,
    explain: bool = True,
    overrides: Mapping[str, Any] | None = None,
    amounts: Mapping[str, float] | None = None,
    method: str = "auto",
    workers: int | None = None,
    checkpoint: Any = None,
    scheduler: Any = None,
) -> RegionResult:
    """The split of the envelopes that keeps every cluster at its target at the least total
    EUR at risk (or the fairest split), each cluster's plan, and the region's figures.

    amounts: envelope id -> amount instead of the file's (frontier, marginal risk).
    method: "joint", "decompose" or "auto" (the joint program up to JOINT_MAX clusters);
    workers: processes (None: one per core); the joint program probes on two when it may
    (solvers/blocks.py), the decomposition solves its clusters on all of them
    (analyses/region_scale.py), for the same answer; checkpoint (a
    region_checkpoint.Checkpoint) serves the decomposition; scheduler (the address of a
    running dask.distributed scheduler, or a region_dask.DaskScheduler) sends the
    decomposition's per-cluster work to that Dask cluster (the `[dask]` extra), for the
    same answer.
    """
    region = load_region(region, overrides)
    spec = region.spec
    if spec.horizon is not None:  # the funders' envelopes year by year (region_horizon.py)
        raise CaseError(_("horizon: this region has a horizon; solve it with "
                          "optimizer.solve_region_horizon (optimize does it for you)"))
    if region.is_batch:
        return _batch(region, solver, time_limit, explain)
    audit = _audit(region, overrides, time_limit)
    from .region_scale import Assembly, solve_decomposed, use_decomposition

    if use_decomposition(region, method):
        build = Assembly(_part, _splits, _binding, _region_share, _no_plan, MARGINAL_STEP)
        if isinstance(scheduler, str):  # connected before anything is read or written
            from .region_dask import DaskScheduler

            with DaskScheduler(scheduler, "scheduler") as connected:
                return solve_decomposed(region, time_limit, explain=explain, audit=audit,
                                        build=build, amounts=amounts, workers=workers,
                                        checkpoint=checkpoint, executor=connected)
        return solve_decomposed(region, time_limit, explain=explain, audit=audit,
                                build=build, amounts=amounts, workers=workers,
                                checkpoint=checkpoint, executor=scheduler)
    if scheduler is not None:
        raise CaseError(_("scheduler: Dask runs the decomposition's work; add "
                          "method=\"decompose\" (or give a region of more than 40 clusters)"))
    fair_ratio = None
    if spec.objective == "fairest":
        rm = build_region_model(region, objective="fairest", amounts=dict(amounts or {}))
        first = run_bounded(rm.prob, time_limit)
        if not first.outcome.has_plan:
            return _no_plan(region, first.outcome.status, time_limit, explain, audit)
        fair_ratio = float(pulp.value(rm.fair) or 0.0)
        cap = fair_ratio * (1 + REGION_GAP_REL) + 1e-9
        rm = build_region_model(region, fair_cap=cap, amounts=dict(amounts or {}))
    else:
        rm = build_region_model(region, amounts=dict(amounts or {}))
    run = run_blocks_bounded(rm.prob, block_of, time_limit, workers=workers)[0]
    if not run.outcome.has_plan:
        return _no_plan(region, run.outcome.status, time_limit, explain, audit)
    even_cuts(rm)  # two funders of one cluster: the even split, at the same risk
    plans, cuts = rm.read()
    gap = run.gap
    proven = run.outcome.status is Status.OPTIMAL and (gap is None or gap <= REGION_GAP_REL
                                                      * 1.0001 or _abs_ok(run))
    parts = [_part(region, k, plans[k], cuts[region.ids[k]], proven, explain, audit)
             for k in range(len(region.ids))]
    splits = _splits(region, cuts, amounts)
    status = Status.OPTIMAL if proven else Status.TIME_LIMIT
    new_members = sum(float(pulp.value(t.value) or 0.0) for m in rm.models
                      for lid, t in m.terms.items()
                      if m.case.lever(lid).type == "new_members")
    share = _region_share(parts)
    binding_rows = _binding(region, splits, new_members, share[1])
    marginal: list[RegionMarginal] = []
    if explain and proven and amounts is None:
        total = sum(p.risk or 0.0 for p in parts)
        for env in spec.envelopes:
            lower = max(0.0, env.amount_in(0) - MARGINAL_STEP)
            after = next(s.after for s in splits if s.id == env.id)
            if after is not None and after <= lower:
                # The split found already meets the lower envelope: lowering it only
                # removes splits, so the same one is still the least (the same proof).
                marginal.append(RegionMarginal(env.id, env.amount_in(0) - lower,
                                               Status.OPTIMAL, total, 0.0))
                continue
            again = solve_region(region, solver, time_limit, explain=False,
                                 amounts={env.id: lower}, method="joint")
            extra = None if again.total_risk is None else again.total_risk - total
            marginal.append(RegionMarginal(env.id, env.amount_in(0) - lower, again.status,
                                           again.total_risk, extra))
    return RegionResult(region, status, "highs", spec.objective, tuple(parts), tuple(splits),
                        proven, gap, run.bound, tuple(binding_rows), tuple(marginal), None,
                        new_members, share, fair_ratio, MappingProxyType(audit))


def _abs_ok(run: Any) -> bool:
    obj, bound = run.outcome.objective, run.bound
    return obj is not None and bound is not None and obj - bound <= 1e-3


def _audit(region: Region, overrides: Mapping[str, Any] | None, time_limit: float | None
           ) -> dict[str, Any]:
    digest, origin = region.source
    return {"region_sha256": digest, "region_source": origin,
            "overrides": dict(overrides or {}), "solver": "highs",
            "gap_rel": REGION_GAP_REL, "time_limit": time_limit}


def _part(region: Region, k: int, plan: dict[str, float], cuts: Mapping[str, float],
          proven: bool, explain: bool, audit: Mapping[str, Any]) -> ClusterPart:
    cid = region.ids[k]
    original = region.cases[k]
    by_line = {line: cuts.get(env.id, 0.0) for env, line in region.funded(cid)}
    case = cut_case(original, by_line)
    plan = {lever.id: float(plan.get(lever.id, 0.0)) for lever in case.levers}
    ev = evaluate(case, plan)
    problems = violations(case, ev, plan)
    if problems:
        raise SolverError(f"the region plan of cluster {cid} fails our own recheck: "
                          f"{problems[0]}")
    before = evaluate(case, {})
    from ..status import SolverOutcome

    outcome = SolverOutcome(Status.OPTIMAL if proven else Status.TIME_LIMIT, True,
                            solver="highs")
    result = Result(case, outcome.status, "highs", MappingProxyType(plan), ev, before, proven,
                    "region joint program", binding=tuple(binding(case, ev, plan)),
                    warnings=tuple(case_warnings(case) + tolerance_warnings(case)),
                    audit=audit_trail(case, "highs", outcome, {}),
                    outlook=quick_outlook(case, plan) if explain else None,
                    least_risk=ev.risk)
    today = evaluate(original, {})
    return ClusterPart(cid, MappingProxyType(dict(cuts)), result,
                       original.private_total + original.public_total,
                       today.private_share, today.result)


def tolerance_warnings(case: Case) -> list[str]:
    """A cluster's `target.risk_tolerance` members choice is not used when the region's
    program chooses its plan (joint program, decomposition, region horizon): said, not
    silently dropped. (Its other effect, fee options past the revenue peak left out, stays:
    the cluster's case builds its block.)"""
    tol = case.target.risk_tolerance
    if tol <= 0:
        return []
    return [_("target.risk_tolerance ({tol}): its members choice is not used in a region "
              "run. The region's objective picks this cluster's plan; its own optimize would "
              "pick, among plans within {tol} of its least EUR at risk, the one that keeps the "
              "most members, so the region's plan may keep fewer. Fee increases past the "
              "revenue peak are still left out").format(tol=pct_short(tol))]


def _splits(region: Region, cuts: Mapping[str, Mapping[str, float]] | None,
            amounts: Mapping[str, float] | None) -> list[EnvelopeSplit]:
    out = []
    for env in region.spec.envelopes:
        before = sum(region.case_of(cid).revenue(line).amount for cid, line in env.lines.items())
        after = None if cuts is None else before - sum(cuts[cid].get(env.id, 0.0)
                                                        for cid in env.lines)
        amount = env.amount_in(0) if amounts is None else amounts.get(env.id, env.amount_in(0))
        out.append(EnvelopeSplit(env.id, env.name, amount, before, after,
                                 env.max_cut_fraction))
    problems = unspent(region.spec, out)  # spend "all": the whole envelope, within a cent
    if problems:
        raise SolverError(f"the region split fails our own recheck: {problems[0]}")
    return out


def _region_share(parts: list[ClusterPart]) -> tuple[float, float]:
    before_p = sum(p.before_share * p.budget for p in parts)
    before_t = sum(p.budget for p in parts)
    after_p = sum(p.result.evaluation.private for p in parts if p.result.evaluation)
    after_t = sum(p.result.evaluation.total_revenues for p in parts if p.result.evaluation)
    return (before_p / before_t if before_t else 0.0, after_p / after_t if after_t else 0.0)


def _binding(region: Region, splits: list[EnvelopeSplit], new_members: float,
             share_after: float) -> list[str]:
    spec = region.spec
    out = []
    for s in splits:
        if s.after is not None and s.after >= s.amount - 1e-3 * max(1.0, 1e-6 * s.amount) - 1:
            out.append(f"envelope:{s.id}")
    if spec.member_pool is not None and new_members >= spec.member_pool - 1e-6:
        out.append("member_pool")
    if spec.region_private_share is not None \
            and share_after <= spec.region_private_share + 1e-7:
        out.append("region_private_share")
    return out


def _no_plan(region: Region, status: Status, time_limit: float | None, explain: bool,
             audit: dict[str, Any]) -> RegionResult:
    diagnosis = None
    if status is Status.INFEASIBLE and explain:
        diagnosis = diagnose_region(region, time_limit)
    return RegionResult(region, status, "highs", region.spec.objective, (),
                        tuple(_splits(region, None, None)), False, diagnosis=diagnosis,
                        audit=MappingProxyType(audit))


def diagnose_region(region: Region, time_limit: float | None = DEFAULT_TIME_LIMIT
                    ) -> RegionDiagnosis:
    """The smallest amount each envelope can fall to under every other row (exact), and
    the clusters that cannot absorb their maximum cut on their own (their own target,
    result, capacity... stops them)."""
    min_env: dict[str, float | None] = {}
    for env in region.spec.envelopes:
        rm = build_region_model(region, objective="min_envelope", envelope=env.id)
        run = run_bounded(rm.prob, time_limit)
        min_env[env.id] = run.bound if run.outcome.status is Status.OPTIMAL and run.bound \
            is not None else (run.outcome.objective if run.outcome.has_plan else None)
        if min_env[env.id] is not None and run.outcome.objective is not None:
            # The plan's after-amount; the bound proves nothing smaller exists.
            min_env[env.id] = float(run.outcome.objective)
    blocking: list[str] = []
    texts: list[str] = []
    for k, cid in enumerate(region.ids):
        funded = region.funded(cid)
        if not funded:
            continue
        case = region_case(region, k)
        model, cut_vars = max_cut_model(case)
        run = run_bounded(model.prob, time_limit)
        full = sum(env.max_cut_fraction * case.revenue(line).amount for env, line in funded)
        if not run.outcome.has_plan:
            blocking.append(cid)
            texts.append(f"{cid} cannot reach its own targets at any cut of its grant")
            continue
        most = float(sum(pulp.value(v) or 0.0 for v in cut_vars))
        if most < full - max(1.0, 1e-6 * full):
            plan = model.read_plan()
            absorbed = {lever.id for lever in case.levers if lever.type == "grant_cut"
                        and lever.id.startswith("funder-cut-")}
            plain = {k2: v for k2, v in plan.items() if k2 not in absorbed}
            cuts = {line: plan.get(f"funder-cut-{env.id}"[:40], 0.0) for env, line in funded}
            cc = cut_case(region.cases[k], cuts)
            plain = {lever.id: plain.get(lever.id, 0.0) for lever in cc.levers}
            why = binding(cc, evaluate(cc, plain), plain)
            blocking.append(cid)
            texts.append(f"{cid} can absorb at most {most:,.0f} EUR of a {full:,.0f} EUR "
                          f"maximum cut ({', '.join(why) or 'its own constraints'} bind)")
    return RegionDiagnosis(MappingProxyType(min_env), tuple(blocking), tuple(texts))


def _batch(region: Region, solver: str, time_limit: float | None, explain: bool
           ) -> RegionResult:
    """No envelope, pool or region share: every cluster solved on its own (one table)."""
    parts = []
    for k, cid in enumerate(region.ids):
        case = region.cases[k]
        result = solve(case, solver, time_limit, explain=explain)
        today = evaluate(case, {})
        parts.append(ClusterPart(cid, MappingProxyType({}), result,
                                 case.private_total + case.public_total,
                                 today.private_share, today.result))
    statuses = [p.result.status for p in parts]
    status = next((s for s in (Status.ERROR, Status.TIME_LIMIT, Status.INFEASIBLE)
                   if s in statuses), Status.OPTIMAL)
    proven = all(p.result.proven_optimal for p in parts)
    share = _region_share([p for p in parts if p.result.evaluation is not None])
    return RegionResult(region, status, solver, region.spec.objective, tuple(parts), (),
                        proven, 0.0 if proven else None, None, (), (), None, None, share,
                        None, MappingProxyType(_audit(region, None, time_limit)))


__all__ = ["DEFAULT_TIME_LIMIT", "MARGINAL_STEP", "cut_case", "diagnose_region",
           "solve_region", "tolerance_warnings"]

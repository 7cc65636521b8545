"""A region at scale (issue 10): which method solves it, and the decomposition's answer as
a `RegionResult` (docs/MODEL.md, "Region at scale").

`method="auto"` uses the joint program up to JOINT_MAX clusters and the decomposition
above; `"joint"` and `"decompose"` force one. The decomposition's split is rechecked and
reported exactly as the joint program's (each cluster's part is its `Result` on its case
after the cut), with its proven bound and gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..case.region import Region
from ..errors import CaseError
from ..results.region import RegionMarginal, RegionResult
from ..status import Status

if TYPE_CHECKING:  # the joint program (most runs) needs neither: imported when used
    from .region_checkpoint import Checkpoint

Method = Literal["auto", "joint", "decompose"]
METHODS = ("auto", "joint", "decompose")

# Up to this many clusters `auto` solves the joint program. Measured side by side
# (bench/bench_region_scale.py --compare 10,15,22,30, seed 1, 2 workers, the machine at a
# load average of 15 to 18 on 2 cores; CPU of the whole process and its workers):
#   clusters   joint: CPU, status, gap        decomposition: CPU, status, gap
#   10         4.1 s, optimal, 0               2.9 s, time_limit (rounds), 0.16 %
#   15         13.1 s, optimal, 1e-6           4.3 s, optimal (converged), 0.092 %
#   22         11.5 s, optimal, 0              3.0 s, optimal (converged), 0.098 %
#   30         11.4 s, optimal, 1e-6           4.8 s, optimal (converged), 0.088 %
# The joint program proves the exact optimum at every size measured, in 3 to 4 times the
# decomposition's CPU (12 s at most); the decomposition only proves its split within
# about 0.1 % (it cannot do much better on a few dozen clusters: a real duality gap). The
# tighter answer wins while it costs seconds: 40 stays (31 to 40 not measured; on 1,000
# only the decomposition answers). The bundled region (22 clusters) stays on the joint
# program.
JOINT_MAX = 40


def use_decomposition(region: Region, method: str) -> bool:
    if method not in METHODS:
        raise CaseError(f"--method: '{method}' is not a method; use joint, decompose or auto")
    if method == "auto":
        return len(region.ids) > JOINT_MAX and region.spec.objective == "total_risk"
    if method == "decompose" and region.spec.objective != "total_risk":
        raise CaseError("--method decompose: the decomposition splits for the least total "
                        "EUR at risk; a region with \"objective\": \"fairest\" is solved by "
                        "the joint program (--method joint)")
    return method == "decompose"


@dataclass(frozen=True)
class Assembly:
    """How analyses/region.py builds a region's answer from a split (its helpers, handed
    over so that this module never imports it back)."""

    part: Callable[..., Any]
    splits: Callable[..., Any]
    binding: Callable[..., Any]
    region_share: Callable[..., Any]
    no_plan: Callable[..., Any]
    marginal_step: float


def solve_decomposed(region: Region, time_limit: float | None, *, explain: bool,
                     audit: dict[str, Any], build: Assembly,
                     amounts: Mapping[str, float] | None = None,
                     workers: int | None = None, checkpoint: Checkpoint | None = None,
                     executor: Any = None) -> RegionResult:
    _part, _splits, _binding = build.part, build.splits, build.binding
    _region_share, _no_plan, MARGINAL_STEP = build.region_share, build.no_plan, \
        build.marginal_step
    spec = region.spec
    audit = {**audit, "method": "decompose"}
    from .region_decompose import decompose_region

    store = known = None
    if checkpoint is not None:
        checkpoint.open(region, {"method": "decompose", "time_limit": time_limit,
                                 "amounts": dict(amounts or {})})
        store, known = checkpoint.store, checkpoint.known
    try:
        dec = decompose_region(region, amounts=dict(amounts or {}) or None, workers=workers,
                               time_limit=time_limit, store=store, known=known,
                               executor=executor)
    finally:  # Ctrl-C included: the work finished so far is kept
        if checkpoint is not None:
            checkpoint.flush()
    if dec.objective is None:
        status = Status.INFEASIBLE if dec.status is Status.INFEASIBLE else dec.status
        result = _no_plan(region, status, time_limit, False, audit)
        if dec.blocking:
            from ..results.region import RegionDiagnosis

            texts = tuple(f"{cid} cannot reach its own targets at any cut of its grant"
                          for cid in dec.blocking)
            return RegionResult(region, status, "highs", spec.objective, (),
                                result.envelopes_split, False,
                                diagnosis=RegionDiagnosis(MappingProxyType({}), dec.blocking,
                                                          texts),
                                audit=MappingProxyType(audit))
        return result
    # The status is the decomposition's: optimal when it converged (the split within its
    # tolerance of the proven bound: an answer, the gap stated), time_limit when a limit
    # stopped it; proven_optimal only at the joint program's 1e-6.
    proven = dec.proven_optimal
    audit = {**audit, "stopped": dec.stopped, "tolerance": dec.tolerance}
    parts = [_part(region, k, dec.plans[k], dec.cuts[region.ids[k]], proven, explain, audit)
             for k in range(len(region.ids))]
    splits = _splits(region, dec.cuts, amounts)
    new_members = 0.0
    for k, part in enumerate(parts):
        case = part.result.case
        new_members += sum(v for lid, v in dec.plans[k].items()
                           if lid in {lv.id for lv in case.levers}
                           and case.lever(lid).type == "new_members")
    share = _region_share(parts)
    binding_rows = _binding(region, splits, new_members, share[1])
    marginal: list[RegionMarginal] = []
    if explain and proven and amounts is None:
        total = sum(p.risk or 0.0 for p in parts)
        for env in spec.envelopes:
            lower = max(0.0, env.amount_in(0) - MARGINAL_STEP)
            again = solve_decomposed(region, time_limit, explain=False, audit=audit,
                                     build=build, amounts={env.id: lower}, workers=workers,
                                     executor=executor)
            extra = None if again.total_risk is None else again.total_risk - total
            marginal.append(RegionMarginal(env.id, env.amount_in(0) - lower, again.status,
                                           again.total_risk, extra))
    return RegionResult(region, dec.status, "highs",
                        spec.objective, tuple(parts), tuple(splits), proven, dec.gap,
                        dec.bound, tuple(binding_rows), tuple(marginal), None, new_members,
                        share, None, MappingProxyType(audit))


__all__ = ["JOINT_MAX", "METHODS", "Assembly", "Method", "solve_decomposed", "use_decomposition"]

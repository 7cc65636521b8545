"""The region's joint program (docs/MODEL.md, "Region (issue 10)"), built with PuLP.

Each cluster's own model is built by `build_model`, block by block, on its case with the
funder's cut added as a `FunderCut` (a lever-like term: the cut c on the line, no risk,
not counted in `max_levers`, not in the least-change tie-break) and the cluster's own
`grant_cut` levers on envelope lines disabled. Its variables and rows are then renamed
with a per-cluster prefix (`k3_l2_eur_7`, `k3_c12`) and gathered in one problem, joined
by the envelope rows, the member pool row and the region share row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pulp

from ..case.region import Envelope, Region
from ..case.schema import Case
from ..levers.base import ModelContext, Terms
from ..levers.grant_cut import GrantCut
from .milp import TIE_BREAK, Model, build_model

FUNDER_PREFIX = "funder-cut-"


class FunderCut(GrantCut):
    """A funder's cut of one public line: c in [0, max_fraction x line], no risk, not one
    of the cluster's levers (no `used` indicator, no tie-break weight)."""

    def build(self, ctx: ModelContext) -> Terms:
        up = self.max_fraction * ctx.case.revenue(self.revenue).amount
        v = ctx.var("cut", 0.0, up)
        return Terms(value=v, revenue={self.revenue: -1 * v}, risk=0, change=0, used=None,
                     upper=up, read=lambda: float(v.value() or 0.0))


def funder_lever_id(envelope_id: str) -> str:
    return FUNDER_PREFIX + envelope_id


def region_case(region: Region, index: int) -> Case:
    """The cluster's case as the joint program sees it: its own grant cuts on envelope
    lines disabled, one FunderCut per envelope line (max_cut_fraction x the line)."""
    return with_funder_cuts(region.cases[index], region.funded(region.ids[index]))


def with_funder_cuts(case: Case, funded: list[tuple[Envelope, str]]) -> Case:
    """The case with its own grant cuts on the funded lines disabled and one FunderCut per
    (envelope, line) (also each year's case of a region horizon)."""
    lines = {line for _, line in funded}
    levers = [lever.model_copy(update={"enabled": False})
              if lever.type == "grant_cut" and getattr(lever, "revenue", None) in lines
              else lever for lever in case.levers]
    for env, line in funded:
        levers.append(FunderCut(id=funder_lever_id(env.id)[:40], type="grant_cut",
                                revenue=line, max_fraction=env.max_cut_fraction,
                                downside=0.0))
    return case.model_copy(update={"levers": levers})


def new_member_terms(model: Model) -> Any:
    """The new members a cluster recruits: the sum of its `new_members` levers' values."""
    return pulp.lpSum(model.terms[lever.id].value for lever in model.case.levers
                      if lever.type == "new_members" and lever.id in model.terms)


@dataclass
class RegionModel:
    region: Region
    prob: pulp.LpProblem
    models: list[Model]
    cuts: dict[str, dict[str, Any]]  # cluster id -> envelope id -> cut variable
    rows: dict[str, str] = field(default_factory=dict)  # row name -> meaning
    risk: Any = 0
    change: Any = 0
    fair: Any = None  # the variable of the largest risk / budget ratio (objective fairest)

    def after(self, envelope_id: str) -> Any:
        env = next(e for e in self.region.spec.envelopes if e.id == envelope_id)
        return pulp.lpSum(self.region.case_of(cid).revenue(line).amount
                          - self.cuts[cid][envelope_id] for cid, line in env.lines.items())

    def read(self) -> tuple[list[dict[str, float]], dict[str, dict[str, float]]]:
        """(each cluster's plan, lever id -> value, without the funder's cuts;
        cluster id -> envelope id -> cut in EUR)."""
        plans: list[dict[str, float]] = []
        cuts: dict[str, dict[str, float]] = {}
        for cid, model in zip(self.region.ids, self.models):
            plan = model.read_plan()
            cuts[cid] = {}
            for env_id in self.cuts[cid]:
                value = plan.pop(funder_lever_id(env_id)[:40], 0.0)
                cuts[cid][env_id] = max(0.0, value)
            plans.append(plan)
        return plans, cuts


Objective = Literal["total_risk", "fairest", "min_envelope"]


def build_region_model(region: Region, *, objective: Objective = "total_risk",
                       relax: frozenset[str] = frozenset(), envelope: str | None = None,
                       fair_cap: float | None = None, amounts: dict[str, float] | None = None
                       ) -> RegionModel:
    """The joint program of a region.

    objective: "total_risk" (the sum of the clusters' EUR at risk, plus each cluster's
        least-change tie-break), "fairest" (the largest ratio of a cluster's EUR at risk to
        its budget), or "min_envelope" (the after-amount of `envelope`, whose own row is
        then left out: the diagnosis).
    relax: region rows left out: "envelope:ID", "member_pool", "region_private_share".
    fair_cap: with "total_risk", every cluster's risk <= fair_cap x its budget (the second
        step of "fairest").
    amounts: envelope id -> amount, instead of the file's (frontier, marginal risk).
    """
    prob = pulp.LpProblem("region_plan", pulp.LpMinimize)
    models: list[Model] = []
    cuts: dict[str, dict[str, Any]] = {}
    rows: dict[str, str] = {}
    for k, cid in enumerate(region.ids):
        model = build_model(region_case(region, k))
        for var in model.prob.variables():
            var.name = f"k{k}_{var.name}"
        for row in list(model.prob.constraints()):
            name = row.name
            prob += row, f"k{k}_{name}"
            rows[f"k{k}_{name}"] = f"cluster:{cid}:{model.rows.get(name, '')}"
        models.append(model)
        cuts[cid] = {env.id: model.terms[funder_lever_id(env.id)[:40]].value
                     for env, _ in region.funded(cid)}
    spec = region.spec
    risk = pulp.lpSum(m.quantity["risk"] for m in models)
    change = pulp.lpSum(t.change for m in models for t in m.terms.values())
    out = RegionModel(region, prob, models, cuts, rows, risk, change)
    for env in spec.envelopes:
        if f"envelope:{env.id}" in relax or (objective == "min_envelope" and env.id == envelope):
            continue
        amount = env.amount_in(0) if amounts is None else amounts.get(env.id, env.amount_in(0))
        if env.spends_all:  # spend "all": the funder spends its whole envelope
            prob += out.after(env.id) == amount, f"envelope_{len(rows)}"
        else:
            prob += out.after(env.id) <= amount, f"envelope_{len(rows)}"
        rows[f"envelope_{len(rows)}"] = f"envelope:{env.id}"
    if spec.member_pool is not None and "member_pool" not in relax:
        prob += pulp.lpSum(new_member_terms(m) for m in models) <= spec.member_pool, "pool"
        rows["pool"] = "member_pool"
    if spec.region_private_share is not None and "region_private_share" not in relax:
        s = spec.region_private_share
        prob += (pulp.lpSum(m.quantity["private"] for m in models)
                 - s * pulp.lpSum(m.quantity["revenues"] for m in models) >= 0), "region_share"
        rows["region_share"] = "region_private_share"
    budgets = [c.private_total + c.public_total for c in region.cases]
    if objective == "fairest":
        z = pulp.LpVariable("fair_ratio", 0, None)
        for k, m in enumerate(models):
            prob += m.quantity["risk"] - z * budgets[k] <= 0, f"fair_{k}"
        prob.setObjective(z + TIE_BREAK * 1e-3 * risk)
        out.fair = z
    elif objective == "min_envelope":
        prob.setObjective(out.after(str(envelope)))
    else:
        if fair_cap is not None:
            for k, m in enumerate(models):
                prob += m.quantity["risk"] <= fair_cap * budgets[k], f"fair_{k}"
        prob.setObjective(risk + TIE_BREAK * change)
    return out


_BLOCK = re.compile(r"k(\d+)_")


def block_of(name: str) -> int:
    """The cluster whose block a joint program's variable belongs to (its `k3_` prefix),
    or -1 for a region-wide variable (the fairest ratio)."""
    found = _BLOCK.match(name)
    return int(found.group(1)) if found else -1


def max_cut_model(case: Case) -> tuple[Model, list[Any]]:
    """One cluster alone, maximising its funders' cuts (the diagnosis's blocking test):
    its model and its cut variables."""
    model = build_model(case)
    cuts = [model.terms[lever.id].value for lever in case.levers
            if isinstance(lever, FunderCut)]
    model.prob.sense = pulp.LpMaximize
    model.prob.setObjective(pulp.lpSum(cuts))
    return model, cuts


__all__ = ["FUNDER_PREFIX", "FunderCut", "RegionModel", "block_of", "build_region_model",
           "funder_lever_id",
           "max_cut_model", "new_member_terms", "region_case", "with_funder_cuts"]

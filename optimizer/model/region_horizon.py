"""The joint program of a region with a horizon (docs/MODEL.md, "Region horizon").

Each cluster's path block is built by `model/horizon.py`'s `build_horizon` on its case with
the funder's cuts added (`with_funder_cuts`, year by year): a `FunderCut` per envelope line
and year, which, as a `grant_cut` that is not `reversible`, never falls from one year to the
next (the cut stays). Its variables and rows are renamed with a per-cluster prefix (`k3_`)
and gathered in one problem, joined year by year by the envelope rows, and over the
horizon by the member pool row and each year's region share row, as `model/region.py`
does for one year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pulp

from ..case.region import Region
from ..case.schema import Case
from .horizon import HorizonModel, build_horizon, year_cases
from .milp import TIE_BREAK
from .region import funder_lever_id, with_funder_cuts


@dataclass
class RegionHorizonModel:
    region: Region
    prob: pulp.LpProblem
    paths: list[HorizonModel]  # one per cluster, over this prob
    cuts: dict[str, dict[str, list[Any]]]  # cluster id -> envelope id -> cut variable per year
    rows: dict[str, str] = field(default_factory=dict)  # row name -> meaning
    risk: Any = 0
    change: Any = 0

    @property
    def years(self) -> list[int]:
        h = self.region.spec.horizon
        assert h is not None
        return list(h.years)

    def after(self, envelope_id: str, k: int) -> Any:
        """The envelope's lines after the cuts of year k, summed over the clusters."""
        env = next(e for e in self.region.spec.envelopes if e.id == envelope_id)
        return pulp.lpSum(self.region.case_of(cid).revenue(line).amount
                          - self.cuts[cid][envelope_id][k] for cid, line in env.lines.items())

    def recruited(self, k: int | None = None) -> Any:
        """The companies the clusters recruit in year k (None: over the horizon): for a
        `new_members` lever with churn ch, n_0 in the first year, n_k - (1 - ch) n_{k-1}
        after (docs/MODEL.md, "Region horizon", member pool)."""
        terms = []
        for path in self.paths:
            for lever in path.case.levers:
                if lever.type != "new_members" or lever.id not in path.years[0].terms:
                    continue
                keep = 1.0 - float(getattr(lever, "churn", 0.0))
                for j, year in enumerate(path.years):
                    if k is not None and j != k:
                        continue
                    now = year.terms[lever.id].value
                    terms.append(now if j == 0 else
                                 now - keep * path.years[j - 1].terms[lever.id].value)
        return pulp.lpSum(terms)

    def read(self) -> tuple[list[list[dict[str, float]]], dict[str, dict[str, list[float]]]]:
        """(each cluster's path, year by year lever id -> value, without the funder's cuts;
        cluster id -> envelope id -> the cut of each year in EUR)."""
        paths: list[list[dict[str, float]]] = []
        cuts: dict[str, dict[str, list[float]]] = {}
        for cid, path in zip(self.region.ids, self.paths):
            plans = path.read_path()
            cuts[cid] = {env_id: [max(0.0, plan.pop(funder_lever_id(env_id)[:40], 0.0))
                                  for plan in plans] for env_id in self.cuts[cid]}
            paths.append(plans)
        return paths, cuts


Objective = Literal["total_risk", "min_envelope"]


def cluster_path_cases(region: Region, index: int) -> tuple[Case, list[Case]]:
    """The cluster's case and its year cases as the joint program sees them: the funder's
    cuts added, its own grant cuts on the funded lines disabled."""
    case = region.cases[index]
    funded = region.funded(region.ids[index])
    return (with_funder_cuts(case, funded),
            [with_funder_cuts(ycase, funded) for ycase in year_cases(case)])


def build_region_horizon(region: Region, *, objective: Objective = "total_risk",
                         envelope: str | None = None, year: int | None = None,
                         envelope_years: int | None = None,
                         amounts: dict[str, list[float]] | None = None) -> RegionHorizonModel:
    """The joint program of a region with a horizon.

    objective: "total_risk" (the sum of the clusters' path EUR at risk, each discounted as
        its case says, plus the least-change tie-break), or "min_envelope" (the
        after-amount of `envelope` in year index `year`, whose own row is left out: the
        diagnosis).
    envelope_years: the envelope rows are written for the first `envelope_years` years
        only (default: every year; the diagnosis's search of the first year out of reach).
    amounts: envelope id -> the amount of each year, instead of the file's.
    """
    spec = region.spec
    assert spec.horizon is not None
    count = len(spec.horizon.years)
    prob = pulp.LpProblem("region_path", pulp.LpMinimize)
    paths: list[HorizonModel] = []
    cuts: dict[str, dict[str, list[Any]]] = {}
    rows: dict[str, str] = {}
    for k, cid in enumerate(region.ids):
        case, cases = cluster_path_cases(region, k)
        path = build_horizon(case, cases=cases)
        for var in path.prob.variables():
            var.name = f"k{k}_{var.name}"
        for row in list(path.prob.constraints()):
            name = row.name
            prob += row, f"k{k}_{name}"
            rows[f"k{k}_{name}"] = f"cluster:{cid}:{path.rows.get(name, '')}"
        paths.append(path)
        cuts[cid] = {env.id: [path.years[j].terms[funder_lever_id(env.id)[:40]].value
                              for j in range(count)] for env, _ in region.funded(cid)}
    out = RegionHorizonModel(region, prob, paths, cuts, rows,
                             pulp.lpSum(p.risk for p in paths),
                             pulp.lpSum(p.change for p in paths))
    written = count if envelope_years is None else envelope_years
    for env in spec.envelopes:
        for j in range(min(written, count)):
            if objective == "min_envelope" and env.id == envelope and j == year:
                continue
            given = amounts.get(env.id) if amounts is not None else None
            amount = env.amount_in(j) if given is None else given[j]
            name = f"envelope_{len(rows)}"
            if env.spends_all:  # spend "all": the whole envelope, each year
                prob += out.after(env.id, j) == amount, name
            else:
                prob += out.after(env.id, j) <= amount, name
            rows[name] = f"envelope:{env.id}:{spec.horizon.years[j]}"
    if spec.member_pool is not None:
        prob += out.recruited() <= spec.member_pool, "pool"
        rows["pool"] = "member_pool"
    if spec.region_private_share is not None:
        s = spec.region_private_share
        for j in range(count):
            prob += (pulp.lpSum(p.years[j].quantity["private"] for p in paths)
                     - s * pulp.lpSum(p.years[j].quantity["revenues"] for p in paths) >= 0), \
                f"region_share_{j}"
            rows[f"region_share_{j}"] = f"region_private_share:{spec.horizon.years[j]}"
    if objective == "min_envelope":
        assert envelope is not None and year is not None
        prob.setObjective(out.after(envelope, year))
    else:
        prob.setObjective(out.risk + TIE_BREAK * out.change)
    return out


__all__ = ["RegionHorizonModel", "build_region_horizon", "cluster_path_cases"]

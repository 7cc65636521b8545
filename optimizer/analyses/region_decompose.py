"""The region by decomposition (issue 10, at scale): a proven bound and a split, without
the joint program.

The coupling rows (envelopes, member pool, region share) are relaxed with multipliers
(Lagrangian relaxation): for multipliers (lam_e >= 0, nu >= 0, mu >= 0) every cluster
alone minimises

    risk_i + TIE x change_i + sum_e lam_e (A_ei - c_ei) + nu m_i - mu (P_i - s T_i)

(its own rows only, solved exactly: each subproblem's proven MIP bound is used), and

    L = sum_i v_i - sum_e lam_e amount_e - nu pool

is a proven lower bound on the joint program's optimum (weak duality). The multipliers
move by projected subgradient steps. Every subproblem plan is a plan of its cluster (a
column); the split reported is the best choice of one column per cluster that meets the
coupling rows (a small choice program solved exactly). Its objective minus the best L is
the proven gap: zero means the split is optimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from ..case.region import Region
from ..model.milp import TIE_BREAK
from ..model.region import funder_lever_id, new_member_terms, region_case
from ..model.milp import build_model
from ..solvers.bounded import REGION_GAP_REL, run_bounded
from ..solvers.highs import HighsSession, to_matrix
from ..status import Status


@dataclass
class Column:
    """One plan of one cluster: its objective, its use of the coupling rows, its plan."""

    objective: float
    after: tuple[float, ...]  # per envelope funding it: A - c (0 elsewhere)
    members: float
    surplus: float  # P - s T
    plan: dict[str, float]
    cuts: dict[str, float]


@dataclass
class Decomposed:
    status: Status  # OPTIMAL (gap 0 within REGION_GAP_REL), TIME_LIMIT (a gap), INFEASIBLE
    objective: float | None
    bound: float
    plans: list[dict[str, float]]
    cuts: dict[str, dict[str, float]]
    iterations: int

    @property
    def gap(self) -> float | None:
        if self.objective is None:
            return None
        return max(0.0, self.objective - self.bound) / max(1.0, abs(self.objective))


class _Cluster:
    """One cluster's model in a HiGHS session, with the coefficient vectors of the
    quantities the multipliers price."""

    def __init__(self, region: Region, k: int) -> None:
        self.cid = region.ids[k]
        case = region_case(region, k)
        self.model = build_model(case)
        self.matrix = to_matrix(self.model.prob)
        self.col = {name: j for j, name in enumerate(self.matrix.names)}
        self.envs = region.spec.envelopes
        self.funded = {env.id: line for env, line in region.funded(self.cid)}
        self.base = self._vec(self.model.quantity["risk"]) \
            + TIE_BREAK * self._vec(self.model.quantity["change"])
        self.cut_vec = {e: self._vec(self.model.terms[funder_lever_id(e)[:40]].value)
                        for e in self.funded}
        self.today = {e: case.revenue(line).amount for e, line in self.funded.items()}
        self.members_vec = self._vec(new_member_terms(self.model))
        s = region.spec.region_private_share or 0.0
        self.surplus_vec = self._vec(self.model.quantity["private"]) \
            - s * self._vec(self.model.quantity["revenues"])
        self.surplus_const = self._const(self.model.quantity["private"]) \
            - s * self._const(self.model.quantity["revenues"])
        self.base_const = self._const(self.model.quantity["risk"])
        self.session = HighsSession(self.matrix, threads=None)

    def _vec(self, expr: Any) -> np.ndarray:
        out = np.zeros(len(self.matrix.names))
        for var, coef in pulp.LpAffineExpression(expr).items():
            out[self.col[var.name]] += coef
        return out

    @staticmethod
    def _const(expr: Any) -> float:
        return float(pulp.LpAffineExpression(expr).constant)

    def solve(self, lam: dict[str, float], nu: float, mu: float) -> tuple[float, Column] | None:
        """(the subproblem's proven lower bound, its plan as a column), None if the cluster
        has no plan at all."""
        cost = self.base + nu * self.members_vec - mu * self.surplus_vec
        const = self.base_const - mu * self.surplus_const
        for e in self.funded:
            cost = cost - lam.get(e, 0.0) * self.cut_vec[e]
            const += lam.get(e, 0.0) * self.today[e]
        self.session.set_costs(cost)
        out = self.session.solve()
        if not out.has_plan or out.objective is None:
            return None
        x = self.session.values()
        bound = self.session.dual_bound(float(x @ cost)) + const
        for var in self.model.prob.variables():
            var.varValue = float(x[self.col[var.name]])
        plan = self.model.read_plan()
        cuts = {e: max(0.0, float(x @ self.cut_vec[e])) for e in self.funded}
        for e in self.funded:
            plan.pop(funder_lever_id(e)[:40], None)
        after = tuple(self.today[e] - cuts[e] if e in self.funded else 0.0
                      for e in (env.id for env in self.envs))
        column = Column(float(x @ self.base) + self.base_const, after,
                        float(x @ self.members_vec), float(x @ self.surplus_vec)
                        + self.surplus_const, plan, cuts)
        return bound, column


def decompose_region(region: Region, iterations: int = 30,
                     time_limit: float | None = 60.0) -> Decomposed:
    """The total-risk split by Lagrangian relaxation of the coupling rows (see the module)."""
    spec = region.spec
    clusters = [_Cluster(region, k) for k in range(len(region.ids))]
    envs = [env.id for env in spec.envelopes]
    amounts = [env.amount_in(0) for env in spec.envelopes]
    lam = {e: 0.0 for e in envs}
    nu = mu = 0.0
    columns: list[list[Column]] = [[] for _ in clusters]
    best_bound = -math.inf
    upper: float | None = None
    theta, stall, done = 1.0, 0, 0
    for it in range(max(1, iterations)):
        done = it + 1
        total = -sum(lam[e] * a for e, a in zip(envs, amounts))
        total -= nu * (spec.member_pool or 0.0)
        chosen: list[Column] = []
        for i, cl in enumerate(clusters):
            got = cl.solve(lam, nu, mu)
            if got is None:
                return Decomposed(Status.INFEASIBLE, None, math.inf, [], {}, done)
            bound, col = got
            total += bound
            chosen.append(col)
            if not any(_same(col, c) for c in columns[i]):
                columns[i].append(col)
        if total > best_bound + 1e-9 * max(1.0, abs(total)):
            best_bound, stall = total, 0
        else:
            stall += 1
            if stall >= 3:
                theta, stall = theta / 2, 0
        # Subgradient of L: the coupling rows' slack at the chosen plans.
        g_env = [sum(c.after[j] for c in chosen) - amounts[j] for j in range(len(envs))]
        g_pool = (sum(c.members for c in chosen) - spec.member_pool
                  if spec.member_pool is not None else 0.0)
        g_share = (-sum(c.surplus for c in chosen)
                   if spec.region_private_share is not None else 0.0)
        if all(g <= 1e-6 for g in (*g_env, g_pool, g_share)):
            value = sum(c.objective for c in chosen)
            upper = value if upper is None else min(upper, value)
        if upper is not None and upper - best_bound <= REGION_GAP_REL * max(1.0, abs(upper)):
            break
        norm = sum(g * g for g in (*g_env, g_pool, g_share))
        if norm <= 0 or theta < 1e-4:
            break
        target = upper if upper is not None else best_bound + 0.5 * max(1.0, abs(best_bound))
        step = theta * max(target - total, 1e-6 * max(1.0, abs(total))) / norm
        for j, e in enumerate(envs):
            lam[e] = max(0.0, lam[e] + step * g_env[j])
        nu = max(0.0, nu + step * g_pool) if spec.member_pool is not None else 0.0
        mu = max(0.0, mu + step * g_share) if spec.region_private_share is not None else 0.0
    pick = _choose(region, columns, time_limit)
    if pick is None:
        pick = _repair(region, clusters, columns, time_limit)
    if pick is None:
        return Decomposed(Status.TIME_LIMIT, None, best_bound, [], {}, done)
    value = sum(c.objective for c in pick)
    plans = [c.plan for c in pick]
    cuts = {region.ids[i]: dict(c.cuts) for i, c in enumerate(pick)}
    gap = max(0.0, value - best_bound) / max(1.0, abs(value))
    status = Status.OPTIMAL if gap <= REGION_GAP_REL * 1.0001 \
        or value - best_bound <= 1e-3 else Status.TIME_LIMIT
    return Decomposed(status, value, min(best_bound, value), plans, cuts, done)


def _repair(region: Region, clusters: list[_Cluster], columns: list[list[Column]],
            time_limit: float | None) -> list[Column] | None:
    """A split when no choice of columns meets the coupling rows: the choice program's LP
    relaxation mixes columns; each cluster gets that mix's use of each coupling row as a
    hard quota (at least the mixed cut, at most the mixed new members, at least the mixed
    surplus) and solves its own program under it. The quotas sum to a feasible use of
    every coupling row, so the plans found form a split (None if a cluster cannot)."""
    spec = region.spec
    prob = pulp.LpProblem("region_mix", pulp.LpMinimize)
    y = [[prob.add_variable(f"y_{i}_{k}", 0, 1) for k in range(len(cols))]
         for i, cols in enumerate(columns)]
    for i, ys in enumerate(y):
        prob += pulp.lpSum(ys) == 1, f"one_{i}"
    for j, env in enumerate(spec.envelopes):
        prob += pulp.lpSum(c.after[j] * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) <= env.amount_in(0), f"env_{j}"
    if spec.member_pool is not None:
        prob += pulp.lpSum(c.members * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) <= spec.member_pool, "pool"
    if spec.region_private_share is not None:
        prob += pulp.lpSum(c.surplus * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) >= 0, "share"
    prob.setObjective(pulp.lpSum(c.objective * y[i][k] for i, cols in enumerate(columns)
                                 for k, c in enumerate(cols)))
    if not run_bounded(prob, time_limit).outcome.has_plan:
        return None
    out: list[Column] = []
    envs = [env.id for env in spec.envelopes]
    for i, (cl, cols) in enumerate(zip(clusters, columns)):
        w = [float(v.value() or 0.0) for v in y[i]]
        model = build_model(cl.model.case)
        quota = model.prob
        for j, e in enumerate(envs):
            if e in cl.funded:
                cut = sum(wk * c.cuts[e] for wk, c in zip(w, cols))
                quota += model.terms[funder_lever_id(e)[:40]].value >= cut - 1e-7, f"q_env_{j}"
        if spec.member_pool is not None:
            quota += new_member_terms(model) <= sum(wk * c.members for wk, c in zip(w, cols)) \
                + 1e-7, "q_pool"
        if spec.region_private_share is not None:
            s = spec.region_private_share
            quota += (model.quantity["private"] - s * model.quantity["revenues"]
                      >= sum(wk * c.surplus for wk, c in zip(w, cols)) - 1e-7), "q_share"
        run = run_bounded(quota, time_limit)
        if not run.outcome.has_plan:
            return None
        plan = model.read_plan()
        cuts = {e: max(0.0, float(pulp.value(model.terms[funder_lever_id(e)[:40]].value) or 0))
                for e in cl.funded}
        for e in cl.funded:
            plan.pop(funder_lever_id(e)[:40], None)
        after = tuple(cl.today[e] - cuts[e] if e in cl.funded else 0.0 for e in envs)
        out.append(Column(float(pulp.value(model.quantity["risk"]) or 0.0)
                          + TIE_BREAK * float(pulp.value(model.quantity["change"]) or 0.0),
                          after, float(pulp.value(new_member_terms(model)) or 0.0),
                          float(pulp.value(model.quantity["private"] - (spec.region_private_share
                                or 0.0) * model.quantity["revenues"]) or 0.0), plan, cuts))
    return out


def _same(a: Column, b: Column) -> bool:
    return a.plan == b.plan and a.cuts == b.cuts


def _choose(region: Region, columns: list[list[Column]], time_limit: float | None
            ) -> list[Column] | None:
    """The least-objective choice of one column per cluster meeting the coupling rows."""
    spec = region.spec
    prob = pulp.LpProblem("region_choice", pulp.LpMinimize)
    y = [[prob.add_variable(f"y_{i}_{k}", 0, 1, cat=pulp.LpBinary) for k in range(len(cols))]
         for i, cols in enumerate(columns)]
    for i, ys in enumerate(y):
        prob += pulp.lpSum(ys) == 1, f"one_{i}"
    for j, env in enumerate(spec.envelopes):
        prob += pulp.lpSum(c.after[j] * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) <= env.amount_in(0), f"env_{j}"
    if spec.member_pool is not None:
        prob += pulp.lpSum(c.members * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) <= spec.member_pool, "pool"
    if spec.region_private_share is not None:
        prob += pulp.lpSum(c.surplus * y[i][k] for i, cols in enumerate(columns)
                           for k, c in enumerate(cols)) >= 0, "share"
    prob.setObjective(pulp.lpSum(c.objective * y[i][k] for i, cols in enumerate(columns)
                                 for k, c in enumerate(cols)))
    run = run_bounded(prob, time_limit)
    if not run.outcome.has_plan:
        return None
    return [next(c for k, c in enumerate(cols) if (y[i][k].value() or 0) > 0.5)
            for i, cols in enumerate(columns)]


__all__ = ["Decomposed", "decompose_region"]

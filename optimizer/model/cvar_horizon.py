"""The CVaR program over a path (docs/MODEL.md, "CVaR over a path"), by composition: the
horizon's model (`model.horizon.build_horizon`, every row of every year kept) and, for
each year, the one-year CVaR program's scenario sides (`model.cvar.scenario_sides`, each
lever's `year_scenario_rows` over its terms of that year) with that year's draws.

The loss of scenario s (one draw of every year) is the discounted sum over the years of
the year's loss

    l_{k,s} = max(0, min_result - result_{k,s}, t_k x revenues_{k,s} - private_{k,s},
                  min_reserves - R_{k,s})          (the last only when reserves are given)

with R_{k,s} = reserves + result_{0,s} + ... + result_{k,s}: L_s = sum_k w_k l_{k,s},
w_k = 1 / (1 + discount)^k. Rockafellar and Uryasev's form, as for one year:

    minimise  eta + sum_s u_s / ((1 - alpha) N) + 1e-6 x (the path's EUR at risk)
    s.t.      u_s + eta >= sum_k w_k v_{k,s},  v_{k,s} >= each term of l_{k,s},  v >= 0.

With one year and no reserves the v's are left out: u_s + eta >= each term, exactly the
one-year rows of `model.cvar.add_scenarios`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pulp

from ..levers.base import YearView
from ..plan.scenarios import Scenarios
from .cvar import RISK_TIE_BREAK, CvarRows, scenario_sides
from .horizon import HorizonModel


def _row(prob: pulp.LpProblem, pairs: list[tuple[Any, float]], rhs: float, name: str) -> None:
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(pairs), pulp.LpConstraintGE,
                                         rhs=float(rhs)), name=name)


def add_path_scenarios(model: HorizonModel, scenarios: Sequence[Scenarios], alpha: float
                       ) -> tuple[Any, list[Any]]:
    """Add the path's CVaR rows and objective to a horizon model (one Scenarios per year,
    each of N draws); return (eta, u)."""
    case = model.case
    h = case.horizon
    assert h is not None
    prob = model.prob
    count = len(model.years)
    n = scenarios[0].n
    sides: list[CvarRows] = []
    for k, year in enumerate(model.years):
        view = YearView(k, count)

        def lever_rows(lever: Any, rows: CvarRows, terms: Any, index: int,
                       view: YearView = view) -> None:
            lever.year_scenario_rows(rows, terms, index, view)

        sides.append(scenario_sides(year, scenarios[k], prefix=f"y{k}_",
                                    lever_rows=lever_rows))
    # Per year: the terms of l_{k,s} as (columns, coefficient matrix, right-hand side):
    # a row  v + coef . x >= rhs  for each term.
    terms_of: list[list[tuple[list[Any], np.ndarray, np.ndarray]]] = []
    held_vars: list[Any] = []
    held_coef: list[np.ndarray] = []
    held_const = np.full(n, float(h.reserves or 0.0))
    for k, (year, rows) in enumerate(zip(model.years, sides)):
        t = year.case.target.private_share
        a_p, a_g, a_e = rows.matrix("private"), rows.matrix("public"), rows.matrix("spending")
        c_p, c_g, c_e = (np.broadcast_to(np.asarray(rows.const[side], float), (n,))
                         for side in ("private", "public", "spending"))
        share = (-((t - 1) * a_p + t * a_g), (t - 1) * c_p + t * c_g)
        result_coef = a_p + a_g - a_e
        result = (result_coef, year.case.target.min_result - (c_p + c_g - c_e))
        mine = [(rows.variables, share[0], share[1]), (rows.variables, result[0], result[1])]
        if h.reserves is not None:
            held_vars = held_vars + list(rows.variables)
            held_coef.append(result_coef)
            held_const = held_const + (c_p + c_g - c_e)
            mine.append((held_vars, np.concatenate(held_coef, axis=1),
                         h.min_reserves - held_const))
        terms_of.append(mine)
    eta = prob.add_variable("cvar_eta", lowBound=0)
    us = [prob.add_variable(f"cvar_u{s}", lowBound=0) for s in range(n)]
    direct = count == 1 and h.reserves is None
    tags = ("s", "r", "m")
    for s in range(n):
        if direct:
            for tag, (cols, coef, rhs) in zip(tags, terms_of[0]):
                pairs = [(us[s], 1.0), (eta, 1.0)]
                pairs += [(cols[j], float(a)) for j, a in enumerate(coef[s]) if a != 0]
                _row(prob, pairs, rhs[s], f"cvar_{tag}{s}")
            continue
        total = [(us[s], 1.0), (eta, 1.0)]
        for k in range(count):
            v = prob.add_variable(f"cvar_v{k}_{s}", lowBound=0)
            total.append((v, -h.weight(k)))
            for tag, (cols, coef, rhs) in zip(tags, terms_of[k]):
                pairs = [(v, 1.0)] + [(cols[j], float(a)) for j, a in enumerate(coef[s])
                                      if a != 0]
                _row(prob, pairs, rhs[s], f"cvar_{tag}{k}_{s}")
        _row(prob, total, 0.0, f"cvar_u{s}_path")
    weight = 1.0 / ((1 - alpha) * n)
    tail = pulp.LpAffineExpression([(eta, 1.0)] + [(u, weight) for u in us])
    prob.sense = pulp.LpMinimize
    prob.setObjective(tail + RISK_TIE_BREAK * model.risk)
    return eta, us


__all__ = ["add_path_scenarios"]

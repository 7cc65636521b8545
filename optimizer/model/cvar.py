"""The CVaR program's rows: the loss of each scenario, written on the version 1 model.

`add_scenarios(model, scenarios, alpha)` keeps every constraint of the model built by
`build_model` and replaces its objective by Rockafellar and Uryasev's linear form of
the CVaR at level alpha of the loss

    L_s = max(0, min_result - result_s, t x revenues_s - private_s)

over the scenarios s:

    minimise  eta + sum_s u_s / ((1 - alpha) N)
    s.t.      u_s + eta >= t x revenues_s - private_s,  u_s + eta >= min_result - result_s,
              u_s >= 0, eta >= 0  (the loss is never negative, so neither is its VaR),

plus EUR at risk x 1e-6 as a tie-break among plans of equal CVaR. Each scenario's
revenues and result are linear in the levers' variables: a realisation factor
multiplies the favourable coefficients of a lever's terms (its variables are all
non-negative), the committed ones stay. A lever type that draws more than a factor
(an elasticity range, proposals won one by one) writes its own columns
(`LeverBase.scenario_rows`, through `CvarRows`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pulp

from ..errors import CaseError, SolverError
from ..plan.scenarios import Scenarios
from .milp import Model

# Weight of EUR at risk among plans of equal CVaR (EUR of CVaR per EUR at risk): it
# moves the CVaR by at most a few tenths of a euro for a budget of a few million.
RISK_TIE_BREAK = 1e-6
# The scenario rows hold N x (columns) coefficients; beyond this, refuse.
MAX_COEFFICIENTS = 20_000_000


def _affine(expr: Any) -> pulp.LpAffineExpression:
    return expr if isinstance(expr, pulp.LpAffineExpression) else pulp.LpAffineExpression(expr)


SIDES = ("private", "public", "spending")


class CvarRows:
    """The scenario rows under construction: private, public and spending as c + A x.

    A column of A is either a model variable with its own scenario coefficients
    (an EU proposal, a fee option whose gain changes sign), or an auxiliary variable
    that sums a lever's favourable terms (its coefficient is the lever's factor in
    each scenario) or everything that is the same in every scenario. The sums keep
    the scenario rows short: one coefficient per lever, not one per option.
    """

    def __init__(self, model: Model, scenarios: Scenarios, prefix: str = ""):
        self.model = model
        # Names of the variables and rows written here start with prefix (a horizon
        # writes one set of scenario rows per year in one problem: "y1_").
        self.prefix = prefix
        self.scenarios = scenarios
        self.n = scenarios.n
        self.variables: list[Any] = []
        self.coef: dict[str, list[Any]] = {side: [] for side in SIDES}
        self.const: dict[str, Any] = {side: np.zeros(self.n) for side in SIDES}
        self.fixed: dict[str, pulp.LpAffineExpression] = {
            side: pulp.LpAffineExpression() for side in SIDES}
        self._count = 0

    def column(self, var: Any, side: str, values: Any) -> None:
        self.variables.append(var)
        for other in SIDES:
            self.coef[other].append(values if other == side else 0.0)

    def column_by_side(self, var: Any, values: Mapping[str, Any]) -> None:
        """A column with its own coefficients on each side (0 where none is given)."""
        self.variables.append(var)
        for side in SIDES:
            self.coef[side].append(values.get(side, 0.0))

    def side_of(self, line: str, kind: str) -> str:
        if kind == "expenditure":
            return "spending"
        return "public" if self.model.case.revenue(line).public else "private"

    def add_line(self, kind: str, line: str, expr: Any, factor: Any, hint: str) -> None:
        """A lever's term on a line: its favourable part times factor, the rest as it is."""
        side = self.side_of(line, kind)
        good, rest = split(expr, kind)
        self.scaled(side, good, factor, hint)
        self.scaled(side, rest, 1.0, "")

    def add_fixed(self, side: str, expr: Any) -> None:
        """Terms that are the same in every scenario."""
        self.fixed[side] += expr

    def coefficients(self, expr: Any) -> list[tuple[Any, float]]:
        return list(_affine(expr).items())

    def binary(self, name: str) -> Any:
        return self.model.prob.add_variable(self.prefix + name, 0, 1, cat=pulp.LpBinary)

    def constrain(self, expr: Any, name: str) -> None:
        self.model.prob += expr, self.prefix + name

    def sum(self, items: Any) -> Any:
        return pulp.lpSum(items)

    def aux(self, pairs: Any, hint: str) -> Any:
        """A free variable equal to the sum of pairs (one row of the model); savings make
        it negative."""
        expr = pulp.LpAffineExpression(pairs)
        var = self.model.prob.add_variable(f"{self.prefix}cvar_{hint}{self._count}",
                                           lowBound=None)
        self.model.prob += var - expr == 0, f"{self.prefix}cvar_def{self._count}"
        self._count += 1
        return var

    def scaled(self, side: str, expr: pulp.LpAffineExpression, factor: Any, hint: str) -> None:
        """factor x expr on a side: fixed factors fold into the same-in-every-scenario sum."""
        if not any(a != 0 for a in expr.values()):
            self.const[side] = self.const[side] + factor * expr.constant
            return
        if np.ndim(factor) == 0:
            self.fixed[side] += float(factor) * expr
            return
        self.const[side] = self.const[side] + factor * expr.constant
        body = [(v, a) for v, a in expr.items() if a != 0]
        self.column(self.aux(body, hint), side, factor)

    def matrix(self, side: str) -> np.ndarray:
        if not self.variables:
            return np.zeros((self.n, 0))
        return np.stack([np.broadcast_to(np.asarray(c, float), (self.n,))
                         for c in self.coef[side]], axis=1)

    def finish(self) -> None:
        for side in SIDES:
            expr = self.fixed[side]
            self.const[side] = self.const[side] + expr.constant
            if any(a != 0 for a in expr.values()):
                body = [(v, a) for v, a in expr.items() if a != 0]
                self.column(self.aux(body, "fixed"), side, 1.0)


def split(expr: Any, kind: str) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """(favourable, committed) parts of a lever's term on a line, by coefficient sign.

    Lever variables are non-negative, so a positive revenue coefficient (a negative
    spending one) is a gain; the rest is a cost or revenue given up.
    """
    e = _affine(expr)
    sign = 1.0 if kind == "revenue" else -1.0
    good = pulp.LpAffineExpression([(v, a) for v, a in e.items() if sign * a > 0])
    rest = pulp.LpAffineExpression([(v, a) for v, a in e.items() if sign * a <= 0])
    for var in e:
        if var.lowBound is None or var.lowBound < 0:
            raise SolverError(f"internal: variable {var.name} may be negative; the CVaR "
                              "model needs non-negative lever variables")
    if sign * e.constant > 0:
        good.constant = e.constant
    else:
        rest.constant = e.constant
    return good, rest


LeverRows = Callable[[Any, CvarRows, Any, int], None]


def _one_year_rows(lever: Any, rows: CvarRows, terms: Any, index: int) -> None:
    lever.scenario_rows(rows, terms, index)


def scenario_sides(model: Model, sc: Scenarios, *, prefix: str = "",
                   lever_rows: LeverRows = _one_year_rows) -> CvarRows:
    """Private revenue, public revenue and spending of a model's plan in every scenario
    of sc, as constants plus columns over the model's variables (finished CvarRows).

    lever_rows(lever, rows, terms, index) writes one lever's part (default: its one-year
    `scenario_rows`; a horizon passes the year's, model/cvar_horizon.py)."""
    case = model.case
    rows = CvarRows(model, sc, prefix)
    private0, public0, spending0 = sc.baseline()
    rows.const["private"] = rows.const["private"] + private0
    rows.const["public"] = rows.const["public"] + public0
    rows.const["spending"] = rows.const["spending"] + spending0
    for i, lever in enumerate(case.levers):
        terms = model.terms.get(lever.id)
        if terms is None:
            continue
        lever_rows(lever, rows, terms, i)
    rows.finish()
    if sc.n * max(1, len(rows.variables)) > MAX_COEFFICIENTS:
        raise CaseError(f"target.scenarios: {sc.n:,} scenarios x {len(rows.variables)} "
                        "columns is too large a model; use fewer scenarios")
    return rows


def add_scenarios(model: Model, sc: Scenarios, alpha: float,
                  only: Any = None) -> tuple[Any, list[Any]]:
    """Add the CVaR rows and objective to a version 1 model; return (eta, u).

    only: the scenarios to write rows for (default all); the others are left out, which
    relaxes the program (their u_s are 0), each u_s keeping its weight 1 / ((1 - alpha) N)
    (`analyses/sensitivity/cvar_moves.py` adds them back until none is broken)."""
    case = model.case
    prob = model.prob
    rows = scenario_sides(model, sc)

    t = case.target.private_share
    a_p, a_g, a_e = rows.matrix("private"), rows.matrix("public"), rows.matrix("spending")
    c_p, c_g, c_e = rows.const["private"], rows.const["public"], rows.const["spending"]
    # u + eta >= t (P + G) - P   and   u + eta >= min_result - (P + G - E)
    share_coef = -((t - 1) * a_p + t * a_g)
    share_rhs = (t - 1) * c_p + t * c_g
    result_coef = a_p + a_g - a_e
    result_rhs = case.target.min_result - (c_p + c_g - c_e)
    eta = prob.add_variable("cvar_eta", lowBound=0)
    kept = range(sc.n) if only is None else sorted(int(s) for s in only)
    us = [prob.add_variable(f"cvar_u{s}", lowBound=0) for s in kept]
    for k, s in enumerate(kept):
        for tag, coef, rhs in (("s", share_coef[s], share_rhs[s]),
                               ("r", result_coef[s], result_rhs[s])):
            pairs = [(us[k], 1.0), (eta, 1.0)]
            pairs += [(rows.variables[j], float(a)) for j, a in enumerate(coef) if a != 0]
            prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(pairs),
                                                 pulp.LpConstraintGE, rhs=float(rhs)),
                               name=f"cvar_{tag}{s}")
    weight = 1.0 / ((1 - alpha) * sc.n)
    tail = pulp.LpAffineExpression([(eta, 1.0)] + [(u, weight) for u in us])
    prob.setObjective(tail + RISK_TIE_BREAK * model.quantity["risk"])
    return eta, us


def tail_value(eta: Any, us: list[Any], alpha: float) -> float:
    """The solved model's CVaR: eta + the sum of u_s / ((1 - alpha) N)."""
    return float(eta.varValue or 0.0) + sum(float(u.varValue or 0.0) for u in us) / (
        (1 - alpha) * len(us))


__all__ = ["MAX_COEFFICIENTS", "RISK_TIE_BREAK", "SIDES", "CvarRows", "add_scenarios",
           "scenario_sides", "split", "tail_value"]

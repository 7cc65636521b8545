"""The mixed-integer linear program of MODEL.md, built with PuLP.

`build_model` turns a validated case into a PuLP problem. It knows no solver:
`solvers/` is the only place that runs one. Each lever writes its own terms through
`ModelBuilder` (the levers' `ModelContext`). Variable and constraint names are
ours (`l3_units_12`, `c7`), never the user's ids, so labels with odd
characters can never reach the solver.

The share row `private - t x revenues >= 0` is written in one place, `share_lhs`:
the PuLP row here, and the coefficients the sensitivity engine rewrites in place
(`Model.share_row`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from ..case.schema import Case
from ..levers.base import Terms
from ..plan.evaluate import before_values

# Weight of the "least change" tie-break (EUR of risk per EUR moved in the budget).
# A budget moves by at most a few million EUR, so the tie-break shifts the risk by
# well under a cent: within MODEL.md's 1e-6 relative.
TIE_BREAK = 1e-9

# Constraint groups a diagnosis may relax, in the words of MODEL.md.
RELAXABLE = ("result", "capacity", "min_members", "max_levers", "max_result", "eligible",
             "max_members_lost")


@dataclass
class Model:
    case: Case
    prob: pulp.LpProblem
    terms: dict[str, Terms]
    quantity: dict[str, Any]
    rows: dict[str, str] = field(default_factory=dict)  # our constraint name -> its meaning
    share: float = 0.0
    risk_cap: Any = None  # the tie-break's row holding the risk, once added

    def lever_value(self, lever_id: str) -> Any:
        terms = self.terms.get(lever_id)
        return terms.value if terms is not None else 0

    def read_plan(self) -> dict[str, float]:
        """Lever id -> decision value from the solved variables, snapped to integers and
        option grids."""
        plan: dict[str, float] = {}
        for lever in self.case.levers:
            terms = self.terms.get(lever.id)
            value = 0.0 if terms is None else float(terms.read())
            # A lever whose 0/1 "used" indicator is off is not used, whatever crumb of a value
            # the solver's integrality tolerance let through (v <= upper x z with z = 1e-6
            # still allows v > 0): otherwise max_levers would count it.
            if terms is not None and isinstance(terms.used, pulp.LpVariable) \
                    and (terms.used.value() or 0.0) < 0.5:
                value = 0.0
            plan[lever.id] = 0.0 if abs(value) < 1e-9 else value
        return plan

    def load_values(self, columns: list[Any], values: Any) -> None:
        """Give the model's variables (columns, in the order of `prob.variables()`) the
        values a solver found outside PuLP (the sensitivity engine's HiGHS session)."""
        for var, x in zip(columns, values):
            var.varValue = float(x)

    def cap_risk(self, risk_cap: float) -> None:
        """Hold the risk at most risk_cap (the tie-break's later solves). Mutates the model."""
        if self.risk_cap is not None:
            self.risk_cap.constant = -risk_cap
            return
        row = self.quantity["risk"] <= risk_cap
        self.prob += row, "tie_break"
        self.risk_cap = row

    def members_vary(self) -> bool:
        """Whether any lever can change the members."""
        return _has_variables(self.quantity["members"])

    def most_members_objective(self, risk_cap: float) -> None:
        """Hold the risk at most risk_cap and keep the most members (MODEL.md v2, step 2).
        Mutates the model."""
        self.cap_risk(risk_cap)
        self.prob.setObjective(-1 * self.quantity["members"])

    def least_change_objective(self, risk_cap: float, members_floor: float | None = None
                               ) -> None:
        """Hold the risk at most risk_cap (and the members at least members_floor) and
        minimise the euros moved (the tie-break's last solve). Mutates the model."""
        self.cap_risk(risk_cap)
        if members_floor is not None:
            self.prob += self.quantity["members"] >= members_floor, "members_floor"
        self.prob.setObjective(pulp.lpSum(t.change for t in self.terms.values()))

    def share_row(self, names: list[str]) -> ShareRow:
        """The share row's parts over columns ordered as names (for in-place rewrites)."""
        col = {name: j for j, name in enumerate(names)}
        private, revenues = self.quantity["private"], self.quantity["revenues"]
        p = np.zeros(len(names))
        tau = np.zeros(len(names))
        for var, c in private.items():
            p[col[var.name]] += c
        for var, c in revenues.items():
            tau[col[var.name]] += c
        share_rows = [name for name, meaning in self.rows.items() if meaning == "share"]
        return ShareRow(share_rows[0], p, tau, float(private.constant),
                        float(revenues.constant))


def share_lhs(private: Any, revenues: Any, t: float) -> Any:
    """The left-hand side of the share row, private - t x revenues (>= 0): PuLP expressions
    when the model is built, coefficient arrays or constants when the row is rewritten."""
    return private - t * revenues


@dataclass(frozen=True)
class ShareRow:
    """The share row as arrays: private = p x + p0, revenues = tau x + t0 (columns x)."""

    name: str  # the row's name in the model
    p: np.ndarray
    tau: np.ndarray
    p0: float
    t0: float

    @property
    def columns(self) -> list[int]:
        """The columns the row's coefficients depend on the target at."""
        return [int(j) for j in np.flatnonzero((self.p != 0) | (self.tau != 0))]

    def coefficients(self, t: float) -> np.ndarray:
        return share_lhs(self.p, self.tau, t)

    def lower(self, t: float) -> float:
        """The row's lower bound at target t: private - t revenues >= 0 moved to the
        columns' side."""
        return -float(share_lhs(self.p0, self.t0, t))


class ModelBuilder:
    """The ModelContext a lever sees while it builds its terms."""

    def __init__(self, case: Case, prob: pulp.LpProblem, need_used: bool, tight: bool = True,
                 names: str = ""):
        # names: a prefix of every variable and row name (one per year of a horizon).
        self.names = names
        self.case = case
        self.prob = prob
        self.need_used = need_used
        self.tight = tight
        self._counter = itertools.count()
        self._prefix = f"{names}x"
        self._fee_choices: dict[str, tuple[list[float], list[Any]]] = {}
        self.rows: dict[str, str] = {}
        self._meaning = ""

    def for_lever(self, index: int, meaning: str) -> ModelBuilder:
        self._prefix = f"{self.names}l{index}"
        self._meaning = meaning
        return self

    def var(self, hint: str, low: float, up: float | None, integer: bool = False) -> Any:
        name = f"{self._prefix}_{hint}_{next(self._counter)}"
        return self.prob.add_variable(name, lowBound=low, upBound=up,
                                      cat=pulp.LpInteger if integer else pulp.LpContinuous)

    def binary(self, hint: str) -> Any:
        return self.prob.add_variable(f"{self._prefix}_{hint}_{next(self._counter)}", 0, 1,
                                      cat=pulp.LpBinary)

    def constrain(self, expr: Any, hint: str) -> None:
        self.add(expr, self._meaning or hint)

    def add(self, expr: Any, meaning: str) -> str:
        name = f"{self.names}c{next(self._counter)}"
        self.prob += expr, name
        self.rows[name] = meaning
        return name

    def sum(self, items: Any) -> Any:
        return pulp.lpSum(items)

    def split(self, expr: Any) -> tuple[Any, Any]:
        """(the terms of expr with positive coefficients, those with negative ones)."""
        if isinstance(expr, int | float):
            return (expr, 0) if expr > 0 else (0, expr)
        expr = pulp.LpAffineExpression(expr)
        gains = pulp.LpAffineExpression([(v, c) for v, c in expr.items() if c > 0])
        losses = pulp.LpAffineExpression([(v, c) for v, c in expr.items() if c < 0])
        if expr.constant > 0:
            gains += expr.constant
        else:
            losses += expr.constant
        return gains, losses

    def fee_choice(self, revenue: str) -> tuple[list[float], list[Any]] | None:
        return self._fee_choices.get(revenue)

    def set_fee_choice(self, revenue: str, options: list[float], ys: list[Any]) -> None:
        self._fee_choices[revenue] = (options, ys)


def build_model(
    case: Case,
    *,
    share: float | None = None,
    relax: frozenset[str] = frozenset(),
    objective: str = "risk",
    share_weight: float = 0.0,
    tight: bool = True,
) -> Model:
    """The PuLP problem of a case.

    share: the target private share (default: the case's target).
    relax: constraint groups left out, for the diagnosis of infeasible cases:
        "share", "result", "capacity", "min_members", "max_levers", "rule:NAME".
    objective: "risk" (EUR at risk plus the least-change tie-break) or
        "share" (maximise private - share_weight x revenues, for the highest reachable share).
    tight: the tight formulation (dominated options dropped, implied bounds added): the
        same optimum as the straightforward one (tight=False), solved faster.
    """
    t = case.target.private_share if share is None else share
    sense = pulp.LpMinimize if objective == "risk" else pulp.LpMaximize
    prob = pulp.LpProblem("cluster_plan", sense)
    need_used = case.target.max_levers is not None and "max_levers" not in relax
    b = ModelBuilder(case, prob, need_used, tight)

    terms: dict[str, Terms] = {}
    # Fee increases first: new members on the same line pay the increased fee.
    order = sorted(range(len(case.levers)),
                   key=lambda i: case.levers[i].raises_fee_on() is None)
    for i in order:
        lever = case.levers[i]
        if not lever.enabled:
            continue
        b.for_lever(i, f"lever:{lever.id}")
        terms[lever.id] = lever.build(b)
    b.for_lever(-1, "")
    quantity, protection = add_rows(b, case, terms, t, relax, objective, share_weight, need_used)
    risk, change = quantity["risk"], quantity["change"]
    private, revenues = quantity["private"], quantity["revenues"]

    if objective == "risk":
        prob += risk + TIE_BREAK * change
    else:
        # Highest share: maximise private - w x revenues (Dinkelbach), less the share lost
        # by the `robust` weakest levers; a tiny risk penalty picks, among equally good
        # plans, the least risky one.
        prob += private - share_weight * revenues - protection - 1e-9 * risk
    return Model(case=case, prob=prob, terms=terms, quantity=quantity, rows=b.rows, share=t)


def add_rows(b: ModelBuilder, case: Case, terms: dict[str, Terms], t: float,
             relax: frozenset[str], objective: str, share_weight: float,
             need_used: bool) -> tuple[dict[str, Any], Any]:
    """The rows of one year after the levers' terms (every constraint of MODEL.md), and its
    quantities ("risk", "change" and the rule quantities); also (the share row's robust
    protection, 0 when none). The horizon (model/horizon.py) writes them once a year."""
    revenue_after = {r.id: r.amount + pulp.lpSum(t_.revenue.get(r.id, 0) for t_ in terms.values())
                     for r in case.revenues}
    expenditure_after = {e.id: e.amount + pulp.lpSum(t_.expenditure.get(e.id, 0)
                                                     for t_ in terms.values())
                         for e in case.expenditures}
    private = pulp.lpSum(revenue_after[r.id] for r in case.revenues if not r.public)
    public = pulp.lpSum(revenue_after[r.id] for r in case.revenues if r.public)
    revenues = private + public
    expenditures = pulp.lpSum(expenditure_after.values())
    result = revenues - expenditures
    members = case.members + pulp.lpSum(t_.members for t_ in terms.values())
    fte_use = pulp.lpSum(t_.fte_use for t_ in terms.values())
    risk = pulp.lpSum(t_.risk for t_ in terms.values())
    change = pulp.lpSum(t_.change for t_ in terms.values())
    quantity: dict[str, Any] = {
        "private": private, "public": public, "revenues": revenues,
        "expenditures": expenditures, "result": result, "members": members,
        "risk": risk, "fte_use": fte_use,
    }
    for line, expr in revenue_after.items():
        quantity[f"revenue:{line}"] = expr
    for line, expr in expenditure_after.items():
        quantity[f"expenditure:{line}"] = expr
    for lever in case.levers:
        quantity[f"lever:{lever.id}"] = terms[lever.id].value if lever.id in terms else 0
    # Version 2: members driven away, eligible costs, today's values (constants).
    levers = {lever.id: lever for lever in case.levers}
    quantity["members_lost"] = pulp.lpSum(levers[k].members_lost_terms(b, t_)
                                          for k, t_ in terms.items())
    eligible_lines = {e.id for e in case.expenditures if e.eligible}
    quantity["eligible"] = case.eligible_total + pulp.lpSum(
        expr for k, t_ in terms.items() if levers[k].counts_in_eligible
        for line, expr in t_.expenditure.items() if line in eligible_lines)
    for name, value in before_values(case).items():
        quantity[name] = value

    target = case.target
    robust = getattr(target, "robust", 0) or 0
    share_lhs_expr = share_lhs(private, revenues, t)
    protection: Any = 0
    if robust and ("share" not in relax or objective == "share"):
        weight = share_weight if objective == "share" else t
        protection = _protect(b, case, terms, robust, weight, "share")
    if "share" not in relax:
        b.add(share_lhs_expr - protection >= 0, "share")
    if "result" not in relax:
        result_protection = _protect(b, case, terms, robust, t, "result") if robust else 0
        b.add(result - result_protection >= target.min_result, "result")
    if target.max_result is not None and "max_result" not in relax:
        b.add(result <= target.max_result, "max_result")
    if target.max_public_share_of_eligible is not None and "eligible" not in relax:
        b.add(public - target.max_public_share_of_eligible * quantity["eligible"] <= 0,
              "eligible")
    lost_limit = target.members_lost_limit(case.members)
    if lost_limit is not None and "max_members_lost" not in relax \
            and _has_variables(quantity["members_lost"]):
        b.add(quantity["members_lost"] <= lost_limit, "max_members_lost")
    if "capacity" not in relax and _has_variables(fte_use):
        b.add(fte_use <= case.spare_fte, "capacity")
    for line, expr in revenue_after.items():
        if _has_variables(expr):
            b.add(expr >= 0, f"line:revenue:{line}")
    for line, expr in expenditure_after.items():
        if _has_variables(expr):
            b.add(expr >= 0, f"line:expenditure:{line}")
    if case.target.min_members is not None and "min_members" not in relax:
        b.add(members >= case.target.min_members, "min_members")
    if need_used:
        used = [t_.used for t_ in terms.values() if t_.used is not None]
        b.add(pulp.lpSum(used) <= case.target.max_levers, "max_levers")
    for rule in case.rules:
        if f"rule:{rule.name}" in relax:
            continue
        lhs = pulp.lpSum(c * quantity[q] for q, c in rule.terms.items())
        if rule.sense == "<=":
            b.add(lhs <= rule.rhs, f"rule:{rule.name}")
        elif rule.sense == ">=":
            b.add(lhs >= rule.rhs, f"rule:{rule.name}")
        else:
            b.add(lhs == rule.rhs, f"rule:{rule.name}")

    quantity["change"] = change
    return quantity, protection


def _protect(b: ModelBuilder, case: Case, terms: dict[str, Terms], budget: int, t: float,
             row: str) -> Any:
    """The most that `budget` levers in their low case take from a row (Bertsimas and Sim):
    G z + sum_l p_l with p_l >= d_l - z, z >= 0, p_l >= 0, where d_l is what lever l's low
    case takes from the row ("share": private - t x revenues; "result": revenues - spending).
    Exact: for a whole G, the least such bound is the sum of the G largest positive d_l."""
    levers = {lever.id: lever for lever in case.levers}
    public = {r.id for r in case.revenues if r.public}
    shortfalls = []
    for k, t_ in terms.items():
        low_revenue, low_spending = levers[k].low_terms(b, t_)
        d: Any = 0
        for line, expr in t_.revenue.items():
            lost = expr - low_revenue.get(line, 0)
            if row == "result":
                d += lost
            else:
                d += (-t if line in public else 1 - t) * lost
        if row == "result":
            for line, expr in t_.expenditure.items():
                d += low_spending.get(line, 0) - expr
        if _has_variables(pulp.LpAffineExpression(d) if not isinstance(d, int | float) else d):
            shortfalls.append(d)
    if not shortfalls:
        return 0
    b.for_lever(-1, f"robust:{row}")
    z = b.var(f"robust_{row}_z", 0, None)
    ps = []
    for d in shortfalls:
        p = b.var(f"robust_{row}_p", 0, None)
        b.constrain(p + z - d >= 0, f"robust:{row}")
        ps.append(p)
    b.for_lever(-1, "")
    return budget * z + pulp.lpSum(ps)


def _has_variables(expr: Any) -> bool:
    return isinstance(expr, pulp.LpAffineExpression) and any(c != 0 for c in expr.values())


def solved_value(var: Any) -> float:
    """A variable's value in the solved model (0 when the solver left none)."""
    return float(var.varValue or 0.0)


__all__ = ["RELAXABLE", "TIE_BREAK", "Model", "ModelBuilder", "ShareRow", "add_rows", "build_model",
           "share_lhs", "solved_value"]

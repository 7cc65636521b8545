"""The plan that minimises the tail: CVaR of the loss over sampled scenarios.

`solve_cvar(case, ...)` keeps every constraint of the version 1 model (built by
`build_model`, untouched) and replaces its objective by Rockafellar and
Uryasev's linear form of the CVaR at level alpha of the loss

    L_s = max(0, min_result - result_s, t x revenues_s - private_s)

over the scenarios s of `Scenarios(case, N, seed, OPTIMISE)`:

    minimise  eta + sum_s u_s / ((1 - alpha) N)
    s.t.      u_s + eta >= t x revenues_s - private_s,  u_s + eta >= min_result - result_s,
              u_s >= 0, eta >= 0  (the loss is never negative, so neither is its VaR),

plus EUR at risk x 1e-6 as a tie-break among plans of equal CVaR. Each
scenario's revenues and result are linear in the levers' variables: a
realisation factor multiplies the favourable coefficients of a lever's terms
(its variables are all non-negative), the committed ones stay; a fee increase
with an elasticity range gets each option's exact change in each scenario;
and the proposal count n of an EU lever is written as ordered binaries
b_1 >= b_2 >= ... (n = sum b_j), so proposal j brings its grant in scenario s
only if its own draw wins it.

The plan found is rechecked by arithmetic: the nominal constraints, and the
CVaR of its losses computed by `uncertainty.outcomes` (the simulation's code)
must equal the solver's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pulp

from .case import Case
from .distributions import DEFAULT_SCENARIOS, DEFAULT_SEED, DEFAULT_SIMULATION, wins_each
from .errors import CaseError, SolverError
from .model import Model, build_model
from .result import Result, _num, tolerance
from .solve import Status, run
from .uncertainty import OPTIMISE, Scenarios, Simulation, cvar, loss, outcomes, simulate_plan

# Weight of EUR at risk among plans of equal CVaR (EUR of CVaR per EUR at risk): it
# moves the CVaR by at most a few tenths of a euro for a budget of a few million.
RISK_TIE_BREAK = 1e-6
# The scenario rows hold N x (columns) coefficients; beyond this, refuse.
MAX_COEFFICIENTS = 20_000_000
# Each EU proposal is a binary with its own draws: a few dozen a year is realistic.
MAX_PROPOSALS = 200


@dataclass(frozen=True)
class PlanFigures:
    """One plan of the comparison: its two risk measures and its simulation."""

    plan: Mapping[str, float]
    risk: float  # EUR at risk
    cvar_loss: float  # CVaR at alpha of the loss, over the optimisation scenarios
    simulation: Simulation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "levers": {k: _num(v) for k, v in self.plan.items() if abs(v) > 1e-9},
            "risk": _num(self.risk),
            "cvar_loss": _num(self.cvar_loss),
            "simulation": self.simulation.to_dict() if self.simulation is not None else None,
        }


@dataclass(frozen=True)
class CvarComparison:
    """The EUR-at-risk plan and the CVaR plan of a case, side by side."""

    alpha: float
    scenarios: int
    seed: int
    eur_at_risk_plan: PlanFigures
    cvar_plan: PlanFigures

    def plans(self) -> Iterator[tuple[str, PlanFigures]]:
        yield "least EUR at risk", self.eur_at_risk_plan
        yield f"least CVaR {self.alpha:.0%}", self.cvar_plan

    def with_simulations(self, case: Case, n: int, seed: int) -> CvarComparison:
        """The same comparison with both plans simulated on n scenarios of this seed."""
        return dataclasses.replace(
            self,
            eur_at_risk_plan=dataclasses.replace(
                self.eur_at_risk_plan,
                simulation=simulate_plan(case, self.eur_at_risk_plan.plan, n, seed)),
            cvar_plan=dataclasses.replace(
                self.cvar_plan, simulation=simulate_plan(case, self.cvar_plan.plan, n, seed)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "eur_at_risk_plan": self.eur_at_risk_plan.to_dict(),
            "cvar_plan": self.cvar_plan.to_dict(),
        }


def settings(case: Case) -> tuple[float, int, int]:
    t = case.target
    return (t.cvar_alpha, DEFAULT_SCENARIOS if t.scenarios is None else t.scenarios,
            DEFAULT_SEED if t.seed is None else t.seed)


def eur_at_risk_case(case: Case) -> Case:
    """The same case with the version 1 objective (EUR at risk)."""
    target = case.target.model_copy(update={"risk_measure": None})
    return case.model_copy(update={"target": target})


# ------------------------------------------------------------------ the model


def _affine(expr: Any) -> pulp.LpAffineExpression:
    return expr if isinstance(expr, pulp.LpAffineExpression) else pulp.LpAffineExpression(expr)


SIDES = ("private", "public", "spending")


class _Rows:
    """The scenario rows under construction: private, public and spending as c + A x.

    A column of A is either a model variable with its own scenario coefficients
    (an EU proposal, a fee option whose gain changes sign), or an auxiliary variable
    that sums a lever's favourable terms (its coefficient is the lever's factor in
    each scenario) or everything that is the same in every scenario. The sums keep
    the scenario rows short: one coefficient per lever, not one per option.
    """

    def __init__(self, model: Model, n: int):
        self.model = model
        self.n = n
        self.variables: list[Any] = []
        self.coef: dict[str, list[Any]] = {side: [] for side in SIDES}
        self.const: dict[str, Any] = {side: np.zeros(n) for side in SIDES}
        self.fixed: dict[str, pulp.LpAffineExpression] = {
            side: pulp.LpAffineExpression() for side in SIDES}
        self._count = 0

    def column(self, var: Any, side: str, values: Any) -> None:
        self.variables.append(var)
        for other in SIDES:
            self.coef[other].append(values if other == side else 0.0)

    def aux(self, expr: pulp.LpAffineExpression, hint: str) -> Any:
        """A free variable equal to expr (one row of the model); savings make it negative."""
        var = self.model.prob.add_variable(f"cvar_{hint}{self._count}", lowBound=None)
        self.model.prob += var - expr == 0, f"cvar_def{self._count}"
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
        body = pulp.LpAffineExpression([(v, a) for v, a in expr.items() if a != 0])
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
                body = pulp.LpAffineExpression([(v, a) for v, a in expr.items() if a != 0])
                self.column(self.aux(body, "fixed"), side, 1.0)


def _line_side(case: Case, line: str, kind: str) -> str:
    if kind == "expenditure":
        return "spending"
    return "public" if case.revenue(line).public else "private"


def _split(expr: Any, kind: str) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
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


def add_scenarios(model: Model, sc: Scenarios, alpha: float) -> tuple[Any, list[Any]]:
    """Add the CVaR rows and objective to a version 1 model; return (eta, u)."""
    case = model.case
    prob = model.prob
    rows = _Rows(model, sc.n)
    private0, public0, spending0 = sc.baseline()
    rows.const["private"] = rows.const["private"] + private0
    rows.const["public"] = rows.const["public"] + public0
    rows.const["spending"] = rows.const["spending"] + spending0
    for i, lever in enumerate(case.levers):
        terms = model.terms.get(lever.id)
        if terms is None:
            continue
        f = sc.factor[lever.id]
        if wins_each(lever):
            _eu_rows(model, rows, sc, i, lever, terms, f)
            continue
        for kind, lines in (("revenue", terms.revenue), ("expenditure", terms.expenditure)):
            for line, expr in lines.items():
                side = _line_side(case, line, kind)
                if kind == "revenue" and lever.id in sc.elasticity:
                    _fee_rows(rows, case, sc, lever, terms, f, side, expr)
                    continue
                good, rest = _split(expr, kind)
                rows.scaled(side, good, f, f"l{i}_gain")
                rows.scaled(side, rest, 1.0, "")
    rows.finish()
    if sc.n * max(1, len(rows.variables)) > MAX_COEFFICIENTS:
        raise CaseError(f"target.scenarios: {sc.n:,} scenarios x {len(rows.variables)} "
                        "columns is too large a model; use fewer scenarios")

    t = case.target.private_share
    a_p, a_g, a_e = rows.matrix("private"), rows.matrix("public"), rows.matrix("spending")
    c_p, c_g, c_e = rows.const["private"], rows.const["public"], rows.const["spending"]
    # u + eta >= t (P + G) - P   and   u + eta >= min_result - (P + G - E)
    share_coef = -((t - 1) * a_p + t * a_g)
    share_rhs = (t - 1) * c_p + t * c_g
    result_coef = a_p + a_g - a_e
    result_rhs = case.target.min_result - (c_p + c_g - c_e)
    eta = prob.add_variable("cvar_eta", lowBound=0)
    us = [prob.add_variable(f"cvar_u{s}", lowBound=0) for s in range(sc.n)]
    for s in range(sc.n):
        for tag, coef, rhs in (("s", share_coef[s], share_rhs[s]),
                               ("r", result_coef[s], result_rhs[s])):
            pairs = [(us[s], 1.0), (eta, 1.0)]
            pairs += [(rows.variables[j], float(a)) for j, a in enumerate(coef) if a != 0]
            prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(pairs),
                                                 pulp.LpConstraintGE, rhs=float(rhs)),
                               name=f"cvar_{tag}{s}")
    weight = 1.0 / ((1 - alpha) * sc.n)
    tail = pulp.LpAffineExpression([(eta, 1.0)] + [(u, weight) for u in us])
    prob.setObjective(tail + RISK_TIE_BREAK * model.quantity["risk"])
    return eta, us


def _eu_rows(model: Model, rows: _Rows, sc: Scenarios, index: int, lever: Any, terms: Any,
             f: Any) -> None:
    """n = b_1 + ... + b_M with b_1 >= b_2 >= ...: proposal j is submitted when b_j = 1,
    and brings its grant (times the factor) in the scenarios where its draw wins."""
    count = int(lever.max_proposals)
    if count > MAX_PROPOSALS:
        raise CaseError(f"levers[{index}].max_proposals: the CVaR program draws each proposal "
                        f"on its own, up to {MAX_PROPOSALS}, got {count:,}; lower it, or set "
                        "\"uncertainty\": {\"wins\": \"expected\"}")
    n_var = terms.value
    bs = [model.prob.add_variable(f"cvar_l{index}_b{j}", 0, 1, cat=pulp.LpBinary)
          for j in range(count)]
    model.prob += pulp.lpSum(bs) - n_var == 0, f"cvar_l{index}_count"
    for j in range(count - 1):
        model.prob += bs[j] - bs[j + 1] >= 0, f"cvar_l{index}_order{j}"
    won = sc.win_columns(lever, count).astype(float)
    grant = lever.grant
    income_side = _line_side(sc.case, lever.revenue, "revenue")
    # Each proposal has its own draws, so its own column; on both sides when both move.
    for j, b in enumerate(bs):
        rows.variables.append(b)
        for side in SIDES:
            value: Any = 0.0
            if side == income_side:
                value = value + grant * f * won[:, j]
            if side == "spending":
                value = value + lever.cost_share * grant * won[:, j]
            rows.coef[side].append(value)
    if lever.proposal_cost:
        rows.fixed["spending"] += float(lever.proposal_cost) * n_var


def _fee_rows(rows: _Rows, case: Case, sc: Scenarios, lever: Any, terms: Any, f: Any,
              side: str, expr: Any) -> None:
    """Each fee option's exact change with the drawn elasticity e; the factor on gains.

    change_k = F0 (p_k - e p_k (1 + p_k)) is linear in e: options that gain (or lose)
    whatever e is are summed into two columns, F0 p y and F0 p (1 + p) y; an option
    whose sign depends on e keeps its own column (unless the factor is 1: then gains
    and losses count alike).
    """
    options = {var.name: p for var, p in _affine(terms.value).items()}
    f0 = case.revenue(lever.revenue).amount
    e = sc.elasticity[lever.id]
    low, high = float(np.min(e)), float(np.max(e))
    # Options that always gain / always lose -> their (A, B) terms.
    sums: dict[bool, tuple[list[Any], list[Any]]] = {True: ([], []), False: ([], [])}
    for var in _affine(expr):
        p = options.get(var.name, 0.0)
        if p == 0:
            continue
        a, b = f0 * p, f0 * p * (1 + p)
        certain = np.ndim(f) == 0 and float(f) == 1.0  # gains and losses alike, then
        if certain or a - high * b >= 0 or a - low * b <= 0:
            gains = certain or a - high * b >= 0
            sums[gains][0].append((var, a))
            sums[gains][1].append((var, b))
        else:
            change = a - e * b
            rows.column(var, side, f * np.maximum(change, 0) + np.minimum(change, 0))
    for gains, (a_terms, b_terms) in sums.items():
        if not a_terms:
            continue
        factor = f if gains else 1.0
        rows.column(rows.aux(pulp.LpAffineExpression(a_terms), "fee_a"), side,
                    factor * np.ones(sc.n))
        rows.column(rows.aux(pulp.LpAffineExpression(b_terms), "fee_b"), side,
                    -factor * e * np.ones(sc.n))


# ------------------------------------------------------------------ the solve


def solve_cvar(case: Case, solver: str, time_limit: float | None, *, explain: bool = True,
               overrides: Mapping[str, Any] | None = None) -> Result:
    """The plan of least CVaR of the loss, compared with the plan of least EUR at risk."""
    from .optimize import _audit, binding, checked_plan, solve

    alpha, n, seed = settings(case)
    # The version 1 plan: the comparison's first column, and the whole answer (with its
    # diagnosis) when the target is out of reach, since the constraints are the same.
    plain = solve(eur_at_risk_case(case), solver, time_limit, explain=False,
                  overrides=overrides)
    if plain.plan is None:
        if plain.status is Status.INFEASIBLE and explain:
            plain = solve(eur_at_risk_case(case), solver, time_limit, overrides=overrides)
        return dataclasses.replace(plain, case=case)

    sc = Scenarios(case, n, seed, OPTIMISE)
    model = build_model(case)
    eta, us = add_scenarios(model, sc, alpha)
    outcome = run(model.prob, solver, time_limit)
    audit = _audit(case, solver, outcome, overrides or {}, time_limit=time_limit,
                   seeds={"cvar_scenarios": seed})
    warnings = plain.warnings
    if not outcome.has_plan:
        return Result(case, outcome.status, solver, None, None, plain.before, False,
                      outcome.detail, warnings=warnings, audit=audit)
    plan, ev = checked_plan(model, solver, "CVaR plan")
    mine = cvar(loss(case, outcomes(case, plan, sc)), alpha)
    theirs = float(eta.varValue or 0.0) + sum(float(u.varValue or 0.0) for u in us) / (
        (1 - alpha) * n)
    slack = 10 * tolerance(case) + 1e-6 * abs(mine)
    proven = outcome.status is Status.OPTIMAL
    if mine > theirs + slack or (proven and abs(mine - theirs) > slack):
        raise SolverError(f"the CVaR of the {solver} plan is {mine:.2f} by arithmetic but "
                          f"{theirs:.2f} in the model; please report the case")
    plain_plan = dict(plain.plan)
    comparison = CvarComparison(
        alpha, n, seed,
        PlanFigures(MappingProxyType(plain_plan), plain.risk or 0.0,
                    cvar(loss(case, outcomes(case, plain_plan, sc)), alpha)),
        PlanFigures(MappingProxyType(dict(plan)), ev.risk, mine),
    ).with_simulations(case, DEFAULT_SIMULATION, seed)
    return Result(case, outcome.status, solver, MappingProxyType(plan), ev, plain.before, proven,
                  outcome.detail, binding=tuple(binding(case, ev, plan)), warnings=warnings,
                  audit=audit, cvar=comparison)


def in_sample_cvar(case: Case, plan: Mapping[str, float]) -> float:
    """The CVaR at the target's alpha of a plan's loss over the target's scenarios."""
    alpha, n, seed = settings(case)
    sc = Scenarios(case, n, seed, OPTIMISE)
    return cvar(loss(case, outcomes(case, plan, sc)), alpha)


__all__ = [
    "RISK_TIE_BREAK",
    "CvarComparison",
    "PlanFigures",
    "add_scenarios",
    "eur_at_risk_case",
    "in_sample_cvar",
    "settings",
    "solve_cvar",
]

"""`solve(case)`: build, solve, recheck, explain. The library's main entry point.

Also the diagnosis of infeasible cases (highest reachable share, blocking
constraints), the marginal risk of the target and the binding constraints.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pulp

from ._version import __version__
from .case import Case, load_case, provenance
from .errors import CaseError, SolverError
from .levers import EPS, FeeIncrease, LeverBase
from .model import TIE_BREAK, Model, build_model
from .numerics import change_of, objective_gap, scaling_warnings
from .result import Diagnosis, Evaluation, Marginal, Result, evaluate, frozen, tolerance, violations
from .solve import SOLVERS, SolverOutcome, Status, cbc_version, highs_version, run, solver_options

# Dinkelbach iterations for the highest reachable share; each one strictly improves.
MAX_SHARE_ITERATIONS = 50


def solve(
    case: Case | Mapping[str, Any] | str,
    solver: str = "cbc",
    time_limit: float | None = None,
    *,
    explain: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> Result:
    """Find the plan that reaches the case's target private share at the least EUR at risk.

    explain: also compute the marginal risk of one more point of target (one more
    solve) and, when the target is out of reach, the diagnosis (several solves).
    Never modifies `case`. Infeasibility is a status of the result, not an exception.
    """
    case = load_case(case)
    if solver not in SOLVERS:
        raise CaseError(f"solver: unknown solver '{solver}'; use one of {', '.join(SOLVERS)}")
    if time_limit is not None and not (isinstance(time_limit, int | float)
                                       and not isinstance(time_limit, bool)
                                       and time_limit > 0 and math.isfinite(time_limit)):
        raise CaseError(f"time_limit: must be a positive number of seconds, got {time_limit!r}")
    if case.target.risk_measure == "cvar":
        from .cvar import solve_cvar  # the tail-risk objective (README, "Uncertainty")

        return solve_cvar(case, solver, time_limit, explain=explain, overrides=overrides)
    warnings = case_warnings(case)
    model = build_model(case)
    warnings += scaling_warnings(model)
    outcome = run(model.prob, solver, time_limit)
    audit = _audit(case, solver, outcome, overrides or {}, time_limit=time_limit)
    before = evaluate(case, {})

    if outcome.status is Status.INFEASIBLE:
        diagnosis = diagnose(case, solver, time_limit) if explain else None
        if diagnosis is not None and diagnosis.best_plan is not None and not violations(
                case, evaluate(case, diagnosis.best_plan), diagnosis.best_plan):
            # The diagnosis found a plan that meets every constraint, target included.
            raise SolverError(f"{solver} said the case is infeasible, but its diagnosis found "
                              "a plan that passes our own recheck (the model is probably badly "
                              "scaled, see the warnings). Try the other solver (--solver).")
        return Result(case, Status.INFEASIBLE, solver, None, None, before, False,
                      outcome.detail, diagnosis=diagnosis, warnings=tuple(warnings), audit=audit)
    if not outcome.has_plan:
        return Result(case, outcome.status, solver, None, None, before, False, outcome.detail,
                      warnings=tuple(warnings), audit=audit)

    plan, evaluation = checked_plan(model, solver)
    gap = objective_gap(outcome.objective, evaluation, TIE_BREAK, tolerance(case))
    if gap:
        raise SolverError(f"the {solver} plan fails our own recheck: {gap} (the model is "
                          "probably badly scaled). Try the other solver (--solver).")
    proven = outcome.status is Status.OPTIMAL
    if proven:
        plan, evaluation = least_change(model, solver, time_limit, plan, evaluation)
    marginal = None
    if explain and proven:
        marginal = marginal_risk(case, solver, time_limit)
    return Result(case, outcome.status, solver, MappingProxyType(plan), evaluation, before, proven,
                  outcome.detail, marginal=marginal, binding=tuple(binding(case, evaluation, plan)),
                  warnings=tuple(warnings), audit=audit)


# The tie-break may move the risk by this much (MODEL.md allows 1e-6 relative): the
# smallest slack at which CBC, reading the model from a file, always finds the optimum again.
TIE_BREAK_SLACK_REL = 1e-7
TIE_BREAK_SLACK_ABS = 1e-6


def _meaningful_change(moved: float) -> float:
    """How many fewer euros a tie-break plan must move to replace the first plan."""
    return max(1.0, 1e-6 * moved)


def least_change(model: Model, solver: str, time_limit: float | None, plan: dict[str, float],
                 evaluation: Evaluation) -> tuple[dict[str, float], Evaluation]:
    """Among the plans of minimum risk, the one that moves the fewest euros (README, Tie-break).

    The weighted tie-break of the first solve is too small for the solvers' tolerances: on
    about 2 % of random cases CBC and HiGHS returned plans of equal risk that moved tens of
    thousands of euros more or less. So a second solve minimises the change with the risk
    held at the minimum found (+1e-7 relative). Its plan replaces the first only when it
    passes the recheck, keeps the risk within that slack and moves no more euros; otherwise
    (a time limit, say) the first plan, proven optimal for the risk, stands. Mutates model.
    """
    case = model.case
    risk = evaluation.risk
    slack = max(TIE_BREAK_SLACK_REL * abs(risk), TIE_BREAK_SLACK_ABS)
    model.prob += model.quantity["risk"] <= risk + slack, "tie_break"
    model.prob.setObjective(pulp.lpSum(t.change for t in model.terms.values()))
    outcome = run(model.prob, solver, time_limit)
    if outcome.status is not Status.OPTIMAL:
        return plan, evaluation
    second = read_plan(model)
    ev = evaluate(case, second)
    if (violations(case, ev, second) or ev.risk > risk + slack + tolerance(case)
            or change_of(ev) > change_of(evaluation) - _meaningful_change(change_of(evaluation))):
        # Keep the first plan unless the second moves meaningfully fewer euros: the risk
        # slack must not buy a 29,999.996 EUR cut in place of a round 30,000.
        return plan, evaluation
    return second, ev


def checked_plan(model: Model, solver: str, what: str = "plan"
                 ) -> tuple[dict[str, float], Evaluation]:
    """The solved plan and its figures, rechecked by arithmetic against every constraint.

    A plan that breaks one beyond round-off is a solver failure (exit 4), never an answer.
    """
    plan = read_plan(model)
    evaluation = evaluate(model.case, plan)
    broken = violations(model.case, evaluation, plan)
    if broken:
        raise SolverError(f"the {solver} {what} fails our own recheck: {'; '.join(broken)}. "
                          "Try the other solver (--solver) and report the case.")
    return plan, evaluation


def read_plan(model: Model) -> dict[str, float]:
    """Lever id -> decision value, snapped to integers and option grids."""
    plan: dict[str, float] = {}
    for lever in model.case.levers:
        terms = model.terms.get(lever.id)
        value = 0.0 if terms is None else float(terms.read())
        # A lever whose 0/1 "used" indicator is off is not used, whatever crumb of a value
        # the solver's integrality tolerance let through (v <= upper x z with z = 1e-6 still
        # allows v > 0): otherwise max_levers would count it.
        if terms is not None and isinstance(terms.used, pulp.LpVariable) \
                and (terms.used.value() or 0.0) < 0.5:
            value = 0.0
        plan[lever.id] = 0.0 if abs(value) < 1e-9 else value
    return plan


def solve_plan(case: Case, solver: str, time_limit: float | None, **build: Any
               ) -> tuple[SolverOutcome, dict[str, float] | None]:
    model = build_model(case, **build)
    outcome = run(model.prob, solver, time_limit)
    return outcome, (read_plan(model) if outcome.has_plan else None)


def marginal_risk(case: Case, solver: str, time_limit: float | None) -> Marginal | None:
    target = round(case.target.private_share + 0.01, 10)
    if target >= 1:
        return None
    outcome, plan = solve_plan(case, solver, time_limit, share=target)
    if outcome.status is Status.OPTIMAL and plan is not None:
        return Marginal(target, Status.OPTIMAL, evaluate(case, plan).risk)
    return Marginal(target, outcome.status, None)


# ------------------------------------------------------------------ diagnosis


def max_private_share(case: Case, solver: str = "cbc", time_limit: float | None = None,
                      relax: frozenset[str] = frozenset()
                      ) -> tuple[float | None, dict[str, float] | None]:
    """The highest private share the levers reach under all the other constraints.

    Dinkelbach's method: maximise private - t x revenues, set t to the share of the
    plan found, repeat until no plan beats t. Exact (each step is an exact MILP).
    """
    relax = relax | {"share"}
    t = 0.0
    best_plan: dict[str, float] | None = None
    for _ in range(MAX_SHARE_ITERATIONS):
        outcome, plan = solve_plan(case, solver, time_limit, relax=relax, objective="share",
                                   share_weight=t)
        if not outcome.has_plan or plan is None:
            return (None, None) if best_plan is None else (t, best_plan)
        ev = evaluate(case, plan)
        if ev.total_revenues <= 0:
            return t, best_plan
        share = ev.private / ev.total_revenues
        if share <= t + 1e-9:
            return t, best_plan
        t, best_plan = share, plan
    return t, best_plan


def _relaxed_bounds(lever: LeverBase, case: Case) -> dict[str, Any] | None:
    """The lever with its bounds opened by an order of magnitude (None: nothing to relax)."""
    kind = lever.type
    p: dict[str, Any]
    if kind == "cut":
        p = {"max_fraction": 1.0}
    elif kind == "grant_cut":
        p = {"max_fraction": 1.0, "min_fraction": 0.0}
    elif kind == "fee_increase":
        top = max(lever.max_increase, 1.0)  # type: ignore[attr-defined]
        p = {"max_increase": min(top, 999 * lever.step)}  # type: ignore[attr-defined]
    elif kind == "new_members":
        p = {"max_new": max(10 * lever.max_new, case.members, 10)}  # type: ignore[attr-defined]
    elif kind == "service":
        p = {"max_units": max(10 * lever.max_units, 10.0), "min_units": 0.0}  # type: ignore[attr-defined]
    elif kind == "success_fee":
        p = {"max_rate": min(1.0, max(2 * lever.max_rate, 0.1), 999 * lever.step)}  # type: ignore[attr-defined]
    elif kind == "eu_projects":
        p = {"max_proposals": max(10 * lever.max_proposals, 10)}  # type: ignore[attr-defined]
    else:
        p = {"max": max(10 * lever.max, 10.0), "min": 0.0}  # type: ignore[attr-defined]
    if all(getattr(lever, k) == v for k, v in p.items()):
        return None
    return p


def _bound_words(lever: LeverBase, relaxed: Mapping[str, Any]) -> str:
    parts = [f"{k} = {getattr(lever, k):g}" for k in relaxed if getattr(lever, k) != relaxed[k]]
    return f"lever '{lever.name}' could go beyond its bound ({', '.join(parts)})"


def diagnose(case: Case, solver: str = "cbc", time_limit: float | None = None) -> Diagnosis:
    """Why a case is infeasible: the highest reachable share and what blocks the target."""
    best, best_plan = max_private_share(case, solver, time_limit)
    candidates: list[tuple[str, str, Case, frozenset[str]]] = []
    t = case.target
    candidates.append(("result", (f"the result could fall below {t.min_result:,.0f} "
                       f"{case.currency} (the balanced-budget requirement)"), case,
                       frozenset({"result"})))
    if any(lever.enabled and _uses_capacity(lever, case) for lever in case.levers):
        candidates.append(("capacity", (f"staff capacity were not limited to {case.spare_fte:g} "
                           "spare FTE"), case, frozenset({"capacity"})))
    if t.min_members is not None:
        candidates.append(("min_members", f"membership could drop below {t.min_members}", case,
                           frozenset({"min_members"})))
    if t.max_levers is not None:
        candidates.append(("max_levers", f"more than {_levers(t.max_levers)} could be combined",
                           case, frozenset({"max_levers"})))
    for rule in case.rules:
        candidates.append((rule.name, f"the rule '{rule.name}' were lifted", case,
                           frozenset({f"rule:{rule.name}"})))
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        relaxed = _relaxed_bounds(lever, case)
        if relaxed is None:
            continue
        levers = list(case.levers)
        levers[i] = lever.model_copy(update=relaxed)
        candidates.append((f"levers.{lever.id}.bounds", _bound_words(lever, relaxed),
                           case.model_copy(update={"levers": levers}), frozenset()))
    blocking: list[str] = []
    texts: list[str] = []
    for name, text, variant, relax in candidates:
        outcome, _ = solve_plan(variant, solver, time_limit, relax=relax)
        if outcome.status is Status.OPTIMAL or outcome.has_plan:
            blocking.append(name)
            texts.append(text)
    return Diagnosis(best, tuple(blocking), tuple(texts),
                     MappingProxyType(best_plan) if best_plan is not None else None)


def _uses_capacity(lever: LeverBase, case: Case) -> bool:
    if lever.type == "cut":
        return case.expenditure(lever.expenditure).staff  # type: ignore[attr-defined]
    return any(abs(getattr(lever, f, 0.0) or 0.0) > 0 for f in
               ("fte_per_member", "fte_per_unit", "fte_per_project", "fte_per_proposal", "fte"))


# ------------------------------------------------------------------ explanations


def binding(case: Case, ev: Evaluation, plan: Mapping[str, float]) -> list[str]:
    """The constraints the plan presses against, in words."""
    tol = tolerance(case)
    t = case.target
    out: list[str] = []
    if ev.private - t.private_share * ev.total_revenues <= tol * 10:
        out.append(f"private share target ({t.private_share:.1%})".replace(".0%", "%"))
    if ev.result - t.min_result <= tol * 10:
        out.append(f"result (at least {t.min_result:,.0f} {case.currency})")
    uses = any(abs(e.fte_use) > 0 for e in ev.effects.values())
    if uses and case.spare_fte - ev.fte_use <= 1e-6:
        out.append(f"staff capacity ({case.spare_fte:g} spare FTE)")
    if t.min_members is not None and ev.members - t.min_members <= 1e-6:
        out.append(f"minimum membership ({t.min_members})")
    used = sum(1 for e in ev.effects.values() if e.used)
    if t.max_levers is not None and used >= t.max_levers:
        out.append(f"at most {_levers(t.max_levers)}")
    for rule in case.rules:
        lhs = sum(c * ev.quantity(q) for q, c in rule.terms.items())
        if rule.sense == "==" or abs(lhs - rule.rhs) <= tol * 10 * max(
                1.0, sum(abs(c) for c in rule.terms.values())):
            out.append(f"rule '{rule.name}'")
    for lever in case.levers:
        value = plan.get(lever.id, 0.0)
        up = lever.upper_bound(case)
        if lever.enabled and up > 0 and value >= up - 1e-6 * max(1.0, up):
            out.append(f"lever '{lever.name}' at its maximum")
    for line, amount in {**ev.revenues, **ev.expenditures}.items():
        if amount <= tol and any(line in e.revenue or line in e.expenditure
                                 for e in ev.effects.values() if e.used):
            out.append(f"line '{line}' down to zero")
    return out


def _levers(count: int) -> str:
    return f"{count} lever" if count == 1 else f"{count} levers"


def case_warnings(case: Case) -> list[str]:
    """Things the user probably did not mean; the plan is still exact for the case as written."""
    out: list[str] = []
    for i, lever in enumerate(case.levers):
        if lever.enabled and lever.upper_bound(case) <= 0 and lever.type != "custom":
            out.append(f"levers[{i}] ({lever.id}): its bound is 0, so it cannot move "
                       "(set max_fraction, max_increase, max_new, max_units, max_rate or "
                       "max_proposals)")
        if isinstance(lever, FeeIncrease) and (lever.max_increase > 1 or lever.step >= 1):
            out.append(f"levers[{i}] ({lever.id}): max_increase {lever.max_increase:g} and step "
                       f"{lever.step:g} mean +{lever.max_increase:.0%} in steps of "
                       f"{lever.step:.0%}; fractions are decimals (0.05 for 5 %)")
    budget = max([r.amount for r in case.revenues] + [e.amount for e in case.expenditures])
    if budget > 1e10:
        out.append("amounts above 10 billion: check the unit (annual EUR, not cents)")
    return out


def _audit(case: Case, solver: str, outcome: SolverOutcome, overrides: Mapping[str, Any],
           *, time_limit: float | None = None, seeds: Mapping[str, int] | None = None
           ) -> Mapping[str, Any]:
    """What a funder needs to reproduce the figure years later (read-only, all the way down).

    seeds: the random seeds that shaped the figures (CVaR scenarios, simulations), by use.
    """
    digest, origin = provenance(case)
    version = outcome.solver_version or (cbc_version() if solver == "cbc" else highs_version())
    return frozen({
        "seeds": dict(seeds or {}),
        "case_sha256": digest,
        "case_source": origin,
        "overrides": dict(overrides),
        "solver": solver,
        "solver_version": version,
        "solver_options": solver_options(solver, time_limit),
        "package_version": __version__,
        "pulp_version": pulp.__version__,
        "python": platform.python_version(),
    })


__all__ = [
    "EPS",
    "binding",
    "diagnose",
    "marginal_risk",
    "max_private_share",
    "read_plan",
    "solve",
]

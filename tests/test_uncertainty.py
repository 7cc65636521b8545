"""Uncertainty: simulated plans against closed forms, the CVaR program against brute force,
reproducible seeds, the new case fields and their errors, the CLI options."""

from __future__ import annotations

import copy
import itertools
import json
import math
import random

import numpy as np
import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer.analyses.cvar import eur_at_risk_case, settings
from optimizer.model.cvar import add_scenarios
from optimizer.model.milp import build_model
from optimizer.plan.evaluate import evaluate, violations
from optimizer.solvers import run
from optimizer.status import Status
from optimizer.analyses.simulate import simulate
from optimizer.plan.scenarios import OPTIMISE, Scenarios, cvar, loss, outcomes, value_at_risk
from optimizer.results.simulation import simulate_plan

from .conftest import CASES
from .random_cases import random_case

# ------------------------------------------------------------------ tiny cases

ONE_SERVICE = {
    "name": "one service with a triangular factor",
    "revenues": [{"id": "region", "amount": 600, "public": True},
                 {"id": "services", "amount": 400, "public": False}],
    "expenditures": [{"id": "external", "amount": 1000}],
    "members": 10,
    "target": {"private_share": 0.5, "min_result": 50},
    "levers": [{"id": "svc", "type": "service", "price": 100, "unit_cost": 40, "max_units": 10,
                "uncertainty": {"low": 0.2, "mode": 0.6, "high": 1.2}}],
}

EU_ONLY = {
    "name": "EU proposals won one by one",
    "revenues": [{"id": "region", "amount": 1000, "public": True},
                 {"id": "others", "amount": 500, "public": False}],
    "expenditures": [{"id": "external", "amount": 1500}],
    "members": 10,
    "target": {"private_share": 0.45, "min_result": 500},
    "levers": [{"id": "eu", "type": "eu_projects", "max_proposals": 5, "success_rate": 0.3,
                "grant": 200, "cost_share": 0, "proposal_cost": 0}],
}

# Every integer and option lever type, shocks on both sides, a common factor, a fee
# increase whose options gain or lose depending on the drawn elasticity, a custom lever
# with savings, costs and revenue given up: small enough to try every plan.
TINY = {
    "name": "tiny uncertain cluster",
    "revenues": [{"id": "region", "amount": 600, "public": True},
                 {"id": "state", "amount": 200, "public": True},
                 {"id": "fees", "amount": 300, "public": False},
                 {"id": "services", "amount": 200, "public": False},
                 {"id": "others", "amount": 100, "public": False}],
    "expenditures": [{"id": "salaries", "amount": 800}, {"id": "external", "amount": 500},
                     {"id": "overheads", "amount": 100}],
    "members": 30,
    "target": {"private_share": 0.47, "min_result": -20, "risk_measure": "cvar", "alpha": 0.9,
               "scenarios": 150, "seed": 3},
    "shocks": [{"revenue": "services", "low": 0.5}, {"revenue": "fees", "low": 0.9},
               {"expenditure": "external", "low": 1.0, "high": 1.1}],
    "uncertainty": {"common_factor": 0.4},
    "levers": [
        {"id": "fee", "type": "fee_increase", "max_increase": 0.1, "step": 0.05, "elasticity": 0.6,
         "uncertainty": {"low": 0.6, "elasticity": {"low": 0.2, "high": 3}}},
        {"id": "recruit", "type": "new_members", "max_new": 3, "fee": 12, "cost_per_member": 2,
         "uncertainty": {"low": 0.3}},
        {"id": "svc", "type": "service", "price": 40, "unit_cost": 15, "max_units": 4,
         "setup_cost": 10},
        {"id": "eu", "type": "eu_projects", "max_proposals": 3, "success_rate": 0.35,
         "grant": 120, "cost_share": 0.5, "proposal_cost": 8},
        {"id": "sf", "type": "success_fee", "volume": 2000, "max_rate": 0.02, "step": 0.01,
         "volume_elasticity": 10},
        {"id": "cu", "type": "custom", "integer": True, "max": 2,
         "revenues": {"services": 25, "region": -10},
         "expenditures": {"external": 5, "overheads": -3},
         "setup": {"expenditures": {"external": 4}}, "uncertainty": {"low": 0.5}},
    ],
}
TINY_GRID = {"fee": [0.0, 0.05, 0.1], "recruit": [0, 1, 2, 3], "svc": [0, 1, 2, 3, 4],
             "eu": [0, 1, 2, 3], "sf": [0.0, 0.01, 0.02], "cu": [0, 1, 2]}


def tri_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a))
    return 1 - (b - x) ** 2 / ((b - a) * (b - c))


def tri_quantile(p: float, a: float, c: float, b: float) -> float:
    if p < (c - a) / (b - a):
        return a + math.sqrt(p * (b - a) * (c - a))
    return b - math.sqrt((1 - p) * (b - a) * (b - c))


def all_plans(grid: dict[str, list[float]]):
    for combo in itertools.product(*grid.values()):
        yield dict(zip(grid, map(float, combo)))


# ------------------------------------------------------------------ closed forms


def test_one_triangular_lever_matches_closed_forms():
    """5 units at 100 EUR with factor phi ~ Tri(0.2, 0.6, 1.2), costs committed:
    private 400 + 500 phi of revenues 1000 + 500 phi reaches 50 % iff phi >= 0.4; the
    result 500 phi - 200 stays >= 50 iff phi >= 0.5; the deficit is max(0, 200 - 500 phi),
    whose mean is 10/3; the loss in the worst 5 % is 250 - 500 phi with phi below its 5 %
    quantile x0, so CVaR 95 % = 250 - 500 (0.2 + 2/3 (x0 - 0.2))."""
    case = optimizer.load_case(ONE_SERVICE)
    sim = simulate_plan(case, {"svc": 5}, n=200_000, seed=11)
    a, c, b = 0.2, 0.6, 1.2
    assert sim.p_target_met == pytest.approx(1 - tri_cdf(0.4, a, c, b), abs=0.004)
    assert sim.p_result_ok == pytest.approx(1 - tri_cdf(0.5, a, c, b), abs=0.004)
    assert sim.expected_deficit == pytest.approx(10 / 3, abs=0.15)
    x0 = tri_quantile(0.05, a, c, b)
    assert sim.cvar95_loss == pytest.approx(250 - 500 * (a + 2 / 3 * (x0 - a)), abs=1.5)
    for key, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
        assert sim.result_quantiles[key] == pytest.approx(500 * tri_quantile(p, a, c, b) - 200,
                                                          abs=2.0)
        phi = tri_quantile(p, a, c, b)
        assert sim.share_quantiles[key] == pytest.approx((400 + 500 * phi) / (1000 + 500 * phi),
                                                         abs=0.002)


def test_eu_wins_are_binomial():
    """n proposals won each with probability 0.3, 200 EUR a win: the share reaches 45 % iff
    at least 2 are won, the result 500 EUR iff at least 3: binomial tails."""
    case = optimizer.load_case(EU_ONLY)

    def tail(n: int, k: int, q: float = 0.3) -> float:
        return sum(math.comb(n, j) * q**j * (1 - q) ** (n - j) for j in range(k, n + 1))

    five = simulate_plan(case, {"eu": 5}, n=200_000, seed=5)
    assert five.p_target_met == pytest.approx(tail(5, 2), abs=0.004)
    assert five.p_result_ok == pytest.approx(tail(5, 3), abs=0.004)
    assert five.result_quantiles["p50"] == 200.0  # the median of Binomial(5, 0.3) is 1 win
    three = simulate_plan(case, {"eu": 3}, n=200_000, seed=5)
    assert three.p_target_met == pytest.approx(tail(3, 2), abs=0.004)
    # Proposal j has the same draws in both plans: more proposals never win less.
    assert np.all(five.result >= three.result)


def test_common_factor_couples_draws_as_a_gaussian_copula():
    """With common factor 0.5 the latent normals correlate at 0.5, so the factors' rank
    correlation is (6 / pi) asin(0.25); a spending shock moves the other way (a bad year
    costs more) and an item with "common": false is independent."""
    raw = copy.deepcopy(TINY)
    raw["uncertainty"] = {"common_factor": 0.5}
    raw["shocks"] = [{"revenue": "services", "low": 0.4}, {"revenue": "others", "low": 0.5},
                     {"expenditure": "external", "low": 1.0, "high": 1.2},
                     {"revenue": "fees", "low": 0.9, "common": False}]
    sc = Scenarios(optimizer.load_case(raw), 100_000, 2)

    def spearman(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1])

    expected = 6 / math.pi * math.asin(0.25)
    services, others = sc.shock[("revenue", "services")], sc.shock[("revenue", "others")]
    assert spearman(services, others) == pytest.approx(expected, abs=0.01)
    assert spearman(services, sc.shock[("expenditure", "external")]) == pytest.approx(
        -expected, abs=0.01)
    assert spearman(services, sc.shock[("revenue", "fees")]) == pytest.approx(0, abs=0.01)
    assert spearman(services, sc.factor["recruit"]) == pytest.approx(expected, abs=0.01)


def test_factor_defaults_follow_the_documented_rules():
    """Default factor Tri(1 - downside, 1, 1); grant cuts certain; EU proposals won one by
    one carry their risk in the wins (factor 1); an elasticity range replaces the factor."""
    case = optimizer.load_case(CASES / "aura-average-2020.json")
    sc = Scenarios(case, 20_000, 4)
    for lever in case.levers:
        f = sc.factor[lever.id]
        if lever.type in ("grant_cut", "eu_projects"):
            assert f == 1.0
        else:
            assert np.min(f) >= 1 - lever.risk_share - 1e-9 and np.max(f) <= 1.0
            assert np.mean(f) == pytest.approx(1 - lever.risk_share / 3, abs=0.005)
    uncertain = optimizer.load_case(CASES / "aura-average-2020-uncertain.json")
    sc = Scenarios(uncertain, 20_000, 4)
    assert sc.factor["fees-up"] == 1.0
    assert np.min(sc.elasticity["fees-up"]) >= 0.3 and np.max(sc.elasticity["fees-up"]) <= 1.0


# ------------------------------------------------------------------ the CVaR program


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_cvar_plan_agrees_with_brute_force(solver):
    """Every plan of the tiny case (2,160, integer and option levers) is evaluated by
    arithmetic on the 150 optimisation scenarios; the least CVaR 90 % among the feasible
    ones is the CVaR of the solver's plan."""
    case = optimizer.load_case(TINY)
    alpha, n, seed = settings(case)
    sc = Scenarios(case, n, seed, OPTIMISE)
    best = math.inf
    for plan in all_plans(TINY_GRID):
        if not violations(case, evaluate(case, plan), plan):
            best = min(best, cvar(loss(case, outcomes(case, plan, sc)), alpha))
    result = optimizer.solve(case, solver=solver)
    assert result.status is Status.OPTIMAL
    assert result.cvar is not None
    assert result.cvar.cvar_plan.cvar_loss == pytest.approx(best, rel=1e-6, abs=0.01)
    assert result.cvar.cvar_plan.cvar_loss <= result.cvar.eur_at_risk_plan.cvar_loss + 1e-6
    assert violations(case, evaluate(case, result.plan), result.plan) == []


def test_cvar_model_equals_arithmetic_on_every_kind_of_plan():
    """With a plan fixed, the model's CVaR equals the simulation's arithmetic: the two
    implementations of the scenario rules agree (random plans of the tiny case, including
    fee options whose gain changes sign with the drawn elasticity)."""
    case = optimizer.load_case(TINY)
    alpha, n, seed = settings(case)
    sc = Scenarios(case, n, seed, OPTIMISE)
    rng = random.Random(8)
    plans = list(all_plans(TINY_GRID))
    checked = 0
    for plan in rng.sample(plans, 25) + [{"fee": 0.1, "recruit": 3, "svc": 4, "eu": 3,
                                          "sf": 0.02, "cu": 2}]:
        model = build_model(eur_at_risk_case(case))
        eta, us = add_scenarios(model, sc, alpha)
        for lever_id, value in plan.items():
            model.prob += model.terms[lever_id].value == value, f"fix_{lever_id}"
        outcome = run(model.prob, "highs")
        feasible = not violations(case, evaluate(case, plan), plan)
        assert outcome.has_plan == feasible
        if feasible:
            theirs = eta.varValue + sum(u.varValue for u in us) / ((1 - alpha) * n)
            mine = cvar(loss(case, outcomes(case, plan, sc)), alpha)
            assert theirs == pytest.approx(mine, rel=1e-7, abs=1e-4)
            checked += 1
    assert checked >= 10


def test_cvar_with_every_factor_fixed_at_one_meets_the_target_with_zero_loss():
    """Factors fixed at 1, expected EU wins, no shocks: every scenario is the nominal one,
    so the CVaR plan (which keeps the nominal constraints) loses nothing anywhere."""
    raw = json.loads((CASES / "aura-average-2020.json").read_text())
    for lever in raw["levers"]:
        if lever["type"] != "grant_cut":
            lever["uncertainty"] = {"low": 1, "mode": 1, "high": 1}
        if lever["type"] == "eu_projects":
            lever["uncertainty"]["wins"] = "expected"
    raw["target"].update({"risk_measure": "cvar", "scenarios": 300})
    result = optimizer.solve(raw)
    assert result.status is Status.OPTIMAL
    assert result.cvar.cvar_plan.cvar_loss == pytest.approx(0, abs=1e-6)
    sim = simulate(result, 10_000, seed=3)
    assert sim.p_target_met == 1.0 and sim.p_result_ok == 1.0
    assert sim.cvar95_loss == pytest.approx(0, abs=1e-6)
    assert np.ptp(sim.result) == pytest.approx(0, abs=1e-6)


def test_uncertain_aura_case_cvar_plan_beats_the_eur_at_risk_plan_on_the_tail():
    """The bundled uncertain case: the CVaR plan has the lower CVaR on the optimisation
    scenarios and, simulated out of sample, keeps the budget balanced more often; the
    EUR-at-risk plan is the version 1 answer (120 k EUR at risk)."""
    result = optimizer.solve(CASES / "aura-average-2020-uncertain.json")
    assert result.status is Status.OPTIMAL
    cmp = result.cvar
    plain = optimizer.solve(CASES / "aura-average-2020.json", explain=False)
    assert dict(cmp.eur_at_risk_plan.plan) == dict(plain.plan)
    assert cmp.eur_at_risk_plan.risk == pytest.approx(plain.risk)
    assert cmp.cvar_plan.cvar_loss < cmp.eur_at_risk_plan.cvar_loss
    assert cmp.cvar_plan.simulation.p_result_ok > cmp.eur_at_risk_plan.simulation.p_result_ok
    assert result.risk == pytest.approx(cmp.cvar_plan.risk)
    assert result.risk >= plain.risk - 1e-6  # the EUR-at-risk plan is the least at risk
    data = result.to_dict()
    assert data["schema_version"] == 1 and set(data["cvar"]) == {
        "alpha", "scenarios", "seed", "eur_at_risk_plan", "cvar_plan"}


def test_random_cases_with_uncertainty_solve_and_recheck():
    """Random cases of every lever type, given shocks, factors and a common factor: the
    CVaR solve passes its own arithmetic recheck and never does worse on the tail than the
    EUR-at-risk plan."""
    rng = random.Random(2024)
    solved = 0
    for _ in range(12):
        raw = random_case(rng)
        for lever in raw["levers"]:
            if lever["type"] != "grant_cut" and rng.random() < 0.7:
                low = round(rng.uniform(0.2, 1.0), 2)
                lever["uncertainty"] = {"low": low, "high": round(low + rng.uniform(0, 0.4), 2)}
            if lever["type"] == "fee_increase" and rng.random() < 0.5:
                lever.setdefault("uncertainty", {})["elasticity"] = {"low": 0.1, "high": 2.0}
        raw["shocks"] = [{"revenue": "services", "low": 0.5}, {"revenue": "fees", "low": 0.85},
                         {"expenditure": "external", "low": 0.95, "high": 1.1}]
        raw["uncertainty"] = {"common_factor": round(rng.uniform(0, 0.8), 2)}
        raw["target"].update({"risk_measure": "cvar", "scenarios": 60, "seed": rng.randrange(99)})
        result = optimizer.solve(raw, solver="highs")
        if result.status is Status.OPTIMAL:
            solved += 1
            cmp = result.cvar
            assert cmp.cvar_plan.cvar_loss <= cmp.eur_at_risk_plan.cvar_loss + 1e-6 * (
                1 + cmp.eur_at_risk_plan.cvar_loss)
        else:
            assert result.cvar is None
    assert solved >= 4


# ------------------------------------------------------------------ seeds


def test_same_seed_same_numbers_and_another_seed_other_numbers():
    """Simulations and CVaR solves repeat exactly with the same seed."""
    case = optimizer.load_case(CASES / "aura-average-2020-uncertain.json")
    plan = {"less-region": 69700.0, "training": 76, "studies": 12, "success": 0.015}
    a = simulate_plan(case, plan, 50_000, 9)
    b = simulate_plan(case, plan, 50_000, 9)
    c = simulate_plan(case, plan, 50_000, 10)
    assert np.array_equal(a.result, b.result) and a.to_dict() == b.to_dict()
    assert not np.array_equal(a.result, c.result)
    tiny = optimizer.load_case(TINY)
    first, second = optimizer.solve(tiny, solver="highs"), optimizer.solve(tiny, solver="highs")
    assert first.to_json() == second.to_json()
    other = optimizer.solve(tiny.with_values({"target.seed": 4}), solver="highs")
    assert other.cvar.cvar_plan.cvar_loss != first.cvar.cvar_plan.cvar_loss


def test_draws_are_keyed_by_lever_id_not_position():
    """Adding a lever in front leaves every other lever's draws as they were."""
    raw = copy.deepcopy(TINY)
    before = Scenarios(optimizer.load_case(raw), 1000, 6)
    raw["levers"].insert(0, {"id": "new", "type": "cut", "expenditure": "overheads",
                             "max_fraction": 0.1})
    after = Scenarios(optimizer.load_case(raw), 1000, 6)
    for lever_id in ("recruit", "cu", "fee"):
        assert np.array_equal(before.factor[lever_id], after.factor[lever_id])
    assert np.array_equal(before.wins(optimizer.load_case(TINY).lever("eu"), 3),
                          after.wins(optimizer.load_case(raw).lever("eu"), 3))


def test_cvar_and_var_of_a_small_sample():
    """CVaR is the mean of the worst (1 - alpha) share, a fractional scenario in part:
    losses 1..10 at alpha 0.75 -> (10 + 9 + 0.5 x 8) / 2.5; VaR 75 % is 8."""
    losses = np.arange(1.0, 11.0)
    assert cvar(losses, 0.75) == pytest.approx((10 + 9 + 0.5 * 8) / 2.5)
    assert value_at_risk(losses, 0.75) == 8.0
    assert cvar(losses, 0.95) == 10.0


# ------------------------------------------------------------------ version 1 and input


def test_version_1_results_carry_no_uncertainty_fields():
    """A case with no uncertainty gives no simulation and no cvar block; its target is the
    target as the case gives it (the bundled case adds two version-2 fields)."""
    data = optimizer.solve(CASES / "aura-average-2020.json").to_dict()
    assert "simulation" not in data and "cvar" not in data
    assert data["target"] == {"private_share": 0.6, "min_result": 0.0, "min_members": 250,
                              "max_levers": 4, "risk_tolerance": 0.01,
                              "max_public_share_of_eligible": 0.5}


@pytest.mark.parametrize("patch, message", [
    (lambda c: c["levers"][0].update(uncertainty={"low": 1.2, "high": 1.0}),
     "levers[0].uncertainty.low: must not exceed high (1), got 1.2"),
    (lambda c: c["levers"][0].update(uncertainty={"low": 0.5, "mode": 0.2}),
     "levers[0].uncertainty.mode: must lie between low (0.5) and high (1), got 0.2"),
    (lambda c: c["levers"][0].update(uncertainty={"low": -0.5}),
     "levers[0].uncertainty.low: must be between 0 and 100, got -0.5"),
    (lambda c: c["levers"][1].update(uncertainty={"elasticity": {"low": 0.1, "high": 0.5}}),
     "levers[1].uncertainty.elasticity: only a fee_increase lever has an elasticity"),
    (lambda c: c["levers"][0].update(uncertainty={"elasticity": {"low": 0.9, "high": 0.5}}),
     "levers[0].uncertainty.elasticity.low: must not exceed high (0.5), got 0.9"),
    (lambda c: c["levers"][1].update(uncertainty={"wins": "each"}),
     "levers[1].uncertainty.wins: only an eu_projects lever has proposals to win"),
    (lambda c: c["levers"][3].update(uncertainty={"wins": "some"}),
     "levers[3].uncertainty.wins: must be 'each' or 'expected'"),
    (lambda c: c["shocks"].append({"revenue": "nope", "low": 0.5}),
     "shocks[3].revenue: no revenue line 'nope'"),
    (lambda c: c["shocks"].append({"revenue": "fees", "expenditure": "external", "low": 0.5}),
     "shocks[3]: name exactly one line"),
    (lambda c: c["shocks"].append({"revenue": "services", "low": 0.7}),
     "shocks[3].revenue: a second shock on 'services' (shocks[0] already shocks it)"),
    (lambda c: c.update(uncertainty={"common_factor": 1}),
     "uncertainty.common_factor: must be at least 0 and below 1, got 1"),
    (lambda c: c["target"].update(alpha=1.5), "target.alpha: must be above 0 and below 1, got 1.5"),
    (lambda c: c["target"].update(scenarios=0), "target.scenarios: must be between 1 and 20000, got 0"),
    (lambda c: c["target"].update(risk_measure="var"),
     "target.risk_measure: must be 'eur_at_risk' or 'cvar'"),
])
def test_bad_uncertainty_fields_name_their_json_path(patch, message):
    """Each problem is reported with its JSON path, by the library and the CLI (exit 2)."""
    raw = copy.deepcopy(TINY)
    patch(raw)
    with pytest.raises(optimizer.CaseError) as err:
        optimizer.load_case(raw)
    assert any(message in p for p in err.value.problems), err.value.problems


def test_grant_cut_uncertainty_is_refused_with_the_fix():
    """A grant cut is certain; the error says to shock the line instead."""
    raw = json.loads((CASES / "aura-average-2020.json").read_text())
    raw["levers"][2]["uncertainty"] = {"low": 0.5}
    with pytest.raises(optimizer.CaseError) as err:
        optimizer.load_case(raw)
    assert err.value.problems[0].startswith("levers[2].uncertainty: a grant cut is certain")
    assert '"shocks"' in err.value.problems[0]


# ------------------------------------------------------------------ CLI


def test_cli_simulate_json_has_the_simulation_block(tmp_path):
    """optimize CASE --simulate N --seed S --format json: the documented fields, twice the
    same bytes."""
    args = [str(CASES / "aura-average-2020.json"), "--simulate", "20000", "--seed", "3",
            "--format", "json"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    sim = json.loads(first.output)["simulation"]
    assert {"n", "seed", "p_target_met", "p_result_ok", "share_quantiles", "result_quantiles",
            "expected_deficit", "cvar95_loss"} <= set(sim)
    assert sim["n"] == 20000 and sim["seed"] == 3
    assert set(sim["share_quantiles"]) == {"p05", "p50", "p95"}
    assert sim["share_quantiles"]["p05"] <= sim["share_quantiles"]["p50"] <= \
        sim["share_quantiles"]["p95"]


def test_cli_cvar_report_shows_both_plans_side_by_side():
    """The table of a cvar case puts the two plans in two columns with both measures and
    the simulated probabilities; --simulate re-simulates both on its own scenarios."""
    out = CliRunner().invoke(main, [str(CASES / "aura-average-2020-uncertain.json"),
                                    "--simulate", "5000", "--format", "markdown"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Least EUR at risk |" in text and "Least CVaR |" in text
    for row in ("EUR at risk (EUR)", "CVaR 95% of the loss, 2,000 scenarios",
                "P(private share >= target) (simulated)", "P(result >= 0.0 k EUR) (simulated)"):
        assert row in text
    assert "the simulated rows on 5,000 independent scenarios" in text
    assert "## Simulation: 5,000 scenarios, seed 1" in text


def test_cli_usage_errors_exit_2_without_traceback(tmp_path):
    """--seed alone, a bad --simulate, a bad plot name, a bad field: exit 2, a message."""
    case = str(CASES / "aura-average-2020.json")
    for args, words in (([case, "--seed", "3"], "--seed: use it with --simulate N"),
                        ([case, "--simulate", "0"], "--simulate"),
                        ([case, "--simulate", "10", "--plot", str(tmp_path / "x.txt")],
                         "use a .png, .svg or .pdf file name")):
        out = CliRunner().invoke(main, args)
        assert out.exit_code == 2, out.output
        assert words in out.output and "Traceback" not in out.output
    bad = json.loads((CASES / "aura-average-2020.json").read_text())
    bad["levers"][4]["uncertainty"] = {"low": 2}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    out = CliRunner().invoke(main, [str(path)])
    assert out.exit_code == 2
    assert "levers[4].uncertainty.low: must not exceed high, which defaults to 1" in out.output


def test_cli_plot_writes_the_distributions(tmp_path):
    """--plot FILE draws the simulated distributions (a PNG, same bytes for the same seed)."""
    pytest.importorskip("matplotlib")
    target = tmp_path / "sim.png"
    args = [str(CASES / "aura-average-2020.json"), "--simulate", "2000", "--plot", str(target)]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG")
    CliRunner().invoke(main, args)
    assert target.read_bytes() == data
    out = CliRunner().invoke(main, [str(CASES / "aura-average-2020.json"), "--plot",
                                    str(target)])
    assert out.exit_code == 2 and "nothing to draw" in out.output


def test_csv_report_lists_the_simulation():
    """--format csv gains one row per simulated figure."""
    out = CliRunner().invoke(main, [str(CASES / "aura-average-2020.json"), "--simulate", "1000",
                                    "--format", "csv"])
    assert out.exit_code == 0
    rows = [line.split(",") for line in out.output.splitlines()]
    sim = {r[1]: r[3] for r in rows if r[0] == "simulation"}
    assert sim["n"] == "1000" and float(sim["p_result_ok"]) == pytest.approx(1.0)
    assert {"share_p05", "share_p50", "share_p95", "result_p50", "cvar95_loss"} <= set(sim)


def test_set_reaches_the_new_fields():
    """--set creates the case's uncertainty block and a lever's uncertainty; a stronger
    common factor widens the tail of the simulated result."""
    case = str(CASES / "aura-average-2020.json")
    base = ["--simulate", "20000", "--format", "json"]
    plain = json.loads(CliRunner().invoke(main, [case, *base]).output)["simulation"]
    out = CliRunner().invoke(main, [case, *base, "--set", "uncertainty.common_factor=0.8",
                                    "--set", 'levers.training.uncertainty={"low": 0.5}'])
    assert out.exit_code == 0, out.output
    coupled = json.loads(out.output)["simulation"]
    assert coupled["result_quantiles"]["p05"] < plain["result_quantiles"]["p05"]
    assert coupled["cvar95_loss"] > plain["cvar95_loss"]

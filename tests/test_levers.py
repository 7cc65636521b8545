"""Tiny hand-solved cases, one or more per lever type, solved by both solvers.

Every case starts from the same small cluster (`base()`):

    public   region 500,000                     expenditures  salaries 500,000 (staff)
    private  fees 300,000, services 150,000,                  external 400,000
             others 50,000                                    overheads 100,000
    members 100 (so the default fee is 3,000), 10 FTE (cost per FTE 50,000), 0.5 spare FTE

so P = 500,000, T = 1,000,000, the private share is 50 % and the result is 0.

A private gain x (that adds to P and T alike) reaches a target share t when
(500,000 + x) / (1,000,000 + x) >= t, i.e. x >= (1,000,000 t - 500,000) / (1 - t).
For t = 51 %: x >= 10,000 / 0.49 = 20,408.16; for t = 53 %: x >= 30,000 / 0.47 = 63,829.79.
Each test's docstring works its optimum out from MODEL.md's formulas.
"""

from __future__ import annotations

import copy

import pytest

import optimizer
from optimizer.plan.evaluate import evaluate, violations

SOLVERS = ("cbc", "highs")

BASE = {
    "name": "tiny cluster",
    "revenues": [
        {"id": "region", "amount": 500000, "public": True},
        {"id": "fees", "amount": 300000, "public": False},
        {"id": "services", "amount": 150000, "public": False},
        {"id": "others", "amount": 50000, "public": False},
    ],
    "expenditures": [
        {"id": "salaries", "amount": 500000, "staff": True},
        {"id": "external", "amount": 400000},
        {"id": "overheads", "amount": 100000},
    ],
    "members": 100,
    "staff": {"fte": 10, "spare_fte": 0.5},
    "target": {"private_share": 0.51, "min_result": 0},
    "levers": [],
}

FEES = {"id": "fees-up", "type": "fee_increase", "max_increase": 0.3, "step": 0.05,
        "elasticity": 0.5}
TRAINING = {"id": "training", "type": "service", "price": 1000, "max_units": 40}


def base(levers: list[dict], **target) -> dict:
    case = copy.deepcopy(BASE)
    case["levers"] = copy.deepcopy(levers)
    case["target"].update(target)
    return case


def solved(case: dict, solver: str) -> optimizer.Result:
    """Solve, and check that the plan keeps every constraint by our own arithmetic."""
    result = optimizer.solve(case, solver=solver, explain=False)
    if result.plan is not None:
        assert violations(result.case, evaluate(result.case, result.plan), result.plan) == []
    return result


def approx(x: float):
    """Within MODEL.md's tie-break allowance (1e-6 relative on the risk; a plan of equal
    risk within that allowance may differ from the hand-worked one by a cent)."""
    return pytest.approx(x, rel=1e-6, abs=0.01)


# ---------------------------------------------------------------- cut


@pytest.mark.parametrize("solver", SOLVERS)
def test_cut_cheapest_line_first(solver):
    """Two cuts to reach a result of +50,000 (the share, 45 %, is met already):
    overheads (up to 30 % of 100,000 = 30,000, downside 0.1) is cheaper per EUR than
    external (up to 20 % of 400,000 = 80,000, downside 0.3), so cut overheads 30,000
    (risk 3,000) and external 20,000 (risk 6,000): 9,000 EUR at risk."""
    case = base([
        {"id": "cut-external", "type": "cut", "expenditure": "external", "max_fraction": 0.2,
         "downside": 0.3},
        {"id": "cut-overheads", "type": "cut", "expenditure": "overheads", "max_fraction": 0.3,
         "downside": 0.1},
    ], private_share=0.45, min_result=50000)
    r = solved(case, solver)
    assert r.status is optimizer.Status.OPTIMAL
    assert r.risk == approx(9000)
    assert r.plan["cut-overheads"] == approx(30000)
    assert r.plan["cut-external"] == approx(20000)
    assert r.after.expenditures["external"] == approx(380000)
    assert r.after.result == approx(50000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_cut_default_downside(solver):
    """One cut of external costs with the default downside 0.25: +40,000 result needs a
    cut of 40,000, risk 0.25 x 40,000 = 10,000."""
    case = base([{"id": "cut", "type": "cut", "expenditure": "external", "max_fraction": 0.2}],
                private_share=0.45, min_result=40000)
    r = solved(case, solver)
    assert r.risk == approx(10000)
    assert r.plan["cut"] == approx(40000)


# ---------------------------------------------------------------- grant_cut


@pytest.mark.parametrize("solver", SOLVERS)
def test_grant_cut(solver):
    """Target 55 % with a lower regional grant only: P = 500,000 stays, so
    G <= 500,000 x 0.45 / 0.55 = 409,090.91, a cut of v = 90,909.09; downside 0.1 gives
    9,090.91 at risk. The result falls by v, allowed by min_result -100,000."""
    case = base([{"id": "less-region", "type": "grant_cut", "revenue": "region",
                  "max_fraction": 0.5, "downside": 0.1}],
                private_share=0.55, min_result=-100000)
    r = solved(case, solver)
    assert r.risk == approx(9090.909091)
    assert r.plan["less-region"] == approx(90909.090909)
    assert r.after.private_share == approx(0.55)


@pytest.mark.parametrize("solver", SOLVERS)
def test_grant_cut_default_downside_takes_least_change(solver):
    """The same grant cut with the default downside 0: every feasible cut puts 0 at risk,
    and the tie-break (least EUR moved) picks the smallest one, 90,909.09."""
    case = base([{"id": "less-region", "type": "grant_cut", "revenue": "region",
                  "max_fraction": 0.5}], private_share=0.55, min_result=-100000)
    r = solved(case, solver)
    assert r.risk == approx(0)
    assert r.plan["less-region"] == approx(90909.090909)


@pytest.mark.parametrize("solver", SOLVERS)
def test_grant_cut_min_fraction(solver):
    """min_fraction 0.3 forces a cut of at least 150,000 even though 90,909.09 would do:
    risk 0.1 x 150,000 = 15,000."""
    case = base([{"id": "less-region", "type": "grant_cut", "revenue": "region",
                  "min_fraction": 0.3, "max_fraction": 0.5, "downside": 0.1}],
                private_share=0.55, min_result=-200000)
    r = solved(case, solver)
    assert r.risk == approx(15000)
    assert r.plan["less-region"] == approx(150000)


# ---------------------------------------------------------------- fee_increase


@pytest.mark.parametrize("solver", SOLVERS)
def test_fee_increase(solver):
    """Fees F0 = 300,000, e = 0.5: a raise p changes the fee line by
    300,000 [(1+p)(1-0.5p) - 1] = 150,000 p (1-p): 7,125 at 5 %, 13,500 at 10 %,
    19,125 at 15 %, 24,000 at 20 %. The first option >= 20,408.16 is 20 %:
    risk 0.3 x 24,000 = 7,200; 0.5 x 0.2 x 100 = 10 members leave."""
    r = solved(base([FEES]), solver)
    assert r.plan["fees-up"] == approx(0.2)
    assert r.risk == approx(7200)
    assert r.after.members == approx(90)
    assert r.after.revenues["fees"] == approx(324000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_fee_increase_downside_override(solver):
    """The same plan with downside 0.1 instead of the default 0.3: 0.1 x 24,000 = 2,400."""
    r = solved(base([{**FEES, "downside": 0.1}]), solver)
    assert r.plan["fees-up"] == approx(0.2)
    assert r.risk == approx(2400)


@pytest.mark.parametrize("solver", SOLVERS)
def test_fee_increase_with_a_service(solver):
    """Fees (risk 0.3 per EUR) plus training days at 1,000 EUR (risk 0.4 x 1,000 = 400 per
    unit). For each raise, the units still needed to reach 20,408.16:
    0 %: 21 units, 8,400; 5 %: 2,137.5 + 14 units 5,600 = 7,737.5;
    10 %: 4,050 + 7 units 2,800 = 6,850; 15 %: 5,737.5 + 2 units 800 = 6,537.5;
    20 %: 7,200 + 0 = 7,200; 25 %: 8,437.5. Optimum: 15 % and 2 units, 6,537.5,
    with 100 - 7.5 = 92.5 members."""
    r = solved(base([FEES, TRAINING]), solver)
    assert r.risk == approx(6537.5)
    assert r.plan == {"fees-up": approx(0.15), "training": approx(2)}
    assert r.after.members == approx(92.5)


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_members(solver):
    """The same levers with min_members 95: raises above 10 % lose more than 5 members,
    so the best is 10 % and 7 units: 4,050 + 2,800 = 6,850, with exactly 95 members."""
    r = solved(base([FEES, TRAINING], min_members=95), solver)
    assert r.risk == approx(6850)
    assert r.plan == {"fees-up": approx(0.1), "training": approx(7)}
    assert r.after.members == approx(95)


@pytest.mark.parametrize("solver", SOLVERS)
def test_disabled_lever_stays_at_zero(solver):
    """With the training lever disabled, only the fee raise is left: 20 %, 7,200."""
    r = solved(base([FEES, {**TRAINING, "enabled": False}]), solver)
    assert r.plan == {"fees-up": approx(0.2), "training": 0.0}
    assert r.risk == approx(7200)


# ---------------------------------------------------------------- new_members


@pytest.mark.parametrize("solver", SOLVERS)
def test_new_members(solver):
    """New members pay the default fee F0 / M0 = 3,000: 20,408.16 / 3,000 = 6.8, so 7
    members (21,000), risk 0.5 x 21,000 = 10,500; external costs + 7 x 150."""
    r = solved(base([{"id": "recruit", "type": "new_members", "max_new": 10,
                      "cost_per_member": 150}]), solver)
    assert r.plan["recruit"] == 7
    assert r.risk == approx(10500)
    assert r.after.members == approx(107)
    assert r.after.expenditures["external"] == approx(401050)


@pytest.mark.parametrize("solver", SOLVERS)
def test_new_members_given_fee(solver):
    """With fee 2,500: 20,408.16 / 2,500 = 8.2, so 9 members (22,500), risk 11,250."""
    r = solved(base([{"id": "recruit", "type": "new_members", "max_new": 10, "fee": 2500}]),
               solver)
    assert r.plan["recruit"] == 9
    assert r.risk == approx(11250)


@pytest.mark.parametrize("solver", SOLVERS)
def test_new_members_pay_the_increased_fee(solver):
    """Fee raise (at most 10 %, step 5 %) and new members (3,000 x (1+p) each, risk 0.5):
    p = 0: 7 members, 10,500;
    p = 5 %: 7,125 (risk 2,137.5), 13,283.16 left at 3,150 -> 5 members, 7,875: 10,012.5;
    p = 10 %: 13,500 (risk 4,050), 6,908.16 left at 3,300 -> 3 members, 4,950: 9,000.
    Optimum: 10 % and 3 members, 9,000. (Members paying the old fee would give 8,550:
    the linearisation of n x (1+p) is what this test checks.)"""
    r = solved(base([{**FEES, "max_increase": 0.1},
                     {"id": "recruit", "type": "new_members", "max_new": 10}]), solver)
    assert r.plan == {"fees-up": approx(0.1), "recruit": 3}
    assert r.risk == approx(9000)
    levers = {row["id"]: row for row in r.to_dict()["levers"]}
    assert levers["recruit"]["revenue_change"] == {"fees": approx(9900)}
    assert r.after.revenues["fees"] == approx(300000 + 13500 + 9900)
    assert r.after.members == approx(100 - 5 + 3)


# ---------------------------------------------------------------- service


SERVICE = {"id": "studies", "type": "service", "price": 1000, "unit_cost": 400,
           "max_units": 30, "setup_cost": 2000, "launch_risk": 1000}


@pytest.mark.parametrize("solver", SOLVERS)
def test_service(solver):
    """20,408.16 / 1,000 -> 21 units: risk 0.4 x 21,000 + launch risk 1,000 = 9,400;
    external costs + 21 x 400 + setup 2,000 = 10,400."""
    r = solved(base([SERVICE]), solver)
    assert r.plan["studies"] == 21
    assert r.risk == approx(9400)
    assert r.after.expenditures["external"] == approx(410400)


@pytest.mark.parametrize("solver", SOLVERS)
def test_service_min_units(solver):
    """With min_units 25, launching means at least 25 units: 0.4 x 25,000 + 1,000 = 11,000."""
    r = solved(base([{**SERVICE, "min_units": 25}]), solver)
    assert r.plan["studies"] == 25
    assert r.risk == approx(11000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_service_continuous(solver):
    """With integer false, exactly 20.408163 units: 0.4 x 20,408.16 + 1,000 = 9,163.27."""
    r = solved(base([{**SERVICE, "integer": False}]), solver)
    assert r.plan["studies"] == approx(20.408163)
    assert r.risk == approx(9163.265306)


@pytest.mark.parametrize("solver", SOLVERS)
def test_setup_cost_is_not_paid_without_units(solver):
    """A rule fixes the result at -2,000 (the share, 45 %, is met). A service with a setup
    cost of 2,000 and no launch risk could "launch" with 0 units to spend exactly 2,000,
    but MODEL.md launches a service only when u > 0 (then the result is at least
    1,000 - 2,000 = -1,000). The only way is a grant cut of 2,000: risk 0.1 x 2,000 = 200."""
    case = base([{"id": "svc", "type": "service", "price": 1000, "max_units": 10,
                  "setup_cost": 2000},
                 {"id": "less-region", "type": "grant_cut", "revenue": "region",
                  "max_fraction": 0.1, "downside": 0.1}], private_share=0.45, min_result=-5000)
    case["rules"] = [{"name": "fixed result", "terms": {"result": 1}, "sense": "==",
                      "rhs": -2000}]
    r = solved(case, solver)
    assert r.plan == {"svc": 0.0, "less-region": approx(2000)}
    assert r.risk == approx(200)


# ---------------------------------------------------------------- success_fee


@pytest.mark.parametrize("solver", SOLVERS)
def test_success_fee(solver):
    """Volume 2 M, k = 5: r x 2,000,000 x (1 - 5r) is 9,750 at 0.5 %, 19,000 at 1 %,
    27,750 at 1.5 %. The first option >= 20,408.16 is 1.5 %: risk 0.5 x 27,750 = 13,875,
    on the services line (the default)."""
    r = solved(base([{"id": "sf", "type": "success_fee", "volume": 2000000, "max_rate": 0.03,
                      "volume_elasticity": 5}]), solver)
    assert r.plan["sf"] == approx(0.015)
    assert r.risk == approx(13875)
    assert r.after.revenues["services"] == approx(177750)


# ---------------------------------------------------------------- eu_projects


EU = {"id": "eu", "type": "eu_projects", "max_proposals": 6, "success_rate": 0.16,
      "grant": 200000, "proposal_cost": 15000, "fte_per_project": 0.5, "fte_per_proposal": 0.05}


@pytest.mark.parametrize("solver", SOLVERS)
def test_eu_projects(solver):
    """Target 53 % needs 63,829.79. Per proposal: income 0.16 x 200,000 = 32,000; cost
    0.16 x 0.8 x 200,000 + 15,000 = 40,600; capacity 0.16 x 0.5 + 0.05 = 0.13 FTE.
    2 proposals give 64,000: risk 0.6 x 64,000 = 38,400, result -17,200 (allowed down to
    -20,000), 0.26 FTE of the 0.5 spare."""
    r = solved(base([EU], private_share=0.53, min_result=-20000), solver)
    assert r.plan["eu"] == 2
    assert r.risk == approx(38400)
    assert r.after.result == approx(-17200)
    assert r.after.fte_use == approx(0.26)
    assert r.after.revenues["others"] == approx(114000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_eu_projects_capacity(solver):
    """With 0.2 spare FTE, 2 proposals (0.26 FTE) do not fit and 1 is not enough:
    the target is out of reach."""
    case = base([EU], private_share=0.53, min_result=-20000)
    case["staff"]["spare_fte"] = 0.2
    r = solved(case, solver)
    assert r.status is optimizer.Status.INFEASIBLE


# ---------------------------------------------------------------- custom


CUSTOM = {"id": "sponsor", "type": "custom", "max": 10, "integer": True,
          "revenues": {"services": 5000}, "expenditures": {"external": 1000}, "members": 2,
          "fte": 0.01, "risk_per_unit": 1500, "setup": {"risk": 2000}}


@pytest.mark.parametrize("solver", SOLVERS)
def test_custom_integer(solver):
    """5,000 per unit: 20,408.16 / 5,000 = 4.08 -> 5 units; risk 1,500 x 5 + setup 2,000 =
    9,500; members + 10, external + 5,000, 0.05 FTE."""
    r = solved(base([CUSTOM]), solver)
    assert r.plan["sponsor"] == 5
    assert r.risk == approx(9500)
    assert r.after.members == approx(110)
    assert r.after.fte_use == approx(0.05)


@pytest.mark.parametrize("solver", SOLVERS)
def test_custom_continuous(solver):
    """Continuous: 4.0816327 units, risk 1,500 x 4.0816327 + 2,000 = 8,122.45."""
    r = solved(base([{**CUSTOM, "integer": False}]), solver)
    assert r.plan["sponsor"] == approx(4.0816327)
    assert r.risk == approx(8122.44898)


# ---------------------------------------------------------------- constraints


MIX = [{"id": "less-region", "type": "grant_cut", "revenue": "region", "max_fraction": 0.05,
        "downside": 0.1},
       {"id": "training", "type": "service", "price": 1000, "max_units": 80}]


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_levers_combined(solver):
    """Target 53 %: with a grant cut v (<= 25,000) and u training days the share needs
    P >= 0.53 T, i.e. 470 u + 0.53 v >= 30,000. Per unit of that constraint the grant
    cut costs 0.1 / 0.53 = 0.19 and the service 400 / 470 = 0.85, so the grant goes first
    up to 25,000 (13,250), then u = ceil(16,750 / 470) = 36 (16,920), and v drops back to
    (30,000 - 16,920) / 0.53 = 24,679.25: risk 2,467.92 + 14,400 = 16,867.92."""
    r = solved(base(MIX, private_share=0.53, min_result=-30000), solver)
    assert r.plan == {"less-region": approx(24679.245283), "training": 36}
    assert r.risk == approx(16867.924528)


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_levers(solver):
    """The same with max_levers 1: the grant cut alone reaches at most 13,250 < 30,000, so
    the service alone: u = ceil(30,000 / 470) = 64, risk 25,600."""
    r = solved(base(MIX, private_share=0.53, min_result=-30000, max_levers=1), solver)
    assert r.plan == {"less-region": 0.0, "training": 64}
    assert r.risk == approx(25600)


@pytest.mark.parametrize("solver", SOLVERS)
def test_rule_on_a_line(solver):
    """Result +50,000 from cuts, as in test_cut_cheapest_line_first but with external
    (downside 0.1, up to 80,000) now the cheaper line and overheads (0.3, up to 50,000)
    the dearer; a rule keeps external costs >= 380,000, so external gives 20,000 (2,000)
    and overheads 30,000 (9,000): 11,000. Without the rule: 50,000 x 0.1 = 5,000."""
    levers = [{"id": "cut-external", "type": "cut", "expenditure": "external",
               "max_fraction": 0.2, "downside": 0.1},
              {"id": "cut-overheads", "type": "cut", "expenditure": "overheads",
               "max_fraction": 0.5, "downside": 0.3}]
    free = solved(base(levers, private_share=0.45, min_result=50000), solver)
    assert free.risk == approx(5000)
    case = base(levers, private_share=0.45, min_result=50000)
    case["rules"] = [{"name": "keep events", "terms": {"expenditure:external": 1},
                      "sense": ">=", "rhs": 380000}]
    r = solved(case, solver)
    assert r.plan == {"cut-external": approx(20000), "cut-overheads": approx(30000)}
    assert r.risk == approx(11000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_rule_co_financing_cap(solver):
    """EU cap: public <= 0.45 x expenditures. Baseline 500,000 > 450,000, so the grant must
    fall. A service costing what it earns (price = unit_cost = 1,000) also raises the cap
    by 450 per unit, but at 400 risk per unit against 0.1 per EUR of grant cut the cut
    wins: v = 50,000, risk 5,000 (share 45 % met, result -50,000 allowed)."""
    case = base([{"id": "less-region", "type": "grant_cut", "revenue": "region",
                  "max_fraction": 0.3, "downside": 0.1},
                 {"id": "events", "type": "service", "price": 1000, "unit_cost": 1000,
                  "max_units": 100}], private_share=0.45, min_result=-60000)
    case["rules"] = [{"name": "EU cap", "terms": {"public": 1, "expenditures": -0.45},
                      "sense": "<=", "rhs": 0}]
    r = solved(case, solver)
    assert r.plan == {"less-region": approx(50000), "events": 0.0}
    assert r.risk == approx(5000)


@pytest.mark.parametrize("solver", SOLVERS)
def test_capacity_with_a_staff_cut(solver):
    """Target 51 % and result >= +10,000. Training days (price 1,000, cost 800, 0.02 FTE
    each) must sell 21 units (0.42 FTE, +4,200 result, risk 8,400). The other 5,800 of
    result come from cutting salaries (risk 0.25, but each 50,000 removes one of the
    10 FTE) or overheads (risk 0.6). Spare capacity 0.5 - 0.42 leaves 0.08 FTE, so at most
    4,000 of salaries: 4,000 (1,000) + 1,800 of overheads (1,080): 10,480.
    (22 units: 8,800 + 750 + 1,560 = 11,110, worse.) All 0.5 FTE are used."""
    case = base([{"id": "training", "type": "service", "price": 1000, "unit_cost": 800,
                  "max_units": 40, "fte_per_unit": 0.02},
                 {"id": "cut-salaries", "type": "cut", "expenditure": "salaries",
                  "max_fraction": 0.1},
                 {"id": "cut-overheads", "type": "cut", "expenditure": "overheads",
                  "max_fraction": 0.5, "downside": 0.6}], min_result=10000)
    r = solved(case, solver)
    assert r.plan == {"training": 21, "cut-salaries": approx(4000),
                      "cut-overheads": approx(1800)}
    assert r.risk == approx(10480)
    assert r.after.fte_use == approx(0.5)


@pytest.mark.parametrize("solver", SOLVERS)
def test_out_of_reach_diagnosis(solver):
    """Target 60 % with the fee raise only: the fee line gains at most 150,000 x 0.3 x 0.7 =
    31,500 (p (1-p) grows up to p = 50 %), a share of 531,500 / 1,031,500 = 51.53 %.
    Relaxing the raise to 100 % gives at most 37,500 (at 50 %): 537,500 / 1,037,500 =
    51.81 %, still short, so nothing blocks alone."""
    case = base([FEES], private_share=0.6)
    r = optimizer.solve(case, solver=solver)
    assert r.status is optimizer.Status.INFEASIBLE
    assert r.diagnosis.max_private_share == pytest.approx(531500 / 1031500, abs=1e-6)
    assert r.diagnosis.blocking == ()
    assert r.diagnosis.best_plan["fees-up"] == approx(0.3)

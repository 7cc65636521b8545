"""The bundled cases in cases/: each loads, states its assumptions, and solves with both
solvers to the same EUR at risk and the expected status, with a plan that keeps every
constraint. The figures the cases' notes quote are rechecked by arithmetic, and the
out-of-reach case's diagnosis is worked out by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import optimizer
from optimizer.plan.evaluate import evaluate, violations

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.json"))

# Bundled cases are worked examples that solve, except those listed here on purpose.
INFEASIBLE = {"out-of-reach.json"}
OURS = {"aura-average-2020.json", "state-competitiveness-cluster.json",
        "small-regional-cluster.json", "covid-2020.json", "out-of-reach.json"}


def raw(name: str) -> dict:
    return json.loads((ROOT / "cases" / name).read_text())


def test_the_bundled_cases_are_there():
    """The five version-1 worked examples are bundled."""
    assert OURS <= {p.name for p in CASES}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_solves_with_both_solvers(path):
    """Same status (the expected one) and the same EUR at risk (1e-6 relative or 0.01 EUR)
    with CBC and HiGHS; each plan keeps every constraint of MODEL.md; notes are given."""
    case = optimizer.load_case(path)
    assert case.notes, f"{path.name} states no assumptions in notes"
    expected = "infeasible" if path.name in INFEASIBLE else "optimal"
    cbc = optimizer.solve(case, solver="cbc", explain=False)
    highs = optimizer.solve(case, solver="highs", explain=False)
    assert (cbc.status.value, highs.status.value) == (expected, expected)
    if expected == "optimal":
        assert abs(cbc.risk - highs.risk) <= max(0.01, 1e-6 * abs(cbc.risk))
        for result in (cbc, highs):
            assert violations(case, evaluate(case, result.plan), result.plan) == []


@pytest.mark.parametrize("name", sorted(OURS))
def test_case_is_listed_in_the_readme(name):
    """Each of these cases has a row in the README's case table."""
    table = re.findall(r"^\| `([^`]+)` \|", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert name in table


def test_state_cluster_starts_at_the_eu_cap():
    """The notes say public aid is exactly 50 % of spending at the start:
    700 + 600 + 200 = 1,500 k EUR = 0.5 x (1,440 + 1,200 + 360) k EUR; private 1,500 k EUR."""
    c = raw("state-competitiveness-cluster.json")
    public = sum(r["amount"] for r in c["revenues"] if r["public"])
    private = sum(r["amount"] for r in c["revenues"] if not r["public"])
    spending = sum(e["amount"] for e in c["expenditures"])
    assert (public, private, spending) == (1_500_000, 1_500_000, 3_000_000)
    assert public == 0.5 * spending
    assert [e["amount"] / spending for e in c["expenditures"]] == [0.48, 0.40, 0.12]


def test_small_cluster_breaks_the_cap_today():
    """208 k EUR of public money against 0.5 x 392 k = 196 k EUR: the cap is broken, so the
    plan must lower the public share of spending; private share today 192 / 400 = 48 %."""
    c = raw("small-regional-cluster.json")
    public = sum(r["amount"] for r in c["revenues"] if r["public"])
    private = sum(r["amount"] for r in c["revenues"] if not r["public"])
    spending = sum(e["amount"] for e in c["expenditures"])
    assert (public, private, spending) == (208_000, 192_000, 392_000)
    assert public > 0.5 * spending
    result = optimizer.solve(c, explain=False)
    assert result.after.public <= 0.5 * result.after.total_expenditures + 1e-6


def test_covid_case_matches_its_notes():
    """The shock of the notes, from the average case: services 247.5 -> 173 k (-30 %),
    others 225 -> 180 k (-20 %), fees 277.5 -> 265 k (-4.5 %), public 750 k held;
    spending 720 + 470 + 170 = 1,360 k. Private share 618 / 1,368 = 45.2 %, result +8 k,
    and 750 k of grants break the cap of 0.5 x 1,360 = 680 k."""
    before, after = raw("aura-average-2020.json"), raw("covid-2020.json")
    b = {r["id"]: r["amount"] for r in before["revenues"]}
    a = {r["id"]: r["amount"] for r in after["revenues"]}
    assert a["services"] / b["services"] == pytest.approx(0.70, abs=0.005)
    assert a["others"] / b["others"] == pytest.approx(0.80)
    assert a["fees"] / b["fees"] == pytest.approx(1 - 0.045, abs=0.001)
    assert a["region"] + a["state"] + a["municipalities"] == 750_000
    private = a["fees"] + a["services"] + a["others"]
    spending = sum(e["amount"] for e in after["expenditures"])
    assert private / (private + 750_000) == pytest.approx(0.452, abs=5e-4)
    assert private + 750_000 - spending == 8_000
    assert 750_000 > 0.5 * spending


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_out_of_reach_diagnosis(solver):
    """Every lever raises private money and the result together, so the best plan takes
    them all to their bounds and gives the whole surplus back as a lower grant:
    fees +10 % (e = 0.5): 120,000 x (1.1 x 0.95 - 1) = 5,400; 10 new members at
    120,000 / 130 x 1.1 = 1,015.38 each = 10,153.85 (cost 1,000); 50 training days:
    +40,000 (cost 15,000); overheads -7,000. P = 240,000 + 5,400 + 10,153.85 + 40,000 =
    295,553.85; surplus 5,400 + 9,153.85 + 25,000 + 7,000 = 46,553.85 = the grant cut
    (within its 90,000 bound), so G = 313,446.15 and the share is 295,553.85 / 609,000 =
    48.53 % < 50 %. Relaxed one at a time (P / (P + G) with the relaxed bound):
    result: the grant cut reaches 90,000, 295,553.85 / 565,553.85 = 52.3 %: reachable;
    overheads cut up to 70,000: a 109,553.85 surplus, grant cut 90,000: 52.3 %: reachable;
    new members up to 130, 40 fit in the 0.2 FTE left: 326,015.38 / 612,000 = 53.3 %;
    training up to 500 days, 87 fit in 0.35 FTE: 325,153.85 / 620,100 = 52.4 %;
    fees up to 100 %: min_members 125 keeps p <= 20 %: 300,676.92 / 609,000 = 49.4 %: no;
    the grant cut's bound, capacity, min_members: the same 48.53 %: no."""
    result = optimizer.solve(raw("out-of-reach.json"), solver=solver)
    assert result.status is optimizer.Status.INFEASIBLE
    assert result.status.exit_code == 3
    d = result.diagnosis
    assert d.max_private_share == pytest.approx(295553.846154 / 609000, abs=1e-6)
    assert set(d.blocking) == {"result", "levers.cut-overheads.bounds", "levers.recruit.bounds",
                               "levers.training.bounds"}
    assert len(d.blocking_text) == len(d.blocking)
    best = evaluate(result.case, d.best_plan)
    assert best.private_share == pytest.approx(d.max_private_share, abs=1e-9)
    assert violations(result.case, best, d.best_plan, share=d.max_private_share - 1e-9) == []

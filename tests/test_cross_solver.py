"""CBC and HiGHS agree: the same status and the same optimal EUR at risk on random cases.

The two solvers share nothing but our model: CBC reads an MPS file in its own
process, HiGHS gets the matrix in-process. A plan one of them finds better
than the other's "optimum" would expose a modelling or reading bug (or a
solver bug). Also checks that the random case generator (tests/random_cases.py)
gives valid, varied cases.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from pathlib import Path

import pytest

import optimizer
from optimizer.plan.evaluate import evaluate, violations

from .random_cases import LEVER_TYPES, random_case, random_cases
from .test_arithmetic import constraint_problems, recompute

COUNT = 250
SEED = 4242


def same_risk(a: float, b: float) -> bool:
    """Equal within 1e-6 relative or 0.01 EUR."""
    return abs(a - b) <= max(0.01, 1e-6 * max(abs(a), abs(b)))


def test_generator_gives_valid_varied_cases():
    """300 random cases are valid, cover the eight lever types, and the optional
    min_members, max_levers and rules; the same seed gives the same cases."""
    cases = random_cases(7, 300)
    kinds: Counter[str] = Counter()
    for raw in cases:
        optimizer.load_case(raw)  # raises CaseError when invalid
        kinds.update(lever["type"] for lever in raw["levers"])
    assert set(kinds) == set(LEVER_TYPES)
    assert any("min_members" in raw["target"] for raw in cases)
    assert any("max_levers" in raw["target"] for raw in cases)
    assert any(raw.get("rules") for raw in cases)
    assert json.dumps(cases) == json.dumps(random_cases(7, 300))


def test_every_lever_type_with_eight_or_more_levers():
    """n_levers >= 8 puts each of the eight types in the case."""
    rng = random.Random(3)
    for n in (8, 9, 12):
        raw = random_case(rng, n_levers=n)
        assert {lever["type"] for lever in raw["levers"]} == set(LEVER_TYPES)
        optimizer.load_case(raw)


def test_cbc_and_highs_agree_on_random_cases():
    """On 250 random valid cases both solvers give the same status, and when optimal the
    same EUR at risk (1e-6 relative or 0.01 EUR); both kinds of answer occur."""
    rng = random.Random(SEED)
    statuses: Counter[str] = Counter()
    disagreements = []
    for index in range(COUNT):
        raw = random_case(rng)
        cbc = optimizer.solve(raw, solver="cbc", explain=False)
        highs = optimizer.solve(raw, solver="highs", explain=False)
        statuses[cbc.status.value] += 1
        if cbc.status is not highs.status:
            disagreements.append((index, cbc.status.value, highs.status.value))
        elif cbc.risk is not None and not same_risk(cbc.risk, highs.risk):
            disagreements.append((index, cbc.risk, highs.risk))
    assert disagreements == [], f"seed {SEED}: {disagreements}"
    assert sum(statuses.values()) == COUNT >= 200
    assert statuses["optimal"] >= COUNT // 3
    assert statuses["infeasible"] >= COUNT // 10


def test_cbc_and_highs_agree_on_diagnoses():
    """On 25 random out-of-reach cases both solvers give the same highest reachable share
    (1e-6) and the same blocking constraints; the best plan reaches that share, keeps every
    other constraint, and falls short of the target."""
    rng = random.Random(SEED + 1)
    checked = 0
    while checked < 25:
        raw = random_case(rng)
        first = optimizer.solve(raw, solver="cbc", explain=False)
        if first.status is not optimizer.Status.INFEASIBLE:
            continue
        checked += 1
        case = first.case
        cbc, highs = optimizer.diagnose(case, "cbc"), optimizer.diagnose(case, "highs")
        assert (cbc.max_private_share is None) == (highs.max_private_share is None)
        assert set(cbc.blocking) == set(highs.blocking), checked
        if cbc.max_private_share is None:
            continue  # the other constraints cannot hold even without the target
        assert abs(cbc.max_private_share - highs.max_private_share) <= 1e-6
        assert cbc.max_private_share < case.target.private_share
        best = evaluate(case, cbc.best_plan)
        assert best.private_share == pytest.approx(cbc.max_private_share, abs=1e-9)
        assert violations(case, best, cbc.best_plan, share=cbc.max_private_share - 1e-9) == []


# ---------------------------------------------------------------- CBC regressions

DATA = Path(__file__).resolve().parent / "data" / "cbc"


def test_cbc_preprocessing_wrong_optimum():
    """A random case on which CBC 2.10.3's preprocessing reported 140,439 EUR at risk as
    proven optimal. Spare capacity is 0 and the service and the recruitment both use staff
    time, so both stay at 0 (the other new-members lever is disabled); enumerating the rest
    (custom-0 in {0, 1}, custom-1 and custom-3 in 0..6, the 7 fee options) and keeping the
    plans that pass every constraint by independent arithmetic gives the optimum:
    custom-1 = 6, custom-3 = 5, 6 x 9,897 + 5 x 15,159 = 135,177. Both solvers find it."""
    raw = json.loads((DATA / "preprocessing-wrong-optimum.json").read_text())
    levers = {lever["id"]: lever for lever in raw["levers"]}
    assert raw["staff"]["spare_fte"] == 0
    assert levers["service-4"]["fte_per_unit"] > 0 and levers["new-members-5"]["fte_per_member"] > 0
    assert levers["new-members-2"]["enabled"] is False
    fee = levers["fee-increase-6"]
    best = None
    for a, b, c, k in itertools.product(range(2), range(7), range(7), range(7)):
        p = round(k * fee["step"], 12)
        assert p <= fee["max_increase"]
        plan = {"custom-0": a, "custom-1": b, "new-members-2": 0, "custom-3": c,
                "service-4": 0, "new-members-5": 0, "fee-increase-6": p}
        fig = recompute(raw, plan)
        if not constraint_problems(raw, plan, fig) and (best is None or fig["risk"] < best[0]):
            best = (fig["risk"], plan)
    assert best is not None and best[0] == pytest.approx(135177)
    assert (best[1]["custom-1"], best[1]["custom-3"]) == (6, 5)
    for solver in ("cbc", "highs"):
        result = optimizer.solve(raw, solver=solver, explain=False)
        assert result.risk == pytest.approx(135177, abs=0.01), solver


def test_cbc_crash_without_preprocessing():
    """A case on which CBC 2.10.3 run without preprocessing crashes. It is infeasible:
    spare capacity is 0, so neither recruitment can run (both use staff time); custom-0
    alone adds 15,608 private and takes 460 public per unit, and the risk budget
    6,797 x + 12,197 <= 34,849 keeps x <= 3.3326, where the share is
    (598,576 + 15,608 x) / (1,550,695 + 15,148 x) = 40.63 % < 40.8 %. Both solvers say
    infeasible (exit 3, not a solver failure)."""
    raw = json.loads((DATA / "no-preprocessing-crash.json").read_text())
    x = (34849 - 12197) / 6797
    plan = {lever["id"]: 0.0 for lever in raw["levers"]}
    plan["custom-0"] = x
    fig = recompute(raw, plan)
    assert fig["risk"] == pytest.approx(34849)
    assert fig["share"] == pytest.approx(0.406321, abs=1e-6)
    assert fig["share"] < raw["target"]["private_share"]
    for solver in ("cbc", "highs"):
        result = optimizer.solve(raw, solver=solver, explain=False)
        assert result.status is optimizer.Status.INFEASIBLE, solver


def test_case_without_any_enabled_lever():
    """With no lever to move, both solvers answer from the budget as it is: optimal with
    0 at risk when the baseline meets the target (50 % here), infeasible otherwise.
    (HiGHS reports such a model as "Empty"; that is not a solver failure.)"""
    raw = json.loads((Path(__file__).resolve().parent.parent / "cases"
                      / "aura-average-2020.json").read_text())
    for lever in raw["levers"]:
        lever["enabled"] = False
    raw["rules"] = []
    for share, status in ((0.5, optimizer.Status.OPTIMAL), (0.51, optimizer.Status.INFEASIBLE)):
        raw["target"] = {"private_share": share}
        for solver in ("cbc", "highs"):
            result = optimizer.solve(raw, solver=solver, explain=False)
            assert result.status is status, (share, solver)
            assert result.risk == (0.0 if status is optimizer.Status.OPTIMAL else None)
    raw["levers"] = []
    raw["target"] = {"private_share": 0.4}
    assert optimizer.solve(raw, solver="highs").status is optimizer.Status.OPTIMAL

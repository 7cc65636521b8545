"""Every figure of a result, rechecked by independent arithmetic from MODEL.md.

`recompute(case, plan)` below is written from the formulas of docs/MODEL.md
("Levers", "Risk", "Constraints") and reads only the case dict and the plan's
decision values: it does not call `optimizer.result.evaluate` or the lever
units. Every figure of `Result.to_dict()` (each lever's value, risk, revenue
and expenditure changes, members change and FTE use; each budget line before
and after; public, private, result, members, capacity, private share and the
total risk) must match it, on the bundled cases and on 30 random ones. The
plan must also keep every constraint, checked here from the same formulas.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import optimizer

from .random_cases import random_case

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.json"))

DEFAULT_DOWNSIDE = {"cut": 0.25, "grant_cut": 0.0, "fee_increase": 0.3, "new_members": 0.5,
                    "service": 0.4, "success_fee": 0.5, "eu_projects": 0.6, "custom": 0.0}
# Absolute tolerance: to_dict() rounds to 6 decimals.
ABS = 2e-6


def _is_v1(raw: dict[str, Any]) -> bool:
    """A case of MODEL.md version 1 (no uncertainty extension, whose risk is another measure)."""
    return not raw.get("uncertainty") and not raw.get("shocks") and not raw["target"].get(
        "risk_measure") and not any("uncertainty" in lever for lever in raw.get("levers", []))


def _cost_per_fte(case: dict[str, Any]) -> float:
    staff = case.get("staff") or {}
    if staff.get("cost_per_fte"):
        return staff["cost_per_fte"]
    staff_total = sum(e["amount"] for e in case["expenditures"] if e.get("staff"))
    return staff_total / staff["fte"]


def lever_figures(case: dict[str, Any], lever: dict[str, Any], v: float,
                  plan: dict[str, float]) -> dict[str, Any]:
    """MODEL.md's table, one row per type: effects on lines, members, FTE; gain; risk."""
    kind = lever["type"]
    d = lever.get("downside", DEFAULT_DOWNSIDE[kind])
    rev: dict[str, float] = {}
    exp: dict[str, float] = {}
    members = fte = 0.0
    extra_risk = 0.0
    revenue = {r["id"]: r for r in case["revenues"]}
    on = 1.0 if v > 0 else 0.0
    if kind == "cut":
        line = lever["expenditure"]
        exp[line] = -v
        staff_line = next(e for e in case["expenditures"] if e["id"] == line).get("staff")
        fte = v / _cost_per_fte(case) if staff_line else 0.0
        gain = v
    elif kind == "grant_cut":
        rev[lever["revenue"]] = -v
        gain = v
    elif kind == "fee_increase":
        line = lever.get("revenue", "fees")
        f0, m0, e = revenue[line]["amount"], case["members"], lever.get("elasticity", 0.5)
        gain = f0 * ((1 + v) * (1 - e * v) - 1)
        rev[line] = gain
        members = -e * v * m0
    elif kind == "new_members":
        line = lever.get("revenue", "fees")
        fee = lever.get("fee", revenue[line]["amount"] / case["members"]
                        if case["members"] else 0.0)
        p = 0.0
        for other in case["levers"]:
            if (other["type"] == "fee_increase" and other.get("enabled", True)
                    and other.get("revenue", "fees") == line):
                p = plan[other["id"]]
        gain = v * fee * (1 + p)
        rev[line] = gain
        exp[lever.get("cost_line", "external")] = v * lever.get("cost_per_member", 0.0)
        members = v
        fte = v * lever.get("fte_per_member", 0.0)
    elif kind == "service":
        gain = lever["price"] * v
        rev[lever.get("revenue", "services")] = gain
        exp[lever.get("cost_line", "external")] = (lever.get("unit_cost", 0.0) * v
                                                   + lever.get("setup_cost", 0.0) * on)
        fte = lever.get("fte_per_unit", 0.0) * v
        extra_risk = lever.get("launch_risk", 0.0) * on
    elif kind == "success_fee":
        gain = v * lever["volume"] * (1 - lever.get("volume_elasticity", 0.0) * v)
        rev[lever.get("revenue", "services")] = gain
    elif kind == "eu_projects":
        q, g, c = lever["success_rate"], lever["grant"], lever.get("cost_share", 0.8)
        gain = q * v * g
        rev[lever.get("revenue", "others")] = gain
        exp[lever.get("cost_line", "external")] = v * (q * c * g + lever.get("proposal_cost", 0.0))
        fte = v * (q * lever.get("fte_per_project", 0.0) + lever.get("fte_per_proposal", 0.0))
    elif kind == "custom":
        for line, per in lever.get("revenues", {}).items():
            rev[line] = rev.get(line, 0.0) + per * v
        for line, per in lever.get("expenditures", {}).items():
            exp[line] = exp.get(line, 0.0) + per * v
        setup = lever.get("setup") or {}
        for line, amount in setup.get("expenditures", {}).items():
            exp[line] = exp.get(line, 0.0) + amount * on
        members = lever.get("members", 0.0) * v
        fte = lever.get("fte", 0.0) * v
        gain = 0.0  # no gain: the risk is risk_per_unit x v plus the setup risk
        extra_risk = lever.get("risk_per_unit", 0.0) * v + setup.get("risk", 0.0) * on
    else:  # pragma: no cover - a new lever type needs its formula here
        raise AssertionError(f"no formula for lever type {kind}")
    risk = d * max(gain, 0.0) + extra_risk if kind != "custom" else extra_risk
    return {"rev": rev, "exp": exp, "members": members, "fte": fte, "risk": risk}


def recompute(case: dict[str, Any], plan: dict[str, float]) -> dict[str, Any]:
    """All the figures of a plan, from the case dict and the decision values alone."""
    rev = {r["id"]: float(r["amount"]) for r in case["revenues"]}
    exp = {e["id"]: float(e["amount"]) for e in case["expenditures"]}
    members = float(case["members"])
    fte = risk = 0.0
    levers = {}
    for lever in case["levers"]:
        v = plan[lever["id"]] if lever.get("enabled", True) else 0.0
        fig = lever_figures(case, lever, v, plan)
        levers[lever["id"]] = fig
        for line, amount in fig["rev"].items():
            rev[line] += amount
        for line, amount in fig["exp"].items():
            exp[line] += amount
        members += fig["members"]
        fte += fig["fte"]
        risk += fig["risk"]
    public = sum(rev[r["id"]] for r in case["revenues"] if r["public"])
    private = sum(rev[r["id"]] for r in case["revenues"] if not r["public"])
    total = public + private
    spending = sum(exp.values())
    return {"levers": levers, "rev": rev, "exp": exp, "public": public, "private": private,
            "revenues": total, "expenditures": spending, "result": total - spending,
            "members": members, "fte": fte, "risk": risk,
            "share": private / total if total else 0.0}


def constraint_problems(case: dict[str, Any], plan: dict[str, float],
                        fig: dict[str, Any]) -> list[str]:
    """MODEL.md's constraints 1-7 and the levers' domains, checked on the recomputed figures."""
    scale = sum(r["amount"] for r in case["revenues"]) + sum(e["amount"]
                                                             for e in case["expenditures"])
    tol = 1e-6 * scale + 1e-3
    t = case["target"]
    out = []
    if fig["private"] < t["private_share"] * fig["revenues"] - tol:
        out.append("share")
    if fig["result"] < t.get("min_result", 0) - tol:
        out.append("result")
    spare = (case.get("staff") or {}).get("spare_fte", 0.0)
    uses = any(abs(f["fte"]) > 0 for f in fig["levers"].values())
    if uses and fig["fte"] > spare + 1e-6:
        out.append("capacity")
    for line, amount in {**fig["rev"], **fig["exp"]}.items():
        if amount < -tol:
            out.append(f"line {line}")
    if t.get("min_members") is not None and fig["members"] < t["min_members"] - 1e-6:
        out.append("min_members")
    used = sum(1 for lever in case["levers"] if abs(plan[lever["id"]]) > 1e-7)
    if t.get("max_levers") is not None and used > t["max_levers"]:
        out.append("max_levers")
    simple = {"private": fig["private"], "public": fig["public"], "revenues": fig["revenues"],
              "expenditures": fig["expenditures"], "result": fig["result"],
              "members": fig["members"], "risk": fig["risk"]}
    for rule in case.get("rules", []):
        lhs = 0.0
        for q, c in rule["terms"].items():
            kind, _, ident = q.partition(":")
            value = simple.get(q) if not ident else {
                "revenue": fig["rev"], "expenditure": fig["exp"], "lever": plan}[kind][ident]
            lhs += c * value
        slack = tol * max(1.0, sum(abs(c) for c in rule["terms"].values()))
        ok = {"<=": lhs <= rule["rhs"] + slack, ">=": lhs >= rule["rhs"] - slack,
              "==": abs(lhs - rule["rhs"]) <= slack}[rule["sense"]]
        if not ok:
            out.append(f"rule {rule['name']}")
    for lever in case["levers"]:
        out.extend(_domain_problems(case, lever, plan[lever["id"]]))
    return out


def _domain_problems(case: dict[str, Any], lever: dict[str, Any], v: float) -> list[str]:
    """The decision value lies in the lever's domain (MODEL.md's table, column v)."""
    kind, name = lever["type"], lever["id"]
    if not lever.get("enabled", True):
        return [] if v == 0 else [f"{name} disabled but {v}"]
    line_amount = {**{r["id"]: r["amount"] for r in case["revenues"]},
                   **{e["id"]: e["amount"] for e in case["expenditures"]}}

    def grid(step: float, top: float) -> bool:
        k = round(v / step)
        return abs(k * step - v) < 1e-9 and v <= top + 1e-9

    def whole(low: float, high: float) -> bool:
        return v == int(v) and low - 1e-9 <= v <= high + 1e-9

    ok = True
    if kind == "cut":
        ok = -1e-7 <= v <= lever.get("max_fraction", 0) * line_amount[lever["expenditure"]] + 1e-6
    elif kind == "grant_cut":
        base = line_amount[lever["revenue"]]
        ok = (lever.get("min_fraction", 0) * base - 1e-6 <= v
              <= lever.get("max_fraction", 1) * base + 1e-6)
    elif kind == "fee_increase":
        ok = (grid(lever.get("step", 0.01), lever.get("max_increase", 0))
              and lever.get("elasticity", 0.5) * v <= 1 + 1e-12)
    elif kind == "new_members":
        ok = whole(0, lever.get("max_new", 0))
    elif kind == "service":
        top = lever.get("max_units", 0)
        ok = (whole(0, top) if lever.get("integer", True) else -1e-9 <= v <= top + 1e-9)
        ok = ok and (v == 0 or v >= lever.get("min_units", 0) - 1e-6)
    elif kind == "success_fee":
        ok = grid(lever.get("step", 0.005), lever.get("max_rate", 0))
    elif kind == "eu_projects":
        ok = whole(0, lever.get("max_proposals", 0))
    elif kind == "custom":
        low, high = lever.get("min", 0), lever.get("max", 0)
        ok = (v == int(v) if lever.get("integer") else True) and low - 1e-6 <= v <= high + 1e-6
    return [] if ok else [f"{name} = {v} outside its domain"]


def check_result(raw: dict[str, Any], result: optimizer.Result) -> None:
    """Every figure of result.to_dict() against recompute(); the plan keeps the constraints."""
    out = result.to_dict()
    before = recompute(raw, {lever["id"]: 0.0 for lever in raw["levers"]})
    near = lambda x: pytest.approx(x, rel=1e-9, abs=ABS)
    if result.plan is None:
        # No plan (infeasible): the budget is shown as it is, every lever at 0, no risk.
        fig = before
        assert out["risk"] is None
        plan = {lever["id"]: 0.0 for lever in raw["levers"]}
    else:
        plan = dict(result.plan)
        fig = recompute(raw, plan)
        assert out["risk"] == near(fig["risk"])
        assert constraint_problems(raw, plan, fig) == []
    assert [row["id"] for row in out["levers"]] == [lever["id"] for lever in raw["levers"]]
    for row in out["levers"]:
        mine = fig["levers"][row["id"]]
        assert row["value"] == near(plan[row["id"]]), row["id"]
        assert row["risk"] == near(mine["risk"]), row["id"]
        for key, ours in (("revenue_change", mine["rev"]), ("expenditure_change", mine["exp"])):
            for line in set(row[key]) | set(ours):
                assert row[key].get(line, 0.0) == near(ours.get(line, 0.0)), (row["id"], line)
        assert row["members_change"] == near(mine["members"]), row["id"]
        assert row["fte_use"] == near(mine["fte"]), row["id"]
    budget = out["budget"]
    assert [(r["id"], r["public"]) for r in budget["revenues"]] == [
        (r["id"], r["public"]) for r in raw["revenues"]]
    for line in budget["revenues"]:
        assert line["before"] == near(before["rev"][line["id"]])
        assert line["after"] == near(fig["rev"][line["id"]])
    assert [e["id"] for e in budget["expenditures"]] == [e["id"] for e in raw["expenditures"]]
    for line in budget["expenditures"]:
        assert line["before"] == near(before["exp"][line["id"]])
        assert line["after"] == near(fig["exp"][line["id"]])
    ind = out["indicators"]
    for key, name in (("private_share", "share"), ("result", "result"), ("members", "members"),
                      ("public", "public"), ("private", "private")):
        assert ind[key]["before"] == near(before[name]), key
        assert ind[key]["after"] == near(fig[name]), key
    assert ind["capacity_used"] == near(fig["fte"])
    # The data frames of the library carry the same numbers.
    assert list(result.budget["after"]) == pytest.approx(
        [fig["rev"][r["id"]] for r in raw["revenues"]]
        + [fig["exp"][e["id"]] for e in raw["expenditures"]], rel=1e-9, abs=ABS)
    assert list(result.levers["risk"]) == pytest.approx(
        [fig["levers"][lever["id"]]["risk"] for lever in raw["levers"]], rel=1e-9, abs=ABS)


V1_CASES = [p for p in CASES if _is_v1(json.loads(p.read_text()))]


@pytest.mark.parametrize("path", V1_CASES, ids=[p.stem for p in V1_CASES])
def test_bundled_case_figures(path):
    """Each bundled case (version 1): every figure of the JSON result by arithmetic."""
    raw = json.loads(path.read_text())
    check_result(raw, optimizer.solve(raw, explain=False))


def _random_cases() -> list[dict[str, Any]]:
    rng = random.Random(20240611)
    return [random_case(rng) for _ in range(30)]


RANDOM = _random_cases()


@pytest.mark.parametrize("index", range(30))
def test_random_case_figures(index):
    """30 random cases (alternately CBC and HiGHS): every figure by arithmetic."""
    raw = RANDOM[index]
    result = optimizer.solve(raw, solver="cbc" if index % 2 == 0 else "highs", explain=False)
    check_result(raw, result)


def test_random_sample_has_plans_and_infeasible_cases():
    """The 30 random cases include both optimal plans and out-of-reach targets."""
    statuses = {optimizer.solve(raw, explain=False).status for raw in RANDOM}
    assert statuses == {optimizer.Status.OPTIMAL, optimizer.Status.INFEASIBLE}


def test_recompute_matches_the_worked_aura_example():
    """The README's plan for the average AURA cluster, by hand: a regional grant cut of
    69,700 (downside 0.05: 3,485), 76 training days at 1,200 (0.4 x 91,200 = 36,480),
    12 market studies at 8,000 (0.4 x 96,000 = 38,400) and a 1.5 % success fee on 6 M with
    k = 5 (0.015 x 6,000,000 x 0.925 = 83,250; 0.5 x 83,250 = 41,625):
    3,485 + 36,480 + 38,400 + 41,625 = 119,990 EUR at risk, and the private share is
    (750,000 + 91,200 + 96,000 + 83,250) / (1,500,000 - 69,700 + 270,450) = 60.0 %."""
    raw = json.loads((ROOT / "cases" / "aura-average-2020.json").read_text())
    plan = {lever["id"]: 0.0 for lever in raw["levers"]}
    plan.update({"less-region": 69700, "training": 76, "studies": 12, "success": 0.015})
    fig = recompute(raw, plan)
    assert fig["risk"] == pytest.approx(119990)
    assert fig["share"] == pytest.approx(1020450 / 1700750)
    assert fig["share"] >= 0.6
    assert constraint_problems(raw, plan, fig) == []

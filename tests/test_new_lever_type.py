"""A new lever type is one file and one registration: everything a lever type does
(fields, bounds, effects, model terms, relaxation, scenario factor, words, value
formats) lives in its class, and nothing else in the package changes.

`Sponsorship` below exists in this file only. It is registered with one call, and a
case that uses it is loaded, solved (CBC and HiGHS), diagnosed, simulated and reported
(table and JSON).

The case, solved by hand. Revenues: region 600 (public), fees 400 and sponsors 0
(private): 1,000 in all, a private share of 40 %. Spending: events 1,000; result 0.
Target: 50 % private, result >= 0. Levers: sign n sponsors (whole, at most 10) at
50 EUR each, each costing 10 EUR of events, default downside 0.5; and cut the events
line by up to 10 % (which cannot move the share: a cut is spending).

- The share: (400 + 50 n) / (1000 + 50 n) >= 0.5  <=>  25 n >= 100  <=>  n >= 4.
  So n = 4, EUR at risk 0.5 x 50 x 4 = 100; after the plan sponsors 200, events
  1,040, revenues 1,200 (private 600: exactly 50 %), result 1,200 - 1,040 = +160.
- One more point (51 %): 400 + 50 n >= 0.51 (1000 + 50 n)  <=>  24.5 n >= 110
  <=>  n >= 4.49, so n = 5: 125 at risk, 25 more.
- With at most 3 sponsors the target is out of reach: the highest share is
  (400 + 150) / 1,150 = 47.83 %, and only the sponsorship's bound blocks it (relaxed
  to 10 x 3 = 30 sponsors by the type's own `relaxed_bounds`).
- In a scenario the sponsors' income is 200 f, with f triangular (low 1 - 0.5 = 0.5,
  mode 1, high 1); their cost, 40, is committed. Result 200 f - 40 >= 60 > 0 in every
  scenario; the share reaches 50 % only when 400 + 200 f >= 0.5 (1000 + 200 f), that is
  f >= 1: almost never. The median of f solves (x - 0.5)^2 / 0.25 = 0.5:
  x = 0.5 + sqrt(0.125) = 0.853553, so the median result is 200 x - 40 = 130.71.
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar, Literal

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer.levers.base import CaseView, Effects, EvalContext, LeverBase, ModelContext, Terms
from optimizer.levers.registry import LEVER_TYPES, unregister_lever


class Sponsorship(LeverBase):
    """Sign n sponsors at `amount` EUR each; each costs `cost` EUR on a spending line."""

    type: Literal["sponsorship"]
    revenue: str = "sponsors"
    cost_line: str = "events"
    amount: float
    cost: float = 0.0
    max_sponsors: int = 0
    default_downside: ClassVar[float] = 0.5
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}
    bound_field: ClassVar[str] = "max_sponsors"

    def upper_bound(self, case: CaseView) -> float:
        return float(self.max_sponsors)

    def build(self, ctx: ModelContext) -> Terms:
        n = ctx.var("count", 0, self.max_sponsors, integer=True)
        return Terms(value=n, revenue={self.revenue: self.amount * n},
                     expenditure={self.cost_line: self.cost * n},
                     risk=self.risk_share * self.amount * n, change=(self.amount + self.cost) * n,
                     used=self.used_indicator(ctx, n, self.max_sponsors, False),
                     upper=float(self.max_sponsors), read=lambda: float(round(n.value() or 0.0)))

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        income = self.amount * value
        return Effects(value=value, revenue={self.revenue: income},
                       expenditure={self.cost_line: self.cost * value}, gain=income,
                       risk=self.risk_share * income)

    def describe(self, eff: Effects, case: CaseView) -> str:
        return (f"Sign {eff.value:,.0f} sponsors at {self.amount:,.0f} EUR each: "
                f"+{eff.gain:,.0f} EUR")

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_sponsors": max(10 * self.max_sponsors, 10)}

    def value_compared(self, value: float, currency: str) -> str:
        return f"{value:,.0f} sponsors"


CASE: dict[str, Any] = {
    "name": "Sponsored cluster",
    "revenues": [{"id": "region", "amount": 600, "public": True},
                 {"id": "fees", "amount": 400, "public": False},
                 {"id": "sponsors", "amount": 0, "public": False}],
    "expenditures": [{"id": "events", "amount": 1000}],
    "members": 100,
    "target": {"private_share": 0.5},
    "levers": [
        {"id": "sponsor", "type": "sponsorship", "label": "Sponsorship", "amount": 50,
         "cost": 10, "max_sponsors": 10},
        {"id": "cut-events", "type": "cut", "expenditure": "events", "max_fraction": 0.1},
    ],
}


@pytest.fixture(scope="module", autouse=True)
def registered():
    """The one call that adds the type (undone afterwards: other tests see the eight)."""
    optimizer.register_lever(Sponsorship)
    yield
    unregister_lever(Sponsorship)
    assert "sponsorship" not in LEVER_TYPES


def test_a_registered_type_is_validated_with_json_paths():
    """The case schema takes the new type in; its fields get the usual messages."""
    case = optimizer.load_case(CASE)
    assert isinstance(case.lever("sponsor"), Sponsorship)
    bad = json.loads(json.dumps(CASE))
    bad["levers"][0]["max_sponsor"] = 3
    with pytest.raises(optimizer.CaseError) as info:
        optimizer.load_case(bad)
    assert info.value.problems == ["levers[0].max_sponsor: unknown field; did you mean "
                                   "'max_sponsors'?"]
    bad = json.loads(json.dumps(CASE))
    bad["levers"][0]["revenue"] = "region"
    with pytest.raises(optimizer.CaseError) as info:
        optimizer.load_case(bad)
    assert info.value.problems == ["levers[0].revenue: 'region' is a public line; a "
                                   "sponsorship lever needs a private revenue line"]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_a_case_with_the_new_type_solves_to_the_hand_optimum(solver):
    result = optimizer.solve(CASE, solver=solver)
    assert result.status is optimizer.Status.OPTIMAL
    assert dict(result.plan) == {"sponsor": 4.0, "cut-events": 0.0}
    assert result.risk == pytest.approx(100)
    after = result.after
    assert after.revenues["sponsors"] == pytest.approx(200)
    assert after.expenditures["events"] == pytest.approx(1040)
    assert after.private_share == pytest.approx(0.5)
    assert after.result == pytest.approx(160)
    assert result.marginal.target == pytest.approx(0.51)
    assert result.marginal_risk == pytest.approx(25)
    assert "Sign 4 sponsors at 50 EUR each: +200 EUR (at risk: 0.1 k EUR)" in \
        result.to_dict()["summary"]


def test_the_diagnosis_relaxes_the_new_type_by_its_own_rule():
    raw = json.loads(json.dumps(CASE))
    raw["levers"][0]["max_sponsors"] = 3
    result = optimizer.solve(raw, solver="highs")
    assert result.status is optimizer.Status.INFEASIBLE
    d = result.diagnosis
    assert d.max_private_share == pytest.approx(550 / 1150, abs=1e-9)
    assert d.blocking == ("levers.sponsor.bounds",)
    assert d.blocking_text == ("lever 'Sponsorship' could go beyond its bound "
                               "(max_sponsors = 3)",)


def test_the_new_type_is_simulated_with_its_default_downside():
    result = optimizer.solve(CASE, solver="highs", explain=False)
    sim = optimizer.simulate(result, 20_000, seed=3)
    assert sim.p_result_ok == 1.0
    assert sim.p_target_met == pytest.approx(0.0, abs=1e-3)
    assert float(sim.result.min()) >= 60 - 1e-9
    assert sim.result_quantiles["p50"] == pytest.approx(200 * (0.5 + math.sqrt(0.125)) - 40,
                                                        rel=0.01)


def test_the_new_type_is_reported_in_table_and_json(tmp_path):
    path = tmp_path / "sponsored.json"
    path.write_text(json.dumps(CASE))
    runner = CliRunner()
    table = runner.invoke(main, [str(path)])
    assert table.exit_code == 0, table.output
    assert "Sponsorship  Sign 4 sponsors at 50 EUR each: +200 EUR" in table.output
    assert "Levers not used: cut-events." in table.output
    data = json.loads(runner.invoke(main, [str(path), "--format", "json"]).output)
    lever = data["levers"][0]
    assert (lever["id"], lever["type"], lever["value"], lever["risk"]) == (
        "sponsor", "sponsorship", 4.0, 100.0)
    assert lever["revenue_change"] == {"sponsors": 200.0}
    assert lever["expenditure_change"] == {"events": 40.0}
    assert data["indicators"]["private_share"]["after"] == 0.5


def test_the_cvar_plan_of_the_new_type_and_its_unit_in_the_comparison():
    """The CVaR program writes the type's scenario rows by the default rule (its gains
    times its factor, its costs as planned). The loss of a scenario is
    max(0, 0.5 (1000 + 50 n f) - (400 + 50 n f)) = max(0, 100 - 25 n f): zero in every
    scenario (f >= 0.5) from n = 8 on, while n = 7 loses when f < 4/7 (2 % of draws, so
    some of 2,000 scenarios). The least CVaR is 0, at n = 8 (the least EUR at risk among
    plans of CVaR 0); the comparison shows both plans in the type's unit."""
    raw = json.loads(json.dumps(CASE))
    raw["target"]["risk_measure"] = "cvar"
    result = optimizer.solve(raw, solver="highs")
    assert result.status is optimizer.Status.OPTIMAL
    assert result.plan["sponsor"] == 8
    assert result.cvar.cvar_plan.cvar_loss == pytest.approx(0, abs=1e-6)
    assert result.cvar.eur_at_risk_plan.plan["sponsor"] == 4
    table = result.report("table")
    assert "4 sponsors" in table and "8 sponsors" in table

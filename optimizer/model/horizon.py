"""The horizon's linear program (docs/MODEL.md, "Horizon (issue 11)").

One copy of the one-year model per year, built from the year's case (its lines with
inflation, its target) by the same pieces: each lever's `build_year` (its one-year terms,
linked to its terms in the years before) and `milp.add_rows` (every row of the year).
The years meet in the levers' links, the reserve rows and the objective (the total EUR
at risk, discounted). Variables and rows of year k are named `y{k}...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulp

from ..case.schema import Case, from_mapping
from ..levers.base import Terms, YearView
from .milp import TIE_BREAK, Model, ModelBuilder, add_rows


def year_case(case: Case, k: int) -> Case:
    """The one-year case of year k: the expenditure lines grown by inflation, the year's
    target, no horizon."""
    h = case.horizon
    assert h is not None
    raw = case.model_dump(mode="json", exclude_unset=True)
    raw.pop("horizon", None)
    factor = h.spending_factor(k)
    if factor != 1.0:
        for line in raw["expenditures"]:
            line["amount"] = line["amount"] * factor
    raw["target"]["private_share"] = h.target_of(k, case.target.private_share)
    year = from_mapping(raw)
    if case.source is not None:
        year.record_source(*case.source)
    return year


def year_cases(case: Case) -> list[Case]:
    assert case.horizon is not None
    return [year_case(case, k) for k in range(len(case.horizon.years))]


@dataclass
class HorizonModel:
    case: Case
    prob: pulp.LpProblem
    years: list[Model]  # one per year: its case, terms and quantities (over this prob)
    risk: Any  # the objective's EUR at risk (weighted by the discount)
    change: Any  # EUR moved, over every year
    members: Any  # member-years: the members after the plan, summed over the years
    rows: dict[str, str] = field(default_factory=dict)
    risk_cap: Any = None

    def read_path(self) -> list[dict[str, float]]:
        """Each year's plan (lever id -> value), read as the one-year model reads it."""
        return [year.read_plan() for year in self.years]

    def members_vary(self) -> bool:
        return any(year.members_vary() for year in self.years)

    def cap_risk(self, risk_cap: float) -> None:
        if self.risk_cap is not None:
            self.risk_cap.constant = -risk_cap
            return
        row = self.risk <= risk_cap
        self.prob += row, "tie_break"
        self.risk_cap = row

    def most_members_objective(self, risk_cap: float) -> None:
        self.cap_risk(risk_cap)
        self.prob.sense = pulp.LpMinimize
        self.prob.setObjective(-1 * self.members)

    def least_change_objective(self, risk_cap: float, members_floor: float | None = None
                               ) -> None:
        self.cap_risk(risk_cap)
        if members_floor is not None:
            self.prob += self.members >= members_floor, "members_floor"
        self.prob.sense = pulp.LpMinimize
        self.prob.setObjective(self.change)

    def share_objective(self, k: int, weight: float) -> None:
        """Maximise private - weight x revenues in year k (the highest reachable share)."""
        q = self.years[k].quantity
        self.prob.sense = pulp.LpMaximize
        self.prob.setObjective(q["private"] - weight * q["revenues"] - 1e-9 * self.risk)


def build_horizon(case: Case, *, relax: frozenset[str] = frozenset(),
                  share_years: frozenset[int] | None = None,
                  cases: list[Case] | None = None,
                  share_objective: tuple[int, float] | None = None) -> HorizonModel:
    """The PuLP problem of a case with a horizon.

    relax: constraint groups left out in every year (as `build_model`'s), and "reserves".
    share_years: the years whose share rows are written (default: every year).
    cases: the year cases (`year_cases(case)`), when already built.
    share_objective: (k, s): maximise year k's private - s x revenues less the share that
    `target.robust` levers in their low case take at s (year k's share row left out), the
    Dinkelbach step of the highest share a robust path keeps.
    """
    h = case.horizon
    assert h is not None
    count = len(h.years)
    cases = cases if cases is not None else year_cases(case)
    prob = pulp.LpProblem("cluster_path", pulp.LpMinimize)
    # The tight formulation: implied bounds and dominated options dropped, year by year
    # (a fee increase, linked across years, keeps every option: FeeIncrease.build_year).
    tight = True
    order = sorted(range(len(case.levers)), key=lambda i: case.levers[i].raises_fee_on() is None)
    years: list[Model] = []
    rows: dict[str, str] = {}
    for k, ycase in enumerate(cases):
        need_used = ycase.target.max_levers is not None and "max_levers" not in relax
        b = ModelBuilder(ycase, prob, need_used, tight, names=f"y{k}")
        terms: dict[str, Terms] = {}
        for i in order:
            lever = ycase.levers[i]
            if not lever.enabled:
                continue
            b.for_lever(i, f"lever:{lever.id}")
            earlier = [years[j].terms[lever.id] for j in range(k)]
            terms[lever.id] = lever.build_year(b, YearView(k, count), earlier)
        b.for_lever(-1, "")
        year_relax = relax if share_years is None or k in share_years else relax | {"share"}
        objective, weight = "risk", 0.0
        if share_objective is not None and share_objective[0] == k:
            objective, weight = "share", share_objective[1]
            year_relax = year_relax | {"share"}
        quantity, protection = add_rows(b, ycase, terms, ycase.target.private_share,
                                        year_relax, objective, weight, need_used)
        if objective == "share":
            share_goal = quantity["private"] - weight * quantity["revenues"] - protection
        rows.update({name: f"{h.years[k]}:{meaning}" for name, meaning in b.rows.items()})
        years.append(Model(case=ycase, prob=prob, terms=terms, quantity=quantity, rows=b.rows,
                           share=ycase.target.private_share))
    if h.reserves is not None and "reserves" not in relax:
        held: Any = h.reserves
        for k, year in enumerate(years):
            held = held + year.quantity["result"]
            prob += held >= h.min_reserves, f"reserves_{k}"
            rows[f"reserves_{k}"] = f"{h.years[k]}:reserves"
    risk = pulp.lpSum(h.weight(k) * year.quantity["risk"] for k, year in enumerate(years))
    change = pulp.lpSum(year.quantity["change"] for year in years)
    members = pulp.lpSum(year.quantity["members"] for year in years)
    if share_objective is None:
        prob += risk + TIE_BREAK * change
    else:
        prob.sense = pulp.LpMaximize
        prob += share_goal - 1e-9 * risk
    return HorizonModel(case=case, prob=prob, years=years, risk=risk, change=change,
                        members=members, rows=rows)


__all__ = ["HorizonModel", "build_horizon", "year_case", "year_cases"]

"""`eu_projects`: write n European proposals; a share success_rate of them is won.

By default each proposal is won or lost on its own in a scenario (`uncertainty.wins`
"each"): the simulation draws the wins, and the CVaR program writes the count as
ordered binaries b_1 >= b_2 >= ..., each proposal with its own draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..errors import CaseError
from ..fmt import keur
from .base import (
    CaseView,
    Draw,
    Effects,
    EvalContext,
    LeverBase,
    ModelContext,
    ScenarioDraws,
    ScenarioRows,
    Terms,
    YearView,
)
from .fields import Amount, Count, Fraction, Id

# The CVaR program draws each proposal on its own: a few dozen a year is realistic.
MAX_CVAR_PROPOSALS = 200


class EuProjects(LeverBase):
    """Write n European proposals; a share success_rate of them is won."""

    type: Literal["eu_projects"]
    revenue: Id = "others"
    cost_line: Id = "external"
    max_proposals: Count = 0
    success_rate: Fraction
    grant: Amount
    cost_share: Fraction = 0.8
    proposal_cost: Amount = 0.0
    fte_per_project: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    fte_per_proposal: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    # Horizon: a proposal written in year k pays from year k + lag_years, for project_years.
    lag_years: Annotated[int, Field(ge=0, le=10)] = 1
    project_years: Annotated[int, Field(ge=1, le=10)] = 1
    default_downside: ClassVar[float] = 0.6
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}
    bound_field: ClassVar[str] = "max_proposals"
    uncertainty_fields: ClassVar[frozenset[str]] = frozenset({"wins"})

    def upper_bound(self, case: CaseView) -> float:
        return float(self.max_proposals)

    def per_proposal(self) -> tuple[float, float, float]:
        """Expected income, cost and FTE of one proposal."""
        q, g = self.success_rate, self.grant
        income = q * g
        cost = q * self.cost_share * g + self.proposal_cost
        fte = q * self.fte_per_project + self.fte_per_proposal
        return income, cost, fte

    def build(self, ctx: ModelContext) -> Terms:
        income, cost, fte = self.per_proposal()
        n = ctx.var("count", 0, self.max_proposals, integer=True)
        return Terms(
            value=n,
            revenue={self.revenue: income * n},
            expenditure={self.cost_line: cost * n},
            fte_use=fte * n,
            risk=self.risk_share * income * n,
            change=(income + cost) * n,
            used=self.used_indicator(ctx, n, self.max_proposals, False),
            upper=float(self.max_proposals),
            read=lambda: float(round(n.value() or 0.0)),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        income, cost, fte = self.per_proposal()
        return Effects(value=value, revenue={self.revenue: income * value},
                       expenditure={self.cost_line: cost * value}, fte_use=fte * value,
                       gain=income * value, risk=self.risk_share * income * value)

    def pays_in(self, written: int, year: int) -> bool:
        """Whether a proposal written in year `written` pays (if won) in year `year`."""
        start = written + self.lag_years
        return start <= year < start + self.project_years

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """Proposals written in the year; the grants of those written earlier that pay
        now (docs/MODEL.md, "Horizon"). One year: today's model."""
        if year.single:
            return self.build(ctx)
        income, _, _ = self.per_proposal()
        q, g = self.success_rate, self.grant
        n = ctx.var("count", 0, self.max_proposals, integer=True)
        written = [t.value for t in earlier] + [n]
        paying = ctx.sum(written[j] for j in range(year.index + 1)
                         if self.pays_in(j, year.index))
        return Terms(
            value=n,
            revenue={self.revenue: income * paying},
            expenditure={self.cost_line: q * self.cost_share * g * paying
                         + self.proposal_cost * n},
            fte_use=q * self.fte_per_project * paying + self.fte_per_proposal * n,
            risk=self.risk_share * income * paying,
            change=income * paying + q * self.cost_share * g * paying + self.proposal_cost * n,
            used=self.used_indicator(ctx, n, self.max_proposals, False),
            upper=float(self.max_proposals),
            read=lambda: float(round(n.value() or 0.0)),
        )

    def year_effects(self, values: Sequence[float], year: YearView, ctx: EvalContext
                     ) -> Effects:
        if year.single:
            return self.effects(values[0], ctx)
        k = year.index
        q, g = self.success_rate, self.grant
        paying = sum(values[j] for j in range(k + 1) if self.pays_in(j, k))
        income = q * g * paying
        return Effects(value=values[k], revenue={self.revenue: income},
                       expenditure={self.cost_line: q * self.cost_share * g * paying
                                    + self.proposal_cost * values[k]},
                       fte_use=q * self.fte_per_project * paying
                       + self.fte_per_proposal * values[k],
                       gain=income, risk=self.risk_share * income)

    def describe(self, eff: Effects, case: CaseView) -> str:
        n = round(eff.value)
        won = eff.value * self.success_rate
        none = (1 - self.success_rate) ** n
        noun = "proposal" if n == 1 else "proposals"
        return (f"Submit {n:,} EU {noun} ({won:.1f} expected wins of {n:,} at "
                f"{self.success_rate:.0%}; {none:.0%} chance of winning none): "
                f"+{keur(eff.gain)} EUR expected")

    def uses_capacity(self, case: CaseView) -> bool:
        return abs(self.fte_per_project) > 0 or abs(self.fte_per_proposal) > 0

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_proposals": max(10 * self.max_proposals, 10)}

    def value_compared(self, value: float, currency: str) -> str:
        return f"{value:,.0f} proposals"

    # -- uncertainty: the wins, one by one, carry the risk by default
    @property
    def wins_each(self) -> bool:
        """Whether proposals are won or lost one by one (the default)."""
        u = self.uncertainty
        return u is None or u.wins in (None, "each")

    def factor_carried_elsewhere(self) -> bool:
        return self.wins_each

    def low_lines(self, value: float, ctx: EvalContext
                  ) -> tuple[dict[str, float], dict[str, float]]:
        """Proposals won one by one: the low case is no proposal won (no grant, no
        cost share of a won project; the proposals' cost stays)."""
        if not self.wins_each:
            return super().low_lines(value, ctx)
        return {self.revenue: 0.0}, {self.cost_line: self.proposal_cost * value}

    def low_terms(self, ctx: ModelContext, terms: Terms) -> tuple[dict[str, Any], dict[str, Any]]:
        if not self.wins_each:
            return super().low_terms(ctx, terms)
        return {self.revenue: 0 * terms.value}, {self.cost_line: self.proposal_cost * terms.value}

    def year_low_lines(self, values: Sequence[float], year: YearView, ctx: EvalContext
                       ) -> tuple[dict[str, float], dict[str, float]]:
        """Won one by one: no proposal paying this year is won (the proposals written this
        year still cost); wins "expected": the generic low case of the year's effects."""
        if year.single or not self.wins_each:
            return super().year_low_lines(values, year, ctx)
        return {self.revenue: 0.0}, {self.cost_line: self.proposal_cost * values[year.index]}

    def scenario_lines(self, value: float, ctx: EvalContext, sc: ScenarioDraws
                       ) -> tuple[dict[str, Draw], dict[str, Draw]]:
        if not self.wins_each:
            return super().scenario_lines(value, ctx, sc)
        f = sc.factor[self.id]
        count = round(value)
        won = sc.wins(self, count)
        grant = self.grant
        revenue = {self.revenue: grant * f * won}
        cost = self.proposal_cost * count + self.cost_share * grant * won
        return revenue, {self.cost_line: cost}

    def scenario_rows(self, rows: ScenarioRows, terms: Terms, index: int) -> None:
        """n = b_1 + ... + b_M with b_1 >= b_2 >= ...: proposal j is submitted when b_j = 1,
        and brings its grant (times the factor) in the scenarios where its draw wins."""
        if not self.wins_each:
            super().scenario_rows(rows, terms, index)
            return
        sc = rows.scenarios
        f = sc.factor[self.id]
        count = int(self.max_proposals)
        if count > MAX_CVAR_PROPOSALS:
            raise CaseError(f"levers[{index}].max_proposals: the CVaR program draws each "
                            f"proposal on its own, up to {MAX_CVAR_PROPOSALS}, got {count:,}; "
                            "lower it, or set \"uncertainty\": {\"wins\": \"expected\"}")
        n_var = terms.value
        bs = [rows.binary(f"cvar_l{index}_b{j}") for j in range(count)]
        rows.constrain(rows.sum(bs) - n_var == 0, f"cvar_l{index}_count")
        for j in range(count - 1):
            rows.constrain(bs[j] - bs[j + 1] >= 0, f"cvar_l{index}_order{j}")
        won = sc.win_columns(self, count).astype(float)
        grant = self.grant
        income_side = rows.side_of(self.revenue, "revenue")
        # Each proposal has its own draws, so its own column; on both sides when both move.
        for j, b in enumerate(bs):
            values: dict[str, Any] = {}
            for side in ("private", "public", "spending"):
                value: Any = 0.0
                if side == income_side:
                    value = value + grant * f * won[:, j]
                if side == "spending":
                    value = value + self.cost_share * grant * won[:, j]
                values[side] = value
            rows.column_by_side(b, values)
        if self.proposal_cost:
            rows.add_fixed("spending", float(self.proposal_cost) * n_var)

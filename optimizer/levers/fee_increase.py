"""`fee_increase`: raise membership fees by a fraction p chosen on a grid; some members leave.

New members recruited on the same line pay the increased fee: the model builds this
lever first and offers its choice of option to them (`ModelContext.set_fee_choice`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..fmt import keur
from .base import (
    CaseView,
    Draw,
    Effects,
    EvalContext,
    EveryOption,
    ModelContext,
    OptionLever,
    ScenarioDraws,
    ScenarioRows,
    NoFeeIncrease,
    Terms,
    YearView,
    falls,
    favourable,
    option_grid,
    stays_up,
)
from .fields import Id
from .uncertainty import Triangular


class FeeIncrease(OptionLever):
    """Raise membership fees by a fraction p chosen on a grid; some members leave."""

    type: Literal["fee_increase"]
    revenue: Id = "fees"
    max_increase: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.0
    step: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 0.01
    elasticity: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.5
    default_downside: ClassVar[float] = 0.3
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private"}
    grid_top: ClassVar[str] = "max_increase"
    bound_field: ClassVar[str] = "max_increase"
    uncertainty_fields: ClassVar[frozenset[str]] = frozenset({"elasticity"})

    def options(self, case: CaseView) -> list[float]:
        return [p for p in option_grid(self.step, self.max_increase) if self.elasticity * p <= 1 + 1e-12]

    def build(self, ctx: ModelContext) -> Terms:
        opts, ys, terms = self.build_options(ctx)
        ctx.set_fee_choice(self.revenue, opts, ys)
        return terms

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """A fee increase stays (each year's increase over today's fee is at least last
        year's): the members who left stay gone."""
        if year.single:
            terms = self.build(ctx)
        else:
            # Across years an option that gains nothing alone may still be the one a fee
            # that stays must keep: every option is offered (no dominance drop).
            opts, ys, terms = self.build_options(EveryOption(ctx))
            ctx.set_fee_choice(self.revenue, opts, ys)
        before = earlier[-1].choice if earlier else None
        if before is not None and terms.choice is not None and before[0] == terms.choice[0]:
            # Option by option (at least option j this year if at least j last year): the
            # same rows as p_k >= p_{k-1}, with a much tighter relaxation.
            ys, was = terms.choice[1], before[1]
            for j in range(1, len(ys)):
                ctx.constrain(ctx.sum(ys[j:]) - ctx.sum(was[j:]) >= 0, "stays")
        else:
            stays_up(ctx, terms, earlier)
        return terms

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        return falls(self, values)

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        f0 = ctx.case.revenue(self.revenue).amount
        m0 = ctx.case.members
        e = self.elasticity
        change = self.change_at(value, f0, e)
        return Effects(value=value, revenue={self.revenue: change}, members=-e * value * m0,
                       gain=change, risk=self.risk_share * max(change, 0.0))

    def model_options(self, ctx: ModelContext) -> list[float]:
        """With a risk tolerance (MODEL.md v2, "Members count"), an option that loses
        members for no more fee income than a smaller one is not offered (unless new members
        on the line pay the increased fee: then the comparison depends on the plan)."""
        opts = super().model_options(ctx)
        case = ctx.case
        if not getattr(case.target, "risk_tolerance", 0) or any(
                lever.enabled and lever.recruits_on() == self.revenue for lever in case.levers):
            return opts
        kept: list[float] = []
        best = -math.inf
        for p in opts:  # increasing: keep p only if it brings more than every smaller option
            change = self.effects(p, NoFeeIncrease(case)).gain
            if p == 0 or change > best:
                kept.append(p)
            best = max(best, change)
        return kept

    def change_at(self, value: float, f0: float, elasticity: float) -> float:
        """The fee-line change at an increase `value` and a given elasticity."""
        return f0 * ((1 + value) * (1 - elasticity * value) - 1)

    def low_elasticity(self) -> float:
        """The elasticity of the low case: the range's high end when a range is given."""
        r = self.elasticity_range()
        return self.elasticity if r is None else r.high

    def low_lines(self, value: float, ctx: EvalContext
                  ) -> tuple[dict[str, float], dict[str, float]]:
        f0 = ctx.case.revenue(self.revenue).amount
        change = self.change_at(value, f0, self.low_elasticity())
        return {self.revenue: favourable(change, "revenue", self.low_factor())}, {}

    def low_terms(self, ctx: ModelContext, terms: Terms) -> tuple[dict[str, Any], dict[str, Any]]:
        assert terms.choice is not None  # built by build_options
        opts, ys = terms.choice
        f0 = ctx.case.revenue(self.revenue).amount
        e, f = self.low_elasticity(), self.low_factor()
        low = ctx.sum(favourable(self.change_at(p, f0, e), "revenue", f) * y
                      for p, y in zip(opts, ys))
        return {self.revenue: low}, {}

    def describe(self, eff: Effects, case: CaseView) -> str:
        lost = -eff.members
        return (f"Raise membership fees by {eff.value:.0%}: {keur(eff.gain, sign=True)} EUR "
                f"after losing about {lost:,.0f} members")

    def raises_fee_on(self) -> str | None:
        return self.revenue

    def members_lost(self, p: float, members: float) -> float:
        """Members who leave at an increase p (elasticity x p x members, not rounded)."""
        return self.elasticity * p * members

    def stuck_reason(self, case: CaseView) -> str | None:
        grid = option_grid(self.step, self.max_increase)
        if len(grid) > 1 and self.upper_bound(case) <= 0:  # every step drops out
            return (f"with elasticity {self.elasticity:g}, even the first increase "
                    f"({grid[1]:.0%}) would make more than all the members leave "
                    f"(elasticity x increase above 1); check the elasticity: 0.5 means a 10% "
                    f"increase makes 5% of the members leave")
        return super().stuck_reason(case)

    def warnings(self, case: CaseView, index: int) -> list[str]:
        out = super().warnings(case, index)
        opts = self.options(case)
        if self.enabled and len(opts) > 1 and case.members > 0:
            f0 = case.revenue(self.revenue).amount
            if all(self.change_at(p, f0, self.elasticity) <= 0 for p in opts[1:]):
                out.append(
                    f"levers[{index}] ({self.id}): no fee increase up to {opts[-1]:.0%} brings "
                    f"more fee income (elasticity {self.elasticity:g}: a 1% increase makes "
                    f"{self.elasticity / 100:.0%} of the members leave, more than the 1% it "
                    f"adds to each fee); the plan will not raise fees; check the elasticity "
                    f"(0.5 means a 10% increase makes 5% of the members leave)")
        if self.max_increase > 1 or self.step >= 1:
            out.append(f"levers[{index}] ({self.id}): max_increase {self.max_increase:g} and "
                       f"step {self.step:g} mean +{self.max_increase:.0%} in steps of "
                       f"{self.step:.0%}; fractions are decimals (0.05 for 5 %)")
        return out

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        top = max(self.max_increase, 1.0)
        return {"max_increase": min(top, 999 * self.step)}

    # -- uncertainty: an elasticity range carries the risk (the factor then defaults to 1)
    def factor_carried_elsewhere(self) -> bool:
        return self.uncertainty is not None and self.uncertainty.elasticity is not None

    def elasticity_range(self) -> Triangular | None:
        u = self.uncertainty
        if u is None or u.elasticity is None:
            return None
        r = u.elasticity
        mode = r.mode if r.mode is not None else min(max(self.elasticity, r.low), r.high)
        return Triangular(r.low, mode, r.high)

    def more_uncertainty_problems(self, where: str) -> list[str]:
        u = self.uncertainty
        if u is None or u.elasticity is None:
            return []
        r = u.elasticity
        if r.low > r.high:
            return [f"{where}.elasticity.low: must not exceed high ({r.high:g}), got {r.low:g}"]
        if r.mode is not None and not (r.low <= r.mode <= r.high):
            return [(f"{where}.elasticity.mode: must lie between low ({r.low:g}) and "
                    f"high ({r.high:g}), got {r.mode:g}")]
        return []

    def scenario_lines(self, value: float, ctx: EvalContext, sc: ScenarioDraws
                       ) -> tuple[dict[str, Draw], dict[str, Draw]]:
        if self.id not in sc.elasticity:
            return super().scenario_lines(value, ctx, sc)
        import numpy as np

        f = sc.factor[self.id]
        f0 = sc.case.revenue(self.revenue).amount
        change = f0 * ((1 + value) * (1 - sc.elasticity[self.id] * value) - 1)
        return {self.revenue: f * np.maximum(change, 0) + np.minimum(change, 0)}, {}

    def scenario_rows(self, rows: ScenarioRows, terms: Terms, index: int) -> None:
        if self.id not in rows.scenarios.elasticity:
            super().scenario_rows(rows, terms, index)
            return
        f = rows.scenarios.factor[self.id]
        for line, expr in terms.revenue.items():
            self._fee_rows(rows, terms, f, rows.side_of(line, "revenue"), expr)
        for line, expr in terms.expenditure.items():
            rows.add_line("expenditure", line, expr, f, f"l{index}_gain")

    def _fee_rows(self, rows: ScenarioRows, terms: Terms, f: Draw, side: str,
                  expr: Any) -> None:
        """Each fee option's exact change with the drawn elasticity e; the factor on gains.

        change_k = F0 (p_k - e p_k (1 + p_k)) is linear in e: options that gain (or lose)
        whatever e is are summed into two columns, F0 p y and F0 p (1 + p) y; an option
        whose sign depends on e keeps its own column (unless the factor is 1: then gains
        and losses count alike).
        """
        import numpy as np

        sc = rows.scenarios
        options = {id(var): p for var, p in rows.coefficients(terms.value)}
        f0 = sc.case.revenue(self.revenue).amount
        e = sc.elasticity[self.id]
        low, high = float(np.min(e)), float(np.max(e))
        # Options that always gain / always lose -> their (A, B) terms.
        sums: dict[bool, tuple[list[Any], list[Any]]] = {True: ([], []), False: ([], [])}
        for var, _ in rows.coefficients(expr):
            p = options.get(id(var), 0.0)
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
            rows.column(rows.aux(a_terms, "fee_a"), side, factor * np.ones(sc.n))
            rows.column(rows.aux(b_terms, "fee_b"), side, -factor * e * np.ones(sc.n))

"""`success_fee`: take a rate r of the funding member projects win with the cluster's help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..fmt import keur
from .base import (
    CaseView,
    Effects,
    EvalContext,
    EveryOption,
    ModelContext,
    OptionLever,
    Terms,
    YearView,
    falls,
    option_grid,
    stays_up,
)
from .fields import Amount, Fraction, Id


class SuccessFee(OptionLever):
    """Take a rate r of the funding that member projects win with the cluster's help."""

    type: Literal["success_fee"]
    revenue: Id = "services"
    volume: Amount
    max_rate: Fraction = 0.0
    step: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.005
    volume_elasticity: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    default_downside: ClassVar[float] = 0.5
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private"}
    grid_top: ClassVar[str] = "max_rate"
    bound_field: ClassVar[str] = "max_rate"

    def options(self, case: CaseView) -> list[float]:
        return option_grid(self.step, self.max_rate)

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """A rate announced to members stays (never lowered within the horizon)."""
        if year.single:
            return self.build(ctx)
        terms = self.build_options(EveryOption(ctx))[2]
        stays_up(ctx, terms, earlier)
        return terms

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        return falls(self, values)

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        change = value * self.volume * (1 - self.volume_elasticity * value)
        return Effects(value=value, revenue={self.revenue: change}, gain=change,
                       risk=self.risk_share * max(change, 0.0))

    def describe(self, eff: Effects, case: CaseView) -> str:
        return (f"Charge a {eff.value:.1%} success fee on funded member projects: "
                f"{keur(eff.gain, sign=True)} EUR")

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_rate": min(1.0, max(2 * self.max_rate, 0.1), 999 * self.step)}

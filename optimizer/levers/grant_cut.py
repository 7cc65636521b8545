"""`grant_cut`: ask for v EUR less from a public revenue line (certain: you ask for less)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import model_validator

from ..fmt import keur
from .base import CaseView, Effects, EvalContext, LeverBase, ModelContext, Terms, eur_compared
from .fields import Fraction, Id
from .uncertainty import CERTAIN, Triangular


class GrantCut(LeverBase):
    """Ask for v EUR less from a public revenue line."""

    type: Literal["grant_cut"]
    revenue: Id
    min_fraction: Fraction = 0.0
    max_fraction: Fraction = 1.0
    default_downside: ClassVar[float] = 0.0
    line_fields: ClassVar[dict[str, str]] = {"revenue": "public"}
    bound_field: ClassVar[str] = "max_fraction"

    @model_validator(mode="after")
    def _order(self) -> GrantCut:
        if self.min_fraction > self.max_fraction:
            raise ValueError(
                f"min_fraction ({self.min_fraction}) must not exceed max_fraction ({self.max_fraction})"
            )
        return self

    def upper_bound(self, case: CaseView) -> float:
        return self.max_fraction * case.revenue(self.revenue).amount

    def build(self, ctx: ModelContext) -> Terms:
        base = ctx.case.revenue(self.revenue).amount
        low, up = self.min_fraction * base, self.upper_bound(ctx.case)
        v = ctx.var("eur", low, up)
        return Terms(
            value=v,
            revenue={self.revenue: -1 * v},
            risk=self.risk_share * v,
            change=1 * v,
            used=(1 if low > 0 else self.used_indicator(ctx, v, up, False)),
            upper=up,
            read=lambda: max(low, v.value() or 0.0),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        return Effects(value=value, revenue={self.revenue: -value}, gain=value,
                       risk=self.risk_share * value)

    def describe(self, eff: Effects, case: CaseView) -> str:
        line = case.revenue(self.revenue)
        pct = eff.value / line.amount if line.amount else 0.0
        return f"Ask {line.name} for {keur(eff.value)} EUR less ({pct:.1%} of the grant)"

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_fraction": 1.0, "min_fraction": 0.0}

    def realisation(self) -> Triangular:
        return CERTAIN  # you ask for less: nothing to underdeliver

    def uncertainty_problems(self, where: str) -> list[str]:
        if self.uncertainty is None:
            return []
        return [(f"{where}: a grant cut is certain (you ask for less); to model a "
                "funder that may cut more, put a shock on the line "
                f"(\"shocks\": [{{\"revenue\": \"{self.revenue}\", \"low\": 0.9}}])")]

    def value_compared(self, value: float, currency: str) -> str:
        return eur_compared(value, currency)

    def value_cell(self, value: float) -> str:
        return keur(value)

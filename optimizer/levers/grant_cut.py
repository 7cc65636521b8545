"""`grant_cut`: ask for v EUR less from a public revenue line (certain: you ask for less)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import model_validator

from ..fmt import keur, money
from ..fmt import pct as fmt_pct
from ..i18n import gettext as _
from .base import (
    AmountLever,
    CaseView,
    Effects,
    EvalContext,
    ModelContext,
    Terms,
    YearView,
    eur_compared,
    falls,
    stays_up,
)
from .fields import Fraction, Id
from .uncertainty import CERTAIN, Triangular


class GrantCut(AmountLever):
    """Ask for v EUR less from a public revenue line."""

    type: Literal["grant_cut"]
    revenue: Id
    min_fraction: Fraction = 0.0
    max_fraction: Fraction = 1.0
    # Horizon: whether the grant may go back up within the horizon (default: a cut stays).
    reversible: bool = False
    default_downside: ClassVar[float] = 0.0
    line_fields: ClassVar[dict[str, str]] = {"revenue": "public"}
    bound_field: ClassVar[str] = "max_fraction"

    @model_validator(mode="after")
    def _order(self) -> GrantCut:
        if self.min_fraction > self.max_fraction:
            raise ValueError(_("min_fraction ({min}) must not exceed max_fraction ({max})").format(
                min=self.min_fraction, max=self.max_fraction))
        return self

    def raw_bounds(self, case: CaseView) -> tuple[float, float]:
        base = case.revenue(self.revenue).amount
        return self.min_fraction * base, self.max_fraction * base

    def build(self, ctx: ModelContext) -> Terms:
        v, used, read = self.build_amount(ctx)
        return Terms(
            value=v,
            revenue={self.revenue: -1 * v},
            risk=self.risk_share * v,
            change=1 * v,
            used=used,
            upper=self.upper_bound(ctx.case),
            read=read,
        )

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        terms = self.build(ctx)
        if not self.reversible:
            stays_up(ctx, terms, earlier)
        return terms

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        return [] if self.reversible else falls(self, values)

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        return Effects(value=value, revenue={self.revenue: -value}, gain=value,
                       risk=self.risk_share * value)

    def describe(self, eff: Effects, case: CaseView) -> str:
        line = case.revenue(self.revenue)
        pct = eff.value / line.amount if line.amount else 0.0
        return _("Ask {line} for {amount} less ({share} of the grant)").format(
            line=line.name, amount=money(eff.value, "EUR"), share=fmt_pct(pct))

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_fraction": 1.0, "min_fraction": 0.0}

    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        if self.revenue not in {r.id for r in case.revenues}:
            return []
        return super().reference_problems(case, where)

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

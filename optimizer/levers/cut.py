"""`cut`: cut an expenditure line by v EUR (0 <= v <= max_fraction x baseline; version 2:
0 or at least `min_amount`, a whole multiple of `round_to`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from ..fmt import keur
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


class Cut(AmountLever):
    """Cut an expenditure line by v EUR (0 <= v <= max_fraction x baseline)."""

    type: Literal["cut"]
    expenditure: Id
    max_fraction: Fraction = 0.0
    # Horizon: whether the cut may shrink from one year to the next (default: a cut of a
    # staff line stays, other cuts are free each year).
    reversible: bool | None = None
    default_downside: ClassVar[float] = 0.25
    line_fields: ClassVar[dict[str, str]] = {"expenditure": "expenditure"}
    bound_field: ClassVar[str] = "max_fraction"
    counts_in_eligible: ClassVar[bool] = True  # a saving on running costs

    def raw_bounds(self, case: CaseView) -> tuple[float, float]:
        return 0.0, self.max_fraction * case.expenditure(self.expenditure).amount

    def fte_per_eur(self, case: CaseView) -> float:
        return 1.0 / case.cost_per_fte if case.expenditure(self.expenditure).staff else 0.0

    def build(self, ctx: ModelContext) -> Terms:
        v, used, read = self.build_amount(ctx)
        return Terms(
            value=v,
            expenditure={self.expenditure: -1 * v},
            fte_use=self.fte_per_eur(ctx.case) * v,
            risk=self.risk_share * v,
            change=1 * v,
            used=used,
            upper=self.upper_bound(ctx.case),
            read=read,
        )

    def stays(self, case: CaseView) -> bool:
        """Whether the cut stays once made (horizon)."""
        if self.reversible is not None:
            return not self.reversible
        return case.expenditure(self.expenditure).staff

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        terms = self.build(ctx)
        if self.stays(ctx.case):
            stays_up(ctx, terms, earlier)
        return terms

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        return falls(self, values) if self.stays(case) else []

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        return Effects(
            value=value,
            expenditure={self.expenditure: -value},
            fte_use=self.fte_per_eur(ctx.case) * value,
            gain=value,
            risk=self.risk_share * value,
        )

    def describe(self, eff: Effects, case: CaseView) -> str:
        line = case.expenditure(self.expenditure)
        pct = eff.value / line.amount if line.amount else 0.0
        return f"Cut {line.name} by {keur(eff.value)} EUR ({pct:.1%} of the line)"

    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        lines = {e.id for e in case.expenditures}
        if (self.enabled and self.expenditure in lines
                and case.expenditure(self.expenditure).staff
                and not math.isfinite(case.cost_per_fte)):
            return [(f"{where}.expenditure: cutting a staff line needs staff.fte or "
                    "staff.cost_per_fte, to know how much capacity the cut removes")]
        if self.expenditure not in lines:
            return []
        return super().reference_problems(case, where)

    def uses_capacity(self, case: CaseView) -> bool:
        return case.expenditure(self.expenditure).staff

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_fraction": 1.0}

    def value_compared(self, value: float, currency: str) -> str:
        return eur_compared(value, currency)

    def value_cell(self, value: float) -> str:
        return keur(value)

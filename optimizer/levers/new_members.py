"""`new_members`: recruit n new members who pay the (possibly increased) fee."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..fmt import count, money
from ..i18n import ngettext
from .base import (
    CaseView,
    Effects,
    EvalContext,
    LeverBase,
    ModelContext,
    Terms,
    YearView,
    falls,
    stays_up,
)
from .fields import Amount, Count, Fraction, Id


class NewMembers(LeverBase):
    """Recruit n new members who pay the (possibly increased) fee."""

    type: Literal["new_members"]
    revenue: Id = "fees"
    max_new: Count = 0
    fee: Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)] | None = None
    cost_line: Id = "external"
    cost_per_member: Amount = 0.0
    fte_per_member: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    # Horizon: the share of the recruits who may leave each year (default: they stay).
    churn: Fraction = 0.0
    default_downside: ClassVar[float] = 0.5
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}
    bound_field: ClassVar[str] = "max_new"

    def unit_fee(self, case: CaseView) -> float:
        if self.fee is not None:
            return self.fee
        return case.revenue(self.revenue).amount / case.members if case.members else 0.0

    def upper_bound(self, case: CaseView) -> float:
        return float(self.max_new)

    def recruits_on(self) -> str | None:
        return self.revenue

    def max_members_added(self) -> float:
        return float(self.max_new)

    def option_variables(self, case: CaseView, fee_options: Mapping[str, int]) -> int:
        return fee_options.get(self.revenue, 0)

    def member_floors(self, ctx: ModelContext, opts: list[float]) -> list[float] | None:
        """For each option of the fee increase on this line, the fewest recruits that keep
        members >= min_members when every other lever adds all the members it can."""
        case = ctx.case
        floor = case.target.min_members
        fee = next((lever for lever in case.levers if lever.enabled
                    and lever.raises_fee_on() == self.revenue), None)
        if floor is None or fee is None:
            return None
        others = 0.0  # the most members the other levers can bring
        for lever in case.levers:
            if lever is self or not lever.enabled:
                continue
            others += lever.max_members_added()
        m0 = case.members
        out = []
        for p in opts:
            need = floor - m0 + fee.members_lost(p, m0) - others  # type: ignore[attr-defined]
            # Rounded up (n is whole), with room for round-off in the members row.
            out.append(float(min(self.max_new, max(0, math.ceil(need - 1e-6)))))
        return out

    def build(self, ctx: ModelContext) -> Terms:
        f = self.unit_fee(ctx.case)
        n = ctx.var("count", 0, self.max_new, integer=True)
        choice = ctx.fee_choice(self.revenue)
        if choice is None:
            income = f * n
        else:
            # n x (1 + p) with p chosen by binaries y_k: w_k = n y_k exactly, since one y_k is 1.
            opts, ys = choice
            floors = self.member_floors(ctx, opts) if getattr(ctx, "tight", False) else None
            ws = []
            for k, (p, y) in enumerate(zip(opts, ys)):
                w = ctx.var(f"w{k}", 0, self.max_new)
                ctx.constrain(w - self.max_new * y <= 0, f"w{k}")
                if floors is not None and floors[k] > 0:
                    # Implied by min_members: with fee option k, at least floors[k] recruits.
                    ctx.constrain(w - floors[k] * y >= 0, f"w{k}_floor")
                ws.append((p, w))
            ctx.constrain(n - ctx.sum(w for _, w in ws) == 0, "split")
            income = ctx.sum(f * (1 + p) * w for p, w in ws)
        return Terms(
            value=n,
            revenue={self.revenue: income},
            expenditure={self.cost_line: self.cost_per_member * n},
            members=1 * n,
            fte_use=self.fte_per_member * n,
            risk=self.risk_share * income,
            change=income + self.cost_per_member * n,
            used=self.used_indicator(ctx, n, self.max_new, False),
            upper=float(self.max_new),
            read=lambda: float(round(n.value() or 0.0)),
        )

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """The recruits present in the year: they stay, but for `churn` of them a year."""
        terms = self.build(ctx)
        stays_up(ctx, terms, earlier, 1.0 - self.churn)
        return terms

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        return falls(self, values, 1.0 - self.churn)

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        p = ctx.fee_increase_on(self.revenue)
        income = value * self.unit_fee(ctx.case) * (1 + p)
        return Effects(value=value, revenue={self.revenue: income},
                       expenditure={self.cost_line: self.cost_per_member * value},
                       members=value, fte_use=self.fte_per_member * value, gain=income,
                       risk=self.risk_share * income)

    def describe(self, eff: Effects, case: CaseView) -> str:
        return ngettext("Recruit {n} new member: +{gain} in fees",
                        "Recruit {n} new members: +{gain} in fees", round(eff.value)).format(
            n=count(eff.value), gain=money(eff.gain, "EUR"))

    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        if self.fee is None and case.members == 0:
            return [(f"{where}.fee: required when members is 0 (the default fee is "
                    "fee line / members)")]
        return []

    def uses_capacity(self, case: CaseView) -> bool:
        return abs(self.fte_per_member) > 0

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_new": max(10 * self.max_new, case.members, 10)}

    def value_compared(self, value: float, currency: str) -> str:
        return ngettext("{n} member", "{n} members", round(value)).format(n=count(value))

"""`service`: sell u units of a paid service (launched when u > 0)."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..fmt import count, currency, money
from ..i18n import gettext as _
from .base import (
    EPS,
    USED_FLOOR,
    CaseView,
    Effects,
    EvalContext,
    LeverBase,
    ModelContext,
    Terms,
    launch_floor,
)
from .fields import Amount, Id, Label


class Service(LeverBase):
    """Sell u units of a paid service (launched when u > 0)."""

    type: Literal["service"]
    revenue: Id = "services"
    cost_line: Id = "external"
    price: Amount
    unit_cost: Amount = 0.0
    setup_cost: Amount = 0.0
    max_units: Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False)] = 0.0
    min_units: Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False)] = 0.0
    integer: bool = True
    fte_per_unit: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    launch_risk: Amount = 0.0
    # The unit sold, singular and (optionally) plural, for every sentence ("Sell 76
    # training days"); default "units of <label>".
    unit: Label | None = None
    unit_plural: Label | None = None
    default_downside: ClassVar[float] = 0.4
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}
    bound_field: ClassVar[str] = "max_units"

    def upper_bound(self, case: CaseView) -> float:
        return float(math.floor(self.max_units + 1e-9)) if self.integer else self.max_units

    def build(self, ctx: ModelContext) -> Terms:
        up = self.upper_bound(ctx.case)
        u = ctx.var("units", 0, up, integer=self.integer)
        needs_z = self.min_units > 0 or self.setup_cost > 0 or self.launch_risk > 0
        z = self.used_indicator(ctx, u, up, needs_z)
        if z is not None:
            # Launched (z = 1) only when units are sold: z = 1 with u = 0 would pay the
            # setup cost for nothing (a way to burn money under an == rule), which
            # `effects` (launched iff u > 0) does not count.
            ctx.constrain(u - self.floor(up) * z >= 0, "min_units")
        setup = self.setup_cost * z if z is not None else 0
        launch = self.launch_risk * z if z is not None else 0

        def read() -> float:
            val = max(0.0, u.value() or 0.0)
            return float(round(val)) if self.integer else val

        return Terms(
            value=u,
            revenue={self.revenue: self.price * u},
            expenditure={self.cost_line: self.unit_cost * u + setup},
            fte_use=self.fte_per_unit * u,
            risk=self.risk_share * self.price * u + launch,
            change=(self.price + self.unit_cost) * u + setup,
            used=z,
            upper=up,
            read=read,
        )

    def floor(self, upper: float) -> float:
        """The fewest units of a launched service: with a set-up (a cost, a launch risk or
        min_units), min_units and at least one unit; else just visibly above zero."""
        if self.min_units > 0 or self.setup_cost > 0 or self.launch_risk > 0:
            return launch_floor(self.min_units, upper)
        return 1.0 if self.integer else USED_FLOOR

    def value_problems(self, value: float, case: CaseView) -> list[str]:
        floor = self.floor(self.upper_bound(case))
        if EPS < value < floor - 1e-6 * max(1.0, floor):
            return [f"lever '{self.id}' = {value:g} is launched below its {floor:g} units"]
        return []

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        launched = 1.0 if value > EPS else 0.0
        income = self.price * value
        return Effects(value=value, revenue={self.revenue: income},
                       expenditure={self.cost_line: self.unit_cost * value + self.setup_cost * launched},
                       fte_use=self.fte_per_unit * value, gain=income,
                       risk=self.risk_share * income + self.launch_risk * launched)

    def units_text(self, value: float) -> str:
        """A number of units as sold: whole units, or one decimal when continuous."""
        if self.integer or abs(value - round(value)) < 0.05:
            return count(value)
        return count(value, 1)

    def unit_noun(self, value: float) -> str:
        """The service's unit, singular or plural ("training day", "training days")."""
        one = abs(value - 1) < 0.05
        if self.unit is None:
            return _("unit") if one else _("units")
        if one:
            return self.unit
        return self.unit_plural or (self.unit if self.unit.endswith("s") else self.unit + "s")

    def describe(self, eff: Effects, case: CaseView) -> str:
        units = self.units_text(eff.value)
        noun = self.unit_noun(eff.value)
        if self.unit is None:
            what = self.label or _("service '{id}'").format(id=self.id)
            sold = _("{units} {noun} of {what}").format(units=units, noun=noun, what=what)
        else:
            sold = f"{units} {noun}"
        return _("Sell {sold} at {price}: +{gain}").format(
            sold=sold, price=_("{amount} {cur}").format(amount=count(self.price), cur=currency("EUR")),
            gain=money(eff.gain, "EUR"))

    def uses_capacity(self, case: CaseView) -> bool:
        return abs(self.fte_per_unit) > 0

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max_units": max(10 * self.max_units, 10.0), "min_units": 0.0}

    def value_cell(self, value: float) -> str:
        return count(value) if self.integer else count(value, 2)

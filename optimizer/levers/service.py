"""`service`: sell u units of a paid service (launched when u > 0)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..fmt import count, currency, general, money
from ..i18n import gettext as _
from .base import (
    EPS,
    USED_FLOOR,
    CaseView,
    Effects,
    EvalContext,
    LeverBase,
    ModelContext,
    ScenarioRows,
    Terms,
    YearView,
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
    # Horizon: at most this many more units each year than the year before (from 0).
    ramp_up: Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False)] | None = None
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

    def has_setup(self) -> bool:
        """A launch that costs or risks something, or a floor once launched."""
        return self.min_units > 0 or self.setup_cost > 0 or self.launch_risk > 0

    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """Units sold in the year. A launched service stays open; its set-up cost and
        launch risk count once, in its first year; sales grow by at most ramp_up a year."""
        terms = self.build(ctx)
        u = terms.value
        if self.ramp_up is not None:
            before = earlier[-1].value if earlier else 0
            ctx.constrain(u - before <= self.ramp_up, "ramp_up")
        z = terms.used
        if earlier and self.has_setup() and z is not None and earlier[-1].used is not None:
            was = earlier[-1].used
            ctx.constrain(z - was >= 0, "stays_open")
            # Launched this year: z - was (0 or 1); the one-year terms counted z.
            terms.expenditure[self.cost_line] = (terms.expenditure[self.cost_line]
                                                 - self.setup_cost * was)
            terms.risk = terms.risk - self.launch_risk * was
            terms.change = terms.change - self.setup_cost * was
        return terms

    def low_terms(self, ctx: ModelContext, terms: Terms) -> tuple[dict[str, Any], dict[str, Any]]:
        """Sales times the low factor; the unit costs and the set-up as planned. (Written
        from the terms' meaning, not their signs: in a year after the launch the terms
        take the set-up back off, and that is not a saving the low case may lose.)"""
        f = self.low_factor()
        return ({k: f * e for k, e in terms.revenue.items()}, dict(terms.expenditure))

    def year_scenario_rows(self, rows: ScenarioRows, terms: Terms, index: int, year: YearView
                           ) -> None:
        """Sales times the factor; unit costs and the set-up as planned. (From the terms'
        meaning, as `low_terms`: after the launch year the terms take the set-up back off,
        which is not a saving a scenario may lose.)"""
        if year.single:
            self.scenario_rows(rows, terms, index)
            return
        f = rows.scenarios.factor[self.id]
        for line, expr in terms.revenue.items():
            rows.add_line("revenue", line, expr, f, f"l{index}_gain")
        for line, expr in terms.expenditure.items():
            rows.add_fixed(rows.side_of(line, "expenditure"), expr)

    def year_effects(self, values: Sequence[float], year: YearView, ctx: EvalContext
                     ) -> Effects:
        eff = self.effects(values[year.index], ctx)
        if not any(v > EPS for v in values[:year.index]) or not self.has_setup():
            return eff
        expenditure = dict(eff.expenditure)
        expenditure[self.cost_line] -= self.setup_cost
        return dataclasses.replace(eff, expenditure=expenditure,
                                   risk=eff.risk - self.launch_risk)

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        out = []
        for k, v in enumerate(values):
            before = values[k - 1] if k else 0.0
            if self.ramp_up is not None and v - before > self.ramp_up + 1e-6:
                out.append(_("lever '{id}' grows by {n} units in year {year}, more than "
                             "ramp_up {ramp_up}").format(id=self.id, n=general(v - before),
                                                         year=k + 1,
                                                         ramp_up=general(self.ramp_up)))
            if self.has_setup() and before > EPS and v <= EPS:
                out.append(_("lever '{id}' closes in year {year} after its launch").format(
                    id=self.id, year=k + 1))
        return out

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

    def value_compared(self, value: float, currency: str) -> str:
        """Units as sold, in the service's unit ("20 training days", "1 market study")."""
        return f"{self.units_text(value)} {self.unit_noun(value)}"

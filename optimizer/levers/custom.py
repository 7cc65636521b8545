"""`custom`: any other lever, as per-unit effects on lines, FTE, members and risk."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..base import StrictModel
from ..fmt import count, money
from ..i18n import gettext as _
from .base import (
    EPS,
    USED_FLOOR,
    CaseView,
    Draw,
    Effects,
    EvalContext,
    LeverBase,
    ModelContext,
    ScenarioDraws,
    Terms,
    favourable,
    launch_floor,
)
from .fields import Amount, Id, Number, near


class CustomSetup(StrictModel):
    expenditures: dict[Id, Number] = Field(default_factory=dict)
    risk: Amount = 0.0


class Custom(LeverBase):
    """Any other lever: per-unit effects on lines, FTE and members, and a risk per unit."""

    type: Literal["custom"]
    min: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] = 0.0
    max: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] = 0.0
    integer: bool = False
    revenues: dict[Id, Number] = Field(default_factory=dict)
    expenditures: dict[Id, Number] = Field(default_factory=dict)
    fte: Annotated[float, Field(ge=-1e3, le=1e3, allow_inf_nan=False)] = 0.0
    members: Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)] = 0.0
    setup: CustomSetup | None = None
    risk_per_unit: Amount = 0.0
    bound_field: ClassVar[str] = "max"
    # A custom lever describes a change in how the cluster runs: its spending changes on
    # eligible lines count in the eligible costs (MODEL.md v2).
    counts_in_eligible: ClassVar[bool] = True

    @model_validator(mode="after")
    def _order(self) -> Custom:
        if self.downside is not None:
            raise ValueError(_("a custom lever takes no downside: its EUR at risk is "
                               "risk_per_unit (and setup.risk); to say how it may underdeliver "
                               "in simulations and robust targets, set uncertainty.low"))
        if self.min > self.max:
            raise ValueError(_("min ({min}) must not exceed max ({max})").format(
                min=self.min, max=self.max))
        low, up = self.bounds()
        if self.integer and low > up:
            raise ValueError(_("integer is true but no whole number lies between min ({min}) and "
                               "max ({max}); widen them or set integer to false").format(
                                   min=f"{self.min:g}", max=f"{self.max:g}"))
        return self

    def bounds(self) -> tuple[float, float]:
        """(lowest, highest) decision value: min and max, inward to whole numbers if integer;
        a lever with a set-up that min forces on starts at the launch floor."""
        if self.integer:
            return float(math.ceil(self.min - 1e-9)), float(math.floor(self.max + 1e-9))
        if self.min > 0 and self.has_setup():
            return max(self.min, launch_floor(0.0, self.max)), self.max
        return self.min, self.max

    def has_setup(self) -> bool:
        setup = self.setup
        return setup is not None and (bool(setup.expenditures) or setup.risk > 0)

    def upper_bound(self, case: CaseView) -> float:
        return self.bounds()[1]

    def extreme_values(self, case: CaseView) -> list[float]:
        return [self.min, self.upper_bound(case)]

    def setup_or_none(self) -> CustomSetup:
        return self.setup or CustomSetup()

    def build(self, ctx: ModelContext) -> Terms:
        low, up = self.bounds()
        x = ctx.var("units", low, up, integer=self.integer)
        setup = self.setup_or_none()
        needs_z = bool(setup.expenditures) or setup.risk > 0
        z = 1 if low > 0 else self.used_indicator(ctx, x, up, needs_z)
        if z is not None and not isinstance(z, int):
            # Set up (z = 1) only when x > 0, as `effects` counts it (see Service).
            # A set-up lever is launched from one unit (MODEL.md v2, "No crumbs"); one
            # without a set-up only needs to be visibly above zero to count as used.
            floor = launch_floor(0.0, up) if needs_z else USED_FLOOR
            ctx.constrain(x - floor * z >= 0, "launched")
        zz = z if z is not None else 0
        expenditure = {k: c * x for k, c in self.expenditures.items()}
        for k, c in setup.expenditures.items():
            expenditure[k] = expenditure.get(k, 0) + c * zz
        change = (sum(abs(c) for c in self.revenues.values())
                  + sum(abs(c) for c in self.expenditures.values())) * x
        change = change + sum(abs(c) for c in setup.expenditures.values()) * zz

        def read() -> float:
            val = min(up, max(low, x.value() or 0.0))
            return float(round(val)) if self.integer else val

        return Terms(
            value=x,
            revenue={k: c * x for k, c in self.revenues.items()},
            expenditure=expenditure,
            members=self.members * x,
            fte_use=self.fte * x,
            risk=self.risk_per_unit * x + setup.risk * zz,
            change=change,
            used=z,
            upper=up,
            read=read,
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        setup = self.setup_or_none()
        on = 1.0 if value > EPS else 0.0
        expenditure = {k: c * value for k, c in self.expenditures.items()}
        for k, c in setup.expenditures.items():
            expenditure[k] = expenditure.get(k, 0.0) + c * on
        revenue = {k: c * value for k, c in self.revenues.items()}
        return Effects(value=value, revenue=revenue, expenditure=expenditure,
                       members=self.members * value, fte_use=self.fte * value,
                       gain=sum(revenue.values()) - sum(expenditure.values()),
                       risk=self.risk_per_unit * value + setup.risk * on)

    def describe(self, eff: Effects, case: CaseView) -> str:
        amount = count(eff.value) if self.integer else count(eff.value, 2)
        noun = _("unit") if eff.value == 1 else _("units")
        return _("{lever}: {amount} {noun} (net budget effect {gain})").format(
            lever=self.label or self.id, amount=amount, noun=noun,
            gain=money(eff.gain, "EUR", sign=True))

    def value_problems(self, value: float, case: CaseView) -> list[str]:
        low, up = self.bounds()
        if not self.has_setup():
            return []
        floor = max(low, launch_floor(0.0, up))
        if EPS < value < floor - 1e-6 * max(1.0, floor):
            return [f"lever '{self.id}' = {value:g} is set up below {floor:g} units"]
        return []

    def max_members_added(self) -> float:
        low, up = self.bounds()
        return max(0.0, self.members * low, self.members * up)

    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        problems: list[str] = []
        revenue_ids = {r.id for r in case.revenues}
        expenditure_ids = {e.id for e in case.expenditures}
        for attr, ids in (("revenues", revenue_ids), ("expenditures", expenditure_ids)):
            for line in getattr(self, attr):
                if line not in ids:
                    problems.append(f"{where}.{attr}.{line}: no such {attr[:-1]} line"
                                    f"{near(line, sorted(ids))}")
        setup = self.setup
        for line in (setup.expenditures if setup else {}):
            if line not in expenditure_ids:
                problems.append(f"{where}.setup.expenditures.{line}: no such expenditure line"
                                f"{near(line, sorted(expenditure_ids))}")
        return problems

    def warnings(self, case: CaseView, index: int) -> list[str]:
        return []  # a bound of 0 is a fixed decision, not a forgotten one

    def uses_capacity(self, case: CaseView) -> bool:
        return abs(self.fte) > 0

    def nested_inputs(self, field: str) -> list[tuple[str, str, float, float]]:
        if field != "setup" or self.setup is None:
            return []
        out: list[tuple[str, str, float, float]] = []
        if self.setup.risk:
            out.append(("setup.risk", _("setup risk"), self.setup.risk, 0.0))
        for line, coef in self.setup.expenditures.items():
            if coef:
                out.append((f"setup.expenditures.{line}", _("setup cost {line}").format(line=line),
                            float(coef),
                            -math.inf))
        return out

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        return {"max": max(10 * self.max, 10.0), "min": 0.0}

    def scenario_lines(self, value: float, ctx: EvalContext, sc: ScenarioDraws
                       ) -> tuple[dict[str, Draw], dict[str, Draw]]:
        f = sc.factor[self.id]
        on = 1.0 if value > 1e-7 else 0.0
        revenue = {k: favourable(c * value, "revenue", f) for k, c in self.revenues.items()}
        spending: dict[str, Draw] = {k: favourable(c * value, "expenditure", f)
                                     for k, c in self.expenditures.items()}
        setup = self.setup
        for k, c in (setup.expenditures.items() if setup else ()):
            spending[k] = spending.get(k, 0.0) + favourable(c * on, "expenditure", f)
        return revenue, spending

    def value_event(self, value: float) -> str:
        return count(value) if self.integer else count(value, 2)

    def value_cell(self, value: float) -> str:
        return count(value) if self.integer else count(value, 2)

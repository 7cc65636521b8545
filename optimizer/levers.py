"""The eight lever types of MODEL.md, each in one small unit.

A lever unit is a pydantic model that declares its parameters and defaults,
builds its terms of the linear model (`build`), and evaluates a given
decision value by plain arithmetic (`effects`). The report's figures come
from `effects` applied to the solved plan, so they can be rechecked by hand.
Adding a lever type touches this file only (plus its entry in `LEVER_TYPES`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol

import pulp
from pydantic import AfterValidator, Field, model_validator

from .base import StrictModel
from .distributions import LeverUncertainty
from .fmt import keur

if TYPE_CHECKING:
    from .case import Case

# Allowed values, written once.
ID_PATTERN = r"^[a-z0-9_-]{1,40}$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Notes = str | list[str] | None


def _plain_text(text: str) -> str:
    """Names and labels reach reports and terminals: no control characters (a newline, a
    tab, an escape sequence); quotes, symbols and any other unicode are welcome."""
    for char in text:
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            raise ValueError(f"contains the control character U+{ord(char):04X}; "
                             "write it on one line, in plain text")
    return text


Label = Annotated[str, Field(max_length=200), AfterValidator(_plain_text)]

# A value below this is "zero" when deciding whether a lever is used.
EPS = 1e-7
# Option levers may not expand into more options than this.
MAX_OPTIONS = 1000
# A launched continuous service or set-up custom lever has at least this many units
# (well above EPS and the solvers' tolerances), so that "launched" means value > 0.
LAUNCH_FLOOR = 1e-4


@dataclass(frozen=True)
class Effects:
    """What one lever does to the budget at a given decision value (plain numbers).

    Frozen: a result's figures cannot be changed after the solve (`evaluate` also makes
    the line mappings read-only)."""

    value: float
    revenue: Mapping[str, float] = field(default_factory=dict)
    expenditure: Mapping[str, float] = field(default_factory=dict)
    members: float = 0.0
    fte_use: float = 0.0
    gain: float = 0.0
    risk: float = 0.0

    @property
    def used(self) -> bool:
        return abs(self.value) > EPS


@dataclass
class Terms:
    """What one lever adds to the linear model (PuLP expressions over its own variables)."""

    value: Any = 0
    revenue: dict[str, Any] = field(default_factory=dict)
    expenditure: dict[str, Any] = field(default_factory=dict)
    members: Any = 0
    fte_use: Any = 0
    risk: Any = 0
    change: Any = 0  # EUR moved in the budget, for the "least change" tie-break
    used: Any = None  # 0/1 expression, when the model needs it (max_levers)
    upper: float = 0.0  # the largest decision value the lever may take
    read: Any = None  # callable: () -> decision value from the solved variables


class ModelContext(Protocol):
    """What the model builder offers to a lever while it builds its terms."""

    case: Case
    need_used: bool
    # The tight formulation (README, "Sensitivity runs"): dominated options dropped and
    # implied bounds added. Same optimum; a stronger LP relaxation and a smaller model.
    tight: bool

    def var(self, hint: str, low: float, up: float | None, integer: bool = False) -> Any: ...
    def binary(self, hint: str) -> Any: ...
    def constrain(self, expr: Any, hint: str) -> None: ...
    def fee_choice(self, revenue: str) -> tuple[list[float], list[Any]] | None: ...


class EvalContext(Protocol):
    case: Case

    def fee_increase_on(self, revenue: str) -> float: ...


def _sum(items: Any) -> Any:
    return pulp.lpSum(items)


def option_grid(step: float, top: float) -> list[float]:
    """0, step, 2 step, ... up to top (inclusive, with a tolerance for binary fractions)."""
    count = math.floor(top / step + 1e-9)
    return [round(k * step, 12) for k in range(count + 1)]


class LeverBase(StrictModel):

    id: Id
    label: Label | None = None
    enabled: bool = True
    downside: Fraction | None = None
    # How the planned gain may turn out, for simulations and CVaR (README, "Uncertainty").
    uncertainty: LeverUncertainty | None = None
    notes: Notes = None
    # The tag of the discriminated union `Lever`: each lever type narrows it to its Literal.
    type: str

    default_downside: ClassVar[float] = 0.0
    # Which of the lever's fields name budget lines, and of which side.
    line_fields: ClassVar[dict[str, str]] = {}

    @property
    def risk_share(self) -> float:
        return self.default_downside if self.downside is None else self.downside

    @property
    def name(self) -> str:
        return self.label or self.id

    def upper_bound(self, case: Case) -> float:
        raise NotImplementedError

    def build(self, ctx: ModelContext) -> Terms:
        raise NotImplementedError

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        raise NotImplementedError

    def describe(self, eff: Effects, case: Case) -> str:
        raise NotImplementedError

    # Helpers shared by the continuous / integer levers.
    def _used(self, ctx: ModelContext, var: Any, upper: float, needed: bool) -> Any:
        """A 0/1 indicator z with var <= upper z, created only when something needs it."""
        if not (needed or ctx.need_used) or upper <= 0:
            return None
        z = ctx.binary("used")
        ctx.constrain(var - upper * z <= 0, "used")
        return z


def _k(amount: float) -> str:
    return keur(amount)


class Cut(LeverBase):
    """Cut an expenditure line by v EUR (0 <= v <= max_fraction x baseline)."""

    type: Literal["cut"]
    expenditure: Id
    max_fraction: Fraction = 0.0
    default_downside: ClassVar[float] = 0.25
    line_fields: ClassVar[dict[str, str]] = {"expenditure": "expenditure"}

    def upper_bound(self, case: Case) -> float:
        return self.max_fraction * case.expenditure(self.expenditure).amount

    def _fte_per_eur(self, case: Case) -> float:
        return 1.0 / case.cost_per_fte if case.expenditure(self.expenditure).staff else 0.0

    def build(self, ctx: ModelContext) -> Terms:
        up = self.upper_bound(ctx.case)
        v = ctx.var("eur", 0, up)
        return Terms(
            value=v,
            expenditure={self.expenditure: -1 * v},
            fte_use=self._fte_per_eur(ctx.case) * v,
            risk=self.risk_share * v,
            change=1 * v,
            used=self._used(ctx, v, up, False),
            upper=up,
            read=lambda: max(0.0, v.value() or 0.0),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        return Effects(
            value=value,
            expenditure={self.expenditure: -value},
            fte_use=self._fte_per_eur(ctx.case) * value,
            gain=value,
            risk=self.risk_share * value,
        )

    def describe(self, eff: Effects, case: Case) -> str:
        line = case.expenditure(self.expenditure)
        pct = eff.value / line.amount if line.amount else 0.0
        return f"Cut {line.name} by {_k(eff.value)} EUR ({pct:.1%} of the line)"


class GrantCut(LeverBase):
    """Ask for v EUR less from a public revenue line."""

    type: Literal["grant_cut"]
    revenue: Id
    min_fraction: Fraction = 0.0
    max_fraction: Fraction = 1.0
    default_downside: ClassVar[float] = 0.0
    line_fields: ClassVar[dict[str, str]] = {"revenue": "public"}

    @model_validator(mode="after")
    def _order(self) -> GrantCut:
        if self.min_fraction > self.max_fraction:
            raise ValueError(
                f"min_fraction ({self.min_fraction}) must not exceed max_fraction ({self.max_fraction})"
            )
        return self

    def upper_bound(self, case: Case) -> float:
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
            used=(1 if low > 0 else self._used(ctx, v, up, False)),
            upper=up,
            read=lambda: max(low, v.value() or 0.0),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        return Effects(value=value, revenue={self.revenue: -value}, gain=value,
                       risk=self.risk_share * value)

    def describe(self, eff: Effects, case: Case) -> str:
        line = case.revenue(self.revenue)
        pct = eff.value / line.amount if line.amount else 0.0
        return f"Ask {line.name} for {_k(eff.value)} EUR less ({pct:.1%} of the grant)"


class OptionLever(LeverBase):
    """A lever that picks exactly one value from a grid; each option's effects are exact."""

    # The field holding the top of the grid (0, step, 2 step, ... up to it).
    grid_top: ClassVar[str] = ""

    @model_validator(mode="after")
    def _grid(self) -> OptionLever:
        top, step = getattr(self, self.grid_top), self.step  # type: ignore[attr-defined]
        if top / step > MAX_OPTIONS:
            raise ValueError(f"{self.grid_top} / step gives more than {MAX_OPTIONS} options; "
                             "use a larger step")
        return self

    def options(self, case: Case) -> list[float]:
        raise NotImplementedError

    def model_options(self, ctx: ModelContext) -> list[float]:
        """The options the model offers: all of them, less the dominated ones when tight.

        An option whose gain is not positive is dominated by no change (option 0): it brings
        no income, puts nothing at risk either way, loses members (fees), uses a lever
        slot and moves the budget. That holds unless something else values the option
        itself: new members paying the increased fee on the same line, a rule on the
        lever, its line or the totals it moves, or a tail-risk (CVaR) objective, whose
        scenarios draw other elasticities.
        """
        opts = self.options(ctx.case)
        if not getattr(ctx, "tight", False) or not self._dominance_is_safe(ctx.case):
            return opts
        effs = [self.effects(p, _NoFee(ctx.case)) for p in opts]
        return [p for p, e in zip(opts, effs) if p == 0 or e.gain > 0]

    def _dominance_is_safe(self, case: Case) -> bool:
        if getattr(case.target, "risk_measure", None) == "cvar":
            return False
        line = self.revenue  # type: ignore[attr-defined]
        if any(lever.type == "new_members" and lever.enabled
               and lever.revenue == line for lever in case.levers):
            return False
        touched = {"private", "revenues", "result", "members", "risk", f"lever:{self.id}",
                   f"revenue:{line}"}
        return not any(q in touched for rule in case.rules for q in rule.terms)

    def build_options(self, ctx: ModelContext) -> tuple[list[float], list[Any], Terms]:
        opts = self.model_options(ctx)
        ys = [ctx.binary(f"opt{k}") for k in range(len(opts))]
        ctx.constrain(_sum(ys) == 1, "one_option")
        effs = [self.effects(p, _NoFee(ctx.case)) for p in opts]
        line = self.revenue  # type: ignore[attr-defined]
        terms = Terms(
            value=_sum(p * y for p, y in zip(opts, ys)),
            revenue={line: _sum(e.revenue.get(line, 0.0) * y for e, y in zip(effs, ys))},
            members=_sum(e.members * y for e, y in zip(effs, ys)),
            risk=_sum(e.risk * y for e, y in zip(effs, ys)),
            change=_sum(abs(e.gain) * y for e, y in zip(effs, ys)),
            used=_sum(ys[1:]) if len(ys) > 1 else 0,
            upper=opts[-1],
        )
        terms.read = lambda: opts[max(range(len(ys)), key=lambda k: ys[k].value() or 0.0)]
        return opts, ys, terms

    def snap(self, value: float, case: Case) -> float:
        opts = self.options(case)
        return min(opts, key=lambda p: abs(p - value))


class _NoFee:
    def __init__(self, case: Case):
        self.case = case

    def fee_increase_on(self, revenue: str) -> float:
        return 0.0


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

    def options(self, case: Case) -> list[float]:
        return [p for p in option_grid(self.step, self.max_increase) if self.elasticity * p <= 1 + 1e-12]

    def upper_bound(self, case: Case) -> float:
        return self.options(case)[-1]

    def build(self, ctx: ModelContext) -> Terms:
        return self.build_options(ctx)[2]

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        f0 = ctx.case.revenue(self.revenue).amount
        m0 = ctx.case.members
        e = self.elasticity
        change = f0 * ((1 + value) * (1 - e * value) - 1)
        return Effects(value=value, revenue={self.revenue: change}, members=-e * value * m0,
                       gain=change, risk=self.risk_share * max(change, 0.0))

    def describe(self, eff: Effects, case: Case) -> str:
        lost = -eff.members
        return (f"Raise membership fees by {eff.value:.0%}: {keur(eff.gain, sign=True)} EUR "
                f"after losing about {lost:,.0f} members")


class NewMembers(LeverBase):
    """Recruit n new members who pay the (possibly increased) fee."""

    type: Literal["new_members"]
    revenue: Id = "fees"
    max_new: Count = 0
    fee: Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)] | None = None
    cost_line: Id = "external"
    cost_per_member: Amount = 0.0
    fte_per_member: Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)] = 0.0
    default_downside: ClassVar[float] = 0.5
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}

    def unit_fee(self, case: Case) -> float:
        if self.fee is not None:
            return self.fee
        return case.revenue(self.revenue).amount / case.members if case.members else 0.0

    def upper_bound(self, case: Case) -> float:
        return float(self.max_new)

    def _member_floors(self, ctx: ModelContext, opts: list[float]) -> list[float] | None:
        """For each option of the fee increase on this line, the fewest recruits that keep
        members >= min_members when every other lever adds all the members it can."""
        case = ctx.case
        floor = case.target.min_members
        fee = next((lever for lever in case.levers if lever.type == "fee_increase"
                    and lever.enabled and lever.revenue == self.revenue), None)
        if floor is None or fee is None:
            return None
        others = 0.0  # the most members the other levers can bring
        for lever in case.levers:
            if lever is self or not lever.enabled:
                continue
            if lever.type == "new_members":
                others += lever.max_new
            elif lever.type == "custom":
                low, up = lever._bounds()
                others += max(0.0, lever.members * low, lever.members * up)
        m0 = case.members
        out = []
        for p in opts:
            need = floor - m0 + fee.elasticity * p * m0 - others
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
            floors = self._member_floors(ctx, opts) if getattr(ctx, "tight", False) else None
            ws = []
            for k, (p, y) in enumerate(zip(opts, ys)):
                w = ctx.var(f"w{k}", 0, self.max_new)
                ctx.constrain(w - self.max_new * y <= 0, f"w{k}")
                if floors is not None and floors[k] > 0:
                    # Implied by min_members: with fee option k, at least floors[k] recruits.
                    ctx.constrain(w - floors[k] * y >= 0, f"w{k}_floor")
                ws.append((p, w))
            ctx.constrain(n - _sum(w for _, w in ws) == 0, "split")
            income = _sum(f * (1 + p) * w for p, w in ws)
        return Terms(
            value=n,
            revenue={self.revenue: income},
            expenditure={self.cost_line: self.cost_per_member * n},
            members=1 * n,
            fte_use=self.fte_per_member * n,
            risk=self.risk_share * income,
            change=income + self.cost_per_member * n,
            used=self._used(ctx, n, self.max_new, False),
            upper=float(self.max_new),
            read=lambda: float(round(n.value() or 0.0)),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        p = ctx.fee_increase_on(self.revenue)
        income = value * self.unit_fee(ctx.case) * (1 + p)
        return Effects(value=value, revenue={self.revenue: income},
                       expenditure={self.cost_line: self.cost_per_member * value},
                       members=value, fte_use=self.fte_per_member * value, gain=income,
                       risk=self.risk_share * income)

    def describe(self, eff: Effects, case: Case) -> str:
        return f"Recruit {eff.value:,.0f} new members: +{_k(eff.gain)} EUR in fees"


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
    default_downside: ClassVar[float] = 0.4
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}

    def upper_bound(self, case: Case) -> float:
        return float(math.floor(self.max_units + 1e-9)) if self.integer else self.max_units

    def build(self, ctx: ModelContext) -> Terms:
        up = self.upper_bound(ctx.case)
        u = ctx.var("units", 0, up, integer=self.integer)
        needs_z = self.min_units > 0 or self.setup_cost > 0 or self.launch_risk > 0
        z = self._used(ctx, u, up, needs_z)
        if z is not None:
            # Launched (z = 1) only when units are sold: z = 1 with u = 0 would pay the
            # setup cost for nothing (a way to burn money under an == rule), which
            # `effects` (launched iff u > 0) does not count.
            floor = max(self.min_units, 1.0 if self.integer else LAUNCH_FLOOR)
            ctx.constrain(u - floor * z >= 0, "min_units")
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

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        launched = 1.0 if value > EPS else 0.0
        income = self.price * value
        return Effects(value=value, revenue={self.revenue: income},
                       expenditure={self.cost_line: self.unit_cost * value + self.setup_cost * launched},
                       fte_use=self.fte_per_unit * value, gain=income,
                       risk=self.risk_share * income + self.launch_risk * launched)

    def describe(self, eff: Effects, case: Case) -> str:
        what = self.label or f"service '{self.id}'"
        units = f"{eff.value:,.0f}" if self.integer else f"{eff.value:,.2f}"
        noun = "unit" if eff.value == 1 else "units"
        return f"Sell {units} {noun} of {what} at {self.price:,.0f} EUR: +{_k(eff.gain)} EUR"


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

    def options(self, case: Case) -> list[float]:
        return option_grid(self.step, self.max_rate)

    def upper_bound(self, case: Case) -> float:
        return self.options(case)[-1]

    def build(self, ctx: ModelContext) -> Terms:
        return self.build_options(ctx)[2]

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        change = value * self.volume * (1 - self.volume_elasticity * value)
        return Effects(value=value, revenue={self.revenue: change}, gain=change,
                       risk=self.risk_share * max(change, 0.0))

    def describe(self, eff: Effects, case: Case) -> str:
        return (f"Charge a {eff.value:.1%} success fee on funded member projects: "
                f"{keur(eff.gain, sign=True)} EUR")


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
    default_downside: ClassVar[float] = 0.6
    line_fields: ClassVar[dict[str, str]] = {"revenue": "private", "cost_line": "expenditure"}

    def upper_bound(self, case: Case) -> float:
        return float(self.max_proposals)

    def _per_proposal(self) -> tuple[float, float, float]:
        q, g = self.success_rate, self.grant
        income = q * g
        cost = q * self.cost_share * g + self.proposal_cost
        fte = q * self.fte_per_project + self.fte_per_proposal
        return income, cost, fte

    def build(self, ctx: ModelContext) -> Terms:
        income, cost, fte = self._per_proposal()
        n = ctx.var("count", 0, self.max_proposals, integer=True)
        return Terms(
            value=n,
            revenue={self.revenue: income * n},
            expenditure={self.cost_line: cost * n},
            fte_use=fte * n,
            risk=self.risk_share * income * n,
            change=(income + cost) * n,
            used=self._used(ctx, n, self.max_proposals, False),
            upper=float(self.max_proposals),
            read=lambda: float(round(n.value() or 0.0)),
        )

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        income, cost, fte = self._per_proposal()
        return Effects(value=value, revenue={self.revenue: income * value},
                       expenditure={self.cost_line: cost * value}, fte_use=fte * value,
                       gain=income * value, risk=self.risk_share * income * value)

    def describe(self, eff: Effects, case: Case) -> str:
        won = eff.value * self.success_rate
        return (f"Submit {eff.value:,.0f} EU proposals (about {won:.1f} won at "
                f"{self.success_rate:.0%}): +{_k(eff.gain)} EUR")


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

    @model_validator(mode="after")
    def _order(self) -> Custom:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        low, up = self._bounds()
        if self.integer and low > up:
            raise ValueError(f"integer is true but no whole number lies between min ({self.min:g}) "
                             f"and max ({self.max:g}); widen them or set integer to false")
        return self

    def _bounds(self) -> tuple[float, float]:
        if self.integer:
            return float(math.ceil(self.min - 1e-9)), float(math.floor(self.max + 1e-9))
        return self.min, self.max

    def upper_bound(self, case: Case) -> float:
        return self._bounds()[1]

    def _setup(self) -> CustomSetup:
        return self.setup or CustomSetup()

    def build(self, ctx: ModelContext) -> Terms:
        low, up = self._bounds()
        x = ctx.var("units", low, up, integer=self.integer)
        setup = self._setup()
        needs_z = bool(setup.expenditures) or setup.risk > 0
        z = 1 if low > 0 else self._used(ctx, x, up, needs_z)
        if z is not None and not isinstance(z, int):
            # Set up (z = 1) only when x > 0, as `effects` counts it (see Service).
            ctx.constrain(x - (1.0 if self.integer else LAUNCH_FLOOR) * z >= 0, "launched")
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
        setup = self._setup()
        on = 1.0 if value > EPS else 0.0
        expenditure = {k: c * value for k, c in self.expenditures.items()}
        for k, c in setup.expenditures.items():
            expenditure[k] = expenditure.get(k, 0.0) + c * on
        revenue = {k: c * value for k, c in self.revenues.items()}
        return Effects(value=value, revenue=revenue, expenditure=expenditure,
                       members=self.members * value, fte_use=self.fte * value,
                       gain=sum(revenue.values()) - sum(expenditure.values()),
                       risk=self.risk_per_unit * value + setup.risk * on)

    def describe(self, eff: Effects, case: Case) -> str:
        amount = f"{eff.value:,.0f}" if self.integer else f"{eff.value:,.2f}"
        noun = "unit" if eff.value == 1 else "units"
        return (f"{self.label or self.id}: {amount} {noun} "
                f"(net budget effect {keur(eff.gain, sign=True)} EUR)")


LEVER_TYPES: dict[str, type[LeverBase]] = {
    "cut": Cut,
    "grant_cut": GrantCut,
    "fee_increase": FeeIncrease,
    "new_members": NewMembers,
    "service": Service,
    "success_fee": SuccessFee,
    "eu_projects": EuProjects,
    "custom": Custom,
}

Lever = Annotated[
    Cut | GrantCut | FeeIncrease | NewMembers | Service | SuccessFee | EuProjects | Custom,
    Field(discriminator="type"),
]

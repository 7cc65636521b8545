"""The lever protocol: what every lever type knows and does, and the contexts it works in.

A lever type is a pydantic model (its parameters and defaults) whose methods do
everything the rest of the package needs from it: its bounds, its effects at a given
decision value (plain arithmetic, `effects`), its terms of the linear model (`build`,
through a `ModelContext`: no solver library here), its relaxation for the diagnosis,
its realisation factor and its lines in each scenario, its rows of the CVaR program,
its checks, warnings, words and value formats. The defaults live here; each lever
type (one file each) overrides what it does differently, and `registry.py` names it.

Levers know the case only through `CaseView`, a small protocol the `Case` satisfies:
the case layer sits above the levers and is never imported from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from pydantic import Field, model_validator

from ..base import StrictModel
from ..fmt import count, currency, general, money, pct, pct_short
from ..i18n import decimal as local_decimal
from ..i18n import gettext as _
from ..i18n import is_default
from .fields import Fraction, Id, Label, Notes
from .uncertainty import LeverUncertainty, Triangular, order_problems, triangular

if TYPE_CHECKING:
    import numpy as np

# A value below this is "zero" when deciding whether a lever is used.
EPS = 1e-7
# Option levers may not expand into more options than this.
MAX_OPTIONS = 1000
# A launched continuous service or set-up custom lever sells at least one unit (or its
# whole bound when that is below one): a plan never pays a set-up for a quantity it then
# reports as zero (MODEL.md v2, "No crumbs"; version 1's README floor was 1e-4 units).
LAUNCH_FLOOR = 1.0
# A continuous lever without a set-up counts as used (max_levers) from this many units:
# well above the solvers' tolerances, so that "used" means value > 0 (version 1's floor).
USED_FLOOR = 1e-4


def launch_floor(minimum: float, upper: float) -> float:
    """The fewest units of a launched lever: its own minimum, and at least one unit (or its
    upper bound when that is below one)."""
    return max(minimum, min(LAUNCH_FLOOR, upper))

Draw = Any  # a number (the same in every scenario) or a NumPy array (one per scenario)


# ------------------------------------------------------------------ what a lever sees


class LineView(Protocol):
    """A budget line of the case, as a lever reads it."""

    @property
    def id(self) -> str: ...
    @property
    def amount(self) -> float: ...
    @property
    def name(self) -> str: ...


class RevenueView(LineView, Protocol):
    @property
    def public(self) -> bool: ...


class ExpenditureView(LineView, Protocol):
    @property
    def staff(self) -> bool: ...


class CaseView(Protocol):
    """What a lever may read of the case (the `Case` satisfies it)."""

    @property
    def members(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def levers(self) -> Sequence[LeverBase]: ...
    @property
    def revenues(self) -> Sequence[RevenueView]: ...
    @property
    def expenditures(self) -> Sequence[ExpenditureView]: ...
    @property
    def rules(self) -> Sequence[Any]: ...
    @property
    def target(self) -> Any: ...
    @property
    def cost_per_fte(self) -> float: ...

    def revenue(self, line: str) -> RevenueView: ...
    def expenditure(self, line: str) -> ExpenditureView: ...


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
    """What one lever adds to the linear model (expressions over its own variables)."""

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
    # An option lever's grid and its 0/1 variables (one is 1), for terms built per option.
    choice: tuple[list[float], list[Any]] | None = None


class ModelContext(Protocol):
    """What the model builder offers to a lever while it builds its terms.

    Variables and expressions are the builder's own objects; a lever combines them with
    + - * and comparisons, and sums them with `sum`, never with a solver library.
    """

    @property
    def case(self) -> CaseView: ...
    @property
    def need_used(self) -> bool: ...
    # The tight formulation (README, "Sensitivity runs"): dominated options dropped and
    # implied bounds added. Same optimum; a stronger LP relaxation and a smaller model.
    @property
    def tight(self) -> bool: ...

    def var(self, hint: str, low: float, up: float | None, integer: bool = False) -> Any: ...
    def binary(self, hint: str) -> Any: ...
    def constrain(self, expr: Any, hint: str) -> None: ...
    def sum(self, items: Iterable[Any]) -> Any: ...
    def fee_choice(self, revenue: str) -> tuple[list[float], list[Any]] | None: ...
    def set_fee_choice(self, revenue: str, options: list[float], ys: list[Any]) -> None: ...
    def split(self, expr: Any) -> tuple[Any, Any]:
        """(the terms of expr with positive coefficients, those with negative ones); lever
        variables are never negative, so these are its gains and its losses."""
        ...


class EvalContext(Protocol):
    """What a lever sees while it evaluates a decision value by arithmetic."""

    @property
    def case(self) -> CaseView: ...

    def fee_increase_on(self, revenue: str) -> float: ...


class ScenarioDraws(Protocol):
    """The draws of a case's scenarios, as a lever reads them (plan.scenarios.Scenarios)."""

    @property
    def case(self) -> CaseView: ...
    @property
    def n(self) -> int: ...
    @property
    def factor(self) -> Mapping[str, Draw]: ...
    @property
    def elasticity(self) -> Mapping[str, Draw]: ...

    def wins(self, lever: Any, count: int) -> np.ndarray: ...
    def win_columns(self, lever: Any, count: int) -> np.ndarray: ...


class ScenarioRows(Protocol):
    """What the CVaR program offers a lever while it writes its rows (model.cvar).

    A scenario row holds private revenue, public revenue and spending ("sides") as a
    constant plus columns, each column a model variable with one coefficient per
    scenario.
    """

    @property
    def scenarios(self) -> ScenarioDraws: ...

    def side_of(self, line: str, kind: str) -> str: ...
    def add_line(self, kind: str, line: str, expr: Any, factor: Draw, hint: str) -> None: ...
    def column(self, var: Any, side: str, values: Any) -> None: ...
    def column_by_side(self, var: Any, values: Mapping[str, Any]) -> None: ...
    def aux(self, pairs: list[tuple[Any, float]], hint: str) -> Any: ...
    def add_fixed(self, side: str, expr: Any) -> None: ...
    def coefficients(self, expr: Any) -> list[tuple[Any, float]]: ...
    def binary(self, name: str) -> Any: ...
    def constrain(self, expr: Any, name: str) -> None: ...
    def sum(self, items: Iterable[Any]) -> Any: ...


def option_grid(step: float, top: float) -> list[float]:
    """0, step, 2 step, ... up to top (inclusive, with a tolerance for binary fractions)."""
    count = math.floor(top / step + 1e-9)
    return [round(k * step, 12) for k in range(count + 1)]


def favourable(amount: float, side: str, factor: Draw) -> Draw:
    """A lever's effect on a line in a scenario: the favourable part times the factor."""
    good = amount > 0 if side == "revenue" else amount < 0
    return factor * amount if good else amount


class EveryOption:
    """A model context in which an option lever offers every option (no dominance drop),
    the rest as the wrapped context."""

    tight = False

    def __init__(self, ctx: ModelContext):
        self.wrapped = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


class NoFeeIncrease:
    """An evaluation context in which no fee is raised (each option of a lever alone)."""

    def __init__(self, case: CaseView):
        self.case = case

    def fee_increase_on(self, revenue: str) -> float:
        return 0.0


@dataclass(frozen=True)
class YearView:
    """Where a lever stands in a horizon (docs/MODEL.md, "Horizon"): year `index` (0 for
    the first) of `count` years."""

    index: int
    count: int

    @property
    def single(self) -> bool:
        """A one-year horizon: today's model."""
        return self.count == 1


# ------------------------------------------------------------------ the base of every lever


class LeverBase(StrictModel):

    id: Id
    label: Label | None = None
    enabled: bool = True
    downside: Fraction | None = None
    # How the planned gain may turn out, for simulations and CVaR (README, "Uncertainty").
    uncertainty: LeverUncertainty | None = None
    notes: Notes = None
    # The tag of the discriminated union of lever types: each type narrows it to its Literal.
    type: str

    default_downside: ClassVar[float] = 0.0
    # Which of the lever's fields name budget lines, and of which side.
    line_fields: ClassVar[dict[str, str]] = {}
    # The field that bounds the decision value, to name in a refusal.
    bound_field: ClassVar[str] = ""
    # The optional fields of `uncertainty` this type reads (beyond low, mode, high).
    uncertainty_fields: ClassVar[frozenset[str]] = frozenset()

    @property
    def risk_share(self) -> float:
        return self.default_downside if self.downside is None else self.downside

    @property
    def name(self) -> str:
        return self.label or self.id

    # -- bounds, effects, model terms (each type)
    def upper_bound(self, case: CaseView) -> float:
        raise NotImplementedError

    def build(self, ctx: ModelContext) -> Terms:
        raise NotImplementedError

    def effects(self, value: float, ctx: EvalContext) -> Effects:
        raise NotImplementedError

    def describe(self, eff: Effects, case: CaseView) -> str:
        raise NotImplementedError

    def extreme_values(self, case: CaseView) -> list[float]:
        """The decision values at which the lever moves the budget most (magnitude checks)."""
        return [0.0, self.upper_bound(case)]

    def option_variables(self, case: CaseView, fee_options: Mapping[str, int]) -> int:
        """0/1 option variables the lever adds to the model (fee_options: options of the
        fee increase on each line)."""
        return 0

    # -- how levers meet: membership fees
    def raises_fee_on(self) -> str | None:
        """The membership-fee line whose fee this lever raises (None: none)."""
        return None

    def recruits_on(self) -> str | None:
        """The membership-fee line the members this lever recruits pay into (None: none)."""
        return None

    def max_members_added(self) -> float:
        """The most members the lever can add (for the implied bounds of the tight model)."""
        return 0.0

    # -- validation, warnings, diagnosis
    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        """Cross-field problems beyond `line_fields` (the lines exist, on the right side)."""
        return []

    def warnings(self, case: CaseView, index: int) -> list[str]:
        """Things the user probably did not mean (the plan is still exact as written)."""
        why = self.stuck_reason(case) if self.enabled else None
        return [_("levers[{index}] ({id}): it cannot move: {why}").format(
            index=index, id=self.id, why=why)] if why else []

    def stuck_reason(self, case: CaseView) -> str | None:
        """Why an enabled lever cannot move from 0, naming its own field and what to do
        (None: it can move)."""
        if self.upper_bound(case) > 0:
            return None
        field = self.bound_field
        return _("{field} is 0 (set {field})").format(field=field) if field else \
            _("its bound is 0")

    def uses_capacity(self, case: CaseView) -> bool:
        """Whether the lever can use staff capacity (FTE)."""
        return False

    def nested_inputs(self, field: str) -> list[tuple[str, str, float, float]]:
        """The numeric inputs inside a nested block of the lever (a tornado moves them):
        (path below the lever, words, value, lowest allowed value)."""
        return []

    def relaxed_bounds(self, case: CaseView) -> dict[str, Any]:
        """The lever's bound fields opened by an order of magnitude, for the diagnosis
        (README, "Blocking constraints"); {} when it has nothing to relax."""
        return {}

    # -- uncertainty
    def factor_carried_elsewhere(self) -> bool:
        """Whether another draw (an elasticity, the wins) carries the risk by default."""
        return False

    def realisation(self) -> Triangular:
        """The realisation factor of the lever's favourable effects (1 when certain).

        Default low = 1 - downside, mode = high = 1; a type whose risk is carried by
        another draw has a factor of 1 unless one is given.
        """
        from .uncertainty import CERTAIN

        u = self.uncertainty
        if u is not None and (u.low is not None or u.mode is not None or u.high is not None):
            low = u.low if u.low is not None else (
                1.0 if self.factor_carried_elsewhere() else 1.0 - self.risk_share)
            return triangular(low, u.mode, u.high)
        if self.factor_carried_elsewhere():
            return CERTAIN
        return triangular(1.0 - self.risk_share, None, None)

    def elasticity_range(self) -> Triangular | None:
        """A drawn elasticity (a fee increase with a range), else None."""
        return None

    def uncertainty_problems(self, where: str) -> list[str]:
        """Cross-field problems of the lever's `uncertainty` block, with JSON paths."""
        u = self.uncertainty
        if u is None:
            return []
        problems: list[str] = []
        if u.elasticity is not None and "elasticity" not in self.uncertainty_fields:
            problems.append(f"{where}.elasticity: only a fee_increase lever has an elasticity")
        if u.wins is not None and "wins" not in self.uncertainty_fields:
            problems.append(f"{where}.wins: only an eu_projects lever has proposals to win")
        if u.low is not None or u.mode is not None or u.high is not None:
            low = u.low if u.low is not None else (
                1.0 if self.factor_carried_elsewhere() else 1.0 - self.risk_share)
            problems += order_problems(where, low, u.mode, u.high, low_given=u.low is not None)
        return problems + self.more_uncertainty_problems(where)

    def more_uncertainty_problems(self, where: str) -> list[str]:
        return []

    def scenario_lines(self, value: float, ctx: EvalContext, sc: ScenarioDraws
                       ) -> tuple[dict[str, Draw], dict[str, Draw]]:
        """The lever's effect on each revenue and expenditure line, in every scenario:
        its favourable effects times its factor, the rest as planned."""
        f = sc.factor[self.id]
        eff = self.effects(value, ctx)
        return ({k: favourable(a, "revenue", f) for k, a in eff.revenue.items()},
                {k: favourable(a, "expenditure", f) for k, a in eff.expenditure.items()})

    def scenario_rows(self, rows: ScenarioRows, terms: Terms, index: int) -> None:
        """The lever's part of the CVaR program's scenario rows: on each line, the
        favourable terms times the lever's factor, the committed ones as they are."""
        f = rows.scenarios.factor[self.id]
        for kind, lines in (("revenue", terms.revenue), ("expenditure", terms.expenditure)):
            for line, expr in lines.items():
                rows.add_line(kind, line, expr, f, f"l{index}_gain")

    # -- version 2: the low case, members lost, eligible costs (docs/MODEL.md, version 2)
    # Whether the lever's spending changes count in the eligible costs of running the
    # cluster (a cut does; what services, new members and EU projects add does not).
    counts_in_eligible: ClassVar[bool] = False

    def low_factor(self) -> float:
        """The factor of the lever's favourable effects in its low case."""
        return self.realisation().low

    def low_lines(self, value: float, ctx: EvalContext
                  ) -> tuple[dict[str, float], dict[str, float]]:
        """The lever's effect on each revenue and expenditure line in its low case: the
        favourable effects times the low factor, the committed ones as planned."""
        f = self.low_factor()
        eff = self.effects(value, ctx)
        return ({k: favourable(a, "revenue", f) for k, a in eff.revenue.items()},
                {k: favourable(a, "expenditure", f) for k, a in eff.expenditure.items()})

    def low_terms(self, ctx: ModelContext, terms: Terms) -> tuple[dict[str, Any], dict[str, Any]]:
        """`low_lines` as model expressions over the lever's variables."""
        f = self.low_factor()

        def scaled(expr: Any, gains_are_favourable: bool) -> Any:
            gains, losses = ctx.split(expr)
            return f * gains + losses if gains_are_favourable else gains + f * losses

        return ({k: scaled(e, True) for k, e in terms.revenue.items()},
                {k: scaled(e, False) for k, e in terms.expenditure.items()})

    def members_lost_terms(self, ctx: ModelContext, terms: Terms) -> Any:
        """The members the lever drives away, as an expression (new members do not
        offset it)."""
        return -1 * ctx.split(terms.members)[1]

    def value_problems(self, value: float, case: CaseView) -> list[str]:
        """What is wrong with a decision value beyond its bounds (a recheck of plans)."""
        return []

    # -- the horizon (docs/MODEL.md, "Horizon"): how the lever carries across years
    def build_year(self, ctx: ModelContext, year: YearView, earlier: Sequence[Terms]) -> Terms:
        """The lever's terms in one year of a horizon, linked to its terms in the years
        before (`earlier`, oldest first). Default: the one-year terms, free each year."""
        return self.build(ctx)

    def year_effects(self, values: Sequence[float], year: YearView, ctx: EvalContext
                     ) -> Effects:
        """The lever's effects in year `year.index`, by arithmetic, from its values in
        every year up to that one. Default: the one-year effects of the year's value."""
        return self.effects(values[year.index], ctx)

    def path_problems(self, values: Sequence[float], case: CaseView) -> list[str]:
        """What breaks the lever's links between years in a path of values (a recheck)."""
        return []

    def year_low_lines(self, values: Sequence[float], year: YearView, ctx: EvalContext
                       ) -> tuple[dict[str, float], dict[str, float]]:
        """The lever's effect on each line in year `year.index` of a path in its low case
        (docs/MODEL.md, "Horizon", the rows of each year: each year's low cases as in
        "Robust targets"): its one-year low case at the year's value when its year's
        effects are its one-year effects; else the year's favourable effects times the
        low factor, the committed ones as planned."""
        if type(self).year_effects is LeverBase.year_effects:
            return self.low_lines(values[year.index], ctx)
        f = self.low_factor()
        eff = self.year_effects(values, year, ctx)
        return ({k: favourable(a, "revenue", f) for k, a in eff.revenue.items()},
                {k: favourable(a, "expenditure", f) for k, a in eff.expenditure.items()})

    def year_scenario_lines(self, values: Sequence[float], year: YearView, ctx: EvalContext,
                            sc: ScenarioDraws) -> tuple[dict[str, Draw], dict[str, Draw]]:
        """The lever's effect on each line in year `year.index` of a path, in every scenario
        of that year's draws (docs/MODEL.md, "CVaR over a path"): its one-year
        `scenario_lines` at the year's value when its year's effects are its one-year
        effects (and always in a one-year horizon); else its favourable year effects times
        its factor, the committed ones as planned."""
        if year.single or type(self).year_effects is LeverBase.year_effects:
            return self.scenario_lines(values[year.index], ctx, sc)
        f = sc.factor[self.id]
        eff = self.year_effects(values, year, ctx)
        return ({k: favourable(a, "revenue", f) for k, a in eff.revenue.items()},
                {k: favourable(a, "expenditure", f) for k, a in eff.expenditure.items()})

    def year_scenario_rows(self, rows: ScenarioRows, terms: Terms, index: int, year: YearView
                           ) -> None:
        """`year_scenario_lines` as CVaR rows over the year's terms: the one-year
        `scenario_rows` when the year's effects are the one-year ones; else the year's
        favourable terms times the factor (`LeverBase.scenario_rows`)."""
        if year.single or type(self).year_effects is LeverBase.year_effects:
            self.scenario_rows(rows, terms, index)
        else:
            LeverBase.scenario_rows(self, rows, terms, index)

    # -- value formats, in the lever's unit
    def value_compared(self, value: float, currency: str) -> str:
        """A non-zero decision value in a few characters, with its unit (plan comparisons)."""
        amount = f"{value:,.2f}".rstrip("0").rstrip(".")
        if not is_default():
            amount = local_decimal(value, "#,##0.##")
        return _("{n} units").format(n=amount)

    def value_event(self, value: float) -> str:
        """A finite decision value in the text of a frontier event."""
        return count(value)

    def value_cell(self, value: float) -> str:
        """A finite decision value in a sensitivity table (12%, 69.8 k, 76)."""
        return count(value)

    # Helpers shared by the continuous / integer levers.
    def used_indicator(self, ctx: ModelContext, var: Any, upper: float, needed: bool) -> Any:
        """A 0/1 indicator z with var <= upper z, created only when something needs it."""
        if not (needed or ctx.need_used) or upper <= 0:
            return None
        z = ctx.binary("used")
        ctx.constrain(var - upper * z <= 0, "used")
        return z


class OptionLever(LeverBase):
    """A lever that picks exactly one value from a grid; each option's effects are exact."""

    # The field holding the top of the grid (0, step, 2 step, ... up to it).
    grid_top: ClassVar[str] = ""

    @model_validator(mode="after")
    def _grid(self) -> OptionLever:
        top, step = getattr(self, self.grid_top), self.step  # type: ignore[attr-defined]
        if top / step > MAX_OPTIONS:
            raise ValueError(_("{field} / step gives more than {n} options; use a larger step")
                             .format(field=self.grid_top, n=MAX_OPTIONS))
        return self

    @property
    def revenue_line(self) -> str:
        """The revenue line whose amount the options change (each type's `revenue` field)."""
        line: str = self.revenue  # type: ignore[attr-defined]
        return line

    def options(self, case: CaseView) -> list[float]:
        raise NotImplementedError

    def upper_bound(self, case: CaseView) -> float:
        return self.options(case)[-1]

    def stuck_reason(self, case: CaseView) -> str | None:
        if self.upper_bound(case) > 0:
            return None
        top, step = getattr(self, self.grid_top), self.step  # type: ignore[attr-defined]
        if top > 0 and step > top:
            return _("its step ({step}) is larger than {field} ({top}), so the grid 0, {step}, "
                     "... has no option above 0 up to {top}; use a step of at most {top}").format(
                step=f"{step:g}", field=self.grid_top, top=f"{top:g}")
        return super().stuck_reason(case)

    def extreme_values(self, case: CaseView) -> list[float]:
        return self.options(case)

    def option_variables(self, case: CaseView, fee_options: Mapping[str, int]) -> int:
        return len(self.options(case))

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
        if not getattr(ctx, "tight", False) or not self.dominance_is_safe(ctx.case):
            return opts
        effs = [self.effects(p, NoFeeIncrease(ctx.case)) for p in opts]
        return [p for p, e in zip(opts, effs) if p == 0 or e.gain > 0]

    def dominance_is_safe(self, case: CaseView) -> bool:
        if getattr(case.target, "risk_measure", None) == "cvar":
            return False
        if getattr(case.target, "max_result", None) is not None:
            return False  # under a surplus cap, an option that loses income can be useful
        line = self.revenue_line
        if any(lever.enabled and lever.recruits_on() == line for lever in case.levers):
            return False
        touched = {"private", "revenues", "result", "members", "risk", f"lever:{self.id}",
                   f"revenue:{line}"}
        return not any(q in touched for rule in case.rules for q in rule.terms)

    def build_options(self, ctx: ModelContext) -> tuple[list[float], list[Any], Terms]:
        opts = self.model_options(ctx)
        ys = [ctx.binary(f"opt{k}") for k in range(len(opts))]
        ctx.constrain(ctx.sum(ys) == 1, "one_option")
        effs = [self.effects(p, NoFeeIncrease(ctx.case)) for p in opts]
        line = self.revenue_line
        terms = Terms(
            value=ctx.sum(p * y for p, y in zip(opts, ys)),
            revenue={line: ctx.sum(e.revenue.get(line, 0.0) * y for e, y in zip(effs, ys))},
            members=ctx.sum(e.members * y for e, y in zip(effs, ys)),
            risk=ctx.sum(e.risk * y for e, y in zip(effs, ys)),
            change=ctx.sum(abs(e.gain) * y for e, y in zip(effs, ys)),
            used=ctx.sum(ys[1:]) if len(ys) > 1 else 0,
            upper=opts[-1],
        )
        terms.read = _option_reader(opts, ys)
        terms.choice = (opts, ys)
        return opts, ys, terms

    def build(self, ctx: ModelContext) -> Terms:
        return self.build_options(ctx)[2]

    def snap(self, value: float, case: CaseView) -> float:
        opts = self.options(case)
        return min(opts, key=lambda p: abs(p - value))

    def value_compared(self, value: float, currency: str) -> str:
        return pct_short(value)

    def value_event(self, value: float) -> str:
        return pct(value)

    def value_cell(self, value: float) -> str:
        return pct_short(value)


class AmountLever(LeverBase):
    """A lever whose decision value is an amount of EUR (`cut`, `grant_cut`), with the
    crumb guards of version 2: `min_amount` (0 or at least this) and `round_to` (a whole
    multiple of it)."""

    min_amount: Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)] = 0.0
    round_to: Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)] | None = None

    def raw_bounds(self, case: CaseView) -> tuple[float, float]:
        """(lowest, highest) EUR before the crumb guards."""
        raise NotImplementedError

    def amount_bounds(self, case: CaseView) -> tuple[float, float]:
        """(lowest, highest) EUR: the raw bounds brought in to whole multiples of
        round_to, the lowest raised to min_amount when it is not 0. lowest > highest when
        no allowed value lies between them (only 0 is then possible, if the lowest is 0)."""
        low, up = self.raw_bounds(case)
        if low > 0:
            low = max(low, self.min_amount)
        r = self.round_to
        if r is not None:
            low = math.ceil(low / r - 1e-9) * r
            up = math.floor(up / r + 1e-9) * r
        return low, up

    def upper_bound(self, case: CaseView) -> float:
        low, up = self.amount_bounds(case)
        if low > 0 and low > up:
            return low  # no allowed value (a validation error names it)
        first = self.first_step(case)
        return up if up >= first else 0.0

    def stuck_reason(self, case: CaseView) -> str | None:
        if self.upper_bound(case) > 0:
            return None
        raw_up = self.raw_bounds(case)[1]
        if raw_up > 0:  # the crumb guards leave no allowed amount above 0
            first = self.first_step(case)
            return _("its most ({most} {cur}) is below its smallest allowed move ({first} "
                     "{cur}, from min_amount and round_to); lower min_amount or round_to, or "
                     "raise {field}").format(most=count(raw_up), first=count(first),
                                             cur=currency(case.currency),
                                             field=self.bound_field)
        return super().stuck_reason(case)

    def first_step(self, case: CaseView) -> float:
        """The smallest non-zero amount allowed."""
        first = self.min_amount
        if self.round_to is not None:
            first = max(first, self.round_to)
            first = math.ceil(first / self.round_to - 1e-9) * self.round_to
        return first

    def build_amount(self, ctx: ModelContext) -> tuple[Any, Any, Callable[[], float]]:
        """(the amount v, its 0/1 "used" indicator or None, a reader of its value)."""
        low, _ = self.amount_bounds(ctx.case)
        up = self.upper_bound(ctx.case)
        r = self.round_to
        if r is not None:
            k = ctx.var("steps", round(low / r), round(up / r), integer=True)
            v = r * k
        else:
            k = None
            v = ctx.var("eur", low, up)
        first = self.first_step(ctx.case)
        if low > 0:
            used: Any = 1
        else:
            used = self.used_indicator(ctx, v, up, first > 0)
            if first > 0 and used is not None:
                ctx.constrain(v - first * used >= 0, "min_amount")

        def read() -> float:
            if k is not None:
                return float(r * round(k.value() or 0.0))  # type: ignore[operator]
            return max(low, v.value() or 0.0)

        return v, used, read

    def value_problems(self, value: float, case: CaseView) -> list[str]:
        out: list[str] = []
        if abs(value) <= EPS:
            return out
        first = self.first_step(case)
        if value < first - 1e-6 * max(1.0, first):
            out.append(f"lever '{self.id}' = {value:g} is below its smallest amount {first:g}")
        r = self.round_to
        if r is not None and abs(value / r - round(value / r)) > 1e-6:
            out.append(f"lever '{self.id}' = {value:g} is not a multiple of {r:g}")
        return out

    def reference_problems(self, case: CaseView, where: str) -> list[str]:
        low, up = self.amount_bounds(case)
        if self.enabled and low > 0 and low > up:
            return [(f"{where}.round_to: no multiple of {self.round_to:g} (at least "
                     f"min_amount {self.min_amount:g}) lies between the lever's bounds "
                     f"({self.raw_bounds(case)[0]:,.0f} to {self.raw_bounds(case)[1]:,.0f} "
                     "EUR); lower round_to or min_amount, or widen the bounds")]
        return []


def stays_up(ctx: ModelContext, terms: Terms, earlier: Sequence[Terms], keep: float = 1.0
             ) -> None:
    """A value that never falls from one year to the next (keep: the share of last
    year's value that must stay)."""
    if earlier:
        ctx.constrain(terms.value - keep * earlier[-1].value >= 0, "stays")


def falls(lever: LeverBase, values: Sequence[float], keep: float = 1.0) -> list[str]:
    """The years where a value that must stay fell (a recheck of `stays_up`)."""
    return [_("lever '{id}' falls from {before} to {after} in year {year}").format(
                id=lever.id, before=general(values[k - 1]), after=general(values[k]), year=k + 1)
            for k in range(1, len(values))
            if values[k] < keep * values[k - 1] - 1e-6 * max(1.0, abs(values[k - 1]))]


def _option_reader(opts: list[float], ys: list[Any]) -> Callable[[], float]:
    return lambda: opts[max(range(len(ys)), key=lambda k: ys[k].value() or 0.0)]


def eur_compared(value: float, currency: str) -> str:
    """An amount in k EUR with its currency (cuts and grant cuts in a plan comparison)."""
    return money(value, currency)


__all__ = [
    "EPS",
    "LAUNCH_FLOOR",
    "MAX_OPTIONS",
    "USED_FLOOR",
    "AmountLever",
    "CaseView",
    "Effects",
    "EvalContext",
    "EveryOption",
    "LeverBase",
    "ModelContext",
    "NoFeeIncrease",
    "OptionLever",
    "ScenarioDraws",
    "ScenarioRows",
    "Terms",
    "YearView",
    "falls",
    "favourable",
    "launch_floor",
    "option_grid",
    "stays_up",
]

"""The uncertainty fields of case files: realisation factors, baseline shocks, the common factor.

Data and arithmetic only: the pydantic models of the optional fields (lever
`uncertainty`, case `shocks`, case `uncertainty.common_factor`, target
`risk_measure`), their defaults by lever type, the checks that need the whole
case (each problem with its JSON path), and the two functions the draws need:
triangular quantiles and the standard normal CDF. The README section
"Uncertainty" is the contract these implement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field

from .base import StrictModel

if TYPE_CHECKING:
    from .case import Case
    from .levers import LeverBase

Notes = str | list[str] | None
# A realisation factor: 0 (nothing materialises) to 100 (a hundred times the plan).
FactorValue = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
ElasticityValue = Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)]

RiskMeasure = Literal["eur_at_risk", "cvar"]
# Defaults of the target's CVaR settings, written once.
DEFAULT_ALPHA = 0.95
DEFAULT_SCENARIOS = 2000
DEFAULT_SEED = 1
MAX_SCENARIOS = 20_000
# Scenarios drawn to compare plans (and for --simulate without N).
DEFAULT_SIMULATION = 100_000
MAX_SIMULATION = 1_000_000


class ElasticityRange(StrictModel):
    """A triangular range for a fee_increase lever's elasticity (mode: the lever's own)."""

    low: ElasticityValue
    mode: ElasticityValue | None = None
    high: ElasticityValue


class LeverUncertainty(StrictModel):
    """How a lever's planned gain may turn out (see the README, "Uncertainty")."""

    low: FactorValue | None = None
    mode: FactorValue | None = None
    high: FactorValue | None = None
    elasticity: ElasticityRange | None = None  # fee_increase only
    wins: Literal["each", "expected"] | None = None  # eu_projects only
    common: bool = True
    notes: Notes = None


class Shock(StrictModel):
    """A triangular factor on the amount of one baseline line (before the plan)."""

    revenue: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    expenditure: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    low: FactorValue
    mode: FactorValue | None = None
    high: FactorValue | None = None
    common: bool = True
    notes: Notes = None

    @property
    def side(self) -> str:
        return "revenue" if self.revenue is not None else "expenditure"

    @property
    def line(self) -> str:
        return self.revenue if self.revenue is not None else self.expenditure  # type: ignore[return-value]


class CaseUncertainty(StrictModel):
    common_factor: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    notes: Notes = None


# ---------------------------------------------------------------- distributions


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float

    @property
    def fixed(self) -> bool:
        return self.high - self.low <= 0

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def cdf(self, x: float) -> float:
        a, c, b = self.low, self.mode, self.high
        if self.fixed:
            return 1.0 if x >= a else 0.0
        if x <= a:
            return 0.0
        if x >= b:
            return 1.0
        if x <= c:
            return (x - a) ** 2 / ((b - a) * (c - a))
        return 1 - (b - x) ** 2 / ((b - a) * (b - c))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The inverse CDF at u in [0, 1], vectorised."""
        a, c, b = self.low, self.mode, self.high
        if self.fixed:
            return np.full(u.shape, a)
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)


CERTAIN = Triangular(1.0, 1.0, 1.0)


def triangular(low: float, mode: float | None, high: float | None) -> Triangular:
    """Defaults: high 1; mode 1 brought within [low, high]. Order is checked elsewhere."""
    top = 1.0 if high is None else high
    peak = min(max(1.0, low), top) if mode is None else mode
    return Triangular(low, peak, top)


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF, vectorised: 0.5 erfc(-z / sqrt 2).

    erfc by the Chebyshev fit of Numerical Recipes (fractional error below 1.2e-7),
    ample for turning correlated normals into uniforms; numpy has no erf.
    """
    x = -z / math.sqrt(2.0)
    ax = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * ax)
    poly = -ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (
        0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (
            1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    erfc = np.where(x >= 0, erfc, 2.0 - erfc)
    return np.clip(0.5 * erfc, 0.0, 1.0)


# ---------------------------------------------------------------- defaults by lever type


def wins_each(lever: LeverBase) -> bool:
    """An eu_projects lever whose proposals are won or lost one by one (the default)."""
    if lever.type != "eu_projects":
        return False
    u = lever.uncertainty
    return u is None or u.wins in (None, "each")


def lever_factor(lever: LeverBase) -> Triangular:
    """The realisation factor of a lever's favourable effects (1 when certain).

    Default low = 1 - downside, mode = high = 1; except a grant cut (certain), an
    eu_projects lever with proposals won one by one (the wins carry the risk) and a
    fee_increase with an elasticity range (the elasticity carries it): 1 unless given.
    """
    if lever.type == "grant_cut":
        return CERTAIN
    u = lever.uncertainty
    if u is not None and (u.low is not None or u.mode is not None or u.high is not None):
        low = u.low if u.low is not None else (
            1.0 if _carried_elsewhere(lever) else 1.0 - lever.risk_share)
        return triangular(low, u.mode, u.high)
    if _carried_elsewhere(lever):
        return CERTAIN
    return triangular(1.0 - lever.risk_share, None, None)


def _carried_elsewhere(lever: LeverBase) -> bool:
    u = lever.uncertainty
    return wins_each(lever) or (lever.type == "fee_increase" and u is not None
                                and u.elasticity is not None)


def elasticity_range(lever: LeverBase) -> Triangular | None:
    """The drawn elasticity of a fee_increase lever, when a range is given."""
    u = getattr(lever, "uncertainty", None)
    if lever.type != "fee_increase" or u is None or u.elasticity is None:
        return None
    r = u.elasticity
    mode = r.mode if r.mode is not None else min(max(lever.elasticity, r.low), r.high)  # type: ignore[attr-defined]
    return Triangular(r.low, mode, r.high)


def shock_distribution(shock: Shock) -> Triangular:
    return triangular(shock.low, shock.mode, shock.high)


def is_coupled(common: bool, case: Case) -> bool:
    return common and case.uncertainty is not None and case.uncertainty.common_factor > 0


def has_uncertainty(case: Case) -> bool:
    """Whether the case says anything about uncertainty (else defaults apply)."""
    return bool(case.shocks) or case.uncertainty is not None or any(
        lever.uncertainty is not None for lever in case.levers)


# ---------------------------------------------------------------- checks with JSON paths


def _order_problems(where: str, low: float, mode: float | None, high: float | None,
                    low_given: bool = True) -> list[str]:
    top = 1.0 if high is None else high
    if low > top:
        if not low_given:
            return [(f"{where}.high: must be at least low, whose default here is {low:g} "
                     f"(give low too), got {top:g}")]
        if high is None:
            return [(f"{where}.low: must not exceed high, which defaults to 1 (give high too), "
                     f"got {low:g}")]
        return [f"{where}.low: must not exceed high ({top:g}), got {low:g}"]
    if mode is not None and not (low <= mode <= top):
        return [f"{where}.mode: must lie between low ({low:g}) and high ({top:g}), got {mode:g}"]
    return []


def check_uncertainty(case: Case) -> list[str]:
    """Cross-field checks of the uncertainty fields, each problem with its JSON path."""
    problems: list[str] = []
    for i, lever in enumerate(case.levers):
        u = lever.uncertainty
        if u is None:
            continue
        where = f"levers[{i}].uncertainty"
        if lever.type == "grant_cut":
            problems.append(f"{where}: a grant cut is certain (you ask for less); to model a "
                            "funder that may cut more, put a shock on the line "
                            f"(\"shocks\": [{{\"revenue\": \"{lever.revenue}\", \"low\": 0.9}}])")
            continue
        if u.elasticity is not None and lever.type != "fee_increase":
            problems.append(f"{where}.elasticity: only a fee_increase lever has an elasticity")
        if u.wins is not None and lever.type != "eu_projects":
            problems.append(f"{where}.wins: only an eu_projects lever has proposals to win")
        if u.low is not None or u.mode is not None or u.high is not None:
            low = u.low if u.low is not None else (
                1.0 if _carried_elsewhere(lever) else 1.0 - lever.risk_share)
            problems += _order_problems(where, low, u.mode, u.high, low_given=u.low is not None)
        if u.elasticity is not None and lever.type == "fee_increase":
            r = u.elasticity
            if r.low > r.high:
                problems.append(f"{where}.elasticity.low: must not exceed high ({r.high:g}), "
                                f"got {r.low:g}")
            elif r.mode is not None and not (r.low <= r.mode <= r.high):
                problems.append(f"{where}.elasticity.mode: must lie between low ({r.low:g}) and "
                                f"high ({r.high:g}), got {r.mode:g}")
    revenue_ids = {r.id for r in case.revenues}
    expenditure_ids = {e.id for e in case.expenditures}
    seen: dict[tuple[str, str], int] = {}
    for j, shock in enumerate(case.shocks):
        where = f"shocks[{j}]"
        if (shock.revenue is None) == (shock.expenditure is None):
            problems.append(f"{where}: name exactly one line, with \"revenue\": ID or "
                            "\"expenditure\": ID")
            continue
        pool = revenue_ids if shock.side == "revenue" else expenditure_ids
        if shock.line not in pool:
            problems.append(f"{where}.{shock.side}: no {shock.side} line '{shock.line}'; use one "
                            f"of {', '.join(sorted(pool))}")
            continue
        key = (shock.side, shock.line)
        if key in seen:
            problems.append(f"{where}.{shock.side}: a second shock on '{shock.line}' "
                            f"(shocks[{seen[key]}] already shocks it); keep one")
        seen.setdefault(key, j)
        problems += _order_problems(where, shock.low, shock.mode, shock.high)
    return problems


__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_SCENARIOS",
    "DEFAULT_SEED",
    "CaseUncertainty",
    "ElasticityRange",
    "LeverUncertainty",
    "RiskMeasure",
    "Shock",
    "Triangular",
    "check_uncertainty",
    "elasticity_range",
    "lever_factor",
    "normal_cdf",
    "shock_distribution",
]

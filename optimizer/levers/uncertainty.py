"""How a lever's planned gain may turn out: its `uncertainty` field and the triangular law.

Data and arithmetic only (README, "Uncertainty"): the pydantic models of a lever's
optional `uncertainty` block, and the triangular distribution of realisation factors.
Which factor a lever type draws by default is the lever's own business (its
`realisation` method).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from ..base import StrictModel
from .fields import Notes

if TYPE_CHECKING:
    import numpy as np

# A realisation factor: 0 (nothing materialises) to 100 (a hundred times the plan).
FactorValue = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
ElasticityValue = Annotated[float, Field(ge=0, le=1e3, allow_inf_nan=False)]


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
        import numpy as np

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


def order_problems(where: str, low: float, mode: float | None, high: float | None,
                   low_given: bool = True) -> list[str]:
    """low <= mode <= high, each problem with its JSON path (high defaults to 1)."""
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


__all__ = ["CERTAIN", "ElasticityRange", "FactorValue", "LeverUncertainty", "Triangular",
           "order_problems", "triangular"]

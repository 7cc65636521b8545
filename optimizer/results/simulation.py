"""A plan evaluated in many scenarios: the frozen `Simulation` and `simulate_plan`.

The probabilities, quantiles, expected deficit and CVaR 95 % of the loss of a plan,
from the scenarios of `plan.scenarios` (README, "Simulate a plan").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ..case.schema import DEFAULT_SEED, Case
from ..plan.evaluate import tolerance
from ..plan.scenarios import (
    DEFAULT_SIMULATION,
    QUANTILES,
    SIMULATE,
    SIMULATION_ALPHA,
    Scenarios,
    cvar,
    loss,
    outcomes,
    value_at_risk,
)
from .base import num


@dataclass(frozen=True)
class Simulation:
    """A plan evaluated in n scenarios. Figures are properties; arrays are read-only."""

    n: int
    seed: int
    plan: Mapping[str, float]
    target_share: float
    min_result: float
    private: np.ndarray
    revenues: np.ndarray
    result: np.ndarray
    loss: np.ndarray
    tolerance: float

    @property
    def share(self) -> np.ndarray:
        rev = self.revenues
        return np.divide(self.private, rev, out=np.zeros_like(rev), where=rev > 0)

    @property
    def p_target_met(self) -> float:
        """Probability that the private share reaches the target."""
        gap = self.private - self.target_share * self.revenues
        return float(np.mean(gap >= -self.tolerance))

    @property
    def p_result_ok(self) -> float:
        """Probability that the result stays at or above min_result."""
        return float(np.mean(self.result >= self.min_result - self.tolerance))

    @property
    def p_no_loss(self) -> float:
        """Probability that both hold (the loss is zero)."""
        return float(np.mean(self.loss <= self.tolerance))

    @property
    def share_quantiles(self) -> dict[str, float]:
        values = np.quantile(self.share, list(QUANTILES.values()))
        return {k: float(v) for k, v in zip(QUANTILES, values)}

    @property
    def result_quantiles(self) -> dict[str, float]:
        values = np.quantile(self.result, list(QUANTILES.values()))
        return {k: float(v) for k, v in zip(QUANTILES, values)}

    @property
    def expected_deficit(self) -> float:
        """Mean of max(0, -result): the deficit the plan leaves, on average."""
        return float(np.mean(np.maximum(0.0, -self.result)))

    @property
    def expected_loss(self) -> float:
        return float(np.mean(self.loss))

    @property
    def var95_loss(self) -> float:
        return value_at_risk(self.loss, SIMULATION_ALPHA)

    @property
    def cvar95_loss(self) -> float:
        return cvar(self.loss, SIMULATION_ALPHA)

    def __repr__(self) -> str:
        """Short: the size, the seed and the two probabilities (not the scenarios)."""
        return (f"Simulation(n={self.n}, seed={self.seed}, "
                f"p_target_met={num(self.p_target_met)!r}, p_result_ok={num(self.p_result_ok)!r})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seed": self.seed,
            "p_target_met": num(self.p_target_met),
            "p_result_ok": num(self.p_result_ok),
            "p_no_loss": num(self.p_no_loss),
            "share_quantiles": {k: num(v) for k, v in self.share_quantiles.items()},
            "result_quantiles": {k: num(v) for k, v in self.result_quantiles.items()},
            "expected_deficit": num(self.expected_deficit),
            "expected_loss": num(self.expected_loss),
            "var95_loss": num(self.var95_loss),
            "cvar95_loss": num(self.cvar95_loss),
        }


def simulate_plan(case: Case, plan: Mapping[str, float], n: int = DEFAULT_SIMULATION,
                  seed: int = DEFAULT_SEED, stream: int = SIMULATE,
                  scenarios: Scenarios | None = None) -> Simulation:
    """A plan (lever id -> value; missing levers at 0) in n scenarios of the case."""
    sc = scenarios if scenarios is not None else Scenarios(case, n, seed, stream)
    out = outcomes(case, plan, sc)
    losses = loss(case, out)
    private, revenues, result = out.private, out.revenues, out.result
    for a in (private, revenues, result, losses):
        a.setflags(write=False)
    return Simulation(sc.n, sc.seed, MappingProxyType(dict(plan)), case.target.private_share,
                      case.target.min_result, private, revenues, result, losses, tolerance(case))


__all__ = ["Simulation", "simulate_plan"]

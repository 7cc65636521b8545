"""The CVaR comparison: the EUR-at-risk plan and the CVaR plan of a case, side by side."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..case.schema import Case
from ..fmt import pct_digits
from ..i18n import gettext as _
from .base import num
from .simulation import Simulation, simulate_plan


@dataclass(frozen=True)
class PlanFigures:
    """One plan of the comparison: its two risk measures and its simulation."""

    plan: Mapping[str, float]
    risk: float  # EUR at risk
    cvar_loss: float  # CVaR at alpha of the loss, over the optimisation scenarios
    simulation: Simulation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "levers": {k: num(v) for k, v in self.plan.items() if abs(v) > 1e-9},
            "risk": num(self.risk),
            "cvar_loss": num(self.cvar_loss),
            "simulation": self.simulation.to_dict() if self.simulation is not None else None,
        }


@dataclass(frozen=True)
class CvarComparison:
    """The EUR-at-risk plan and the CVaR plan of a case, side by side."""

    alpha: float
    scenarios: int
    seed: int
    eur_at_risk_plan: PlanFigures
    cvar_plan: PlanFigures

    def plans(self) -> Iterator[tuple[str, PlanFigures]]:
        yield _("least EUR at risk"), self.eur_at_risk_plan
        yield _("least CVaR {alpha}").format(alpha=pct_digits(self.alpha, 0)), self.cvar_plan

    def with_simulations(self, case: Case, n: int, seed: int) -> CvarComparison:
        """The same comparison with both plans simulated on n scenarios of this seed."""
        return dataclasses.replace(
            self,
            eur_at_risk_plan=dataclasses.replace(
                self.eur_at_risk_plan,
                simulation=simulate_plan(case, self.eur_at_risk_plan.plan, n, seed)),
            cvar_plan=dataclasses.replace(
                self.cvar_plan, simulation=simulate_plan(case, self.cvar_plan.plan, n, seed)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "eur_at_risk_plan": self.eur_at_risk_plan.to_dict(),
            "cvar_plan": self.cvar_plan.to_dict(),
        }


__all__ = ["CvarComparison", "PlanFigures"]

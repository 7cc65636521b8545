"""The CVaR figures of a path (docs/MODEL.md, "CVaR over a path"): the path of least CVaR
beside the path of least EUR at risk, each with its total EUR at risk and the CVaR of its
loss over the program's scenarios."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .base import num


@dataclass(frozen=True)
class PathFigures:
    """One path of the comparison: its values per year, EUR at risk and CVaR."""

    path: Sequence[Mapping[str, float]]
    risk: float  # the objective of the EUR-at-risk model: total (discounted) EUR at risk
    cvar_loss: float  # CVaR at alpha of the path's loss, over the program's scenarios

    def to_dict(self, years: Sequence[int]) -> dict[str, Any]:
        return {
            "risk": num(self.risk),
            "cvar_loss": num(self.cvar_loss),
            "levers": {str(year): {k: num(v) for k, v in plan.items() if abs(v) > 1e-9}
                       for year, plan in zip(years, self.path)},
        }


@dataclass(frozen=True)
class PathCvar:
    """The CVaR objective over a path: its settings and both paths' figures."""

    alpha: float
    scenarios: int
    seed: int
    eur_at_risk_path: PathFigures
    cvar_path: PathFigures

    def to_dict(self, years: Sequence[int]) -> dict[str, Any]:
        return {
            "objective": "cvar",
            "alpha": self.alpha,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "eur_at_risk_path": self.eur_at_risk_path.to_dict(years),
            "cvar_path": self.cvar_path.to_dict(years),
        }




def cvar_path_advice(outlook: Any) -> str | None:
    """What to try when the path of least CVaR holds too rarely (None when it holds often
    enough): it already protects the tail; what is left is the targets or the levers."""
    if outlook is None or not outlook.low:
        return None
    from ..fmt import pct_short
    from ..i18n import gettext as _

    return _("Even the path of least CVaR holds in fewer than {share} of runs: no mix of these "
             "levers keeps every year on target in most drawn years; lower the targets, give "
             "the levers more room, or accept the risk.").format(share=pct_short(outlook.LOW))


__all__ = ["PathCvar", "PathFigures", "cvar_path_advice"]

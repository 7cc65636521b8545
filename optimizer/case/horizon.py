"""The `horizon` of a case: a transition path over several years (docs/MODEL.md,
"Horizon (issue 11)"). Its fields, their defaults (written once, here) and its
cross-field checks, each problem with its JSON path."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..base import StrictModel
from ..i18n import gettext as _
from ..levers.fields import Amount, Notes, Number

MAX_YEARS = 10
Year = Annotated[int, Field(ge=1900, le=2200)]
Share = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


class Horizon(StrictModel):
    years: Annotated[list[Year], Field(min_length=1, max_length=MAX_YEARS)]
    targets: list[Share] | None = None
    reserves: Amount | None = None
    min_reserves: Number = 0.0
    inflation: Annotated[float, Field(ge=-0.5, le=1, allow_inf_nan=False)] = 0.0
    discount: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    notes: Notes = None

    def target_of(self, k: int, default: float) -> float:
        """The private share to reach in year k (default: the case's target)."""
        return default if self.targets is None else self.targets[k]

    def weight(self, k: int) -> float:
        """The weight of year k's EUR at risk in the objective."""
        return float((1.0 + self.discount) ** -k)

    def spending_factor(self, k: int) -> float:
        """What the expenditure lines are multiplied by in year k."""
        return float((1.0 + self.inflation) ** k)


def horizon_problems(case: Any) -> list[str]:
    """Cross-field problems of a case's horizon (None: none)."""
    h = case.horizon
    if h is None:
        return []
    problems = []
    for k in range(1, len(h.years)):
        if h.years[k] != h.years[k - 1] + 1:
            problems.append(_("horizon.years[{k}]: the years must be consecutive and "
                              "increasing (2024, 2025, ...), got {before} then {year}").format(
                                  k=k, before=h.years[k - 1], year=h.years[k]))
            break
    if h.targets is not None and len(h.targets) != len(h.years):
        problems.append(_("horizon.targets: one target per year ({n} years), got {got}").format(
            n=len(h.years), got=len(h.targets)))
    if h.reserves is None and "min_reserves" in h.model_fields_set:
        problems.append(_("horizon.min_reserves: needs horizon.reserves (what the cluster "
                          "holds at the start)"))
    return problems


__all__ = ["MAX_YEARS", "Horizon", "horizon_problems"]

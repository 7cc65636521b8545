"""A solve that also says how far from the optimum its plan may be: HiGHS's dual bound.

The region's joint program (issue 10) is a large MILP: when the time limit stops it, the
plan found is still reported, with the proven gap between its objective and the best
bound. Only this solver layer touches highspy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..status import SolverOutcome, Status
from .highs import new_highs, run_highs, to_matrix

# The gap at which the region's joint program counts as proven optimal (MODEL.md's 1e-6
# relative tolerance of the tie-break).
REGION_GAP_REL = 1e-6
REGION_GAP_ABS = 1e-3


@dataclass(frozen=True)
class Bounded:
    outcome: SolverOutcome
    bound: float | None  # the best lower bound on the objective (minimisation)

    @property
    def gap(self) -> float | None:
        """(objective - bound) / max(1, |objective|), or None without a plan or a bound."""
        obj = self.outcome.objective
        if obj is None or self.bound is None or not math.isfinite(self.bound):
            return None
        return max(0.0, obj - self.bound) / max(1.0, abs(obj))


def run_bounded(prob: Any, time_limit: float | None, gap_rel: float = REGION_GAP_REL
                ) -> Bounded:
    """Solve a PuLP minimisation with HiGHS to the relative gap gap_rel (its variables then
    hold the plan), and say the proven bound."""
    model = to_matrix(prob)
    inst = new_highs(model, time_limit)
    inst.setOptionValue("mip_rel_gap", gap_rel)
    inst.setOptionValue("mip_abs_gap", REGION_GAP_ABS)
    outcome = run_highs(inst, model)
    if outcome.has_plan:
        for var in prob.variables():
            var.varValue = outcome.values.get(var.name)
    return Bounded(outcome, outcome_bound(inst, model, outcome))


def outcome_bound(inst: Any, model: Any, outcome: SolverOutcome) -> float | None:
    """The proven lower bound of a HiGHS MILP run (its objective when optimal, tightened
    by the dual bound; the dual bound when stopped with a plan)."""
    bound: float | None = None
    if outcome.status is Status.OPTIMAL:
        bound = outcome.objective
        info = inst.getInfo()
        dual = getattr(info, "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual) and outcome.objective is not None:
            bound = min(outcome.objective, float(dual) + model.offset)
    elif outcome.has_plan:
        dual = getattr(inst.getInfo(), "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual):
            bound = float(dual) + model.offset
    return bound


__all__ = ["REGION_GAP_ABS", "REGION_GAP_REL", "Bounded", "outcome_bound", "run_bounded"]

"""The path of least CVaR (docs/MODEL.md, "CVaR over a path"): the horizon's model with
every row of every year, its objective replaced by the CVaR of the path's loss over
scenarios that draw every year (`model.cvar_horizon`). The CVaR of the path found is
recomputed by arithmetic (`plan.path_scenarios`) and must equal the solver's value; the
rows of the horizon are rechecked by `analyses.horizon`, which assembles the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..case.schema import Case
from ..errors import SolverError
from ..model.cvar import tail_value
from ..model.cvar_horizon import add_path_scenarios
from ..model.horizon import build_horizon
from ..plan.evaluate import tolerance
from ..plan.path_scenarios import path_loss, path_scenarios
from ..plan.scenarios import cvar
from ..solvers import run
from ..status import SolverOutcome, Status
from .cvar import settings

Path = list[dict[str, float]]


@dataclass(frozen=True)
class CvarPathSolve:
    """The solve of the CVaR program over a path: the solver's outcome, the path found
    (None without one), its CVaR by arithmetic and that of the EUR-at-risk path."""

    outcome: SolverOutcome
    path: Path | None
    cvar_loss: float | None
    plain_cvar_loss: float
    alpha: float
    scenarios: int
    seed: int


def path_cvar(case: Case, cases: Sequence[Case], path: Sequence[Mapping[str, float]]
              ) -> float:
    """The CVaR at the target's alpha of a path's loss over the target's scenarios."""
    alpha, n, seed = settings(case)
    return cvar(path_loss(case, cases, path, path_scenarios(cases, n, seed)), alpha)


def least_cvar_path(case: Case, cases: Sequence[Case], solver: str, time_limit: float | None,
                    plain_path: Sequence[Mapping[str, float]]) -> CvarPathSolve:
    """Build and solve the CVaR program over the path (cases: the year cases); check the
    solver's CVaR against the arithmetic one."""
    alpha, n, seed = settings(case)
    scenarios = path_scenarios(cases, n, seed)
    model = build_horizon(case, cases=list(cases))
    eta, us = add_path_scenarios(model, scenarios, alpha)
    outcome = run(model.prob, solver, time_limit)
    plain = cvar(path_loss(case, cases, plain_path, scenarios), alpha)
    if not outcome.has_plan:
        return CvarPathSolve(outcome, None, None, plain, alpha, n, seed)
    path = model.read_path()
    mine = cvar(path_loss(case, cases, path, scenarios), alpha)
    theirs = tail_value(eta, us, alpha)
    slack = 10 * sum(tolerance(c) for c in cases) + 1e-6 * abs(mine)
    proven = outcome.status is Status.OPTIMAL
    if mine > theirs + slack or (proven and abs(mine - theirs) > slack):
        raise SolverError(f"the CVaR of the {solver} path is {mine:.2f} by arithmetic but "
                          f"{theirs:.2f} in the model; please report the case")
    return CvarPathSolve(outcome, path, mine, plain, alpha, n, seed)


__all__ = ["CvarPathSolve", "least_cvar_path", "path_cvar"]

"""`simulate(result, n, seed)`: the result's plan in n scenarios (README, "Simulate a plan")."""

from __future__ import annotations

from ..case.schema import DEFAULT_SEED
from ..plan.scenarios import DEFAULT_SIMULATION, check_draws
from ..results.result import Result
from ..results.simulation import Simulation, simulate_plan


def simulate(result: Result, n: int = DEFAULT_SIMULATION, seed: int = DEFAULT_SEED
             ) -> Simulation:
    """Draw n scenarios and evaluate the result's plan in each (vectorised, NumPy).

    Same seed, same numbers. A result without a plan (infeasible) is simulated with
    every lever at 0: the budget as it is. Attach it to the result with
    `result.with_simulation(simulation)`.
    """
    check_draws(n, seed)
    return simulate_plan(result.case, result.plan or {}, n, seed)


__all__ = ["simulate"]

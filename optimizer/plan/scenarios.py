"""Scenarios of a case, and a plan evaluated in each of them (NumPy, vectorised).

`Scenarios(case, n, seed, stream)` draws every random quantity of a case n times:
the realisation factor of each lever, the elasticity of a fee increase with a
range, the wins of each EU proposal, and the factor of each shocked baseline
line. `outcomes(case, plan, scenarios)` gives the private and public revenue,
the spending and the result of the plan in every scenario, by the same
arithmetic as `evaluate` (each lever's `scenario_lines`), with the rules of the
README section "Uncertainty": a factor multiplies a lever's favourable effects
(more revenue, less spending); its costs and the revenue it gives up are committed.

Each random quantity has its own stream, keyed by the seed, the purpose
(optimising or simulating) and the lever or line id: a lever's draws do not move
when another lever is added, reordered or disabled, and the plans compared in a
report meet the same scenarios.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..case.schema import Case
from ..errors import CaseError
from .distributions import is_coupled, normal_cdf, shock_distribution
from .evaluate import PlanContext


class Proposals(Protocol):
    """A lever whose proposals are won one by one (eu_projects): its id keys the draws."""

    @property
    def id(self) -> str: ...
    @property
    def success_rate(self) -> float: ...


# Scenarios drawn to compare plans (and for --simulate without N).
DEFAULT_SIMULATION = 100_000
MAX_SIMULATION = 1_000_000

# The two purposes of draws: the same seed gives independent scenarios for each, so
# the simulated figures of a CVaR plan are measured out of sample.
OPTIMISE = 1
SIMULATE = 2
_KINDS = {"common": 0, "factor": 1, "elasticity": 2, "wins": 3, "shock": 4}
# The level of the simulation's CVaR (the JSON field is cvar95_loss).
SIMULATION_ALPHA = 0.95
QUANTILES = {"p05": 0.05, "p50": 0.50, "p95": 0.95}
# EU proposals drawn one by one up to this count (see Scenarios.wins).
ONE_BY_ONE = 1000
# Draws of up to this many scenarios are kept for reuse (a region's clusters share lever
# ids, so their quick outlooks meet the same draws): at most CACHED arrays of 80 kB.
CACHE_UP_TO = 10_000
CACHED = 128

Draw = float | np.ndarray  # a fixed quantity is a plain number


def _generator(seed: int, stream: int, kind: str, name: str) -> np.random.Generator:
    key = int.from_bytes(hashlib.sha256(f"{kind}:{name}".encode()).digest()[:8], "little")
    sequence = np.random.SeedSequence(seed, spawn_key=(stream, _KINDS[kind], key))
    return np.random.Generator(np.random.PCG64(sequence))


def check_draws(n: Any, seed: Any, what: str = "simulate", limit: int = MAX_SIMULATION) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
        raise CaseError(f"{what}: the number of scenarios must be a whole number from 1 to "
                        f"{limit:,}, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**32 - 1:
        raise CaseError(f"{what}: the seed must be a whole number from 0 to {2**32 - 1}, "
                        f"got {seed!r}")


def _normals(seed: int, stream: int, kind: str, name: str, n: int) -> np.ndarray:
    return _generator(seed, stream, kind, name).standard_normal(n)


def _uniform(seed: int, stream: int, kind: str, name: str, n: int, rho: float) -> np.ndarray:
    """n U(0, 1) draws of one quantity; rho > 0: sharing the economy factor with weight rho
    (Gaussian copula)."""
    z = _normals(seed, stream, kind, name, n)
    if rho > 0:
        common = _normals(seed, stream, "common", "economy", n)
        z = math.sqrt(rho) * common + math.sqrt(1 - rho) * z
    return normal_cdf(z)


@functools.lru_cache(maxsize=CACHED)
def _uniform_kept(seed: int, stream: int, kind: str, name: str, n: int, rho: float
                  ) -> np.ndarray:
    u = _uniform(seed, stream, kind, name, n, rho)
    u.flags.writeable = False  # shared by every caller
    return u


class Scenarios:
    """n draws of every random quantity of a case (see the module docstring)."""

    def __init__(self, case: Case, n: int, seed: int, stream: int = SIMULATE):
        self.case = case
        self.n = n
        self.seed = seed
        self.stream = stream
        rho = case.uncertainty.common_factor if case.uncertainty is not None else 0.0
        draw = _uniform_kept if n <= CACHE_UP_TO else _uniform

        def uniform(kind: str, name: str, coupled: bool) -> np.ndarray:
            """U(0, 1) draws; coupled ones share the economy factor (Gaussian copula)."""
            return draw(seed, stream, kind, name, n, rho if coupled else 0.0)

        self.shock: dict[tuple[str, str], Draw] = {}
        for shock in case.shocks:
            dist = shock_distribution(shock)
            if dist.fixed:
                self.shock[(shock.side, shock.line)] = dist.low
                continue
            u = uniform("shock", f"{shock.side}:{shock.line}", is_coupled(shock.common, case))
            # A bad year is bad on every line: low revenue, high spending.
            self.shock[(shock.side, shock.line)] = dist.quantile(
                u if shock.side == "revenue" else 1 - u)
        self.factor: dict[str, Draw] = {}
        self.elasticity: dict[str, Draw] = {}
        for lever in case.levers:
            coupled = is_coupled(lever.uncertainty.common if lever.uncertainty else True, case)
            dist = lever.realisation()
            self.factor[lever.id] = (dist.low if dist.fixed
                                     else dist.quantile(uniform("factor", lever.id, coupled)))
            e_dist = lever.elasticity_range()
            if e_dist is not None:
                # A bad year makes members more sensitive to the price: high elasticity.
                self.elasticity[lever.id] = (
                    e_dist.low if e_dist.fixed
                    else e_dist.quantile(1 - uniform("elasticity", lever.id, coupled)))

    def win_columns(self, lever: Proposals, count: int) -> np.ndarray:
        """(n, count) booleans: proposal j of the lever is won in scenario s.

        Column j is the same whatever the count, so a plan with fewer proposals
        meets the first draws of a plan with more.
        """
        rng = _generator(self.seed, self.stream, "wins", lever.id)
        q = lever.success_rate
        out = np.empty((self.n, count), dtype=bool)
        for j in range(count):
            out[:, j] = rng.random(self.n) < q
        return out

    def wins(self, lever: Proposals, count: int) -> np.ndarray:
        """Projects won among the first `count` proposals, in each scenario.

        Beyond ONE_BY_ONE proposals the count is drawn at once (binomial), from the same
        stream: the same in distribution, without a draw per proposal.
        """
        rng = _generator(self.seed, self.stream, "wins", lever.id)
        q = lever.success_rate
        if count > ONE_BY_ONE:
            return rng.binomial(count, q, self.n).astype(float)
        total = np.zeros(self.n)
        for _ in range(count):
            total += rng.random(self.n) < q
        return total

    def baseline(self) -> tuple[Draw, Draw, Draw]:
        """Private revenue, public revenue and spending before the plan, shocked."""
        private: Draw = 0.0
        public: Draw = 0.0
        spending: Draw = 0.0
        for r in self.case.revenues:
            amount = r.amount * self.shock.get(("revenue", r.id), 1.0)
            if r.public:
                public = public + amount
            else:
                private = private + amount
        for e in self.case.expenditures:
            spending = spending + e.amount * self.shock.get(("expenditure", e.id), 1.0)
        return private, public, spending


@dataclass(frozen=True)
class Outcomes:
    """A plan in every scenario: arrays of length n."""

    private: np.ndarray
    public: np.ndarray
    expenditures: np.ndarray

    @property
    def revenues(self) -> np.ndarray:
        return self.private + self.public

    @property
    def result(self) -> np.ndarray:
        return self.revenues - self.expenditures

    @property
    def share(self) -> np.ndarray:
        rev = self.revenues
        return np.divide(self.private, rev, out=np.zeros_like(rev), where=rev > 0)


def outcomes(case: Case, plan: Mapping[str, float], sc: Scenarios) -> Outcomes:
    ctx = PlanContext(case, plan)
    private, public, spending = sc.baseline()
    public_lines = {r.id for r in case.revenues if r.public}
    for lever in case.levers:
        if not lever.enabled:
            continue
        value = float(plan.get(lever.id, 0.0))
        revenue, expenditure = lever.scenario_lines(value, ctx, sc)
        for line, amount in revenue.items():
            if line in public_lines:
                public = public + amount
            else:
                private = private + amount
        for amount in expenditure.values():
            spending = spending + amount
    full = np.zeros(sc.n)
    return Outcomes(full + private, full + public, full + spending)


def loss(case: Case, out: Outcomes) -> np.ndarray:
    """EUR missing to balance the budget or to reach the target share, per scenario."""
    t = case.target
    return np.maximum(0.0, np.maximum(t.min_result - out.result,
                                      t.private_share * out.revenues - out.private))


def cvar(losses: np.ndarray, alpha: float) -> float:
    """Conditional value at risk: the mean loss in the worst (1 - alpha) of the scenarios.

    Exactly the minimum of Rockafellar and Uryasev's eta + E[max(0, L - eta)] / (1 - alpha)
    over eta, so a fractional count of tail scenarios weighs its boundary scenario in part.
    """
    ordered = np.sort(losses)[::-1]
    k = (1 - alpha) * len(ordered)
    whole = min(math.floor(k + 1e-9), len(ordered))
    total = float(ordered[:whole].sum())
    if whole < len(ordered) and k > whole:
        total += (k - whole) * float(ordered[whole])
    return total / k


def value_at_risk(losses: np.ndarray, alpha: float) -> float:
    """The smallest loss not exceeded in a share alpha of the scenarios."""
    ordered = np.sort(losses)
    index = min(len(ordered) - 1, max(0, math.ceil(alpha * len(ordered) - 1e-9) - 1))
    return float(ordered[index])


__all__ = ["DEFAULT_SIMULATION", "MAX_SIMULATION", "ONE_BY_ONE", "OPTIMISE", "QUANTILES",
           "SIMULATE", "SIMULATION_ALPHA", "Outcomes", "Scenarios", "check_draws", "cvar", "loss",
           "outcomes", "value_at_risk"]

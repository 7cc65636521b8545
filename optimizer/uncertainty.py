"""Scenarios of a case, and a plan evaluated in each of them (NumPy, vectorised).

`Scenarios(case, n, seed, stream)` draws every random quantity of a case n times:
the realisation factor of each lever, the elasticity of a fee increase with a
range, the wins of each EU proposal, and the factor of each shocked baseline
line. `outcomes(case, plan, scenarios)` gives the private and public revenue,
the spending and the result of the plan in every scenario, by the same
arithmetic as `evaluate` (the levers' `effects`), with the rules of the README
section "Uncertainty": a factor multiplies a lever's favourable effects (more
revenue, less spending); its costs and the revenue it gives up are committed.

Each random quantity has its own stream, keyed by the seed, the purpose
(optimising or simulating) and the lever or line id: a lever's draws do not move
when another lever is added, reordered or disabled, and the plans compared in a
report meet the same scenarios.

`simulate(result, n, seed)` returns a `Simulation`: the probabilities, quantiles,
expected deficit and CVaR 95 % of the loss of the result's plan.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from .distributions import (
    DEFAULT_SEED,
    DEFAULT_SIMULATION,
    MAX_SIMULATION,
    elasticity_range,
    is_coupled,
    lever_factor,
    normal_cdf,
    shock_distribution,
    wins_each,
)
from .errors import CaseError
from .levers import LeverBase

if TYPE_CHECKING:
    from .case import Case
    from .result import Result

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


class Scenarios:
    """n draws of every random quantity of a case (see the module docstring)."""

    def __init__(self, case: Case, n: int, seed: int, stream: int = SIMULATE):
        self.case = case
        self.n = n
        self.seed = seed
        self.stream = stream
        rho = case.uncertainty.common_factor if case.uncertainty is not None else 0.0
        common = (_generator(seed, stream, "common", "economy").standard_normal(n)
                  if rho > 0 else None)

        def uniform(kind: str, name: str, coupled: bool) -> np.ndarray:
            """U(0, 1) draws; coupled ones share the economy factor (Gaussian copula)."""
            z = _generator(seed, stream, kind, name).standard_normal(n)
            if coupled and common is not None:
                z = math.sqrt(rho) * common + math.sqrt(1 - rho) * z
            return normal_cdf(z)

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
            dist = lever_factor(lever)
            self.factor[lever.id] = (dist.low if dist.fixed
                                     else dist.quantile(uniform("factor", lever.id, coupled)))
            e_dist = elasticity_range(lever)
            if e_dist is not None:
                # A bad year makes members more sensitive to the price: high elasticity.
                self.elasticity[lever.id] = (
                    e_dist.low if e_dist.fixed
                    else e_dist.quantile(1 - uniform("elasticity", lever.id, coupled)))

    def win_columns(self, lever: LeverBase, count: int) -> np.ndarray:
        """(n, count) booleans: proposal j of the lever is won in scenario s.

        Column j is the same whatever the count, so a plan with fewer proposals
        meets the first draws of a plan with more.
        """
        rng = _generator(self.seed, self.stream, "wins", lever.id)
        q = lever.success_rate  # type: ignore[attr-defined]
        out = np.empty((self.n, count), dtype=bool)
        for j in range(count):
            out[:, j] = rng.random(self.n) < q
        return out

    def wins(self, lever: LeverBase, count: int) -> np.ndarray:
        """Projects won among the first `count` proposals, in each scenario.

        Beyond ONE_BY_ONE proposals the count is drawn at once (binomial), from the same
        stream: the same in distribution, without a draw per proposal.
        """
        rng = _generator(self.seed, self.stream, "wins", lever.id)
        q = lever.success_rate  # type: ignore[attr-defined]
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


def favourable(amount: float, side: str, factor: Draw) -> Draw:
    """A lever's effect on a line in a scenario: the favourable part times the factor."""
    good = amount > 0 if side == "revenue" else amount < 0
    return factor * amount if good else amount


def lever_lines(lever: LeverBase, value: float, ctx: Any, sc: Scenarios
                ) -> tuple[dict[str, Draw], dict[str, Draw]]:
    """The lever's effect on each revenue and expenditure line, in every scenario."""
    f = sc.factor[lever.id]
    if wins_each(lever):
        count = round(value)
        won = sc.wins(lever, count)
        grant = lever.grant  # type: ignore[attr-defined]
        revenue = {lever.revenue: grant * f * won}  # type: ignore[attr-defined]
        cost = lever.proposal_cost * count + lever.cost_share * grant * won  # type: ignore[attr-defined]
        return revenue, {lever.cost_line: cost}  # type: ignore[attr-defined]
    if lever.id in sc.elasticity:
        f0 = sc.case.revenue(lever.revenue).amount  # type: ignore[attr-defined]
        change = f0 * ((1 + value) * (1 - sc.elasticity[lever.id] * value) - 1)
        return {lever.revenue: f * np.maximum(change, 0) + np.minimum(change, 0)}, {}  # type: ignore[attr-defined]
    if lever.type == "custom":
        on = 1.0 if value > 1e-7 else 0.0
        revenue = {k: favourable(c * value, "revenue", f) for k, c in lever.revenues.items()}  # type: ignore[attr-defined]
        spending: dict[str, Draw] = {k: favourable(c * value, "expenditure", f)
                                     for k, c in lever.expenditures.items()}  # type: ignore[attr-defined]
        setup = lever.setup  # type: ignore[attr-defined]
        for k, c in (setup.expenditures.items() if setup else ()):
            spending[k] = spending.get(k, 0.0) + favourable(c * on, "expenditure", f)
        return revenue, spending
    eff = lever.effects(value, ctx)
    return ({k: favourable(a, "revenue", f) for k, a in eff.revenue.items()},
            {k: favourable(a, "expenditure", f) for k, a in eff.expenditure.items()})


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
    from .result import _PlanContext

    ctx = _PlanContext(case, plan)
    private, public, spending = sc.baseline()
    public_lines = {r.id for r in case.revenues if r.public}
    for lever in case.levers:
        if not lever.enabled:
            continue
        value = float(plan.get(lever.id, 0.0))
        revenue, expenditure = lever_lines(lever, value, ctx, sc)
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

    def to_dict(self) -> dict[str, Any]:
        from .result import _num

        return {
            "n": self.n,
            "seed": self.seed,
            "p_target_met": _num(self.p_target_met),
            "p_result_ok": _num(self.p_result_ok),
            "p_no_loss": _num(self.p_no_loss),
            "share_quantiles": {k: _num(v) for k, v in self.share_quantiles.items()},
            "result_quantiles": {k: _num(v) for k, v in self.result_quantiles.items()},
            "expected_deficit": _num(self.expected_deficit),
            "expected_loss": _num(self.expected_loss),
            "var95_loss": _num(self.var95_loss),
            "cvar95_loss": _num(self.cvar95_loss),
        }


def simulate_plan(case: Case, plan: Mapping[str, float], n: int = DEFAULT_SIMULATION,
                  seed: int = DEFAULT_SEED, stream: int = SIMULATE,
                  scenarios: Scenarios | None = None) -> Simulation:
    """A plan (lever id -> value; missing levers at 0) in n scenarios of the case."""
    from .result import tolerance

    sc = scenarios if scenarios is not None else Scenarios(case, n, seed, stream)
    out = outcomes(case, plan, sc)
    losses = loss(case, out)
    private, revenues, result = out.private, out.revenues, out.result
    for a in (private, revenues, result, losses):
        a.setflags(write=False)
    return Simulation(sc.n, sc.seed, MappingProxyType(dict(plan)), case.target.private_share,
                      case.target.min_result, private, revenues, result, losses, tolerance(case))


def simulate(result: Result, n: int = DEFAULT_SIMULATION, seed: int = DEFAULT_SEED
             ) -> Simulation:
    """Draw n scenarios and evaluate the result's plan in each (vectorised, NumPy).

    Same seed, same numbers. A result without a plan (infeasible) is simulated with
    every lever at 0: the budget as it is. Attach it to the result with
    `result.with_simulation(simulation)`.
    """
    check_draws(n, seed)
    return simulate_plan(result.case, result.plan or {}, n, seed)


# ---------------------------------------------------------------- plots


def plot(path: str, result: Result, protect: tuple[str, ...] = ()) -> None:
    """Histograms of the private share and of the result in the simulated scenarios.

    For a CVaR result, both plans of the comparison are drawn over each other.
    The format follows the file's extension (png, svg, pdf).
    """
    from .output import write_atomic

    series: list[tuple[str, Simulation]] = []
    if result.cvar is not None:
        for name, item in result.cvar.plans():
            if item.simulation is not None:
                series.append((name, item.simulation))
    elif result.simulation is not None:
        series.append(("plan", result.simulation))
    if not series:
        raise CaseError("--plot: nothing to draw; add --simulate N, --frontier, --tornado PCT "
                        "or --sweep PATH=... (or use a case with a cvar target)")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise CaseError("--plot needs matplotlib: pip install 'cluster-optimizer[plot]'") from None
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    if suffix not in ("png", "svg", "pdf"):
        raise CaseError(f"--plot {path}: use a .png, .svg or .pdf file name")
    case = result.case
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    # The same bins for every plan, so that the bars compare.
    share_bins = np.histogram_bin_edges(np.concatenate([s.share * 100 for _, s in series]), 60)
    result_bins = np.histogram_bin_edges(np.concatenate([s.result / 1000 for _, s in series]), 60)
    for name, sim in series:
        ax1.hist(sim.share * 100, bins=share_bins, alpha=0.55, label=name)
        ax2.hist(sim.result / 1000, bins=result_bins, alpha=0.55, label=name)
    ax1.axvline(case.target.private_share * 100, color="black", linestyle="--",
                label=f"target {case.target.private_share:.0%}")
    ax2.axvline(case.target.min_result / 1000, color="black", linestyle="--",
                label="min_result")
    ax1.set_xlabel("private share after the plan (%)")
    ax2.set_xlabel(f"result after the plan (k {case.currency})")
    for ax in (ax1, ax2):
        ax.set_ylabel("scenarios")
        ax.legend(fontsize=8)
    n = series[0][1].n
    fig.suptitle(f"{case.name}: {n:,} simulated scenarios (seed {series[0][1].seed})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix, dpi=110, metadata=_plot_metadata(suffix))
    plt.close(fig)
    write_atomic(path, buf.getvalue(), protect=protect)


def _plot_metadata(suffix: str) -> dict[str, Any]:
    # No creation date in the file: the same run writes the same bytes.
    if suffix == "svg":
        return {"Date": None}
    if suffix == "pdf":
        return {"CreationDate": None}
    return {}


__all__ = [
    "OPTIMISE",
    "SIMULATE",
    "Outcomes",
    "Scenarios",
    "Simulation",
    "cvar",
    "loss",
    "outcomes",
    "plot",
    "simulate",
    "simulate_plan",
    "value_at_risk",
]

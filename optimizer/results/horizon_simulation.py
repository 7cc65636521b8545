"""A path observed in drawn years (`--simulate N` on a horizon case): per year, how often
the target holds, the result stays at or above `min_result` and the reserves stay above
`min_reserves` (docs/MODEL.md, "Horizon", "Simulating a path").

Scenario s is one run of the whole horizon: the same plan every year, each year's draws
its own, and the reserves carrying each drawn result to the next year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import num


@dataclass(frozen=True)
class YearDraws:
    """One year of the path in n drawn scenarios (arrays of length n)."""

    year: int
    target: float
    min_result: float
    share: np.ndarray
    result: np.ndarray
    reserves: np.ndarray | None  # at the end of the year, None without reserves

    @property
    def target_met(self) -> np.ndarray:
        return self.share >= self.target - 1e-9

    @property
    def result_ok(self) -> np.ndarray:
        return self.result >= self.min_result - 1e-6


@dataclass(frozen=True)
class HorizonSimulation:
    n: int
    seed: int
    years: Sequence[YearDraws]
    min_reserves: float | None = None

    def reserves_ok(self, k: int) -> np.ndarray | None:
        r = self.years[k].reserves
        if r is None or self.min_reserves is None:
            return None
        return r >= self.min_reserves - 1e-6

    def year_rows(self) -> list[dict[str, Any]]:
        """Per year: P(target met), P(result ok), P(reserves above the floor), share and
        reserves quantiles."""
        rows = []
        for k, y in enumerate(self.years):
            ok = self.reserves_ok(k)
            row: dict[str, Any] = {
                "year": y.year, "target": num(y.target),
                "p_target_met": float(y.target_met.mean()),
                "p_result_ok": float(y.result_ok.mean()),
                "p_reserves_ok": None if ok is None else float(ok.mean()),
                "share_quantiles": {q: float(np.quantile(y.share, v)) for q, v in
                                    (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))},
                "reserves_p05": None if y.reserves is None else float(np.quantile(
                    y.reserves, 0.05))}
            rows.append(row)
        return rows

    @property
    def p_every_target(self) -> float:
        """How often every year's target holds in the same scenario."""
        met = np.ones(self.n, dtype=bool)
        for y in self.years:
            met &= y.target_met
        return float(met.mean())

    @property
    def p_reserves_always_ok(self) -> float | None:
        if self.min_reserves is None or self.years[0].reserves is None:
            return None
        ok = np.ones(self.n, dtype=bool)
        for k in range(len(self.years)):
            ok &= self.reserves_ok(k)
        return float(ok.mean())

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "seed": self.seed, "years": self.year_rows(),
                "p_every_target": self.p_every_target,
                "p_reserves_always_ok": self.p_reserves_always_ok}


__all__ = ["HorizonSimulation", "YearDraws"]

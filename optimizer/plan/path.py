"""A path's robust rows by arithmetic (docs/MODEL.md, "Horizon", the rows of each year:
the share and result of year k protected by `target.robust`, each year's low cases as in
"Robust targets"), the recheck of a path as `evaluate.robust_margins` is of one plan.

Year k of a path: each lever's effects are its `year_effects` from its values in years
0..k, its low case its `year_low_lines`; the G levers that take most from a row deliver
their low case, the others as planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..case.schema import Case
from ..levers.base import Effects, YearView
from .evaluate import Evaluation, PlanContext, evaluate, worst_case

Path = Sequence[Mapping[str, float]]


def _values(path: Path, lever_id: str, k: int) -> list[float]:
    return [float(path[j].get(lever_id, 0.0)) for j in range(k + 1)]


def year_evaluation(case: Case, path: Path, k: int, count: int) -> Evaluation:
    """Year k's figures (case: the year's case, with its inflation and target)."""
    def effects_of(lever: Any, value: float, ctx: PlanContext) -> Effects:
        values = _values(path, lever.id, k) if lever.enabled else [0.0] * (k + 1)
        return lever.year_effects(values, YearView(k, count), ctx)
    return evaluate(case, path[k], effects_of)


def year_losses(case: Case, path: Path, k: int, count: int
                ) -> dict[str, tuple[float, float, float]]:
    """Per enabled lever: (private revenue, all revenue, result) it loses in year k when
    it delivers only its low case, the others as planned."""
    ctx = PlanContext(case, path[k])
    public = {r.id for r in case.revenues if r.public}
    view = YearView(k, count)
    out: dict[str, tuple[float, float, float]] = {}
    for lever in case.levers:
        if not lever.enabled:
            continue
        values = _values(path, lever.id, k)
        eff = lever.year_effects(values, view, ctx)
        low_revenue, low_spending = lever.year_low_lines(values, view, ctx)
        private_lost = revenue_lost = result_lost = 0.0
        for line, amount in eff.revenue.items():
            lost = amount - low_revenue.get(line, 0.0)
            revenue_lost += lost
            result_lost += lost
            if line not in public:
                private_lost += lost
        for line, amount in eff.expenditure.items():
            result_lost += low_spending.get(line, 0.0) - amount
        out[lever.id] = (private_lost, revenue_lost, result_lost)
    return out


def year_robust_margins(case: Case, path: Path, k: int, count: int, t: float | None = None
                        ) -> tuple[float, float]:
    """(private - t x revenues, result - min_result) of year k when the `target.robust`
    levers that take most from each row deliver only their low case."""
    t = case.target.private_share if t is None else t
    ev = year_evaluation(case, path, k, count)
    budget = case.target.robust
    losses = year_losses(case, path, k, count) if budget else {}
    share = {i: p - t * r for i, (p, r, _) in losses.items()}
    result = {i: d for i, (_, _, d) in losses.items()}
    return (ev.private - t * ev.total_revenues - worst_case(share, budget),
            ev.result - case.target.min_result - worst_case(result, budget))


def year_robust_share(case: Case, path: Path, k: int, count: int) -> float:
    """The private share year k keeps when the `target.robust` levers that take most from
    it deliver only their low case: min over sets S of at most G levers of P_S / T_S
    (the plain share when robust is 0)."""
    ev = year_evaluation(case, path, k, count)
    budget = case.target.robust
    if not budget or ev.total_revenues <= 0:
        return ev.private_share
    losses = year_losses(case, path, k, count)
    # The worst set at share s is the G largest positive (private lost - s x revenue
    # lost); iterate s -> the share of that set, which only falls and ends exactly.
    s = ev.private_share
    for _ in range(100):
        d = {i: p - s * r for i, (p, r, _) in losses.items()}
        chosen = sorted((i for i, v in d.items() if v > 0), key=lambda i: -d[i])[:budget]
        private = ev.private - sum(losses[i][0] for i in chosen)
        total = ev.total_revenues - sum(losses[i][1] for i in chosen)
        new = private / total if total else 0.0
        if not chosen or new >= s - 1e-12:
            return min(s, new)
        s = new
    return s


__all__ = ["year_evaluation", "year_losses", "year_robust_margins", "year_robust_share"]

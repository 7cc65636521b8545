"""A funder that spends its whole envelope (`envelopes[].spend: "all"`, docs/MODEL.md,
"Region": the envelope row is then sum_i (A(L_{e,i}) - c_{e,i}) = amount, within a cent).

The joint programs (model/region.py, model/region_horizon.py) write the row as an
equality. This module holds what the solving layers share: whether an envelope spends all,
the recheck of a split by arithmetic, and the decomposition's last step.

The decomposition (analyses/region_decompose.py) prices and chooses columns with the
envelope as a ceiling (its bounds stay valid: the ceiling is a relaxation of the
equality); `spend_whole` then gives back to the clusters what the chosen split leaves
unspent: each cluster in turn, its least objective with its after-amount raised by the
whole shortfall (and within what the others leave of every other row), the first that
can take it taking it. The polish then keeps every spend-all envelope exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

CENT = 0.01  # EUR: how close a spend-all envelope's after-amount is to its amount


def spend_all(spec: Any, envelope_id: str) -> bool:
    """Whether envelope `envelope_id` of the region file `spec` spends all of its amount."""
    return any(e.id == envelope_id and e.spends_all for e in spec.envelopes)


def unspent(spec: Any, splits: Sequence[Any]) -> list[str]:
    """The spend-all envelopes whose split does not spend the amount within a cent (by
    arithmetic; each split has id, amount, after)."""
    return [f"envelope {s.id} spends {s.after:,.2f} of its {s.amount:,.2f}, not all of it"
            for s in splits
            if s.after is not None and spend_all(spec, s.id) and abs(s.after - s.amount) > CENT]


def spend_rows(spec: Any, coupling: Sequence[tuple[str, int, float, float]]) -> list[int]:
    """The indices j of the envelope coupling rows whose envelope spends all."""
    return [j for kind, j, _, _ in coupling
            if kind == "env" and spec.envelopes[j].spends_all]


def at_least(spec: Any, pick: Sequence[Any], i: int,
             coupling: Sequence[tuple[str, int, float, float]], ne: int
             ) -> list[float] | None:
    """For cluster i of a split: the after-amount of each envelope it must at least keep
    so that every spend-all envelope is spent whole given the other clusters (-inf for a
    ceiling envelope); None when the region has no spend-all envelope."""
    rows = spend_rows(spec, coupling)
    if not rows:
        return None
    out = [-math.inf] * ne
    for kind, j, _, hi in coupling:
        if kind == "env" and j in rows:
            out[j] = hi - sum(c.after[j] for k, c in enumerate(pick) if k != i) - CENT / 2
    return out


def spend_whole(spec: Any, pick: list[Any], coupling: Sequence[tuple[str, int, float, float]],
                ne: int, solve: Callable[[int, Sequence[float], float | None, float | None,
                                          Sequence[float]], Any],
                left_for: Callable[[list[Any], int], tuple[list[float], float | None,
                                                          float | None]]
                ) -> list[Any] | None:
    """The split with every spend-all envelope spent whole: for each such envelope with a
    shortfall, each cluster it funds in turn (file order) takes its least objective with its
    after-amount raised by what is still unspent, or, when it cannot, by half of it, a
    quarter... (TRIES halvings; solve(i, after, members, surplus, lower) -> a column or
    None). None when the clusters together do not take the whole shortfall."""
    pick = list(pick)
    ids = [c.id for c in spec.clusters]
    for j in spend_rows(spec, coupling):
        env = spec.envelopes[j]
        hi = next(h for kind, jj, _, h in coupling if kind == "env" and jj == j)
        for i, cid in [(i, cid) for _ in range(PASSES) for i, cid in enumerate(ids)]:
            short = hi - sum(c.after[j] for c in pick)
            if short <= CENT / 2:
                break
            cut = pick[i].cuts.get(env.id, 0.0)
            if cid not in env.lines or cut <= CENT:
                continue
            after, members, surplus = left_for(pick, i)
            give = min(short, cut)  # a cluster gets back at most its cut
            for t in range(TRIES):
                lower = [-math.inf] * ne
                lower[j] = pick[i].after[j] + give / 2 ** t - (CENT / 2 if t == 0 else 0.0)
                col = solve(i, after, members, surplus, lower)
                if col is not None:
                    pick[i] = col
                    break
        if hi - sum(c.after[j] for c in pick) > CENT / 2:
            return None
    return pick


PASSES = 2  # rounds over the clusters
TRIES = 6  # halvings of the shortfall a cluster is asked to take before the next cluster


__all__ = ["CENT", "at_least", "spend_all", "spend_rows", "spend_whole", "unspent"]

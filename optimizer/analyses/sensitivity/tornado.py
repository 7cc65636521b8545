"""The tornado: each numeric input moved down and up, one at a time, ranked by its effect
on the least EUR at risk."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...case.load import load_case
from ...case.schema import Case
from ...errors import CaseError
from ...i18n import gettext as _
from ...levers.base import LeverBase
from ...results.names import input_name
from .common import Progress, check_settings
from .engine import Task, run_tasks
from .params import force_rebuild

if TYPE_CHECKING:
    import pandas as pd

# Inputs a tornado never moves: choices of the model (grids), not assumptions.
NOT_MOVED = {"step"}


@dataclass(frozen=True)
class Input:
    """A numeric input a tornado moves: its --set path, its name in words, its value."""

    path: str
    name: str
    value: float
    whole: bool = False  # a whole number (members, counts)
    low_limit: float = 0.0
    high_limit: float = math.inf


def tornado_inputs(case: Case) -> list[Input]:
    """The numeric inputs of a case: baseline amounts, members, staff, lever parameters.

    Left out: the target (a decision, not an assumption), the rules, option grid steps,
    disabled levers, and inputs at 0 (moving 0 by a percentage does nothing).
    """
    out: list[Input] = []
    for r in case.revenues:
        path = f"revenues.{r.id}.amount"
        out.append(Input(path, input_name(case, path), r.amount))
    for e in case.expenditures:
        path = f"expenditures.{e.id}.amount"
        out.append(Input(path, input_name(case, path), e.amount))
    out.append(Input("members", input_name(case, "members"), float(case.members), whole=True))
    if case.staff is not None:
        for name in ("fte", "spare_fte", "cost_per_fte"):
            value = getattr(case.staff, name)
            if value is not None:
                out.append(Input(f"staff.{name}", input_name(case, f"staff.{name}"),
                                 float(value), low_limit=1e-9 if name != "spare_fte" else 0.0))
    for lever in case.levers:
        if not lever.enabled:
            continue
        fields = type(lever).model_fields
        for name, info in fields.items():
            if name in NOT_MOVED or name in ("id", "label", "notes", "type", "enabled",
                                             "integer", "uncertainty"):
                continue
            value = getattr(lever, name)
            if name == "downside" and value is None:
                value = lever.risk_share
            if isinstance(value, bool) or not isinstance(value, int | float):
                if isinstance(value, dict):
                    for line, coef in value.items():
                        if isinstance(coef, int | float) and coef:
                            path = f"levers.{lever.id}.{name}.{line}"
                            out.append(Input(path, input_name(case, path), float(coef),
                                             low_limit=-math.inf))
                else:  # a nested block (a custom lever's set-up): the lever lists its inputs
                    for path, words, number, low_limit in lever.nested_inputs(name):
                        out.append(Input(f"levers.{lever.id}.{path}", _("{owner}: {field}")
                                         .format(owner=lever.name, field=words),
                                         number, low_limit=low_limit))
                continue
            if value == 0:
                continue
            low, high = _limits(info)
            path = f"levers.{lever.id}.{name}"
            out.append(Input(path, input_name(case, path), float(value),
                             whole=isinstance(value, int) or _counts_units(lever, name),
                             low_limit=low, high_limit=high))
    return out


def _counts_units(lever: LeverBase, name: str) -> bool:
    """Bounds of a lever sold or done in whole units (an integer service or custom lever)."""
    return bool(getattr(lever, "integer", False)) and name in ("max_units", "min_units",
                                                               "min", "max")


def _limits(info: Any) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for meta in info.metadata:
        if getattr(meta, "ge", None) is not None:
            low = max(low, float(meta.ge))
        if getattr(meta, "gt", None) is not None:
            low = max(low, float(meta.gt) + 1e-12)
        if getattr(meta, "le", None) is not None:
            high = min(high, float(meta.le))
        if getattr(meta, "lt", None) is not None:
            high = min(high, float(meta.lt) - 1e-12)
    return low, high


def _moved(item: Input, factor: float) -> float | int:
    value = min(item.high_limit, max(item.low_limit, item.value * factor))
    return round(value) if item.whole else round(value, 12)


def tornado(case: Case | Mapping[str, Any] | str | os.PathLike[str], pct: float = 0.2, *,
            solver: str = "highs", time_limit: float | None = None, workers: int | None = None,
            progress: Progress | None = None) -> pd.DataFrame:
    """Move each numeric input down and up by pct (0.2 = 20 %), one at a time, and rank the
    inputs by their effect on the least EUR at risk and on feasibility.

    One row per input, most important first: the ones whose move makes the target
    unreachable (or reachable, for an infeasible case), then by swing
    |risk_high - risk_low|. Values are clipped to their allowed range (a downside stays
    within 0 and 1) and counts rounded; a move that gives an invalid case is reported as
    status "invalid".
    """
    case = load_case(case)
    workers = check_settings(solver, workers)
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 < pct <= 1:
        raise CaseError(f"--tornado: the change must be between 0 and 100 %, got {pct!r}")
    inputs = tornado_inputs(case)
    tasks = [Task(0, (), None, (0,))]
    moves: list[tuple[Input, float | int, float | int]] = []
    rebuild = force_rebuild()
    for item in inputs:
        low, high = _moved(item, 1 - pct), _moved(item, 1 + pct)
        moves.append((item, low, high))
        n = 1 + 2 * (len(moves) - 1)
        if rebuild:  # a model per move (the path before `params`)
            tasks.append(Task(n, ((item.path, low),), None, (n,)))
            tasks.append(Task(n + 1, ((item.path, high),), None, (n + 1,)))
        else:  # both moves on the case's model, re-solved in place where exact
            tasks.append(Task(n, (), None, (n, n + 1), values=(item.path, (low, high))))
    answers = run_tasks(case, tasks, 1 + 2 * len(moves), solver=solver, time_limit=time_limit,
                        workers=workers, progress=progress)
    base = answers[0]
    base_ok = base.ok
    rows = []
    for k, (item, low, high) in enumerate(moves):
        lo, hi = answers[1 + 2 * k], answers[2 + 2 * k]
        risk_low = lo.risk if lo.ok else math.nan
        risk_high = hi.risk if hi.ok else math.nan
        flips = [side for side, p in (("lowered", lo), ("raised", hi))
                 if p.status != "invalid" and p.ok != base_ok]
        if flips:
            sides = (_("lowered or raised") if len(flips) == 2 else
                     _("lowered") if flips == ["lowered"] else _("raised"))
            feasibility = (_("no plan when {sides}") if base_ok else
                           _("a plan when {sides}")).format(sides=sides)
        else:
            feasibility = ""
        swing = abs(risk_high - risk_low) if lo.ok and hi.ok else math.nan
        effect = max((abs(r - base.risk) for r in (risk_low, risk_high) if math.isfinite(r)
                      and base_ok), default=math.nan)
        rows.append({
            "input": item.path, "name": item.name, "base": item.value, "low": low, "high": high,
            "status_low": lo.status, "status_high": hi.status, "risk_low": risk_low,
            "risk_high": risk_high, "swing": swing, "effect": effect,
            "feasibility": feasibility, "flips": len(flips),
            "note": "; ".join(p.detail for p in (lo, hi) if p.status == "invalid"),
        })
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["input", "name", "base", "low", "high", "status_low",
                                        "status_high", "risk_low", "risk_high", "swing",
                                        "effect", "feasibility", "flips", "note"])
    if len(frame):
        invalid = (frame["status_low"] == "invalid") & (frame["status_high"] == "invalid")
        frame["_invalid"] = invalid
        # to the cent: swings that differ only by float noise keep the order of their inputs
        frame["_swing"] = frame["swing"].fillna(frame["effect"]).fillna(-1.0).round(2)
        frame = frame.sort_values(["_invalid", "flips", "_swing", "input"],
                                  ascending=[True, False, False, True], kind="mergesort")
        frame = frame.drop(columns=["_invalid", "_swing"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame.attrs.update({"kind": "tornado", "case": case.name, "solver": solver, "pct": pct,
                        "base_status": base.status,
                        "base_risk": base.risk if base_ok else None,
                        "solves": sum(p.solved for p in answers)})
    return frame


__all__ = ["Input", "tornado", "tornado_inputs"]

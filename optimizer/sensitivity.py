"""Sensitivity runs: sweeps, the risk-target frontier with its entry points, the tornado.

    >>> import optimizer
    >>> case = optimizer.load_case("cases/aura-average-2020.json")     # doctest: +SKIP
    >>> optimizer.sweep(case, {"target.private_share": [0.55, 0.6]})   # doctest: +SKIP
    >>> optimizer.frontier(case).events                                # doctest: +SKIP
    >>> optimizer.tornado(case, 0.2).head()                            # doctest: +SKIP

Every point is an exact optimum: the same minimum EUR at risk as `optimize` on that
point. The speed comes from `engine.py` (the model built once, HiGHS in-process,
exact shortcuts between targets, points spread over the cores).
"""

from __future__ import annotations

import copy
import difflib
import itertools
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .case import (
    Case,
    Expenditure,
    Revenue,
    Rule,
    Staff,
    Target,
    load_case,
    parse_value,
    resolve_path,
)
from .engine import (
    Bisect,
    Point,
    Task,
    default_workers,
    lever_state,
    run_tasks,
    target_tasks,
)
from .errors import CaseError
from .fmt import keur
from .levers import LEVER_TYPES, CustomSetup, LeverBase
from .optimize import max_private_share
from .result import evaluate
from .solve import SOLVERS, Status

TARGET = "target.private_share"
# A sweep, grid included, has at most this many points.
MAX_POINTS = 100_000
# Inputs a tornado never moves: choices of the model (grids), not assumptions.
NOT_MOVED = {"step"}

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ sweep specifications


def parse_sweep(spec: str, option: str = "--sweep") -> tuple[str, list[Any]]:
    """'PATH=START:STOP:STEP' or 'PATH=V1,V2,V3' -> (path, values).

    START:STOP:STEP includes STOP when a whole number of steps reaches it (to 1e-9
    of a step). Whole-number START, STOP and STEP give whole numbers.
    """
    path, sep, text = spec.partition("=")
    path, text = path.strip(), text.strip()
    if not sep or not path or not text:
        raise CaseError(f"{option} {spec!r}: write PATH=START:STOP:STEP or PATH=V1,V2,..., e.g. "
                        f"{option} target.private_share=0.55:0.65:0.01")
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise CaseError(f"{option} {path}={text}: a range is START:STOP:STEP "
                            "(three numbers), e.g. 0.55:0.65:0.01")
        nums = []
        for name, part in zip(("START", "STOP", "STEP"), parts):
            value = parse_value(part)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                    value):
                raise CaseError(f"{option} {path}={text}: {name} must be a number, got {part!r}")
            nums.append(value)
        start, stop, step = nums
        if step <= 0:
            raise CaseError(f"{option} {path}={text}: STEP must be positive, got {step:g}")
        if stop < start:
            raise CaseError(f"{option} {path}={text}: STOP ({stop:g}) is below START ({start:g})")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_POINTS:
            raise CaseError(f"{option} {path}={text}: {count:,} points; at most {MAX_POINTS:,} "
                            "(use a larger STEP)")
        if all(isinstance(v, int) for v in nums):
            return path, [int(start + k * step) for k in range(count)]
        return path, [round(start + k * step, 12) for k in range(count)]
    values = [parse_value(part) for part in text.split(",")]
    if any(isinstance(v, str) and not v for v in values):
        raise CaseError(f"{option} {path}={text}: an empty value in the list")
    return path, values


def check_path(case: Case, path: str, option: str = "--sweep") -> None:
    """Raise CaseError (naming the nearest valid paths) unless path names a field of the case."""
    raw = case.model_dump(mode="json", exclude_unset=True)
    try:
        container, key, _ = resolve_path(copy.deepcopy(raw), path)
    except CaseError as exc:
        raise CaseError([p.replace("--set ", f"{option} ", 1) for p in exc.problems]) from None
    if isinstance(container, list) or key in container:
        return
    parts = path.split(".")
    model = _model_of(raw, parts[:-1])
    if model is None:  # a free-form dict (a custom lever's lines): validation decides
        return
    names = [n for n in model.model_fields if n not in ("type", "id", "notes")]
    if key in names:
        return
    prefix = ".".join(parts[:-1])
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    hint = (f"; did you mean {' or '.join(f'{prefix}.{c}' if prefix else c for c in close)}?"
            if close else f"; valid: {', '.join(names)}")
    raise CaseError(f"{option} {path}: no field '{key}' in {prefix or 'case'}{hint}")


def _model_of(raw: dict[str, Any], parts: list[str]) -> Any:
    if not parts:
        return Case
    head = parts[0]
    if len(parts) == 1:
        return {"target": Target, "staff": Staff}.get(head)
    if len(parts) == 2 and head in ("levers", "revenues", "expenditures", "rules"):
        if head == "levers":
            items = raw.get("levers", [])
            for item in items:
                if parts[1] == item.get("id") or (parts[1].isdigit()
                                                  and items.index(item) == int(parts[1])):
                    return LEVER_TYPES.get(item.get("type"))
            return None
        return {"revenues": Revenue, "expenditures": Expenditure, "rules": Rule}[head]
    return None


def _check_axis(case: Case, path: str, values: Sequence[Any]) -> None:
    """Each value of one axis, applied alone, gives a valid case (else CaseError, exit 2)."""
    if not values:
        raise CaseError(f"--sweep {path}: no values")
    check_path(case, path)
    if path == TARGET:
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < 1:
                raise CaseError(f"--sweep {path}={_show(v)}: target.private_share must be "
                                f"between 0 and 1 (exclusive), got {_show(v)}")
        return
    for v in values:
        try:
            case.with_values({path: v})
        except CaseError as exc:
            raise CaseError([f"--sweep {path}={_show(v)}: {p}" for p in exc.problems]) from None


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# ------------------------------------------------------------------ points to rows


def lever_columns(case: Case) -> list[str]:
    return [f"lever:{lever.id}" for lever in case.levers]


# A sweep of `members` keeps the swept value under its path and calls the members after
# the plan `members_after`.
MEMBERS, MEMBERS_AFTER = "members", "members_after"


def members_column(frame: pd.DataFrame) -> str:
    """The column of the members after the plan in a sweep frame."""
    return MEMBERS_AFTER if MEMBERS_AFTER in frame.columns else MEMBERS


def _row(case: Case, point: Point) -> dict[str, Any]:
    row: dict[str, Any] = {"status": point.status, "risk": point.risk,
                           "private_share": point.private_share, "result": point.result,
                           "members": point.members}
    for lever in case.levers:
        row[f"lever:{lever.id}"] = (point.plan.get(lever.id, 0.0) if point.plan is not None
                                    else math.nan)
    return row


def _settings(solver: str, workers: int | None) -> int:
    if solver not in SOLVERS:
        raise CaseError(f"solver: unknown solver '{solver}'; use one of {', '.join(SOLVERS)}")
    if workers is not None and workers < 1:
        raise CaseError(f"workers: must be at least 1, got {workers}")
    return default_workers() if workers is None else workers


# ------------------------------------------------------------------ sweep


def sweep(case: Case | Mapping[str, Any] | str | os.PathLike[str],
          axes: Mapping[str, Iterable[Any]], *, solver: str = "highs",
          time_limit: float | None = None, workers: int | None = None,
          progress: Progress | None = None) -> pd.DataFrame:
    """The optimum at every point of a sweep: one row per point.

    axes: {dotted path: values}, as `--set` paths (`target.private_share`,
    `levers.training.price`, `revenues.region.amount`); two or more axes make a grid
    (the first axis varies slowest). Columns: each path, then status, risk (EUR at
    risk), private_share, result, members, and `lever:ID` (each lever's value). An
    unreachable point is a row with status "infeasible" (NaN figures), not an error.
    """
    case = load_case(case)
    workers = _settings(solver, workers)
    lists = {path: list(values) for path, values in axes.items()}
    if not lists:
        raise CaseError("sweep: give at least one path to sweep")
    total = math.prod(len(v) for v in lists.values())
    if total > MAX_POINTS:
        raise CaseError(f"--sweep: {total:,} points in the grid; at most {MAX_POINTS:,}")
    for path, axis_values in lists.items():
        _check_axis(case, path, axis_values)

    paths = list(lists)
    points = list(itertools.product(*lists.values()))
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for index, values in enumerate(points):
        key = tuple((p, v) for p, v in zip(paths, values) if p != TARGET)
        groups.setdefault(key, []).append(index)
    tasks: list[Task] = []
    for g, (key, indices) in enumerate(groups.items()):
        if TARGET in lists:
            k = paths.index(TARGET)
            tasks += target_tasks(g, key, [points[i][k] for i in indices], indices)
        else:
            tasks.append(Task(g, key, None, tuple(indices)))
    answers = run_tasks(case, tasks, total, solver=solver, time_limit=time_limit,
                        workers=workers, progress=progress)
    rows = []
    for values, point in zip(points, answers):
        row = _row(case, point)
        if MEMBERS in paths:  # the swept members (before) and the members after the plan
            row[MEMBERS_AFTER] = row.pop(MEMBERS)
        row.update(zip(paths, values))
        rows.append(row)
    figures = ["status", "risk", "private_share", "result",
               MEMBERS_AFTER if MEMBERS in paths else MEMBERS]
    frame = pd.DataFrame(rows, columns=paths + figures + lever_columns(case))
    frame.attrs.update({"kind": "sweep", "case": case.name, "solver": solver, "axes": lists,
                        "solves": sum(p.solved for p in answers)})
    return frame


# ------------------------------------------------------------------ frontier


@dataclass(frozen=True)
class Frontier:
    """The least EUR at risk against the target, and where the plan changes shape.

    table: one row per grid target (target, status, risk, private_share, result,
    members, lever:ID values, risk:ID each lever's EUR at risk).
    events: where each lever enters or leaves the plan or reaches or leaves its maximum,
    found by bisection to `precision` (target, lever, label, event, before, after, text).
    """

    case: Case
    today_share: float
    max_share: float | None
    table: pd.DataFrame
    events: pd.DataFrame
    solver: str
    precision: float
    solves: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> list[str]:
        """Where the frontier starts and ends, in words."""
        if self.max_share is None:
            return [("No plan meets the case's other constraints (result, capacity, members, "
                     "rules), whatever the target.")]
        out = [(f"Today's private share is {self.today_share:.1%}; the levers can take it up "
                f"to {self.max_share:.2%}.")]
        ok = self.table[self.table["status"] == Status.OPTIMAL.value]
        if len(ok):
            first, last = ok.iloc[0], ok.iloc[-1]
            already = [lv.name for lv in self.case.levers
                       if abs(float(first[f"lever:{lv.id}"])) > 1e-7]
            if already:
                out.append(f"At {first['target']:.1%} the least risky plan already uses: "
                           f"{', '.join(already)}.")
            out.append(f"The least EUR at risk rises from {keur(first['risk'])} at "
                       f"{first['target']:.1%} to {keur(last['risk'])} at "
                       f"{last['target']:.2%}.")
        return out

    def summary(self) -> list[str]:
        """The frontier in words, for a board: every change, in order of target."""
        if self.max_share is None:
            return self.headline()
        return self.headline() + self.events["text"].tolist() + list(self.notes)

    def to_dict(self) -> dict[str, Any]:
        from .report_sensitivity import frontier_dict

        return frontier_dict(self)

    def report(self, fmt: str = "table") -> str:
        from .report_sensitivity import render_frontier

        return render_frontier(self, fmt)


_VERBS = {
    ("off", "on"): "enters", ("off", "max"): "enters at its maximum",
    ("on", "off"): "leaves", ("max", "off"): "leaves",
    ("on", "max"): "reaches its maximum", ("max", "on"): "drops below its maximum",
}


def frontier(case: Case | Mapping[str, Any] | str | os.PathLike[str], *, points: int = 101,
             precision: float = 1e-4, solver: str = "highs", time_limit: float | None = None,
             workers: int | None = None, progress: Progress | None = None) -> Frontier:
    """The least EUR at risk for every target from today's share to the highest reachable.

    points: grid targets, evenly spaced. Between two grid targets where a lever changes
    state (enters or leaves the plan, reaches or leaves its maximum), the exact target of
    the change is found by bisection to `precision`. A lever that changes state and
    changes back between two grid targets is not seen: use more points.
    """
    case = load_case(case)
    workers = _settings(solver, workers)
    if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= MAX_POINTS:
        raise CaseError(f"--points: must be a whole number from 2 to {MAX_POINTS:,}, got {points}")
    if not 0 < precision < 1:
        raise CaseError(f"precision: must be between 0 and 1, got {precision}")
    today = evaluate(case, {}).private_share
    # The highest share: Dinkelbach on the exact model (CBC when asked for, else HiGHS).
    top, _ = max_private_share(case, solver, time_limit)
    columns = ["target", "status", "risk", "private_share", "result", "members"]
    columns += lever_columns(case) + [f"risk:{lever.id}" for lever in case.levers]
    event_columns = ["target", "lever", "label", "event", "before", "after", "text"]
    if top is None:
        return Frontier(case, today, None, pd.DataFrame(columns=columns),
                        pd.DataFrame(columns=event_columns), solver, precision)
    low = min(today, top)
    grid = sorted({round(low + (top - low) * k / (points - 1), 12) for k in range(points)})
    grid[-1] = top
    tasks = target_tasks(0, (), grid, list(range(len(grid))))
    stage = _Stage(progress)
    answers = run_tasks(case, tasks, len(grid), solver=solver, time_limit=time_limit,
                        workers=workers, progress=stage.first)
    rows = []
    for t, point in zip(grid, answers):
        row = {"target": t, **_row(case, point)}
        for lever in case.levers:
            row[f"risk:{lever.id}"] = point.lever_risk.get(lever.id, math.nan) if point.ok \
                else math.nan
        rows.append(row)
    table = pd.DataFrame(rows, columns=columns)

    # Where does the plan change shape? Bisect each change between two grid targets.
    jobs: list[tuple[int, Bisect]] = []
    for i in range(len(grid) - 1):
        a, b = answers[i], answers[i + 1]
        if not (a.ok and b.ok and a.plan is not None and b.plan is not None):
            continue
        for lever in case.levers:
            if not lever.enabled:
                continue
            sa = lever_state(lever, case, a.plan.get(lever.id, 0.0))
            sb = lever_state(lever, case, b.plan.get(lever.id, 0.0))
            if sa != sb:
                jobs.append((i, Bisect(lever.id, grid[i], grid[i + 1], sa, precision)))
    found = [p.found for p in run_tasks(
        case, [Task(k, (), None, (k,), bisect=job) for k, (_, job) in enumerate(jobs)], len(jobs),
        solver=solver, time_limit=time_limit, workers=workers, progress=stage.second)]
    events = []
    for (i, job), (t, before, after) in zip(jobs, found):
        lever = case.lever(job.lever)
        prev = answers[i] if before is None else before
        nxt = answers[i + 1] if after is None else after
        v0 = prev.plan.get(lever.id, 0.0) if prev.plan is not None else math.nan
        v1 = nxt.plan.get(lever.id, 0.0) if nxt.plan is not None else math.nan
        s1 = lever_state(lever, case, v1) if nxt.plan is not None else "off"
        verb = _VERBS.get((job.state_low, s1), "changes")
        events.append({"target": t, "lever": lever.id, "label": lever.name, "event": verb,
                       "before": v0, "after": v1,
                       "text": f"{lever.name} {verb} at {t:.2%} ({_value(lever, v0)} -> "
                               f"{_value(lever, v1)})."})
    events.sort(key=lambda e: (e["target"], e["lever"]))
    events.append({"target": top, "lever": "", "label": "", "event": "no plan beyond",
                   "before": math.nan, "after": math.nan,
                   "text": f"Beyond {top:.2%} no plan exists."})
    notes = []
    if today > top + 1e-9:
        notes.append(f"Today's share ({today:.1%}) is above what a plan that meets the other "
                     f"constraints can keep ({top:.2%}).")
    solves = sum(p.solved for p in answers) + sum(
        math.ceil(math.log2(max(2.0, (j.high - j.low) / precision))) for _, j in jobs)
    return Frontier(case, today, top, table, pd.DataFrame(events, columns=event_columns),
                    solver, precision, solves, tuple(notes))


class _Stage:
    """One progress count over the grid, then the bisections."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.grid = 0

    def first(self, done: int, total: int) -> None:
        self.grid = total
        if self.progress:
            self.progress(done, total)

    def second(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(self.grid + done, self.grid + total)


def _value(lever: LeverBase, value: float) -> str:
    if not math.isfinite(value):
        return "-"
    if lever.type in ("fee_increase", "success_fee"):
        return f"{value:.1%}"
    if lever.type in ("cut", "grant_cut") or (lever.type == "custom" and not getattr(
            lever, "integer", False)):
        return f"{value:,.0f}" if lever.type != "custom" else f"{value:,.2f}"
    return f"{value:,.0f}"


# ------------------------------------------------------------------ tornado


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
        out.append(Input(f"revenues.{r.id}.amount", f"{r.name}: amount", r.amount))
    for e in case.expenditures:
        out.append(Input(f"expenditures.{e.id}.amount", f"{e.name}: amount", e.amount))
    out.append(Input("members", "members", float(case.members), whole=True))
    if case.staff is not None:
        for name in ("fte", "spare_fte", "cost_per_fte"):
            value = getattr(case.staff, name)
            if value is not None:
                out.append(Input(f"staff.{name}", f"staff: {name.replace('_', ' ')}",
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
                            out.append(Input(f"levers.{lever.id}.{name}.{line}",
                                             f"{lever.name}: {name} {line}", float(coef),
                                             low_limit=-math.inf))
                elif name == "setup" and isinstance(value, CustomSetup):
                    if value.risk:
                        out.append(Input(f"levers.{lever.id}.setup.risk",
                                         f"{lever.name}: setup risk", value.risk))
                    for line, coef in value.expenditures.items():
                        if coef:
                            out.append(Input(f"levers.{lever.id}.setup.expenditures.{line}",
                                             f"{lever.name}: setup cost {line}", float(coef),
                                             low_limit=-math.inf))
                continue
            if value == 0:
                continue
            low, high = _limits(info)
            out.append(Input(f"levers.{lever.id}.{name}", f"{lever.name}: "
                             f"{name.replace('_', ' ')}", float(value),
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
    workers = _settings(solver, workers)
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 < pct <= 1:
        raise CaseError(f"--tornado: the change must be between 0 and 100 %, got {pct!r}")
    inputs = tornado_inputs(case)
    tasks = [Task(0, (), None, (0,))]
    moves: list[tuple[Input, float | int, float | int]] = []
    for item in inputs:
        low, high = _moved(item, 1 - pct), _moved(item, 1 + pct)
        moves.append((item, low, high))
        n = len(tasks)
        tasks.append(Task(n, ((item.path, low),), None, (n,)))
        tasks.append(Task(n + 1, ((item.path, high),), None, (n + 1,)))
    answers = run_tasks(case, tasks, len(tasks), solver=solver, time_limit=time_limit,
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
            what = "no plan" if base_ok else "a plan"
            feasibility = f"{what} when {' or '.join(flips)}"
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
    frame = pd.DataFrame(rows, columns=["input", "name", "base", "low", "high", "status_low",
                                        "status_high", "risk_low", "risk_high", "swing",
                                        "effect", "feasibility", "flips", "note"])
    if len(frame):
        invalid = (frame["status_low"] == "invalid") & (frame["status_high"] == "invalid")
        frame["_invalid"] = invalid
        frame["_swing"] = frame["swing"].fillna(frame["effect"]).fillna(-1.0)
        frame = frame.sort_values(["_invalid", "flips", "_swing", "input"],
                                  ascending=[True, False, False, True], kind="mergesort")
        frame = frame.drop(columns=["_invalid", "_swing"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame.attrs.update({"kind": "tornado", "case": case.name, "solver": solver, "pct": pct,
                        "base_status": base.status,
                        "base_risk": base.risk if base_ok else None,
                        "solves": sum(p.solved for p in answers)})
    return frame


__all__ = [
    "MAX_POINTS",
    "TARGET",
    "Frontier",
    "Input",
    "check_path",
    "frontier",
    "lever_state",
    "parse_sweep",
    "sweep",
    "tornado",
    "tornado_inputs",
]

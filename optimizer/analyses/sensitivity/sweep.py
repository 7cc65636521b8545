"""Sweeps: the optimum at every point of one or more axes of `--set` paths (a grid)."""

from __future__ import annotations

import copy
import difflib
import itertools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...case.fractions import fraction_value
from ...case.load import load_case
from ...case.paths import Percent, parse_value
from ...case.schema import Case, Expenditure, Revenue, Rule, Staff, Target, resolve_case_path
from ...errors import CaseError
from ...fmt import count as count_text
from ...i18n import gettext as _
from ...levers.registry import LEVER_TYPES
from ...results.sweep import MEMBERS, MEMBERS_AFTER, lever_columns
from .common import MAX_POINTS, TARGET, Progress, check_settings, point_row
from .engine import Task, chunk_size, run_tasks, target_tasks
from .params import VALUE_CHUNK, force_rebuild

if TYPE_CHECKING:
    import pandas as pd


def parse_sweep(spec: str, option: str = "--sweep") -> tuple[str, list[Any]]:
    """'PATH=START:STOP:STEP' or 'PATH=V1,V2,V3' -> (path, values).

    START:STOP:STEP includes STOP when a whole number of steps reaches it (to 1e-9
    of a step). Whole-number START, STOP and STEP give whole numbers. Percentages
    (55%:65%:1%, or 55%,60%) are fractions, for a path that takes one (`sweep` checks).
    """
    path, sep, text = spec.partition("=")
    path, text = path.strip(), text.strip()
    if not sep or not path or not text:
        raise CaseError(_("{option} {spec}: write PATH=START:STOP:STEP or PATH=V1,V2,..., e.g. "
                          "{option} target.private_share=0.55:0.65:0.01").format(
                              option=option, spec=repr(spec)))
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise CaseError(_("{option} {path}={text}: a range is START:STOP:STEP (three "
                              "numbers), e.g. 0.55:0.65:0.01").format(option=option, path=path,
                                                                     text=text))
        nums = []
        for name, part in zip(("START", "STOP", "STEP"), parts):
            value = _parsed(part, f"{option} {path}={text}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                    value):
                raise CaseError(_("{option} {path}={text}: {name} must be a number, got {part}")
                                .format(option=option, path=path, text=text, name=name,
                                        part=repr(part)))
            nums.append(value)
        start, stop, step = nums
        if step <= 0:
            raise CaseError(_("{option} {path}={text}: STEP must be positive, got {step}").format(
                option=option, path=path, text=text, step=f"{step:g}"))
        if stop < start:
            raise CaseError(_("{option} {path}={text}: STOP ({stop}) is below START ({start})")
                            .format(option=option, path=path, text=text, stop=f"{stop:g}",
                                    start=f"{start:g}"))
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_POINTS:
            raise CaseError(_("{option} {path}={text}: {n} points; at most {most} (use a "
                              "larger STEP)").format(option=option, path=path, text=text,
                                                     n=count_text(count),
                                                     most=count_text(MAX_POINTS)))
        if all(isinstance(v, int) for v in nums):
            return path, [int(start + k * step) for k in range(count)]
        values = [round(start + k * step, 12) for k in range(count)]
        if any(isinstance(v, Percent) for v in nums):
            return path, [Percent(v) for v in values]
        return path, values
    values = [_parsed(part, f"{option} {path}={text}") for part in text.split(",")]
    if any(isinstance(v, str) and not v for v in values):
        raise CaseError(_("{option} {path}={text}: an empty value in the list").format(
            option=option, path=path, text=text))
    return path, values


def _parsed(part: str, where: str) -> Any:
    try:
        return parse_value(part)
    except ValueError as exc:
        raise CaseError(f"{where}: {exc}") from None


def check_path(case: Case, path: str, option: str = "--sweep") -> None:
    """Raise CaseError (naming the nearest valid paths) unless path names a field of the case."""
    raw = case.model_dump(mode="json", exclude_unset=True)
    try:
        container, key, _rest = resolve_case_path(copy.deepcopy(raw), path)
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
    hint = (_("; did you mean {names}?").format(names=_(" or ").join(
        f"{prefix}.{c}" if prefix else c for c in close))
        if close else _("; valid: {names}").format(names=", ".join(names)))
    raise CaseError(_("{option} {path}: no field '{key}' in {where}{hint}").format(
        option=option, path=path, key=key, where=prefix or _("case"), hint=hint))


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
        raise CaseError(_("--sweep {path}: no values").format(path=path))
    check_path(case, path)
    if path == TARGET:
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < 1:
                raise CaseError(_("--sweep {path}={value}: target.private_share must be between "
                                  "0 and 1 (exclusive), got {value}").format(path=path,
                                                                             value=_show(v)))
        return
    for v in values:
        try:
            case.with_values({path: v})
        except CaseError as exc:
            raise CaseError([f"--sweep {path}={_show(v)}: {p}" for p in exc.problems]) from None


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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
    workers = check_settings(solver, workers)
    raw = case.model_dump(mode="json", exclude_unset=True)
    # Percentages ("60%") become fractions, for paths that take one.
    lists = {path: [fraction_value(raw, path, v, "--sweep") for v in values]
             for path, values in axes.items()}
    if not lists:
        raise CaseError(_("sweep: give at least one path to sweep"))
    total = math.prod(len(v) for v in lists.values())
    if total > MAX_POINTS:
        raise CaseError(_("--sweep: {n} points in the grid; at most {most}").format(
            n=count_text(total), most=count_text(MAX_POINTS)))
    for path, axis_values in lists.items():
        _check_axis(case, path, axis_values)

    paths = list(lists)
    points = list(itertools.product(*lists.values()))
    if TARGET not in lists and not force_rebuild() and chunk_size(case, solver) > 1:
        # The last axis's values re-solve one model in place (`params`), in chunks.
        tasks = value_tasks(paths, points, VALUE_CHUNK)
    else:
        tasks = _point_tasks(case, solver, paths, points, TARGET in lists)
    answers = run_tasks(case, tasks, total, solver=solver, time_limit=time_limit,
                        workers=workers, progress=progress)
    rows = []
    for values, point in zip(points, answers):
        row = point_row(case, point)
        if MEMBERS in paths:  # the swept members (before) and the members after the plan
            row[MEMBERS_AFTER] = row.pop(MEMBERS)
        row.update(zip(paths, values))
        rows.append(row)
    figures = ["status", "risk", "private_share", "result",
               MEMBERS_AFTER if MEMBERS in paths else MEMBERS]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=paths + figures + lever_columns(case))
    frame.attrs.update({"kind": "sweep", "case": case.name, "solver": solver, "axes": lists,
                        "solves": sum(p.solved for p in answers)})
    return frame


def _point_tasks(case: Case, solver: str, paths: list[str], points: list[tuple[Any, ...]],
                 targets: bool) -> list[Task]:
    """A group per value of the axes other than the target (a model each), its targets in
    chunks; without a target axis, a model per point (the path before `params`)."""
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for index, values in enumerate(points):
        key = tuple((p, v) for p, v in zip(paths, values) if p != TARGET)
        groups.setdefault(key, []).append(index)
    tasks: list[Task] = []
    for g, (key, indices) in enumerate(groups.items()):
        if targets:
            k = paths.index(TARGET)
            tasks += target_tasks(g, key, [points[i][k] for i in indices], indices,
                                  chunk_size(case, solver))
        else:
            tasks.append(Task(g, key, None, tuple(indices)))
    return tasks


def value_tasks(paths: Sequence[str], points: Sequence[tuple[Any, ...]], chunk: int
                ) -> list[Task]:
    """The tasks of a sweep without a target axis: a group per value of the axes but the
    last (a model each), the last axis's values in chunks of `chunk`, in their order, each
    chunk re-solving one model (`params.solve_values`)."""
    *front, last = paths
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for index, values in enumerate(points):
        groups.setdefault(tuple(zip(front, values[:-1])), []).append(index)
    tasks: list[Task] = []
    for g, (key, indices) in enumerate(groups.items()):
        for s in range(0, len(indices), chunk):
            part = indices[s:s + chunk]
            tasks.append(Task(g, key, None, tuple(part),
                              values=(last, tuple(points[i][-1] for i in part))))
    return tasks


__all__ = ["check_path", "parse_sweep", "sweep", "value_tasks"]

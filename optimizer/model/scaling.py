"""Coefficients the solvers may not handle exactly: a warning in the result (README, "Numbers").

A constraint whose coefficients span more than 1e10, or a coefficient so small (below
1e-9) that a solver may drop it, gives a `badly scaled` warning naming the levers; the
plan is still rechecked by arithmetic (`plan.evaluate.objective_gap`, `violations`).
"""

from __future__ import annotations

import math
import re

from ..case.schema import Case
from ..i18n import gettext as _
from .milp import Model

# A constraint whose coefficients span more than this is badly scaled.
MAX_ROW_RANGE = 1e10
# Coefficients at or below this are dropped by HiGHS and may be by CBC.
SMALLEST_COEFFICIENT = 1e-9

_LEVER_COLUMN = re.compile(r"^l(\d+)_")


def _column_lever(name: str, case: Case) -> str:
    m = _LEVER_COLUMN.match(name)
    if m and int(m.group(1)) < len(case.levers):
        i = int(m.group(1))
        return f"levers[{i}] '{case.levers[i].id}'"
    return _("the model")


def _row_words(meaning: str) -> str:
    kind, _sep, rest = meaning.partition(":")
    line, _sep, line_id = rest.partition(":")
    words = {"share": _("the private-share target"), "result": _("the result constraint"),
             "capacity": _("the staff-capacity constraint"),
             "min_members": _("the members minimum"), "max_levers": _("the limit on levers"),
             "rule": _("the rule '{name}'").format(name=rest),
             "line": (_("the constraint that keeps {side} line {id} >= 0").format(
                 side=line, id=line_id) if _sep else
                 _("the constraint that keeps {line} >= 0").format(line=rest)),
             "lever": _("the bounds of lever '{id}'").format(id=rest)}
    return words.get(kind, meaning or _("a constraint"))


def scaling_warnings(model: Model) -> list[str]:
    """Warnings about coefficients the solvers may not handle exactly (see module docstring)."""
    case = model.case
    worst: tuple[float, str, str, float, str, float] | None = None
    tiny: dict[str, float] = {}
    for constraint in model.prob.constraints():
        name = constraint.name
        coefs = [(abs(c), v.name) for v, c in constraint.items() if c != 0]
        if not coefs:
            continue
        low, high = min(coefs), max(coefs)
        for size, column in coefs:
            if size <= SMALLEST_COEFFICIENT:
                lever = _column_lever(column, case)
                tiny[lever] = min(size, tiny.get(lever, math.inf))
        ratio = high[0] / low[0]
        if ratio > MAX_ROW_RANGE and (worst is None or ratio > worst[0]):
            worst = (ratio, model.rows.get(name, ""), _column_lever(low[1], case), low[0],
                     _column_lever(high[1], case), high[0])
    out: list[str] = []
    if worst is not None:
        ratio, meaning, low_lever, smallest, high_lever, largest = worst
        out.append(_("badly scaled: in {row} the coefficients range from {smallest} "
                     "({low_lever}) to {largest} ({high_lever}), a ratio of {ratio}; solvers "
                     "work to about 1e-9, so the answer may be wrong. Express amounts in k EUR, "
                     "or drop effects too small to matter (every plan is still rechecked by "
                     "arithmetic)").format(row=_row_words(meaning), smallest=f"{smallest:.1e}",
                                           low_lever=low_lever, largest=f"{largest:.1e}",
                                           high_lever=high_lever, ratio=f"{ratio:.0e}"))
    for lever, size in sorted(tiny.items()):
        out.append(_("badly scaled: {lever} has a coefficient of {size}, below the {smallest} "
                     "that solvers treat as zero; its effect may be ignored (every plan is "
                     "still rechecked by arithmetic)").format(
                         lever=lever, size=f"{size:.1e}", smallest=f"{SMALLEST_COEFFICIENT:.0e}"))
    return [w.replace("e+", "e") for w in out]


__all__ = ["MAX_ROW_RANGE", "SMALLEST_COEFFICIENT", "scaling_warnings"]

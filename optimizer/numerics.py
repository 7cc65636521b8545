"""Numbers the solvers cannot be trusted with, and the checks that keep a plan honest.

Solvers work in floating point with tolerances of about 1e-9 to 1e-7; a model
whose coefficients span many orders of magnitude can make them call a feasible
case infeasible, or pay a set-up cost "a little" through a 0/1 variable at
1e-7. Three lines of defence (README, "Robustness"):

- `check_magnitudes` (a refusal, exit 2): no lever may move a budget line,
  the members, the staff capacity or the risk by more than 1e12 at its bounds,
  the same limit as for the amounts of a case;
- `scaling_warnings` (a warning in the result): a constraint whose
  coefficients span more than 1e10, or a coefficient so small (below 1e-9)
  that a solver may drop it;
- `objective_gap` (exit 4): the solver's optimum must equal the plan's EUR at
  risk recomputed by arithmetic, so that a plan the solver got by leaning on
  its tolerances is refused, never reported.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from .levers import LeverBase, OptionLever

if TYPE_CHECKING:
    from .case import Case
    from .model import Model
    from .result import Evaluation

# The largest amount a case may hold (MODEL.md amounts, levers' effects alike).
MAX_MAGNITUDE = 1e12
# The most option variables a model may have (about 30 s of solving; see check_model_size).
MAX_OPTION_VARIABLES = 100_000
# A constraint whose coefficients span more than this is badly scaled.
MAX_ROW_RANGE = 1e10
# Coefficients at or below this are dropped by HiGHS and may be by CBC.
SMALLEST_COEFFICIENT = 1e-9

# The field that bounds each lever type's decision value, to name in a refusal.
BOUND_FIELD = {"cut": "max_fraction", "grant_cut": "max_fraction",
               "fee_increase": "max_increase", "new_members": "max_new",
               "service": "max_units", "success_fee": "max_rate",
               "eu_projects": "max_proposals", "custom": "max"}


class _Extreme:
    """The evaluation context of `check_magnitudes`: fee increases at their largest."""

    def __init__(self, case: Case):
        self.case = case

    def fee_increase_on(self, revenue: str) -> float:
        for lever in self.case.levers:
            if lever.enabled and lever.type == "fee_increase" and \
                    lever.revenue == revenue:
                return lever.upper_bound(self.case)
        return 0.0


def _extreme_values(lever: LeverBase, case: Case) -> list[float]:
    if isinstance(lever, OptionLever):
        return lever.options(case)
    low = getattr(lever, "min", 0.0) if lever.type == "custom" else 0.0
    return [low, lever.upper_bound(case)]


def check_magnitudes(case: Case) -> list[str]:
    """Levers that would move a quantity beyond 1e12 at their bounds (validation problems).

    Call only once the case's references are valid (the levers name existing lines).
    """
    problems: list[str] = []
    ctx = _Extreme(case)
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        worst, what = 0.0, ""
        for value in _extreme_values(lever, case):
            eff = lever.effects(value, ctx)
            moves = [(abs(v), f"the line '{k}'") for k, v in eff.revenue.items()]
            moves += [(abs(v), f"the line '{k}'") for k, v in eff.expenditure.items()]
            moves += [(abs(eff.members), "the members"), (abs(eff.fte_use), "the staff capacity"),
                      (abs(eff.risk), "the EUR at risk")]
            for size, name in moves:
                if not size <= worst:  # also catches an overflow to inf or nan
                    worst, what = size, name
        if not worst <= MAX_MAGNITUDE:
            field = BOUND_FIELD.get(lever.type, "")
            bound = getattr(lever, field, None)
            shown = f" ({field} = {bound:g})" if isinstance(bound, int | float) else ""
            problems.append(
                f"levers[{i}].{field}: at its bound{shown} the lever moves {what} by "
                f"{worst:.3g}, beyond the limit of {MAX_MAGNITUDE:.0e}; lower {field} or the "
                "per-unit figures (amounts are annual EUR, not cents)".replace("e+", "e"))
    return problems


def check_model_size(case: Case) -> list[str]:
    """A model of more than MAX_OPTION_VARIABLES option variables is refused (a 100 kB file
    of 1,000 levers of 1,000 options would take minutes and gigabytes to build).

    Option levers have one 0/1 variable per option; a `new_members` lever adds one per
    option of the fee increase on its line.
    """
    fee_options: dict[str, int] = {}
    for lever in case.levers:
        if lever.enabled and lever.type == "fee_increase":
            fee_options[lever.revenue] = len(lever.options(case))
    count = 0
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        if isinstance(lever, OptionLever):
            count += len(lever.options(case))
        elif lever.type == "new_members":
            count += fee_options.get(lever.revenue, 0)
        if count > MAX_OPTION_VARIABLES:
            return [(f"levers[{i}]: the levers up to this one need {count:,} option variables, "
                    f"more than the {MAX_OPTION_VARIABLES:,} a model may have; use larger "
                    "steps (step) or fewer option levers")]
    return []


_LEVER_COLUMN = re.compile(r"^l(\d+)_")


def _column_lever(name: str, case: Case) -> str:
    m = _LEVER_COLUMN.match(name)
    if m and int(m.group(1)) < len(case.levers):
        i = int(m.group(1))
        return f"levers[{i}] '{case.levers[i].id}'"
    return "the model"


def _row_words(meaning: str) -> str:
    kind, _, rest = meaning.partition(":")
    return {"share": "the private-share target", "result": "the result constraint",
            "capacity": "the staff-capacity constraint", "min_members": "the members minimum",
            "max_levers": "the limit on levers", "rule": f"the rule '{rest}'",
            "line": f"the constraint that keeps {rest.replace(':', ' line ')} >= 0",
            "lever": f"the bounds of lever '{rest}'"}.get(kind, meaning or "a constraint")


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
        out.append(f"badly scaled: in {_row_words(meaning)} the coefficients range from "
                   f"{smallest:.1e} ({low_lever}) to {largest:.1e} ({high_lever}), a ratio of "
                   f"{ratio:.0e}; solvers work to about 1e-9, so the answer may be wrong. "
                   "Express amounts in k EUR, or drop effects too small to matter "
                   "(every plan is still rechecked by arithmetic)")
    for lever, size in sorted(tiny.items()):
        out.append(f"badly scaled: {lever} has a coefficient of {size:.1e}, below the "
                   f"{SMALLEST_COEFFICIENT:.0e} that solvers treat as zero; its effect may be "
                   "ignored (every plan is still rechecked by arithmetic)")
    return [w.replace("e+", "e") for w in out]


def change_of(ev: Evaluation) -> float:
    """The EUR a plan moves in the budget (the tie-break of the README), by arithmetic."""
    return sum(sum(abs(v) for v in e.revenue.values()) + sum(abs(v) for v in e.expenditure.values())
               for e in ev.effects.values())


def objective_gap(objective: float | None, ev: Evaluation, tie_break: float,
                  tolerance: float) -> str | None:
    """Why the solver's optimum and the plan's risk by arithmetic disagree (None if they agree).

    objective: what the solver says its plan is worth (risk + tie_break x change).
    """
    if objective is None:
        return None
    expected = ev.risk + tie_break * change_of(ev)
    allowed = tolerance + 1e-6 * abs(ev.risk) + tie_break * change_of(ev)
    if math.isfinite(objective) and abs(objective - expected) <= allowed:
        return None
    return (f"the solver values its plan at {objective:,.6g} EUR at risk, but the plan's "
            f"levers add up to {ev.risk:,.6g} by arithmetic")


__all__ = ["MAX_MAGNITUDE", "MAX_OPTION_VARIABLES", "change_of", "check_magnitudes",
           "check_model_size", "objective_gap", "scaling_warnings"]

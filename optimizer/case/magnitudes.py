"""Numbers the solvers cannot be trusted with, refused at validation (exit 2).

Solvers work in floating point with tolerances of about 1e-9 to 1e-7 (README,
"Robustness"): no lever may move a budget line, the members, the staff capacity or
the risk by more than 1e12 at its bounds, the same limit as for the amounts of a case;
and a model may not have more option variables than a solver handles in seconds.
The other two lines of defence, on the built model and the solved plan, are
`model.scaling` and `plan.evaluate.objective_gap`.
"""

from __future__ import annotations

from typing import Any

# The largest amount a case may hold (MODEL.md amounts, levers' effects alike).
MAX_MAGNITUDE = 1e12
# The most option variables a model may have (about 30 s of solving; see check_model_size).
MAX_OPTION_VARIABLES = 100_000


class ExtremeFees:
    """The evaluation context of `check_magnitudes`: fee increases at their largest."""

    def __init__(self, case: Any):
        self.case = case

    def fee_increase_on(self, revenue: str) -> float:
        for lever in self.case.levers:
            if lever.enabled and lever.raises_fee_on() == revenue:
                return float(lever.upper_bound(self.case))
        return 0.0


def check_magnitudes(case: Any) -> list[str]:
    """Levers that would move a quantity beyond 1e12 at their bounds (validation problems).

    Call only once the case's references are valid (the levers name existing lines).
    """
    problems: list[str] = []
    ctx = ExtremeFees(case)
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        worst, what = 0.0, ""
        for value in lever.extreme_values(case):
            eff = lever.effects(value, ctx)
            moves = [(abs(v), f"the line '{k}'") for k, v in eff.revenue.items()]
            moves += [(abs(v), f"the line '{k}'") for k, v in eff.expenditure.items()]
            moves += [(abs(eff.members), "the members"), (abs(eff.fte_use), "the staff capacity"),
                      (abs(eff.risk), "the EUR at risk")]
            for size, name in moves:
                if not size <= worst:  # also catches an overflow to inf or nan
                    worst, what = size, name
        if not worst <= MAX_MAGNITUDE:
            field = lever.bound_field
            bound = getattr(lever, field, None)
            shown = f" ({field} = {bound:g})" if isinstance(bound, int | float) else ""
            problems.append(
                f"levers[{i}].{field}: at its bound{shown} the lever moves {what} by "
                f"{worst:.3g}, beyond the limit of {MAX_MAGNITUDE:.0e}; lower {field} or the "
                "per-unit figures (amounts are annual EUR, not cents)".replace("e+", "e"))
    return problems


def check_model_size(case: Any) -> list[str]:
    """A model of more than MAX_OPTION_VARIABLES option variables is refused (a 100 kB file
    of 1,000 levers of 1,000 options would take minutes and gigabytes to build).

    Option levers have one 0/1 variable per option; a `new_members` lever adds one per
    option of the fee increase on its line.
    """
    fee_options: dict[str, int] = {}
    for lever in case.levers:
        line = lever.raises_fee_on() if lever.enabled else None
        if line is not None:
            fee_options[line] = lever.option_variables(case, {})
    count = 0
    for i, lever in enumerate(case.levers):
        if not lever.enabled:
            continue
        count += lever.option_variables(case, fee_options)
        if count > MAX_OPTION_VARIABLES:
            return [(f"levers[{i}]: the levers up to this one need {count:,} option variables, "
                    f"more than the {MAX_OPTION_VARIABLES:,} a model may have; use larger "
                    "steps (step) or fewer option levers")]
    return []


__all__ = ["MAX_MAGNITUDE", "MAX_OPTION_VARIABLES", "check_magnitudes", "check_model_size"]

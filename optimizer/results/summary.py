"""The plan in words, for a board: the `summary` lines of the JSON result.

They are part of the answer (MODEL.md's JSON carries them), so they live with the
result; tables and headings are `report/`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..fmt import keur, pct_short
from ..status import Status

if TYPE_CHECKING:
    from ..case.schema import Case
    from .simulation import Simulation


def pct1(share: float) -> str:
    return f"{share:.1%}"


def cvar_head(result: Any) -> str:
    """The first line of the summary for a cvar target."""
    case, cmp = result.case, result.cvar
    if cmp is None:
        return ""
    cur = case.currency
    tail = f"{1 - cmp.alpha:.0%}".replace(".0%", "%")
    return (f"To raise the private share from {result.before.private_share:.1%} to at least "
            f"{pct_short(case.target.private_share)}, the plan with the least average loss in the "
            f"worst {tail} of {cmp.scenarios:,} scenarios (CVaR {pct_short(cmp.alpha)}: "
            f"{keur(cmp.cvar_plan.cvar_loss)} {cur}) puts {keur(result.after.risk)} {cur} at "
            f"risk; the least-EUR-at-risk plan ({keur(cmp.eur_at_risk_plan.risk)} {cur} at risk) "
            f"has a CVaR of {keur(cmp.eur_at_risk_plan.cvar_loss)} {cur}.")


def simulation_line(sim: Simulation, case: Case) -> str:
    cur = case.currency
    return (f"In {sim.n:,} simulated scenarios (seed {sim.seed}) the plan reaches the target share "
            f"with probability {pct1(sim.p_target_met)} and keeps the result at or above "
            f"{keur(case.target.min_result)} {cur} with probability {pct1(sim.p_result_ok)}; "
            f"expected deficit {keur(sim.expected_deficit)} {cur}; CVaR 95% of the loss "
            f"{keur(sim.cvar95_loss)} {cur}.")


def summary_lines(result: Any) -> list[str]:
    """The plan in words, for a board (the `summary` of the JSON result)."""
    case = result.case
    t = case.target.private_share
    before = result.before
    lines: list[str] = []
    if result.status is Status.OPTIMAL or (result.evaluation is not None):
        after = result.after
        head = (f"To raise the private share from {before.private_share:.1%} to at least {pct_short(t)}, "
                f"the least risky plan puts {keur(after.risk)} {case.currency} at risk.")
        if result.cvar is not None:
            head = cvar_head(result)
        if not result.proven_optimal:
            head += " (Not proven optimal: the solver stopped at its time limit.)"
        lines.append(head)
        used = [row for row in result.lever_rows() if row["used"]]
        if not used:
            lines.append("No lever is needed: the budget already meets the target.")
        for row in used:
            lines.append(f"{row['action']} (at risk: {keur(row['risk'])} {case.currency})")
        lines.append(f"Private share after the plan: {after.private_share:.1%}; result "
                     f"{keur(after.result, sign=True)} {case.currency}; members "
                     f"{after.members:,.0f}.")
        if result.marginal_risk is not None:
            lines.append(f"One more point of target ({pct_short(result.marginal.target)}) would add "
                         f"{keur(result.marginal_risk)} {case.currency} at risk.")
        elif result.marginal is not None:
            lines.append(f"No plan reaches {pct_short(result.marginal.target)}: this target is at the "
                         "edge of what the levers allow.")
        if result.simulation is not None:
            lines.append(simulation_line(result.simulation, case))
    elif result.status is Status.INFEASIBLE:
        d = result.diagnosis
        lines.append(f"No plan reaches a private share of {pct_short(t)} under the case's constraints "
                     f"(today {before.private_share:.1%}).")
        if d is not None and d.max_private_share is not None:
            lines.append(f"The highest share the levers can reach is {d.max_private_share:.2%}.")
        elif d is not None:
            lines.append("Even without the share target, the other constraints cannot all hold.")
        if d is not None:
            for text in d.blocking_text:
                lines.append(f"It becomes reachable if: {text}.")
            if not d.blocking:
                lines.append("No single constraint, relaxed alone, makes the target reachable.")
    else:
        lines.append(f"The solver gave no usable plan (status: {result.status.value}; "
                     f"{result.solver_detail}).")
        if result.status is Status.TIME_LIMIT:
            lines.append("It stopped at its time limit before finding a plan: raise --time-limit "
                         "(or drop it), or try the other solver (--solver).")
    return lines


__all__ = ["cvar_head", "pct1", "simulation_line", "summary_lines"]

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


def aim(today: float, target: float) -> str:
    """The opening of the plan's first line: where the share goes, or that it is already
    there (a target at or below today's share still asks for a plan: the other
    constraints may need levers)."""
    if today >= target:
        return (f"The private share already meets the target ({today:.1%} today, at least "
                f"{pct_short(target)} asked):")
    return f"To raise the private share from {today:.1%} to at least {pct_short(target)},"


def cvar_head(result: Any) -> str:
    """The first line of the summary for a cvar target."""
    case, cmp = result.case, result.cvar
    if cmp is None:
        return ""
    cur = case.currency
    tail = f"{1 - cmp.alpha:.0%}".replace(".0%", "%")
    return (f"{aim(result.before.private_share, case.target.private_share)} the plan with "
            "the least average loss in the "
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


def levers_count(count: int) -> str:
    return "any one lever delivers" if count == 1 else f"any {count} levers deliver"


def robust_line(case: Case) -> str:
    """What a robust plan survives (MODEL.md v2, "Robust targets")."""
    g = case.target.robust
    return (f"The plan holds (target share and result) if {levers_count(g)} only "
            f"{'its' if g == 1 else 'their'} low case.")


# A result above this share of revenues (and above today's) is a surplus worth a word.
SURPLUS_SHARE = 0.02


def surplus_line(result: Any) -> str | None:
    """A word on a surplus that a funder may claw back, when no max_result caps it."""
    case, after, before = result.case, result.after, result.before
    if case.target.max_result is not None:
        return None
    margin = SURPLUS_SHARE * after.total_revenues
    if after.result <= max(before.result, case.target.min_result) + margin:
        return None
    return (f"The plan runs a surplus of {keur(after.result)} {case.currency} "
            f"({after.result / after.total_revenues:.0%} of revenues): funders may claw back a "
            "surplus; set target.max_result to cap it.")


def outlook_line(result: Any) -> str:
    o = result.outlook
    case = result.case
    t = case.target
    keeps = ("keeps the budget balanced" if t.min_result == 0 else
             f"keeps the result at or above {keur(t.min_result)} {case.currency}")
    return (f"Outlook: if each lever delivers anywhere between its low case and in full (most "
            f"often in full), the plan reaches {pct_short(t.private_share)} in "
            f"{pct_short(o.p_target_met)} of {o.scenarios:,} simulated years, {keeps} in "
            f"{pct_short(o.p_result_ok)}, and both in {pct_short(o.p_both)}.")


def alternative(result: Any, kind: str) -> Any:
    """The result's alternative plan of that kind (None when none was computed)."""
    return next((a for a in getattr(result, "alternatives", ()) if a.kind == kind), None)


def levers_low_words(g: int) -> str:
    """'any one lever delivers only its low case', 'any 2 levers deliver only their ...'."""
    return ("any one lever delivers only its low case" if g == 1 else
            f"any {g} levers deliver only their low case")


def outlook_advice(result: Any) -> str | None:
    """What to try when the plan holds too rarely (None when it holds often enough)."""
    o = result.outlook
    if o is None or not o.low:
        return None
    cvar = "choose the plan with the least tail risk (target.risk_measure = cvar)"
    safer = alternative(result, "robust")
    if safer is not None:
        g = int(safer.value)
        cur = result.case.currency
        head = f"The plan holds in fewer than {pct_short(o.LOW)} of years"
        if safer.risk is not None:
            holds = ("" if safer.p_both is None else
                     f" and holds in {pct_short(safer.p_both)} of simulated years")
            return (f"{head}. A safer plan: with target.robust = {g} (it holds if "
                    f"{levers_low_words(g)}), the least risky plan puts "
                    f"{keur(safer.risk)} {cur} at risk ({keur(safer.extra_risk, sign=True)})"
                    f"{holds}; or {cvar}.")
        top = ("" if safer.top_share is None else
               f" (with target.robust = {g} the highest reachable share is "
               f"{safer.top_share:.2%})")
        return (f"{head}, and no plan reaches {pct_short(result.case.target.private_share)} "
                f"if {levers_low_words(g)}{top}: lower the target, or "
                f"{cvar}.")
    g = result.case.target.robust
    robust = (f"raise target.robust (now {g})" if g else
              "set target.robust (1: the plan then holds if any one lever delivers only its "
              "low case)")
    return (f"The plan holds in fewer than {pct_short(o.LOW)} of years: to make it safer, "
            f"{robust}, or choose the plan with the least tail risk "
            "(target.risk_measure = cvar).")


def keep_members_line(result: Any) -> str | None:
    """What keeping every member would cost, when the plan loses members."""
    kind = alternative(result, "keep_members")
    if kind is None:
        return None
    if kind.risk is None:
        return (f"No plan reaches {pct_short(result.case.target.private_share)} without "
                "losing members (target.max_members_lost = 0).")
    cur = result.case.currency
    return (f"Keeping every member (target.max_members_lost = 0) puts {keur(kind.risk)} {cur} "
            f"at risk, {keur(kind.extra_risk)} {cur} more than this plan.")


def members_choice_line(result: Any) -> str | None:
    c = result.members_choice
    if c is None or c.extra_members < 0.5:
        return None
    cur = result.case.currency
    extra = keur(c.extra_risk) if abs(c.extra_risk) >= 50 else f"{c.extra_risk:,.1f}"
    return (f"Among plans within {pct_short(c.risk_tolerance)} of the least EUR at risk, this "
            f"one keeps {c.extra_members:,.0f} more members than the least-risk plan for "
            f"{extra} {cur} more at risk.")


def summary_lines(result: Any) -> list[str]:
    """The plan in words, for a board (the `summary` of the JSON result)."""
    case = result.case
    t = case.target.private_share
    before = result.before
    lines: list[str] = []
    if result.status is Status.OPTIMAL or (result.evaluation is not None):
        after = result.after
        which = "the least risky plan"
        choice = result.members_choice
        if choice is not None and choice.extra_risk > 0.005:
            which = (f"the plan that keeps the most members within "
                     f"{pct_short(choice.risk_tolerance)} of the least EUR at risk")
        head = (f"{aim(before.private_share, t)} "
                f"{which} puts {keur(after.risk)} {case.currency} at risk.")
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
        leave = (f" ({after.members_lost:,.0f} of today's members leave)"
                 if after.members_lost >= 0.5 else "")
        lines.append(f"Private share after the plan: {after.private_share:.1%}; result "
                     f"{keur(after.result, sign=True)} {case.currency}; members "
                     f"{after.members:,.0f}{leave}.")
        surplus = surplus_line(result)
        if surplus:
            lines.append(surplus)
        if case.target.robust:
            lines.append(robust_line(case))
        choice = members_choice_line(result)
        if choice:
            lines.append(choice)
        keep = keep_members_line(result)
        if keep:
            lines.append(keep)
        if result.marginal_risk is not None:
            lines.append(f"One more point of target ({pct_short(result.marginal.target)}) would add "
                         f"{keur(result.marginal_risk)} {case.currency} at risk.")
        elif result.marginal is not None:
            lines.append(f"No plan reaches {pct_short(result.marginal.target)}: this target is at the "
                         "edge of what the levers allow.")
        if result.outlook is not None:
            lines.append(outlook_line(result))
            advice = outlook_advice(result)
            if advice:
                lines.append(advice)
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


__all__ = ["aim", "alternative", "cvar_head", "keep_members_line", "members_choice_line", "outlook_advice", "outlook_line", "pct1",
           "robust_line", "simulation_line", "summary_lines"]

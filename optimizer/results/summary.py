"""The plan in words, for a board: the `summary` lines of the JSON result.

They are part of the answer (MODEL.md's JSON carries them), so they live with the
result; tables and headings are `report/`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..fmt import count, money, pct, pct_digits, pct_short
from ..i18n import gettext as _
from ..i18n import ngettext
from ..status import Status

if TYPE_CHECKING:
    from ..case.schema import Case
    from .simulation import Simulation


def pct1(share: float) -> str:
    return pct(share)


def aim(today: float, target: float) -> str:
    """The opening of the plan's first line: where the share goes, or that it is already
    there (a target at or below today's share still asks for a plan: the other
    constraints may need levers)."""
    if today >= target:
        return _("The private share already meets the target ({today} today, at least "
                 "{target} asked):").format(today=pct(today), target=pct_short(target))
    return _("To raise the private share from {today} to at least {target},").format(
        today=pct(today), target=pct_short(target))


def cvar_head(result: Any) -> str:
    """The first line of the summary for a cvar target."""
    case, cmp = result.case, result.cvar
    if cmp is None:
        return ""
    cur = case.currency
    tail = pct_digits(1 - cmp.alpha, 0)
    return _("{aim} the plan with the least average loss in the worst {tail} of {n} "
             "scenarios (CVaR {alpha}: {cvar}) puts {risk} at risk; the least-EUR-at-risk "
             "plan ({other_risk} at risk) has a CVaR of {other_cvar}.").format(
        aim=aim(result.before.private_share, case.target.private_share), tail=tail,
        n=count(cmp.scenarios), alpha=pct_short(cmp.alpha),
        cvar=money(cmp.cvar_plan.cvar_loss, cur), risk=money(result.after.risk, cur),
        other_risk=money(cmp.eur_at_risk_plan.risk, cur),
        other_cvar=money(cmp.eur_at_risk_plan.cvar_loss, cur))


def simulation_line(sim: Simulation, case: Case) -> str:
    cur = case.currency
    return _("In {n} simulated scenarios (seed {seed}) the plan reaches the target share "
             "with probability {p_target} and keeps the result at or above {min_result} with "
             "probability {p_result}; expected deficit {deficit}; CVaR 95% of the loss "
             "{cvar}.").format(
        n=count(sim.n), seed=sim.seed, p_target=pct1(sim.p_target_met),
        min_result=money(case.target.min_result, cur), p_result=pct1(sim.p_result_ok),
        deficit=money(sim.expected_deficit, cur), cvar=money(sim.cvar95_loss, cur))


def levers_count(n: int) -> str:
    return ngettext("any one lever delivers", "any {n} levers deliver", n).format(n=n)


def robust_line(case: Case) -> str:
    """What a robust plan survives (MODEL.md v2, "Robust targets")."""
    g = case.target.robust
    return ngettext("The plan holds (target share and result) if any one lever delivers only "
                    "its low case.",
                    "The plan holds (target share and result) if any {n} levers deliver only "
                    "their low case.", g).format(n=g)


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
    return _("The plan runs a surplus of {surplus} ({share} of revenues): funders may claw "
             "back a surplus; set target.max_result to cap it.").format(
        surplus=money(after.result, case.currency),
        share=pct_digits(after.result / after.total_revenues, 0))


def outlook_line(result: Any) -> str:
    o = result.outlook
    case = result.case
    t = case.target
    keeps = (_("keeps the budget balanced") if t.min_result == 0 else
             _("keeps the result at or above {min_result}").format(
                 min_result=money(t.min_result, case.currency)))
    return _("Outlook: if each lever delivers anywhere between its low case and in full (most "
             "often in full), the plan reaches {target} in {p_target} of {n} simulated years, "
             "{keeps} in {p_result}, and both in {p_both}.").format(
        target=pct_short(t.private_share), p_target=pct_short(o.p_target_met),
        n=count(o.scenarios), keeps=keeps, p_result=pct_short(o.p_result_ok),
        p_both=pct_short(o.p_both))


def alternative(result: Any, kind: str) -> Any:
    """The result's alternative plan of that kind (None when none was computed)."""
    return next((a for a in getattr(result, "alternatives", ()) if a.kind == kind), None)


def levers_low_words(g: int) -> str:
    """'any one lever delivers only its low case', 'any 2 levers deliver only their ...'."""
    return ngettext("any one lever delivers only its low case",
                    "any {g} levers deliver only their low case", g).format(g=g)


def outlook_advice(result: Any) -> str | None:
    """What to try when the plan holds too rarely (None when it holds often enough)."""
    o = result.outlook
    if o is None or not o.low:
        return None
    safer = alternative(result, "robust")
    if safer is not None:
        g = int(safer.value)
        cur = result.case.currency
        if safer.risk is not None:
            if safer.p_both is None:
                return _("The plan holds in fewer than {low} of years. A safer plan: with "
                         "target.robust = {g} (it holds if {who}), the least risky plan puts "
                         "{risk} at risk ({extra}); or choose the plan with the least tail "
                         "risk (target.risk_measure = cvar).").format(
                    low=pct_short(o.LOW), g=g, who=levers_low_words(g),
                    risk=money(safer.risk, cur), extra=money(safer.extra_risk, cur, sign=True))
            return _("The plan holds in fewer than {low} of years. A safer plan: with "
                     "target.robust = {g} (it holds if {who}), the least risky plan puts "
                     "{risk} at risk ({extra}) and holds in {p_both} of simulated years; or "
                     "choose the plan with the least tail risk (target.risk_measure = "
                     "cvar).").format(
                low=pct_short(o.LOW), g=g, who=levers_low_words(g),
                risk=money(safer.risk, cur), extra=money(safer.extra_risk, cur, sign=True),
                p_both=pct_short(safer.p_both))
        if safer.top_share is None:
            return _("The plan holds in fewer than {low} of years, and no plan reaches {target} "
                     "if {who}: lower the target, or choose the plan with the least tail risk "
                     "(target.risk_measure = cvar).").format(
                low=pct_short(o.LOW), target=pct_short(result.case.target.private_share),
                who=levers_low_words(g))
        return _("The plan holds in fewer than {low} of years, and no plan reaches {target} if "
                 "{who} (with target.robust = {g} the highest reachable share is {top}): lower "
                 "the target, or choose the plan with the least tail risk "
                 "(target.risk_measure = cvar).").format(
            low=pct_short(o.LOW), target=pct_short(result.case.target.private_share),
            who=levers_low_words(g), g=g, top=pct_digits(safer.top_share, 2))
    g = result.case.target.robust
    robust = (_("raise target.robust (now {g})").format(g=g) if g else
              _("set target.robust (1: the plan then holds if any one lever delivers only its "
                "low case)"))
    return _("The plan holds in fewer than {low} of years: to make it safer, {robust}, or "
             "choose the plan with the least tail risk (target.risk_measure = cvar).").format(
        low=pct_short(o.LOW), robust=robust)


def keep_members_line(result: Any) -> str | None:
    """What keeping every member would cost, when the plan loses members."""
    kind = alternative(result, "keep_members")
    if kind is None:
        return None
    if kind.risk is None:
        return _("No plan reaches {target} without losing members (target.max_members_lost = "
                 "0).").format(target=pct_short(result.case.target.private_share))
    cur = result.case.currency
    return _("Keeping every member (target.max_members_lost = 0) puts {risk} at risk, {extra} "
             "more than this plan.").format(risk=money(kind.risk, cur),
                                            extra=money(kind.extra_risk, cur))


def members_choice_line(result: Any) -> str | None:
    c = result.members_choice
    if c is None or c.extra_members < 0.5:
        return None
    cur = result.case.currency
    extra = (money(c.extra_risk, cur) if abs(c.extra_risk) >= 50 else
             _("{amount} {cur}").format(amount=count(c.extra_risk, 1), cur=cur))
    return _("Among plans within {tolerance} of the least EUR at risk, this one keeps "
             "{n} more members than the least-risk plan for {extra} more at risk.").format(
        tolerance=pct_short(c.risk_tolerance), n=count(c.extra_members), extra=extra)


def summary_lines(result: Any) -> list[str]:
    """The plan in words, for a board (the `summary` of the JSON result)."""
    case = result.case
    t = case.target.private_share
    before = result.before
    lines: list[str] = []
    if result.status is Status.OPTIMAL or (result.evaluation is not None):
        after = result.after
        which = _("the least risky plan")
        choice = result.members_choice
        if choice is not None and choice.extra_risk > 0.005:
            which = _("the plan that keeps the most members within {tolerance} of the least "
                      "EUR at risk").format(tolerance=pct_short(choice.risk_tolerance))
        head = _("{aim} {which} puts {risk} at risk.").format(
            aim=aim(before.private_share, t), which=which, risk=money(after.risk, case.currency))
        if result.cvar is not None:
            head = cvar_head(result)
        if not result.proven_optimal:
            head += " " + _("(Not proven optimal: the solver stopped at its time limit.)")
        lines.append(head)
        used = [row for row in result.lever_rows() if row["used"]]
        if not used:
            lines.append(_("No lever is needed: the budget already meets the target."))
        for row in used:
            lines.append(_("{action} (at risk: {risk})").format(
                action=row["action"], risk=money(row["risk"], case.currency)))
        leave = (" " + _("({n} of today's members leave)").format(
            n=count(after.members_lost)) if after.members_lost >= 0.5 else "")
        lines.append(_("Private share after the plan: {share}; result {result}; members "
                       "{members}{leave}.").format(
            share=pct(after.private_share), result=money(after.result, case.currency, sign=True),
            members=count(after.members), leave=leave))
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
            lines.append(_("One more point of target ({target}) would add {risk} at risk.")
                         .format(target=pct_short(result.marginal.target),
                                 risk=money(result.marginal_risk, case.currency)))
        elif result.marginal is not None:
            lines.append(_("No plan reaches {target}: this target is at the edge of what the "
                           "levers allow.").format(target=pct_short(result.marginal.target)))
        if result.outlook is not None:
            lines.append(outlook_line(result))
            advice = outlook_advice(result)
            if advice:
                lines.append(advice)
        if result.simulation is not None:
            lines.append(simulation_line(result.simulation, case))
    elif result.status is Status.INFEASIBLE:
        d = result.diagnosis
        lines.append(_("No plan reaches a private share of {target} under the case's "
                       "constraints (today {today}).").format(
            target=pct_short(t), today=pct(before.private_share)))
        if d is not None and d.max_private_share is not None:
            lines.append(_("The highest share the levers can reach is {share}.").format(
                share=pct_digits(d.max_private_share, 2)))
        elif d is not None:
            lines.append(_("Even without the share target, the other constraints cannot all "
                           "hold."))
        if d is not None:
            for text in d.blocking_text:
                lines.append(_("It becomes reachable if: {what}.").format(what=text))
            if not d.blocking:
                lines.append(_("No single constraint, relaxed alone, makes the target "
                               "reachable."))
    else:
        lines.append(_("The solver gave no usable plan (status: {status}; {detail}).").format(
            status=result.status.value, detail=result.solver_detail))
        if result.status is Status.TIME_LIMIT:
            lines.append(_("It stopped at its time limit before finding a plan: raise "
                           "--time-limit (or drop it), or try the other solver (--solver)."))
    return lines


__all__ = ["aim", "alternative", "cvar_head", "keep_members_line", "members_choice_line", "outlook_advice", "outlook_line", "pct1",
           "robust_line", "simulation_line", "summary_lines"]

"""The words of a path of least CVaR (docs/MODEL.md, "CVaR over a path"): what the path
minimises, its CVaR and EUR at risk, and the same two figures of the path of least EUR at
risk, for a board."""

from __future__ import annotations

from ..fmt import count, money, pct, pct_digits
from ..i18n import gettext as _
from ..results.horizon import HorizonResult


def cvar_summary(result: HorizonResult) -> list[str]:
    """The first lines of a CVaR path's summary (empty when the result has no CVaR)."""
    c = result.cvar
    case = result.case
    h = case.horizon
    if c is None or h is None or not result.years:
        return []
    first, last = result.years[0], result.years[-1]
    span = f"{h.years[0]}-{h.years[-1]}" if len(h.years) > 1 else f"{h.years[0]}"
    cur = case.currency
    lines = [_("To raise the private share from {before} today to {target} by {year} ({span}), "
               "the path of least CVaR {alpha} of the loss (the EUR missing each year to "
               "balance the budget, reach the year's target or keep the reserves above their "
               "floor, summed over the {n} years, in the worst {tail} of {runs} drawn runs of "
               "the years) loses {cvar} in those runs on average and puts {risk} at risk over "
               "the {n} years.").format(
        before=pct(first.before.private_share), target=pct(last.target), year=last.year,
        span=span, alpha=pct_digits(c.alpha, 0), tail=pct_digits(1 - c.alpha, 0),
        runs=count(c.scenarios), cvar=money(c.cvar_path.cvar_loss, cur),
        risk=money(c.cvar_path.risk, cur), n=len(h.years))]
    lines.append(_("The path of least EUR at risk puts {risk} at risk and loses {cvar} in its "
                   "worst {tail} of the same runs.").format(
        risk=money(c.eur_at_risk_path.risk, cur), cvar=money(c.eur_at_risk_path.cvar_loss, cur),
        tail=pct_digits(1 - c.alpha, 0)))
    if h.discount:
        lines.append(_("Year k's loss and EUR at risk weigh 1 / (1 + {rate})^k in both paths' "
                       "figures (horizon.discount).").format(rate=pct_digits(h.discount, 1)))
    return lines


__all__ = ["cvar_summary"]

"""The decomposition's gap in words (issue 10 at scale), for every report of a region: the
split is within its stated gap of the least possible risk; the status says whether the
decomposition converged (its tolerance met: an answer) or a limit stopped it."""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import gettext as _
from ..results.region import RegionResult
from ..status import Status


def decomposition_lines(result: RegionResult, eur: Callable[[float], str],
                        pct: Callable[[float], str]) -> list[str]:
    """Sentences on a decomposition's split that is not proven optimal (empty otherwise)."""
    if result.method != "decompose" or result.proven_optimal or result.gap_eur is None:
        return []
    out = [_("Solved by decomposition: within {eur} ({pct}) of the least possible risk (no "
             "split puts less than {bound} at risk).").format(
                 eur=eur(result.gap_eur), pct=pct(result.gap or 0.0),
                 bound=eur(result.bound or 0.0))]
    tolerance = result.audit.get("tolerance")
    tol = "-" if tolerance is None else pct(float(tolerance))
    if result.status is Status.OPTIMAL:
        out.append(_("The decomposition converged: its gap is within its tolerance of "
                     "{tol}.").format(tol=tol))
    elif result.audit.get("stopped") == "rounds":
        out.append(_("The decomposition stopped after its rounds of pricing, before its gap "
                     "met its tolerance of {tol}.").format(tol=tol))
    else:
        out.append(_("The time limit stopped the decomposition before its gap met its "
                     "tolerance of {tol}.").format(tol=tol))
    return out


__all__ = ["decomposition_lines"]

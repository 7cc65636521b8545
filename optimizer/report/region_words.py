"""The region report's sentences, as a funder's analyst reads them (issue 10).

Each cluster's `Result` is built on its case *after* the funder's cut (the JSON contract),
so its own first summary line starts from the after-cut share. The region report says
instead where the cut takes the cluster and where its plan then brings it; says once how
many plans hold too rarely; says why an envelope is cut deeper than asked, and whether it
binds at all before quoting what 100 k EUR less would add.
"""

from __future__ import annotations

from ..fmt import keur, pct_short
from ..results.region import ClusterPart, EnvelopeSplit, RegionResult
from ..results.result import Outlook
from ..results.summary import summary_lines

# A cut within this many EUR of its maximum is at its maximum; a result within this many
# EUR of its floor balances "just".
TOL_EUR = 1.0


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _eur(x: float, sign: bool = False) -> str:
    return f"{keur(x, sign)} EUR"


def _names(ids: list[str]) -> str:
    if len(ids) <= 1:
        return "".join(ids)
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def max_cut(result: RegionResult, cluster_id: str, env_id: str) -> float:
    """The largest cut envelope env_id may make on this cluster's line (EUR)."""
    region = result.region
    for env, line in region.funded(cluster_id):
        if env.id == env_id:
            return env.max_cut_fraction * region.case_of(cluster_id).revenue(line).amount
    return 0.0


def at_max_cut(result: RegionResult, part: ClusterPart) -> bool:
    """Every envelope that cuts this cluster cuts it by its maximum."""
    cuts = {e: v for e, v in part.cuts.items() if v > TOL_EUR}
    return bool(cuts) and all(v >= max_cut(result, part.id, e) - TOL_EUR
                              for e, v in cuts.items())


def balances_just(part: ClusterPart) -> bool:
    ev = part.result.evaluation
    return ev is not None and ev.result <= part.result.case.target.min_result + TOL_EUR


def envelope_binds(split: EnvelopeSplit) -> bool:
    return split.after is not None and split.after >= split.amount - TOL_EUR


def _label(result: RegionResult, env_id: str) -> str:
    return next((e.label for e in result.envelopes_split if e.id == env_id), env_id)


def cluster_head(result: RegionResult, part: ClusterPart) -> str:
    """Where the funders' cut takes the cluster, then where its plan brings it."""
    r = part.result
    ev, cut_case = r.evaluation, r.before
    target = r.case.target.private_share
    cut = sum(part.cuts.values())
    if cut > TOL_EUR:
        who = " and ".join(f"{_label(result, e)} cuts {_eur(v)}" for e, v in part.cuts.items()
                           if v > TOL_EUR)
        share = f" ({cut / part.budget:.1%} of its budget" if part.budget else " ("
        share += ", its maximum cut)" if at_max_cut(result, part) else ")"
        if not part.budget:
            share = " (its maximum cut)" if at_max_cut(result, part) else ""
        text = (f"{part.id}: {who}{share}, which takes its private share from "
                f"{_pct(part.before_share)} to {_pct(cut_case.private_share)} and its result "
                f"from {_eur(part.before_result, True)} to {_eur(cut_case.result, True)}")
        if part.before_share >= target:
            text += f", both at or above its own target ({pct_short(target)})"
        elif cut_case.private_share >= target:
            text += f", enough for its own target ({pct_short(target)})"
        text += "; "
    else:
        text = (f"{part.id}: no cut; its private share is {_pct(part.before_share)} today "
                f"and its result {_eur(part.before_result, True)}; ")
    if ev is None:
        return text.rstrip("; ") + "."
    text += (f"its plan then brings the result to {_eur(ev.result, True)} and the share to "
             f"{_pct(ev.private_share)} (target {pct_short(target)}), putting {_eur(ev.risk)} "
             "at risk.")
    return text


def cluster_lines(result: RegionResult, part: ClusterPart, markdown: bool = False
                  ) -> list[str]:
    """The cluster's words: our head, then its own summary lines after its head (the
    levers, the figures after the plan, the outlook and what to try); in markdown a
    paragraph and a list, so that the lines do not run into one paragraph."""
    lines = summary_lines(part.result)
    if part.result.evaluation is not None and lines:
        lines = lines[1:]
    if markdown:
        return [cluster_head(result, part), ""] + [f"- {line}" for line in lines] + [""]
    return [cluster_head(result, part)] + [f"  {line}" for line in lines]


def outlook_overview(result: RegionResult) -> str | None:
    """Once, near the top: how many clusters' plans hold in fewer than 80 % of years."""
    seen = [p for p in result.parts if p.result.outlook is not None]
    if not seen:
        return None
    low = [p for p in seen if p.result.outlook.low]
    limit = pct_short(Outlook.LOW)
    n = seen[0].result.outlook.scenarios
    if not low:
        return (f"Outlook: every cluster's plan holds (target share and result together) in "
                f"at least {limit} of {n:,} simulated years.")
    which = ", ".join(f"{p.id} {pct_short(p.result.outlook.p_both)}" for p in low)
    how_many = f"all {len(seen)}" if len(low) == len(seen) else f"{len(low)} of the {len(seen)}"
    text = (f"Outlook: {how_many} clusters' plans hold (target share and "
            f"result together) in fewer than {limit} of {n:,} simulated years ({which}).")
    thin = [p for p in low if p.result.outlook.p_result_ok < Outlook.LOW
            and p.result.evaluation is not None]
    if thin:
        margins = [p.result.evaluation.result - p.result.case.target.min_result for p in thin]
        lo, hi = keur(min(margins), True), keur(max(margins), True)
        margin = f"{lo} EUR" if lo == hi else f"{lo} to {hi} EUR"
        one = len(thin) == 1
        text += (f" In {_names([p.id for p in thin])} it is the budget that fails: "
                 f"{'its plan leaves' if one else 'their plans leave'} the result {margin} "
                 "above its floor (target.min_result), so any lever falling short of its full "
                 "delivery puts the result below it.")
    text += " Each cluster's lines below say what to try."
    return text


def _stops(result: RegionResult, split: EnvelopeSplit) -> list[str]:
    """Why the split stops cutting each cluster this envelope funds."""
    ids = [p for p in result.parts if p.cuts.get(split.id, 0.0) > TOL_EUR]
    at_max = [p.id for p in ids if at_max_cut(result, p)]
    balanced = [p.id for p in ids if p.id not in at_max and balances_just(p)]
    other = [p.id for p in ids if p.id not in at_max and p.id not in balanced]
    out = []
    if balanced:
        out.append(f"its budget just balances ({', '.join(balanced)})")
    if at_max:
        out.append(f"it reaches its maximum cut of {split.max_cut_fraction:.0%} of the line "
                   f"({', '.join(at_max)})")
    if other:
        out.append(f"a deeper cut would no longer lower the total EUR at risk "
                   f"({', '.join(other)})")
    return out


def envelope_line(result: RegionResult, split: EnvelopeSplit) -> str | None:
    """One sentence next to the envelope table: is the cut what was asked, and if deeper,
    why."""
    if split.after is None or not split.before:
        return None
    asked = (split.before - split.amount) / split.before
    made = (split.before - split.after) / split.before
    if envelope_binds(split):
        return (f"{split.label}: the clusters are cut by what the envelope asks "
                f"({asked:.1%}, {_eur(split.before - split.amount)}); it binds.")
    stops = _stops(result, split)
    text = (f"{split.label}: {asked:.1%} is asked ({_eur(split.before - split.amount)}) "
            f"and {made:.1%} is cut ({_eur(split.before - split.after)}): a funder's cut "
            "carries no EUR at risk and raises a cluster's private share, so the "
            "least-risk split cuts deeper than asked")
    if stops:
        text += ", each cluster until " + " or until ".join(stops)
    return text + "."


def binds_words(result: RegionResult) -> list[str]:
    """What binds, in words: region rows other than envelopes, then clusters' own stops."""
    spec = result.region.spec
    out = []
    if "region_private_share" in result.binding and spec.region_private_share is not None:
        out.append(f"the combined private share target ({pct_short(spec.region_private_share)})")
    if "member_pool" in result.binding and spec.member_pool is not None:
        out.append(f"the member pool ({spec.member_pool:,} new members)")
    for s in result.envelopes_split:
        if envelope_binds(s):
            out.append(f"envelope {s.label}")
    balanced = [p.id for p in result.parts if balances_just(p)]
    if balanced:
        out.append(f"the balanced budget of {_names(balanced)}")
    at_max = [p.id for p in result.parts if at_max_cut(result, p)]
    if at_max:
        out.append(f"the maximum cut of {_names(at_max)}")
    return out


def marginal_lines(result: RegionResult) -> list[str]:
    """What 100 k EUR less in each envelope would add, or why it adds nothing."""
    out = []
    splits = {s.id: s for s in result.envelopes_split}
    for m in result.marginal:
        s = splits.get(m.envelope)
        label = s.label if s else m.envelope
        if m.extra_risk is None:
            out.append(f"{keur(m.step)} EUR less in {label}: no split "
                       f"({m.status.value}).")
            continue
        if s is None or s.after is None or envelope_binds(s):
            out.append(f"{keur(m.step)} EUR less in {label} would add "
                       f"{_eur(m.extra_risk)} at risk.")
            continue
        text = (f"{label} does not bind: the clusters take more cut than it asks "
                f"({_eur(s.after)} left against at most {_eur(s.amount)})")
        if s.after <= s.amount - m.step + TOL_EUR:
            text += (f", so {keur(m.step)} EUR less still leaves them room and adds "
                     f"{'no EUR' if abs(m.extra_risk) < 0.05 else _eur(m.extra_risk)} at risk")
        else:
            text += (f"; {keur(m.step)} EUR less ({_eur(s.amount - m.step)}) is below what "
                     f"they take and would add {_eur(m.extra_risk)} at risk")
        what = binds_words(result)
        if what:
            text += "; what binds is " + _names(what)
        out.append(text + ".")
    return out


__all__ = ["binds_words", "cluster_head", "cluster_lines", "envelope_line", "marginal_lines",
           "outlook_overview"]

"""The region report's sentences, as a funder's analyst reads them (issue 10).

Each cluster's `Result` is built on its case *after* the funder's cut (the JSON contract),
so its own first summary line starts from the after-cut share. The region report says
instead where the cut takes the cluster and where its plan then brings it; says once how
many plans hold too rarely; says why an envelope is cut deeper than asked, and whether it
binds at all before quoting what 100 k EUR less would add.
"""

from __future__ import annotations

from ..fmt import count, keur, money, pct, pct_digits, pct_short, status_words
from ..i18n import gettext as _
from ..i18n import ngettext
from ..results.region import ClusterPart, EnvelopeSplit, RegionResult
from ..results.region_horizon import ClusterPath, RegionHorizonResult
from ..results.result import Outlook
from ..results.summary import summary_lines

# A cut within this many EUR of its maximum is at its maximum; a result within this many
# EUR of its floor balances "just".
TOL_EUR = 1.0
# Two funders cut a cluster evenly when their shares of its lines differ by at most this.
EVEN_SHARE_TOL = 1e-6


def _pct(x: float | None) -> str:
    return "-" if x is None else pct(x)


def _eur(x: float, sign: bool = False) -> str:
    """'12.3 k EUR' (French: '12,3 k€')."""
    return money(x, "EUR", sign)


def _names(ids: list[str]) -> str:
    if len(ids) <= 1:
        return "".join(ids)
    return _("{first} and {last}").format(first=", ".join(ids[:-1]), last=ids[-1])


def _list(ids: list[str]) -> str:
    """Ids in a row, as in brackets: 'a, b'."""
    return ", ".join(ids)


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
    at_max = at_max_cut(result, part)
    if cut > TOL_EUR:
        who = _(" and ").join(
            _("{envelope} cuts {amount}").format(envelope=_label(result, e), amount=_eur(v))
            for e, v in part.cuts.items() if v > TOL_EUR)
        if part.budget:
            share = (_(" ({share} of its budget, its maximum cut)") if at_max
                     else _(" ({share} of its budget)")).format(share=pct(cut / part.budget))
        else:
            share = _(" (its maximum cut)") if at_max else ""
        text = _("{cluster}: {who}{share}, which takes its private share from {share_before} "
                 "to {share_cut} and its result from {result_before} to {result_cut}").format(
            cluster=part.id, who=who, share=share, share_before=_pct(part.before_share),
            share_cut=_pct(cut_case.private_share),
            result_before=_eur(part.before_result, True), result_cut=_eur(cut_case.result, True))
        if part.before_share >= target:
            text += _(", both at or above its own target ({target})").format(
                target=pct_short(target))
        elif cut_case.private_share >= target:
            text += _(", enough for its own target ({target})").format(target=pct_short(target))
        text += _("; ")
    else:
        text = _("{cluster}: no cut; its private share is {share} today and its result "
                 "{result}").format(cluster=part.id, share=_pct(part.before_share),
                                    result=_eur(part.before_result, True)) + _("; ")
    if ev is None:
        return text.rstrip("; \u202f") + "."
    text += _("its plan then brings the result to {result} and the share to {share} (target "
              "{target}), putting {risk} at risk.").format(
        result=_eur(ev.result, True), share=_pct(ev.private_share), target=pct_short(target),
        risk=_eur(ev.risk))
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
    seen = [(p, p.result.outlook) for p in result.parts if p.result.outlook is not None]
    if not seen:
        return None
    low = [(p, o) for p, o in seen if o.low]
    limit = pct_short(Outlook.LOW)
    n = seen[0][1].scenarios
    if not low:
        return _("Outlook: every cluster's plan holds (target share and result together) in "
                 "at least {limit} of {n} simulated years.").format(limit=limit, n=count(n))
    which = ", ".join(f"{p.id} {pct_short(o.p_both)}" for p, o in low)
    how_many = (_("all {n}").format(n=len(seen)) if len(low) == len(seen)
                else _("{low} of the {n}").format(low=len(low), n=len(seen)))
    text = _("Outlook: {how_many} clusters' plans hold (target share and result together) in "
             "fewer than {limit} of {n} simulated years ({which}).").format(
        how_many=how_many, limit=limit, n=count(n), which=which)
    thin = [(p, ev) for p, o in low
            if o.p_result_ok < Outlook.LOW and (ev := p.result.evaluation) is not None]
    if thin:
        margins = [ev.result - p.result.case.target.min_result for p, ev in thin]
        lo, hi = money(min(margins), "EUR", True), money(max(margins), "EUR", True)
        margin = lo if lo == hi else _("{low} to {high}").format(
            low=keur(min(margins), True), high=hi)
        text += " " + ngettext(
            "In {names} it is the budget that fails: its plan leaves the result {margin} above "
            "its floor (target.min_result), so any lever falling short of its full delivery "
            "puts the result below it.",
            "In {names} it is the budget that fails: their plans leave the result {margin} "
            "above its floor (target.min_result), so any lever falling short of its full "
            "delivery puts the result below it.", len(thin)).format(
            names=_names([p.id for p, _ev in thin]), margin=margin)
    text += " " + _("Each cluster's lines below say what to try.")
    return text


def _stops(result: RegionResult, split: EnvelopeSplit) -> list[str]:
    """Why the split stops cutting each cluster this envelope funds."""
    ids = [p for p in result.parts if p.cuts.get(split.id, 0.0) > TOL_EUR]
    at_max = [p.id for p in ids if at_max_cut(result, p)]
    balanced = [p.id for p in ids if p.id not in at_max and balances_just(p)]
    other = [p.id for p in ids if p.id not in at_max and p.id not in balanced]
    out = []
    if balanced:
        out.append(_("its budget just balances ({clusters})").format(clusters=_list(balanced)))
    if at_max:
        out.append(_("it reaches its maximum cut of {max} of the line ({clusters})").format(
            max=pct_digits(split.max_cut_fraction, 0), clusters=_list(at_max)))
    if other:
        out.append(_("a deeper cut would no longer lower the total EUR at risk "
                     "({clusters})").format(clusters=_list(other)))
    return out


def envelope_line(result: RegionResult, split: EnvelopeSplit) -> str | None:
    """One sentence next to the envelope table: is the cut what was asked, and if deeper,
    why."""
    if split.after is None or not split.before:
        return None
    asked = (split.before - split.amount) / split.before
    made = (split.before - split.after) / split.before
    if spends_whole(result, split):
        return _("{envelope} spends its whole envelope of {amount} ({asked} below today, "
                 "{asked_amount} less): the clusters are cut by exactly what it asks, no "
                 "deeper (envelope spend \"all\").").format(
            envelope=split.label, amount=_eur(split.amount), asked=pct(asked),
            asked_amount=_eur(split.before - split.amount))
    if envelope_binds(split):
        return _("{envelope}: the clusters are cut by what the envelope asks ({asked}, "
                 "{amount}); it binds.").format(envelope=split.label, asked=pct(asked),
                                                amount=_eur(split.before - split.amount))
    stops = _stops(result, split)
    text = _("{envelope}: {asked} is asked ({asked_amount}) and {made} is cut ({made_amount}): "
             "a funder's cut carries no EUR at risk and raises a cluster's private share, so "
             "the least-risk split cuts deeper than asked").format(
        envelope=split.label, asked=pct(asked), asked_amount=_eur(split.before - split.amount),
        made=pct(made), made_amount=_eur(split.before - split.after))
    if stops:
        text += _(", each cluster until {stops}").format(stops=_(" or until ").join(stops))
    return text + "."


def _cut_evenly(years: list[list[float]]) -> bool:
    """Each year's funders' cuts, as shares of what each pays: cut (some year), and by the
    same share in every year."""
    years = [shares for shares in years if len(shares) >= 2]
    return any(max(shares) > EVEN_SHARE_TOL for shares in years) and all(
        max(shares) - min(shares) <= EVEN_SHARE_TOL for shares in years)


def even_line(result: RegionResult | RegionHorizonResult) -> str | None:
    """The clusters that two funders or more cut by the same share of what each pays them
    (MODEL.md, "Even cuts between funders"; with a horizon, in every year), in one
    sentence; None when there are none."""
    even = []
    for p in result.parts:
        funded = result.region.funded(p.id)
        if len(funded) < 2:
            continue
        case = result.region.case_of(p.id)
        amounts = {env.id: case.revenue(line).amount for env, line in funded
                   if case.revenue(line).amount > 0}
        if isinstance(p, ClusterPath):
            n = max((len(v) for v in p.cuts.values()), default=0)
            years = [[(p.cuts[e][k] if e in p.cuts else 0.0) / a for e, a in amounts.items()]
                     for k in range(n)]
        else:
            years = [[p.cuts.get(e, 0.0) / a for e, a in amounts.items()]]
        if _cut_evenly(years):
            even.append(p.id)
    if not even:
        return None
    if isinstance(result, RegionHorizonResult):
        return _("Where two funders pay the same cluster, each cuts the same share of what it "
                 "pays it, year by year ({clusters}): which of them cuts changes no EUR at "
                 "risk.").format(clusters=_list(even))
    return _("Where two funders pay the same cluster, each cuts the same share of what it "
             "pays it ({clusters}): which of them cuts changes no EUR at risk.").format(
        clusters=_list(even))


def tolerance_line(result: RegionResult | RegionHorizonResult) -> str | None:
    """The clusters whose own `target.risk_tolerance` the region's program does not apply
    (MODEL.md, Region, "Objectives"), in one sentence; None when there are none or when the
    region is a batch (each cluster's own optimize, where it applies)."""
    if result.region.is_batch:
        return None
    ids = [p.id for p in result.parts if p.result.case.target.risk_tolerance > 0]
    if not ids:
        return None
    return ngettext(
        "Not used in a region run: the members choice of {clusters} (target.risk_tolerance). "
        "The region's objective picks that cluster's plan; its own run would pick, among plans "
        "within its tolerance of its least EUR at risk, the one that keeps the most members, "
        "so the region's plan may keep fewer members.",
        "Not used in a region run: the members choice of {clusters} (target.risk_tolerance). "
        "The region's objective picks these clusters' plans; their own runs would pick, among "
        "plans within their tolerance of their least EUR at risk, the ones that keep the most "
        "members, so the region's plans may keep fewer members.",
        len(ids)).format(clusters=_list(ids))


def spends_whole(result: RegionResult, split: EnvelopeSplit) -> bool:
    """Whether the envelope is spent whole by its file's choice (`spend: "all"`)."""
    return any(e.id == split.id and e.spends_all for e in result.region.spec.envelopes)


def binds_words(result: RegionResult) -> list[str]:
    """What binds, in words: region rows other than envelopes, then clusters' own stops."""
    spec = result.region.spec
    out = []
    if "region_private_share" in result.binding and spec.region_private_share is not None:
        out.append(_("the combined private share target ({target})").format(
            target=pct_short(spec.region_private_share)))
    if "member_pool" in result.binding and spec.member_pool is not None:
        out.append(_("the member pool ({n} new members)").format(n=count(spec.member_pool)))
    for s in result.envelopes_split:
        if envelope_binds(s):
            out.append(_("envelope {envelope}").format(envelope=s.label))
    balanced = [p.id for p in result.parts if balances_just(p)]
    if balanced:
        out.append(_("the balanced budget of {clusters}").format(clusters=_names(balanced)))
    at_max = [p.id for p in result.parts if at_max_cut(result, p)]
    if at_max:
        out.append(_("the maximum cut of {clusters}").format(clusters=_names(at_max)))
    return out


def marginal_lines(result: RegionResult) -> list[str]:
    """What 100 k EUR less in each envelope would add, or why it adds nothing."""
    out = []
    splits = {s.id: s for s in result.envelopes_split}
    for m in result.marginal:
        s = splits.get(m.envelope)
        label = s.label if s else m.envelope
        step = _eur(m.step)
        if m.extra_risk is None:
            out.append(_("{step} less in {envelope}: no split ({status}).").format(
                step=step, envelope=label, status=status_words(m.status, raw=True)))
            continue
        if s is not None and spends_whole(result, s):
            out.append(_("{step} less in {envelope} (still spent whole) would change the "
                         "EUR at risk by {risk}.").format(
                step=step, envelope=label, risk=_eur(m.extra_risk, sign=True)))
            continue
        if s is None or s.after is None or envelope_binds(s):
            out.append(_("{step} less in {envelope} would add {risk} at risk.").format(
                step=step, envelope=label, risk=_eur(m.extra_risk)))
            continue
        text = _("{envelope} does not bind: the clusters take more cut than it asks ({left} "
                 "left against at most {amount})").format(
            envelope=label, left=_eur(s.after), amount=_eur(s.amount))
        if s.after <= s.amount - m.step + TOL_EUR:
            text += _(", so {step} less still leaves them room and adds {risk} at "
                      "risk").format(step=step, risk=_("no EUR") if abs(m.extra_risk) < 0.05
                                     else _eur(m.extra_risk))
        else:
            text += _("; {step} less ({amount}) is below what they take and would add {risk} "
                      "at risk").format(step=step, amount=_eur(s.amount - m.step),
                                        risk=_eur(m.extra_risk))
        what = binds_words(result)
        if what:
            text += _("; what binds is {what}").format(what=_names(what))
        out.append(text + ".")
    return out


__all__ = ["binds_words", "cluster_head", "cluster_lines", "envelope_line", "even_line", "marginal_lines",
           "outlook_overview", "spends_whole", "tolerance_line"]

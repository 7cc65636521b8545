"""What the region's page and workbook share (issue 12): the split one row per cluster and
envelope, the lead sentences, the totals in words, a cluster's words, the audit line."""

from __future__ import annotations

from dataclasses import dataclass

from ..fmt import count, money, pct, pct_short
from ..i18n import gettext as _
from ..results.region import ClusterPart, RegionResult
from ..results.summary import summary_lines
from .region_gap import decomposition_lines
from .region_words import (
    binds_words,
    cluster_head,
    envelope_line,
    even_line,
    marginal_lines,
    outlook_overview,
    tolerance_line,
)


@dataclass(frozen=True)
class SplitRow:
    cluster: str
    envelope: str
    envelope_label: str
    line: str
    line_label: str
    before: float  # the line today
    cut: float | None  # None: no split
    budget: float  # the cluster's revenues today

    @property
    def after(self) -> float | None:
        return None if self.cut is None else self.before - self.cut

    @property
    def cut_of_line(self) -> float | None:
        return None if self.cut is None or not self.before else self.cut / self.before

    @property
    def cut_of_budget(self) -> float | None:
        return None if self.cut is None or not self.budget else self.cut / self.budget


def grant_rows(result: RegionResult) -> list[SplitRow]:
    """One row per cluster and envelope that funds it, in the clusters' order."""
    region = result.region
    labels = {e.id: e.label for e in result.envelopes_split}
    parts = {p.id: p for p in result.parts}
    rows = []
    for cid in region.ids:
        case = region.case_of(cid)
        part = parts.get(cid)
        for env, line in region.funded(cid):
            revenue = case.revenue(line)
            cut = part.cuts.get(env.id, 0.0) if part is not None else None
            budget = part.budget if part is not None else sum(r.amount for r in case.revenues)
            rows.append(SplitRow(cid, env.id, labels.get(env.id, env.id), line,
                                 revenue.label or line, float(revenue.amount),
                                 None if cut is None else float(cut), float(budget)))
    return rows


def region_lead(result: RegionResult) -> list[str]:
    """The status and the total EUR at risk, then the outlook and the envelopes' notes."""
    spec = result.region.spec
    cur = result.parts[0].result.case.currency if result.parts else "EUR"
    total = result.total_risk
    out = []
    if result.parts and total is not None:
        what = (_("the fairest split (the least largest EUR at risk per EUR of budget, then "
                  "the least total)") if spec.objective == "fairest"
                else _("the least total EUR at risk"))
        if result.proven_optimal:
            out.append(_("The split of {what}: the clusters together put {risk} at risk "
                         "(proven optimal).").format(what=what, risk=money(total, cur)))
        else:
            out.append(_("The best split found (aiming at {what}): the clusters together put "
                         "{risk} at risk.").format(what=what, risk=money(total, cur)))
            if result.method == "decompose":
                out.extend(decomposition_lines(result, lambda x: money(x, cur), pct))
            elif result.gap is not None:
                out.append(_("The time limit stopped the search: no split puts less than "
                             "{bound} at risk (proven gap {gap}).").format(
                                 bound=money(result.bound or 0.0, cur), gap=pct(result.gap)))
    else:
        out.append(_("No split of the envelopes keeps every cluster at its targets."))
    overview = outlook_overview(result)
    if overview:
        out.append(overview)
    out += [t for t in (envelope_line(result, e) for e in result.envelopes_split) if t]
    even = even_line(result)
    if even:
        out.append(even)
    tolerance = tolerance_line(result)
    if tolerance:
        out.append(tolerance)
    return out


def totals_lines(result: RegionResult) -> tuple[list[str], list[str], list[str], list[str]]:
    """(the totals, what binds, the marginal risk, why no split) in words."""
    spec = result.region.spec
    cur = result.parts[0].result.case.currency if result.parts else "EUR"
    facts = []
    if result.total_risk is not None:
        facts.append(_("EUR at risk, all clusters together: {risk}.").format(
            risk=money(result.total_risk, cur)))
    before = sum(e.before for e in result.envelopes_split)
    after = [e.after for e in result.envelopes_split if e.after is not None]
    if result.envelopes_split and len(after) == len(result.envelopes_split):
        facts.append(_("The envelopes pay {before} today and {after} after the split (a cut "
                       "of {cut}).").format(before=money(before, cur),
                                            after=money(sum(after), cur),
                                            cut=money(before - sum(after), cur)))
    if result.private_share is not None:
        target = spec.region_private_share
        text = _("Combined private share: {today} today, {after} after the plans.").format(
            today=pct(result.private_share[0]), after=pct(result.private_share[1]))
        if target is not None:
            text += " " + _("Target: {target}.").format(target=pct_short(target))
        facts.append(text)
    if spec.member_pool is not None and result.new_members is not None:
        facts.append(_("New members recruited: {n} of a pool of {pool}.").format(
            n=count(result.new_members), pool=count(spec.member_pool)))
    binding = [_("Binding region constraints: {rows}.").format(rows=", ".join(result.binding))
               ] if result.binding else []
    words = binds_words(result)
    if words:
        binding.append(_("In words: {what}.").format(what="; ".join(words)))
    marginal = marginal_lines(result)
    diagnosis = []
    if result.diagnosis is not None:
        d = result.diagnosis
        for env_id, amount in d.min_envelope.items():
            diagnosis.append(
                _("Envelope {env}: the smallest amount the clusters can absorb is {amount}.")
                .format(env=env_id, amount=money(amount, cur)) if amount is not None else
                _("Envelope {env}: no amount works (the other constraints fail whatever the "
                  "envelope).").format(env=env_id))
        diagnosis += list(d.blocking_text)
    return facts, binding, marginal, diagnosis


def cluster_card_lines(result: RegionResult, part: ClusterPart) -> tuple[str, list[str]]:
    """The cluster's head (where the cut takes it, where its plan brings it) and its own
    summary lines after its head."""
    lines = summary_lines(part.result)
    if part.result.evaluation is not None and lines:
        lines = lines[1:]
    return cluster_head(result, part), list(lines)


def region_audit(result: RegionResult) -> str:
    a = result.audit

    def text(key: str) -> str:
        value = a.get(key)
        return _("unknown") if value in (None, "") else str(value)

    overrides = a.get("overrides") or {}
    shown = ", ".join(f"{k}={v}" for k, v in overrides.items()) if overrides else _("none")
    return "; ".join([
        _("Region \u201c{name}\u201d from {source}, SHA-256 {sha}").format(
            name=result.region.spec.name, source=text("region_source"),
            sha=text("region_sha256")),
        _("overrides {overrides}").format(overrides=shown),
        _("solver {solver}, relative gap {gap}, time limit {limit} s").format(
            solver=text("solver"), gap=text("gap_rel"), limit=text("time_limit")),
        _("{n} clusters, {m} envelopes").format(n=len(result.region.ids),
                                                 m=len(result.envelopes_split)),
    ]) + "."


__all__ = ["SplitRow", "cluster_card_lines", "grant_rows", "region_audit", "region_lead",
           "totals_lines"]

"""The report's uncertainty parts: a simulation's figures, and the CVaR comparison.

Called by `report.result` (table, markdown, csv); the summary lines are the result's
(`results.summary`), the JSON parts the `to_dict` of `Simulation` and `CvarComparison`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from ..fmt import count, currency, keur, money, pct, pct_short
from ..i18n import gettext as _
from .formats import csv_number

if TYPE_CHECKING:
    from ..case.schema import Case
    from ..results.result import Result
    from ..results.simulation import Simulation


def _keur(amount: float | None, sign: bool = False) -> str:
    return keur(amount, sign)


def _pct(share: float) -> str:
    return pct(share)


def _quantiles(q: dict[str, float], fmt: Any) -> str:
    return " / ".join(fmt(q[k]) for k in ("p05", "p50", "p95"))


def simulation_rows(sim: Simulation, case: Case) -> list[list[str]]:
    cur = currency(case.currency)
    return [
        [_("P(private share >= target)"), _pct(sim.p_target_met)],
        [_("P(result >= {amount} {cur})").format(amount=_keur(case.target.min_result), cur=cur),
         _pct(sim.p_result_ok)],
        [_("P(both: no loss)"), _pct(sim.p_no_loss)],
        [_("Private share 5 / 50 / 95 %"), _quantiles(sim.share_quantiles, _pct)],
        [_("Result 5 / 50 / 95 % ({cur})").format(cur=cur),
         _quantiles(sim.result_quantiles, lambda v: _keur(v, True))],
        [_("Expected deficit ({cur})").format(cur=cur), _keur(sim.expected_deficit)],
        [_("Expected loss ({cur})").format(cur=cur), _keur(sim.expected_loss)],
        [_("VaR 95% of the loss ({cur})").format(cur=cur), _keur(sim.var95_loss)],
        [_("CVaR 95% of the loss ({cur})").format(cur=cur), _keur(sim.cvar95_loss)],
    ]


def _short(case: Case, lever_id: str, value: float) -> str:
    """A lever's decision value in a few characters, in its unit."""
    if abs(value) <= 1e-9:
        return "-"
    return str(case.lever(lever_id).value_compared(value, case.currency))


def people_sections(result: Result, markdown: bool) -> list[str]:
    """The table / markdown sections: the CVaR comparison, then the simulation."""
    case = result.case
    cur = currency(case.currency)
    style = "github" if markdown else "simple"
    out: list[str] = []

    def heading(text: str) -> None:
        if markdown:
            out.extend([f"## {text}", ""])
        else:
            out.extend([text, "-" * len(text)])

    cmp = result.cvar
    if cmp is not None:
        heading(_("Two plans side by side: least EUR at risk, least CVaR {alpha}").format(
            alpha=pct_short(cmp.alpha)))
        a, b = cmp.eur_at_risk_plan, cmp.cvar_plan
        rows: list[list[str]] = []
        for lever in case.levers:
            va, vb = a.plan.get(lever.id, 0.0), b.plan.get(lever.id, 0.0)
            if abs(va) > 1e-9 or abs(vb) > 1e-9:
                rows.append([lever.name, _short(case, lever.id, va), _short(case, lever.id, vb)])
        rows.append([_("EUR at risk ({cur})").format(cur=cur), _keur(a.risk), _keur(b.risk)])
        label = _("CVaR {alpha} of the loss, {n} scenarios ({cur})").format(
            alpha=pct_short(cmp.alpha), n=count(cmp.scenarios), cur=cur)
        rows.append([label, _keur(a.cvar_loss), _keur(b.cvar_loss)])
        sa, sb = a.simulation, b.simulation
        if sa is not None and sb is not None:
            for (label, xa), (_same, xb) in zip(simulation_rows(sa, case),
                                                simulation_rows(sb, case)):
                rows.append([_("{label} (simulated)").format(label=label), xa, xb])
        out.append(tabulate(rows, headers=["", _("Least EUR at risk"), _("Least CVaR")],
                            tablefmt=style, disable_numparse=True,
                            colalign=("left", "right", "right")))
        out.append("")
        out.append(_("The loss of a scenario is the EUR missing to keep the result at "
                     "{min_result} or to reach the {share} share, whichever is more. CVaR is "
                     "computed on the {n} scenarios of the optimisation (seed {seed}); the "
                     "simulated rows on {n_simulated} independent scenarios.").format(
            min_result=money(case.target.min_result, case.currency),
            share=pct_short(case.target.private_share), n=count(cmp.scenarios), seed=cmp.seed,
            n_simulated=count(sa.n if sa is not None else 0)))
        out.append("")
    sim = result.simulation
    if sim is not None:
        what = (_("Simulation") if result.plan is not None else
                _("Simulation of the budget without a plan"))
        heading(_("{what}: {n} scenarios, seed {seed}").format(what=what, n=count(sim.n),
                                                                seed=sim.seed))
        out.append(tabulate(simulation_rows(sim, case), headers=[_("Indicator"), _("Value")],
                            tablefmt=style, disable_numparse=True, colalign=("left", "right")))
        out.append("")
    return out


def csv_rows(result: Result) -> list[dict[str, str]]:
    """Rows for the long CSV table, by column (`report.result_csv.COLUMNS`): a figure is a
    `value`, a plan's EUR at risk a `risk`."""
    rows: list[dict[str, str]] = []

    def sim_rows(section: str, sim: Simulation) -> None:
        data = sim.to_dict()
        for key in ("n", "seed", "p_target_met", "p_result_ok", "p_no_loss", "expected_deficit",
                    "expected_loss", "var95_loss", "cvar95_loss"):
            shown = str(data[key]) if key in ("n", "seed") else csv_number(data[key])
            rows.append({"section": section, "id": key, "label": key.replace("_", " "),
                         "value": shown})
        for name in ("share_quantiles", "result_quantiles"):
            for q, v in data[name].items():
                rows.append({"section": section, "id": f"{name[:-10]}_{q}",
                             "label": f"{name[:-10]} {q}", "value": csv_number(v)})

    cmp = result.cvar
    if cmp is not None:
        for section, item in (("cvar:eur_at_risk_plan", cmp.eur_at_risk_plan),
                              ("cvar:cvar_plan", cmp.cvar_plan)):
            for lever_id, value in item.plan.items():
                rows.append({"section": section, "id": f"lever:{lever_id}",
                             "label": "lever value", "value": csv_number(value)})
            rows.append({"section": section, "id": "risk", "label": "EUR at risk",
                         "risk": csv_number(item.risk)})
            rows.append({"section": section, "id": "cvar_loss",
                         "label": f"CVaR {cmp.alpha:g} of the loss",
                         "value": csv_number(item.cvar_loss)})
            if item.simulation is not None:
                sim_rows(section + ":simulation", item.simulation)
    if result.simulation is not None:
        sim_rows("simulation", result.simulation)
    return rows

"""The report's uncertainty parts: a simulation's figures, and the CVaR comparison.

Called by `report.result` (table, markdown, csv); the summary lines are the result's
(`results.summary`), the JSON parts the `to_dict` of `Simulation` and `CvarComparison`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from ..fmt import keur, pct_short
from .formats import csv_number

if TYPE_CHECKING:
    from ..case.schema import Case
    from ..results.result import Result
    from ..results.simulation import Simulation


def _keur(amount: float | None, sign: bool = False) -> str:
    return keur(amount, sign)


def _pct(share: float) -> str:
    return f"{share:.1%}"


def _quantiles(q: dict[str, float], fmt: Any) -> str:
    return " / ".join(fmt(q[k]) for k in ("p05", "p50", "p95"))


def simulation_rows(sim: Simulation, case: Case) -> list[list[str]]:
    cur = case.currency
    return [
        ["P(private share >= target)", _pct(sim.p_target_met)],
        [f"P(result >= {_keur(case.target.min_result)} {cur})", _pct(sim.p_result_ok)],
        ["P(both: no loss)", _pct(sim.p_no_loss)],
        ["Private share 5 / 50 / 95 %", _quantiles(sim.share_quantiles, _pct)],
        [f"Result 5 / 50 / 95 % ({cur})", _quantiles(sim.result_quantiles,
                                                    lambda v: _keur(v, True))],
        [f"Expected deficit ({cur})", _keur(sim.expected_deficit)],
        [f"Expected loss ({cur})", _keur(sim.expected_loss)],
        [f"VaR 95% of the loss ({cur})", _keur(sim.var95_loss)],
        [f"CVaR 95% of the loss ({cur})", _keur(sim.cvar95_loss)],
    ]


def _short(case: Case, lever_id: str, value: float) -> str:
    """A lever's decision value in a few characters, in its unit."""
    if abs(value) <= 1e-9:
        return "-"
    return str(case.lever(lever_id).value_compared(value, case.currency))


def people_sections(result: Result, markdown: bool) -> list[str]:
    """The table / markdown sections: the CVaR comparison, then the simulation."""
    case = result.case
    cur = case.currency
    style = "github" if markdown else "simple"
    out: list[str] = []

    def heading(text: str) -> None:
        if markdown:
            out.extend([f"## {text}", ""])
        else:
            out.extend([text, "-" * len(text)])

    cmp = result.cvar
    if cmp is not None:
        heading(f"Two plans side by side: least EUR at risk, least CVaR {pct_short(cmp.alpha)}")
        a, b = cmp.eur_at_risk_plan, cmp.cvar_plan
        rows: list[list[str]] = []
        for lever in case.levers:
            va, vb = a.plan.get(lever.id, 0.0), b.plan.get(lever.id, 0.0)
            if abs(va) > 1e-9 or abs(vb) > 1e-9:
                rows.append([lever.name, _short(case, lever.id, va), _short(case, lever.id, vb)])
        rows.append([f"EUR at risk ({cur})", _keur(a.risk), _keur(b.risk)])
        label = f"CVaR {pct_short(cmp.alpha)} of the loss, {cmp.scenarios:,} scenarios ({cur})"
        rows.append([label, _keur(a.cvar_loss), _keur(b.cvar_loss)])
        sa, sb = a.simulation, b.simulation
        if sa is not None and sb is not None:
            for (label, xa), (_, xb) in zip(simulation_rows(sa, case), simulation_rows(sb, case)):
                rows.append([f"{label} (simulated)", xa, xb])
        out.append(tabulate(rows, headers=["", "Least EUR at risk", "Least CVaR"],
                            tablefmt=style, disable_numparse=True,
                            colalign=("left", "right", "right")))
        out.append("")
        out.append(f"The loss of a scenario is the EUR missing to keep the result at "
                   f"{_keur(case.target.min_result)} {cur} or to reach the "
                   f"{pct_short(case.target.private_share)} share, whichever is more. CVaR is "
                   f"computed on the {cmp.scenarios:,} scenarios of the optimisation (seed "
                   f"{cmp.seed}); the simulated rows on "
                   f"{sa.n if sa is not None else 0:,} independent scenarios.")
        out.append("")
    sim = result.simulation
    if sim is not None:
        what = "Simulation" if result.plan is not None else "Simulation of the budget without a plan"
        heading(f"{what}: {sim.n:,} scenarios, seed {sim.seed}")
        out.append(tabulate(simulation_rows(sim, case), headers=["Indicator", "Value"],
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

"""Reports a board reads: the CSV of a result, sweep tables and plots, the frontier, the
tornado and the simulation plots (issue 14, items 5, 17, 18 and 20)."""

from __future__ import annotations

import csv
import io
import itertools
import math

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main

from .conftest import CASES

AURA = str(CASES / "aura-average-2020.json")


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------ item 20: the CSV


@pytest.mark.parametrize("name", ["aura-average-2020.json", "small-regional-cluster.json",
                                  "covid-2020.json"])
def test_csv_has_one_meaning_per_column(name):
    """A lever row splits its effect into revenue_change, expenditure_change and net_effect
    (their difference); `change` is only ever after - before. The levers' revenue changes
    add up to the revenue lines' changes, their spending changes to the spending lines',
    and revenue rows say whether the money is public."""
    out = _cli(str(CASES / name), "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    case = optimizer.load_case(CASES / name)
    levers = [r for r in rows if r["section"] == "lever"]
    assert levers and all(r["change"] == "" for r in levers)
    for r in levers:
        assert float(r["net_effect"]) == pytest.approx(
            float(r["revenue_change"]) - float(r["expenditure_change"]), abs=2e-6)
    for section, column in (("revenue", "revenue_change"), ("expenditure", "expenditure_change")):
        lines = [r for r in rows if r["section"] == section]
        for r in lines:
            assert float(r["change"]) == pytest.approx(float(r["after"]) - float(r["before"]),
                                                       abs=2e-6)
            assert r["revenue_change"] == r["expenditure_change"] == r["net_effect"] == ""
        assert sum(float(r["change"]) for r in lines) == pytest.approx(
            sum(float(r[column]) for r in levers), abs=1e-4)
    public = {r["id"]: r["public"] for r in rows if r["section"] == "revenue"}
    assert public == {r.id: "true" if r.public else "false" for r in case.revenues}
    assert all(r["public"] == "" for r in rows if r["section"] != "revenue")
    total = next(r for r in rows if r["section"] == "indicator" and r["id"] == "result")
    assert float(total["change"]) == pytest.approx(
        sum(float(r["net_effect"]) for r in levers), abs=1e-4)
    assert not any(math.isnan(float(r["risk"])) for r in levers)


# ------------------------------------------------------------------ item 17: sweeps

@pytest.fixture(scope="module")
def aura() -> optimizer.Case:
    return optimizer.load_case(AURA)


@pytest.fixture(scope="module")
def price_sweep(aura):
    """Training-day prices against two targets: 64 % is out of reach at every price."""
    return optimizer.sweep(aura, {"levers.training.price": [900, 1250, 1500],
                                  "target.private_share": [0.56, 0.64]}, workers=1)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_sweep_table_uses_names_units_and_marks_points_with_no_plan(aura, price_sweep, fmt):
    """Axes by name with their unit ("Training days: price (EUR)" in k EUR, "Target private
    share" in %), levers by label in the plan, members after as whole numbers, and the
    points out of reach say "no plan"; no raw path or lever id is left."""
    from optimizer.report.sensitivity import render_sweep

    text = render_sweep(price_sweep, aura, fmt)
    assert "Training days: price (EUR)" in text and "Target private share" in text
    for cell in ("0.90 k", "1.25 k", "1.50 k", "56%", "64%"):  # one number of decimals
        assert f" {cell} " in text, cell
    assert "levers.training.price" not in text and "target.private_share" not in text
    assert "Lower regional grant" in text and "less-region" not in text
    lines = [line for line in text.splitlines() if " 64% " in line]
    assert len(lines) == 3 and all(" no plan " in line for line in lines)
    assert "3 with no plan" in text
    if fmt == "markdown":
        header = next(line for line in text.splitlines() if "Members after" in line)
        column = [c.strip() for c in header.split("|")].index("Members after")
        members = [line.split("|")[column].strip() for line in text.splitlines()
                   if " 56% " in line]
        assert len(members) == 3 and all(m.isdigit() for m in members)
    assert "EUR at risk of its point" in text


def test_sweep_of_members_shows_whole_members(aura):
    """Members swept and members after the plan read as whole numbers."""
    from optimizer.report.sensitivity import render_sweep

    frame = optimizer.sweep(aura, {"members": [250, 300]}, workers=1)
    text = render_sweep(frame, aura, "markdown")
    header = text.splitlines()[4]
    assert "Members today" in header and "Members after" in header
    rows = [line.split("|") for line in text.splitlines()[6:]]
    assert [r[1].strip() for r in rows] == ["250", "300"]
    assert all(r[6].strip().isdigit() for r in rows)


def test_sweep_plot_draws_in_units_and_marks_points_with_no_plan(aura, price_sweep, tmp_path):
    """The plot's data: x in k EUR, one line per target named in words, every point either
    on its line (a plan) or marked on the axis (no plan); the SVG has the names."""
    pytest.importorskip("matplotlib")
    from optimizer.report.plots import plot_sweep, sweep_lines

    lines = sweep_lines(price_sweep, aura)
    assert [item["label"] for item in lines] == ["Target private share: 56%",
                                                 "Target private share: 64%"]
    assert lines[0]["x"] == [0.9, 1.25, 1.5] and not lines[0]["no_plan"]
    assert lines[1]["x"] == [] and lines[1]["no_plan"] == [0.9, 1.25, 1.5]
    assert all(35 < y < 60 for y in lines[0]["y"])  # k EUR
    alone = price_sweep[price_sweep["target.private_share"] == 0.56].copy()
    alone.attrs = {**price_sweep.attrs, "axes": {"levers.training.price": [900, 1250, 1500]}}
    one = sweep_lines(alone, aura)
    assert len(one) == 1 and one[0]["x"] == [0.9, 1.25, 1.5]  # one axis: one line
    svg = tmp_path / "sweep.svg"
    plot_sweep(price_sweep, aura, svg)
    text = svg.read_text()
    for words in ("Training days: price (k EUR)", "least EUR at risk (k EUR)",
                  "Target private share: 64%", "no plan"):
        assert words in text, words
    assert "levers.training.price" not in text


# ------------------------------------------------------------------ item 18: plots


@pytest.fixture(scope="module")
def aura_frontier(aura):
    return optimizer.frontier(aura, points=11)


def _texts(fig) -> list:
    return [t for ax in fig.axes for t in ax.texts] + list(fig.texts)


def test_frontier_plot_marks_the_target_and_keeps_labels_apart(aura, aura_frontier, tmp_path):
    """The case's own target is a line at 60 % named in the legend; entry points close
    together share one number above the plot, never closer than ENTRY_GAP of the x range,
    and each lever's entry is listed below; "no plan beyond" sits in the shaded band right
    of the highest share, not over the areas."""
    pytest.importorskip("matplotlib")
    from optimizer.report.plots import ENTRY_GAP, frontier_figure, plot_frontier

    fig = frontier_figure(aura_frontier)
    ax = fig.axes[0]
    target = [line for line in ax.get_lines()
              if str(line.get_label()).startswith("the case's target")]
    assert len(target) == 1 and list(target[0].get_xdata()) == [60.0, 60.0]
    assert "60%" in target[0].get_label()
    numbers = sorted((t.get_position()[0], t.get_text()) for t in ax.texts
                     if t.get_text().replace(",", "").isdigit())
    low, high = ax.get_xlim()
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(numbers)]
    assert numbers and min(gaps) >= ENTRY_GAP * (high - low) * 0.85
    listed = ",".join(t for _, t in numbers).split(",")
    assert listed == [str(k) for k in range(1, len(listed) + 1)]
    below = " ".join(t.get_text() for t in fig.texts)
    entered = {e for e in aura_frontier.events["label"][
        aura_frontier.events["event"].str.startswith("enters")]}
    assert all(f"{label} enters at" in below for label in entered)
    beyond = next(t for t in ax.texts if t.get_text().startswith("no plan beyond"))
    assert beyond.get_position()[0] > aura_frontier.max_share * 100
    svg = tmp_path / "frontier.svg"
    plot_frontier(aura_frontier, svg)
    assert "the case's target, 60%" in svg.read_text()


def test_frontier_plot_of_a_target_out_of_reach_says_so(tmp_path):
    """out-of-reach.json: the case's target (50 %) lies in the band no plan reaches."""
    pytest.importorskip("matplotlib")
    from optimizer.report.plots import frontier_figure

    fr = optimizer.frontier(CASES / "out-of-reach.json", points=3)
    labels = [str(line.get_label()) for line in frontier_figure(fr).axes[0].get_lines()]
    assert "the case's target, 50%, out of reach" in labels


def test_entry_groups_never_put_two_markers_closer_than_the_gap():
    from optimizer.report.plots import entry_groups

    entries = [(50.0, "a"), (50.01, "b"), (50.3, "c"), (51.0, "d"), (51.02, "e"), (56.0, "f")]
    groups = entry_groups(entries, span=12.0, gap=0.035)
    assert [numbers for _, numbers in groups] == [[1, 2, 3], [4, 5], [6]]
    xs = [x for x, _ in groups]
    assert all(b - a >= 0.035 * 12.0 for a, b in itertools.pairwise(xs))


@pytest.fixture(scope="module")
def aura_tornado(aura):
    return optimizer.tornado(aura, 0.2)


def test_tornado_names_inputs_in_words(aura, aura_tornado):
    """Inputs by name: "Members today", "Staff: spare FTE", "Training days: FTE per unit",
    values in their units (k EUR, %)."""
    from optimizer.report.sensitivity import render_tornado

    names = set(aura_tornado["name"])
    assert {"Members today", "Staff: spare FTE", "Training days: FTE per unit",
            "Regional council: amount"} <= names
    assert not any(n in names for n in ("members", "staff: spare fte"))
    text = render_tornado(aura_tornado, aura, "table")
    assert "280.0 k / 350.0 k / 420.0 k" in text and "40% / 50% / 60%" in text
    assert "216 / 270 / 324" in text


def test_tornado_plot_bars_never_overlap_and_no_plan_stays_inside(aura, aura_tornado,
                                                                  tmp_path):
    """Lowered and raised bars of one input are side by side (disjoint heights), so a
    "no plan when lowered" bar is never drawn over the raised one; "no plan" is written
    inside the image; tick labels are the inputs' names with their value as given."""
    pytest.importorskip("matplotlib")
    from matplotlib.patches import Rectangle

    from optimizer.report.plots import plot_tornado, tornado_figure

    frame = aura_tornado.copy()
    frame.attrs = dict(aura_tornado.attrs)
    members = frame.index[frame["input"] == "members"][0]
    frame.loc[members, ["status_low", "risk_low"]] = ["infeasible", math.nan]
    fig = tornado_figure(frame, aura)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]
    spans = [(p.get_y(), p.get_y() + p.get_height()) for p in bars]
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            assert a[1] <= b[0] + 1e-9 or b[1] <= a[0] + 1e-9
    low, high = ax.get_xlim()
    no_plan = [t for t in ax.texts if "no plan" in t.get_text()]
    top = frame.head(20)
    sides = int((top["status_low"] == "infeasible").sum()
                + (top["status_high"] == "infeasible").sum())
    assert sides >= 2 and len(no_plan) == sides
    assert all(low < t.get_position()[0] < high for t in no_plan)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "Members today (270)" in ticks and "Staff: spare FTE (0.5)" in ticks
    svg = tmp_path / "tornado.svg"
    plot_tornado(frame, aura, svg)
    assert "no plan when lowered" in svg.read_text()


@pytest.mark.parametrize("name", ["aura-average-2020.json", "aura-average-2020-uncertain.json"])
def test_simulation_plot_prints_the_probabilities(name, tmp_path):
    """The chart says how often each plan meets the target and keeps the minimum result,
    and calls it "minimum result", not min_result."""
    pytest.importorskip("matplotlib")
    from optimizer.report.plots import plot_simulation, simulation_figure

    case = optimizer.load_case(CASES / name)
    if case.target.risk_measure == "cvar":
        case = case.with_values({"target.scenarios": 200})
    result = optimizer.solve(case)
    result = result.with_simulation(optimizer.simulate(result, 2000, seed=1))
    fig = simulation_figure(result)
    titles = " ".join(ax.get_title() for ax in fig.axes)
    sims = ([item.simulation for _, item in result.cvar.plans()] if result.cvar is not None
            else [result.simulation])
    for sim in sims:
        assert f"target met in {sim.p_target_met:.1%}" in titles or sim.p_target_met < 0.001
        assert f"minimum in {sim.p_result_ok:.1%}" in titles or sim.p_result_ok > 0.999
    svg = tmp_path / "sim.svg"
    plot_simulation(str(svg), result)
    text = svg.read_text()
    assert "minimum result" in text and "min_result" not in text


# ------------------------------------------------------------------ item 5: CVaR runs


@pytest.fixture(scope="module")
def cvar_case(aura):
    """The average case with the CVaR objective (50 scenarios: seconds, not minutes)."""
    return aura.with_values({"target.risk_measure": "cvar", "target.scenarios": 50})


def test_cvar_sweep_says_what_is_minimised(aura, cvar_case, tmp_path):
    """A CVaR sweep says its plans have the least CVaR 95% of the loss (the figures are
    their EUR at risk), in the table, the markdown and the plot; an EUR-at-risk sweep
    says the least EUR at risk."""
    from optimizer.report.sensitivity import render_sweep

    frame = optimizer.sweep(cvar_case, {"target.private_share": [0.56, 0.6]}, workers=1)
    for fmt in ("table", "markdown"):
        text = render_sweep(frame, cvar_case, fmt)
        assert "least CVaR 95% of the loss of its point" in text
        assert "least EUR at risk" not in text
    plain = optimizer.sweep(aura, {"target.private_share": [0.56]}, workers=1)
    assert "least EUR at risk of its point" in render_sweep(plain, aura, "table")
    if not __import__("importlib").util.find_spec("matplotlib"):
        return
    from optimizer.report.plots import plot_sweep, risk_label

    assert risk_label(cvar_case) == ("EUR at risk of the plan of least CVaR 95% of the loss "
                                     "(k EUR)")
    svg = tmp_path / "cvar.svg"
    plot_sweep(frame, cvar_case, svg)
    assert "least CVaR 95% of the loss" in svg.read_text()


def test_cvar_tornado_says_what_is_minimised(aura, cvar_case, aura_tornado):
    """The tornado's words follow the case's objective (the frame here is an EUR-at-risk
    tornado: only the words are checked)."""
    from optimizer.report.sensitivity import render_tornado

    assert "effect on the least EUR at risk" in render_tornado(aura_tornado, aura, "table")
    text = render_tornado(aura_tornado, cvar_case, "markdown")
    assert "effect on the EUR at risk of the plan of least CVaR 95% of the loss" in text


def test_robust_target_is_said_in_the_sweep(aura, price_sweep):
    """A robust target (target.robust = 2) is part of what every plan promises."""
    from optimizer.case.schema import Target
    from optimizer.report.sensitivity import render_sweep, sweep_objective

    if "robust" not in Target.model_fields:
        pytest.skip("target.robust comes with model version 2")
    robust = aura.with_values({"target.robust": 2})
    assert sweep_objective(robust).endswith(
        "; every plan holds if any 2 levers deliver only their low case.")
    assert "holds if any 2 levers" in render_sweep(price_sweep, robust, "table")


def test_progress_outline_counts_the_solves(aura, cvar_case):
    """Before a run: how many solves it takes, and that each is a whole CVaR solve."""
    from optimizer.report.progress import outline

    assert outline("sweep", aura, 1001) == ("sweep of 1,001 points: at most 1,001 solves "
                                            "(exact shortcuts skip some)")
    text = outline("sweep", cvar_case, 2, whole=True)
    assert text.startswith("CVaR sweep of 2 points: 2 solves, each a whole CVaR solve")
    text = outline("frontier", cvar_case, 5, whole=True)
    assert text.startswith("CVaR frontier: 5 grid targets") and "every 1e-4 step" in text
    assert outline("tornado", aura, 113) == "tornado: 113 solves"
    assert outline("tornado", aura, 113, whole=True).startswith(
        "tornado: 113 solves, each a whole solve")


def test_progress_estimate_follows_the_pace_of_each_stage():
    """No estimate before a point is done; then the pace of the stage's points times the
    points left; a new total (the frontier's bisections) starts a new pace."""
    from optimizer.report.progress import Estimate, duration, progress_line

    est = Estimate()
    assert est.update(0, 10, 0.5) is None
    assert est.update(2, 10, 20.0) == pytest.approx(20.0 / 2 * 8)
    assert est.update(10, 10, 100.0) == 0
    assert est.update(10, 14, 100.0) is None  # bisections: a pace of their own
    assert est.update(12, 14, 160.0) == pytest.approx(60.0)
    line = progress_line("CVaR sweep", 2, 10, 20.0, 156.0, width=10)
    assert line == "CVaR sweep [##--------] 2/10 points, 20.0 s, about 2 min 36 s left"
    assert duration(4000) == "1 h 7 min"


def test_cvar_frontier_headline_says_what_is_minimised(aura, cvar_case, aura_frontier):
    """The frontier's words follow the case's objective: "the least EUR at risk rises"
    only when EUR at risk is what the plans minimise (a CVaR plan's EUR at risk may fall
    as the target rises)."""
    import dataclasses

    plain = aura_frontier.headline()
    assert any(line.startswith("The least EUR at risk rises from") for line in plain)
    words = dataclasses.replace(aura_frontier, case=cvar_case).summary()
    assert not any("least EUR at risk" in line for line in words)
    assert any(line.startswith("Each target's plan has the least CVaR 95% of the loss; its "
                               "EUR at risk goes from") for line in words)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_says_the_solves_then_the_time_left(cvar_case):
    """On a terminal, the progress line first says what the run takes (before any point
    is done), then the points done and, once some are, the time left; --quiet and a
    stream that is not a terminal show nothing."""
    from cli.sensitivity import ProgressBar
    from optimizer.report.progress import outline

    term = FakeTerminal()
    bar = ProgressBar("CVaR sweep", quiet=False,
                      outline=outline("sweep", cvar_case, 4, whole=True), stream=term)
    assert "CVaR sweep of 4 points: 4 solves, each a whole CVaR solve" in term.getvalue()
    bar.estimate.update(0, 4, 0.0)
    bar(1, 4)
    shown = term.getvalue().split("\r")[-1]
    assert shown.startswith("CVaR sweep [") and "1/4 points" in shown and "left" in shown
    bar.close()
    assert term.getvalue().endswith("\r")
    for quiet, stream in ((True, FakeTerminal()), (False, io.StringIO())):
        silent = ProgressBar("sweep", quiet=quiet, outline="sweep of 4 points", stream=stream)
        silent(1, 4)
        silent.close()
        assert stream.getvalue() == ""


def test_cvar_sweep_reports_progress_point_by_point(aura, cvar_case):
    """A case solved point by point (the CVaR) gets one target per task: each point counts
    in the progress as soon as it is done (an estimate after the first ones), and goes to
    a free worker; a case re-solved in place keeps its chunks of targets."""
    from optimizer.analyses.sensitivity.engine import CHUNK, chunk_size

    in_place = aura.with_values({"target.risk_tolerance": 0})
    # With HiGHS every objective is re-solved in place (issue 13); with CBC a CVaR point is
    # a whole solve.
    assert chunk_size(cvar_case, "cbc") == 1 and chunk_size(cvar_case) == CHUNK
    assert chunk_size(in_place, "cbc") == CHUNK
    calls: list[tuple[int, int]] = []
    optimizer.sweep(cvar_case, {"target.private_share": [0.56, 0.58, 0.6]}, workers=1,
                    solver="cbc", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]

"""Issue 12 for regions and paths: the board pack (`--format html`) and the workbook
(`--format xlsx`) of a region, of a path over several years and of a path's sweep or
frontier; case workbooks with a Horizon sheet.

Pages are loaded in a real headless Chromium (Playwright): no request but the file, no
console message, labels that look like markup shown as text; figures are read back from
the page and compared with the run's JSON. Workbooks are read back with openpyxl and
pandas: numbers are numbers with number formats, labels that start like formulas are
text, the charts are native. Horizon cases go to a workbook and back exactly, and give
the plan of their JSON case.
"""

from __future__ import annotations

import copy
import html as html_text
import io
import json
import random
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer.analyses.horizon import solve_horizon
from optimizer.analyses.horizon_sweep import sweep_horizon
from optimizer.analyses.region import solve_region
from optimizer.case.region import load_region
from optimizer.case.workbook import load_workbook_case, read_workbook, write_template
from optimizer.fmt import keur
from optimizer.report.pack_files import horizon_report, horizon_sweep_report, region_report

from .conftest import CASES, DATA
from .random_cases import random_cases
from .test_board_pack import HOSTILE, Watched, browser  # noqa: F401 (a fixture)

PATH_CASE = CASES / "aura-average-2024-2027.json"
THREE = DATA / "region" / "three.json"
FORMULAS = ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)")


def run(*args: Any):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


def two_years(raw: dict[str, Any]) -> dict[str, Any]:
    """The bundled path cut to its first two years (solved in a second or two)."""
    raw = copy.deepcopy(raw)
    raw["horizon"]["years"] = raw["horizon"]["years"][:2]
    raw["horizon"]["targets"] = raw["horizon"]["targets"][:2]
    return raw


def hostile_path() -> dict[str, Any]:
    """A two-year path whose labels look like markup or like formulas."""
    raw = two_years(json.loads(PATH_CASE.read_text()))
    raw["name"] = HOSTILE["name"]
    raw["notes"] = [HOSTILE["note"], FORMULAS[0]]
    for lever in raw["levers"]:
        if lever["id"] == "training":
            lever["label"] = HOSTILE["lever"]
        if lever["id"] == "less-region":
            lever["label"] = FORMULAS[0]
        if lever["id"] == "studies":
            lever["label"] = FORMULAS[3]
    raw["revenues"][0]["label"] = HOSTILE["revenue"]
    return raw


def book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def frames(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


def facts(ws: Any) -> dict[str, Any]:
    """A words sheet's facts: item -> value (the two-column table under row 3)."""
    out = {}
    for row in ws.iter_rows(min_row=4, max_col=2, values_only=True):
        if row[0] is None:
            break
        out[row[0]] = row[1]
    return out


def text_cells(wb: Any) -> list[Any]:
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


# ---------------------------------------------------------------------------------------
# Fixtures: each run solved once
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def path_result() -> Any:
    import dataclasses

    from optimizer.analyses.horizon_simulate import simulate_horizon

    result = solve_horizon(str(PATH_CASE), solver="highs")
    return dataclasses.replace(result, simulation=simulate_horizon(result, 300, 7))


@pytest.fixture(scope="module")
def hostile_result() -> Any:
    return solve_horizon(hostile_path(), solver="highs")


@pytest.fixture(scope="module")
def region_result() -> Any:
    return solve_region(load_region(str(THREE), {}), time_limit=120)


@pytest.fixture(scope="module")
def hostile_region() -> Any:
    raw = json.loads(THREE.read_text())
    for c in raw["clusters"]:
        c["case"] = json.loads((THREE.parent / c["case"]).read_text())
    raw["name"] = HOSTILE["name"]
    raw["envelopes"][0]["label"] = HOSTILE["revenue"]
    raw["clusters"][0]["case"]["name"] = FORMULAS[0]
    raw["clusters"][1]["case"]["name"] = HOSTILE["lever"]
    raw["notes"] = [HOSTILE["note"]]
    return solve_region(load_region(raw, {}), time_limit=120)


@pytest.fixture(scope="module")
def sweep_result() -> Any:
    raw = two_years(json.loads(PATH_CASE.read_text()))
    case = optimizer.load_case(raw)
    return sweep_horizon(case, "horizon.targets.1", [0.54, 0.56, 0.7], "highs", None)


# ---------------------------------------------------------------------------------------
# Case workbooks with a horizon
# ---------------------------------------------------------------------------------------

def random_horizon(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(1, 5)
    first = rng.randint(2020, 2030)
    h: dict[str, Any] = {"years": list(range(first, first + n))}
    if rng.random() < 0.7:
        h["targets"] = sorted(round(rng.uniform(0.3, 0.8), rng.choice([2, 3, 17]))
                              for _ in range(n))
    if rng.random() < 0.6:
        h["reserves"] = rng.choice([0, 250_000, 412_345.67, 1e6 / 3])
        if rng.random() < 0.7:
            h["min_reserves"] = rng.choice([0, 100_000, -50_000.5])
    if rng.random() < 0.5:
        h["inflation"] = rng.choice([0.02, 0.015, -0.01, 0.1 / 3])
    if rng.random() < 0.3:
        h["discount"] = rng.choice([0.03, 0.05])
    if rng.random() < 0.3:
        h["notes"] = rng.choice(["one note", ["a", "b"], ["=a formula-looking note"]])
    return h


def test_bundled_path_template_round_trips_exactly() -> None:
    raw = json.loads(PATH_CASE.read_text())
    back, cells = read_workbook(write_template(raw), "h.xlsx")
    assert back == raw
    assert json.dumps(back, sort_keys=True) == json.dumps(raw, sort_keys=True)  # 1 stays 1
    assert cells["horizon.targets[1]"] == "Horizon!B7"


def canonical(value: Any) -> str:
    """JSON with whole floats as ints: a workbook cell holds 8.0 and 8 alike (the same
    JSON number), as tests/test_workbook.py compares cases."""
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(w) for k, w in v.items()}
        if isinstance(v, list):
            return [norm(w) for w in v]
        return v
    return json.dumps(norm(value), sort_keys=True)


def test_random_horizons_round_trip_exactly() -> None:
    rng = random.Random(12)
    for k, raw in enumerate(random_cases(1212, 30)):
        raw["horizon"] = random_horizon(rng)
        if "targets" in raw["horizon"]:
            raw["target"].pop("robust", None)
        raw["target"].pop("risk_measure", None)
        try:
            optimizer.load_case(raw)
        except optimizer.CaseError:
            continue  # a horizon this case refuses (checked elsewhere)
        back, _ = read_workbook(write_template(raw), f"r{k}.xlsx")
        assert canonical(back) == canonical(raw), k
        assert back["horizon"] == raw["horizon"]  # the horizon exactly, ints and floats


def test_horizon_sheet_holds_years_and_targets_one_a_row_with_formats() -> None:
    wb = book(write_template(json.loads(PATH_CASE.read_text())))
    ws = wb["Horizon"]
    rows = {r[0].value: r[1] for r in ws.iter_rows(min_row=2) if r[0].value}
    assert [rows[f"years.{n}"].value for n in range(1, 5)] == [2024, 2025, 2026, 2027]
    assert [rows[f"targets.{n}"].value for n in range(1, 5)] == [0.52, 0.55, 0.58, 0.60]
    assert "%" in rows["targets.1"].number_format and "%" in rows["inflation"].number_format
    assert rows["reserves"].number_format == "#,##0" and rows["reserves"].value == 450000
    levers = wb["Levers"]
    header = [c.value for c in levers[1]]
    for name in ("churn", "ramp_up", "lag_years", "project_years"):
        assert name in header
    eu = next(r for r in levers.iter_rows(min_row=2) if r[0].value == "eu")
    assert eu[header.index("lag_years")].value == 1 and eu[header.index("project_years")].value == 3
    help_text = " ".join(str(c.value) for row in wb["Help"].iter_rows() for c in row if c.value)
    assert "Horizon" in help_text and "targets.1" in help_text


def test_cli_horizon_template_gives_the_plan_of_the_json_case(tmp_path: Path) -> None:
    assert run("--template", tmp_path / "h.xlsx", PATH_CASE).exit_code == 0
    out = run("--template", tmp_path / "h.json", tmp_path / "h.xlsx")
    assert out.exit_code == 0, out.stderr
    assert json.loads((tmp_path / "h.json").read_text()) == json.loads(PATH_CASE.read_text())
    from_book = run(tmp_path / "h.xlsx", "--format", "json")
    from_json = run(PATH_CASE, "--format", "json")
    assert from_book.exit_code == from_json.exit_code == 0
    a, b = json.loads(from_book.stdout), json.loads(from_json.stdout)
    a.pop("audit"), b.pop("audit")
    assert a == b


def edited(data: bytes, change: Any) -> bytes:
    wb = book(data)
    change(wb["Horizon"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("change,expected", [
    (lambda ws: setattr(ws["B3"], "value", "2025 "),
     'Horizon!B3 (horizon.years.2): the text "2025 " where a number is expected'),
    (lambda ws: setattr(ws["B7"], "value", 1.5),
     "Horizon!B7 (horizon.targets.2): input should be less than 1, got 1.5"),
    (lambda ws: setattr(ws["B10"], "value", "=400000+50000"),
     "Horizon!B10 (horizon.reserves): a formula"),
    (lambda ws: ws.delete_rows(9), "Horizon (horizon.targets): one target per year (4 years), got 3"),
    (lambda ws: setattr(ws["A5"], "value", "yeers.4"), "Horizon!A5: unknown field \"yeers.4\""),
    (lambda ws: setattr(ws["B4"], "value", 2030),
     "Horizon!B4 (horizon.years.3): the years must be consecutive"),
])
def test_bad_horizon_cells_are_named(change: Any, expected: str, tmp_path: Path) -> None:
    data = edited(write_template(json.loads(PATH_CASE.read_text())), change)
    with pytest.raises(optimizer.CaseError) as info:
        load_workbook_case(data, "h.xlsx")
    assert any(expected in p for p in info.value.problems), info.value.problems
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data)
    out = run("--template", tmp_path / "back.json", bad)
    assert out.exit_code == 2 and expected.split(":")[0] in out.stderr
    assert not (tmp_path / "back.json").exists()


# ---------------------------------------------------------------------------------------
# The path: workbook
# ---------------------------------------------------------------------------------------

def test_path_workbook_holds_the_json_figures(path_result: Any) -> None:
    data = json.loads(path_result.report("json"))
    wb = book(horizon_report(path_result, "xlsx"))
    assert wb.sheetnames == ["Path", "Levers by year", "Budget by year", "Lines by year",
                             "Reserves", "Simulation by year"]
    f = facts(wb["Path"])
    assert f["EUR at risk over the path"] == pytest.approx(data["risk"], abs=1e-6)
    assert f["status"] == "optimal"
    sheets = frames(horizon_report(path_result, "xlsx"))
    levers = sheets["Levers by year"].set_index("id")
    for k, year in enumerate(data["years"]):
        for lever in year["levers"]:
            assert levers.loc[lever["id"], str(year["year"])] == pytest.approx(lever["value"])
            assert levers.loc[lever["id"], f"EUR at risk {year['year']}"] == pytest.approx(
                lever["risk"])
    budget = sheets["Budget by year"]
    assert list(budget["year"]) == [y["year"] for y in data["years"]]
    assert list(budget["private share"]) == pytest.approx(
        [y["indicators"]["private_share"]["after"] for y in data["years"]])
    assert list(budget["target"]) == pytest.approx([y["target"] for y in data["years"]])
    reserves = sheets["Reserves"]
    assert list(reserves["reserves at year end (k EUR)"]) == pytest.approx(
        [y["indicators"]["reserves"]["after"] for y in data["years"]])
    for name, frame in sheets.items():
        if name == "Path":
            continue
        numeric = frame.select_dtypes("number").columns
        assert len(numeric) >= 2, name  # figures read back as numbers, not text
    sim = sheets["Simulation by year"]
    assert list(sim["probability the target is met"][:4]) == pytest.approx(
        [y["p_target_met"] for y in data["simulation"]["years"]])


def test_path_workbook_has_a_native_line_chart_and_number_formats(path_result: Any) -> None:
    wb = book(horizon_report(path_result, "xlsx"))
    ws = wb["Budget by year"]
    charts = ws._charts
    assert len(charts) == 1 and type(charts[0]).__name__ == "LineChart"
    assert len(charts[0].series) == 2
    refs = [s.val.numRef.f for s in charts[0].series]
    assert refs == ["'Budget by year'!$C$2:$C$5", "'Budget by year'!$B$2:$B$5"]
    assert "%" in ws["C2"].number_format and ws["E2"].number_format.endswith("0.0")
    assert isinstance(ws["E2"].value, float | int)


def test_path_workbook_labels_that_look_like_formulas_stay_text(hostile_result: Any) -> None:
    wb = book(horizon_report(hostile_result, "xlsx"))
    cells = text_cells(wb)
    for formula in (FORMULAS[0], FORMULAS[3]):
        found = [c for c in cells if c.value == formula]
        assert found, formula
        assert all(c.data_type == "s" for c in found)
    labels = list(frames(horizon_report(hostile_result, "xlsx"))["Levers by year"]["label"])
    assert FORMULAS[0] in labels and FORMULAS[3] in labels


# ---------------------------------------------------------------------------------------
# The path: page
# ---------------------------------------------------------------------------------------

def test_path_page_in_the_browser(browser: Any, path_result: Any, tmp_path: Path) -> None:  # noqa: F811
    data = json.loads(path_result.report("json"))
    page = Watched(browser, horizon_report(path_result, "html"), tmp_path, "path.html")
    try:
        page.page.wait_for_timeout(200)
        assert page.others() == [] and page.console == [] and page.errors == []
        rows = page.rows("year-table")
        assert [r[0] for r in rows] == [str(y["year"]) for y in data["years"]]
        assert [r[2] for r in rows] == [f"{y['indicators']['private_share']['after']:.1%}"
                                        for y in data["years"]]
        assert [r[-1] for r in rows] == [keur(y["indicators"]["reserves"]["after"])
                                         for y in data["years"]]
        levers = {r[0]: r[1:] for r in page.rows("levers-by-year")}
        assert levers["Training days"] == [
            str(round(next(lv["value"] for lv in y["levers"] if lv["id"] == "training")))
            for y in data["years"]]
        dots = page.page.eval_on_selector_all("#share-chart .share-dot", "d => d.length")
        rings = page.page.eval_on_selector_all("#share-chart .target-dot", "d => d.length")
        assert dots == rings == len(data["years"])
        assert page.page.eval_on_selector_all("#simulation-years tbody tr", "r => r.length") == 4
        assert page.page.eval_on_selector_all("#simulation-chart rect.band",
                                              "r => r.length") == 4
        for line in data["path"]:
            assert line in page.page.inner_text("#path")
        page.page.screenshot(path=str(tmp_path / "path.png"), full_page=True)
        assert (tmp_path / "path.png").stat().st_size > 10_000
    finally:
        page.close()


def test_path_page_shows_markup_labels_as_text(browser: Any, hostile_result: Any,  # noqa: F811
                                               tmp_path: Path) -> None:
    html = horizon_report(hostile_result, "html")
    assert "<script>alert" not in html and "<img src=x" not in html
    csp = html_text.unescape(html.split('http-equiv="Content-Security-Policy" content="')[1]
                             .split('"')[0])
    assert "script-src 'none'" in csp and csp.startswith("default-src 'none'")
    page = Watched(browser, html, tmp_path, "hostile.html")
    try:
        page.page.wait_for_timeout(200)
        assert page.dialogs == [] and page.errors == [] and page.others() == []
        assert page.page.eval_on_selector_all("img", "i => i.length") == 0
        body = page.page.inner_text("body")
        assert HOSTILE["name"] in body and HOSTILE["lever"] in body
        assert HOSTILE["note"] in body
    finally:
        page.close()


def test_path_page_prints_a_page_per_section(browser: Any, path_result: Any,  # noqa: F811
                                             tmp_path: Path) -> None:
    page = Watched(browser, horizon_report(path_result, "html"), tmp_path, "print.html")
    try:
        page.page.emulate_media(media="print")
        breaks = page.page.eval_on_selector_all(
            "main > section + section", "s => s.map(x => getComputedStyle(x).breakBefore)")
        assert breaks and set(breaks) == {"page"}
        pdf = page.page.pdf(format="A4")
        assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") \
            + pdf.count(b"/Type /Page ") >= 1
    finally:
        page.close()


# ---------------------------------------------------------------------------------------
# The region
# ---------------------------------------------------------------------------------------

def test_region_workbook_holds_the_split(region_result: Any) -> None:
    data = json.loads(region_result.to_json())
    raw = region_report(region_result, "xlsx")
    wb = book(raw)
    assert wb.sheetnames == ["Region", "Envelopes", "Split", "Clusters", "Levers"]
    f = facts(wb["Region"])
    assert f["EUR at risk, all clusters together"] == pytest.approx(data["total_risk"])
    sheets = frames(raw)
    split = sheets["Split"]
    cuts = {(c["id"], env): cut for c in data["clusters"] for env, cut in c["cuts"].items()}
    assert len(split) == len(cuts)
    for _, row in split.iterrows():
        cut = cuts[(row["cluster"], row["envelope"])]
        assert row["cut (k EUR)"] == pytest.approx(cut, abs=1e-6)
        assert row["grant after (k EUR)"] == pytest.approx(row["grant today (k EUR)"] - cut)
    env = sheets["Envelopes"].set_index("id")
    for e in data["envelopes"]:
        assert env.loc[e["id"], "after (k EUR)"] == pytest.approx(e["after"])
        assert env.loc[e["id"], "at most (k EUR)"] == pytest.approx(e["amount"])
    clusters = sheets["Clusters"].set_index("id")
    for c in data["clusters"]:
        assert clusters.loc[c["id"], "EUR at risk"] == pytest.approx(c["result"]["risk"])
        assert clusters.loc[c["id"], "private share after the plan"] == pytest.approx(
            c["result"]["indicators"]["private_share"]["after"])
    levers = sheets["Levers"]
    used = {(c["id"], lv["id"]): lv for c in data["clusters"] for lv in c["result"]["levers"]
            if abs(lv["value"]) > 1e-9}
    assert {(r["cluster"], r["lever"]) for _, r in levers.iterrows()} == set(used)
    for _, r in levers.iterrows():
        assert r["value"] == pytest.approx(used[(r["cluster"], r["lever"])]["value"])
    for name in ("Envelopes", "Split", "Clusters", "Levers"):
        assert len(sheets[name].select_dtypes("number").columns) >= 2, name
    charts = wb["Split"]._charts
    assert len(charts) == 1 and type(charts[0]).__name__ == "BarChart"
    assert charts[0].type == "bar" and len(charts[0].series) == 2
    assert wb["Split"]["E2"].number_format.endswith("0.0") and "%" in wb["Split"]["H2"].number_format


def test_region_workbook_labels_that_look_like_formulas_stay_text(hostile_region: Any) -> None:
    wb = book(region_report(hostile_region, "xlsx"))
    found = [c for c in text_cells(wb) if c.value == FORMULAS[0]]
    assert found and all(c.data_type == "s" for c in found)


def test_region_page_in_the_browser(browser: Any, region_result: Any, tmp_path: Path) -> None:  # noqa: F811
    data = json.loads(region_result.to_json())
    page = Watched(browser, region_report(region_result, "html"), tmp_path, "region.html")
    try:
        page.page.wait_for_timeout(200)
        assert page.others() == [] and page.console == [] and page.errors == []
        split = page.rows("split-table")
        cuts = {c["id"]: c["cuts"] for c in data["clusters"]}
        assert [r[0] for r in split] == [c["id"] for c in data["clusters"]]
        for r in split:
            assert r[5] == keur(cuts[r[0]]["region"])
        env = page.rows("envelopes")[0]
        e = data["envelopes"][0]
        assert env[1:4] == [keur(e["before"]), keur(e["amount"]), keur(e["after"])]
        assert env[4] == keur(e["before"] - e["after"])
        clusters = {r[0]: r for r in page.rows("cluster-table")}
        for c in data["clusters"]:
            assert clusters[c["id"]][3] == keur(c["result"]["risk"])
        bars = page.page.eval_on_selector_all("svg .bar-after:not(.swatch)", "b => b.length")
        assert bars == len(data["clusters"])
        text = page.page.inner_text("body")
        # the binding rows of the split found (on three.json, least-risk splits differ in
        # cuts that change no EUR at risk: the combined share may end on its target or not)
        assert ("Binding region constraints" in text) is bool(data["binding"])
        for row in data["binding"]:
            assert row in text
        assert "100.0 k EUR less" in text
        for c in data["clusters"]:
            assert f"{c['id']}: " in text  # each cluster's card
        page.page.screenshot(path=str(tmp_path / "region.png"), full_page=True)
    finally:
        page.close()


def test_region_page_shows_markup_labels_as_text(browser: Any, hostile_region: Any,  # noqa: F811
                                                 tmp_path: Path) -> None:
    html = region_report(hostile_region, "html")
    assert "<script>alert" not in html and "<img src=x" not in html
    page = Watched(browser, html, tmp_path, "hostile-region.html")
    try:
        page.page.wait_for_timeout(200)
        assert page.dialogs == [] and page.errors == [] and page.others() == []
        assert page.page.eval_on_selector_all("img", "i => i.length") == 0
        body = page.page.inner_text("body")
        assert HOSTILE["name"] in body and HOSTILE["revenue"] in body
        assert HOSTILE["lever"] in body and HOSTILE["note"] in body
    finally:
        page.close()


# ---------------------------------------------------------------------------------------
# A path's sweep
# ---------------------------------------------------------------------------------------

def test_path_sweep_workbook_and_page(browser: Any, sweep_result: Any, tmp_path: Path) -> None:  # noqa: F811
    data = sweep_result.to_dict()
    raw = horizon_sweep_report(sweep_result, "xlsx")
    wb = book(raw)
    assert wb.sheetnames == ["Summary", "Path sweep"]
    frame = frames(raw)["Path sweep"]
    assert list(frame["horizon.targets.1"]) == pytest.approx([p["value"] for p in data["points"]])
    for got, p in zip(frame["EUR at risk over the path"], data["points"], strict=True):
        assert (pd.isna(got) and p["risk"] is None) or got == pytest.approx(p["risk"])
    assert data["points"][-1]["risk"] is None  # 70% in the second year is out of reach
    chart = wb["Path sweep"]._charts
    assert len(chart) == 1 and type(chart[0]).__name__ == "ScatterChart"
    page = Watched(browser, horizon_sweep_report(sweep_result, "html"), tmp_path, "sweep.html")
    try:
        page.page.wait_for_timeout(200)
        assert page.others() == [] and page.console == [] and page.errors == []
        rows = page.rows("sweep-table")
        assert [r[0] for r in rows] == ["54.0%", "56.0%", "70.0%"]
        assert [r[2] for r in rows] == [keur(p["risk"]) for p in data["points"]]
        assert page.page.eval_on_selector_all("#sweep-chart .dot", "d => d.length") == 2
        assert page.page.eval_on_selector_all("#sweep-chart .missing", "d => d.length") == 1
    finally:
        page.close()


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------

def test_cli_writes_region_and_path_files(tmp_path: Path) -> None:
    for source, name in ((THREE, "r.html"), (THREE, "r.xlsx")):
        out = run(source, "-o", tmp_path / name)
        assert out.exit_code == 0, out.stderr
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Region"
    two = tmp_path / "two.json"
    two.write_text(json.dumps(two_years(json.loads(PATH_CASE.read_text()))))
    for args, name in ((("--format", "html"), "p.html"), ((), "p.xlsx"),
                       (("--sweep", "horizon.targets.1=0.55,0.56"), "s.html"),
                       (("--frontier", "--points", "2"), "f.xlsx")):
        out = run(two, *args, "-o", tmp_path / name)
        assert out.exit_code == 0, out.stderr
        assert (tmp_path / name).stat().st_size > 1000
    # A one-year sweep still has no page: refused before any solve, nothing written.
    out = run(CASES / "aura-average-2020.json", "--sweep", "target.private_share=0.55,0.6",
              "-o", tmp_path / "x.html")
    assert out.exit_code == 2 and "--format html" in out.stderr
    assert not (tmp_path / "x.html").exists()
    # A file format still needs --output.
    out = run(THREE, "--format", "xlsx")
    assert out.exit_code == 2 and "--output" in out.stderr


def test_library_report_of_a_region_and_a_path_as_files(region_result: Any,
                                                        hostile_result: Any) -> None:
    assert region_result.report("html").startswith("<!DOCTYPE html>")
    assert region_result.report("xlsx")[:2] == b"PK"
    assert hostile_result.report("xlsx")[:2] == b"PK"
    assert hostile_result.report("table") == optimizer.report.render_horizon(hostile_result)


def test_an_out_of_reach_path_says_why_in_the_page_and_the_workbook() -> None:
    raw = two_years(json.loads(PATH_CASE.read_text()))
    raw["horizon"]["targets"] = [0.52, 0.7]
    result = solve_horizon(raw, solver="highs")
    assert result.status.value == "infeasible" and result.diagnosis is not None
    d = result.diagnosis
    wb = book(horizon_report(result, "xlsx"))
    assert wb.sheetnames == ["Path"]  # no year has a plan: no table to show
    f = facts(wb["Path"])
    assert f["first year out of reach"] == d.first_year == 2025
    assert f["highest share that year, the years before on target"] == pytest.approx(d.reached)
    for year, share in d.max_private_share.items():
        assert f[f"highest private share in {year} (no target)"] == pytest.approx(share)
    page = horizon_report(result, "html")
    assert "The targets are out of reach" in page
    assert f"The first year out of reach is {d.first_year}" in page


def test_pages_and_workbooks_follow_the_language(region_result: Any, path_result: Any) -> None:
    pytest.importorskip("babel")
    from optimizer.i18n import language

    with language("fr"):
        page = region_report(region_result, "html")
        data = horizon_report(path_result, "xlsx")
        before = keur(region_result.envelopes_split[0].before)
    assert '<html lang="fr">' in page
    assert "\u202f" in before and f"<td class=\"num\">{before}</td>" in page  # 1 411,7 k
    budget = frames(data)
    sheet = next(frame for frame in budget.values() if "year" in frame.columns
                 or "année" in frame.columns)
    assert len(sheet.select_dtypes("number").columns) >= 5  # figures stay numbers in French

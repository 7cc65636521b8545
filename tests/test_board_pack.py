"""The HTML board pack (optimizer.report.html), on pages made from real runs of the bundled
case: its result, its frontier (10 grid targets), a 10,000-scenario simulation (seed 1).

The page is checked in a real headless Chromium (Debian's `chromium`, driven by
Playwright): it loads with no network request and no console message, the slider moved
by real key presses and mouse clicks shows the plan and budget of each grid target, labels
that look like markup stay text, and it prints to A4 PDF. These tests skip only when
Chromium (or Playwright) is missing outside CI; in CI (`CI` set) they must run.

Redraw the README's screenshot with `python tests/test_board_pack.py docs/board-pack.png`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import optimizer
from optimizer.fmt import keur
from optimizer.report.html import STRINGS, render_board_pack

ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "cases" / "aura-average-2020.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = {
    "name": "<script>alert(1)</script>",
    "revenue": '"><img src=x onerror=alert(1)>',
    "lever": "</script><script>alert(2)</script><!--",
    "note": "<img src=x onerror=alert(3)> & <b>bold</b>",
}


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """Exactly what the CLI prints and a reader parses back."""
    return json.loads(json.dumps(data))


def escaped(text: str) -> str:
    """Text as the page's source holds it (markupsafe's escaping, as Jinja2's)."""
    from markupsafe import escape

    return str(escape(text))


def k(amount: float) -> str:
    """A table cell in k EUR (the unit is in the column's heading)."""
    return keur(amount).removesuffix(" k")


def grid_budgets(case: optimizer.Case, frontier: dict[str, Any]) -> dict[float, dict]:
    """The budget after the plan at each grid target, as the CLI will pass it."""
    out = {}
    for point in frontier["points"]:
        if point["risk"] is not None:
            ev = optimizer.evaluate(case, point["levers"])
            out[point["target"]] = {"revenues": dict(ev.revenues),
                                    "expenditures": dict(ev.expenditures)}
    return out


class Runs:
    """The real runs of a case that a board pack is made from."""

    def __init__(self, case_data: dict[str, Any], points: int = 10):
        self.case = optimizer.load_case(case_data)
        self.case_json = self.case.model_dump(mode="json")
        solved = optimizer.solve(self.case)
        self.result = as_json(solved.to_dict())
        simulated = solved.with_simulation(optimizer.simulate(solved, 10000, 1))
        self.simulated = as_json(simulated.to_dict())
        self.frontier = as_json(optimizer.frontier(self.case, points=points).to_dict())
        self.budgets = grid_budgets(self.case, self.frontier)

    def page(self, **kwargs: Any) -> str:
        args = {"frontier": self.frontier, "budgets": self.budgets, "case": self.case_json}
        return render_board_pack(self.simulated, **{**args, **kwargs})


@pytest.fixture(scope="module")
def runs() -> Runs:
    return Runs(json.loads(CASE_FILE.read_text()))


@pytest.fixture(scope="module")
def hostile_runs() -> Runs:
    data = json.loads(CASE_FILE.read_text())
    data["name"] = HOSTILE["name"]
    data["notes"] = [HOSTILE["note"]]
    data["revenues"][0]["label"] = HOSTILE["revenue"]
    for lever in data["levers"]:
        if lever["id"] in ("training", "less-region"):
            lever["label"] = HOSTILE["lever"]
    return Runs(data, points=5)


# ---------------------------------------------------------------------------------------
# The page as text (no browser)
# ---------------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def test_page_refers_to_nothing_outside_itself(runs: Runs) -> None:
    """No src, href or url() that leaves the page: only in-page anchors and the empty icon."""
    page = runs.page()
    tags = parse(page)
    for tag, attrs in tags.tags:
        for name in ("src", "href", "action", "xlink:href", "srcset", "poster", "data"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#") or value == "data:,", (tag, name, value)
    assert "url(" not in "".join(tags.styles) and "@import" not in "".join(tags.styles)
    assert [attrs.get("type") for tag, attrs in tags.tags if tag == "script"] == [
        "application/json", None]


def test_content_security_policy_allows_only_the_page_own_style_and_script(runs: Runs) -> None:
    """The CSP meta forbids every request; inline style and script are allowed by hash."""
    tags = parse(runs.page())
    csp = next(a["content"] for t, a in tags.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"style-src {digest(tags.styles[0])};" in csp
    assert csp.endswith(f"script-src {digest(tags.scripts[1])}")


def test_rendering_is_deterministic(runs: Runs) -> None:
    """The same runs give the same bytes (no date, no random id)."""
    assert runs.page() == runs.page()


def test_budget_table_is_the_results_budget(runs: Runs) -> None:
    """Each line's before and after, the subtotals, totals and result, in k EUR."""
    page = runs.page(frontier=None, budgets=None)
    budget = page.split('id="budget"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr class=\"(\w+)\"><td>([^<]*)</td><td class=\"num\">([^<]*)</td>"
                       r"<td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>", budget)
    rows = {label: (before, after, change) for _, label, before, after, change in cells}
    lines = runs.result["budget"]
    for line in lines["revenues"]:
        label = runs.case.revenue(line["id"]).name
        assert rows[label][:2] == (k(line["before"]), k(line["after"]))
    for line in lines["expenditures"]:
        label = runs.case.expenditure(line["id"]).name
        assert rows[label][:2] == (k(line["before"]), k(line["after"]))
    ind = runs.result["indicators"]
    assert rows[STRINGS["public_total"]][:2] == (k(ind["public"]["before"]),
                                                k(ind["public"]["after"]))
    assert rows[STRINGS["private_total"]][:2] == (k(ind["private"]["before"]),
                                                 k(ind["private"]["after"]))
    assert rows[STRINGS["result_row"]][1] == k(ind["result"]["after"])
    region = next(line for line in lines["revenues"] if line["id"] == "region")
    assert region["after"] < region["before"]  # the plan asks the Region for less
    assert rows["Regional council"][2] == k(region["after"] - region["before"])
    assert rows["French State"][2] == STRINGS["no_change"]


def test_plan_section_shows_the_summary_figures_limits_and_audit(runs: Runs) -> None:
    page = runs.page()
    for line in runs.simulated["summary"] + runs.simulated["binding"]:
        assert escaped(line) in page
    audit = runs.simulated["audit"]
    for value in (audit["case_sha256"], audit["solver_version"], audit["case_source"]):
        assert escaped(value) in page
    assert "seeds simulation 1" in page
    assert "120.0 k EUR" in page  # the EUR at risk, as the key figure


def test_simulation_section_gives_probabilities_in_words(runs: Runs) -> None:
    page = runs.page()
    sim = runs.simulated["simulation"]
    assert sim["p_target_met"] < 0.01 and sim["p_result_ok"] > 0.99
    assert "meets the 60% target share almost never (0.0% of the years)" in page
    assert "at or above 0.0 k EUR almost always (100.0% of the years)" in page
    for q in ("p05", "p50", "p95"):
        assert f"{sim['share_quantiles'][q]:.1%}" in page
        assert keur(sim["result_quantiles"][q], sign=True) in page


def test_simulation_block_may_be_given_apart(runs: Runs) -> None:
    """A result without its simulation block plus the block gives the same page."""
    bare = {key: value for key, value in runs.simulated.items() if key != "simulation"}
    page = render_board_pack(bare, simulation=runs.simulated["simulation"],
                             frontier=runs.frontier, budgets=runs.budgets, case=runs.case_json)
    assert page == runs.page()
    assert STRINGS["simulation_heading"] not in render_board_pack(runs.result)


def test_without_the_case_ids_stand_for_labels(runs: Runs) -> None:
    page = render_board_pack(runs.result, frontier=runs.frontier, budgets=runs.budgets)
    assert "<td>region</td>" in page and "Regional council</td>" not in page


def test_out_of_reach_case_shows_the_closest_plan_and_what_blocks(runs: Runs) -> None:
    case = optimizer.load_case(ROOT / "cases" / "out-of-reach.json")
    result = as_json(optimizer.solve(case).to_dict())
    assert result["status"] == "infeasible"
    page = render_board_pack(result, case=case.model_dump(mode="json"))
    assert STRINGS["status_infeasible"] in page and STRINGS["closest_heading"] in page
    for line in result["diagnosis"]["blocking_text"]:
        assert escaped(line) in page
    assert "The highest share the levers can reach is 48.53%." in page
    # The closest plan, lever by lever, in words.
    assert "<td>Training days</td><td>sell 50 units</td>" in page


def test_markup_in_labels_is_escaped_in_text_and_in_the_embedded_data(
        hostile_runs: Runs) -> None:
    page = hostile_runs.page()
    tags = parse(page)
    assert not [t for t, _ in tags.tags if t in ("img", "b")]
    assert len([t for t, _ in tags.tags if t == "script"]) == 2
    data = tags.scripts[0]
    assert "</" not in data and "<!--" not in data and "<" not in data
    assert HOSTILE["lever"] in json.dumps(json.loads(data))  # still there, as data
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("change, message", [
    (lambda r, f, b: r.pop("budget"), "result.budget: missing"),
    (lambda r, f, b: r["levers"][2].update(value="a lot"),
     "result.levers[2].value: must be a number, got 'a lot'"),
    (lambda r, f, b: r["budget"]["revenues"][0].update(public="yes"),
     "result.budget.revenues[0].public: must be true or false, got 'yes'"),
    (lambda r, f, b: f.update(case="Another cluster"),
     "frontier.case: 'Another cluster' is not the case of the result"),
    (lambda r, f, b: f["points"][3].update(risk=float("nan")),
     "frontier.points[3].risk: must be a finite number, got nan"),
    (lambda r, f, b: f["points"][2]["levers"].update(ghost=1.0),
     "frontier.points[2].levers.ghost: unknown lever 'ghost' (not in the result)"),
    (lambda r, f, b: b.update({0.7: b[next(iter(b))]}),
     "budgets[0.7]: is not a grid target of the frontier"),
    (lambda r, f, b: b[next(iter(b))]["revenues"].pop("state"),
     "budgets[0.5].revenues.state: missing"),
    (lambda r, f, b: b[next(iter(b))]["expenditures"].update(travel=1.0),
     "budgets[0.5].expenditures: unknown line 'travel' (not in the result)"),
    (lambda r, f, b: r["simulation"]["share_quantiles"].update(median=0.5),
     "simulation.share_quantiles.median: must be named p01 to p99"),
])
def test_bad_input_names_the_field(runs: Runs, change: Any, message: str) -> None:
    result, frontier, budgets = (copy.deepcopy(x) for x in
                                 (runs.simulated, runs.frontier, runs.budgets))
    change(result, frontier, budgets)
    with pytest.raises(optimizer.CaseError) as err:
        render_board_pack(result, frontier=frontier, budgets=budgets, case=runs.case_json)
    assert message in str(err.value)


def embedded_data(page: str) -> dict[str, Any]:
    """The slider's data, parsed as strictly as a browser's JSON.parse (no NaN)."""
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(parse(page).scripts[0], parse_constant=refuse)


def test_a_grid_target_without_a_plan_says_so(runs: Runs) -> None:
    """A point stopped by the time limit or out of reach has no plan and no budget."""
    frontier = copy.deepcopy(runs.frontier)
    last = frontier["points"][-1]
    last.update(status="time_limit", risk=None, private_share=None, result=None, members=None)
    last["levers"] = dict.fromkeys(last["levers"])
    last["lever_risk"] = dict.fromkeys(last["lever_risk"])
    budgets = {t: b for t, b in runs.budgets.items() if t != last["target"]}
    data = embedded_data(runs.page(frontier=frontier, budgets=budgets))
    shown = data["points"][-1]
    assert shown["text"]["head"] == (f"At a target of {last['target']:.2%}: no plan (the solver "
                                     "stopped at its time limit).")
    assert shown["text"]["plan"] == [] and shown["text"]["budget"] is None
    assert shown["marker"] is None and shown["levers"] == {}
    assert data["points"][-2]["text"]["budget"] is not None


def test_budgets_without_a_frontier_are_refused(runs: Runs) -> None:
    with pytest.raises(optimizer.CaseError, match=r"^budgets: given without a frontier$"):
        render_board_pack(runs.result, budgets=runs.budgets)


def test_budget_keys_may_be_strings_as_in_a_json_file(runs: Runs) -> None:
    as_text = {str(t): b for t, b in runs.budgets.items()}
    assert runs.page(budgets=as_text) == runs.page()


def test_without_jinja2_the_message_says_what_to_install(runs: Runs,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(optimizer.CaseError, match=r"pip install 'cluster-optimizer\[html\]'"):
        render_board_pack(runs.result)


# ---------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Any:
    in_ci = bool(os.environ.get("CI"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("CI: Playwright is missing (pip install -e '.[test]')")
        pytest.skip("Playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        if in_ci:
            pytest.fail(f"CI: Chromium is missing at {CHROMIUM} (.ci/run installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page in its own context, with every request, console message, error and dialog
    recorded."""

    def __init__(self, browser: Any, html: str, directory: Path, name: str = "pack.html"):
        self.path = directory / name
        self.path.write_text(html, encoding="utf-8")
        self.url = self.path.as_uri()
        self.context = browser.new_context(viewport={"width": 1000, "height": 1300})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda msg: self.console.append((msg.type, msg.text)))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(self.url, wait_until="load")

    def others(self) -> list[str]:
        return [url for url in self.requests if url != self.url]

    def slider_to(self, index: int) -> None:
        """Real key presses: Home, then one ArrowRight per grid step."""
        slider = self.page.locator("#target-slider")
        slider.focus()
        self.page.keyboard.press("Home")
        for _ in range(index):
            self.page.keyboard.press("ArrowRight")

    def rows(self, table: str) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            f"#{table} tbody tr",
            "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, runs: Runs, tmp_path: Path) -> Any:
    page = Watched(browser, runs.page(), tmp_path)
    yield page
    page.close()


def expected_decision(kind: str, value: float) -> str:
    """The decision in the lever's unit, as a reader would write it from the JSON."""
    if kind in ("cut", "grant_cut"):
        return f"{keur(value)} EUR"
    if kind in ("fee_increase", "success_fee"):
        return f"{value:.1%}".replace(".0%", "%")
    return f"{value:,.0f}"


def test_page_loads_with_no_request_and_no_console_message(watched: Watched) -> None:
    watched.slider_to(3)
    watched.page.wait_for_timeout(200)  # room for any late request to show up
    assert watched.others() == []
    assert watched.requests == [watched.url]
    assert watched.console == [] and watched.errors == []
    assert watched.page.title() == "Average AURA cluster, 2020: board pack"


def test_slider_shows_the_plan_and_budget_of_each_grid_target(watched: Watched,
                                                              runs: Runs) -> None:
    """At every grid target, the text shown is the frontier's plan and the budget the
    library computes for it, figure by figure."""
    case, points = runs.case, runs.frontier["points"]
    types = {lever["id"]: lever["type"] for lever in runs.result["levers"]}
    markers = []
    for index, point in enumerate(points):
        watched.slider_to(index)
        assert watched.page.input_value("#target-slider") == str(index)
        assert watched.page.text_content("#target-value") == f"{point['target']:.2%}"
        head = watched.page.text_content("#point-head")
        assert f"least EUR at risk is {keur(point['risk'])} EUR" in head
        used = {lever: v for lever, v in point["levers"].items() if abs(v) > 1e-9}
        shown = watched.rows("point-plan")
        if not used:
            assert shown == [[STRINGS["plan_none"]]]
        else:
            assert [row[0] for row in shown] == [case.lever(i).name for i in used]
            for row, (lever, value) in zip(shown, used.items(), strict=True):
                assert expected_decision(types[lever], value) in row[1], (row, value)
                assert row[2] == k(point["lever_risk"][lever])
        ev = optimizer.evaluate(case, point["levers"])
        budget = {row[0]: row for row in watched.rows("point-budget")}
        for line in case.revenues:
            assert budget[line.name][1:3] == [k(line.amount), k(ev.revenues[line.id])]
        for line in case.expenditures:
            assert budget[line.name][1:3] == [k(line.amount), k(ev.expenditures[line.id])]
        assert budget[STRINGS["revenues_total"]][2] == k(ev.total_revenues)
        assert budget[STRINGS["result_row"]][2] == k(ev.result)
        assert budget[STRINGS["private_share_row"]][2] == f"{point['private_share']:.1%}"
        markers.append(float(watched.page.get_attribute("#frontier-marker", "cx")))
    assert markers == sorted(markers) and len(set(markers)) == len(points)
    assert watched.console == [] and watched.errors == []


def test_slider_follows_the_mouse(watched: Watched, runs: Runs) -> None:
    """A click at either end of the track moves to the first or the last grid target."""
    slider = watched.page.locator("#target-slider")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    points = runs.frontier["points"]
    watched.page.mouse.click(box["x"] + box["width"] - 2, y)
    assert watched.page.text_content("#target-value") == f"{points[-1]['target']:.2%}"
    assert "sell 80 units" in watched.page.text_content("#point-plan")
    watched.page.mouse.click(box["x"] + 2, y)
    assert watched.page.text_content("#target-value") == f"{points[0]['target']:.2%}"
    assert watched.rows("point-plan") == [[STRINGS["plan_none"]]]


def test_markup_in_labels_appears_as_text_and_never_runs(browser: Any, hostile_runs: Runs,
                                                          tmp_path: Path) -> None:
    watched = Watched(browser, hostile_runs.page(), tmp_path)
    try:
        for index in range(len(hostile_runs.frontier["points"])):
            watched.slider_to(index)
        page = watched.page
        assert watched.dialogs == []
        assert page.evaluate("document.querySelectorAll('img, b').length") == 0
        assert page.evaluate("document.scripts.length") == 2
        assert page.text_content("h1") == HOSTILE["name"] + ": board pack"
        text = page.inner_text("body")
        for value in HOSTILE.values():
            assert value in text
        plan = page.text_content("#point-plan")
        assert HOSTILE["lever"] in plan  # written by the slider's script, as text
        assert watched.console == [] and watched.errors == [] and watched.others() == []
    finally:
        watched.close()


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, from the PDF's page objects."""
    sizes = []
    for page in re.finditer(rb"/Type /Page\b", pdf):
        box = re.compile(rb"/MediaBox \[([^\]]*)\]").search(pdf, page.end())
        assert box is not None
        x0, y0, x1, y1 = (float(v) for v in box.group(1).split())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


def test_screenshot_and_a4_print(watched: Watched, runs: Runs, tmp_path: Path) -> None:
    """A screenshot is written; the print has a page per section, A4, the case's own plan
    instead of the slider."""
    shot = tmp_path / "board-pack.png"
    watched.page.screenshot(path=str(shot), full_page=True)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 1000 and height > 3000

    page = watched.page
    page.emulate_media(media="print")
    assert not page.is_visible("#target-slider") and not page.is_visible("#point-plan")
    own = page.locator(".print-only table.plan")
    assert own.is_visible()
    rows = own.evaluate("t => Array.from(t.tBodies[0].rows).map(r => r.cells[0].textContent)")
    used = [lv["id"] for lv in runs.result["levers"] if lv["value"]]
    assert rows == [runs.case.lever(i).name for i in used]
    breaks = page.eval_on_selector_all(
        "main > section", "s => s.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["auto", "page", "page", "page"]

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = pdf_pages(pdf)
    assert len(sizes) >= len(breaks)
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes), sizes
    assert watched.console == [] and watched.errors == [] and watched.others() == []


if __name__ == "__main__":
    # The README's screenshot: the board pack of the bundled case, down to the end of
    # its first section (the plan).
    import tempfile

    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from cli.main import main

    # The page as the README makes it: optimize CASE --frontier --format html -o FILE.
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "board-pack.png")
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "board.html"
        made = CliRunner().invoke(main, [str(CASE_FILE), "--frontier", "--points", "21",
                                         "--format", "html", "-o", str(page_file), "-q"])
        if made.exit_code != 0:
            raise SystemExit(f"optimize failed: {made.stderr}")
        html = page_file.read_text(encoding="utf-8")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shot_page = chromium.new_page(viewport={"width": 1000, "height": 1300})
        shot_page.set_content(html, wait_until="load")
        plan = shot_page.locator("#plan").bounding_box()
        shot_page.screenshot(path=str(target), full_page=True,
                             clip={"x": 0, "y": 0, "width": 1000,
                                   "height": plan["y"] + plan["height"]})
        chromium.close()
    print(f"wrote {target}")

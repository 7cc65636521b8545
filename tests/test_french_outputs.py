"""`--lang fr` on the outputs that issue 12 left in English: the board pack (in a real
headless Chromium), the report workbook, the region report and the case template workbook.

How "nothing left in English" is checked: every message a module marks for the catalog
(read from its source with Babel's extractor, as `python -m tests.catalog` does) is cut at
its placeholders into English phrases; a phrase whose French translation differs must not
appear in the French output (the case's own texts, field names and codes blanked first).
A message left untranslated (or an empty msgstr) therefore fails the test with the phrase
named; `test_the_check_finds_a_message_left_in_english` shows it does, on a catalog with one
message taken out. Figures must be French (`1 500,0 k€`, `60,0 %`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("babel")
pytest.importorskip("jinja2")
openpyxl = pytest.importorskip("openpyxl")

from babel.messages.extract import extract_from_file

import optimizer
from cli.main import main
from optimizer import i18n
from optimizer.report.html import render_board_pack

from . import catalog
from .test_board_pack import Watched, browser  # noqa: F401
from .test_french import ENGLISH, FRENCH_KEUR, FRENCH_PERCENT, case_texts

ROOT = Path(__file__).resolve().parent.parent
NNBSP = "\u202f"
SMALL_SOURCE = "cases/out-of-reach.json"
THREE = ROOT / "tests" / "data" / "region" / "three.json"
# A French figure in a cell: '1 500,0', '-22,7', '+36,0'.
FRENCH_CELL = re.compile(rf"^[+-]?\d{{1,3}}(?:{NNBSP}\d{{3}})*,\d$")
# Field paths and other codes (target.min_result, solver_options.gap_rel, grant_cut).
CODES = re.compile(r"\b[A-Za-z]\w*(?:[._]\w+)+\b")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


# -- the check ------------------------------------------------------------------------


def messages_of(*sources: str) -> list[str]:
    """The messages a source file marks for the catalog (singulars and plurals)."""
    out: list[str] = []
    for source in sources:
        for _line, message, _comments, _context in extract_from_file(
                "python", ROOT / source, keywords=catalog.KEYWORDS):
            out += [message] if isinstance(message, str) else [m for m in message if m]
    return out


def english_phrases(messages: Iterable[str]) -> list[str]:
    """The English phrases of the messages whose French differs: each message cut at its
    placeholders, pieces of 4 letters or more that its French does not hold."""
    french = i18n.catalog("fr")
    out: set[str] = set()
    for message in messages:
        translated = french.gettext(message)
        for piece in re.split(r"\{[^}]*\}", message):
            piece = piece.strip(" :;,.()-\u201c\u201d'\"!")
            if sum(c.isalpha() for c in piece) >= 4 and piece not in translated:
                out.add(piece)
    return sorted(out, key=len, reverse=True)


def blank(text: str, own: Iterable[str] = ()) -> str:
    """The text without the case's own texts and without codes (field paths, ids)."""
    for t in sorted(own, key=len, reverse=True):
        if t:
            text = text.replace(t, "#")
    return CODES.sub("#", text)


def english_in(text: str, phrases: Iterable[str], own: Iterable[str] = ()) -> list[str]:
    """The phrases found in the text (as whole words), the case's texts blanked."""
    text = blank(text, own)
    return [p for p in phrases
            if re.search(rf"(?<![\w.]){re.escape(p)}(?![\w.])", text)]


def test_the_check_finds_a_message_left_in_english(monkeypatch):
    """The check can fail: with one message of the board pack missing from the French
    catalog, the page shows it in English and the check names it."""
    phrases = english_phrases(messages_of("optimizer/report/html.py"))
    assert "The budget, before and after the plan" in phrases
    real = i18n.catalog("fr")

    class Missing:
        def gettext(self, message: str) -> str:
            if message == "The budget, before and after the plan":
                return message
            return real.gettext(message)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(i18n, "catalog", lambda lang: Missing())
    with i18n.language("fr"):
        case = optimizer.load_case(small_case_data())
        page = render_board_pack(optimizer.solve(case).to_dict(), case=case.model_dump())
    assert english_in(page_text(page), phrases, case_texts(SMALL_SOURCE)) == [
        "The budget, before and after the plan"]


# -- the board pack ---------------------------------------------------------------------


def small_case_data() -> dict[str, Any]:
    """out-of-reach.json with three of its levers and a target it reaches (45 %)."""
    case = json.loads((ROOT / SMALL_SOURCE).read_text(encoding="utf-8"))
    case["levers"] = [lv for lv in case["levers"]
                      if lv["id"] in ("less-region", "training", "cut-overheads")]
    case["target"]["private_share"] = 0.45
    return case


def board_pack(lang: str) -> str:
    """The page of one plan with a 400-year simulation and a 5-point frontier (the budget
    at each grid target), every run made in `lang`."""
    with i18n.language(lang):
        case = optimizer.load_case(small_case_data())
        solved = optimizer.solve(case)
        simulated = solved.with_simulation(optimizer.simulate(solved, 400, 1))
        frontier = json.loads(json.dumps(optimizer.frontier(case, points=5).to_dict()))
        budgets = {}
        for point in frontier["points"]:
            if point["risk"] is not None:
                ev = optimizer.evaluate(case, point["levers"])
                budgets[point["target"]] = {"revenues": dict(ev.revenues),
                                            "expenditures": dict(ev.expenditures)}
        return render_board_pack(json.loads(json.dumps(simulated.to_dict())),
                                 frontier=frontier, budgets=budgets,
                                 case=case.model_dump(mode="json"))


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {lang: board_pack(lang) for lang in ("en", "fr")}


def strings_of(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings_of(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings_of(v)]
    return []


def page_text(page: str) -> str:
    """What a reader can see of the page: its text and attributes, and the texts the
    slider shows (the embedded data); not the page's own style and script."""
    data = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', page,
                     re.DOTALL)
    texts = strings_of(json.loads(data.group(1))) if data else []
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    attributes = re.findall(r'(?:aria-label|aria-valuetext|data-empty|title)="([^"]*)"', body)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape("\n".join([body, *attributes, *texts]))


def test_the_board_pack_has_no_english_left(pages):
    phrases = english_phrases(messages_of("optimizer/report/html.py"))
    own = case_texts(SMALL_SOURCE)
    english, french = page_text(pages["en"]), page_text(pages["fr"])
    shown = [p for p in phrases if p in english]
    assert len(shown) > 40, shown  # the English page holds the phrases checked
    assert english_in(french, shown, own) == []
    assert english_in(french, ENGLISH, own) == []
    assert '<html lang="fr">' in pages["fr"] and '<html lang="en">' in pages["en"]
    assert FRENCH_PERCENT.search(french) and "k€" in french
    assert not re.search(r"\d\.\d%|\d,\d{3}\.\d", blank(french, own))  # no English figure


def test_the_french_board_pack_in_a_browser(browser, pages, tmp_path):  # noqa: F811
    """Loads with no request and no console message; the slider shows French words and
    figures at every grid target; no English phrase of the English page is on screen."""
    data = json.loads(re.search(r'id="board-data">(.*?)</script>', pages["fr"], re.DOTALL).group(1))
    page = Watched(browser, pages["fr"], tmp_path, "dossier.html")
    try:
        assert page.page.evaluate("document.documentElement.lang") == "fr"
        assert page.page.title().endswith("dossier du conseil")
        phrases = english_phrases(messages_of("optimizer/report/html.py"))
        own = case_texts(SMALL_SOURCE)
        for index, point in enumerate(data["points"]):
            page.slider_to(index)
            target = page.page.text_content("#target-value")
            assert re.fullmatch(rf"\d\d,\d\d{NNBSP}%", target), target
            assert abs(float(target[:-2].replace(",", ".")) / 100 - point["target"]) < 5e-5
            head = page.page.text_content("#point-head")
            assert head.startswith(f"Pour un objectif de {target}"), head
            assert re.search(rf"\d,\d{NNBSP}k€\.$", head), head
            for row in page.rows("point-plan"):
                if len(row) == 3:
                    assert FRENCH_CELL.match(row[2]), row
                    assert re.search(r"^(réduire|demander|vendre) ", row[1]), row
            budget = page.rows("point-budget")
            figures = [c for row in budget for c in row[1:] if c not in ("", "-")]
            assert figures and all(FRENCH_CELL.match(c) or c.endswith(f"{NNBSP}%")
                                   for c in figures), figures
            screen = page.page.evaluate("document.body.innerText")
            assert english_in(screen, phrases, own) == [], index
        assert page.others() == [] and page.console == [] and page.errors == []
    finally:
        page.close()


# -- the report workbook ------------------------------------------------------------------


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("french-outputs") / "small.json"
    path.write_text(json.dumps(small_case_data()), encoding="utf-8")
    return str(path)


def cells(path: Path) -> dict[tuple[int, str], Any]:
    """(sheet index, coordinate) -> the cell, for every cell with a value."""
    book = openpyxl.load_workbook(path)
    return {(i, c.coordinate): c for i, ws in enumerate(book.worksheets)
            for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.mark.parametrize("args", [[], ["--frontier", "--points", "3"],
                                  ["--tornado", "20%"]], ids=["plan", "frontier", "tornado"])
def test_the_report_workbook_reads_in_french(small_file, tmp_path, args):
    """Sheet titles, headers, the plan in words and notes in French; every number of the
    English workbook is the same number, with the same Excel format, in the French one."""
    books = {}
    for lang in ("en", "fr"):
        path = tmp_path / f"{lang}.xlsx"
        workers = ["--workers", "1"] if args else []
        out = run(small_file, "--lang", lang, "-q", *workers, "--format", "xlsx",
                  "-o", str(path), *args)
        assert out.exit_code == 0, out.stderr
        books[lang] = path
    en, fr = cells(books["en"]), cells(books["fr"])
    assert en.keys() == fr.keys()
    texts = []
    for key, cell in en.items():
        other = fr[key]
        if isinstance(cell.value, str):
            assert isinstance(other.value, str), key
            texts.append(other.value)
        else:  # a number (or TRUE/FALSE) stays the same value of the same type and format
            assert other.value == cell.value and type(other.value) is type(cell.value), key
            assert other.data_type == cell.data_type and cell.data_type in ("n", "b"), key
            assert other.number_format == cell.number_format, key
    titles = {lang: openpyxl.load_workbook(p).sheetnames for lang, p in books.items()}
    assert len(titles["fr"]) == len(titles["en"])
    texts += titles["fr"]
    french = "\n".join(texts)
    # The audit trail's keys (case_source, solver, python) are the JSON's: code.
    audit = [row for (sheet, coord), c in en.items() if sheet == 0 and c.value == "Audit trail"
             for row in [int(coord[1:])]]
    own = case_texts(SMALL_SOURCE) + [
        c.value for (sheet, coord), c in en.items()
        if audit and sheet == 0 and coord[0] == "A" and int(coord[1:]) > audit[0]]
    # A tornado's inputs (members, levers.training.price) are field paths: code too.
    if "Tornado" in titles["en"]:
        tornado = titles["en"].index("Tornado")
        own += [c.value for (sheet, coord), c in en.items()
                if sheet == tornado and coord[0] == "B" and coord != "B1"]
    phrases = english_phrases(messages_of("optimizer/report/workbook.py"))
    english = "\n".join([v.value for v in en.values() if isinstance(v.value, str)]
                        + titles["en"])
    assert len([p for p in phrases if p in english]) > 15
    assert english_in(french, phrases, own) == []
    if not args:
        assert titles["fr"][:4] == ["Plan", "Leviers", "Budget", "Indicateurs"]
        assert "Le plan en mots" in texts and "écart de recettes (k€)" in texts
        assert FRENCH_PERCENT.search(french) and FRENCH_KEUR.search(french)


# -- the region report --------------------------------------------------------------------


def region_texts() -> list[str]:
    raw = json.loads(THREE.read_text(encoding="utf-8"))
    out = [raw["name"]] + [e["label"] for e in raw["envelopes"]]
    for c in raw["clusters"]:
        out += case_texts(str((THREE.parent / c["case"]).resolve().relative_to(ROOT)))
    return out


@pytest.fixture(scope="module")
def region_reports() -> dict[tuple[str, str], str]:
    out = {}
    for lang in ("en", "fr"):
        for fmt in ("table", "markdown", "csv"):
            result = CliRunner().invoke(main, [str(THREE), "--lang", lang, "--format", fmt])
            assert result.exit_code == 0, result.stderr
            out[lang, fmt] = result.stdout
    return out


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_region_report_reads_in_french(region_reports, fmt):
    phrases = english_phrases(messages_of("optimizer/report/region.py",
                                          "optimizer/report/region_words.py"))
    english, french = region_reports["en", fmt], region_reports["fr", fmt]
    shown = [p for p in phrases if p in english]
    assert len(shown) > 20, shown
    own = region_texts()
    assert english_in(french, shown, own) == []
    assert english_in(french, ENGLISH, own) == []
    assert french.startswith("## Région" if fmt == "markdown" else "Région")
    assert FRENCH_PERCENT.search(french) and "k€" in french
    assert re.search(rf"\d{NNBSP}\d{{3}},\d{NNBSP}k", french)  # "1 411,7 k" in the table
    assert not re.search(r"\d\.\d%|\d,\d{3}\.\d|k EUR", blank(french, own))


def test_the_region_csv_keeps_its_codes(region_reports):
    """CSV is for programs: the same in both languages."""
    assert region_reports["en", "csv"] == region_reports["fr", "csv"]


# -- the case template workbook ---------------------------------------------------------


def test_the_french_template_has_a_french_help_sheet_and_still_reads(tmp_path):
    paths = {lang: tmp_path / f"template-{lang}.xlsx" for lang in ("en", "fr")}
    for lang, path in paths.items():
        out = run("--lang", lang, "--template", str(path))
        assert out.exit_code == 0, out.stderr
    en, fr = (openpyxl.load_workbook(paths[lang]) for lang in ("en", "fr"))
    assert en.sheetnames == fr.sheetnames  # sheet names are read back: code
    helps = []
    for name in en.sheetnames[1:]:  # so are column names and the data; the help column of a
        rows = {lang: [[c.value for c in r] for r in book[name].iter_rows()]  # key sheet is
                for lang, book in (("en", en), ("fr", fr))}                   # not read
        keep = [i for i, h in enumerate(rows["en"][0]) if h != "help"]
        assert [[r[i] for i in keep] for r in rows["en"]] == [[r[i] for i in keep]
                                                              for r in rows["fr"]], name
        helps += [str(r[i]) for r in rows["fr"][1:] for i in range(len(r))
                  if i not in keep and r[i]]
    # The Help sheet: its intro, the headers, meanings, units and defaults in French; the
    # sheet and field names of columns A and B are code.
    words = "\n".join(str(c.value) for r in fr["Help"].iter_rows() for c in r
                      if c.value is not None and (c.column > 2 or c.row < 11)) + "\n".join(helps)
    phrases = english_phrases(messages_of("optimizer/case/workbook.py"))
    english = "\n".join(str(c.value) for r in en["Help"].iter_rows() for c in r if c.value)
    assert len([p for p in phrases if p in english]) > 60
    assert english_in(words, phrases) == []
    assert fr["Help"]["A1"].value == "Comment remplir ce classeur"
    # a French template reads as the JSON case does, in either language
    plans = [json.loads(run(str(paths["fr"]), "--lang", lang, "--format", "json").stdout)
             for lang in ("en", "fr")]
    from_json = json.loads(run("cases/aura-average-2020.json", "--format", "json").stdout)
    assert plans[0]["risk"] == plans[1]["risk"] == from_json["risk"]


def test_bad_cells_are_named_in_french(tmp_path):
    """`Levers!F7 (max_fraction): ...` in French: the cell and the field as they are, the
    message in French; a formula and merged cells too."""
    path = tmp_path / "modele.xlsx"
    assert run("--lang", "fr", "--template", str(path)).exit_code == 0
    book = openpyxl.load_workbook(path)
    ws = book["Levers"]
    header = [c.value for c in ws[1]]
    column = header.index("max_fraction") + 1
    ws.cell(row=2, column=column).value = 1.5
    book.save(path)
    letter = openpyxl.utils.get_column_letter(column)
    out = run(str(path), "--lang", "fr")
    assert out.exit_code == 2 and out.stdout == ""
    assert f"Levers!{letter}2 (max_fraction){NNBSP}: doit être entre 0 et 1, reçu 1.5" \
        in out.stderr, out.stderr
    english = run(str(path))
    assert f"Levers!{letter}2 (max_fraction): must be between 0 and 1, got 1.5" \
        in english.stderr
    book = openpyxl.load_workbook(path)
    book["Levers"].cell(row=3, column=header.index("label") + 1).value = "=1+1"
    book.save(path)
    formula = run(str(path), "--lang", "fr")
    assert f"Levers!C3 (label){NNBSP}: une formule" in formula.stderr, formula.stderr
    phrases = english_phrases(messages_of("optimizer/case/workbook.py"))
    assert english_in(out.stderr + formula.stderr, phrases + list(ENGLISH)) == []
    book = openpyxl.load_workbook(path)
    book["Levers"].merge_cells("A30:B30")
    book["Levers"]["A30"] = "x"
    book.save(path)
    merged = run(str(path), "--lang", "fr")
    assert f"Levers!A30:B30{NNBSP}: cellules fusionnées" in merged.stderr, merged.stderr


# -- messages of the files a run writes ---------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["-o", "/nonexistent-folder/report.txt"],
     (f"--output /nonexistent-folder/report.txt{NNBSP}: le dossier /nonexistent-folder "
      "n'existe pas")),
    (["--plot", "plan.png"], f"--plot{NNBSP}: rien à dessiner{NNBSP}; ajoutez --simulate N"),
])
def test_output_and_plot_errors_are_in_french(args, words, tmp_path):
    out = run("cases/aura-average-2020.json", "--lang", "fr", *args)
    assert out.exit_code == 2 and words in out.stderr, out.stderr
    english = run("cases/aura-average-2020.json", *args)
    assert english.exit_code == 2 and "erreur" not in english.stderr

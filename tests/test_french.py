"""`--lang fr` (issue 12, French): every human-facing text in French, French number
formats, English untouched; the catalog complete and compiled.

How "no English left" is checked: the case's own texts (names, labels, units, notes) are
used as written (the bundled cases are in English), so they are blanked out of the output
first; what remains must hold none of ENGLISH, and must show French figures.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("babel")

from cli.main import main  # noqa: E402
from optimizer import fmt, i18n  # noqa: E402

from . import catalog  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "cases").glob("*.json"))
AURA = "cases/aura-average-2020.json"
NNBSP = "\u202f"
# Words and phrases of the English reports that a French report must not show.
ENGLISH = (" the ", "The ", "Raise", "Recruit", "Sell ", "members", "EUR at risk", " at risk",
           "Private share", "Budget before", "Indicators", "Warnings", "Lever ", "Levers ",
           " k EUR", "error:", "must be", "required", "Outlook", "Audit:", "spending",
           "lever '", "at its maximum", "reachable", "with probability", "scenarios")
FRENCH_PERCENT = re.compile(rf"\d+(,\d+)?{NNBSP}%")
FRENCH_KEUR = re.compile(rf"\d+,\d{NNBSP}k")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def case_texts(path: str) -> list[str]:
    """The texts a case carries (names, labels, units, notes, ids), longest first."""
    out: set[str] = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("name", "label", "unit", "unit_plural", "notes",
                                               "id", "revenue", "expenditure", "cost_line"):
            out.add(node)

    walk(json.loads((ROOT / path).read_text(encoding="utf-8")))
    return sorted(out, key=len, reverse=True)


def english_left(text: str, path: str | None = None) -> list[str]:
    """The English words of ENGLISH still in `text`, the case's own texts blanked out."""
    for own in case_texts(path) if path else ():
        text = text.replace(own, "#")
    # The audit line names the case's file and the solver in their own words.
    text = re.sub(r"(?m)^Traçabilité.*$", "", text)
    # Case fields named for the user to set (target.max_members_lost) are code, not English.
    text = re.sub(r"\b(?:target|staff|uncertainty|horizon|levers)\.[a-z_.0-9]+", "#", text)
    return [w for w in ENGLISH if w in text]


def assert_french(text: str, path: str | None = None) -> None:
    assert not english_left(text, path), (english_left(text, path), text)
    assert FRENCH_PERCENT.search(text), text
    assert FRENCH_KEUR.search(text) or "k€" in text, text


# -- the catalog ---------------------------------------------------------------------


def test_every_message_of_the_code_is_in_the_catalog_translated_and_compiled():
    """tests/catalog.py: the .po holds every msgid the code marks, none is left empty, and
    the committed .mo is the compile of the .po (`python -m tests.catalog --update`)."""
    assert catalog.check() == []


def test_the_check_fails_on_an_untranslated_message(tmp_path, monkeypatch):
    """The catalog check can fail: a .po with one msgstr emptied is reported."""
    po = catalog.read(catalog.po_path("fr"))
    first = next(m for m in po if m.id and isinstance(m.id, str))
    first.string = ""
    assert catalog.untranslated(po) == [first.id]


def test_messages_pot_is_the_extract_of_the_code():
    """messages.pot lists the messages of the code (header dates aside)."""
    pot = catalog.read(catalog.POT)
    assert catalog.msgids(pot) == catalog.msgids(catalog.extract())


# -- numbers -------------------------------------------------------------------------


def test_number_formats_follow_the_language():
    assert fmt.keur(1_500_000) == "1,500.0 k" and fmt.pct(0.6) == "60.0%"
    with i18n.language("fr"):
        assert fmt.keur(1_500_000) == f"1{NNBSP}500,0{NNBSP}k"
        assert fmt.keur(-270_450, sign=True) == f"-270,5{NNBSP}k"
        assert fmt.keur(12_300, sign=True) == f"+12,3{NNBSP}k"
        assert fmt.money(1_500_000, "EUR") == f"1{NNBSP}500,0{NNBSP}k€"
        assert fmt.pct(0.6) == f"60,0{NNBSP}%"
        assert fmt.pct_short(0.6) == f"60{NNBSP}%" and fmt.pct_short(0.542) == f"54,2{NNBSP}%"
        assert fmt.count(1500) == f"1{NNBSP}500"
    assert fmt.keur(1_500_000) == "1,500.0 k"  # the block restored English


def test_the_language_is_per_block_and_checked():
    assert i18n.current() == "en"
    with i18n.language("FR"):
        assert i18n.current() == "fr"
        with i18n.language("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "fr"
    assert i18n.current() == "en"
    with pytest.raises(i18n.CaseError, match="choose one of en, fr"):
        i18n.check_language("de")


# -- reports through the CLI -----------------------------------------------------------


@pytest.mark.parametrize("path", CASES)
def test_every_bundled_case_reads_in_french(path):
    """The table of every bundled case: no English left but the case's own labels."""
    out = run(path, "--lang", "fr")
    assert out.exit_code in (0, 3), out.stderr
    assert_french(out.stdout, path)


def test_markdown_and_json_follow_the_language():
    md = run(AURA, "--lang", "fr", "--format", "markdown")
    assert md.exit_code == 0
    assert "## Budget avant et après" in md.stdout
    assert_french(md.stdout, AURA)
    en = json.loads(run(AURA, "--format", "json").stdout)
    fr = json.loads(run(AURA, "--lang", "fr", "--format", "json").stdout)
    # json keeps its keys and figures; its texts (summary, warnings, binding) follow --lang
    assert fr.keys() == en.keys()
    assert fr["risk"] == en["risk"]
    assert [{k: v for k, v in lv.items() if k != "action"} for lv in fr["levers"]] == [
        {k: v for k, v in lv.items() if k != "action"} for lv in en["levers"]]
    actions = [lv["action"] for lv in fr["levers"] if lv["action"]]
    assert actions and actions != [lv["action"] for lv in en["levers"] if lv["action"]]
    assert_french("\n".join(actions), AURA)
    assert fr["summary"] != en["summary"] and len(fr["summary"]) == len(en["summary"])
    assert_french("\n".join(fr["summary"] + fr["binding"] + fr["warnings"]), AURA)


def test_english_stays_the_default():
    assert run(AURA).stdout == run(AURA, "--lang", "en").stdout
    assert "Budget before and after" in run(AURA).stdout


def test_an_infeasible_case_is_diagnosed_in_french():
    out = run("cases/out-of-reach.json", "--lang", "fr")
    assert out.exit_code == 3
    assert "Aucun plan n'atteint une part privée de 50" in out.stdout
    assert f"48,53{NNBSP}%" in out.stdout
    assert "L'objectif devient atteignable si" in out.stdout
    assert_french(out.stdout, "cases/out-of-reach.json")


def test_a_case_may_carry_its_own_french_labels(tmp_path):
    case = json.loads((ROOT / AURA).read_text(encoding="utf-8"))
    case["name"] = "Pôle moyen AURA"
    for line in case["revenues"]:
        if line["id"] == "services":
            line["label"] = "Prestations"
    path = tmp_path / "pole.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out = run(str(path), "--lang", "fr")
    assert out.exit_code == 0, out.stderr
    assert out.stdout.startswith("Pôle moyen AURA")
    assert "Prestations" in out.stdout


@pytest.fixture(scope="module")
def small_case(tmp_path_factory) -> str:
    """out-of-reach.json with three of its levers and a target it reaches (45 %): a
    frontier or a tornado of it takes seconds (those of the AURA case, minutes)."""
    case = json.loads((ROOT / "cases/out-of-reach.json").read_text(encoding="utf-8"))
    case["levers"] = [lv for lv in case["levers"]
                      if lv["id"] in ("less-region", "training", "cut-overheads")]
    case["target"]["private_share"] = 0.45
    path = tmp_path_factory.mktemp("french") / "small.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("args, heading", [
    (["--sweep", "target.private_share=0.42,0.45,0.47", "--sweep", "members=130,140"],
     "Balayage de"),
    (["--frontier", "--points", "3"], "Frontière de"),
    (["--tornado", "20%"], "Tornade de"),
])
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_sensitivity_runs_read_in_french(small_case, args, heading, fmt):
    out = run(small_case, "--lang", "fr", "-q", "--workers", "1", "--format", fmt, *args)
    assert out.exit_code == 0, out.stderr
    assert heading in out.stdout
    assert_french(out.stdout, small_case)


def test_sensitivity_json_keeps_its_codes(small_case):
    """A frontier's JSON keeps its keys and event codes; its texts follow --lang."""
    args = ["-q", "--workers", "1", "--frontier", "--points", "3", "--format", "json"]
    en = json.loads(run(small_case, *args).stdout)
    fr = json.loads(run(small_case, "--lang", "fr", *args).stdout)
    assert [e["event"] for e in fr["events"]] == [e["event"] for e in en["events"]]
    assert fr["points"] == en["points"]
    assert_french("\n".join(fr["summary"]), small_case)


def test_a_simulation_reads_in_french():
    path = "cases/aura-average-2020-uncertain.json"
    out = run(path, "--lang", "fr", "--simulate", "300")
    assert out.exit_code == 0, out.stderr
    assert "Deux plans côte à côte" in out.stdout and "300 scénarios" in out.stdout
    assert_french(out.stdout, path)


def test_a_french_plot_is_drawn(tmp_path, small_case):
    """Plot labels follow --lang (the picture itself was looked at, see the README)."""
    pytest.importorskip("matplotlib")
    svg = tmp_path / "frontier.svg"
    out = run(small_case, "--lang", "fr", "-q", "--workers", "1", "--frontier", "--points", "3",
              "--plot", str(svg))
    assert out.exit_code == 0, out.stderr
    text = svg.read_text(encoding="utf-8")
    # matplotlib writes text as glyph paths with the text in comments
    assert "Part privée visée" in text or "Part priv" in text


# -- errors and warnings -------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["--set", "target.private_share=1.5"], "doit être au-dessus de 0 et en dessous de 1"),
    (["--set", "levers.nope.price=3"], "erreur"),
    (["--set", "members=abc"], "doit être un nombre entier"),
])
def test_errors_are_in_french(args, words):
    out = run(AURA, "--lang", "fr", *args)
    assert out.exit_code == 2
    assert words in out.stderr, out.stderr
    # the field path (`members`) is the case's own word
    assert not english_left(out.stderr.replace("members", "#")), out.stderr


def test_an_unknown_field_is_named_in_french():
    bad = '{"name": "x", "members": 1, "revenues": [], "expenditures": [], "levers": [], ' \
          '"target": {"private_share": 0.6}, "foo": 1}'
    out = run("-", "--lang", "fr", input=bad)
    assert out.exit_code == 2
    assert f"foo{NNBSP}: champ inconnu" in out.stderr
    assert "doit contenir au moins 1 élément" in out.stderr


def test_warnings_are_in_french():
    out = run(AURA, "--lang", "fr", "--format", "json", "--set", "staff.spare_fte=99")
    warnings = json.loads(out.stdout)["warnings"]
    assert any("ETP disponibles, c'est plus que toute l'équipe" in w for w in warnings), warnings


def test_french_without_babel_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "babel.numbers", None)  # import fails
    out = run(AURA, "--lang", "fr")
    assert out.exit_code == 2
    assert out.stderr.strip().count("\n") == 0
    assert "cluster-optimizer[fr]" in out.stderr
    assert out.stdout == ""


def test_an_unknown_language_is_a_usage_error():
    out = run(AURA, "--lang", "de")
    assert out.exit_code == 2 and "--lang de" in out.stderr


# -- the library -----------------------------------------------------------------------


def test_the_library_takes_lang_and_a_block():
    import optimizer

    case = optimizer.load_case(AURA)
    with optimizer.language("fr"):
        result = optimizer.solve(case)
    # Texts written while solving (binding constraints, warnings) are French; the report
    # is written in the language asked when it is drawn.
    assert_french(result.report(lang="fr"), AURA)
    assert "Budget before and after" in result.report()
    assert "Budget avant et après" in result.report("markdown", lang="fr")
    assert i18n.current() == "en"


# -- the path over several years (issue 11) ------------------------------------------

PATH_CASE = "cases/aura-average-2024-2027.json"


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_the_four_year_path_reads_in_french(fmt):
    """The path's summary, outlook, advice, tables and per-year actions: French words and
    figures, amounts with their currency (k€)."""
    out = run(PATH_CASE, "--lang", "fr", "--format", fmt)
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    if fmt == "json":
        data = json.loads(text)
        assert data["status"] == "optimal" and data["years"][0]["year"] == 2024  # codes kept
        text = "\n".join(data["summary"] + data["path"] + [data["outlook"]["advice"] or ""]
                         + [s for y in data["years"] for s in y["summary"]])
    else:
        assert "## La trajectoire, levier par levier" in text and "## Année par année" in text
        assert f"à risque{NNBSP}: " in text
    assert "la trajectoire la moins risquée met" in text and f"k€ à risque sur les 4 années" in text
    assert " en 2024" in text
    assert_french(text, PATH_CASE)


def test_a_simulated_path_reads_in_french():
    out = run(PATH_CASE, "--lang", "fr", "--simulate", "200")
    assert out.exit_code == 0, out.stderr
    assert "La même trajectoire dans 200 tirages des années (graine 1)" in out.stdout
    assert f"part 5{NNBSP}%-95{NNBSP}%" in out.stdout
    assert_french(out.stdout, PATH_CASE)


def test_a_path_out_of_reach_is_diagnosed_in_french():
    out = run(PATH_CASE, "--lang", "fr", "--set", "horizon.targets=[0.52,0.9,0.9,0.9]")
    assert out.exit_code == 3, out.stdout + out.stderr
    assert "Aucune trajectoire n'atteint l'objectif de chaque année (2024-2027)" in out.stdout
    assert "La première année hors d'atteinte est 2025" in out.stdout
    assert not english_left(out.stdout, PATH_CASE), out.stdout  # no amounts to show here


def test_a_path_sweep_reads_in_french():
    out = run(PATH_CASE, "--lang", "fr", "--sweep", "horizon.targets.3=0.58,0.6")
    assert out.exit_code == 0, out.stderr
    assert "la trajectoire (2024-2027) à chaque valeur de horizon.targets.3" in out.stdout
    assert "leviers utilisés" in out.stdout and f"58,0{NNBSP}%" in out.stdout
    assert_french(out.stdout, PATH_CASE)


@pytest.mark.parametrize("args, words", [
    (["--set", "horizon.targets=[0.52,0.55]"], "un objectif par année (4 années), reçu 2"),
    (["--sweep", "horizon.targets.3=0.58", "--sweep", "target.min_result=0"],
     "un seul chemin --sweep à la fois"),
])
def test_path_errors_are_in_french(args, words):
    out = run(PATH_CASE, "--lang", "fr", *args)
    assert out.exit_code == 2
    assert words in out.stderr, out.stderr


def test_a_french_path_plot_has_french_words_and_decimals():
    """Labels follow the language, and the numbers on the axes take French decimals
    (52,5 not 52.5); English keeps matplotlib's own ticks. The picture was looked at."""
    pytest.importorskip("matplotlib")
    from optimizer.analyses.horizon import solve_horizon
    from optimizer.case.load import load_case
    from optimizer.report import plots
    from optimizer.report.horizon_plots import horizon_figure

    result = solve_horizon(load_case(ROOT / PATH_CASE))

    def labels(lang):
        with i18n.language(lang):
            fig = horizon_figure(result)
            if lang != "en":
                plots._local_ticks(fig)
            fig.canvas.draw()
            ax = fig.axes[0]
            return (ax.get_ylabel(), [t.get_text() for t in ax.get_yticklabels()],
                    [t.get_text() for t in ax.get_legend().get_texts()])

    en_label, en_ticks, en_legend = labels("en")
    fr_label, fr_ticks, fr_legend = labels("fr")
    assert en_label == "private share of revenues (%)" and "target" in en_legend
    assert fr_label == "part privée des recettes (%)" and "objectif" in fr_legend
    assert any("." in t for t in en_ticks) and not any("," in t for t in en_ticks)
    assert any("," in t for t in fr_ticks) and not any("." in t for t in fr_ticks)
    assert ([float(t.replace(",", ".")) for t in fr_ticks]
            == [float(t.replace("\u2212", "-")) for t in en_ticks])  # the same ticks


# -- what the first part left: validators, --sweep arguments, nested names ----------------


@pytest.mark.parametrize("args, words", [
    (["--set", "target.max_result=-5", "--set", "target.min_result=0"],
     f"target{NNBSP}: max_result (-5) ne doit pas être inférieur à min_result (0)"),
    (["--sweep", "target.private_share=0.6:0.5:0.01"],
     "STOP (0.5) est inférieur à START (0.6)"),
    (["--sweep", "target.private_share=0.5:0.6"], "une plage s'écrit START:STOP:STEP"),
    (["--sweep", "target.nope=1,2"], "aucun champ 'nope' dans target"),
    (["--sweep", "target.private_share=1.5"], "doit être entre 0 et 1 (exclus)"),
])
def test_validator_and_sweep_errors_are_in_french(args, words):
    out = run(AURA, "--lang", "fr", *args)
    assert out.exit_code == 2
    assert words in out.stderr, out.stderr
    # the field names a hint lists are the case's own (code), not words
    assert not english_left(out.stderr.split("valeurs possibles")[0]), out.stderr
    english = run(AURA, *args)  # the same error stays English by default
    assert english.exit_code == 2 and "erreur" not in english.stderr


def test_nested_input_names_are_in_french():
    """A tornado's nested inputs (a service's volume elasticity, a custom lever's setup
    risk) are named in the language, as the top-level fields are."""
    from optimizer.case.load import load_case
    from optimizer.results.names import input_name

    case = load_case(ROOT / AURA)
    service = next(lever for lever in case.levers if lever.type == "service")
    path = f"levers.{service.id}.volume_elasticity"
    assert input_name(case, path).endswith("volume elasticity")
    with i18n.language("fr"):
        assert input_name(case, path).endswith("élasticité du volume")
        assert input_name(case, f"levers.{service.id}.setup.risk").endswith(
            "lancement risque")


def test_plan_parts_are_separated_the_french_way():
    """Between the parts of a plan: '; ' in English, a narrow no-break space before the
    semicolon in French."""
    assert i18n.gettext("; ") == "; "
    with i18n.language("fr"):
        assert i18n.gettext("; ") == f"{NNBSP}; "

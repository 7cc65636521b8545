"""Issue 14, the input, CLI and message items (2, 3, 6, 8-16): each test names its item.

Each reproduces what a new user did (the command of the issue) and checks what they
should get: the exit code, a message that names the field and says what to do, never a
traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main

ROOT = Path(__file__).resolve().parent.parent
AURA = ROOT / "cases" / "aura-average-2020.json"
UNCERTAIN = ROOT / "cases" / "aura-average-2020-uncertain.json"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str, input: str | bytes | None = None):
    """Invoke `optimize`; no output, on either stream, may hold a traceback."""
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def aura_result():
    return optimizer.solve(optimizer.load_case(AURA))


# ---------------------------------------------------------------- item 16: short reprs


def test_result_repr_is_short(aura_result):
    """Item 16: repr(Result) gives the status, the case's name, the EUR at risk and the
    levers used, in one short line; not the whole case."""
    text = repr(aura_result)
    used = {k: v for k, v in aura_result.plan.items() if abs(v) > 1e-7}
    assert text.startswith("Result(status='optimal', case='Average AURA cluster, 2020', ")
    assert f"risk={round(aura_result.risk, 2)!r}" in text
    for lever_id in used:
        assert repr(lever_id) in text
    unused = [lv.id for lv in aura_result.case.levers if lv.id not in used]
    assert unused and not any(repr(lever_id) in text for lever_id in unused)
    assert len(text) < 300 and "\n" not in text
    assert "revenues" not in text and "Revenue(" not in text


def test_result_repr_without_a_plan():
    """Item 16: an infeasible result's repr says so, with no risk and no levers."""
    result = optimizer.solve(optimizer.load_case(ROOT / "cases" / "out-of-reach.json"))
    assert repr(result) == (f"Result(status='infeasible', case={result.case.name!r}, "
                            "risk=None, levers={})")


def test_simulation_repr_is_short(aura_result):
    """Item 16: a simulation's repr gives its size, seed and probabilities, not its arrays."""
    sim = optimizer.simulate(aura_result, 1000, seed=3)
    text = repr(sim)
    assert text.startswith("Simulation(n=1000, seed=3, p_target_met=")
    assert "array" not in text and len(text) < 120


# ---------------------------------------------------------------- item 15: the HiGHS banner


def test_highs_banner_never_reaches_the_terminal(tmp_path):
    """Item 15: the HiGHS banner ("Running HiGHS ... Copyright") reached the terminal from
    optimizer.sweep and optimizer.frontier (worker processes) and from a HiGHS solve when
    Python's standard output was redirected to an object without a file
    (contextlib.redirect_stdout, doctest). In a fresh process (the banner is printed once
    per process), nothing at all reaches file descriptor 1."""
    import os
    import subprocess
    import sys

    script = tmp_path / "quiet.py"
    script.write_text(
        "import contextlib, io, optimizer\n"
        f"case = optimizer.load_case({str(AURA)!r})\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    optimizer.solve(case, solver='highs')\n"
        "    optimizer.sweep(case, {'target.private_share': [0.55, 0.6]}, workers=1)\n"
        "    optimizer.frontier(case, points=3, workers=1)\n"
        "assert buf.getvalue() == '', buf.getvalue()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this tree's package, wherever it is
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "HiGHS" not in done.stderr


# ---------------------------------------------------------------- item 2: frontier time limit


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_frontier_stopped_by_its_time_limit_is_exit_4(tmp_path):
    """Item 2: a frontier whose search for the highest share hits the time limit said "No
    plan meets the case's other constraints ... whatever the target" with exit 0. A market
    split (no solver finds a plan in hours) under a 1 s limit: status time_limit, exit 4,
    and the report says the solver stopped, not that no plan exists."""
    from .hard_cases import market_split_case

    case = _write(tmp_path / "split.json", market_split_case())
    out = run(case, "--frontier", "--time-limit", "1", "--format", "json", "--workers", "1")
    assert out.exit_code == 4, out.output
    data = json.loads(out.stdout)
    assert data["status"] == "time_limit" and data["max_share"] is None
    assert "time limit" in data["summary"][0] and "No plan meets" not in out.stdout
    table = run(case, "--frontier", "--time-limit", "1", "--workers", "1")
    assert table.exit_code == 4
    assert "stopped at its time limit" in table.stdout


def test_frontier_without_any_plan_stays_an_answer():
    """Item 2: a frontier of a case whose other constraints cannot hold is status
    infeasible, exit 0 (the run is done: README, "Exit codes" of sensitivity runs)."""
    out = run(AURA, "--set", "target.min_result=1e9", "--frontier", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["status"] == "infeasible" and data["max_share"] is None
    assert "No plan meets" in data["summary"][0]


def test_frontier_with_an_unproven_highest_share(monkeypatch):
    """Item 2: when the solves of the highest share stop at the time limit with a plan,
    the frontier is drawn up to the share found but its status is time_limit (exit 4) and
    a note says the highest share is not proven."""
    import dataclasses

    from optimizer.analyses import diagnose
    from optimizer.status import Status

    real = diagnose.solve_plan

    def stopped(*args, **kwargs):
        outcome, plan = real(*args, **kwargs)
        if outcome.has_plan:
            outcome = dataclasses.replace(outcome, status=Status.TIME_LIMIT)
        return outcome, plan

    monkeypatch.setattr(diagnose, "solve_plan", stopped)
    fr = optimizer.frontier(optimizer.load_case(AURA), points=3, workers=1)
    assert fr.status is Status.TIME_LIMIT and fr.max_share is not None
    assert any("is not proven" in note for note in fr.notes)
    assert fr.to_dict()["status"] == "time_limit"
    out = run(AURA, "--frontier", "--points", "3", "--workers", "1")
    assert out.exit_code == 4 and "is not proven" in out.stdout


def test_frontier_repr_is_short():
    """Item 16: a frontier's repr names its status and sizes, not its case and tables."""
    fr = optimizer.frontier(optimizer.load_case(AURA), points=3, workers=1)
    text = repr(fr)
    assert text.startswith("Frontier(status='optimal', case='Average AURA cluster, 2020', "
                           "today_share=0.5, max_share=0.6")
    assert f"points={len(fr.table)}, events={len(fr.events)})" in text
    assert "\n" not in text and len(text) < 200


# ---------------------------------------------------------------- item 3: -o infers the format


@pytest.mark.parametrize("name, fmt", [("report.json", "json"), ("report.md", "markdown"),
                                       ("report.csv", "csv"), ("report.txt", "table"),
                                       ("REPORT.JSON", "json")])
def test_output_extension_gives_the_format(tmp_path, name, fmt):
    """Item 3: -o report.json, report.md, report.csv wrote the plain-text table. Without
    --format, the extension chooses the format: the file holds exactly what --format FMT
    prints."""
    target = tmp_path / name
    out = run(AURA, "-o", target)
    assert out.exit_code == 0, out.output
    assert out.stdout == ""
    assert target.read_text() == run(AURA, "--format", fmt).stdout


def test_output_without_extension_stays_a_table(tmp_path):
    """Item 3: a file name without an extension (or a device) gets the table, as before."""
    target = tmp_path / "report"
    assert run(AURA, "-o", target).exit_code == 0
    assert target.read_text() == run(AURA).stdout


@pytest.mark.parametrize("name", ["report.out", "report.docx"])
def test_output_extension_of_no_report_format_is_refused(tmp_path, name):
    """Item 3: -o report.xlsx wrote a text table into a file Excel cannot open (it now
    writes a workbook, issue 12). An extension of no report format is exit 2, names
    --output and the extensions that work, and writes nothing."""
    out = run(AURA, "-o", tmp_path / name)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: --output {tmp_path / name}: no report is written "
                                 f"as a .{name.rsplit('.', 1)[1]} file; name the file .txt "
                                 "(table), .md (markdown), .json, .csv, .xlsx or .html")
    assert list(tmp_path.iterdir()) == []


def test_output_extension_of_an_image_points_to_plot(tmp_path):
    """Item 3: -o plan.png is a chart the user wants: exit 2, use --plot."""
    out = run(AURA, "-o", tmp_path / "plan.png")
    assert out.exit_code == 2 and f"use --plot {tmp_path / 'plan.png'}" in out.stderr


@pytest.mark.parametrize("fmt, name", [("table", "x.json"), ("json", "x.md"), ("csv", "x.txt")])
def test_format_clashing_with_the_extension_is_refused(tmp_path, fmt, name):
    """Item 3: --format table -o x.json is a clash: exit 2, naming both, nothing written."""
    out = run(AURA, "--format", fmt, "-o", tmp_path / name)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: --format {fmt}: --output {tmp_path / name} asks for "
                                 "a ")
    assert "drop --format" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_format_given_for_another_extension_is_obeyed(tmp_path):
    """Item 3: --format names the format of a file whose extension says nothing
    (report.out): the file holds that format."""
    target = tmp_path / "report.out"
    assert run(AURA, "--format", "json", "-o", target).exit_code == 0
    assert json.loads(target.read_text())["status"] == "optimal"


def test_sensitivity_output_infers_its_format(tmp_path):
    """Item 3: a sweep written to -o sweep.csv is the CSV of --format csv."""
    target = tmp_path / "sweep.csv"
    spec = "target.private_share=0.55,0.6"
    assert run(AURA, "--sweep", spec, "-o", target, "--workers", "1").exit_code == 0
    assert target.read_text() == run(AURA, "--sweep", spec, "--format", "csv",
                                     "--workers", "1").stdout


# ---------------------------------------------------------------- item 8: a target already met


def test_target_below_todays_share_says_it_is_met():
    """Item 8: a target below today's share read "To raise the private share from 50.0% to
    at least 40%". It says the share already meets the target."""
    out = run(AURA, "--set", "target.private_share=0.4", "--format", "json")
    assert out.exit_code == 0
    head = json.loads(out.stdout)["summary"][0]
    assert head.startswith("The private share already meets the target (50.0% today, at "
                           "least 40% asked): the least risky plan puts 0.0 k EUR at risk")
    assert "raise" not in head.lower()
    assert "already meets the target" in run(AURA, "--set", "target.private_share=0.4").stdout


def test_target_above_todays_share_still_says_raise():
    """Item 8: a target above today's share keeps its wording."""
    head = json.loads(run(AURA, "--format", "json").stdout)["summary"][0]
    assert head.startswith("To raise the private share from 50.0% to at least 60%, ")


def test_cvar_target_below_todays_share_says_it_is_met():
    """Item 8: the first line of a CVaR plan says the same."""
    out = run(AURA, "--set", "target.private_share=0.45", "--set", "target.risk_measure=cvar",
              "--set", "target.scenarios=200", "--format", "json")
    assert out.exit_code == 0, out.output
    head = json.loads(out.stdout)["summary"][0]
    assert head.startswith("The private share already meets the target (50.0% today, at "
                           "least 45% asked): the plan with the least average loss")


# ---------------------------------------------------------------- item 9: exclusive bounds


@pytest.mark.parametrize("setting, message", [
    ("target.private_share=1", "target.private_share: must be above 0 and below 1, got 1"),
    ("target.private_share=0", "target.private_share: must be above 0 and below 1, got 0"),
    ("uncertainty.common_factor=1",
     "uncertainty.common_factor: must be at least 0 and below 1, got 1"),
    ("target.alpha=1", "target.alpha: must be above 0 and below 1, got 1"),
    ("staff.fte=0", "staff.fte: must be above 0 and at most 1e6, got 0"),
    ("levers.cut-overheads.max_fraction=1.5",
     "levers[0].max_fraction: must be between 0 and 1, got 1.5"),
])
def test_bounds_are_worded_as_they_are(setting, message):
    """Item 9: exclusive bounds read as inclusive ("must be between 0 and 1, got 1" for a
    share of 1). An excluded end says "above"/"below"; an included one "at least"/"at most",
    and "between" when both ends are allowed."""
    out = run(AURA, "--set", setting)
    assert out.exit_code == 2
    assert out.stderr == f"error: {message}\n"


def test_whole_number_hint_keeps_the_exclusive_wording():
    """Item 9: the percent hint still comes with the exclusive range."""
    out = run(AURA, "--set", "target.private_share=60")
    assert out.stderr == ("error: target.private_share: must be above 0 and below 1, got 60 "
                          "(fractions are decimals: write 0.6 for 60 %)\n")


# ---------------------------------------------------------------- item 10: JSON in --set


@pytest.mark.parametrize("value", ['{"low": 0.5', '[0.5, 1', '{low: 0.5}', '"unterminated'])
def test_malformed_json_in_set_says_where(value):
    """Item 10: --set 'levers.training.uncertainty={"low": 0.5' said "must be an object, got
    a string". A value that starts like JSON and does not parse is "not valid JSON at column
    N", exit 2, naming the option."""
    out = run(AURA, "--set", f"levers.training.uncertainty={value}")
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: --set 'levers.training.uncertainty={value}': not "
                                 "valid JSON at column ")
    assert "got a string" not in out.stderr


def test_valid_json_in_set_still_works():
    """Item 10: a well-formed object is applied as before."""
    out = run(AURA, "--set", 'levers.training.uncertainty={"low": 0.5}', "--format", "json")
    assert out.exit_code == 0
    assert json.loads(out.stdout)["audit"]["overrides"] == {
        "levers.training.uncertainty": {"low": 0.5}}


def test_malformed_json_in_sweep_is_exit_2():
    """Item 10: the same in a --sweep list: exit 2 naming --sweep, no traceback."""
    out = run(AURA, "--sweep", 'levers.training.price=[1000,1200')
    assert out.exit_code == 2
    assert out.stderr.startswith("error: --sweep levers.training.price=[1000,1200: not valid "
                                 "JSON at column ")


# ---------------------------------------------------------------- item 11: percentages


@pytest.mark.parametrize("setting, path, value", [
    ("target.private_share=60%", "target.private_share", 0.6),
    ("levers.fees-up.max_increase=150%", "levers.fees-up.max_increase", 1.5),
    ("levers.training.downside=40%", "levers.training.downside", 0.4),
    ("uncertainty.common_factor=30%", "uncertainty.common_factor", 0.3),
    ("levers.cut-overheads.uncertainty.low=50 %", "levers.cut-overheads.uncertainty.low", 0.5),
])
def test_percent_sign_for_a_fraction(setting, path, value):
    """Item 11: --tornado 20% took a percent sign and --set target.private_share=60% did
    not. A fraction field takes "60%" (0.6), also above 100 % where the field allows it
    (max_increase 150% = 1.5), and a realisation factor of `uncertainty`; the audit records
    the fraction applied."""
    case = AURA if "uncertainty.low" not in setting else UNCERTAIN
    out = run(case, "--set", setting, "--format", "json")
    assert out.exit_code in (0, 3), out.output
    assert json.loads(out.stdout)["audit"]["overrides"] == {path: pytest.approx(value)}


def test_percent_gives_the_same_plan_as_the_decimal():
    """Item 11: 60% and 0.6 are the same case (same figures, same summary)."""
    pct = json.loads(run(AURA, "--set", "target.private_share=60%", "--format", "json").stdout)
    dec = json.loads(run(AURA, "--set", "target.private_share=0.6", "--format", "json").stdout)
    assert pct["summary"] == dec["summary"] and pct["risk"] == dec["risk"]


@pytest.mark.parametrize("setting", ["members=60%", "levers.training.price=10%",
                                     "levers.fees-up.elasticity=50%", "target.min_result=5%"])
def test_percent_sign_refused_where_no_fraction_is_expected(setting):
    """Item 11: members, a price, an elasticity or an amount is not a fraction: the percent
    sign is refused, exit 2, naming the option and the path."""
    path = setting.partition("=")[0]
    out = run(AURA, "--set", setting)
    assert out.exit_code == 2
    assert out.stderr == (f"error: --set {setting}: {path} is not a fraction, so it takes no "
                          "percent sign; write a plain number\n")


def test_percent_on_an_unknown_path_names_the_path():
    """Item 11: a percentage for a path that names nothing says what is wrong with the path."""
    out = run(AURA, "--set", "levers.nope.max_fraction=5%")
    assert out.exit_code == 2 and "no item 'nope' in levers" in out.stderr


def test_percent_in_sweeps(tmp_path):
    """Item 11: --sweep takes percentages in a list and in a range, for a fraction path;
    the rows are those of the decimals."""
    decimals = run(AURA, "--sweep", "target.private_share=0.55,0.6", "--format", "csv",
                   "--workers", "1")
    assert decimals.exit_code == 0
    for spec in ("target.private_share=55%,60%", "target.private_share=55%:60%:5%"):
        out = run(AURA, "--sweep", spec, "--format", "csv", "--workers", "1")
        assert out.exit_code == 0, out.output
        assert out.stdout == decimals.stdout
    refused = run(AURA, "--sweep", "members=5%,6%")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --sweep members=5%: members is not a fraction")


def test_one_reader_of_fractions():
    """Item 11: --set, --sweep and --tornado read fractions with the same function."""
    from cli.sensitivity import parse_pct
    from optimizer.case.paths import parse_fraction, parse_value

    assert parse_fraction("60%") == parse_value("60%") == 0.6
    assert parse_fraction("0.6") == 0.6 and parse_fraction(" 150 % ") == 1.5
    assert parse_pct("20%") == parse_fraction("20%") == 0.2
    with pytest.raises(ValueError):
        parse_fraction("sixty")


# ---------------------------------------------------------------- item 12: what the file is


def _case_text() -> str:
    return AURA.read_text(encoding="utf-8")


def test_empty_file_says_it_is_empty(tmp_path):
    """Item 12: an empty file (and /dev/null, and empty standard input) said "not valid
    JSON: Expecting value at line 1, column 1". It says the file is empty."""
    empty = tmp_path / "case.json"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.json"
    blank.write_bytes(b" \n\n")
    for source, shown in ((empty, str(empty)), (blank, str(blank)), ("/dev/null", "/dev/null")):
        out = run(source)
        assert out.exit_code == 2
        assert out.stderr.startswith(f"error: {shown}: the file is empty; a case file is a "
                                     "JSON object")
    assert run("-", input="").stderr.startswith("error: <stdin>: the file is empty")


def test_yaml_file_says_yaml(tmp_path):
    """Item 12: a YAML file said "Expecting value at line 1, column 1"."""
    for text in ("name: Average cluster\nmembers: 270\n", "---\nname: x\n",
                 "- id: fees\n  amount: 3\n"):
        path = _write_text(tmp_path / "case.json", text)
        out = run(path)
        assert out.exit_code == 2
        assert out.stderr.startswith(f"error: {path}: this looks like YAML, not JSON; a case "
                                     "file is JSON")


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_excel_workbook_says_excel(tmp_path):
    """Item 12: an Excel workbook renamed .json said "not UTF-8 text (invalid start byte)".
    It says it is an Excel workbook and to write the case as JSON."""
    import zipfile

    path = tmp_path / "case.json"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: {path}: this is an Excel workbook (.xlsx), not a JSON "
                                 "case file; write or export the case as JSON text")


def test_old_excel_file_says_xls(tmp_path):
    """Item 12: an old .xls (OLE2) file is named as such."""
    path = tmp_path / "case.json"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: {path}: this is an old Excel workbook (.xls) or "
                                 "another Office 97-2003 file, not a JSON case file")


def test_latin1_text_gives_position_and_save_as_utf8(tmp_path):
    """Item 12: Latin-1 text gave no position and no hint. The message gives the line and
    column of the first byte that is not UTF-8, the character it is in Latin-1, and "save
    the file as UTF-8"."""
    text = _case_text().replace('"Average AURA', '"Caf\u00e9 AURA')
    path = tmp_path / "case.json"
    path.write_bytes(text.encode("latin-1"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "Caf\u00e9" in row)
    column = text.splitlines()[line - 1].index("\u00e9") + 1
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr == (f"error: {path}: not UTF-8 text: the byte 0xE9 at line {line}, column "
                          f"{column} is not UTF-8 ('\u00e9' in Latin-1 or Windows-1252: the "
                          "file was saved in that encoding); save the file as UTF-8\n")


def test_decimal_comma_says_use_a_decimal_point(tmp_path):
    """Item 12: a decimal comma (0,60) said "Expecting property name enclosed in double
    quotes". It names the number, its position and the fix."""
    import re

    text = _case_text()
    share = re.search(r'"private_share": (\d+)\.(\d+)', text)
    assert share is not None
    number = f"{share.group(1)},{share.group(2)}"  # 0.6 -> 0,6
    path = _write_text(tmp_path / "case.json",
                       text[:share.start(1)] + number + text[share.end(2):])
    line = text.count("\n", 0, share.start(1)) + 1
    column = share.start(1) - (text.rfind("\n", 0, share.start(1)) + 1) + 1
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr == (f"error: {path}: not valid JSON at line {line}, column {column}: "
                          f"{number} has a decimal comma; JSON numbers take a decimal point "
                          f"({number.replace(',', '.')})\n")


@pytest.mark.parametrize("text, closing, column", [('{"name": "x", "members": 3,}', "}", 27),
                                                   ('{"levers": [1, 2, ],\n "x": 1}', "]", 17)])
def test_trailing_comma_says_remove_it(tmp_path, text, closing, column):
    """Item 12: a comma after the last item said "Expecting property name enclosed in double
    quotes". It points at the comma and says to remove it."""
    path = _write_text(tmp_path / "case.json", text)
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr == (f"error: {path}: not valid JSON at line 1, column {column}: a comma "
                          f"after the last item (before '{closing}'); remove it\n")


def test_single_quotes_and_comments_say_what_json_wants(tmp_path):
    """Item 12: single quotes and comments, two more hand-written mistakes, say the fix."""
    quotes = run(_write_text(tmp_path / "q.json", "{'name': 'x'}"))
    assert quotes.exit_code == 2 and "take double quotes" in quotes.stderr
    comment = run(_write_text(tmp_path / "c.json", "// the 2020 case\n{}"))
    assert comment.exit_code == 2 and "JSON has no comments" in comment.stderr


def test_other_json_errors_keep_their_position(tmp_path):
    """Item 12: any other syntax error still says where (line and column)."""
    path = _write_text(tmp_path / "case.json", '{"name": "x",\n  "members": }')
    out = run(path)
    assert out.exit_code == 2
    assert out.stderr == f"error: {path}: not valid JSON: Expecting value at line 2, column 14\n"


# ---------------------------------------------------------------- item 13: silently accepted


def test_spare_fte_above_the_whole_staff_warns():
    """Item 13: spare_fte 50 with fte 11 was accepted silently. The plan is still computed
    for the case as written, and a warning names staff.spare_fte and both figures."""
    out = run(AURA, "--set", "staff.spare_fte=50", "--format", "json")
    assert out.exit_code == 0
    warnings = json.loads(out.stdout)["warnings"]
    assert [w for w in warnings if w.startswith("staff.spare_fte: 50 spare FTE is more than "
                                                "the whole staff (staff.fte = 11)")]
    assert not [w for w in json.loads(run(AURA, "--format", "json").stdout)["warnings"]
                if w.startswith("staff.spare_fte")]


# ---------------------------------------------------------------- item 14: line defaults


def _french_lines() -> dict:
    """The average case with French line ids: the defaults (fees, services, others,
    external) name lines that no longer exist."""
    case = json.loads(AURA.read_text())
    names = {"fees": "cotisations", "services": "prestations", "others": "autres",
             "external": "achats"}
    for line in case["revenues"] + case["expenditures"]:
        line["id"] = names.get(line["id"], line["id"])
    for lever in case["levers"]:  # the lines a lever names itself follow the rename
        for key in ("revenue", "expenditure", "cost_line"):
            if key in lever:
                lever[key] = names.get(lever[key], lever[key])
    return case


def test_line_defaults_are_named_in_the_message(tmp_path):
    """Item 14: with French line ids a first run gave errors about lines the user never
    wrote. A default line is named as such, with the field to set."""
    path = _write(tmp_path / "case.json", _french_lines())
    out = run(path)
    assert out.exit_code == 2
    lines = out.stderr.splitlines()
    assert ("error: levers[3].revenue: no revenue line 'fees' (the default line; set "
            "`revenue`); use one of autres, cotisations, prestations") in lines
    assert ("error: levers[4].cost_line: no expenditure line 'external' (the default line; set "
            "`cost_line`); use one of achats, overheads, salaries") in lines
    assert ("error: levers[9].revenue: no revenue line 'others' (the default line; set "
            "`revenue`); did you mean 'autres'?") in lines
    assert all("(the default line; set `" in line for line in lines)


def test_a_line_the_case_names_is_not_called_a_default(tmp_path):
    """Item 14: a line written in the case is not called a default."""
    case = json.loads(AURA.read_text())
    case["levers"][1]["expenditure"] = "externals"
    out = run(_write(tmp_path / "case.json", case))
    assert out.exit_code == 2
    assert out.stderr == ("error: levers[1].expenditure: no expenditure line 'externals'; did "
                          "you mean 'external'?\n")


# ---------------------------------------------------------------- items 6 and 13: lever warnings
# Each lever type says why it cannot move (`stuck_reason` in optimizer/levers/), naming its
# own field; a fee increase also warns when no option brings income.


def _warnings(*sets: str) -> list[str]:
    args = [a for s in sets for a in ("--set", s)]
    out = run(AURA, *args, "--format", "json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["warnings"]


def test_step_above_max_increase_names_the_step():
    """Item 6: --set levers.fees-up.step=1 warned "its bound is 0, so it cannot move (set
    max_fraction...)" although max_increase is 0.25. The warning names the step and
    max_increase, and what to do."""
    warnings = _warnings("levers.fees-up.step=1")
    assert ("levers[3] (fees-up): it cannot move: its step (1) is larger than max_increase "
            "(0.25), so the grid 0, 1, ... has no option above 0 up to 0.25; use a step of at "
            "most 0.25") in warnings
    assert not any("max_fraction" in w for w in warnings)


def test_zero_bound_names_its_own_field():
    """Item 6: a lever whose bound is 0 names its own bound field, not all of them."""
    warnings = _warnings("levers.cut-overheads.max_fraction=0")
    assert "levers[0] (cut-overheads): it cannot move: max_fraction is 0 (set max_fraction)" \
        in warnings
    assert not any("max_proposals" in w for w in warnings)


def test_elasticity_that_drops_every_fee_option_warns():
    """Item 13: elasticity 50 was accepted silently though no fee increase can then bring
    income. A warning names the elasticity and what it means."""
    warnings = _warnings("levers.fees-up.elasticity=50")
    assert any(w.startswith("levers[3] (fees-up): no fee increase up to 2% brings more fee "
                            "income (elasticity 50: a 1% increase makes 50% of the members "
                            "leave") for w in warnings)
    stuck = _warnings("levers.fees-up.elasticity=50", "levers.fees-up.step=0.05")
    assert any(w.startswith("levers[3] (fees-up): it cannot move: with elasticity 50, even the "
                            "first increase (5%) would make more than all the members leave")
               for w in stuck)


def test_percent_in_a_text_field_stays_text():
    """Item 11: a label or a name that happens to end in % ("100%") is text, not a
    fraction and not an error."""
    out = run(AURA, "--set", "levers.training.label=100%", "--format", "json")
    assert out.exit_code == 0
    assert json.loads(out.stdout)["audit"]["overrides"] == {"levers.training.label": "100%"}
    refused = run(AURA, "--set", "target.risk_measure=60%")
    assert refused.exit_code == 2
    assert refused.stderr == ("error: --set target.risk_measure=60%: target.risk_measure is not "
                              "a fraction, so it takes no percent sign\n")


# ---------------------------------------------------------------- item 7: custom downside
def test_custom_lever_refuses_downside(tmp_path):
    """Item 7: `downside` on a custom lever was accepted and changed nothing. It is refused,
    naming the field and where the lever's risk is said instead."""
    case = json.loads((ROOT / "cases" / "covid-2020.json").read_text())
    index = next(i for i, lv in enumerate(case["levers"]) if lv["type"] == "custom")
    case["levers"][index]["downside"] = 0.5
    path = _write(tmp_path / "case.json", case)
    before = path.read_bytes()
    out = run(path)
    assert out.exit_code == 2
    assert f"levers[{index}]" in out.stderr and "takes no downside" in out.stderr
    assert "uncertainty.low" in out.stderr and "Traceback" not in out.stderr
    assert path.read_bytes() == before


# ---------------------------------------------------------------- item 19: a service's unit
def test_service_unit_is_used_in_every_sentence(tmp_path):
    """Item 19: a service names its unit; the plan says "Sell 76 training days", the plural
    given or made with an s, and without a unit the words stay as before."""
    case = json.loads(AURA.read_text())
    text = run(_write(tmp_path / "a.json", case)).stdout
    assert "Sell 76 training days at 1,200 EUR" in text
    for lever in case["levers"]:
        if lever["id"] == "training":
            lever["unit"], lever["unit_plural"] = "jour de formation", "jours de formation"
    assert "Sell 76 jours de formation at 1,200 EUR" in run(_write(tmp_path / "b.json", case)).stdout
    for lever in case["levers"]:
        if lever["id"] == "training":
            del lever["unit"], lever["unit_plural"]
    plain = run(_write(tmp_path / "c.json", case)).stdout
    assert "training day" not in plain and "Sell 76 " in plain

"""The `optimize` command, driven in-process with click's CliRunner.

Exit codes (MODEL.md): 0 optimal, 2 invalid input or usage, 3 infeasible,
4 solver failure or time limit. Every output format, standard input, --output,
--set, --schema, and a golden JSON result.

Golden file: tests/data/golden/aura-average-2020.json is the JSON result of the
average AURA case. When a change to the output is intended, regenerate it from
the repository's root with

    .venv/bin/optimize cases/aura-average-2020.json --format json \\
        > tests/data/golden/aura-average-2020.json

and review the diff. Only the audit keys that depend on the machine (python,
pulp_version, package_version) are ignored in the comparison. The golden's
figures are also rechecked by the independent arithmetic of test_arithmetic.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import optimizer.analyses.solve
from cli.main import main
from optimizer.errors import SolverError
from optimizer.status import SolverOutcome, Status

from .test_arithmetic import recompute

ROOT = Path(__file__).resolve().parent.parent
AURA = "cases/aura-average-2020.json"
OUT_OF_REACH = "cases/out-of-reach.json"
GOLDEN = ROOT / "tests" / "data" / "golden" / "aura-average-2020.json"
MACHINE_KEYS = ("python", "pulp_version", "package_version")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Run every command from the repository's root (case paths as in the README)."""
    monkeypatch.chdir(ROOT)


def run(*args: str, input: str | None = None):
    """Invoke `optimize`; no output, on either stream, may hold a traceback."""
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    # An exception other than SystemExit escaping the command would be a bug.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ---------------------------------------------------------------- exit codes


def test_exit_0_optimal():
    """A reachable target: exit 0 and the plan in words."""
    result = run(AURA)
    assert result.exit_code == 0
    assert result.stdout.startswith("Average AURA cluster, 2020: optimal\n")
    assert result.stderr == ""


def test_exit_2_invalid_case(tmp_path):
    """An invalid case: exit 2, the field path on standard error, nothing on standard output."""
    raw = json.loads((ROOT / AURA).read_text())
    raw["levers"][3]["max_increase"] = -0.2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    result = run(str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: levers[3].max_increase: must be between 0 and ")


def test_exit_3_out_of_reach():
    """An out-of-reach target: exit 3, and the report still prints with the diagnosis."""
    result = run(OUT_OF_REACH, "--format", "json")
    assert result.exit_code == 3
    out = json.loads(result.stdout)
    assert out["status"] == "infeasible"
    assert out["diagnosis"]["max_private_share"] == pytest.approx(0.48531, abs=1e-4)
    assert "result" in out["diagnosis"]["blocking"]
    table = run(OUT_OF_REACH)
    assert table.exit_code == 3
    assert "The highest share the levers can reach is 48.53%." in table.stdout


def test_exit_4_solver_error(monkeypatch):
    """The solver reports an error (no plan): exit 4, and the report says so."""
    def broken(prob, solver="cbc", time_limit=None):
        return SolverOutcome(Status.ERROR, False, solver=solver, detail="Not Solved / crashed")
    monkeypatch.setattr(optimizer.analyses.solve, "run", broken)
    result = run(AURA)
    assert result.exit_code == 4
    assert "The solver gave no usable plan (status: error; Not Solved / crashed)." in result.stdout


def test_exit_4_solver_missing(monkeypatch):
    """A missing or crashing solver raises SolverError: exit 4, one line on standard error."""
    def missing(prob, solver="cbc", time_limit=None):
        raise SolverError("CBC is not available: PuLP's bundled cbc binary is missing.")
    monkeypatch.setattr(optimizer.analyses.solve, "run", missing)
    result = run(AURA)
    assert result.exit_code == 4
    assert result.stderr == "error: CBC is not available: PuLP's bundled cbc binary is missing.\n"
    assert result.stdout == ""


def test_exit_4_time_limit_with_a_plan(monkeypatch):
    """The time limit stops the solver with a plan not proven optimal: exit 4; the report
    prints the plan and says it is not proven optimal."""
    real = optimizer.analyses.solve.run

    def stopped(prob, solver="cbc", time_limit=None):
        outcome = real(prob, solver, time_limit)
        return SolverOutcome(Status.TIME_LIMIT, outcome.has_plan, outcome.values,
                             outcome.objective, outcome.solver, outcome.solver_version,
                             "Stopped on time", outcome.seconds)
    monkeypatch.setattr(optimizer.analyses.solve, "run", stopped)
    result = run(AURA, "--time-limit", "5", "--format", "json")
    assert result.exit_code == 4
    out = json.loads(result.stdout)
    assert out["status"] == "time_limit"
    assert out["proven_optimal"] is False
    assert "Not proven optimal" in out["summary"][0]


def test_time_limit_must_be_positive():
    """--time-limit 0 is a usage error (exit 2)."""
    result = run(AURA, "--time-limit", "0")
    assert result.exit_code == 2
    assert "--time-limit" in result.stderr


def test_missing_file():
    """A case file that does not exist: exit 2, its name in the message."""
    result = run("cases/no-such-case.json")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cases/no-such-case.json: cannot read the case file")


def test_no_case_given():
    """No CASE and no --schema: exit 2 with what to do."""
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("error: CASE: give a case file (or - for standard input)")


def test_not_json(tmp_path):
    """A file that is not JSON: exit 2, with the line and column."""
    path = tmp_path / "case.json"
    path.write_text('{"name": "x",\n  "members": }')
    result = run(str(path))
    assert result.exit_code == 2
    assert re.match(rf"error: {re.escape(str(path))}: not valid JSON: .* at line 2, column",
                    result.stderr)


def test_unknown_option_and_bad_choice():
    """Click's own usage errors also exit 2, without a traceback."""
    assert run(AURA, "--colour", "red").exit_code == 2
    assert run(AURA, "--format", "xml").exit_code == 2
    assert run(AURA, "--solver", "gurobi").exit_code == 2


# ---------------------------------------------------------------- formats


def test_format_table_and_markdown():
    """The two reports for people carry the same plan; markdown uses headings and pipes."""
    table = run(AURA, "--format", "table")
    markdown = run(AURA, "--format", "markdown")
    assert table.exit_code == markdown.exit_code == 0
    assert markdown.stdout.startswith("# Average AURA cluster, 2020: optimal\n")
    assert "## The plan" in markdown.stdout
    assert re.search(r"^\|.*Lower regional grant.*\|$", markdown.stdout, re.MULTILINE)
    for text in (table.stdout, markdown.stdout):
        assert "Sell 76 training days at 1,200 EUR: +91.2 k EUR" in text
        assert "120.0 k" in text


def test_format_json():
    """JSON: the fields of MODEL.md's result."""
    result = run(AURA, "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    for key in ("schema_version", "case", "status", "solver", "target", "risk", "levers",
                "budget", "indicators"):
        assert key in out
    assert out["status"] == "optimal" and out["solver"] == "cbc"
    assert out["risk"] == pytest.approx(sum(lever["risk"] for lever in out["levers"]))


def test_format_csv():
    """CSV: one long table; the lever rows' risks add up to the total risk row."""
    result = run(AURA, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    sections = {row["section"] for row in rows}
    assert sections == {"lever", "revenue", "expenditure", "indicator", "total", "status"}
    levers = [row for row in rows if row["section"] == "lever"]
    assert len(levers) == 10
    total = next(row for row in rows if row["section"] == "total")
    assert float(total["risk"]) == pytest.approx(sum(float(row["risk"]) for row in levers))
    assert next(row for row in rows if row["section"] == "status")["id"] == "optimal"


def test_highs_solver_same_answer():
    """--solver highs gives the same EUR at risk."""
    cbc = json.loads(run(AURA, "--format", "json").stdout)
    highs = json.loads(run(AURA, "--format", "json", "--solver", "highs").stdout)
    assert highs["solver"] == "highs"
    assert highs["risk"] == pytest.approx(cbc["risk"], abs=0.01)


# ---------------------------------------------------------------- stdin, --output


def test_case_from_stdin():
    """CASE '-' reads standard input: the same result as from the file."""
    text = (ROOT / AURA).read_text()
    piped = run("-", "--format", "json", input=text)
    assert piped.exit_code == 0
    from_file = json.loads(run(AURA, "--format", "json").stdout)
    out = json.loads(piped.stdout)
    assert out["audit"]["case_source"] == "<stdin>"
    assert out["audit"]["case_sha256"] == from_file["audit"]["case_sha256"]
    assert out["risk"] == from_file["risk"]


def test_invalid_stdin():
    """Garbage on standard input: exit 2."""
    result = run("-", input="not json")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: <stdin>: not valid JSON")


def test_output_file_written_whole(tmp_path):
    """--output writes exactly what standard output would show, and nothing on stdout."""
    target = tmp_path / "plan.json"
    result = run(AURA, "--format", "json", "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text() == run(AURA, "--format", "json").stdout
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary file left


def test_output_replaces_an_existing_file(tmp_path):
    """An existing output file is replaced whole."""
    target = tmp_path / "plan.md"
    target.write_text("old report\n" * 1000)
    assert run(AURA, "--format", "markdown", "-o", str(target)).exit_code == 0
    assert target.read_text().startswith("# Average AURA cluster, 2020: optimal\n")
    assert "old report" not in target.read_text()


def test_output_refuses_to_overwrite_the_input_case(tmp_path):
    """--output naming the input case: exit 2, and the case file is untouched."""
    case = tmp_path / "case.json"
    original = (ROOT / AURA).read_text()
    case.write_text(original)
    result = run(str(case), "--format", "json", "--output", str(case))
    assert result.exit_code == 2
    assert "this is the input case" in result.stderr
    assert case.read_text() == original


def test_output_into_a_missing_folder(tmp_path):
    """--output in a folder that does not exist: exit 2."""
    result = run(AURA, "--output", str(tmp_path / "nowhere" / "plan.txt"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_output_of_an_infeasible_case(tmp_path):
    """The report of an out-of-reach case is written too, with exit 3."""
    target = tmp_path / "plan.txt"
    assert run(OUT_OF_REACH, "-o", str(target)).exit_code == 3
    assert "infeasible" in target.read_text().splitlines()[0]


# ---------------------------------------------------------------- --set


def test_set_valid():
    """--set changes one value before validation; the audit records the override."""
    base = json.loads(run(AURA, "--format", "json").stdout)
    result = run(AURA, "--format", "json", "--set", "target.private_share=0.62",
                 "--set", "levers.training.price=1500")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["target"]["private_share"] == 0.62
    assert out["indicators"]["private_share"]["after"] >= 0.62 - 1e-9
    assert out["audit"]["overrides"] == {"target.private_share": 0.62,
                                         "levers.training.price": 1500}
    assert out["risk"] != base["risk"]


def test_set_rule_by_index(tmp_path):
    """Rules are addressed by index (or name): with the version-1 EU cap written as a rule
    (public aid at most 50 % of spending), tightening it to 50 % of spending minus 130 k
    EUR changes the plan."""
    raw = json.loads(Path(AURA).read_text())
    raw["rules"] = [{"name": "EU cap on public operating aid",
                     "terms": {"public": 1, "expenditures": -0.5}, "sense": "<=", "rhs": 0}]
    path = tmp_path / "with-rule.json"
    path.write_text(json.dumps(raw))
    base = json.loads(run(str(path), "--format", "json").stdout)
    result = run(str(path), "--format", "json", "--set", "rules.0.rhs=-130000")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["indicators"]["public"]["after"] <= (
        0.5 * sum(e["after"] for e in out["budget"]["expenditures"]) - 130000 + 1e-6)
    assert out["risk"] > base["risk"]
    by_name = run(str(path), "--format", "json", "--set",
                  "rules.EU cap on public operating aid.rhs=-130000")
    assert json.loads(by_name.stdout)["risk"] == out["risk"]


def test_set_unknown_lever_did_you_mean():
    """An unknown lever id in the path: exit 2 with the closest path."""
    result = run(AURA, "--set", "levers.trainig.price=1500")
    assert result.exit_code == 2
    assert result.stderr == ("error: --set levers.trainig.price: no item 'trainig' in levers; "
                             "did you mean levers.training?\n")


def test_set_unknown_field_did_you_mean():
    """A misspelt field at the end of the path: validation names it and suggests the field."""
    result = run(AURA, "--set", "target.private_shar=0.62")
    assert result.exit_code == 2
    assert ("error: target.private_shar: unknown field; did you mean 'private_share'?"
            in result.stderr)


def test_set_unknown_top_level_field():
    """An unknown first part of the path."""
    result = run(AURA, "--set", "levres.training.price=1")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --set levres.training.price: no field 'levres' in "
                                    "case; did you mean levers")


@pytest.mark.parametrize("assignment, message", [
    ("target.private_share=1.5",
     "error: target.private_share: must be above 0 and below 1, got 1.5"),
    ("levers.training.price=cheap", "error: levers[6].price: must be a number, got a string"),
    ("members=NaN", "error: members: must be a whole number, got a string"),
    ("target.private_share", "error: --set 'target.private_share': write PATH=VALUE"),
])
def test_set_invalid_value(assignment, message):
    """An override that makes the case invalid, or is not PATH=VALUE: exit 2."""
    result = run(AURA, "--set", assignment)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stdout == ""


# ---------------------------------------------------------------- --schema, --help


def test_schema_is_a_json_schema():
    """--schema prints a JSON Schema (draft 2020-12) that describes the case's fields; the
    bundled case holds the required fields and nothing the schema does not know."""
    result = run("--schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    case = json.loads((ROOT / AURA).read_text())
    assert set(schema["required"]) <= set(case)
    assert set(case) <= set(schema["properties"])
    assert schema.get("additionalProperties") is False
    lever_refs = json.dumps(schema["properties"]["levers"])
    for kind in ("cut", "grant_cut", "fee_increase", "new_members", "service", "success_fee",
                 "eu_projects", "custom"):
        assert kind in json.dumps(schema["$defs"]), kind
    assert "discriminator" in lever_refs or "oneOf" in lever_refs
    # Every $ref points into $defs.
    for ref in re.findall(r'"\$ref": "([^"]+)"', result.stdout):
        assert ref.startswith("#/$defs/") and ref.split("/")[-1] in schema["$defs"], ref


def test_schema_to_output_file(tmp_path):
    """--schema with --output writes the schema to the file."""
    target = tmp_path / "schema.json"
    assert run("--schema", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["title"]


def test_every_documented_option_is_in_help():
    """Each option the README shows on an `optimize` command line (the usage block of
    "What you get" and every example) appears in --help, and so do the choices."""
    readme = (ROOT / "README.md").read_text()
    usage = readme.split("## What you get", 1)[1].split("```", 2)[1]
    commands = [line for line in readme.splitlines() if line.startswith("optimize ")]
    options = set(re.findall(r"--[a-z][a-z-]*", usage + "\n".join(commands)))
    assert {"--format", "--output", "--solver", "--time-limit", "--set", "--schema"} <= options
    result = run("--help")
    assert result.exit_code == 0
    text = click.unstyle(result.stdout)
    for option in sorted(options):
        assert option in text, option
    for choice in ("table|markdown|json|csv", "cbc|highs"):
        assert choice in text
    assert "-h, --help" in text and "--version" in text


def test_every_option_has_help():
    """No option of the command goes without a help text."""
    for param in main.params:
        if isinstance(param, click.Option):
            assert param.help, param.name


# ---------------------------------------------------------------- golden JSON result


def _without_machine_keys(out: dict) -> dict:
    out = json.loads(json.dumps(out))
    for key in MACHINE_KEYS:
        out["audit"].pop(key, None)
    return out


def test_golden_json_result():
    """`optimize cases/aura-average-2020.json --format json` gives the golden file, apart
    from the audit keys that depend on the machine (python, pulp_version, package_version)."""
    result = run(AURA, "--format", "json")
    assert result.exit_code == 0
    golden = json.loads(GOLDEN.read_text())
    assert set(MACHINE_KEYS) <= set(golden["audit"])
    assert _without_machine_keys(json.loads(result.stdout)) == _without_machine_keys(golden)


def test_golden_figures_by_arithmetic():
    """The golden file is not only a snapshot: its plan's figures follow from MODEL.md's
    formulas (test_arithmetic.recompute) and its risk is the sum of its levers' risks."""
    golden = json.loads(GOLDEN.read_text())
    raw = json.loads((ROOT / AURA).read_text())
    plan = {lever["id"]: lever["value"] for lever in golden["levers"]}
    fig = recompute(raw, plan)
    assert golden["risk"] == pytest.approx(fig["risk"], abs=1e-5)
    assert golden["risk"] == pytest.approx(sum(lever["risk"] for lever in golden["levers"]))
    for line in golden["budget"]["revenues"]:
        assert line["after"] == pytest.approx(fig["rev"][line["id"]], abs=1e-5)
    for line in golden["budget"]["expenditures"]:
        assert line["after"] == pytest.approx(fig["exp"][line["id"]], abs=1e-5)
    assert golden["indicators"]["private_share"]["after"] == pytest.approx(fig["share"])
    assert fig["share"] >= raw["target"]["private_share"] - 1e-9

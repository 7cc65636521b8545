"""Hardening (issue 5): hostile input, numerics, solver failures, interrupts, safe output,
an immutable library and the audit trail. Each test would fail if its guarantee broke.

Determinism and parallel solves are in test_determinism.py, the fuzzing in test_fuzz.py.
"""

from __future__ import annotations

import copy
import dataclasses
import glob
import hashlib
import importlib
import json
import os
import re
import stat
import sys
import threading
from pathlib import Path

import pulp
import pytest
from click.testing import CliRunner

import optimizer
import optimizer.analyses.solve
from cli.main import main
from optimizer.case import MAX_CASE_BYTES
from optimizer.errors import CaseError
from optimizer.model.milp import build_model
from optimizer.plan.evaluate import evaluate, violations
from optimizer.status import SolverOutcome, Status

from .hard_cases import knapsack_case, market_split_case
from .interrupts import interrupt, start_from_a_terminal, wait_for

ROOT = Path(__file__).resolve().parent.parent
AURA = ROOT / "cases" / "aura-average-2020.json"
SOLVERS = ("cbc", "highs")


def aura() -> dict:
    """The average case, with the version-1 EU cap as a rule (the bundled case uses the
    version-2 eligible-cost cap) so that rules are exercised too."""
    raw = json.loads(AURA.read_text())
    raw.setdefault("rules", [{"name": "EU cap on public operating aid",
                              "terms": {"public": 1, "expenditures": -0.5},
                              "sense": "<=", "rhs": 0}])
    return raw


def run(*args: str, input: bytes | str | None = None):
    """`optimize` in-process; never an exception other than SystemExit, never a traceback."""
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


def write(path: Path, case: dict) -> Path:
    path.write_text(json.dumps(case))
    return path


# ---------------------------------------------------------------- size limit, hostile text


def test_case_file_above_20_mb_is_refused_before_parsing(tmp_path):
    """A 21 MB file is refused by its size: the message says so (had it been parsed, the
    NUL bytes of this sparse file would give 'not valid JSON' instead)."""
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(MAX_CASE_BYTES + 1024 * 1024)
    result = run(big)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {big}: the file is larger than 20 MB; "
                             "a case file is a few kB\n")
    with pytest.raises(CaseError, match="larger than 20 MB"):
        optimizer.load_case(big)


def test_standard_input_above_20_mb_is_refused():
    """The same limit on standard input (read no further than the limit)."""
    result = run("-", input=b" " * (MAX_CASE_BYTES + 10))
    assert result.exit_code == 2
    assert "error: <stdin>: the file is larger than 20 MB" in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_as_case_is_refused_at_the_limit():
    """`optimize /dev/zero` (st_size 0, endless): read no further than 20 MB, then refused."""
    result = run("/dev/zero")
    assert result.exit_code == 2
    assert result.stderr == "error: /dev/zero: the file is larger than 20 MB; a case file is a few kB\n"


@pytest.mark.parametrize("assignment, message", [
    ("levers.training.price=1e999", "levers[6].price: must be a finite number, got Infinity"),
    ("rules.0.terms.public=1e400", "rules[0].terms.public: must be a finite number"),
    ("levers.training.price=99999999999999999999999999999", "levers[6].price: must be between"),
    ('name="\\u001b[31m"', "name: contains the control character U+001B"),
    ("levers.training.price.x=1", "--set levers.training.price.x: 'levers.training.price' is"),
    ("levers=5", "levers: must be a list [...], got 5"),
])
def test_hostile_overrides_get_a_message(assignment, message, tmp_path):
    """--set with infinite, huge or escape-laden values, or a path through a value: exit 2."""
    path = tmp_path / "aura-with-rule.json"
    path.write_text(json.dumps(aura()))
    result = run(str(path), "--set", assignment)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr


@pytest.mark.parametrize("text, message", [
    ('{"a": 1, "a": 2}', "error: a: this key appears more than once in the same object; keep"),
    ('{"name": "x", "target": {"private_share": 0.6, "private_share": 0.7}}',
     "error: target.private_share: this key appears more than once"),
    ('{"members": ' + "9" * 5000 + "}", "error: <stdin>: a whole number of 5000 digits"),
    ('{"members": NaN}', "error: <stdin>: NaN is not a number; write a finite number"),
    ('{"members": -Infinity}', "error: <stdin>: -Infinity is not a number"),
    ("[" * 50_000 + "]" * 50_000, "error: <stdin>: the JSON is nested too deeply"),
])
def test_hostile_json_text_gets_a_message(text, message):
    """Duplicate keys (json would silently keep the last), huge integers, NaN and Infinity,
    deep nesting: exit 2 and a message, never a traceback."""
    result = run("-", input=text)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr


def test_thousands_of_broken_levers_give_a_bounded_list_of_problems():
    """900 broken levers: the first 60 problems and a count of the others."""
    raw = aura()
    raw["levers"] = [{"id": f"Lever {i}", "type": "cut"} for i in range(900)]
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 61 and re.fullmatch(r"error: \.\.\. and \d+ more problems", lines[-1])


# ---------------------------------------------------------------- ids and labels

ODD_LABELS = ["fees up (2025)*", 'the "big" one', "l'été à Lyon", "日本語 ✓", "R1: x + y >= 3",
              "subject to", "end", "x_1 <= 4", "[0]", "a.b", "€ 100 %", "-", " ", "\\n", "obj:"]


def _relabel(raw: dict) -> dict:
    raw = copy.deepcopy(raw)
    labels = iter(ODD_LABELS * 10)
    raw["name"] = next(labels)
    for item in raw["revenues"] + raw["expenditures"] + raw["levers"]:
        item["label"] = next(labels)
    for rule in raw.get("rules", []):
        rule["name"] = next(labels)
    return raw


@pytest.mark.parametrize("solver", SOLVERS)
def test_odd_labels_change_nothing_in_the_answer(solver):
    """Labels and names full of quotes, unicode and LP-format syntax give the same plan and
    EUR at risk; they are in the report, and the JSON stays valid."""
    plain = optimizer.solve(aura(), solver=solver)
    odd = optimizer.solve(_relabel(aura()), solver=solver)
    assert odd.status is plain.status is Status.OPTIMAL
    assert dict(odd.plan) == dict(plain.plan)
    assert odd.risk == plain.risk
    assert json.loads(odd.to_json())["case"] == ODD_LABELS[0]
    table = odd.report("table")
    assert "l'été à Lyon" in table and "日本語 ✓" in table


def test_ids_and_labels_never_reach_the_solver(tmp_path):
    """The model's variables and constraints carry our own names only (l3_units_12, c7):
    the MPS and LP files of the model hold none of the case's ids or labels."""
    case = optimizer.load_case(_relabel(aura()))
    model = build_model(case)
    assert all(re.fullmatch(r"l\d+_[a-z]+\d*_\d+", v.name) for v in model.prob.variables())
    assert all(re.fullmatch(r"c\d+", c.name) for c in model.prob.constraints())
    model.prob.writeMPS(str(tmp_path / "model.mps"))
    model.prob.writeLP(str(tmp_path / "model.lp"))
    for name in ("model.mps", "model.lp"):
        text = (tmp_path / name).read_text()
        for word in [lever.id for lever in case.levers] + [w for w in ODD_LABELS if len(w) > 3]:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (name, word)


def _rename_ids(raw: dict, mapping: dict[str, str]) -> dict:
    """The same case with lever and line ids renamed everywhere they are referenced."""
    text = json.dumps(raw)
    for old, new in mapping.items():
        text = re.sub(rf'"{re.escape(old)}"', json.dumps(new), text)
        text = re.sub(rf'"(revenue|expenditure|lever):{re.escape(old)}"', rf'"\1:{new}"', text)
    return json.loads(text)


def test_ids_at_the_edges_of_the_pattern_change_nothing():
    """Ids such as '-', '_', '0' and 40 characters are valid and give the same answer."""
    mapping = {"cut-overheads": "-", "less-region": "_", "training": "0", "studies": "9" * 40,
               "region": "r-_0", "overheads": "o" * 40}
    plain = optimizer.solve(aura())
    renamed = optimizer.solve(_rename_ids(aura(), mapping))
    assert renamed.risk == plain.risk
    assert {mapping.get(k, k): v for k, v in plain.plan.items()} == dict(renamed.plan)


@pytest.mark.parametrize("bad", ["Training", "fees up", "x" * 41, "", "été", "a:b", "a.b",
                                 "fees\n", "1e5 "])
def test_an_id_outside_the_pattern_gets_a_clear_message(bad):
    """An id outside [a-z0-9_-]{1,40}: exit 2, the path and the pattern in words."""
    raw = aura()
    raw["levers"][6]["id"] = bad
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    shown = json.dumps(bad, ensure_ascii=False).replace("\n", "\\n")
    assert result.stderr == (f"error: levers[6].id: {shown} is not a valid id; use 1 to 40 "
                             "characters among a-z, 0-9, '_' and '-'\n")


@pytest.mark.parametrize("change, message", [
    (lambda r: r["levers"].append({"id": "x", "type": "custom", "revenues": {"BAD KEY": 1}}),
     'levers[10].revenues["BAD KEY"]: "BAD KEY" is not a valid id'),
    (lambda r: r["levers"][0].update(notes={"a": 1}),
     "levers[0].notes: must be a string or a list [...], got an object"),
    (lambda r: r["revenues"][0].update(amount=10**400),
     "revenues[0].amount: must be between 0 and 1e12, got a whole number of 401 digits"),
    (lambda r: r.update(members=1e3), "members: must be a whole number, got 1000.0"),
])
def test_messages_name_the_field_not_pydantic_internals(change, message):
    """Paths without pydantic's markers ('[key]', 'list[str]'), one message for a field of
    two possible types, and numbers shown as they were given."""
    raw = aura()
    change(raw)
    with pytest.raises(CaseError) as caught:
        optimizer.load_case(raw)
    problems = caught.value.problems
    assert len(problems) == 1 and problems[0].startswith(message), problems


@pytest.mark.parametrize("where, path", [
    (lambda r: r["levers"][2].update(label="a\x1b[2Jb"), "levers[2].label"),
    (lambda r: r.update(name="two\nlines"), "name"),
    (lambda r: r["rules"][0].update(name="tab\there"), "rules[0].name"),
    (lambda r: r["revenues"][1].update(label="\x9b31m"), "revenues[1].label"),
])
def test_control_characters_in_names_are_refused(where, path):
    """A label or name with a control character (a terminal escape, a newline) is refused:
    reports and messages never carry terminal escapes from a case file."""
    raw = aura()
    where(raw)
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: contains the control character U+")
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr


def test_odd_keys_are_quoted_in_messages():
    """A rule quantity with a dot, a space or an escape is shown quoted in the path."""
    raw = aura()
    raw["rules"][0]["terms"] = {"revenue.fees": 1, "bad\x1bkey": 1}
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith('error: rules[0].terms["revenue.fees"]: unknown quantity')
    assert lines[1].startswith('error: rules[0].terms["bad\\u001bkey"]: unknown quantity')


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize("field, value, path", [
    (("revenues", 0, "amount"), 1e12 + 1, "revenues[0].amount"),
    (("expenditures", 1, "amount"), 2.5e13, "expenditures[1].amount"),
    (("target", "min_result"), -1e15, "target.min_result"),
    (("levers", 5, "price"), 1e300, "levers[5].price"),
])
def test_amounts_beyond_1e12_are_refused(field, value, path):
    """Amounts beyond 1e12: exit 2, the field and the limit named."""
    raw = aura()
    node = raw
    for part in field[:-1]:
        node = node[part]
    node[field[-1]] = value
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: must be between ")
    assert "1e12" in result.stderr


@pytest.mark.parametrize("lever, path", [
    ({"id": "big", "type": "service", "price": 1e9, "max_units": 1e4}, "levers[10].max_units"),
    ({"id": "big", "type": "success_fee", "volume": 1e12, "max_rate": 1, "step": 0.5,
      "volume_elasticity": 1000}, "levers[10].max_rate"),
    ({"id": "big", "type": "custom", "max": 1e9, "revenues": {"fees": 1e6}}, "levers[10].max"),
    ({"id": "big", "type": "eu_projects", "max_proposals": 1_000_000, "success_rate": 1,
      "grant": 1e7}, "levers[10].max_proposals"),
])
def test_lever_effects_beyond_1e12_are_refused(lever, path):
    """A lever that could move a line by more than 1e12 at its bound (1e9 EUR x 1e4 units):
    exit 2 naming the bound. Such a coefficient made CBC call a feasible case infeasible."""
    raw = aura()
    raw["levers"].append(lever)
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: at its bound")
    assert "beyond the limit of 1e12" in result.stderr


def test_a_model_too_large_to_build_is_refused():
    """A small file that asks for 1,001-option success fees by the hundred (over 100,000
    0/1 variables, minutes and gigabytes to build) is refused, naming the lever."""
    raw = aura()
    raw["levers"] += [{"id": f"fee-{i}", "type": "success_fee", "volume": 1e5, "max_rate": 1,
                       "step": 0.001} for i in range(120)]
    result = run("-", input=json.dumps(raw))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: levers[109]: the levers up to this one need 100,159 "
                                    "option variables, more than the 100,000")


@pytest.mark.parametrize("solver", SOLVERS)
def test_badly_scaled_coefficients_give_a_warning_and_a_rechecked_plan(solver):
    """A price of 1e-9 EUR next to amounts of 1e9: a 'badly scaled' warning naming the
    lever, in the result and in the report; the plan still passes the recheck."""
    raw = _scaled(aura(), 1000)  # a budget of 1.5e9 EUR
    raw["levers"].append({"id": "dust", "type": "service", "price": 1e-9, "max_units": 1000})
    result = optimizer.solve(raw, solver=solver)
    assert result.status is Status.OPTIMAL
    assert any(w.startswith("badly scaled") and "levers[10] 'dust'" in w for w in result.warnings)
    assert violations(result.case, evaluate(result.case, result.plan), result.plan) == []
    assert "badly scaled" in result.report("table")


def test_realistic_cases_carry_no_scaling_warning():
    """The bundled case and the contract vectors are not 'badly scaled'."""
    cases = [aura()] + [json.loads(p.read_text())["case"]
                        for p in sorted((ROOT / "tests" / "data" / "contract").glob("v*.json"))]
    for raw in cases:
        assert not [w for w in optimizer.solve(raw, explain=False).warnings if "scaled" in w]


MONEY = {"amount", "price", "unit_cost", "setup_cost", "launch_risk", "fee", "cost_per_member",
         "volume", "grant", "proposal_cost", "min_result", "risk_per_unit", "cost_per_fte",
         "min_amount", "round_to", "max_result"}


def _scaled(raw: dict, factor: float) -> dict:
    def walk(node, key=None):
        if isinstance(node, dict):
            return {k: (walk(v, k) if k not in ("revenues", "expenditures") or
                        not isinstance(v, dict) else {i: c * factor for i, c in v.items()})
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node * factor if key in MONEY and isinstance(node, int | float) else node
    return walk(raw)


@pytest.mark.parametrize("factor", [1e-3, 1e3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_the_answer_scales_with_the_unit_of_money(factor, solver):
    """Every amount in k EUR (x 1e-3) or in milli-EUR (x 1e3): the same counts and options,
    the euro decisions and the EUR at risk scaled by the same factor."""
    base = optimizer.solve(aura(), solver=solver)
    scaled = optimizer.solve(_scaled(aura(), factor), solver=solver)
    assert scaled.status is Status.OPTIMAL
    assert scaled.risk == pytest.approx(base.risk * factor, rel=1e-7)
    for lever in base.case.levers:
        expected = base.plan[lever.id] * (factor if lever.type in ("cut", "grant_cut") else 1)
        assert scaled.plan[lever.id] == pytest.approx(expected, rel=1e-7, abs=1e-9), lever.id


def _wrap_run(monkeypatch, change):
    real = optimizer.analyses.solve.run
    calls = []

    def wrapped(prob, solver="cbc", time_limit=None):
        calls.append(solver)
        return change(prob, real(prob, solver, time_limit), len(calls))
    monkeypatch.setattr(optimizer.analyses.solve, "run", wrapped)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_plan_that_breaks_a_constraint_is_an_error_not_a_plan(monkeypatch, tmp_path, solver):
    """A solver plan that fails the arithmetic recheck (here: every lever reset to 0 after
    the solve) is exit 4 with the reason; no plan is printed and --output is not written."""
    def zero(prob, outcome, n):
        for v in prob.variables():
            v.varValue = 0.0
        return outcome
    _wrap_run(monkeypatch, zero)
    out = tmp_path / "plan.json"
    result = run(AURA, "--solver", solver, "--output", out)
    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: the {solver} plan fails our own recheck: "
                                    "private share 0.500000 is below the target 0.6")
    assert result.stdout == "" and not out.exists()


def test_a_solver_optimum_that_differs_from_the_arithmetic_is_an_error(monkeypatch):
    """A solver whose optimum is not its plan's EUR at risk by arithmetic (what leaning on
    tolerances, a set-up paid at 1e-7, looks like): exit 4, never a plan."""
    _wrap_run(monkeypatch, lambda prob, outcome, n: dataclasses.replace(
        outcome, objective=outcome.objective - 12000))
    result = run(AURA)
    assert result.exit_code == 4
    assert "fails our own recheck: the solver values its plan at 108,005 EUR at risk, but the " \
           "plan's levers add up to 120,005 by arithmetic" in result.stderr


def test_an_infeasible_answer_contradicted_by_the_diagnosis_is_an_error(monkeypatch):
    """The solver says infeasible, but the diagnosis finds a plan that meets every
    constraint: exit 4 (the infeasibility is not reported)."""
    def first_infeasible(prob, outcome, n):
        return SolverOutcome(Status.INFEASIBLE, False, solver=outcome.solver) if n == 1 \
            else outcome
    _wrap_run(monkeypatch, first_infeasible)
    result = run(AURA)
    assert result.exit_code == 4
    assert "said the case is infeasible, but its diagnosis found a plan" in result.stderr


# ---------------------------------------------------------------- solver failures


@pytest.fixture
def cbc_tmp(tmp_path, monkeypatch):
    """A fresh temporary folder for CBC's files (tempfile.mkdtemp uses it)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_cbc_missing_is_exit_4_with_a_clear_message(monkeypatch, cbc_tmp, tmp_path):
    """PuLP's cbc binary missing: exit 4, what to do, nothing on standard output, no file."""
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(tmp_path / "no-such-cbc"))
    out = tmp_path / "out.json"
    result = run(AURA, "--output", out)
    assert result.exit_code == 4
    assert result.stderr.startswith("error: CBC is not available: PuLP's bundled cbc binary "
                                    "is missing.")
    assert "--solver highs" in result.stderr
    assert result.stdout == "" and not out.exists() and os.listdir(cbc_tmp) == []


def test_highs_missing_is_exit_4_with_a_clear_message(monkeypatch):
    """highspy not importable: exit 4 and how to install it."""
    solve_module = importlib.import_module("optimizer.solvers.highs")
    monkeypatch.setattr(solve_module, "_HIGHS", None)
    monkeypatch.setitem(sys.modules, "highspy", None)
    result = run(AURA, "--solver", "highs")
    assert result.exit_code == 4
    assert result.stderr == "error: HiGHS is not installed: pip install highspy, or use " \
                            "--solver cbc\n"


FAKE_CBC = {
    "segfault": "kill -SEGV $$",
    "exit-1": "echo 'Segmentation fault' >&2; exit 1",
    "no-solution": "exit 0",
    "empty-solution": 'while [ $# -gt 0 ]; do [ "$1" = -solution ] && : > "$2"; shift; done',
    "garbage-solution": 'while [ $# -gt 0 ]; do [ "$1" = -solution ] && printf '
                        "'Optimal - objective value 1\\n 0 X0000001 zz 0\\n' > \"$2\"; shift; done",
}


@pytest.mark.parametrize("kind", sorted(FAKE_CBC))
def test_a_crashing_cbc_is_exit_4_without_traceback(monkeypatch, cbc_tmp, tmp_path, kind):
    """A cbc that crashes, exits with an error, or writes no, an empty or a garbled solution:
    exit 4 and one line on standard error; CBC's temporary folder is removed."""
    fake = tmp_path / "cbc"
    fake.write_text(f"#!/bin/sh\n{FAKE_CBC[kind]}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(fake))
    result = run(AURA)
    assert result.exit_code == 4
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "CBC failed" in result.stderr or "fails our own recheck" in result.stderr
    assert result.stdout == ""
    assert os.listdir(cbc_tmp) == []


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limit_with_a_feasible_plan(tmp_path, solver):
    """A real time limit (a 250 x 10 knapsack, 1 s): status time_limit, proven_optimal
    false, exit 4; the plan is shown, flagged as not proven, and passes the recheck."""
    path = write(tmp_path / "knapsack.json", knapsack_case())
    result = run(path, "--solver", solver, "--time-limit", "1", "--format", "json")
    assert result.exit_code == 4
    out = json.loads(result.stdout)
    assert out["status"] == "time_limit" and out["proven_optimal"] is False
    assert out["risk"] is not None and "Not proven optimal" in out["summary"][0]
    plan = {lever["id"]: lever["value"] for lever in out["levers"]}
    case = optimizer.load_case(path)
    assert violations(case, evaluate(case, plan), plan) == []
    table = run(path, "--solver", solver, "--time-limit", "1")
    assert table.exit_code == 4
    assert table.stdout.startswith("multi-dimensional knapsack 250x10: time limit\n")
    assert "(Not proven optimal: the solver stopped at its time limit.)" in table.stdout
    assert "The plan" in table.stdout


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limit_without_a_plan(tmp_path, solver):
    """A time limit before any plan (market split 5 x 40, 1 s): time_limit, exit 4, no risk,
    and the report says that the solver gave no usable plan."""
    path = write(tmp_path / "split.json", market_split_case())
    result = run(path, "--solver", solver, "--time-limit", "1", "--format", "json")
    assert result.exit_code == 4
    out = json.loads(result.stdout)
    assert out["status"] == "time_limit" and out["proven_optimal"] is False
    assert out["risk"] is None
    assert out["summary"][0].startswith("The solver gave no usable plan (status: time_limit")


# ---------------------------------------------------------------- Ctrl-C


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(cmdline.split("/")[2]))
        except OSError:
            pass
    return [pid for pid in found if pid != os.getpid()]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("solver, target, existing", [
    ("cbc", "process", False), ("cbc", "group", True), ("highs", "process", True),
])
def test_ctrl_c_leaves_no_temporary_files_and_no_half_written_output(
        tmp_path, solver, target, existing):
    """SIGINT to a running `optimize CASE --output F` (the process alone, or its whole group
    as a terminal's Ctrl-C does): exit 130, 'interrupted' and no traceback, nothing left in
    the temporary folder, no CBC left running, and F absent or as it was (complete)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    case = write(tmp_path / "split.json", market_split_case())
    out = tmp_path / "report.json"
    if existing:
        out.write_text("the previous report\n")
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = start_from_a_terminal([sys.executable, "-m", "cli.main", str(case), "--solver",
                                  solver, "--output", str(out)], ROOT, env)

    def ready() -> None:
        if solver == "cbc":  # CBC runs once its model file is in our folder
            wait_for(lambda: glob.glob(str(tmp / "cluster-opt-cbc-*" / "*.mps")), "CBC's files")
            wait_for(lambda: _processes_mentioning(str(tmp)) != [proc.pid], "CBC running")
        else:  # HiGHS runs in-process: wait until the solve burns CPU time
            wait_for(lambda: _cpu_seconds(proc.pid) > 2.5, "the solve")

    stdout, stderr = interrupt(proc, target, ready)
    assert proc.returncode == 130, stderr.decode()[-2000:]
    assert stderr.decode() == "interrupted: nothing was written\n"
    assert stdout == b""
    assert os.listdir(tmp) == []
    assert _processes_mentioning(str(tmp)) == []
    if existing:
        assert out.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["tmp", "split.json"] + (["report.json"] if existing else []))


# ---------------------------------------------------------------- output


@pytest.fixture
def case_copy(tmp_path):
    path = tmp_path / "case.json"
    path.write_bytes(AURA.read_bytes())
    return path


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.mark.parametrize("alias", ["same", "relative", "symlink", "hardlink"])
def test_output_never_overwrites_the_input_case(case_copy, tmp_path, monkeypatch, alias):
    """--output naming the input case (as is, by another relative path, through a symbolic
    or a hard link): exit 2 and the case untouched."""
    monkeypatch.chdir(tmp_path)
    before = _fingerprint(case_copy)
    target = {"same": str(case_copy), "relative": "./sub/../case.json",
              "symlink": "link.json", "hardlink": "hard.json"}[alias]
    (tmp_path / "sub").mkdir()
    if alias == "symlink":
        os.symlink(case_copy, tmp_path / "link.json")
    if alias == "hardlink":
        os.link(case_copy, tmp_path / "hard.json")
    result = run(case_copy, "--output", target)
    assert result.exit_code == 2
    assert "this is the input case; choose another file" in result.stderr
    assert _fingerprint(case_copy) == before


def test_the_input_case_is_never_modified(case_copy, tmp_path):
    """Every format, --set overrides, --output elsewhere and an infeasible target: the case
    file's bytes and modification time do not change."""
    before = _fingerprint(case_copy)
    for args in (["--format", "json"], ["--format", "csv"], ["--format", "markdown"],
                 ["--set", "target.private_share=0.7"], ["--set", "levers.training.price=1500",
                                                         "--output", tmp_path / "r.txt"]):
        assert run(case_copy, *args).exit_code in (0, 3)
    assert _fingerprint(case_copy) == before


def test_a_failed_run_leaves_an_existing_output_as_it_was(case_copy, tmp_path, monkeypatch):
    """An invalid override (exit 2) or a crashed solver (exit 4): the previous report stays."""
    out = tmp_path / "report.txt"
    out.write_text("the previous report\n")
    assert run(case_copy, "--set", "target.private_share=2", "--output", out).exit_code == 2
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(tmp_path / "no-cbc"))
    assert run(case_copy, "--output", out).exit_code == 4
    assert out.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.json", "report.txt"]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_write_that_fails_half_way_leaves_nothing_behind(case_copy, tmp_path, monkeypatch,
                                                           failure):
    """The disk fills up, or Ctrl-C, while the report is written: the previous report stays,
    no temporary file is left beside it; exit 2 with the reason, or 130."""
    out = tmp_path / "report.txt"
    out.write_text("the previous report\n")

    def broken(*args, **kwargs):
        raise failure
    monkeypatch.setattr(os, "fsync", broken)
    result = run(case_copy, "--output", out)
    if isinstance(failure, OSError):
        assert result.exit_code == 2
        assert result.stderr == f"error: --output {out}: cannot write (No space left on device)\n"
    else:
        assert result.exit_code == 130
    assert out.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.json", "report.txt"]


def test_output_into_a_folder_that_cannot_be_written(case_copy, tmp_path):
    """A folder where no file can be created (/proc): exit 2 naming --output."""
    result = run(case_copy, "--output", "/proc/cluster-report.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --output /proc/cluster-report.txt: cannot write")


def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(case_copy, tmp_path):
    """--output LINK writes the file the link names; the link stays a link."""
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    os.symlink(real, link)
    assert run(case_copy, "--output", link).exit_code == 0
    assert link.is_symlink() and real.read_text().startswith("Average AURA cluster, 2020")


def test_output_keeps_the_permissions_of_the_file_it_replaces(case_copy, tmp_path):
    """The report replaces a file with its permissions (not the 0600 of a temporary file)."""
    out = tmp_path / "report.txt"
    out.write_text("old")
    out.chmod(0o640)
    assert run(case_copy, "--output", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_output_to_a_pipe_is_written_in_place_not_replaced(case_copy, tmp_path):
    """--output to a named pipe (like /dev/stdout): the report goes through the pipe and the
    pipe is still a pipe (a rename would have replaced a device by a file)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(case_copy, "--output", fifo, "--format", "json")
    reader.join(timeout=60)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["status"] == "optimal"


# ---------------------------------------------------------------- the library


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("share", [0.6, 0.8])
def test_solve_never_mutates_the_case_or_the_dict(solver, share):
    """solve() leaves the Case (model_dump) and the dict it was given as they were, for an
    optimal and for an infeasible target (whose diagnosis re-solves variants of the case)."""
    raw = aura()
    raw["target"]["private_share"] = share
    kept = copy.deepcopy(raw)
    case = optimizer.load_case(raw)
    dumped = case.model_dump()
    result = optimizer.solve(case, solver=solver)
    assert result.status is (Status.OPTIMAL if share == 0.6 else Status.INFEASIBLE)
    assert case.model_dump() == dumped
    assert raw == kept
    optimizer.solve(raw, solver=solver, overrides={"x": [1]})
    assert raw == kept


def _cyclic() -> dict:
    raw = aura()
    raw["notes"] = raw
    return raw


@pytest.mark.parametrize("source, message", [
    ({**aura(), 1: 2}, "case: not JSON data (TypeError"),
    (_cyclic(), "case: not JSON data (ValueError: Circular reference detected)"),
    ([aura()], "case: must be a JSON object {...}, got a list"),
    (None, "case: must be a JSON object {...}, got null"),
])
def test_library_misuse_raises_case_error(source, message):
    """A script that hands solve() something that is not a case gets a CaseError."""
    with pytest.raises(CaseError) as caught:
        optimizer.solve(source)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("limit", ["5", True, [1], float("nan"), 0, -1.5])
def test_library_time_limit_must_be_a_positive_number(limit):
    """time_limit of the wrong type or sign: a CaseError naming it, not a TypeError."""
    with pytest.raises(CaseError, match=r"^time_limit: must be a positive number of seconds"):
        optimizer.solve(aura(), time_limit=limit)


def test_a_result_cannot_be_changed():
    """Result, Evaluation and Effects are frozen; the plan, the figures by line, the audit
    (overrides included) and the diagnosis are read-only mappings."""
    result = optimizer.solve(aura(), overrides={"target.private_share": 0.6, "x": [1, 2]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = Status.INFEASIBLE  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.evaluation.risk = 0.0  # type: ignore[misc, union-attr]
    eff = result.evaluation.effects["training"]  # type: ignore[union-attr]
    with pytest.raises(dataclasses.FrozenInstanceError):
        eff.value = 1.0  # type: ignore[misc]
    for mapping, key in [(result.plan, "training"), (result.audit, "solver"),
                         (result.audit["overrides"], "x"), (result.evaluation.effects, "eu"),
                         (eff.revenue, "services"), (result.evaluation.revenues, "fees"),
                         (result.before.expenditures, "salaries")]:
        with pytest.raises(TypeError):
            mapping[key] = 0  # type: ignore[index]
    with pytest.raises((TypeError, AttributeError)):
        result.audit["overrides"]["x"].append(3)
    first = result.to_dict()
    first["levers"].clear()
    first["audit"]["overrides"]["x"] = "changed"
    assert result.to_dict()["levers"] and result.to_dict()["audit"]["overrides"]["x"] == [1, 2]
    infeasible = optimizer.solve({**aura(), "target": {"private_share": 0.8}})
    with pytest.raises(TypeError):
        infeasible.diagnosis.best_plan["training"] = 0  # type: ignore[index, union-attr]


# ---------------------------------------------------------------- audit trail


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_audit_trail_of_a_json_result(case_copy, solver):
    """The SHA-256 of the case as read, where from, the overrides, the solver, its version
    and options (time limit, seed), and the package version."""
    result = run(case_copy, "--format", "json", "--solver", solver, "--time-limit", "30",
                 "--set", "target.private_share=0.61", "--set", "levers.training.price=1300")
    audit = json.loads(result.stdout)["audit"]
    assert audit["case_sha256"] == hashlib.sha256(case_copy.read_bytes()).hexdigest()
    assert audit["case_source"] == str(case_copy)
    assert audit["overrides"] == {"target.private_share": 0.61, "levers.training.price": 1300}
    assert audit["solver"] == solver
    assert audit["solver_version"].startswith("CBC" if solver == "cbc" else "HiGHS 1.")
    assert audit["solver_options"]["time_limit"] == 30
    assert audit["solver_options"]["seed"] == (0 if solver == "highs" else "cbc default (fixed)")
    assert audit["package_version"] == optimizer.__version__
    assert audit["pulp_version"] == pulp.__version__


def test_the_audit_trail_is_in_every_report_and_status(case_copy):
    """Table and markdown reports print the full SHA-256 and the overrides; infeasible and
    time-limit results carry the audit as well."""
    digest = hashlib.sha256(case_copy.read_bytes()).hexdigest()
    for fmt in ("table", "markdown"):
        text = run(case_copy, "--format", fmt, "--set", "target.private_share=0.61").stdout
        assert f"Audit: case SHA-256 {digest} ({case_copy}); overrides: " \
               "target.private_share=0.61; solver CBC" in text
    infeasible = run(case_copy, "--format", "json", "--set", "target.private_share=0.8")
    assert infeasible.exit_code == 3
    assert json.loads(infeasible.stdout)["audit"]["case_sha256"] == digest


def test_the_audit_trail_reproduces_the_figures(case_copy, tmp_path):
    """Re-running what the audit records (same bytes, overrides, solver, time limit) gives
    the same JSON, byte for byte."""
    first = run(case_copy, "--format", "json", "--solver", "highs",
                "--set", "levers.training.price=1300").stdout
    audit = json.loads(first)["audit"]
    copy_path = tmp_path / "archived.json"
    copy_path.write_bytes(case_copy.read_bytes())
    assert hashlib.sha256(copy_path.read_bytes()).hexdigest() == audit["case_sha256"]
    args = [a for k, v in audit["overrides"].items() for a in ("--set", f"{k}={v}")]
    again = run(copy_path, "--format", "json", "--solver", audit["solver"], *args).stdout
    assert again.replace(str(copy_path), str(case_copy)) == first

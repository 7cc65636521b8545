"""Cases that once broke, kept with what they must give."""

from __future__ import annotations

import json

import pytest

import optimizer
from optimizer.plan.evaluate import evaluate, violations

from .conftest import DATA

CRUMBS = sorted((DATA / "regressions").glob("max-levers-crumb-*.json"))


@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize("path", CRUMBS, ids=[p.stem for p in CRUMBS])
def test_unused_lever_crumbs_do_not_count_against_max_levers(path, solver):
    """A lever whose 0/1 indicator is off is reported at 0, not at the crumb the solver's
    integrality tolerance allowed (which once made the recheck count it against max_levers)."""
    case = json.loads(path.read_text())
    result = optimizer.solve(case, solver=solver, explain=False)
    assert result.status.value == "optimal"
    used = [lever_id for lever_id, value in result.plan.items() if value != 0]
    assert len(used) <= case["target"]["max_levers"]
    assert violations(result.case, evaluate(result.case, result.plan), result.plan) == []


def test_both_solvers_agree_on_the_crumb_cases():
    """CBC and HiGHS give the same minimum EUR at risk on these cases."""
    for path in CRUMBS:
        case = json.loads(path.read_text())
        risks = [optimizer.solve(case, solver=s, explain=False).risk for s in ("cbc", "highs")]
        assert risks[0] == pytest.approx(risks[1], rel=1e-6, abs=0.01)


def test_duplicate_rule_names_are_refused():
    """Rules are named in diagnoses and in --set rules.NAME: two rules may not share a name."""
    from .conftest import CASES

    case = json.loads((CASES / "aura-average-2020.json").read_text())
    rule = {"name": "EU cap on public operating aid", "terms": {"public": 1, "expenditures": -0.5},
            "sense": "<=", "rhs": 0}
    case["rules"] = [rule, dict(rule)]
    with pytest.raises(optimizer.CaseError, match=r"rules\[1\]\.name: duplicate rule name"):
        optimizer.load_case(case)


def test_seeds_are_in_the_audit_trail():
    """A simulation's seed is in the audit, so a funder can reproduce the figures."""
    from .conftest import CASES

    result = optimizer.solve(CASES / "aura-average-2020.json", explain=False)
    simulated = result.with_simulation(optimizer.simulate(result, 1000, seed=42))
    assert simulated.to_dict()["audit"]["seeds"] == {"simulation": 42}
    assert result.to_dict()["audit"]["seeds"] == {}


def test_sweeping_members_keeps_swept_and_after_columns_apart():
    """--sweep members=...: the swept members and the members after the plan are two columns
    (they once collided, and the table and json reports crashed)."""
    from click.testing import CliRunner

    from cli.main import main

    from .conftest import CASES

    aura = str(CASES / "aura-average-2020.json")
    for fmt in ("table", "markdown", "json", "csv"):
        out = CliRunner().invoke(main, [aura, "--sweep", "members=250,270", "--quiet",
                                        "--format", fmt])
        assert out.exit_code == 0, out.output
        assert "internal error" not in out.output
    frame = optimizer.sweep(optimizer.load_case(aura), {"members": [250, 300]}, workers=1)
    assert list(frame["members"]) == [250, 300]
    assert "members_after" in frame.columns
    # The plan keeps members as they are (no fee increase in it), so after = swept.
    assert list(frame["members_after"]) == [250.0, 300.0]


def test_structured_override_in_the_audit_line():
    """--set with an object value prints in the people's report's audit line (it once
    crashed on a read-only mapping)."""
    from click.testing import CliRunner

    from cli.main import main

    from .conftest import CASES

    out = CliRunner().invoke(main, [str(CASES / "aura-average-2020.json"), "--set",
                                    'levers.training.uncertainty={"low": 0.5}'])
    assert out.exit_code == 0, out.output
    assert 'levers.training.uncertainty={"low": 0.5}' in out.output

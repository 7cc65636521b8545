"""Safer and kinder plans at the same target (MODEL.md v2, "Honest reports"): what a board
asks next. Each alternative is checked against an independent `optimize` of the case with
that one setting changed (through the CLI, as a user would ask it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main

AURA = str(Path(__file__).resolve().parent.parent / "cases" / "aura-average-2020.json")


def run_json(*sets: str) -> dict:
    args = [a for s in sets for a in ("--set", s)]
    out = CliRunner().invoke(main, [AURA, *args, "--format", "json"])
    assert out.exit_code in (0, 3), out.output
    return json.loads(out.stdout)


def alternative(data: dict, kind: str) -> dict | None:
    return next((a for a in data.get("alternatives", []) if a["kind"] == kind), None)


@pytest.fixture(scope="module")
def at_52():
    return run_json("target.private_share=0.52")


def test_keep_members_is_the_least_risk_with_no_member_lost(at_52):
    lost = at_52["indicators"]["members_lost"]["after"]
    assert lost >= 0.5  # the least risky plan raises fees and members leave
    keep = alternative(at_52, "keep_members")
    assert keep is not None and keep["status"] == "optimal"
    alone = run_json("target.private_share=0.52", "target.max_members_lost=0")
    assert alone["status"] == "optimal" and alone["indicators"]["members_lost"]["after"] < 0.5
    assert keep["risk"] == pytest.approx(alone["risk"], abs=0.01)
    assert keep["extra_risk"] == pytest.approx(alone["risk"] - at_52["risk"], abs=0.01)
    assert keep["extra_risk"] > 0
    line = next(s for s in at_52["summary"] if s.startswith("Keeping every member"))
    assert "target.max_members_lost = 0" in line


def test_robust_alternative_is_the_robust_solve_and_its_outlook(at_52):
    assert at_52["outlook"]["p_both"] < 0.8
    safer = alternative(at_52, "robust")
    assert safer is not None and safer["status"] == "optimal" and safer["value"] == 1
    robust = run_json("target.private_share=0.52", "target.robust=1")
    assert safer["risk"] == pytest.approx(robust["risk"], abs=0.01)
    assert safer["p_both"] == pytest.approx(robust["outlook"]["p_both"])
    assert "A safer plan: with target.robust = 1 (it holds if any one lever delivers only its " \
           "low case)" in at_52["outlook"]["advice"]


def test_no_robust_plan_at_the_target_gives_the_highest_robust_share():
    """At 60 % no plan survives one lever's low case: the advice says so and gives the
    highest share a robust plan reaches, the one the robust case's own diagnosis finds."""
    data = run_json()
    safer = alternative(data, "robust")
    assert safer is not None and safer["status"] == "infeasible" and safer["risk"] is None
    robust = run_json("target.robust=1")
    assert robust["status"] == "infeasible"
    assert safer["max_private_share"] == pytest.approx(
        robust["diagnosis"]["max_private_share"], abs=1e-9)
    advice = data["outlook"]["advice"]
    assert "no plan reaches 60% if any one lever delivers only its low case" in advice
    assert f"{safer['max_private_share']:.2%}" in advice


def test_a_plan_that_holds_and_keeps_its_members_has_no_alternative():
    data = run_json("target.private_share=0.59", "target.robust=2")
    assert data["outlook"]["p_both"] >= 0.8
    assert data["indicators"]["members_lost"]["after"] < 0.5
    assert "alternatives" not in data
    assert not any(s.startswith("Keeping every member") for s in data["summary"])

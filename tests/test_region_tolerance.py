"""A cluster's `target.risk_tolerance` in a region run (docs/MODEL.md, Region, "Objectives"):
the region's program chooses every plan with the split and does not use its members choice,
and says so,
in the cluster's warnings (every format) and in one sentence of the report naming exactly
those clusters; a batch (no envelope, pool or region share) runs each cluster's own
optimize, which applies it, and says nothing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main
from optimizer import i18n
from optimizer.report.region import render_region
from optimizer.report.region_horizon import render_region_horizon
from optimizer.status import Status
from tests.test_region_horizon import hand_region

ROOT = Path(__file__).resolve().parent.parent
AVERAGE = json.loads((ROOT / "cases" / "aura-average-2020.json").read_text(encoding="utf-8"))
SMALL = json.loads((ROOT / "cases" / "small-regional-cluster.json").read_text(encoding="utf-8"))


def _region(**rows) -> dict:
    """The average case (risk tolerance 1 %) and the small regional cluster with its
    tolerance removed, with the given region rows (none: a batch)."""
    small = copy.deepcopy(SMALL)
    small["target"].pop("risk_tolerance", None)
    return {"name": "tolerance", "clusters": [{"id": "avg", "case": copy.deepcopy(AVERAGE)},
                                              {"id": "small", "case": small}], **rows}


def _said(warnings) -> bool:
    return any(w.startswith("target.risk_tolerance") for w in warnings)


def test_the_case_applies_it_on_its_own():
    assert AVERAGE["target"]["risk_tolerance"] > 0
    assert optimizer.solve(optimizer.load_case(AVERAGE)).members_choice is not None


@pytest.mark.parametrize("method", ["joint", "decompose"])
def test_a_region_run_says_it_does_not_apply_it(method):
    result = optimizer.solve_region(_region(member_pool=30), method=method)
    assert result.status is Status.OPTIMAL
    by_id = {p.id: p for p in result.parts}
    assert _said(by_id["avg"].result.warnings)
    assert not _said(by_id["small"].result.warnings)
    assert by_id["avg"].result.members_choice is None
    data = json.loads(render_region(result, "json"))
    warned = {c["id"] for c in data["clusters"] if _said(c["result"]["warnings"])}
    assert warned == {"avg"}
    text = render_region(result, "table")
    line = next(t for t in text.splitlines() if t.startswith("Not used in a region run"))
    assert "avg" in line and "small" not in line
    with i18n.language("fr"):
        french = render_region(result, "table")
    assert "Non utilisé dans le calcul de la région : le choix des adhérents de avg" in french
    assert "Not used" not in french


def test_a_batch_applies_it_and_says_nothing():
    result = optimizer.solve_region(_region())
    by_id = {p.id: p for p in result.parts}
    assert by_id["avg"].result.members_choice is not None
    assert not any(_said(p.result.warnings) for p in result.parts)
    assert "Not used in a region run" not in render_region(result, "table")


def test_a_region_horizon_says_it_too():
    raw = hand_region(197_000)
    raw["clusters"][0]["case"]["target"]["risk_tolerance"] = 0.02
    result = optimizer.solve_region_horizon(optimizer.load_region(raw))
    assert result.status is Status.OPTIMAL
    warned = [p.id for p in result.parts if _said(p.result.warnings)]
    assert warned == ["a"]
    line = next(t for t in render_region_horizon(result, "table").splitlines()
                if t.startswith("Not used in a region run"))
    assert "members choice of a (target" in line and " b " not in line


def test_the_cli_prints_it_in_every_format(tmp_path):
    path = tmp_path / "region.json"
    path.write_text(json.dumps(_region(member_pool=30)), encoding="utf-8")
    runner = CliRunner()
    for fmt in ("table", "markdown"):
        out = runner.invoke(main, [str(path), "--format", fmt])
        assert out.exit_code == 0, out.output
        assert "the members choice of avg (target.risk_tolerance)" in out.output
    out = runner.invoke(main, [str(path), "--format", "json"])
    assert out.exit_code == 0
    assert _said(json.loads(out.output)["clusters"][0]["result"]["warnings"])

"""The region view (issue 10): a region file through the CLI and the library, bad input named
by file and field, an envelope that cannot be met (exit 3 with the exact smallest envelope).

The small regions here are three bundled AURA clusters (tests/data/region/three.json) or
built inline; the independent check of the optimum is tests/test_region_check.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import optimizer
from cli.main import main

THREE = Path(__file__).parent / "data" / "region" / "three.json"
BUNDLED = Path(__file__).resolve().parent.parent / "cases" / "aura-region"


def _raw() -> dict:
    return json.loads(THREE.read_text())


def _write(tmp_path: Path, raw: dict) -> str:
    for c in raw["clusters"]:
        if isinstance(c["case"], str):
            c["case"] = str((THREE.parent / c["case"]).resolve())
    path = tmp_path / "region.json"
    path.write_text(json.dumps(raw))
    return str(path)


def test_cli_json_carries_the_split_and_each_cluster_result():
    """optimize region.json --format json: status, total risk = sum of the clusters' risks,
    envelope after = before - cuts <= amount, each cluster's result of optimize."""
    out = CliRunner().invoke(main, [str(THREE), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["status"] == "optimal" and data["proven_optimal"]
    assert data["total_risk"] == pytest.approx(sum(c["result"]["risk"]
                                                   for c in data["clusters"]), abs=1e-4)
    env = data["envelopes"][0]
    cut = sum(c["cuts"]["region"] for c in data["clusters"])
    assert env["after"] == pytest.approx(env["before"] - cut, abs=1e-4)
    assert env["after"] <= env["amount"] + 1e-3
    for c in data["clusters"]:
        result = c["result"]
        assert set(result) >= {"levers", "budget", "indicators", "risk", "status"}
        line = next(r for r in result["budget"]["revenues"] if r["id"] == "region")
        today = json.loads((BUNDLED / f"{c['id']}.json").read_text())
        amount = next(r["amount"] for r in today["revenues"] if r["id"] == "region")
        assert line["before"] == pytest.approx(amount - c["cuts"]["region"], abs=1e-4)
        assert c["cuts"]["region"] <= 0.3 * amount + 1e-6


def test_each_cluster_part_is_its_optimize_result_on_the_cut_case(tmp_path):
    """A cluster's part equals `optimize` on its case with the line at its after-cut amount
    (no member pool or region share here, so each plan is also that case's least risk)."""
    raw = _raw()
    raw.pop("member_pool")
    raw.pop("region_private_share")
    result = optimizer.solve_region(_write(tmp_path, raw), explain=False)
    assert result.status.value == "optimal"
    for part in result.parts:
        alone = optimizer.solve(part.result.case, solver="highs", explain=False)
        assert alone.risk == pytest.approx(part.risk, rel=1e-6, abs=1e-3)


def test_library_gives_dataframes():
    result = optimizer.solve_region(str(THREE), explain=False)
    assert list(result.clusters["id"]) == ["axelera", "digital-league", "cluster-montagne"]
    assert list(result.envelopes["id"]) == ["region"]
    assert "cut:region" in result.clusters.columns


def test_set_on_region_paths(tmp_path):
    """--set clusters.axelera.target.private_share and envelopes.region.amount."""
    out = CliRunner().invoke(main, [str(THREE), "--format", "json", "--set",
                                    "clusters.axelera.target.private_share=0.58", "--set",
                                    "envelopes.region.amount=1200000"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["envelopes"][0]["amount"] == 1200000
    axelera = next(c for c in data["clusters"] if c["id"] == "axelera")
    assert axelera["result"]["target"]["private_share"] == 0.58


def test_envelope_out_of_reach_exits_3_with_the_smallest_envelope(tmp_path):
    """An envelope below what the clusters can absorb: exit 3, diagnosis.min_envelope equals
    today's total less every cluster's largest cut it can absorb (no other region row)."""
    raw = _raw()
    raw.pop("member_pool")
    raw.pop("region_private_share")
    raw["envelopes"][0]["amount"] = 900000
    path = _write(tmp_path, raw)
    out = CliRunner().invoke(main, [path, "--format", "json"])
    assert out.exit_code == 3, out.output
    data = json.loads(out.output)
    assert data["status"] == "infeasible"
    least = data["diagnosis"]["min_envelope"]["region"]
    assert least > 900000
    # Exact: the same region with the envelope at the smallest amount is feasible.
    raw2 = copy.deepcopy(raw)
    raw2["envelopes"][0]["amount"] = least + 1.0
    ok = optimizer.solve_region(_write(tmp_path, raw2), explain=False)
    assert ok.status.value == "optimal"
    raw2["envelopes"][0]["amount"] = least - 100.0
    assert optimizer.solve_region(_write(tmp_path, raw2), explain=False).status.value \
        == "infeasible"
    text = CliRunner().invoke(main, [path])
    assert text.exit_code == 3 and "smallest amount the clusters can absorb" in text.output


@pytest.mark.parametrize("change, message", [
    (lambda r: r["clusters"][1].update(case="clusters/x.json"),
     "clusters[1].case: no such file 'clusters/x.json'"),
    (lambda r: r["envelopes"][0]["lines"].update(axelera="regio"),
     "envelopes[0].lines.axelera: 'regio' is not a public revenue line of axelera; "
     "did you mean 'region'?"),
    (lambda r: r["envelopes"][0]["lines"].update(nobody="region"),
     "envelopes[0].lines.nobody: no cluster 'nobody' in clusters"),
    (lambda r: r["clusters"][2].update(id="axelera"),
     "clusters[2].id: 'axelera' is already the id of clusters[0]"),
    (lambda r: r["envelopes"][0].update(amount=5_000_000),
     "envelopes[0].amount: 5,000,000 is above what the clusters receive from it today"),
    (lambda r: r["envelopes"][0].update(max_cut_fraction=1.5),
     "envelopes[0].max_cut_fraction"),
])
def test_bad_input_names_file_and_field_and_writes_nothing(tmp_path, change, message):
    raw = _raw()
    change(raw)
    for c in raw["clusters"]:
        if isinstance(c["case"], str) and not c["case"].startswith("clusters/"):
            c["case"] = str((THREE.parent / c["case"]).resolve())
    path = tmp_path / "region.json"
    path.write_text(json.dumps(raw))
    report = tmp_path / "out.json"
    out = CliRunner().invoke(main, [str(path), "-o", str(report)])
    assert out.exit_code == 2, out.output
    assert message in out.output and "Traceback" not in out.output
    assert not report.exists()

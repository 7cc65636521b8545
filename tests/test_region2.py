"""Issue 10, second part: the region schema from the CLI, the report's time-limit line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main

ROOT = Path(__file__).resolve().parent.parent
THREE = ROOT / "tests" / "data" / "region" / "three.json"


def test_schema_region_word_and_file() -> None:
    runner = CliRunner()
    for args in (["--schema", "region"], ["--schema", str(THREE)]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, done.output
        schema = json.loads(done.output)
        assert schema["title"] == "Cluster region file"
        assert "envelopes" in schema["properties"]
    case = json.loads(runner.invoke(main, ["--schema"]).output)
    assert case.get("title") != "Cluster region file"
    assert "revenues" in case["properties"]


def test_decomposition_brackets_the_joint_optimum() -> None:
    """The Lagrangian bound is at most the joint program's proven optimum, and the split
    the decomposition returns meets every row and is at least that optimum."""
    from optimizer.analyses.region import cut_case, solve_region
    from optimizer.analyses.region_decompose import decompose_region
    from optimizer.case.region import load_region
    from optimizer.plan.evaluate import evaluate, violations

    region = load_region(THREE)
    joint = solve_region(region, explain=False)
    assert joint.proven_optimal and joint.total_risk is not None
    dec = decompose_region(region, iterations=30)
    assert dec.bound <= joint.total_risk + 1e-3
    assert dec.objective is not None and dec.objective >= joint.total_risk - 1e-3
    after = 0.0
    for k, cid in enumerate(region.ids):
        by_line = {line: dec.cuts[cid].get(env.id, 0.0) for env, line in region.funded(cid)}
        case = cut_case(region.cases[k], by_line)
        plan = {lever.id: dec.plans[k].get(lever.id, 0.0) for lever in case.levers}
        assert not violations(case, evaluate(case, plan), plan)
        after += sum(case.revenue(line).amount for line in by_line)
    assert after <= region.spec.envelopes[0].amount + 1e-3


def test_a_cluster_case_with_the_cvar_objective_is_refused_naming_the_field(tmp_path):
    """The region minimises EUR at risk: a cluster whose case asks for CVaR is refused
    (exit 2, the field named, nothing written), not silently solved on another objective."""
    import json as _json
    from pathlib import Path as _Path

    from click.testing import CliRunner as _Runner

    from cli.main import main as _main

    root = _Path(__file__).resolve().parent.parent
    region = _json.loads((root / "cases/aura-region-small/region.json").read_text())
    case = _json.loads((root / "cases/aura-region/digital-league.json").read_text())
    case["target"]["risk_measure"] = "cvar"
    region["clusters"][1]["case"] = case
    for ref in region["clusters"]:
        if isinstance(ref["case"], str):
            ref["case"] = str((root / "cases/aura-region-small" / ref["case"]).resolve())
    path = tmp_path / "region.json"
    path.write_text(_json.dumps(region))
    out_file = tmp_path / "out.json"
    out = _Runner().invoke(_main, [str(path), "--output", str(out_file)])
    assert out.exit_code == 2, out.output
    assert "clusters[1].case.target.risk_measure" in out.output
    assert "Traceback" not in out.output
    assert not out_file.exists()

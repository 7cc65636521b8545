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


# --- The report read as a funder's analyst reads it (issue 10) -----------------------------

def _three_abs(raw: dict) -> dict:
    for c in raw["clusters"]:
        if isinstance(c["case"], str):
            c["case"] = str((THREE.parent / c["case"]).resolve())
    return raw


@pytest.fixture(scope="module")
def three_result():
    return optimizer.solve_region(str(THREE))


def test_region_words_start_from_todays_share_then_the_cut_then_the_plan(three_result):
    """Each cluster's words say the share today (the table's 'Private today'), where the cut
    takes it (the cluster's result, built on the after-cut case, starts there), then where
    the plan brings it; the cluster's own head ('To raise the private share from <after-cut
    share>') is not in the region report, while its JSON summary keeps it (the contract)."""
    from optimizer.fmt import keur

    r = three_result
    text = r.report("table")
    md = r.report("markdown")
    for p in r.parts:
        cut = sum(p.cuts.values())
        assert cut > 0
        before, after_cut = p.before_share, p.result.before.private_share
        assert after_cut > before  # a lower grant raises the private share
        ev = p.result.evaluation
        head = (f"{p.id}: Regional council cuts {keur(cut)} EUR ({cut / p.budget:.1%} of its "
                f"budget")
        share = (f"which takes its private share from {before:.1%} to {after_cut:.1%} and its "
                 f"result from {keur(p.before_result, True)} EUR to "
                 f"{keur(p.result.before.result, True)} EUR")
        plan = (f"its plan then brings the result to {keur(ev.result, True)} EUR and the share "
                f"to {ev.private_share:.1%}")
        for out in (text, md):
            line = next(ln for ln in out.splitlines() if ln.startswith(f"{p.id}: "))
            assert head in line and share in line and plan in line
            assert f"putting {keur(ev.risk)} EUR at risk" in line
        # The cluster's JSON result is untouched: its own head starts from the after-cut share.
        own = p.result.to_dict()["summary"][0]
        assert own not in text
        assert f"{after_cut:.1%}" in own or "already meets" in own
    # The table shows the three shares side by side.
    assert "Private today" in text and "after cut" in text and "after plan" in text


def test_region_words_explain_a_cut_deeper_than_asked_and_a_non_binding_envelope(three_result):
    """three.json: the envelope asks 10 % and the split cuts deeper; the sentence next to the
    table gives both figures and why each cluster stops; the marginal line says the
    envelope does not bind (instead of 'would add 0.0 k EUR') and names what binds."""
    from optimizer.fmt import keur

    r = three_result
    text = r.report("table")
    env = r.envelopes_split[0]
    assert env.after < env.amount - 1.0  # the envelope does not bind here
    asked, made = (env.before - env.amount) / env.before, (env.before - env.after) / env.before
    assert made > asked
    line = next(ln for ln in text.splitlines() if ln.startswith("Regional council: "))
    assert f"{asked:.1%} is asked ({keur(env.before - env.amount)} EUR)" in line
    assert f"{made:.1%} is cut ({keur(env.before - env.after)} EUR)" in line
    assert "a funder's cut carries no EUR at risk and raises a cluster's private share" in line
    # Each cut cluster is named with why the split stops cutting it.
    # (With the guarded cases, whose cuts move in whole thousands, a plan can leave a few
    # EUR of result that no lever can use: that cluster stops where a deeper cut would no
    # longer lower the total EUR at risk.)
    at_max, balanced, other = [], [], []
    for p in r.parts:
        today = p.result.case.revenue("region").amount + p.cuts["region"]
        if p.cuts["region"] >= 0.3 * today - 1.0:
            at_max.append(p.id)
        elif p.result.evaluation.result <= p.result.case.target.min_result + 1.0:
            balanced.append(p.id)
        else:
            other.append(p.id)
    assert sorted(at_max + balanced + other) == sorted(p.id for p in r.parts)
    if balanced:
        assert f"until its budget just balances ({', '.join(balanced)})" in line
    if at_max:
        assert f"its maximum cut of 30% of the line ({', '.join(at_max)})" in line
    if other:
        assert ("a deeper cut would no longer lower the total EUR at risk "
                f"({', '.join(other)})") in line
    assert "would add 0.0 k EUR" not in text
    m = r.marginal[0]
    assert m.extra_risk == pytest.approx(0.0, abs=0.05)
    words = (f"Regional council does not bind: the clusters take more cut than it asks "
             f"({keur(env.after)} EUR left against at most {keur(env.amount)} EUR)")
    marg = next(ln for ln in text.splitlines() if ln.startswith(words))
    assert "adds no EUR at risk" in marg
    # What binds is read from the split found; the least-risk splits of this region differ
    # in cuts that change no EUR at risk, so the combined share may end on its target or a
    # hair above it: the words follow the split.
    share_binds = "region_private_share" in r.binding
    assert ("what binds is the combined private share target (55%)" in marg) is share_binds
    assert ("Binding region constraints: region_private_share." in text) is share_binds
    named = [p.id for p in r.parts
             if p.result.evaluation.result <= p.result.case.target.min_result + 1.0]
    budgets = marg.split("the balanced budget of ", 1)
    assert named and len(budgets) == 2 and all(cid in budgets[1] for cid in named)


def test_region_words_count_once_the_plans_that_hold_too_rarely(three_result):
    """Near the top (before the envelope table), once: how many clusters' plans hold in
    fewer than 80 % of simulated years, counted from their outlooks."""
    r = three_result
    text = r.report("table")
    low = [p for p in r.parts if p.result.outlook.p_both < 0.8]
    n = len(r.parts)
    count = f"all {n}" if len(low) == n else f"{len(low)} of the {n}"
    top = text.split("Envelopes")[0]
    assert top.count("Outlook: ") == 1
    assert (f"Outlook: {count} clusters' plans hold (target share and result together) in "
            f"fewer than 80% of 10,000 simulated years") in top
    for p in low:
        assert f"{p.id} {p.result.outlook.p_both:.0%}" in top
    # Each cluster still keeps its own outlook line and advice.
    assert text.count("  Outlook: if each lever") == n


def test_region_words_when_the_envelope_binds(tmp_path):
    """Targets each cluster already meets: a cut costs EUR at risk, so the split cuts
    exactly what the envelope asks; the report says it binds and what 100 k EUR less adds."""
    from optimizer.fmt import keur

    raw = _three_abs(_raw())
    raw.pop("member_pool")
    raw.pop("region_private_share")
    sets = {f"clusters.{c['id']}.target.private_share": 0.3 for c in raw["clusters"]}
    r = optimizer.solve_region(raw, overrides=sets)
    env = r.envelopes_split[0]
    assert env.after == pytest.approx(env.amount, abs=1.0)
    text = r.report("table")
    asked = (env.before - env.amount) / env.before
    assert (f"Regional council: the clusters are cut by what the envelope asks ({asked:.1%}, "
            f"{keur(env.before - env.amount)} EUR); it binds.") in text
    m = r.marginal[0]
    assert m.extra_risk > 0
    assert (f"{keur(m.step)} EUR less in Regional council would add {keur(m.extra_risk)} EUR "
            "at risk.") in text
    assert "does not bind" not in text
    for p in r.parts:
        assert f"{p.id}: " in text and "both at or above its own target (30%)" in text

"""The bundled Auvergne-Rhone-Alpes region (cases/aura-region/): every cluster case is a
valid version-1 case that reaches its own target, states today's budget in its notes as it
is, and keeps the figures published for it; region.json names every cluster file once and
each funder's envelope is today's sum of the lines it pays.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

import optimizer

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "cases" / "aura-region"
REGION = FOLDER / "region.json"
# region*.json are region files (region.json, the region horizon region-2024-2027.json)
CLUSTER_FILES = sorted(p for p in FOLDER.glob("*.json") if not p.name.startswith("region"))
ID = re.compile(r"[a-z0-9_-]{1,40}")
TODAY = re.compile(r"Today: budget ([\d,]+) EUR, public share ([\d.]+) %, result (-?[\d,]+) EUR"
                   r".*?, (\d+) members, ([\d.]+) FTE\.")

# Figures published for a cluster (source as written in research/clusters-facts.md), which
# the case must keep: budget (EUR), members, staff (FTE), public share, Region's share.
PUBLISHED = {
    # brefeco.com "l'Etat sert la ceinture des poles" (2014); newstank 228376 (2021)
    "minalogic": {"budget": 2_000_000, "fte": 14, "members": 475},
    # lejournaldesentreprises.com 267707 (2019)
    "vegepolys-valley": {"budget": 2_600_000, "fte": 30, "members": 540},
    # enviscope.com: public money half of the operating budget; 337 members (2016)
    "axelera": {"members": 337, "public_share": 0.5},
    # lejournaldesentreprises.com 94409; banquedesterritoires.fr (2017)
    "digital-league": {"budget": 1_550_000, "public_share": 2 / 3, "region_share": 0.40,
                       "fte": 12, "members": 510},
    # montagneleaders.fr (2018)
    "cluster-montagne": {"budget": 1_250_000, "members": 245},
    # decotidien.com (2023): a 643 k EUR Region grant, about 37 % of the budget
    "outdoor-sports-valley": {"region": 643_000, "region_share": 0.37, "members": 550},
}


def raw(path: Path) -> dict:
    return json.loads(path.read_text())


@cache
def solved(name: str) -> dict:
    """The cluster's result as `optimize --format json` gives it (solved once per run)."""
    case = optimizer.load_case(FOLDER / name)
    return optimizer.solve(case, solver="highs", explain=False).to_dict()


def today(result: dict) -> dict:
    revenues = {r["id"]: r["before"] for r in result["budget"]["revenues"]}
    public = sum(r["before"] for r in result["budget"]["revenues"] if r["public"])
    budget = sum(revenues.values())
    return {"revenues": revenues, "budget": budget, "public_share": public / budget,
            "result": result["indicators"]["result"]["before"],
            "members": result["indicators"]["members"]["before"]}


def test_the_region_has_22_clusters():
    """13 State-labelled competitiveness clusters (phase V) and 9 Region-labelled ones."""
    assert len(CLUSTER_FILES) == 22
    labelled_by_state = [p for p in CLUSTER_FILES if any(
        r["id"] == "state" for r in raw(p)["revenues"])]
    assert len(labelled_by_state) == 13


@pytest.mark.parametrize("path", CLUSTER_FILES, ids=[p.stem for p in CLUSTER_FILES])
def test_cluster_reaches_its_own_target(path):
    """The case loads, states its sources in notes, and solves to optimal with HiGHS: private
    share after the plan at least the target, a balanced budget, members kept."""
    case = optimizer.load_case(path)
    assert case.notes
    result = solved(path.name)
    assert result["status"] == "optimal"
    target = raw(path)["target"]
    assert result["indicators"]["private_share"]["after"] >= target["private_share"] - 1e-9
    assert result["indicators"]["result"]["after"] >= -1e-6
    assert result["indicators"]["members"]["after"] >= target["min_members"] - 1e-6


@pytest.mark.parametrize("path", CLUSTER_FILES, ids=[p.stem for p in CLUSTER_FILES])
def test_notes_state_todays_budget_as_it_is(path):
    """The notes' "Today:" line gives the budget, public share, result, members and FTE of
    the case: the budget balances as stated (within a few euros), the public share matches to
    the 0.1 point written."""
    case = raw(path)
    lines = [n for n in case["notes"] if n.startswith("Today:")]
    assert len(lines) == 1, "one 'Today:' line in the notes"
    match = TODAY.fullmatch(lines[0])
    assert match, lines[0]
    budget, share, result, members, fte = match.groups()
    now = today(solved(path.name))
    assert now["budget"] == int(budget.replace(",", ""))
    assert abs(100 * now["public_share"] - float(share)) <= 0.05
    assert abs(now["result"] - int(result.replace(",", ""))) <= 5
    assert now["members"] == int(members)
    assert case["staff"]["fte"] == float(fte)


@pytest.mark.parametrize("cluster", sorted(PUBLISHED))
def test_published_figures_are_kept(cluster):
    """The figures published for this cluster are the case's own."""
    figures = PUBLISHED[cluster]
    now = today(solved(f"{cluster}.json"))
    if "budget" in figures:
        assert now["budget"] == figures["budget"]
    if "members" in figures:
        assert now["members"] == figures["members"]
    if "fte" in figures:
        assert raw(FOLDER / f"{cluster}.json")["staff"]["fte"] == figures["fte"]
    if "public_share" in figures:
        assert now["public_share"] == pytest.approx(figures["public_share"], abs=1e-6)
    if "region" in figures:
        assert now["revenues"]["region"] == figures["region"]
    if "region_share" in figures:  # "about 37 %": to the point
        assert now["revenues"]["region"] / now["budget"] == pytest.approx(
            figures["region_share"], abs=0.005)


def test_region_file_names_every_cluster_file_once():
    """region.json is JSON in the format of issue 10; its clusters are exactly the case files
    of the folder, each once, under unique ids of the allowed form."""
    region = raw(REGION)
    assert region["schema_version"] == 1 and region["name"] and region["notes"]
    ids = [c["id"] for c in region["clusters"]]
    files = [c["case"] for c in region["clusters"]]
    assert all(ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert sorted(files) == [p.name for p in CLUSTER_FILES]
    assert isinstance(region["member_pool"], int) and region["member_pool"] > 0
    assert 0 < region["region_private_share"] < 1


def test_each_envelope_is_todays_sum_of_its_lines():
    """An envelope pays public revenue lines of existing clusters, at most 30 % cut each, and
    its amount is what those lines receive today (so a 10 % cut is 0.9 x amount)."""
    region = raw(REGION)
    files = {c["id"]: c["case"] for c in region["clusters"]}
    assert [e["id"] for e in region["envelopes"]] == ["region", "state"]
    for envelope in region["envelopes"]:
        assert 0 <= envelope["max_cut_fraction"] <= 1
        total = 0.0
        for cluster, line in envelope["lines"].items():
            revenues = solved(files[cluster])["budget"]["revenues"]
            paid = [r for r in revenues if r["id"] == line]
            assert len(paid) == 1 and paid[0]["public"], f"{cluster}.{line}"
            total += paid[0]["before"]
        assert envelope["amount"] == pytest.approx(total, abs=0.5)


def test_region_pays_the_13_competitiveness_clusters_more_than_5_m_eur():
    """auvergnerhonealpes.fr: the Region gives the 13 labelled clusters "more than 5 M EUR for
    2023"; the State envelope pays exactly those 13."""
    region = raw(REGION)
    envelopes = {e["id"]: e for e in region["envelopes"]}
    files = {c["id"]: c["case"] for c in region["clusters"]}
    thirteen = sorted(envelopes["state"]["lines"])
    assert len(thirteen) == 13
    paid = sum(today(solved(files[c]))["revenues"]["region"] for c in thirteen)
    assert 5_000_000 < paid < 5_500_000


@pytest.mark.parametrize("path", CLUSTER_FILES, ids=[p.stem for p in CLUSTER_FILES])
def test_cluster_absorbs_a_ten_percent_cut_of_its_envelope_lines(path):
    """The README's region example cuts the envelopes by 10 %: one way to split that cut, 10 %
    off each line, leaves every cluster able to reach its own target, balanced, with its
    own grant cuts on those lines disabled (in a region run the funder decides them)."""
    region = raw(REGION)
    cluster = next(c["id"] for c in region["clusters"] if c["case"] == path.name)
    paid = {e["lines"][cluster] for e in region["envelopes"] if cluster in e["lines"]}
    case = raw(path)
    for line in case["revenues"]:
        if line["id"] in paid:
            line["amount"] = round(0.9 * line["amount"])
    for lever in case["levers"]:
        if lever["type"] == "grant_cut" and lever["revenue"] in paid:
            lever["enabled"] = False
    result = optimizer.solve(optimizer.load_case(case), solver="highs", explain=False)
    assert result.to_dict()["status"] == "optimal"

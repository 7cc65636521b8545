"""Bad case input: each kind of mistake gives a CaseError whose message names the JSON path.

Every test starts from the valid average AURA case and breaks one thing. Lever
indices refer to that case: levers[0] cut-overheads (cut), [2] less-region
(grant_cut), [3] fees-up (fee_increase), [4] recruit (new_members), [5] fund
(service), [8] success (success_fee), [9] eu (eu_projects).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import optimizer
from optimizer import CaseError

ROOT = Path(__file__).resolve().parent.parent
BASE = json.loads((ROOT / "cases" / "aura-average-2020.json").read_text())
# The version-1 form of the EU cap, as a rule (the bundled case now uses the version-2
# eligible-cost cap), so that rule messages are checked on a real rule.
BASE["rules"] = [{"name": "EU cap on public operating aid",
                  "terms": {"public": 1, "expenditures": -0.5}, "sense": "<=", "rhs": 0}]


def problems(change) -> list[str]:
    """The problems reported for the base case after `change(case)`."""
    case = copy.deepcopy(BASE)
    change(case)
    with pytest.raises(CaseError) as info:
        optimizer.load_case(case)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def only(change) -> str:
    found = problems(change)
    assert len(found) == 1, found
    return found[0]


def test_base_case_is_valid():
    """The unbroken case loads (so each failure below comes from its one change)."""
    optimizer.load_case(copy.deepcopy(BASE))


# ---------------------------------------------------------------- types


@pytest.mark.parametrize("change, expected", [
    (lambda c: c.__setitem__("members", "270"), "members: must be a whole number, got a string"),
    (lambda c: c.__setitem__("members", 270.5), "members: must be a whole number, got 270.5"),
    (lambda c: c["revenues"][0].__setitem__("public", "yes"),
     "revenues[0].public: must be true or false, got a string"),
    (lambda c: c["revenues"][3].__setitem__("amount", "277500"),
     "revenues[3].amount: must be a number, got a string"),
    (lambda c: c["levers"][5].__setitem__("integer", 1),
     "levers[5].integer: must be true or false, got 1"),
    (lambda c: c.__setitem__("revenues", {"region": 1}),
     "revenues: must be a list [...], got an object"),
    (lambda c: c.__setitem__("target", 0.6), "target: must be an object {...}, got 0.6"),
])
def test_wrong_types(change, expected):
    """A value of the wrong JSON type is named with what was expected and what came."""
    assert only(change) == expected


def test_not_an_object(tmp_path):
    """A case file that holds valid JSON but not an object."""
    path = tmp_path / "case.json"
    path.write_text("[1, 2]")
    with pytest.raises(CaseError) as info:
        optimizer.load_case(path)
    assert info.value.problems == ["case: must be a JSON object {...}, got a list"]


@pytest.mark.parametrize("value, kind", [([], "a list"), (3, "a number"), (None, "null")])
def test_library_given_something_else(value, kind):
    """optimizer.load_case given neither a path, a dict nor a Case: a CaseError, not a
    TypeError."""
    with pytest.raises(CaseError) as info:
        optimizer.load_case(value)  # type: ignore[arg-type]
    assert info.value.problems == [f"case: must be a JSON object {{...}}, got {kind}"]


# ---------------------------------------------------------------- unknown fields


@pytest.mark.parametrize("change, expected", [
    (lambda c: c["levers"][3].__setitem__("max_increse", 0.2),
     "levers[3].max_increse: unknown field; did you mean 'max_increase'?"),
    (lambda c: c["target"].__setitem__("privat_share", 0.6),
     "target.privat_share: unknown field; did you mean 'private_share'?"),
    (lambda c: c.__setitem__("revenue", []), "revenue: unknown field; did you mean 'revenues'?"),
    (lambda c: c["staff"].__setitem__("spare", 1),
     "staff.spare: unknown field; did you mean 'spare_fte'?"),
    (lambda c: c["revenues"][0].__setitem__("amout", 1),
     "revenues[0].amout: unknown field; did you mean 'amount'?"),
])
def test_unknown_fields_with_did_you_mean(change, expected):
    """A misspelt field is reported at its path with the closest real field."""
    assert only(change) == expected


def test_field_of_another_lever_type():
    """A field that belongs to another lever type lists the fields this type allows."""
    message = only(lambda c: c["levers"][3].__setitem__("max_fraction", 0.3))
    assert message.startswith("levers[3].max_fraction: unknown field; allowed: ")
    assert "max_increase" in message and "elasticity" in message


def test_unknown_lever_type():
    """An unknown lever type lists the eight types."""
    message = only(lambda c: c["levers"].append({"id": "x", "type": "cutt"}))
    assert message.startswith('levers[10].type: unknown lever type "cutt"; use one of cut, ')
    assert "custom" in message


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize("change, expected", [
    (lambda c: c["levers"][0].__setitem__("max_fraction", 1.5),
     "levers[0].max_fraction: must be between 0 and 1, got 1.5"),
    (lambda c: c["levers"][0].__setitem__("downside", -0.1),
     "levers[0].downside: must be between 0 and 1, got -0.1"),
    (lambda c: c["levers"][2].__setitem__("min_fraction", 2),
     "levers[2].min_fraction: must be between 0 and 1, got 2 (fractions are decimals: write 0.02 for 2 %)"),
    (lambda c: c["levers"][9].__setitem__("success_rate", 16),
     "levers[9].success_rate: must be between 0 and 1, got 16 (fractions are decimals: write 0.16 for 16 %)"),
    (lambda c: c["levers"][8].__setitem__("max_rate", 1.2),
     "levers[8].max_rate: must be between 0 and 1, got 1.2"),
])
def test_fractions_out_of_range(change, expected):
    """Fractions are decimals in [0, 1] (0.25, not 25)."""
    assert only(change) == expected


@pytest.mark.parametrize("change, path", [
    (lambda c: c["revenues"][0].__setitem__("amount", -5), "revenues[0].amount"),
    (lambda c: c["expenditures"][1].__setitem__("amount", -600000), "expenditures[1].amount"),
    (lambda c: c["levers"][5].__setitem__("price", -6000), "levers[5].price"),
    (lambda c: c["levers"][9].__setitem__("proposal_cost", -1), "levers[9].proposal_cost"),
    (lambda c: c.__setitem__("members", -1), "members"),
    (lambda c: c["staff"].__setitem__("spare_fte", -0.5), "staff.spare_fte"),
])
def test_negative_amounts(change, path):
    """Amounts, counts and capacities cannot be negative: 'must be between 0 and ...'."""
    message = only(change)
    assert message.startswith(f"{path}: must be between 0 and ")
    assert message.endswith(", got -5") or ", got -" in message


@pytest.mark.parametrize("share", [0, 0.0, 1, 1.0, 1.5, -0.2])
def test_private_share_outside_open_interval(share):
    """target.private_share is in (0, 1): 0 and 1 themselves are refused, and the message
    says the ends are excluded (issue 14, item 9)."""
    message = only(lambda c: c["target"].__setitem__("private_share", share))
    assert message == f"target.private_share: must be above 0 and below 1, got {share}"


# ---------------------------------------------------------------- NaN / Infinity


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_the_json_text(tmp_path, token):
    """Python's json accepts NaN and Infinity; a case file may not."""
    text = json.dumps(BASE).replace('"amount": 350000', f'"amount": {token}', 1)
    path = tmp_path / "case.json"
    path.write_text(text)
    with pytest.raises(CaseError) as info:
        optimizer.load_case(path)
    assert info.value.problems == [f"{path}: {token} is not a number; write a finite number"]


def test_overflowing_number_in_the_json_text(tmp_path):
    """1e999 parses as infinity: the field that holds it is named."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(BASE).replace('"amount": 350000', '"amount": 1e999', 1))
    with pytest.raises(CaseError) as info:
        optimizer.load_case(path)
    assert info.value.problems == ["revenues[0].amount: must be a finite number, got Infinity"]


def test_nan_in_a_dict():
    """A NaN given from Python is refused with its path too."""
    message = only(lambda c: c["levers"][5].__setitem__("price", float("nan")))
    assert message.startswith("levers[5].price: must be a finite number")


# ---------------------------------------------------------------- ids and references


@pytest.mark.parametrize("change, expected", [
    (lambda c: c["levers"][1].__setitem__("id", "cut-overheads"),
     "levers[1].id: duplicate id 'cut-overheads' (already used by levers[0])"),
    (lambda c: c["revenues"][1].__setitem__("id", "region"),
     "revenues[1].id: duplicate id 'region' (already used by revenues[0])"),
    (lambda c: c["levers"][0].__setitem__("expenditure", "overhead"),
     "levers[0].expenditure: no expenditure line 'overhead'; did you mean 'overheads'?"),
    (lambda c: c["levers"][2].__setitem__("revenue", "regio"),
     "levers[2].revenue: no revenue line 'regio'; did you mean 'region'?"),
    (lambda c: c["levers"][4].__setitem__("cost_line", "externals"),
     "levers[4].cost_line: no expenditure line 'externals'; did you mean 'external'?"),
    (lambda c: c["rules"][0]["terms"].__setitem__("lever:trainig", 1),
     "rules[0].terms.lever:trainig: no lever 'trainig'; did you mean 'lever:training'?"),
])
def test_duplicate_and_unknown_ids(change, expected):
    """Ids are unique per kind, and every reference names an existing one."""
    assert only(change) == expected


def test_duplicate_expenditure_id():
    """A duplicated line id is reported (here the renamed line also leaves a lever without
    its line, reported too)."""
    found = problems(lambda c: c["expenditures"][2].__setitem__("id", "salaries"))
    assert "expenditures[2].id: duplicate id 'salaries' (already used by expenditures[0])" in found
    assert ("levers[0].expenditure: no expenditure line 'overheads'; use one of external, "
            "salaries") in found


def test_invalid_id():
    """Ids are 1 to 40 characters among a-z, 0-9, '_' and '-'."""
    message = only(lambda c: c["levers"][0].__setitem__("id", "Cut Overheads"))
    assert message.startswith('levers[0].id: "Cut Overheads" is not a valid id')


def test_unknown_rule_quantity():
    """A rule term must be a quantity of MODEL.md; the closest is suggested."""
    message = only(lambda c: c["rules"][0]["terms"].__setitem__("publik", 1))
    assert message.startswith("rules[0].terms.publik: unknown quantity; did you mean 'public'?")


@pytest.mark.parametrize("index, field, line, expected", [
    (2, "revenue", "fees",
     "levers[2].revenue: 'fees' is a private line; a grant_cut lever needs a public revenue line"),
    (5, "revenue", "region",
     "levers[5].revenue: 'region' is a public line; a service lever needs a private revenue line"),
    (3, "revenue", "state",
     ("levers[3].revenue: 'state' is a public line; a fee_increase lever needs a private "
      "revenue line")),
    (9, "revenue", "municipalities",
     ("levers[9].revenue: 'municipalities' is a public line; a eu_projects lever needs a "
      "private revenue line")),
])
def test_lever_naming_a_line_of_the_wrong_side(index, field, line, expected):
    """grant_cut takes public money back; the levers that add revenue need a private line."""
    assert only(lambda c: c["levers"][index].__setitem__(field, line)) == expected


def test_lever_naming_a_revenue_line_as_expenditure():
    """A cut names an expenditure line, not a revenue line."""
    message = only(lambda c: c["levers"][0].__setitem__("expenditure", "fees"))
    assert message.startswith("levers[0].expenditure: no expenditure line 'fees'")


# ---------------------------------------------------------------- required parameters


@pytest.mark.parametrize("index, field", [(5, "price"), (9, "grant"), (9, "success_rate"),
                                          (8, "volume"), (0, "expenditure"), (2, "revenue")])
def test_missing_required_parameters(index, field):
    """A parameter the lever type needs and lacks is named at its path."""
    assert only(lambda c: c["levers"][index].pop(field)) == (
        f"levers[{index}].{field}: required field is missing")


@pytest.mark.parametrize("field", ["name", "revenues", "expenditures", "members", "target"])
def test_missing_top_level_fields(field):
    """The case's own required fields."""
    assert only(lambda c: c.pop(field)) == f"{field}: required field is missing"


def test_missing_lever_type():
    """A lever without a type is told the eight types."""
    message = only(lambda c: c["levers"][0].pop("type"))
    assert message.startswith("levers[0].type: required field is missing (one of cut, ")


# ---------------------------------------------------------------- the budget


@pytest.mark.parametrize("field", ["revenues", "expenditures"])
def test_empty_budget_lists(field):
    """At least one revenue and one expenditure line."""
    assert only(lambda c: c.__setitem__(field, [])) == (
        f"{field}: must hold at least 1 item, got an empty list")


def test_revenues_adding_up_to_zero():
    """With no revenue at all, no private share exists."""
    def zero(c):
        for line in c["revenues"]:
            line["amount"] = 0
    message = only(zero)
    assert message == "revenues: the revenues add up to 0, so no private share can be computed"


# ---------------------------------------------------------------- lever consistency


def test_second_fee_increase_on_the_same_line():
    """At most one fee_increase per revenue line; the first one is named."""
    message = only(lambda c: c["levers"].append(
        {"id": "fees-up-2", "type": "fee_increase", "max_increase": 0.1}))
    assert message == ("levers[10]: a second fee_increase on 'fees' (levers[3] already raises "
                       "it); keep one")


def test_grant_cut_min_above_max():
    """min_fraction may not exceed max_fraction."""
    message = only(lambda c: c["levers"][2].__setitem__("min_fraction", 0.5))
    assert message == "levers[2]: min_fraction (0.5) must not exceed max_fraction (0.2)"


def test_custom_lever_without_a_whole_number_in_range():
    """An integer custom lever needs a whole number between min and max (else no solver can
    even read the model: its lower bound 1 would exceed its upper bound 0)."""
    lever = {"id": "sponsor", "type": "custom", "min": 0.2, "max": 0.8, "integer": True,
             "revenues": {"others": 1000}}
    message = only(lambda c: c["levers"].append(lever))
    assert message.startswith("levers[10]: integer is true but no whole number lies between "
                              "min (0.2) and max (0.8)")


def test_custom_lever_unknown_line():
    """A custom lever's per-unit effects name existing lines."""
    lever = {"id": "sponsor", "type": "custom", "max": 3, "revenues": {"other": 1000}}
    assert only(lambda c: c["levers"].append(lever)) == (
        "levers[10].revenues.other: no such revenue line; did you mean 'others'?")


def test_staff_cut_without_staff_block():
    """Cutting a staff line needs staff.fte or staff.cost_per_fte."""
    def change(c):
        c.pop("staff")
        c["levers"][0]["expenditure"] = "salaries"
    message = only(change)
    assert message.startswith("levers[0].expenditure: cutting a staff line needs staff.fte")


def test_several_problems_are_all_reported():
    """Every problem is listed, each with its own path."""
    def change(c):
        c["levers"][0]["max_fraction"] = 1.5
        c["target"]["private_share"] = 2
        c["members"] = "many"
    found = problems(change)
    assert len(found) == 3
    assert {p.split(":")[0] for p in found} == {"levers[0].max_fraction",
                                                "target.private_share", "members"}


def test_schema_version():
    """Versions 1 and 2 exist (docs/MODEL.md); 3 does not."""
    found = only(lambda c: c.__setitem__("schema_version", 3))
    assert found.startswith("schema_version: ") and "got 3" in found

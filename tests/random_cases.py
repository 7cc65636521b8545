"""Seeded random case files for property, cross-solver and arithmetic tests.

`random_case(rng)` returns a VALID case dict (MODEL.md, version 1) of a
plausible cluster: a budget of 0.2 to 3 M EUR, about half public, fees of a few
hundred to a few thousand EUR per member, and levers of all eight types with
magnitudes like the contract vectors in tests/data/contract/. Targets are
drawn around the current private share, so some cases need no lever, most
need a few, and some cannot be reached (infeasible). Option grids stay small
(at most a few dozen options per lever) so that a solve takes a few
hundredths of a second.

The same `random.Random` seed always gives the same case; nothing else is
random (no global state is touched).

    >>> import random
    >>> case = random_case(random.Random(7))
    >>> sorted(case)[:3]
    ['currency', 'expenditures', 'levers']
"""

from __future__ import annotations

import random
from typing import Any

LEVER_TYPES = ("cut", "grant_cut", "fee_increase", "new_members", "service", "success_fee",
               "eu_projects", "custom")

# Lines every random case has, so the levers' default lines always exist.
PUBLIC_LINES = ("region", "state", "municipalities")
PRIVATE_LINES = ("fees", "services", "others")
EXPENDITURE_LINES = ("salaries", "external", "overheads")


def _money(x: float) -> int:
    return round(x)


def _split(rng: random.Random, total: float, weights: list[float]) -> list[int]:
    """Split total in proportion to weights, as whole euros that add up to round(total)."""
    s = sum(weights)
    parts = [_money(total * w / s) for w in weights]
    parts[-1] += _money(total) - sum(parts)
    return parts


def _maybe(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def random_case(rng: random.Random, *, n_levers: int | None = None) -> dict[str, Any]:
    """A random valid case dict. n_levers: how many levers (default 3 to 10); from 8 on,
    every lever type appears at least once."""
    budget = rng.uniform(0.2e6, 3e6)
    public_share = rng.uniform(0.3, 0.7)

    # Revenues: 1 to 3 public lines, the three standard private lines, sometimes a
    # fourth private line (sponsors) that levers can name explicitly.
    public_ids = ["region"] + [x for x in PUBLIC_LINES[1:] if _maybe(rng, 0.6)]
    private_ids = list(PRIVATE_LINES) + (["sponsors"] if _maybe(rng, 0.3) else [])
    public_amounts = _split(rng, budget * public_share,
                            [rng.uniform(0.2, 1) for _ in public_ids])
    fee_part = rng.uniform(0.3, 0.45)
    weights = [fee_part, rng.uniform(0.25, 0.4), rng.uniform(0.2, 0.35)]
    if "sponsors" in private_ids:
        weights.append(rng.uniform(0.02, 0.1))
    private_amounts = _split(rng, budget * (1 - public_share), weights)
    revenues = [{"id": i, "amount": a, "public": True} for i, a in zip(public_ids, public_amounts)]
    revenues += [{"id": i, "amount": a, "public": False}
                 for i, a in zip(private_ids, private_amounts)]
    fees = private_amounts[0]

    # Expenditures: close to the revenues (a result between about -1 % and +7 %).
    spending = budget * rng.uniform(0.93, 1.01)
    exp_ids = list(EXPENDITURE_LINES) + (["rent"] if _maybe(rng, 0.25) else [])
    exp_weights = [rng.uniform(0.4, 0.55), rng.uniform(0.3, 0.45), rng.uniform(0.08, 0.15)]
    if "rent" in exp_ids:
        exp_weights.append(rng.uniform(0.02, 0.06))
    exp_amounts = _split(rng, spending, exp_weights)
    expenditures = [{"id": i, "amount": a, **({"staff": True} if i == "salaries" else {})}
                    for i, a in zip(exp_ids, exp_amounts)]
    salaries = exp_amounts[0]

    fee_per_member = rng.uniform(500, 2500)
    members = max(20, round(fees / fee_per_member))

    staff: dict[str, Any] | None = None
    if _maybe(rng, 0.85):
        cost_per_fte = rng.uniform(55000, 75000)
        staff = {"fte": round(salaries / cost_per_fte, 1) or 0.1,
                 "spare_fte": round(rng.choice([0.0, rng.uniform(0, 3)]), 2)}
        if _maybe(rng, 0.2):
            staff["cost_per_fte"] = round(cost_per_fte)

    case: dict[str, Any] = {
        "schema_version": 1,
        "name": f"random cluster {rng.randrange(10**6)}",
        "currency": "EUR",
        "revenues": revenues,
        "expenditures": expenditures,
        "members": members,
    }
    if staff is not None:
        case["staff"] = staff

    # Levers.
    count = rng.randint(3, 10) if n_levers is None else n_levers
    types: list[str] = list(LEVER_TYPES) if count >= 8 else []
    while len(types) < count:
        types.append(rng.choice(LEVER_TYPES))
    rng.shuffle(types)
    ctx = _Context(rng, budget, members, public_ids, private_ids, exp_ids, staff is not None)
    levers = []
    for k, kind in enumerate(types):
        lever = ctx.make(kind, f"{kind.replace('_', '-')}-{k}")
        if lever is not None:
            levers.append(lever)
    case["levers"] = levers

    # Target: around the current private share; now and then far out of reach.
    private = sum(private_amounts)
    share0 = private / (private + sum(public_amounts))
    jump = rng.choice([rng.uniform(-0.03, 0.0), rng.uniform(0.0, 0.08), rng.uniform(0.0, 0.08),
                       rng.uniform(0.05, 0.2)])
    target: dict[str, Any] = {"private_share": round(min(0.95, max(0.05, share0 + jump)), 3)}
    r = rng.random()
    if r < 0.5:
        target["min_result"] = 0
    elif r < 0.85:
        target["min_result"] = -_money(rng.uniform(0, 0.03) * budget)
    else:
        target["min_result"] = _money(rng.uniform(0, 0.03) * budget)
    if _maybe(rng, 0.35):
        target["min_members"] = max(0, members - rng.randint(0, max(1, members // 10)))
    if _maybe(rng, 0.35):
        target["max_levers"] = rng.randint(1, 4)
    case["target"] = target

    rules = _rules(rng, budget, levers, dict(zip(exp_ids, exp_amounts)))
    if rules:
        case["rules"] = rules
    return case


class _Context:
    """What a lever generator needs to know about the case being drawn."""

    def __init__(self, rng: random.Random, budget: float, members: int, public_ids: list[str],
                 private_ids: list[str], exp_ids: list[str], has_staff: bool):
        self.rng = rng
        self.budget = budget
        self.members = members
        self.public_ids = public_ids
        self.private_ids = private_ids
        self.exp_ids = exp_ids
        self.has_staff = has_staff
        self.fee_lines: set[str] = set()

    def common(self, lever: dict[str, Any], downside_p: float = 0.5) -> dict[str, Any]:
        rng = self.rng
        if _maybe(rng, downside_p):
            lever["downside"] = round(rng.uniform(0, 0.8), 3)
        if _maybe(rng, 0.06):
            lever["enabled"] = False
        return lever

    def make(self, kind: str, lever_id: str) -> dict[str, Any] | None:
        return getattr(self, f"_{kind}")(lever_id)

    def _cut(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        pool = [e for e in self.exp_ids if e != "salaries" or self.has_staff]
        return self.common({"id": lever_id, "type": "cut", "expenditure": rng.choice(pool),
                            "max_fraction": round(rng.uniform(0, 0.3), 2)})

    def _grant_cut(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        top = round(rng.uniform(0.05, 0.5), 2)
        lever: dict[str, Any] = {"id": lever_id, "type": "grant_cut",
                                 "revenue": rng.choice(self.public_ids), "max_fraction": top}
        if _maybe(rng, 0.2):
            lever["min_fraction"] = round(rng.uniform(0, min(0.05, top)), 3)
        if _maybe(rng, 0.6):
            lever["downside"] = round(rng.uniform(0, 0.1), 3)
        return lever

    def _fee_increase(self, lever_id: str) -> dict[str, Any] | None:
        rng = self.rng
        free = [x for x in ("fees", "sponsors") if x in self.private_ids and x not in self.fee_lines]
        if not free:
            return self._service(lever_id)  # one fee increase per line (MODEL.md)
        line = free[0]
        self.fee_lines.add(line)
        lever = {"id": lever_id, "type": "fee_increase",
                 "max_increase": round(rng.uniform(0.05, 0.4), 2),
                 "step": rng.choice([0.01, 0.02, 0.05]),
                 "elasticity": round(rng.uniform(0, 1.5), 2)}
        if line != "fees" or _maybe(rng, 0.3):
            lever["revenue"] = line
        return self.common(lever)

    def _new_members(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        lever: dict[str, Any] = {"id": lever_id, "type": "new_members",
                                 "max_new": rng.randint(0, max(5, self.members // 4)),
                                 "cost_per_member": rng.choice([0, 100, 150, 300]),
                                 "fte_per_member": rng.choice([0, 0.002, 0.005, 0.01])}
        if _maybe(rng, 0.4):
            lever["fee"] = _money(rng.uniform(500, 3000))
        if "sponsors" in self.fee_lines and _maybe(rng, 0.5):
            lever["revenue"] = "sponsors"
        if _maybe(rng, 0.2):
            lever["cost_line"] = rng.choice(self.exp_ids)
        return self.common(lever)

    def _service(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        price = _money(rng.choice([rng.uniform(300, 2000), rng.uniform(2000, 20000)]))
        lever: dict[str, Any] = {
            "id": lever_id, "type": "service", "price": price,
            "unit_cost": _money(price * rng.uniform(0, 0.9)),
            "max_units": max(1, int(self.budget * rng.uniform(0.01, 0.12) / price)),
            "fte_per_unit": rng.choice([0, 0.002, 0.005, 0.01, 0.02]),
        }
        if _maybe(rng, 0.25):
            lever["integer"] = False
            lever["max_units"] = round(lever["max_units"] + rng.random(), 2)
        if _maybe(rng, 0.3):
            lever["min_units"] = rng.randint(1, max(1, int(lever["max_units"]) // 3))
        if _maybe(rng, 0.4):
            lever["setup_cost"] = _money(rng.uniform(1000, 40000))
        if _maybe(rng, 0.3):
            lever["launch_risk"] = _money(rng.uniform(1000, 20000))
        if _maybe(rng, 0.3):
            lever["revenue"] = rng.choice(self.private_ids)
        return self.common(lever)

    def _success_fee(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        lever = {"id": lever_id, "type": "success_fee",
                 "volume": _money(self.budget * rng.uniform(0.5, 6)),
                 "max_rate": rng.choice([0.02, 0.03, 0.04, 0.05]),
                 "step": rng.choice([0.005, 0.01]),
                 "volume_elasticity": round(rng.choice([0, rng.uniform(0, 10), rng.uniform(10, 30)]),
                                            2)}
        if _maybe(rng, 0.3):
            lever["revenue"] = rng.choice(self.private_ids)
        return self.common(lever)

    def _eu_projects(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        lever = {"id": lever_id, "type": "eu_projects", "max_proposals": rng.randint(0, 8),
                 "success_rate": round(rng.uniform(0.1, 0.3), 3),
                 "grant": _money(rng.uniform(50000, 400000)),
                 "cost_share": round(rng.uniform(0.6, 1.0), 2),
                 "proposal_cost": _money(rng.uniform(6000, 23000)),
                 "fte_per_project": rng.choice([0, 0.2, 0.5, 0.8]),
                 "fte_per_proposal": rng.choice([0, 0.03, 0.05, 0.1])}
        return self.common(lever)

    def _custom(self, lever_id: str) -> dict[str, Any]:
        rng = self.rng
        integer = _maybe(rng, 0.4)
        top = rng.choice([1, 3, 6, 10, round(rng.uniform(1, 8), 2)])
        low = 0 if _maybe(rng, 0.8) else round(rng.uniform(0, top / 3), 2)
        if integer:  # a whole number must lie between min and max (validation)
            low = int(low)
        unit = self.budget * rng.uniform(0.002, 0.02)
        lever: dict[str, Any] = {
            "id": lever_id, "type": "custom", "min": low, "max": top,
            "integer": integer,
            "revenues": {rng.choice(self.private_ids): _money(unit)},
            "expenditures": {rng.choice(self.exp_ids): _money(unit * rng.uniform(0, 0.5))},
            "risk_per_unit": _money(unit * rng.uniform(0.05, 0.6)),
        }
        if _maybe(rng, 0.2):  # a custom lever that also lowers a public line
            lever["revenues"][rng.choice(self.public_ids)] = -_money(unit * rng.uniform(0, 0.3))
        if _maybe(rng, 0.3):
            lever["fte"] = round(rng.uniform(-0.05, 0.1), 3)
        if _maybe(rng, 0.3):
            lever["members"] = round(rng.uniform(-3, 5), 1)
        if _maybe(rng, 0.35):
            setup: dict[str, Any] = {"risk": _money(rng.uniform(0, 15000))}
            if _maybe(rng, 0.5):
                setup["expenditures"] = {rng.choice(self.exp_ids): _money(rng.uniform(0, 20000))}
            lever["setup"] = setup
        if _maybe(rng, 0.06):
            lever["enabled"] = False
        return lever


def _rules(rng: random.Random, budget: float, levers: list[dict[str, Any]],
           spending: dict[str, int]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    if _maybe(rng, 0.25):
        cap = rng.choice([0.5, 0.6, 0.6, 0.7])
        rules.append({"name": "EU cap on public operating aid",
                      "terms": {"public": 1, "expenditures": -cap}, "sense": "<=", "rhs": 0})
    if levers and _maybe(rng, 0.2):
        lever = rng.choice(levers)
        rules.append({"name": f"limit on {lever['id']}", "terms": {f"lever:{lever['id']}": 1},
                      "sense": "<=", "rhs": round(rng.uniform(0, 1) * _rough_top(lever, budget), 3)})
    if _maybe(rng, 0.15):
        line = rng.choice(sorted(spending))
        rules.append({"name": f"keep {line}", "terms": {f"expenditure:{line}": 1}, "sense": ">=",
                      "rhs": _money(spending[line] * rng.uniform(0.5, 1.02))})
    if _maybe(rng, 0.1):
        rules.append({"name": "risk budget", "terms": {"risk": 1}, "sense": "<=",
                      "rhs": _money(budget * rng.uniform(0.02, 0.15))})
    if _maybe(rng, 0.05):
        rules.append({"name": "fixed result", "terms": {"revenues": 1, "expenditures": -1},
                      "sense": "==", "rhs": 0})
    return rules


def _rough_top(lever: dict[str, Any], budget: float) -> float:
    """A magnitude for a lever's decision value, to draw a rule's right-hand side."""
    kind = lever["type"]
    if kind in ("cut", "grant_cut"):
        return budget * 0.1
    if kind == "fee_increase":
        return lever["max_increase"]
    if kind == "new_members":
        return lever["max_new"]
    if kind == "service":
        return lever["max_units"]
    if kind == "success_fee":
        return lever["max_rate"]
    if kind == "eu_projects":
        return lever["max_proposals"]
    return lever["max"]


def random_cases(seed: int, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    """`count` random cases from one seed (the same list every run)."""
    rng = random.Random(seed)
    return [random_case(rng, **kwargs) for _ in range(count)]


__all__ = ["LEVER_TYPES", "random_case", "random_cases"]

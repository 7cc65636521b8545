"""The inputs a sensitivity run moves, in words and units, for the tables and plots a board
reads: `levers.training.price` is "Training days: price" in EUR, `target.private_share`
"Target private share" in %, `members` "Members today", whole.

One place for the tornado's input names (`analyses.sensitivity.tornado`) and the axes of
sweep tables and plots (`report/`). JSON and CSV keep the paths themselves.
"""

from __future__ import annotations

from typing import Any, Literal

from ..fmt import pct_short
from ..i18n import N_, NNBSP, is_default, ngettext
from ..i18n import decimal as local_decimal
from ..i18n import gettext as _

Unit = Literal["eur", "share", "count", "number"]

# Fields in EUR (a lever's price, a line's amount, a set-up cost...), read by their name.
EUR_FIELDS = frozenset({
    "amount", "price", "unit_cost", "setup_cost", "cost_per_fte", "cost_per_member", "fee",
    "volume", "grant", "proposal_cost", "launch_risk", "risk_per_unit", "min_amount",
    "round_to", "min_result", "max_result",
})
# Fractions, shown in %.
SHARE_FIELDS = frozenset({
    "private_share", "max_fraction", "min_fraction", "max_increase", "max_rate",
    "success_rate", "cost_share", "downside", "alpha", "common_factor", "step",
    "max_public_share_of_eligible", "low", "mode", "high", "risk_tolerance",
})
# Whole numbers.
COUNT_FIELDS = frozenset({
    "members", "max_new", "max_proposals", "min_members", "max_levers", "scenarios", "seed",
    "robust", "max_members_lost",
})
# Paths with a name of their own.
_NAMES = {
    "target.private_share": N_("Target private share"), "members": N_("Members today"),
    "target.min_result": N_("Minimum result"), "target.min_members": N_("Minimum members"),
    "target.max_levers": N_("Most levers used"),
    "uncertainty.common_factor": N_("Common factor"),
}
# Field names in words, for the catalog (input_name translates them; a field not listed
# keeps its name in words).
_FIELD_WORDS = (
    N_("amount"), N_("price"), N_("unit cost"), N_("setup cost"), N_("cost per FTE"),
    N_("cost per member"), N_("fee"), N_("volume"), N_("grant"), N_("proposal cost"),
    N_("launch risk"), N_("risk per unit"), N_("min amount"), N_("round to"),
    N_("min result"), N_("max result"), N_("private share"), N_("max fraction"),
    N_("min fraction"), N_("max increase"), N_("max rate"), N_("success rate"),
    N_("cost share"), N_("downside"), N_("alpha"), N_("common factor"), N_("step"),
    N_("max public share of eligible"), N_("low"), N_("mode"), N_("high"),
    N_("risk tolerance"), N_("members"), N_("max new"), N_("max proposals"),
    N_("min members"), N_("max levers"), N_("scenarios"), N_("seed"), N_("robust"),
    N_("max members lost"), N_("spare FTE"), N_("FTE"), N_("elasticity"), N_("max units"),
    N_("min units"), N_("fte per unit"), N_("FTE per unit"), N_("FTE per member"),
    N_("FTE per proposal"), N_("FTE per project"), N_("risk share"), N_("max new members"),
    N_("grant per project"), N_("staff"), N_("target"), N_("uncertainty"),
    # the parts of nested inputs (a custom lever's setup.risk, a service's volume_elasticity)
    N_("setup"), N_("risk"), N_("volume elasticity"), N_("expenditures"), N_("revenues"),
)
# Words written in capitals in a name.
_CAPITALS = {"fte": "FTE", "eu": "EU", "cvar": "CVaR"}


def words(field: str) -> str:
    """A field name in words: 'spare_fte' -> 'spare FTE', 'max_units' -> 'max units'."""
    return " ".join(_CAPITALS.get(w, w) for w in field.split("_"))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def input_name(case: Any, path: str) -> str:
    """A --set path in words, for a board: its line's or lever's label, then the field.

    'target.private_share' -> 'Target private share'; 'members' -> 'Members today';
    'staff.spare_fte' -> 'Staff: spare FTE'; 'revenues.region.amount' -> 'Regional
    council: amount'; 'levers.training.price' -> 'Training days: price';
    'levers.sponsors.revenues.others' -> 'Sponsorship packages: revenue per unit on
    Sponsors and others'.
    """
    parts = path.split(".")
    head = parts[0]
    if path in _NAMES:
        return _(_NAMES[path])
    if head == "shocks" and len(parts) >= 3 and parts[1].isdigit():
        shocks = list(getattr(case, "shocks", []))
        if int(parts[1]) < len(shocks):
            shock = shocks[int(parts[1])]
            line = getattr(shock, "revenue", None) or getattr(shock, "expenditure", None)
            return _("Shock on {line}: {field}").format(
                line=_line_name(case, str(line)) or line, field=_(words(parts[2])))
    if head in ("target", "staff", "uncertainty") and len(parts) == 2:
        return _("{owner}: {field}").format(owner=_first_upper(_(head)),
                                            field=_(words(parts[1])))
    if head in ("revenues", "expenditures", "levers", "rules") and len(parts) >= 3:
        owner = _owner(case, head, parts[1])
        if owner is not None:
            if head == "levers" and len(parts) == 4 and parts[2] in ("revenues", "expenditures"):
                line = _line_name(case, parts[3]) or parts[3]
                text = (_("{owner}: revenue per unit on {line}") if parts[2] == "revenues" else
                        _("{owner}: spending per unit on {line}"))
                return text.format(owner=owner, line=line)  # a custom lever's line
            rest = [_line_name(case, p) or _(words(p)) for p in parts[2:]]
            if head == "rules" and rest == ["rhs"]:
                rest = [_("limit")]
            return _("{owner}: {field}").format(owner=owner, field=" ".join(rest))
    return _first_upper(": ".join(_(words(p)) for p in parts))


def objective_words(case: Any) -> str:
    """What each plan of a run minimises, in words: 'EUR at risk' or, for a case whose
    `target.risk_measure` is "cvar", 'CVaR 95% of the loss'."""
    target = case.target
    if getattr(target, "risk_measure", None) == "cvar":
        return _("CVaR {alpha} of the loss").format(alpha=pct_short(target.cvar_alpha))
    return _("EUR at risk")


def robust_words(case: Any) -> str | None:
    """What a robust target (`target.robust` = G > 0) asks of every plan, in words."""
    g = int(getattr(case.target, "robust", 0) or 0)
    if g <= 0:
        return None
    return ngettext("holds if any {n} lever delivers only its low case",
                    "holds if any {n} levers deliver only their low case", g).format(n=g)


def input_unit(path: str) -> Unit:
    """How a path's values read: 'eur' (shown in k EUR), 'share' (in %), 'count' (whole
    numbers) or 'number'."""
    parts = path.split(".")
    field = parts[-1]
    if len(parts) >= 4 and parts[0] == "levers" and parts[-2] in ("revenues", "expenditures"):
        return "eur"  # a custom lever's effect per unit on one line
    if "elasticity" in parts:
        return "number"  # the range of a drawn elasticity
    if field in EUR_FIELDS:
        return "eur"
    if field in SHARE_FIELDS:
        return "share"
    if field in COUNT_FIELDS:
        return "count"
    return "number"


def _digits(values: list[float], low: int, high: int) -> int:
    """The fewest decimals, from low to high, that show every value exactly."""
    for d in range(low, high + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return d
    return high


def value_cells(path: str, values: list[Any]) -> list[str]:
    """Values of a path for a board, in its unit: EUR in k EUR ("1.25 k"), shares in %
    ("60%", "60.25%"), counts whole ("250"), with the decimals the values need, so that
    two values never read alike; other values (true, a name) as they are."""
    distinct = list(dict.fromkeys(values))
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in distinct):
        return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    unit = input_unit(path)
    if not is_default():
        return _local_cells(unit, values, distinct)
    if unit == "share":
        d = _digits([100 * float(v) for v in distinct], 0, 4)
        cell = {v: f"{100 * float(v):,.{d}f}%" for v in distinct}
    elif unit == "eur":
        d = _digits([float(v) / 1000 for v in distinct], 1, 3)
        cell = {v: f"{float(v) / 1000:,.{d}f} k" for v in distinct}
    elif unit == "count" and all(float(v).is_integer() for v in distinct):
        cell = {v: f"{float(v):,.0f}" for v in distinct}
    else:
        cell = {v: f"{v:,.6g}" if isinstance(v, float) else f"{v:,}" for v in distinct}
    return [cell[v] for v in values]


def _local_cells(unit: str, values: list[Any], distinct: list[Any]) -> list[str]:
    """value_cells in the current language (not English): '60 %', '1,25 k', '1 500'."""
    def pattern(d: int) -> str:
        return "#,##0" + ("." + "0" * d if d else "")

    if unit == "share":
        d = _digits([100 * float(v) for v in distinct], 0, 4)
        cell = {v: f"{local_decimal(100 * float(v), pattern(d))}{NNBSP}%" for v in distinct}
    elif unit == "eur":
        d = _digits([float(v) / 1000 for v in distinct], 1, 3)
        cell = {v: f"{local_decimal(float(v) / 1000, pattern(d))}{NNBSP}k" for v in distinct}
    elif unit == "count" and all(float(v).is_integer() for v in distinct):
        cell = {v: local_decimal(float(v), "#,##0") for v in distinct}
    else:  # Python's 6 significant digits, in the language's symbols
        cell = {v: (f"{v:,.6g}" if isinstance(v, float) else f"{v:,}").replace(",", NNBSP)
                .replace(".", ",") for v in distinct}
    return [cell[v] for v in values]


def _owner(case: Any, head: str, key: str) -> str | None:
    """The label of the line, lever or rule a path names (by id, name or index)."""
    items = {"revenues": case.revenues, "expenditures": case.expenditures,
             "levers": case.levers, "rules": getattr(case, "rules", [])}[head]
    for index, item in enumerate(items):
        ident = getattr(item, "id", None) or getattr(item, "name", None)
        if key == ident or (key.isdigit() and int(key) == index):
            if head == "rules":
                return _("Rule {rule}").format(rule=getattr(item, "name", None) or index)
            return str(item.name)
    return None


def _line_name(case: Any, part: str) -> str | None:
    """A budget line's label when `part` is a line id (a custom lever's lines)."""
    for line in (*case.revenues, *case.expenditures):
        if line.id == part:
            return str(line.name)
    return None


__all__ = ["COUNT_FIELDS", "EUR_FIELDS", "SHARE_FIELDS", "Unit", "input_name", "input_unit",
           "objective_words", "robust_words", "value_cells", "words"]

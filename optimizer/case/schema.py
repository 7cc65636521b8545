"""The case schema: the validated input of the optimiser (MODEL.md, "Case file").

The pydantic models of a case file, and `validate(raw)`: the one place a case is
checked, once (types and ranges by pydantic, then the cross-field checks and the
magnitudes). Every problem is reported with its JSON path. A `Case` is frozen:
nothing downstream can modify what the user gave.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, PrivateAttr, ValidationError, model_validator
from pydantic.fields import FieldInfo

from ..base import StrictModel
from ..errors import CaseError
from ..i18n import gettext as _
from ..levers.base import LeverBase
from ..levers.fields import Amount, Count, Id, Label, Notes, Number, plain_text
from ..levers.registry import LEVER_TYPES, lever_union, on_change
from ..levers.uncertainty import FactorValue, LeverUncertainty
from .checks import check_references
from .horizon import Horizon, horizon_problems
from .magnitudes import check_magnitudes, check_model_size
from .messages import at_most, format_errors, kind_of
from .paths import resolve_path, set_values

RiskMeasure = Literal["eur_at_risk", "cvar"]
# Defaults of the target's CVaR settings, written once.
DEFAULT_ALPHA = 0.95
DEFAULT_SCENARIOS = 2000
DEFAULT_SEED = 1
MAX_SCENARIOS = 20_000

# The discriminated union of the registered lever types (rebuilt when one is registered);
# type checkers see the protocol every lever type shares.
if TYPE_CHECKING:
    Lever = LeverBase
else:
    Lever = lever_union()


class Revenue(StrictModel):
    id: Id
    label: Label | None = None
    amount: Amount
    public: bool
    notes: Notes = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Expenditure(StrictModel):
    id: Id
    label: Label | None = None
    amount: Amount
    staff: bool = False
    # A cost of running the cluster that funders co-finance (MODEL.md v2, "Eligible costs").
    eligible: bool = True
    notes: Notes = None

    @property
    def name(self) -> str:
        return self.label or self.id


class Staff(StrictModel):
    fte: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    spare_fte: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = 0.0
    cost_per_fte: Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)] | None = None
    notes: Notes = None


class Target(StrictModel):
    private_share: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
    min_result: Number = 0.0
    min_members: Count | None = None
    max_levers: Count | None = None
    # Uncertainty (README, "Uncertainty"): None keeps version 1's EUR at risk.
    risk_measure: RiskMeasure | None = None
    alpha: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    scenarios: Annotated[int, Field(ge=1, le=MAX_SCENARIOS)] | None = None
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = None
    # Version 2 (docs/MODEL.md, "Version 2: plans a board would sign").
    robust: Annotated[int, Field(ge=0, le=1000)] = 0
    max_members_lost: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] | None = None
    risk_tolerance: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.0
    max_public_share_of_eligible: Annotated[
        float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    max_result: Number | None = None
    notes: Notes = None

    @model_validator(mode="after")
    def _result_range(self) -> Target:
        if self.max_result is not None and self.max_result < self.min_result:
            raise ValueError(_("max_result ({max}) must not be below min_result ({min})").format(
                max=f"{self.max_result:g}", min=f"{self.min_result:g}"))
        return self

    @property
    def cvar_alpha(self) -> float:
        return DEFAULT_ALPHA if self.alpha is None else self.alpha

    def members_lost_limit(self, members: int) -> float | None:
        """How many of today's members the plan may lose: a fraction of them when
        max_members_lost is in (0, 1), else a count (None: no limit)."""
        x = self.max_members_lost
        if x is None:
            return None
        return x * members if 0 < x < 1 else x


class Rule(StrictModel):
    name: Annotated[Label, Field(min_length=1)]
    terms: dict[str, Number]
    sense: Literal["<=", ">=", "=="]
    rhs: Number
    notes: Notes = None


class Shock(StrictModel):
    """A triangular factor on the amount of one baseline line (before the plan)."""

    revenue: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    expenditure: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    low: FactorValue
    mode: FactorValue | None = None
    high: FactorValue | None = None
    common: bool = True
    notes: Notes = None

    @property
    def side(self) -> str:
        return "revenue" if self.revenue is not None else "expenditure"

    @property
    def line(self) -> str:
        return self.revenue if self.revenue is not None else self.expenditure  # type: ignore[return-value]


class CaseUncertainty(StrictModel):
    common_factor: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    notes: Notes = None


class Case(StrictModel):
    schema_version: Literal[1, 2] = 1
    name: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(plain_text)]
    currency: Annotated[Label, Field(max_length=20)] = "EUR"
    revenues: Annotated[list[Revenue], Field(min_length=1, max_length=1000)]
    expenditures: Annotated[list[Expenditure], Field(min_length=1, max_length=1000)]
    members: Count
    staff: Staff | None = None
    target: Target
    levers: Annotated[list[Lever], Field(max_length=1000)] = Field(default_factory=list)
    rules: Annotated[list[Rule], Field(max_length=1000)] = Field(default_factory=list)
    shocks: Annotated[list[Shock], Field(max_length=1000)] = Field(default_factory=list)
    uncertainty: CaseUncertainty | None = None
    # A transition path over several years (docs/MODEL.md, "Horizon (issue 11)").
    horizon: Horizon | None = None
    notes: Notes = None
    # (SHA-256 of the bytes the case was read from, where from): the audit trail.
    _source: tuple[str, str] | None = PrivateAttr(default=None)

    # Derived facts, computed once (the model is frozen).
    @cached_property
    def _revenue_by_id(self) -> dict[str, Revenue]:
        return {r.id: r for r in self.revenues}

    @cached_property
    def _expenditure_by_id(self) -> dict[str, Expenditure]:
        return {e.id: e for e in self.expenditures}

    @property
    def source(self) -> tuple[str, str] | None:
        """(SHA-256 of the bytes the case was read from, where from), when read from bytes."""
        return self._source

    def record_source(self, digest: str, origin: str) -> None:
        """Remember where the case was read from (for the audit trail)."""
        self._source = (digest, origin)

    def revenue(self, line: str) -> Revenue:
        return self._revenue_by_id[line]

    def expenditure(self, line: str) -> Expenditure:
        return self._expenditure_by_id[line]

    def lever(self, lever_id: str) -> Lever:
        for lever in self.levers:
            if lever.id == lever_id:
                return lever
        raise KeyError(lever_id)

    @property
    def private_total(self) -> float:
        return sum(r.amount for r in self.revenues if not r.public)

    @property
    def public_total(self) -> float:
        return sum(r.amount for r in self.revenues if r.public)

    @property
    def eligible_total(self) -> float:
        """Today's eligible costs: the sum of the eligible expenditure lines."""
        return sum(e.amount for e in self.expenditures if e.eligible)

    @property
    def staff_total(self) -> float:
        return sum(e.amount for e in self.expenditures if e.staff)

    @property
    def spare_fte(self) -> float:
        return self.staff.spare_fte if self.staff else 0.0

    @property
    def cost_per_fte(self) -> float:
        """EUR of staff spending per FTE: given, or staff lines / fte (MODEL.md)."""
        if self.staff and self.staff.cost_per_fte:
            return self.staff.cost_per_fte
        if self.staff and self.staff.fte:
            return self.staff_total / self.staff.fte if self.staff_total > 0 else math.inf
        return math.inf

    def with_values(self, overrides: Mapping[str, Any]) -> Case:
        """A new validated case with dotted-path overrides applied (see `apply_overrides`)."""
        return from_mapping(apply_overrides(self.model_dump(mode="json", exclude_unset=True),
                                            overrides))


def validate(raw: Any) -> Case:
    """The validated case of raw JSON data (CaseError lists every problem with its path)."""
    if not isinstance(raw, dict):
        raise CaseError(f"case: must be a JSON object {{...}}, got {kind_of(raw)}")
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        raise CaseError(at_most(format_errors(exc, raw, model_at))) from None
    except RecursionError:
        raise CaseError("case: nested too deeply") from None
    # Magnitudes need valid references (a lever's effects read the lines it names).
    problems = (check_references(case) or horizon_problems(case) or check_model_size(case)
                or check_magnitudes(case))
    if problems:
        raise CaseError(at_most(problems))
    return case


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def from_mapping(source: Mapping[str, Any]) -> Case:
    """The validated case of a dict (copied first: the caller's dict is never touched).

    The audit trail keeps the SHA-256 of its canonical JSON, from "<dict>".
    """
    try:
        raw = copy.deepcopy(dict(source))
        digest = sha256(json.dumps(raw, sort_keys=True, default=str).encode())
    except (TypeError, ValueError, RecursionError) as exc:  # keys 1 and "a", a cycle
        raise CaseError(f"case: not JSON data ({type(exc).__name__}: {exc}); keys must be "
                        "strings, without cycles or deep nesting") from None
    case = validate(raw)
    case.record_source(digest, "<dict>")
    return case


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of raw with each dotted path set to its value (the input is not modified).

    Levers, revenues and expenditures are addressed by id (`levers.training.price`);
    lists also accept an index (`rules.0.rhs`). Raises CaseError naming the nearest paths.
    """
    return set_values(raw, overrides, list(Case.model_fields))


def resolve_case_path(raw: dict[str, Any], path: str) -> tuple[Any, Any, str]:
    """The container and key that a dotted path names in raw case data (see apply_overrides)."""
    return resolve_path(raw, path, list(Case.model_fields))


def model_at(loc: tuple[Any, ...], raw: Any) -> type[BaseModel] | None:
    """Which model holds the field at loc (to suggest a close field name)."""
    model: Any = Case
    node: Any = raw
    for part in loc[:-1]:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if model is _LeverList:
                lever_type = node.get("type") if isinstance(node, dict) else None
                model = LEVER_TYPES.get(lever_type) if isinstance(lever_type, str) else None
            elif model is _RuleList:
                model = Rule
            elif model in (_RevenueList, _ExpenditureList):
                model = Revenue if model is _RevenueList else Expenditure
            continue
        if part in LEVER_TYPES and not (isinstance(node, dict) and part in node):
            continue
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(model, type) and issubclass(model, LeverBase) and part == "uncertainty":
            model = LeverUncertainty
        else:
            model = _CHILD.get((model, part))
    return model


class _LeverList:  # markers used by model_at
    pass


class _RuleList:
    pass


class _RevenueList:
    pass


class _ExpenditureList:
    pass


_CHILD: dict[tuple[Any, str], Any] = {
    (Case, "levers"): _LeverList,
    (Case, "rules"): _RuleList,
    (Case, "revenues"): _RevenueList,
    (Case, "expenditures"): _ExpenditureList,
    (Case, "staff"): Staff,
    (Case, "target"): Target,
    (Case, "uncertainty"): CaseUncertainty,
    (Case, "horizon"): Horizon,
}


def _rebuild_with_registered_levers() -> None:
    """A lever type was registered: the union of `Case.levers` takes it in (the field is
    declared again with the new union, and the model's validator rebuilt)."""
    union = lever_union()
    globals()["Lever"] = union
    fields = Case.model_fields  # the model's own field mapping
    annotation: Any = Annotated[list[union], Field(max_length=1000)]  # type: ignore[valid-type]
    fields["levers"] = FieldInfo.from_annotated_attribute(annotation, Field(default_factory=list))
    Case.model_rebuild(force=True)


on_change(_rebuild_with_registered_levers)


__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_SCENARIOS",
    "DEFAULT_SEED",
    "MAX_SCENARIOS",
    "Case",
    "CaseUncertainty",
    "Expenditure",
    "Revenue",
    "RiskMeasure",
    "Rule",
    "Shock",
    "Staff",
    "Target",
    "apply_overrides",
    "from_mapping",
    "model_at",
    "resolve_case_path",
    "sha256",
    "validate",
]

"""Case files: the validated input of the optimiser (MODEL.md, "Case file").

Validation happens here, once, at load. Every problem is reported with its
JSON path (`levers[3].max_fraction: must be between 0 and 1, got 1.5`).
A `Case` is frozen: nothing downstream can modify what the user gave.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, PrivateAttr, ValidationError

from .base import StrictModel
from .distributions import (
    DEFAULT_ALPHA,
    MAX_SCENARIOS,
    CaseUncertainty,
    LeverUncertainty,
    RiskMeasure,
    Shock,
    check_uncertainty,
)
from .errors import CaseError
from .levers import (
    ID_PATTERN,
    LEVER_TYPES,
    Amount,
    Count,
    Fraction,
    Id,
    Label,
    Lever,
    Notes,
    Number,
    _plain_text,
)
from .numerics import check_magnitudes, check_model_size

MAX_CASE_BYTES = 20 * 1024 * 1024
QUANTITIES = ("private", "public", "revenues", "expenditures", "result", "members", "risk")
QUANTITY_KINDS = ("revenue", "expenditure", "lever")


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
    notes: Notes = None

    @property
    def cvar_alpha(self) -> float:
        return DEFAULT_ALPHA if self.alpha is None else self.alpha


class Rule(StrictModel):
    name: Annotated[Label, Field(min_length=1)]
    terms: dict[str, Number]
    sense: Literal["<=", ">=", "=="]
    rhs: Number
    notes: Notes = None


class Case(StrictModel):
    schema_version: Literal[1] = 1
    name: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_plain_text)]
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
        return load_case(apply_overrides(self.model_dump(mode="json", exclude_unset=True), overrides))


# ---------------------------------------------------------------- loading


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number; write a finite number")


def parse_json_text(text: str | bytes, source: str = "case") -> Any:
    if len(text) > MAX_CASE_BYTES:
        raise CaseError(f"{source}: the file is larger than {MAX_CASE_BYTES // 2**20} MB; "
                        "a case file is a few kB")
    duplicates: list[_Duplicates] = []
    try:
        raw = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                         object_pairs_hook=lambda pairs: _object(pairs, duplicates))
        if duplicates:
            raise CaseError(_at_most(_duplicate_keys(raw)))
        return raw
    except RecursionError:
        raise CaseError(f"{source}: the JSON is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise CaseError(f"{source}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise CaseError(f"{source}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                        f"column {exc.colno}") from None
    except ValueError as exc:
        raise CaseError(f"{source}: {exc}") from None


class _Duplicates(dict[str, Any]):
    """A JSON object in which some key appears more than once (json keeps the last)."""

    twice: list[str]


def _object(pairs: list[tuple[str, Any]], duplicates: list[_Duplicates]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    flagged = _Duplicates(obj)
    seen: set[str] = set()
    flagged.twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    duplicates.append(flagged)
    return flagged


def _duplicate_keys(raw: Any) -> list[str]:
    """'PATH: the key appears twice' for every duplicated key (a hand-edited file that says
    two things must not silently mean the second)."""
    problems: list[str] = []
    stack: list[tuple[Any, str]] = [(raw, "")]
    while stack:  # iterative: the JSON may be nested as deeply as the parser allows
        node, path = stack.pop()
        if isinstance(node, _Duplicates):
            for key in dict.fromkeys(node.twice):
                problems.append(f"{path}{path_part(key, first=not path)}: this key appears more "
                                "than once in the same object; keep one")
        if isinstance(node, dict):
            stack.extend((v, f"{path}{path_part(k, first=not path)}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
    return sorted(problems)


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 100:
        raise ValueError(f"a whole number of {len(text.lstrip('-'))} digits; numbers in a case "
                         "are at most 1e12")
    return int(text)


def read_case_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a case file (or '-' for standard input) and a display name."""
    import sys

    if str(source) == "-":
        data = sys.stdin.buffer.read(MAX_CASE_BYTES + 1)
        return data, "<stdin>"
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaseError(f"{source}: cannot read the case file ({exc.strerror})") from None
    if path.is_dir():
        raise CaseError(f"{source}: is a folder, not a case file")
    if size > MAX_CASE_BYTES:
        raise CaseError(f"{source}: the file is larger than {MAX_CASE_BYTES // 2**20} MB; "
                        "a case file is a few kB")
    try:
        # Never more than the limit: the path may be a device or a pipe (/dev/zero) that
        # st_size does not measure, or a file that grows while it is read.
        with open(path, "rb") as handle:
            data = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise CaseError(f"{source}: cannot read the case file ({exc.strerror})") from None
    if len(data) > MAX_CASE_BYTES:
        raise CaseError(f"{source}: the file is larger than {MAX_CASE_BYTES // 2**20} MB; "
                        "a case file is a few kB")
    return data, str(source)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_case(source: Case | Mapping[str, Any] | str | os.PathLike[str]) -> Case:
    """Load and validate a case from a path, a dict, or a `Case` (returned as is).

    Raises `CaseError` listing every problem with its JSON path.
    """
    if isinstance(source, Case):
        return source
    if isinstance(source, Mapping):
        try:
            raw = copy.deepcopy(dict(source))
            digest = sha256(json.dumps(raw, sort_keys=True, default=str).encode())
        except (TypeError, ValueError, RecursionError) as exc:  # keys 1 and "a", a cycle
            raise CaseError(f"case: not JSON data ({type(exc).__name__}: {exc}); keys must be "
                            "strings, without cycles or deep nesting") from None
        origin = "<dict>"
    elif not isinstance(source, str | os.PathLike):
        validate(source)  # a list, a number...: "case: must be a JSON object {...}, got ..."
        raise CaseError(f"case: give a path, a dict or a Case, got {type(source).__name__}")
    else:
        data, origin = read_case_source(source)
        raw = parse_json_text(data, origin)
        digest = sha256(data)
    case = validate(raw)
    case._source = (digest, origin)
    return case


def load_case_with(source: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
                   ) -> Case:
    """Load a case file (or '-' for standard input) and apply dotted-path overrides.

    The audit trail keeps the SHA-256 of the file as read, before the overrides.
    """
    data, origin = read_case_source(source)
    raw = parse_json_text(data, origin)
    if overrides:
        if not isinstance(raw, dict):
            raise CaseError(f"case: must be a JSON object {{...}}, got {_kind(raw)}")
        raw = apply_overrides(raw, overrides)
    case = validate(raw)
    case._source = (sha256(data), origin)
    return case


def provenance(case: Case) -> tuple[str, str]:
    """(SHA-256 of the case as read, where it came from)."""
    if case._source is not None:
        return case._source
    canonical = json.dumps(case.model_dump(mode="json", exclude_unset=True), sort_keys=True)
    return sha256(canonical.encode()), "<Case object>"


def validate(raw: Any) -> Case:
    if not isinstance(raw, dict):
        raise CaseError(f"case: must be a JSON object {{...}}, got {_kind(raw)}")
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        raise CaseError(_at_most(_format_errors(exc, raw))) from None
    except RecursionError:
        raise CaseError("case: nested too deeply") from None
    # Magnitudes need valid references (a lever's effects read the lines it names).
    problems = check_references(case) or check_model_size(case) or check_magnitudes(case)
    if problems:
        raise CaseError(_at_most(problems))
    return case


MAX_PROBLEMS = 60


def _at_most(problems: list[str]) -> list[str]:
    """The first MAX_PROBLEMS problems (a file with 5,000 broken levers gets a readable answer)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more problems"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def _path(loc: tuple[Any, ...], raw: Any) -> str:
    """('levers', 3, 'cut', 'max_fraction') -> 'levers[3].max_fraction' (drops union tags)."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and part in LEVER_TYPES:
            continue  # the discriminator tag pydantic adds to the location
        if isinstance(node, dict) and part not in node and part.startswith("function-"):
            continue
        if (part == "[key]" or _UNION_TAG.fullmatch(part)) and not (
                isinstance(node, dict) and part in node):
            continue  # pydantic's marker for "the key itself is invalid", or a union member
        out += path_part(part, first=not out)
        node = node.get(part) if isinstance(node, dict) else None
    return out or "case"


_UNION_TAG = re.compile(r"str|int|float|bool|none|[a-z-]+\[.*\]")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:-]{1,60}")


def path_part(key: str, first: bool = False) -> str:
    """One key of a JSON path: `.key`, or `["odd key"]` when it holds anything but letters,
    digits, '_', '-' and ':' (quoted, control characters escaped, cut at 60 characters)."""
    key = str(key)
    if _PLAIN_KEY.fullmatch(key):
        return key if first else f".{key}"
    return f"[{_shown(key)}]"


def printable(text: str) -> str:
    """text with control characters (C0, DEL, C1) written as \\uXXXX: messages and
    reports never send terminal escapes from a case file."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _model_at(loc: tuple[Any, ...], raw: Any) -> type[BaseModel] | None:
    """Which model holds the field at loc (to suggest a close field name)."""
    model: type[BaseModel] | None = Case
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
        model = _CHILD.get((model, part))
    return model


class _LeverList:  # markers used by _model_at
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
    **{(lever_type, "uncertainty"): LeverUncertainty for lever_type in LEVER_TYPES.values()},
}


def _shown(value: Any) -> str:
    if isinstance(value, str) and len(value) > 200:
        value = value[:200]  # a 20 MB string is not encoded whole for a 60-character excerpt
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (ValueError, RecursionError):  # a NaN or a deeply nested value
        text = repr(value)[:200]
    text = printable(text.encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= 60 else text[:57] + "..."


def _format_errors(exc: ValidationError, raw: Any) -> list[str]:
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _path(loc, raw)
        kind = err["type"]
        got = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            field = str(loc[-1])
            model = _model_at(loc, raw)
            hint = ""
            if model is not None:
                names = [n for n in model.model_fields if n != "type"]
                close = difflib.get_close_matches(field, names, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(names)}"
            problems.append(f"{path}: unknown field{hint}")
        elif kind == "missing":
            problems.append(f"{path}: required field is missing")
        elif kind == "union_tag_invalid":
            problems.append(f"{path}.type: unknown lever type {_shown(ctx.get('tag'))}; "
                            f"use one of {', '.join(LEVER_TYPES)}")
        elif kind == "union_tag_not_found":
            problems.append(f"{path}.type: required field is missing (one of {', '.join(LEVER_TYPES)})")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            low, high = _limits(loc, raw)
            if low is not None and high is not None:
                hint = ""
                if high == 1 and isinstance(got, int | float) and 2 <= got <= 100:
                    hint = f" (fractions are decimals: write {got / 100:g} for {got:g} %)"
                problems.append(f"{path}: must be between {low} and {high}, got {_shown(got)}{hint}")
            else:
                problems.append(f"{path}: {err['msg'].lower()}, got {_shown(got)}")
        elif kind == "float_type" and isinstance(got, int) and not isinstance(got, bool):
            low, high = _limits(loc, raw)
            within = f"between {low} and {high}" if high is not None else "a finite number"
            problems.append(f"{path}: must be {within}, got a whole number of "
                            f"{len(str(abs(got)))} digits")
        elif kind == "string_unicode":
            problems.append(f"{path}: must be valid text; it holds an unpaired surrogate "
                            "(a \\ud800-\\udfff escape without its pair)")
        elif kind == "finite_number":
            problems.append(f"{path}: must be a finite number, got {_shown(got)}")
        elif kind == "string_pattern_mismatch" and str(loc[-1]) in ("id",) or (
            kind == "string_pattern_mismatch"
        ):
            problems.append(f"{path}: {_shown(got)} is not a valid id; use 1 to 40 characters "
                            "among a-z, 0-9, '_' and '-'")
        elif kind in ("float_type", "int_type", "bool_type", "string_type", "dict_type",
                      "list_type", "model_type", "model_attributes_type", "int_from_float",
                      "float_parsing", "int_parsing", "literal_error", "dataclass_type"):
            expected = {"float_type": "a number", "int_type": "a whole number",
                        "int_from_float": "a whole number", "bool_type": "true or false",
                        "string_type": "a string", "dict_type": "an object {...}",
                        "list_type": "a list [...]", "model_type": "an object {...}",
                        "model_attributes_type": "an object {...}"}.get(kind)
            if kind == "literal_error":
                problems.append(f"{path}: must be {ctx.get('expected')}, got {_shown(got)}")
            else:
                problems.append(f"{path}: must be {expected or err['msg'].lower()}, "
                                f"got {_shown(got) if _is_number(got) or not expected else _kind(got)}")
        elif kind == "value_error":
            problems.append(f"{path}: {ctx.get('error', err['msg'])!s}")
        elif kind == "too_short" and isinstance(got, list):
            need = ctx.get("min_length", 1)
            problems.append(f"{path}: must hold at least {need} item{'s' if need != 1 else ''}, "
                            f"got {'an empty list' if not got else len(got)}")
        else:
            problems.append(f"{path}: {err['msg']}" + (f", got {_shown(got)}" if got is not None
                                                       and not isinstance(got, dict | list) else ""))
    return _merge_alternatives(problems) or ["case: invalid"]


def _merge_alternatives(problems: list[str]) -> list[str]:
    """'notes: must be a string, got X' + 'notes: must be a list [...], got X' (a union of
    types) -> 'notes: must be a string or a list [...], got X'."""
    out: list[str] = []
    for problem in problems:
        m = re.fullmatch(r"(.+?): must be (.+), got (.+)", problem, re.DOTALL)
        prev = re.fullmatch(r"(.+?): must be (.+), got (.+)", out[-1], re.DOTALL) if out else None
        if m and prev and m.group(1) == prev.group(1) and m.group(3) == prev.group(3):
            out[-1] = f"{m.group(1)}: must be {prev.group(2)} or {m.group(2)}, got {m.group(3)}"
        else:
            out.append(problem)
    return out


def _limits(loc: tuple[Any, ...], raw: Any) -> tuple[Any, Any]:
    model = _model_at(loc, raw)
    field = str(loc[-1])
    if model is None or field not in model.model_fields:
        return None, None
    low = high = None
    info = model.model_fields[field]
    metas = list(info.metadata)
    for arg in get_args(info.annotation):  # `Fraction | None`: the limits sit in the union
        for meta in getattr(arg, "__metadata__", ()):
            metas.extend(getattr(meta, "metadata", [meta]))
    for meta in metas:
        for attr in ("ge", "gt"):
            if getattr(meta, attr, None) is not None:
                low = getattr(meta, attr)
        for attr in ("le", "lt"):
            if getattr(meta, attr, None) is not None:
                high = getattr(meta, attr)
    if low is None and high is None:
        return None, None
    return _limit_text(low), _limit_text(high)


def _limit_text(v: Any) -> Any:
    """1000000000000.0 -> '1e12' (a limit a person can read)."""
    if v is None or abs(v) < 1e6:
        return v
    return f"{v:.0e}".replace("e+0", "e").replace("e+", "e")


def check_references(case: Case) -> list[str]:
    """Cross-field checks pydantic cannot express: ids, sides, defaults that need the budget."""
    problems: list[str] = []

    def unique(items: list[Any], kind: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(f"{kind}[{i}].id: duplicate id '{item.id}' "
                                f"(already used by {kind}[{seen[item.id]}])")
            seen.setdefault(item.id, i)

    unique(case.revenues, "revenues")
    unique(case.expenditures, "expenditures")
    unique(case.levers, "levers")
    revenue_ids = {r.id: r for r in case.revenues}
    expenditure_ids = {e.id for e in case.expenditures}
    if sum(r.amount for r in case.revenues) <= 0:
        problems.append("revenues: the revenues add up to 0, so no private share can be computed")

    def near(name: str, pool: list[str]) -> str:
        close = difflib.get_close_matches(name, pool, n=1, cutoff=0.5)
        return f"; did you mean '{close[0]}'?" if close else (f"; use one of {', '.join(pool)}"
                                                               if pool else "")

    fee_lines: dict[str, int] = {}
    for i, lever in enumerate(case.levers):
        where = f"levers[{i}]"
        for attr, side in lever.line_fields.items():
            line = getattr(lever, attr)
            if side == "expenditure":
                if line not in expenditure_ids:
                    problems.append(f"{where}.{attr}: no expenditure line '{line}'"
                                    f"{near(line, sorted(expenditure_ids))}")
                continue
            if line not in revenue_ids:
                pool = sorted(r.id for r in case.revenues if r.public == (side == "public"))
                problems.append(f"{where}.{attr}: no revenue line '{line}'{near(line, pool)}")
            elif revenue_ids[line].public != (side == "public"):
                want = "a public" if side == "public" else "a private"
                problems.append(f"{where}.{attr}: '{line}' is a "
                                f"{'public' if revenue_ids[line].public else 'private'} line; "
                                f"a {lever.type} lever needs {want} revenue line")
        if lever.type == "fee_increase":
            line = lever.revenue
            if line in fee_lines:
                problems.append(f"{where}: a second fee_increase on '{line}' "
                                f"(levers[{fee_lines[line]}] already raises it); keep one")
            fee_lines.setdefault(line, i)
        if lever.type == "new_members" and lever.fee is None and case.members == 0:
            problems.append(f"{where}.fee: required when members is 0 (the default fee is "
                            "fee line / members)")
        if lever.type == "custom":
            for attr, ids in (("revenues", revenue_ids), ("expenditures", expenditure_ids)):
                for line in getattr(lever, attr):
                    if line not in ids:
                        problems.append(f"{where}.{attr}.{line}: no such {attr[:-1]} line"
                                        f"{near(line, sorted(ids))}")
            setup = lever.setup
            for line in (setup.expenditures if setup else {}):
                if line not in expenditure_ids:
                    problems.append(f"{where}.setup.expenditures.{line}: no such expenditure line"
                                    f"{near(line, sorted(expenditure_ids))}")
        if (lever.type == "cut" and lever.enabled
                and getattr(lever, "expenditure", None) in expenditure_ids
                and case.expenditure(lever.expenditure).staff
                and not math.isfinite(case.cost_per_fte)):
            problems.append(f"{where}.expenditure: cutting a staff line needs staff.fte or "
                            "staff.cost_per_fte, to know how much capacity the cut removes")
    lever_ids = {lever.id for lever in case.levers}
    rule_names: dict[str, int] = {}
    for i, rule in enumerate(case.rules):
        if rule.name in rule_names:
            # Names identify rules in diagnoses ("blocking") and in --set rules.NAME.rhs.
            problems.append(f"rules[{i}].name: duplicate rule name {rule.name!r} (already used "
                            f"by rules[{rule_names[rule.name]}]); give each rule its own name")
        rule_names.setdefault(rule.name, i)
        for quantity in rule.terms:
            problem = _check_quantity(quantity, revenue_ids, expenditure_ids, lever_ids)
            if problem:
                problems.append(f"rules[{i}].terms{path_part(quantity)}: {problem}")
    problems += check_uncertainty(case)
    return problems


def _check_quantity(q: str, revenues: Mapping[str, Any], expenditures: set[str],
                    levers: set[str]) -> str | None:
    if q in QUANTITIES:
        return None
    kind, sep, ident = q.partition(":")
    if not sep or kind not in QUANTITY_KINDS:
        close = difflib.get_close_matches(q, list(QUANTITIES), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (f"unknown quantity; {hint}use one of {', '.join(QUANTITIES)}, "
                "or revenue:ID, expenditure:ID, lever:ID")
    pool = {"revenue": set(revenues), "expenditure": expenditures, "lever": levers}[kind]
    if ident not in pool:
        close = difflib.get_close_matches(ident, sorted(pool), n=1)
        hint = f"; did you mean '{kind}:{close[0]}'?" if close else ""
        return f"no {kind} '{ident}'{hint}"
    return None


# ---------------------------------------------------------------- overrides (--set)

_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def parse_value(text: str) -> Any:
    """A --set value: JSON when it parses (numbers, true, null, [..]), else the plain string."""
    text = text.strip()
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def resolve_path(raw: dict[str, Any], path: str) -> tuple[Any, Any, str]:
    """Find the container and key that a dotted path names.

    Levers, revenues and expenditures are addressed by id (`levers.training.price`);
    lists also accept an index (`rules.0.rhs`). Raises CaseError naming the nearest paths.
    """
    parts = path.split(".")
    node: Any = raw
    shown: list[str] = []
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                ids = [str(x.get("id", x.get("name"))) for x in node if isinstance(x, dict)]
                raise CaseError(f"--set {path}: no item '{part}' in {'.'.join(shown) or 'case'}"
                                f"{_did_you_mean(part, ids, '.'.join(shown))}")
            if last:
                return node, index, path
            node = node[index]
        elif isinstance(node, dict):
            if last:
                return node, part, path
            if part not in node:
                if not shown and part in ("staff", "target", "uncertainty"):
                    node[part] = {}
                else:
                    pool = list(node) if shown else list(Case.model_fields)
                    raise CaseError(f"--set {path}: no field '{part}' in {'.'.join(shown) or 'case'}"
                                    f"{_did_you_mean(part, pool, '.'.join(shown))}")
            node = node[part]
        else:
            raise CaseError(f"--set {path}: '{'.'.join(shown)}' is a value, not an object")
        shown.append(part)
    raise CaseError(f"--set {path}: empty path")


def _list_index(node: list[Any], part: str) -> int | None:
    for i, item in enumerate(node):
        if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
            return i
    if part.isdigit() and int(part) < len(node):
        return int(part)
    return None


def _did_you_mean(part: str, pool: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(part, pool, n=3, cutoff=0.4)
    if not close:
        return f"; valid: {', '.join(pool[:12])}" if pool else ""
    dotted = [f"{prefix}.{c}" if prefix else c for c in close]
    return f"; did you mean {' or '.join(dotted)}?"


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of raw with each dotted path set to its value (the input is not modified)."""
    out = copy.deepcopy(raw)
    for path, value in overrides.items():
        container, key, _ = resolve_path(out, path)
        container[key] = value
    return out


def case_schema() -> dict[str, Any]:
    """The JSON Schema of case files, for editors."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Cluster funding case"
    return schema


__all__ = [
    "ID_PATTERN",
    "Case",
    "Expenditure",
    "Fraction",
    "Revenue",
    "Rule",
    "Staff",
    "Target",
    "apply_overrides",
    "case_schema",
    "load_case",
    "parse_value",
]

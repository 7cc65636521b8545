"""A region file (issue 10): many clusters, the funders' envelopes, a shared pool of members.

`load_region(path | dict)` reads the file, loads every cluster's case (a path relative to
the region file, or a case inline) and checks what ties them together: unique cluster
ids, envelopes that name existing clusters and public revenue lines of theirs, amounts
that do not exceed what the clusters receive today. Every message names the file and the
field (`clusters[3].case: no such file 'clusters/x.json'`). The semantics are in
docs/MODEL.md, "Region (issue 10)".
"""

from __future__ import annotations

import copy
import difflib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from ..base import StrictModel
from ..errors import CaseError
from ..i18n import gettext as _
from ..levers.fields import Fraction, Id, Label, Notes
from .load import parse_json_text, read_case_source
from .messages import at_most, kind_of
from .paths import resolve_path, set_values
from .schema import Case, sha256, validate

RegionObjective = Literal["total_risk", "fairest"]
EnvelopeSpend = Literal["up_to", "all"]


class ClusterRef(StrictModel):
    id: Id
    case: str | dict[str, Any] = Field(
        description="The cluster's case: a path (relative to the region file) or a case inline")
    horizon: dict[str, Any] | None = Field(
        default=None, description="With a region horizon: the cluster's horizon (years, "
        "targets, reserves...), set on its case (replacing the case's own)")


EnvelopeAmount = Annotated[float, Field(ge=0, le=1e12)]


class RegionHorizon(StrictModel):
    """A region's horizon (docs/MODEL.md, "Region horizon"): the years of the funders'
    envelopes; every cluster's case carries a horizon over the same years."""

    years: Annotated[list[Annotated[int, Field(ge=1900, le=2200)]],
                     Field(min_length=1, max_length=10)]
    notes: Notes = None


class Envelope(StrictModel):
    id: Id
    label: Label | None = None
    amount: EnvelopeAmount | Annotated[list[EnvelopeAmount], Field(min_length=1,
                                                                   max_length=10)] = Field(
        description="EUR at most after the plan; with a region horizon, one number (every "
                    "year) or a list, one per year")
    lines: dict[Id, Id] = Field(
        description="cluster id -> the public revenue line of that cluster this funder pays")
    max_cut_fraction: Fraction = 1.0
    spend: EnvelopeSpend = Field(
        default="up_to",
        description='"up_to" (the default): the funder pays at most `amount` (the least-risk '
                    'split may cut deeper); "all": the funder spends its whole envelope, the '
                    'lines after the plan sum to `amount` exactly (each year, with a region '
                    'horizon)')
    notes: Notes = None

    @property
    def name(self) -> str:
        return self.label or self.id

    @property
    def spends_all(self) -> bool:
        """Whether the funder spends its whole envelope (`spend: "all"`)."""
        return self.spend == "all"

    def amount_in(self, k: int) -> float:
        """The envelope's amount in year k of a region horizon (one number: every year)."""
        return float(self.amount[k] if isinstance(self.amount, list) else self.amount)


class RegionFile(StrictModel):
    """The region file as written (the JSON Schema of `optimize --schema` for regions)."""

    schema_version: Literal[1] = 1
    name: Annotated[str, Field(min_length=1, max_length=500)]
    clusters: Annotated[list[ClusterRef], Field(min_length=1, max_length=5000)]
    envelopes: Annotated[list[Envelope], Field(max_length=100)] = Field(default_factory=list)
    member_pool: Annotated[int, Field(ge=0)] | None = None
    region_private_share: Annotated[float, Field(gt=0, lt=1)] | None = None
    objective: RegionObjective = "total_risk"
    horizon: RegionHorizon | None = None
    notes: Notes = None


@dataclass(frozen=True)
class Region:
    """A validated region: the file, and each cluster's validated case (in file order)."""

    spec: RegionFile
    cases: tuple[Case, ...]
    source: tuple[str, str] = ("", "<dict>")
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.spec.clusters]

    def case_of(self, cluster_id: str) -> Case:
        return self.cases[self.ids.index(cluster_id)]

    def funded(self, cluster_id: str) -> list[tuple[Envelope, str]]:
        """(envelope, line) for each envelope that pays a line of this cluster."""
        return [(e, e.lines[cluster_id]) for e in self.spec.envelopes if cluster_id in e.lines]

    @property
    def is_batch(self) -> bool:
        """No envelope, member pool, region share or horizon: each cluster is solved on its
        own (exactly `optimize` on its case), one table."""
        spec = self.spec
        return (spec.horizon is None and not spec.envelopes and spec.member_pool is None
                and spec.region_private_share is None)


def is_region(raw: Any) -> bool:
    """Whether parsed JSON is a region file (it has `clusters`) rather than a case."""
    return isinstance(raw, dict) and "clusters" in raw


def region_schema() -> dict[str, Any]:
    schema = RegionFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Cluster region file"
    return schema


def read_region_raw(source: str | os.PathLike[str]) -> tuple[Any, str, str]:
    """(parsed JSON, display name, SHA-256 of the bytes) of a region or case file."""
    data, origin = read_case_source(source)
    return parse_json_text(data, origin), origin, sha256(data)


def apply_region_overrides(raw: dict[str, Any], overrides: Mapping[str, Any],
                           base_dir: Path, where: str) -> dict[str, Any]:
    """A copy of raw with dotted paths set: `envelopes.region.amount`, `member_pool`, and
    paths into a cluster's case, `clusters.axelera.target.private_share` (the case is read
    and inlined first; its own paths are those of `--set` on a case)."""
    out = copy.deepcopy(raw)
    top = list(RegionFile.model_fields)
    for path, value in overrides.items():
        parts = path.split(".")
        if parts[0] == "clusters" and len(parts) >= 3:
            clusters = out.get("clusters")
            if not isinstance(clusters, list):
                raise CaseError(f"--set {path}: {where} has no list of clusters")
            index = next((i for i, c in enumerate(clusters)
                          if isinstance(c, dict) and c.get("id") == parts[1]), None)
            if index is None and parts[1].isdigit() and int(parts[1]) < len(clusters):
                index = int(parts[1])
            if index is None:
                ids = [str(c.get("id")) for c in clusters if isinstance(c, dict)]
                close = difflib.get_close_matches(parts[1], ids, n=3, cutoff=0.4)
                hint = f"; did you mean {' or '.join('clusters.' + c for c in close)}?" \
                    if close else f"; clusters: {', '.join(ids[:12])}"
                raise CaseError(f"--set {path}: no cluster '{parts[1]}'{hint}")
            ref = clusters[index]
            if parts[2] == "case" or "case" not in ref or (
                    parts[2] == "horizon" and isinstance(ref.get("horizon"), dict)):
                # (the region's own clusters[i].horizon, which replaces the case's)
                container, key, _ = resolve_path(out, path, top)
                container[key] = value
                continue
            case_raw = _cluster_raw(ref.get("case"), base_dir, f"clusters[{index}].case")
            ref["case"] = set_values(case_raw, {".".join(parts[2:]): value},
                                     list(Case.model_fields))
        else:
            container, key, _ = resolve_path(out, path, top)
            container[key] = value
    return out


def _cluster_raw(case: Any, base_dir: Path, where: str) -> dict[str, Any]:
    if isinstance(case, dict):
        return copy.deepcopy(case)
    if not isinstance(case, str):
        raise CaseError(f"{where}: must be a file name or a case object, got {kind_of(case)}")
    path = base_dir / case
    if not path.is_file():
        raise CaseError(f"{where}: no such file '{case}'")
    try:
        data, origin = read_case_source(path)
        raw = parse_json_text(data, origin)
    except CaseError as exc:
        raise CaseError([f"{where}: {p}" for p in exc.problems]) from None
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: '{case}' must hold a JSON object, got {kind_of(raw)}")
    return raw


def load_region(source: str | os.PathLike[str] | Mapping[str, Any] | Region,
                overrides: Mapping[str, Any] | None = None,
                base_dir: str | os.PathLike[str] | None = None) -> Region:
    """Load and check a region file (a path, or a dict with cases inline or paths relative
    to base_dir). Raises CaseError naming the file and field of every problem."""
    if isinstance(source, Region):
        return source
    if isinstance(source, Mapping):
        raw: Any = copy.deepcopy(dict(source))
        where = "region"
        digest = sha256(json.dumps(raw, sort_keys=True, default=str).encode())
        folder = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        raw, where, digest = read_region_raw(source)
        folder = Path(base_dir) if base_dir is not None else Path(source).parent
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: must be a JSON object {{...}}, got {kind_of(raw)}")
    if overrides:
        raw = apply_region_overrides(raw, overrides, folder, where)
    try:
        spec = RegionFile.model_validate(raw)
    except ValidationError as exc:
        raise CaseError(at_most([f"{where}: {_loc(e['loc'])}: {_msg(e)}"
                                 for e in exc.errors()])) from None
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, ref in enumerate(spec.clusters):
        if ref.id in seen:
            problems.append(f"{where}: clusters[{i}].id: '{ref.id}' is already the id of "
                            f"clusters[{seen[ref.id]}]; each cluster needs its own id")
        seen.setdefault(ref.id, i)
    if problems:
        raise CaseError(at_most(problems))
    cases: list[Case] = []
    for i, ref in enumerate(spec.clusters):
        label = f"{where}: clusters[{i}].case"
        try:
            case_raw = _cluster_raw(ref.case, folder, label)
            if ref.horizon is not None:  # the region gives the cluster's horizon
                case_raw["horizon"] = copy.deepcopy(ref.horizon)
            case = validate(case_raw)
        except CaseError as exc:
            problems += [p if p.startswith(label) else f"{label}: {p}" for p in exc.problems]
            continue
        if isinstance(ref.case, str):
            case.record_source(sha256(json.dumps(case_raw, sort_keys=True).encode()),
                               str(folder / ref.case))
        cases.append(case)
    if problems:
        raise CaseError(at_most(problems))
    by_id = dict(zip([r.id for r in spec.clusters], cases))
    env_seen: set[str] = set()
    for j, env in enumerate(spec.envelopes):
        at = f"{where}: envelopes[{j}]"
        if env.id in env_seen:
            problems.append(f"{at}.id: '{env.id}' names another envelope too; each envelope "
                            "needs its own id")
        env_seen.add(env.id)
        if not env.lines:
            problems.append(f"{at}.lines: name at least one cluster and the line it pays")
        today = 0.0
        for cid, line in env.lines.items():
            if cid not in by_id:
                close = difflib.get_close_matches(cid, list(by_id), n=1, cutoff=0.5)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(f"{at}.lines.{cid}: no cluster '{cid}' in clusters{hint}")
                continue
            case = by_id[cid]
            public = [r.id for r in case.revenues if r.public]
            if line not in public:
                close = difflib.get_close_matches(line, public, n=1, cutoff=0.5)
                hint = f"; did you mean '{close[0]}'?" if close else \
                    f"; its public lines: {', '.join(public) or 'none'}"
                problems.append(f"{at}.lines.{cid}: '{line}' is not a public revenue line "
                                f"of {cid}{hint}")
                continue
            today += case.revenue(line).amount
        for other in spec.envelopes[:j]:
            for cid, line in env.lines.items():
                if other.lines.get(cid) == line:
                    problems.append(f"{at}.lines.{cid}: line '{line}' of {cid} is paid by "
                                    f"envelope '{other.id}' already")
        if isinstance(env.amount, list):
            problems += horizon_amount_problems(spec, env, at, today)
        elif not problems and env.amount > today + 1e-6 * max(1.0, today):
            problems.append(f"{at}.amount: {env.amount:,.0f} is above what the clusters "
                            f"receive from it today ({today:,.0f}); an envelope can only "
                            "stay or fall")
    problems += region_horizon_problems(spec, cases, where)
    if problems:
        raise CaseError(at_most(problems))
    if not isinstance(source, str | os.PathLike):
        origin = "<dict>"
    else:
        origin = str(source)
    return Region(spec, tuple(cases), (digest, origin), raw)


def horizon_amount_problems(spec: RegionFile, env: Envelope, at: str, today: float
                            ) -> list[str]:
    """A list of amounts: one per year of the region's horizon, none above today's sum."""
    assert isinstance(env.amount, list)
    if spec.horizon is None:
        return [_("{at}.amount: a list of amounts (one per year) needs the region's horizon "
                  "(\"horizon\": {{\"years\": [...]}}); without it give one number").format(
                      at=at)]
    if len(env.amount) != len(spec.horizon.years):
        return [_("{at}.amount: one amount per year of horizon.years ({n} years), got "
                  "{got}").format(at=at, n=len(spec.horizon.years), got=len(env.amount))]
    return [_("{at}.amount[{k}]: {amount} is above what the clusters receive from it today "
              "({today}); an envelope can only stay or fall").format(
                  at=at, k=k, amount=f"{a:,.0f}", today=f"{today:,.0f}")
            for k, a in enumerate(env.amount) if a > today + 1e-6 * max(1.0, today)]


def region_horizon_problems(spec: RegionFile, cases: list[Case], where: str) -> list[str]:
    """With a region horizon, every cluster's case carries a horizon over the same years;
    without one, no cluster's case may carry one (docs/MODEL.md, "Region horizon")."""
    problems = []
    h = spec.horizon
    if h is not None:
        for k in range(1, len(h.years)):
            if h.years[k] != h.years[k - 1] + 1:
                problems.append(_("{where}: horizon.years[{k}]: the years must be consecutive "
                                  "and increasing (2024, 2025, ...), got {before} then "
                                  "{year}").format(where=where, k=k, before=h.years[k - 1],
                                                   year=h.years[k]))
                break
    for i, (ref, case) in enumerate(zip(spec.clusters, cases)):
        at = f"{where}: clusters[{i}].case"
        if case.target.risk_measure == "cvar":
            problems.append(_("{at}.target.risk_measure: 'cvar' is not available in a region "
                              "(the region minimises the clusters' EUR at risk); remove it for "
                              "the region run, or run the case of {id} alone").format(
                                  at=at, id=ref.id))
        if h is None and case.horizon is not None:
            problems.append(_("{at}.horizon: the case of {id} has a horizon but the region "
                              "file has none; add \"horizon\": {{\"years\": {years}}} to "
                              "the region file").format(at=at, id=ref.id,
                                                        years=list(case.horizon.years)))
        elif h is not None and case.horizon is None:
            problems.append(_("{at}.horizon: the region has a horizon ({years}) but the case "
                              "of {id} has none; give clusters[{i}].horizon in the region file (or its case) "
                              "\"horizon\": {{\"years\": {years}, ...}}, its targets and "
                              "reserves year by year").format(i=i, 
                                  at=at, id=ref.id, years=list(h.years)))
        elif h is not None and case.horizon is not None \
                and list(case.horizon.years) != list(h.years):
            problems.append(_("{at}.horizon.years: {got} for {id}, but the region's horizon "
                              "is {years}; every cluster's path covers the region's "
                              "years").format(at=at, got=list(case.horizon.years), id=ref.id,
                                              years=list(h.years)))
    return problems


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "region"


def _msg(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        return "unknown field; check its spelling"
    text = str(error.get("msg", "invalid"))
    if "input" in error and kind not in ("missing",):
        text += f", got {json.dumps(error['input'], default=str)[:60]}"
    return text


__all__ = ["ClusterRef", "Envelope", "Region", "RegionFile", "RegionHorizon", "RegionObjective",
           "apply_region_overrides", "is_region", "load_region", "read_region_raw",
           "region_schema"]

"""Reading a case: bytes -> JSON -> `Case` (files, standard input, dicts).

The JSON reader refuses what JSON would silently accept (a key twice, NaN, a
hundred-digit number) and what would not fit in memory; validation itself is
`schema.validate`. The audit trail keeps the SHA-256 of the bytes as read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import CaseError
from ..i18n import gettext as _
from .fractions import fractions_applied
from .messages import at_most, kind_of, path_part
from .paths import reject_constant
from .schema import Case, apply_overrides, from_mapping, sha256, validate
from .sniff import XLSX_KIND, binary_file, binary_kind, empty_file, not_json, not_utf8

MAX_CASE_BYTES = 20 * 1024 * 1024
# Names read as spreadsheets (the workbook reader refuses .xls and .ods, saying what to do).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
STDIN = "<stdin>"


def parse_json_text(text: str | bytes, source: str = "case") -> Any:
    if len(text) > MAX_CASE_BYTES:
        raise CaseError(_("{source}: the file is larger than {mb} MB; a case file is a few kB")
                        .format(source=source, mb=MAX_CASE_BYTES // 2**20))
    if not text.strip():
        raise CaseError(empty_file(source))
    kind = binary_kind(text) if isinstance(text, bytes) else None
    if kind is not None:
        raise CaseError(binary_file(source, kind))
    duplicates: list[_Duplicates] = []
    try:
        raw = json.loads(text, parse_constant=reject_constant, parse_int=_parse_int,
                         object_pairs_hook=lambda pairs: _object(pairs, duplicates))
        if duplicates:
            raise CaseError(at_most(_duplicate_keys(raw)))
        return raw
    except RecursionError:
        raise CaseError(_("{source}: the JSON is nested too deeply").format(source=source)) \
            from None
    except UnicodeDecodeError as exc:
        if isinstance(exc.object, bytes):
            raise CaseError(not_utf8(source, exc.object, exc.start)) from None
        raise CaseError(_("{source}: not UTF-8 text ({reason}); save the file as UTF-8").format(
            source=source, reason=exc.reason)) \
            from None
    except json.JSONDecodeError as exc:
        raise CaseError(not_json(source, exc)) from None
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
                problems.append(_("{path}: this key appears more than once in the same object; "
                                  "keep one").format(path=path + path_part(key, first=not path)))
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


def parse_case_data(data: bytes, origin: str) -> tuple[Any, Mapping[str, str] | None]:
    """The raw case of a file's bytes, and where its fields sit when it is a workbook.

    An Excel workbook (a name ending .xlsx, or the bytes of one under any name) is read by
    `workbook.read_workbook`: the same raw dict as the JSON case, and the cells of its
    fields (`levers[3].max_fraction` -> `Levers!F5`) for the messages. Any other file is
    JSON text (`parse_json_text`), whose messages name JSON paths (cells None).
    """
    if is_workbook(data, origin):
        from .workbook import read_workbook

        return read_workbook(data, origin)
    return parse_json_text(data, origin), None


def validate_cells(raw: Any, cells: Mapping[str, str] | None) -> Case:
    """`validate`; for a workbook, each problem names its cell (`Levers!F7 (max_fraction)`)."""
    if cells is None:
        return validate(raw)
    from .workbook import translate

    try:
        return validate(raw)
    except CaseError as exc:
        raise CaseError(translate(exc.problems, cells)) from None


def is_workbook(data: bytes, origin: str) -> bool:
    """A spreadsheet by its name (.xlsx, .xlsm, and the .xls, .ods the reader explains),
    or, on standard input, an .xlsx workbook by its bytes. A workbook named .json is not
    read as one: `sniff` says what it is (the name says JSON; the user may have sent the
    wrong file)."""
    if Path(origin).suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    return origin == STDIN and binary_kind(data) == XLSX_KIND


def read_case_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a case file (or '-' for standard input) and a display name."""
    import sys

    if str(source) == "-":
        data = sys.stdin.buffer.read(MAX_CASE_BYTES + 1)
        return data, STDIN
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaseError(_("{source}: cannot read the case file ({reason})").format(
            source=source, reason=exc.strerror)) from None
    if path.is_dir():
        raise CaseError(_("{source}: is a folder, not a case file").format(source=source))
    if size > MAX_CASE_BYTES:
        raise CaseError(_("{source}: the file is larger than {mb} MB; a case file is a few kB")
                        .format(source=source, mb=MAX_CASE_BYTES // 2**20))
    try:
        # Never more than the limit: the path may be a device or a pipe (/dev/zero) that
        # st_size does not measure, or a file that grows while it is read.
        with open(path, "rb") as handle:
            data = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise CaseError(_("{source}: cannot read the case file ({reason})").format(
            source=source, reason=exc.strerror)) from None
    if len(data) > MAX_CASE_BYTES:
        raise CaseError(_("{source}: the file is larger than {mb} MB; a case file is a few kB")
                        .format(source=source, mb=MAX_CASE_BYTES // 2**20))
    return data, str(source)



def load_case(source: Case | Mapping[str, Any] | str | os.PathLike[str]) -> Case:
    """Load and validate a case from a path, a dict, or a `Case` (returned as is).

    Raises `CaseError` listing every problem with its JSON path.
    """
    if isinstance(source, Case):
        return source
    if isinstance(source, Mapping):
        return from_mapping(source)
    if not isinstance(source, str | os.PathLike):
        validate(source)  # a list, a number...: "case: must be a JSON object {...}, got ..."
        raise CaseError(f"case: give a path, a dict or a Case, got {type(source).__name__}")
    data, origin = read_case_source(source)
    raw, cells = parse_case_data(data, origin)
    case = validate_cells(raw, cells)
    case.record_source(sha256(data), origin)
    return case


def load_case_with(source: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
                   ) -> Case:
    """Load a case file (or '-' for standard input) and apply dotted-path overrides.

    The audit trail keeps the SHA-256 of the file as read, before the overrides.
    """
    return load_case_applied(source, overrides)[0]


def load_case_applied(source: str | os.PathLike[str],
                      overrides: Mapping[str, Any] | None = None
                      ) -> tuple[Case, dict[str, Any]]:
    """`load_case_with`, and the overrides as applied: a percentage (`Percent`, "60%" on
    the command line) becomes its fraction, for a field that takes one (else CaseError)."""
    data, origin = read_case_source(source)
    raw, cells = parse_case_data(data, origin)
    applied: dict[str, Any] = {}
    if overrides:
        if not isinstance(raw, dict):
            raise CaseError(f"case: must be a JSON object {{...}}, got {kind_of(raw)}")
        applied = fractions_applied(raw, overrides)
        raw = apply_overrides(raw, applied)
    case = validate_cells(raw, cells)
    case.record_source(sha256(data), origin)
    return case, applied


def provenance(case: Case) -> tuple[str, str]:
    """(SHA-256 of the case as read, where it came from)."""
    if case.source is not None:
        return case.source
    canonical = json.dumps(case.model_dump(mode="json", exclude_unset=True), sort_keys=True)
    return sha256(canonical.encode()), "<Case object>"


__all__ = ["MAX_CASE_BYTES", "WORKBOOK_SUFFIXES", "is_workbook", "load_case",
           "load_case_applied", "load_case_with", "parse_case_data", "parse_json_text",
           "provenance", "read_case_source", "validate_cells"]

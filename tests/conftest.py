"""Shared fixtures: the contract vectors of ../shared/contract and the bundled cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
DATA = Path(__file__).resolve().parent / "data"


def _contract_dir() -> Path | None:
    for candidate in (ROOT.parent / "shared" / "contract", ROOT / "shared" / "contract"):
        if candidate.is_dir():
            return candidate
    return None


CONTRACT = _contract_dir()


def contract_vectors() -> list[Path]:
    """The contract vectors: the shared folder when present, else the copy in tests/data."""
    if CONTRACT is not None:
        return sorted(CONTRACT.glob("v*.json"))
    return sorted((DATA / "contract").glob("v*.json"))


@pytest.fixture
def aura_case() -> dict:
    return json.loads((CASES / "aura-average-2020.json").read_text())

"""The contract vectors: cases written to MODEL.md, answered by an independent implementation."""

from __future__ import annotations

import json

import pytest

import optimizer
from optimizer.plan.evaluate import evaluate, violations

from .conftest import contract_vectors

VECTORS = contract_vectors()


def test_vectors_are_present():
    """The contract vectors are found (shared/contract or the copy in tests/data)."""
    assert len(VECTORS) >= 8


@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_contract_vector(path, solver):
    """Each vector gives the expected status, minimum EUR at risk (1e-5 relative or 1 EUR),
    and a feasible plan carrying the risk it reports; infeasible ones the highest share."""
    vector = json.loads(path.read_text())
    expected = vector["expected"]
    result = optimizer.solve(vector["case"], solver=solver)
    assert result.status.value == expected["status"]
    if expected["status"] == "optimal":
        assert result.risk == pytest.approx(expected["risk"], rel=1e-5, abs=1.0)
        ev = evaluate(result.case, result.plan)
        assert violations(result.case, ev, result.plan) == []
        assert ev.risk == pytest.approx(result.risk)
        # The expected plan is feasible for our arithmetic and carries the expected risk.
        theirs = expected["one_optimal_plan"]
        ev_theirs = evaluate(result.case, theirs)
        assert ev_theirs.risk == pytest.approx(expected["risk"], rel=1e-5, abs=1.0)
        assert violations(result.case, ev_theirs, theirs) == []
    else:
        assert result.diagnosis is not None
        assert result.diagnosis.max_private_share == pytest.approx(
            expected["max_private_share"], abs=1e-4)

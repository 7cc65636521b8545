"""Small programs over columns (the region's decomposition, issue 10 at scale), in matrix
form: the master LP with the duals of its rows, and the choice MILP of one column per
cluster. Only this solver layer touches highspy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..status import Status
from .highs import MatrixModel, new_highs, run_highs


@dataclass(frozen=True)
class Rows:
    """Sparse rows (CSR) over n columns, with their bounds."""

    starts: list[int]
    index: list[int]
    value: list[float]
    lower: list[float]
    upper: list[float]


def _model(cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, integer: np.ndarray,
           rows: Rows) -> MatrixModel:
    n = len(cost)
    return MatrixModel(names=[f"x{j}" for j in range(n)], cost=np.asarray(cost, float),
                       lower=np.asarray(lower, float), upper=np.asarray(upper, float),
                       integer=np.asarray(integer, bool),
                       row_lower=np.asarray(rows.lower, float),
                       row_upper=np.asarray(rows.upper, float),
                       starts=np.asarray(rows.starts, np.int32),
                       index=np.asarray(rows.index, np.int32),
                       value=np.asarray(rows.value, float),
                       row_names=[f"r{i}" for i in range(len(rows.lower))], sense=1,
                       offset=0.0)


@dataclass(frozen=True)
class Solved:
    status: Status
    objective: float | None
    x: np.ndarray | None
    row_dual: np.ndarray | None  # d objective / d row bound (LP only)
    bound: float | None  # the MILP's proven lower bound (LP: its objective)


def solve_matrix(cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                 integer: np.ndarray, rows: Rows, *, time_limit: float | None = None,
                 gap_rel: float | None = None, max_nodes: int | None = None) -> Solved:
    """Minimise cost.x over the rows and bounds (an LP when no column is integer)."""
    model = _model(cost, lower, upper, integer, rows)
    inst = new_highs(model, time_limit)
    inst.setOptionValue("threads", 1)
    if gap_rel is not None:
        inst.setOptionValue("mip_rel_gap", gap_rel)
    if max_nodes is not None:
        inst.setOptionValue("mip_max_nodes", int(max_nodes))
    out = run_highs(inst, model)
    if not out.has_plan or out.objective is None:
        return Solved(out.status, None, None, None, None)
    sol = inst.getSolution()
    x = np.array(sol.col_value, dtype=float)
    duals = None
    bound = out.objective
    if not np.any(model.integer):
        duals = np.array(sol.row_dual, dtype=float)
    else:
        dual = getattr(inst.getInfo(), "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual):
            bound = min(out.objective, float(dual))
    return Solved(out.status, float(out.objective), x, duals, bound)


__all__ = ["Rows", "Solved", "solve_matrix"]

"""The random laws of a case's scenarios that are not a lever's own: shocks, the common factor.

A lever's realisation factor is its own (`LeverBase.realisation`); here are the
shocks on baseline lines, whether a draw is coupled to the common economic factor,
and the standard normal CDF of the Gaussian copula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..case.schema import Case, Shock
from ..levers.uncertainty import Triangular, triangular


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF, vectorised: 0.5 erfc(-z / sqrt 2).

    erfc by the Chebyshev fit of Numerical Recipes (fractional error below 1.2e-7),
    ample for turning correlated normals into uniforms; numpy has no erf.
    """
    x = -z / math.sqrt(2.0)
    ax = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * ax)
    poly = -ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (
        0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (
            1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    erfc = np.where(x >= 0, erfc, 2.0 - erfc)
    return np.clip(0.5 * erfc, 0.0, 1.0)


def shock_distribution(shock: Shock) -> Triangular:
    return triangular(shock.low, shock.mode, shock.high)


def is_coupled(common: bool, case: Case) -> bool:
    return common and case.uncertainty is not None and case.uncertainty.common_factor > 0


def has_uncertainty(case: Any) -> bool:
    """Whether the case says anything about uncertainty (else defaults apply)."""
    return bool(case.shocks) or case.uncertainty is not None or any(
        lever.uncertainty is not None for lever in case.levers)


__all__ = ["has_uncertainty", "is_coupled", "normal_cdf", "shock_distribution"]

from __future__ import annotations

from typing import TYPE_CHECKING

from ..fmt import keur

if TYPE_CHECKING:
    from ..errors import OptimizerError


class LeverBase:
    kind = "base"

    def words(self, value: float) -> str:
        return keur(value)

    def fail(self, error: OptimizerError) -> None:
        raise error

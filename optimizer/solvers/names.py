"""The solver names, written once: a typed name, validated once at the boundary."""

from __future__ import annotations

import enum

from ..errors import CaseError


class SolverName(str, enum.Enum):
    """The solvers the package runs: CBC (bundled with PuLP, a separate process) and HiGHS
    (in-process, through highspy)."""

    CBC = "cbc"
    HIGHS = "highs"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def parse(cls, name: str | SolverName) -> SolverName:
        """The solver of a name (CaseError naming the allowed ones otherwise)."""
        try:
            return cls(name)
        except (ValueError, TypeError):
            raise CaseError(f"solver: unknown solver '{name}'; use one of "
                            f"{', '.join(SOLVERS)}") from None


SOLVERS: tuple[str, ...] = tuple(name.value for name in SolverName)

__all__ = ["SOLVERS", "SolverName"]

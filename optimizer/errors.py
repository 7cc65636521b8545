"""The package's exceptions. The CLI maps them to exit codes in one place.

Infeasibility is not an exception: it is a status of the result.
"""

from __future__ import annotations


class OptimizerError(Exception):
    """Base class of every error the package raises on purpose."""

    exit_code = 4


class CaseError(OptimizerError):
    """The case (file, overrides or options) is invalid. Each problem names its JSON path."""

    exit_code = 2

    def __init__(self, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SolverError(OptimizerError):
    """The solver is missing, crashed, or returned a plan that fails our own checks."""

    exit_code = 4

import dataclasses

from optimizer.levers import LEVER_TYPES

from .._version import __version__
from ..levers.base import LeverBase


@dataclasses.dataclass
class Case:
    levers: list[LeverBase]
    version: str = __version__

    def kinds(self):
        return sorted(LEVER_TYPES)

from . import grant_cut
from .base import LeverBase

LEVER_TYPES: dict[str, type[LeverBase]] = {grant_cut.GrantCut.kind: grant_cut.GrantCut}

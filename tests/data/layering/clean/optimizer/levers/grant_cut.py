from .base import LeverBase


class GrantCut(LeverBase):
    kind = "grant_cut"

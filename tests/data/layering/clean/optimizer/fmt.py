import math

from .errors import CaseError


def keur(value):
    if math.isnan(value):
        raise CaseError("not a number")
    return f"{value / 1000:.0f} k EUR"

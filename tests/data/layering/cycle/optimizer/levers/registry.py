from . import LeverBase  # expect: cycle

LEVER_TYPES = {"base": LeverBase}

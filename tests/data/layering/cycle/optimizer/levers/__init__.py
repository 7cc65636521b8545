class LeverBase:
    pass


from .registry import LEVER_TYPES  # expect: cycle

__all__ = ["LEVER_TYPES", "LeverBase"]

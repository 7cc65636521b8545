from .base import LeverBase
from .registry import LEVER_TYPES

__all__ = ["LEVER_TYPES", "LeverBase"]

from .schema import SENSE

__all__ = ["SENSE"]

from .load import load_case
from .schema import Case

__all__ = ["Case", "load_case"]

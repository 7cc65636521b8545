from .base import words

__all__ = ["words"]

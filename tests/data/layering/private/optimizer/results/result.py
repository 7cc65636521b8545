__all__ = ["num"]
_CACHE = {}


def _num(value):
    return float(value)


def num(value):
    return _num(value)

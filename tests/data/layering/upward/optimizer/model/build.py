from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..results.result import Result  # expect: layers


def build(result: Result):
    return result

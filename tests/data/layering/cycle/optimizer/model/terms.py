from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import Model  # expect: cycle


class Terms:
    model: Model

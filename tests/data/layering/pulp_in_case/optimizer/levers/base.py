from __future__ import annotations

from typing import TYPE_CHECKING

from ..fmt import keur

if TYPE_CHECKING:
    from ..model.build import Model  # expect: layers, solver-free


def words(model: Model):
    return keur(model)

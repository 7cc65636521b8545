"""Lever type name -> class: the one list of lever types.

The case schema's discriminated union is built from it (`lever_union`). A new lever
type is one file and one call, `register_lever(MyLever)`: the schema listens
(`on_change`) and rebuilds itself with the new type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Union

from pydantic import Field

from .base import LeverBase
from .custom import Custom
from .cut import Cut
from .eu_projects import EuProjects
from .fee_increase import FeeIncrease
from .grant_cut import GrantCut
from .new_members import NewMembers
from .service import Service
from .success_fee import SuccessFee

LEVER_TYPES: dict[str, type[LeverBase]] = {
    "cut": Cut,
    "grant_cut": GrantCut,
    "fee_increase": FeeIncrease,
    "new_members": NewMembers,
    "service": Service,
    "success_fee": SuccessFee,
    "eu_projects": EuProjects,
    "custom": Custom,
}

_BUILT_IN = frozenset(LEVER_TYPES)
_LISTENERS: list[Callable[[], None]] = []


def lever_union() -> Any:
    """The discriminated union of every registered lever type (tag: `type`)."""
    return Annotated[Union[tuple(LEVER_TYPES.values())], Field(discriminator="type")]  # noqa: UP007


def on_change(listener: Callable[[], None]) -> None:
    """Call listener whenever a lever type is registered (the case schema rebuilds)."""
    _LISTENERS.append(listener)


def register_lever(cls: type[LeverBase]) -> type[LeverBase]:
    """Add a lever type (a LeverBase subclass whose `type` field is a Literal of its name).

    Usable as a class decorator. Registering the same class twice changes nothing.
    """
    if not (isinstance(cls, type) and issubclass(cls, LeverBase)):
        raise TypeError(f"register_lever: {cls!r} is not a LeverBase subclass")
    name = _type_name(cls)
    if LEVER_TYPES.get(name) is cls:
        return cls
    LEVER_TYPES[name] = cls
    for listener in _LISTENERS:
        listener()
    return cls


def unregister_lever(cls: type[LeverBase]) -> None:
    """Remove a lever type registered with `register_lever` (the eight of MODEL.md stay)."""
    name = _type_name(cls)
    if name in _BUILT_IN or LEVER_TYPES.get(name) is not cls:
        raise ValueError(f"unregister_lever: {cls.__name__} is not a registered added type")
    del LEVER_TYPES[name]
    for listener in _LISTENERS:
        listener()


def _type_name(cls: type[LeverBase]) -> str:
    field = cls.model_fields.get("type")
    args: tuple[Any, ...] = tuple(getattr(field.annotation, "__args__", ())) if field else ()
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"register_lever: {cls.__name__}.type must be a Literal of the type's "
                        "name, e.g. type: Literal[\"sponsorship\"]")
    return args[0]


__all__ = ["LEVER_TYPES", "lever_union", "on_change", "register_lever", "unregister_lever"]

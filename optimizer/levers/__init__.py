"""The lever types of MODEL.md, one file each, and the protocol they share (`base.py`).

Levers import neither a solver library nor the case: they build their model terms
through `ModelContext` and read the case through `CaseView`.
"""

from .base import EPS, Effects, LeverBase, OptionLever, Terms
from .custom import Custom, CustomSetup
from .cut import Cut
from .eu_projects import EuProjects
from .fee_increase import FeeIncrease
from .grant_cut import GrantCut
from .new_members import NewMembers
from .registry import LEVER_TYPES, lever_union, register_lever
from .service import Service
from .success_fee import SuccessFee

__all__ = [
    "EPS",
    "LEVER_TYPES",
    "Custom",
    "CustomSetup",
    "Cut",
    "Effects",
    "EuProjects",
    "FeeIncrease",
    "GrantCut",
    "LeverBase",
    "NewMembers",
    "OptionLever",
    "Service",
    "SuccessFee",
    "Terms",
    "lever_union",
    "register_lever",
]

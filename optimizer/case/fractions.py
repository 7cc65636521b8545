"""Percentages typed on a command line ("60%"), for the fields that take a fraction.

`paths.parse_value` reads "60%" as a `Percent` (0.6); before the value is applied, the
field it goes to must take a fraction: a number field of the schema bounded within
0 to 100 (shares, rates, fractions, downsides, the realisation factors of `uncertainty`,
a fee increase up to 10 = 1000 %). Anything else (members, a price, an amount) refuses
the percent sign: 60% of what?
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

from ..errors import CaseError
from ..i18n import gettext as _
from .messages import field_limits
from .paths import Percent, locate
from .schema import model_at, resolve_case_path

# The largest upper bound of a fraction field (the realisation factors of `uncertainty`
# go up to 100, that is 10,000 %).
MAX_FRACTION_BOUND = 100


def is_fraction_field(model: type[BaseModel] | None, field: str) -> bool:
    """Whether the field takes a fraction: a float bounded within 0 to 100."""
    if model is None or field not in model.model_fields:
        return False
    limits = field_limits(model, field)
    if limits is None or limits.low is None or limits.high is None:
        return False
    return 0 <= limits.low and limits.high <= MAX_FRACTION_BOUND and _takes(
        model.model_fields[field].annotation, float)


def _takes(annotation: Any, kind: type) -> bool:
    """Whether a field's annotation (an Annotated, an Optional, a union) holds `kind`."""
    if annotation is kind:
        return True
    return any(_takes(arg, kind) for arg in get_args(annotation))


def fraction_value(raw: Any, path: str, value: Any, option: str = "--set") -> Any:
    """value as it is applied at path: a `Percent` becomes its plain fraction when the
    field takes one, and is refused (CaseError) anywhere else; any other value is kept."""
    if not isinstance(value, Percent):
        return value
    try:  # a path that names nothing: say so first
        resolve_case_path(copy.deepcopy(raw), path)
    except CaseError as exc:
        raise CaseError([p.replace("--set ", f"{option} ", 1) for p in exc.problems]) from None
    loc = locate(raw, path)
    model, field = model_at(loc, raw), str(loc[-1])
    if model is not None and field in model.model_fields and _takes(
            model.model_fields[field].annotation, str):
        return value.text  # a name or a label: "100%" is text there
    if not is_fraction_field(model, field):
        number = model is None or field not in model.model_fields or any(
            _takes(model.model_fields[field].annotation, kind) for kind in (int, float))
        raise CaseError((_("{option} {path}={text}: {path} is not a fraction, so it takes no "
                           "percent sign; write a plain number") if number else
                         _("{option} {path}={text}: {path} is not a fraction, so it takes no "
                           "percent sign")).format(option=option, path=path, text=value.text))
    return float(value)


def fractions_applied(raw: Any, overrides: Mapping[str, Any], option: str = "--set"
                      ) -> dict[str, Any]:
    """The overrides with every percentage turned into its fraction (see fraction_value)."""
    return {path: fraction_value(raw, path, value, option) for path, value in overrides.items()}


__all__ = ["MAX_FRACTION_BOUND", "fraction_value", "fractions_applied", "is_fraction_field"]

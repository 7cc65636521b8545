"""Case files: the validated input of the optimiser (MODEL.md, "Case file").

- `schema`: the pydantic models and `validate` (once, at load);
- `load`: bytes -> JSON -> Case (files, standard input, dicts);
- `messages`: pydantic's errors in words, each with its JSON path;
- `checks`, `magnitudes`: the cross-field checks and the numbers solvers cannot take;
- `paths`: the dotted paths of `--set` and `--sweep`, and the values typed there;
  `fractions`: percentages ("60%") for the fields that take a fraction;
- `sniff`: what a file that is not a JSON case is, in words; `export`: the JSON Schema.

Importing this package imports no solver library.
"""

from ..levers.fields import ID_PATTERN, Fraction
from .export import case_schema
from .load import MAX_CASE_BYTES, load_case, load_case_with, parse_json_text, provenance
from .messages import path_part, printable
from .paths import parse_value
from .schema import (
    Case,
    Expenditure,
    Revenue,
    Rule,
    Staff,
    Target,
    apply_overrides,
    validate,
)

__all__ = [
    "ID_PATTERN",
    "MAX_CASE_BYTES",
    "Case",
    "Expenditure",
    "Fraction",
    "Revenue",
    "Rule",
    "Staff",
    "Target",
    "apply_overrides",
    "case_schema",
    "load_case",
    "load_case_with",
    "parse_json_text",
    "parse_value",
    "path_part",
    "printable",
    "provenance",
    "validate",
]

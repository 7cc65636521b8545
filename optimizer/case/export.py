"""The JSON Schema of case files, for editors that validate and complete JSON."""

from __future__ import annotations

from typing import Any

from .schema import Case


def case_schema() -> dict[str, Any]:
    """The JSON Schema of case files, for editors."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Cluster funding case"
    return schema


__all__ = ["case_schema"]

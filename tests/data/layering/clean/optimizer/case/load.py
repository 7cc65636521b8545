import importlib
import json

from .schema import Case


def load_case(text):
    errors = importlib.import_module("optimizer.errors")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise errors.CaseError(str(exc)) from None
    return Case(levers=data.get("levers", []))

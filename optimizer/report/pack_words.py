"""What the region's and the path's pages and workbooks share: the status in words, the
audit line, the case's notes as one list (issue 12)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..i18n import gettext as _
from ..status import Status


def status_line(status: Status, proven: bool, what: str) -> tuple[str, str]:
    """(the status in words, its class ok / warn / bad); `what` is 'path' or 'split'."""
    if status is Status.OPTIMAL and proven:
        return ((_("Optimal path, proven by the solver") if what == "path" else
                 _("Optimal split, proven by the solver")), "ok")
    if status in (Status.OPTIMAL, Status.TIME_LIMIT):
        return _("Not proven optimal: the solver stopped at its time limit"), "warn"
    if status is Status.INFEASIBLE:
        return ((_("The targets are out of reach") if what == "path" else
                 _("No split of the envelopes keeps every cluster at its targets")), "bad")
    return _("No answer: the solver gave no usable answer ({status})").format(
        status=status.value), "bad"


def notes_of(*sources: Any) -> list[str]:
    """Notes (a text, a list of texts or None) of several objects, in order."""
    out: list[str] = []
    for notes in sources:
        if isinstance(notes, str):
            out.append(notes)
        elif isinstance(notes, list | tuple):
            out.extend(str(n) for n in notes)
    return out


def audit_line(audit: Mapping[str, Any], name: str) -> str:
    """'Case "x" from file, SHA-256 ...; overrides ...; solver ...; versions ...'."""
    def text(key: str) -> str:
        value = audit.get(key)
        return _("unknown") if value in (None, "") else str(value)

    overrides = audit.get("overrides") or {}
    shown = (", ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}"
                       for k, v in overrides.items())
             if isinstance(overrides, Mapping) and overrides else _("none"))
    parts = [_("Case \u201c{case}\u201d from {source}, SHA-256 {sha}").format(
                 case=name, source=text("case_source"), sha=text("case_sha256")),
             _("overrides {overrides}").format(overrides=shown),
             _("solver {solver} ({version})").format(solver=text("solver"),
                                                      version=text("solver_version")),
             _("cluster-optimizer {package}, PuLP {pulp}, Python {python}").format(
                 package=text("package_version"), pulp=text("pulp_version"),
                 python=text("python"))]
    return "; ".join(parts) + "."


__all__ = ["audit_line", "notes_of", "status_line"]

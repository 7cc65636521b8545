"""`--checkpoint FILE` for a region solved by decomposition (issue 10, "Long runs lose
nothing").

Every finished per-cluster subproblem (one cluster at one set of multipliers) is recorded
under its key; the file is rewritten whole (written atomically: a crash leaves the old file
or the new one) at most once a second and at the end. It carries a fingerprint of the
region (every cluster's case, the envelopes, pool and share) and of the options that change
the answer, so a file left by another run is refused with a message. A run that finds its
own file reads the recorded subproblems back instead of solving them again; since every
step after them is a function of their answers, it ends with the same output.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..case.region import Region
from ..errors import CaseError

KIND = "cluster-optimizer region checkpoint"
VERSION = 1


def fingerprint(region: Region, options: Mapping[str, Any]) -> str:
    payload = {"version": VERSION,
               "region": region.spec.model_dump(mode="json", exclude={"clusters", "notes"}),
               "ids": region.ids,
               "cases": [case.model_dump(mode="json") for case in region.cases],
               "options": dict(options)}
    text = json.dumps(payload, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def write_whole(path: str | os.PathLike[str], text: str) -> None:
    """A temporary file beside path, synced, then renamed over it."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Checkpoint:
    """The record of a run's finished subproblems in one file."""

    def __init__(self, path: str | os.PathLike[str],
                 write: Callable[[str], None] | None = None, every: float = 1.0) -> None:
        self.path = Path(path)
        self._write = write or (lambda text: write_whole(self.path, text))
        self.every = every
        self.results: dict[str, Any] = {}
        self.print = ""
        self.loaded = 0
        self._last = 0.0
        self._dirty = False

    def open(self, region: Region, options: Mapping[str, Any]) -> None:
        """Check the file (if any) against this run and load what it records."""
        self.print = fingerprint(region, options)
        where = f"--checkpoint {self.path}"
        if self.path.is_dir():
            raise CaseError(f"{where}: is a folder; give a file name")
        if not self.path.exists():
            folder = self.path.parent if str(self.path.parent) else Path(".")
            if not folder.is_dir():
                raise CaseError(f"{where}: the folder {folder} does not exist")
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CaseError(f"{where}: not a checkpoint this tool wrote ({exc}); delete it "
                            "or choose another file") from None
        if not isinstance(data, dict) or data.get("kind") != KIND \
                or data.get("version") != VERSION:
            raise CaseError(f"{where}: not a checkpoint this tool wrote; delete it or "
                            "choose another file")
        if data.get("fingerprint") != self.print:
            raise CaseError(f"{where}: it records a run of another region or other options "
                            "(its fingerprint differs); delete it to start afresh, or give "
                            "the region and options of that run")
        results = data.get("results")
        if not isinstance(results, dict):
            raise CaseError(f"{where}: its results are damaged; delete it")
        self.results = results
        self.loaded = len(results)

    def known(self, key: str) -> tuple[bool, Any]:
        if key in self.results:
            answer = self.results[key]
            return True, None if answer is None else (float(answer[0]), answer[1])
        return False, None

    def store(self, key: str, answer: Any) -> None:
        self.results[key] = None if answer is None else [answer[0], answer[1]]
        self._dirty = True
        if time.monotonic() - self._last >= self.every:
            self.flush()

    def flush(self) -> None:
        if not self._dirty and self.path.exists():
            return
        text = json.dumps({"kind": KIND, "version": VERSION, "fingerprint": self.print,
                           "results": self.results}, separators=(",", ":"))
        try:
            self._write(text + "\n")
        except OSError as exc:
            raise CaseError(f"--checkpoint {self.path}: cannot write "
                            f"({exc.strerror or exc})") from None
        self._last = time.monotonic()
        self._dirty = False


__all__ = ["Checkpoint", "fingerprint", "write_whole"]

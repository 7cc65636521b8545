"""Files we write are written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import CaseError


def write_atomic(path: str | os.PathLike[str], data: str | bytes,
                 protect: tuple[str | os.PathLike[str], ...] = ()) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    A crash or Ctrl-C leaves either the old file or the new one, never half of one.
    `protect` lists files that must never be overwritten (the input case).
    """
    target = Path(path)
    for keep in protect:
        try:
            if target.exists() and Path(keep).exists() and target.samefile(keep):
                raise CaseError(f"--output {path}: this is the input case; choose another file")
        except OSError:
            pass
    if target.is_dir():
        raise CaseError(f"--output {path}: is a folder; give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CaseError(f"--output {path}: the folder {folder} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

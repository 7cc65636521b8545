"""Files we write are written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import CaseError
from ..i18n import gettext as _


def write_atomic(path: str | os.PathLike[str], data: str | bytes,
                 protect: tuple[str | os.PathLike[str], ...] = ()) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    A crash or Ctrl-C leaves either the old file or the new one, never half of one.
    `protect` lists files that must never be overwritten (the input case).
    A symbolic link is followed (the file it names is replaced, the link stays); a
    target that exists and is not a regular file (/dev/stdout, /dev/null, a pipe) is
    written to as it is, never replaced by a file. A write that fails (a folder that
    cannot be written, a full disk) raises CaseError naming --output.
    """
    target = Path(path)
    for keep in protect:
        try:
            if target.exists() and Path(keep).exists() and target.samefile(keep):
                raise CaseError(_("--output {path}: this is the input case; choose another file")
                                .format(path=path))
        except OSError:
            pass
    if target.is_dir():
        raise CaseError(_("--output {path}: is a folder; give a file name").format(path=path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.exists() and not target.is_file():
        _write_through(target, payload, path)
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CaseError(_("--output {path}: the folder {folder} does not exist").format(
            path=path, folder=folder))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise CaseError(_("--output {path}: cannot write in {folder} ({why})").format(
            path=path, folder=folder, why=exc.strerror)) from None
    try:
        os.fchmod(fd, _mode_for(target))  # mkstemp's 0600 would hide a shared report
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise CaseError(_("--output {path}: cannot write ({why})").format(
                path=path, why=exc.strerror or exc)) from None
        raise


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets (umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _write_through(target: Path, payload: bytes, shown: str | os.PathLike[str]) -> None:
    """A device or a pipe: written in place (there is no file to replace atomically)."""
    try:
        with open(target, "wb") as handle:
            handle.write(payload)
    except OSError as exc:
        raise CaseError(_("--output {path}: cannot write ({why})").format(
            path=shown, why=exc.strerror or exc)) from None

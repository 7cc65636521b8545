"""The code of a git ref, for benchmarks that measure before and after side by side."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extract(ref: str) -> Path | None:
    """The code of a git ref in a temporary directory (None when git cannot give it)."""
    out = Path(tempfile.mkdtemp(prefix="bench-before-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True,
                             check=False)
    if archive.returncode != 0:
        print(f"(no before: git archive {ref} failed: {archive.stderr.decode().strip()})")
        return None
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out

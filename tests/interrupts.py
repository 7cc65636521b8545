"""Ctrl-C as a terminal sends it, for the tests that interrupt a running `optimize`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def start_from_a_terminal(args: Sequence[str], cwd: Path,
                          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start args in a session of their own, with Ctrl-C's default disposition as from a
    terminal, even when this test process was started with SIGINT ignored (a background
    job of a script, which ignored signals pass on to what it runs: `python -m pytest &`)."""
    return subprocess.Popen(list(args), cwd=cwd, env=env, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (one signal call)
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition: Callable[[], Any], what: str, limit: float = 120.0,
             every: float = 0.05) -> Any:
    """The first true value of condition(), polled every `every` seconds for `limit`."""
    deadline = time.monotonic() + limit
    while not (value := condition()):
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(every)
    return value


def interrupt(proc: subprocess.Popen[bytes], target: str,
              ready: Callable[[], Any] = lambda: None) -> tuple[bytes, bytes]:
    """Once ready() returns (it waits for the moment to interrupt), SIGINT to the process
    alone ("process") or its whole group ("group", as a terminal's Ctrl-C), then its
    output; the group is killed if it is still running (ready() failed included)."""
    try:
        ready()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        return proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

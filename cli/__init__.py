"""The `optimize` command line (thin Click layer over `optimizer`).

Importing the command's dependencies (pandas, PuLP, HiGHS) takes a moment; a Ctrl-C in
that moment exits quietly with 130 instead of printing a traceback. `cli.main` hands
Ctrl-C back to Python (KeyboardInterrupt, handled by `run_safely`) once it is imported.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any


def _quiet_interrupt(signum: int, frame: Any) -> None:
    sys.stderr.write("interrupted: nothing was written\n")
    raise SystemExit(130)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


if _in_main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _quiet_interrupt)


def restore_interrupts() -> None:
    """Ctrl-C raises KeyboardInterrupt again (undoes the quiet exit of the imports)."""
    if _in_main_thread() and signal.getsignal(signal.SIGINT) is _quiet_interrupt:
        signal.signal(signal.SIGINT, signal.default_int_handler)

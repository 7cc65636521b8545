"""A loop of independent small solves on two cores: part of a map computed in a forked
child process, the rest here, with the same results in the same order as the plain loop,
whatever the timing (the region's Lagrangian probing, `blocks._probe`).

- The items are split in two by weight, by a fixed greedy rule: which item goes where
  depends on the weights only. The child computes its share and sends the results back,
  pickled, through a pipe; this process computes the rest meanwhile.
- The child is forked, not spawned: it starts at once, with the model already in memory.
  It ignores Ctrl-C (this process handles it), and its HiGHS scheduler, inherited from
  this process with none of its threads, is replaced by one on a single thread
  (`single_thread_worker`, as the sensitivity workers do).
- Nothing that happens to the child is an error of the run: if it raises, dies, or has
  not answered CHILD_WAIT seconds after this process finished its own share, it is
  killed and this process computes the child's share itself. Ctrl-C (or any exception)
  here kills the child before it goes on.
- Where forking is not possible (no `os.fork`) or not wanted (one worker), the plain
  loop runs. Callers fork only where `fork_is_safe` (as the sensitivity workers do).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Seconds the child may take beyond this process's own share before its share is computed
# here instead (a hung child costs time, never the answer).
CHILD_WAIT = 30.0


def usable_cores() -> int:
    """The cores this process may run on (at least 1)."""
    try:  # sched_getaffinity: Linux only (typeshed lacks it elsewhere, hence the ignore)
        count = len(os.sched_getaffinity(0))  # type: ignore[attr-defined, unused-ignore]
    except AttributeError:
        count = os.cpu_count() or 1
    return max(1, count)


def fork_is_safe() -> bool:
    """Whether forking this process is safe and fast: Linux, and no other Python thread
    running (a lock another thread holds would stay held in the child)."""
    import multiprocessing
    import sys

    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def halves(weights: Sequence[float]) -> tuple[list[int], list[int]]:
    """The items' indices split in two by weight: heaviest first, each to the lighter side
    (ties to this process's side, then by index). Depends on the weights only."""
    order = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    load = [0.0, 0.0]
    sides: list[list[int]] = [[], []]
    for i in order:
        side = 0 if load[0] <= load[1] else 1
        sides[side].append(i)
        load[side] += weights[i]
    return sorted(sides[0]), sorted(sides[1])


def forked_map(fn: Callable[[T], R], items: Sequence[T], weights: Sequence[float],
               fork: bool = True, wait: float = CHILD_WAIT) -> list[R]:
    """[fn(x) for x in items], the items of one half computed in a forked child.

    fn must be deterministic and its results picklable. weights: each item's expected
    work (any scale). fork False, fewer than two items, or no `os.fork`: the plain loop."""
    if not fork or len(items) < 2 or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    mine, theirs = halves(weights)
    if not theirs:
        return [fn(x) for x in items]
    read_end, write_end = os.pipe()
    # Ctrl-C is held back across the fork: a child interrupted before it ignores Ctrl-C
    # would go on as a second copy of this program (CPython clears, in the child, the
    # flags of signals caught before the fork).
    held = _hold_interrupts()
    pid = 0
    got: list[R] | None = None
    results: list[R | None] = [None] * len(items)
    try:
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running any exit handler
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _release_interrupts(held)
                os.close(read_end)
                from .highs import single_thread_worker

                single_thread_worker()
                data = pickle.dumps([fn(items[i]) for i in theirs],
                                    protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        write_end = -1
        _release_interrupts(held)  # a Ctrl-C held back is raised here: the child is killed
        held = None
        for i in mine:
            results[i] = fn(items[i])
        got = _collect(read_end, pid, len(theirs), wait)
        pid = 0
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
        if pid:  # this process was interrupted: the child goes first
            _kill(pid)
        _release_interrupts(held)  # (when the fork itself failed)
    if got is None:
        got = [fn(items[i]) for i in theirs]
    for i, value in zip(theirs, got, strict=True):
        results[i] = value
    return results  # type: ignore[return-value]


def _hold_interrupts() -> Any:
    """Block SIGINT for this thread (the one that forks); what to give back to
    `_release_interrupts` (None where signal masks do not exist or this is not the main
    thread)."""
    if not hasattr(signal, "pthread_sigmask") or \
            threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_interrupts(held: Any) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _collect(fd: int, pid: int, count: int, wait: float) -> list | None:
    """The child's results read from fd (None when it failed, died or took too long); the
    child is reaped either way."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + wait
    complete = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            complete = True
            break
        chunks.append(chunk)
    if not complete:
        _kill(pid)
        return None
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        out = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - a broken answer is no answer: computed here
        return None
    return out if isinstance(out, list) and len(out) == count else None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


__all__ = ["CHILD_WAIT", "fork_is_safe", "forked_map", "halves", "usable_cores"]

"""The decomposition's per-cluster work on a `dask.distributed` cluster (issue 10, "Exact,
then at scale": `--scheduler ADDRESS` or `DASK_SCHEDULER_ADDRESS`; the optional extra
`[dask]`).

One seam: `DaskScheduler` (a connection to a running scheduler) is called by the
decomposition's `Pricer` with the region and the function that makes it a process's
region; it answers a pool with what `Pricer` needs of a `ProcessPoolExecutor`: `submit`
(a `concurrent.futures.Future`), `shutdown` and its width `workers`. Nothing else of the
decomposition changes, so the answer is the same, byte for byte: every task is a pure
function of (cluster, multipliers), and `Pricer` gathers the answers in cluster order
whatever finishes first.

The region travels once per connection: it rides in a worker plugin (registered at the
first decomposition of that region, the marginal-risk solves reuse it, taken off the workers
when the connection closes), which the scheduler hands to every worker, those that join later (or that the nanny restarts after a crash) included; each
task carries only its cluster numbers and multipliers. A task lost with its worker is run
again elsewhere by Dask (tasks are pure: running one twice gives the same answer).

On a worker the tasks of this module run one at a time per process (a lock): the region of
the process is a module global of the decomposition and HiGHS runs on one thread; give the
workers one thread each (`dask worker ADDRESS --nworkers N --nthreads 1`) to use N cores.

This module imports `distributed` at import: import it only when Dask is asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Self

from ..errors import CaseError
from ..i18n import gettext as _

INSTALL = "pip install 'cluster-optimizer[dask]'"
# The message's name of the address's origin: the option, or the environment variable.
OPTION = "--scheduler"
ENVIRONMENT = "DASK_SCHEDULER_ADDRESS"
# Seconds to reach the scheduler: Dask's own default (30 s) is long to learn of a typo.
CONNECT_TIMEOUT = 10.0

try:  # the plugin's base class; without Dask, DaskScheduler says how to install it
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - exercised through a subprocess without dask
    WorkerPlugin = object  # type: ignore[assignment,misc]


def _where(source: str, address: str) -> str:
    return f"{source} {address}" if source.startswith("--") else f"{source}={address}"


# -- in a worker process --------------------------------------------------------------------

_REGIONS: dict[str, tuple[Callable[[Any], None], Any]] = {}  # token -> (use, region)
_CURRENT: list[str | None] = [None]
_LOCK = threading.Lock()
_HIGHS: list[bool] = [False]
_DONE: list[int] = [0]  # tasks this process has run (what a test asks the workers)


class RegionPlugin(WorkerPlugin):
    """The region of one run, installed once on every worker (and on those that join)."""

    def __init__(self, token: str, use: Callable[[Any], None], region: Any) -> None:
        self.token, self.use, self.region = token, use, region

    def setup(self, worker: Any) -> None:
        _REGIONS[self.token] = (self.use, self.region)

    def teardown(self, worker: Any) -> None:
        # Without the lock: this runs on the worker's event loop, which a task holding the
        # lock must not block. At worst a later run prepares its region once more.
        _REGIONS.pop(self.token, None)
        if _CURRENT[0] == self.token:
            _CURRENT[0] = None


def _task(token: str, fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) with this run's region as the process's region (on a Dask worker)."""
    with _LOCK:
        if _CURRENT[0] != token:
            if token not in _REGIONS:
                raise RuntimeError("the region of this run is not on this Dask worker (its "
                                   "plugin did not run there)")
            if not _HIGHS[0]:
                from ..solvers.highs import single_thread_worker

                single_thread_worker()
                _HIGHS[0] = True
            use, region = _REGIONS[token]
            use(region)
            _CURRENT[0] = token
        out = fn(*args)
        _DONE[0] += 1
        return out


def tasks_done() -> int:
    """The number of tasks this worker process has run."""
    return _DONE[0]


# -- in the calling process -----------------------------------------------------------------


class DaskPool:
    """What `Pricer` needs of a process pool, on the workers of a Dask cluster."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token
        self.workers = max(1, sum(client.nthreads().values()))
        self._count = itertools.count()
        self._live: dict[str, Any] = {}  # Dask futures are kept until they finish

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        out: Future[Any] = Future()
        out.set_running_or_notify_cancel()
        key = f"cluster-optimizer-{getattr(fn, '__name__', 'task')}-{self.token}-" \
              f"{next(self._count)}"
        remote = self.client.submit(_task, self.token, fn, *args, key=key, pure=False)
        self._live[key] = remote

        def done(finished: Any) -> None:
            self._live.pop(key, None)
            try:
                out.set_result(finished.result())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting Pricer
                out.set_exception(exc)

        remote.add_done_callback(done)
        return out

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        live = list(self._live.values())
        self._live.clear()
        if live:
            with contextlib.suppress(Exception):  # the scheduler may be gone
                self.client.cancel(live)


def _name(token: str) -> str:
    return f"cluster-optimizer-region-{token}"


async def _probe(address: str, timeout: float | str) -> None:
    """Connect to the address and hang up (raises when nothing answers there)."""
    from distributed.comm import connect
    from distributed.security import Security

    comm = await connect(address, timeout=timeout,
                         **Security().get_connection_args("client"))
    await comm.close()


class DaskScheduler:
    """A connection to a running `dask.distributed` scheduler. Called with (region, use),
    it answers a `DaskPool` for one decomposition; close() ends the connection."""

    def __init__(self, address: str, source: str = OPTION,
                 timeout: float | str | None = None) -> None:
        self.address, self.source = address, source
        self._shipped: list[tuple[Any, str]] = []  # (region, its plugin's token)
        where = _where(source, address)
        try:
            import distributed
        except ImportError:
            raise CaseError(_("{where}: Dask is not installed; {install}")
                            .format(where=where, install=INSTALL)) from None
        wait = CONNECT_TIMEOUT if timeout is None else timeout
        try:
            # A first connection, then the client: a Client that fails to start leaves an
            # object whose clean-up hangs for a minute at exit and prints a traceback.
            asyncio.run(_probe(address, wait))
            self.client = distributed.Client(address, set_as_default=False, timeout=wait)
        except Exception as exc:  # noqa: BLE001 - any failure to connect is the address's
            raise CaseError(_("{where}: no Dask scheduler answers at this address ({exc}); "
                              "start one (dask scheduler) or check the address")
                            .format(where=where, exc=str(exc) or type(exc).__name__)
                            ) from None

    def __call__(self, region: Any, use: Callable[[Any], None]) -> DaskPool:
        """A pool for one decomposition of region. The region is shipped (its plugin
        registered) at the first call only: the marginal-risk solves reuse it."""
        for shipped, token in self._shipped:
            if shipped is region:
                return DaskPool(self.client, token)
        token = uuid.uuid4().hex
        self.client.register_plugin(RegionPlugin(token, use, region), name=_name(token))
        self._shipped.append((region, token))
        return DaskPool(self.client, token)

    def close(self) -> None:
        """Take the regions off the workers and end the connection."""
        with contextlib.suppress(Exception):  # the scheduler may be gone: nothing to free
            for _, token in self._shipped:
                self.client.unregister_worker_plugin(_name(token))
        self._shipped.clear()
        with contextlib.suppress(Exception):  # closing a connection that already broke
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ENVIRONMENT", "INSTALL", "OPTION", "DaskPool", "DaskScheduler", "RegionPlugin"]

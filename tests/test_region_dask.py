"""The decomposition's per-cluster work on Dask (issue 10, `--scheduler`): the JSON of a
generated region is byte for byte the local pool's (1 and 2 workers); a worker killed in
the middle of a run changes nothing; `--checkpoint` works with Dask; an unreachable
scheduler and a missing Dask are exit 2 with a message, nothing written; runs that do not
ask for Dask never import it.

One `distributed.LocalCluster` (two worker processes, one thread each) serves the module.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed: pip install 'cluster-optimizer[dask]'")

from tests.region_gen import generate_region

ROOT = Path(__file__).resolve().parent.parent
MAIN = [sys.executable, "-c", "from cli.main import main; main()"]
# The same, telling on standard error whether Dask was imported by the time it exits.
TELL = [sys.executable, "-c",
        ("import atexit, sys\n"
         "atexit.register(lambda: print('dask imported:', 'dask' in sys.modules or "
         "'distributed' in sys.modules, file=sys.stderr))\n"
         "from cli.main import main; main()")]
# The same, as if Dask were not installed.
WITHOUT_DASK = [sys.executable, "-c",
                ("import sys\nsys.modules['dask'] = sys.modules['distributed'] = None\n"
                 "from cli.main import main; main()")]


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    out.update(extra)
    return out


def optimize(*args: str, command: list[str] = MAIN, timeout: float = 600,
             **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env(**extra))


@pytest.fixture(scope="module")
def cluster() -> object:
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: distributed.LocalCluster) -> object:
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def region_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "region.json"
    path.write_text(json.dumps(generate_region(8, seed=11)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(region_file: Path) -> str:
    """The local pool's answer with 2 workers (Dask never imported)."""
    done = optimize(str(region_file), "--method", "decompose", "--format", "json",
                    "--workers", "2", command=TELL)
    assert done.returncode in (0, 4), done.stderr
    assert "dask imported: False" in done.stderr
    out = json.loads(done.stdout)
    assert out["method"] == "decompose" and len(out["clusters"]) == 8
    return done.stdout


def test_one_local_worker_gives_the_bytes_of_two(region_file: Path, reference: str) -> None:
    one = optimize(str(region_file), "--method", "decompose", "--format", "json",
                   "--workers", "1")
    assert one.returncode in (0, 4), one.stderr
    assert one.stdout == reference


def _done(client: distributed.Client) -> int:
    from optimizer.analyses.region_dask import tasks_done

    return sum(client.run(tasks_done).values())


def test_dask_gives_the_bytes_of_the_local_pool(cluster: distributed.LocalCluster,
                                                client: distributed.Client,
                                                region_file: Path, reference: str) -> None:
    before = _done(client)
    on_dask = optimize(str(region_file), "--method", "decompose", "--format", "json",
                       "--scheduler", cluster.scheduler_address)
    assert on_dask.returncode in (0, 4), on_dask.stderr
    assert on_dask.stdout == reference
    assert _done(client) > before  # the work ran on the Dask workers


def test_the_environment_variable_when_the_option_is_absent(
        cluster: distributed.LocalCluster, client: distributed.Client, region_file: Path,
        reference: str) -> None:
    before = _done(client)
    by_env = optimize(str(region_file), "--method", "decompose", "--format", "json",
                      DASK_SCHEDULER_ADDRESS=cluster.scheduler_address)
    assert by_env.returncode in (0, 4), by_env.stderr
    assert by_env.stdout == reference
    assert _done(client) > before


def test_a_worker_killed_mid_run_changes_nothing(cluster: distributed.LocalCluster,
                                                 client: distributed.Client,
                                                 region_file: Path, reference: str,
                                                 tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    command = [*MAIN, str(region_file), "--method", "decompose", "--format", "json",
               "--scheduler", cluster.scheduler_address, "--checkpoint", str(checkpoint)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env())
    killed: list[tuple[int, bool]] = []

    def kill_when_work_is_back() -> None:
        # The checkpoint appears when the first subproblems have come back from the
        # workers: the run is in its first round, most of its work still to do. The victim
        # is a worker with tasks of the run in hand, lost with it.
        while proc.poll() is None:
            if checkpoint.exists():
                busy = sorted(w for w, keys in client.processing().items()
                              if any("cluster-optimizer" in str(k) for k in keys))
                if busy:
                    victim = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    running = proc.poll() is None
                    os.kill(victim, signal.SIGKILL)
                    killed.append((victim, running))
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_when_work_is_back)
    killer.start()
    out, err = proc.communicate(timeout=300)
    killer.join()
    assert proc.returncode in (0, 4), err
    assert killed and killed[0][1], "no worker was killed while the run had work on it"
    assert out == reference
    # the nanny starts a new worker: it gets the region (the plugin) and the next run uses it
    client.wait_for_workers(2, timeout=60)
    assert killed[0][0] not in client.run(os.getpid).values()
    # --checkpoint with Dask: the finished run's record, read back, gives the same bytes
    data = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert data["results"]
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                           check=False, env=env())
    assert again.returncode in (0, 4), again.stderr
    assert again.stdout == reference


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_scheduler_is_exit_2_and_nothing_written(region_file: Path,
                                                                tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    out, ckpt = tmp_path / "out.json", tmp_path / "run.ckpt"
    done = optimize(str(region_file), "--method", "decompose", "--scheduler", address,
                    "--output", str(out), "--checkpoint", str(ckpt))
    assert done.returncode == 2
    assert f"--scheduler {address}" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and not ckpt.exists()
    assert list(tmp_path.iterdir()) == []
    bad = optimize(str(region_file), "--method", "decompose", "--output", str(out),
                   DASK_SCHEDULER_ADDRESS="no-port-here")
    assert bad.returncode == 2
    assert "DASK_SCHEDULER_ADDRESS=no-port-here" in bad.stderr
    assert "Traceback" not in bad.stderr and not out.exists()


def test_dask_not_installed_says_how_to_install_it(region_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = optimize(str(region_file), "--method", "decompose", "--scheduler",
                    "tcp://127.0.0.1:8786", "--output", str(out), command=WITHOUT_DASK)
    assert done.returncode == 2
    assert "pip install 'cluster-optimizer[dask]'" in done.stderr
    assert "--scheduler tcp://127.0.0.1:8786" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_the_option_is_refused_where_nothing_is_decomposed(region_file: Path) -> None:
    joint = optimize(str(region_file), "--method", "joint", "--scheduler",
                     "tcp://127.0.0.1:8786")
    assert joint.returncode == 2 and "--scheduler" in joint.stderr
    assert "--method decompose" in joint.stderr and "Traceback" not in joint.stderr
    case = optimize("cases/aura-average-2020.json", "--scheduler", "tcp://127.0.0.1:8786")
    assert case.returncode == 2 and "--scheduler" in case.stderr


def test_the_library_keyword(cluster: distributed.LocalCluster, client: distributed.Client,
                             region_file: Path, reference: str) -> None:
    from optimizer.analyses.region import solve_region
    from optimizer.errors import CaseError

    with pytest.raises(CaseError, match="method=\"decompose\""):
        solve_region(str(region_file), method="joint", scheduler="tcp://127.0.0.1:8786")
    from optimizer.report.pack_files import region_report

    before = _done(client)
    result = solve_region(str(region_file), method="decompose",
                          scheduler=cluster.scheduler_address)
    assert region_report(result, "json") == reference
    assert _done(client) > before


def _tokens() -> list[str]:
    from optimizer.analyses import region_dask

    return sorted(region_dask._REGIONS)


def test_the_region_travels_once_in_a_plugin(cluster: distributed.LocalCluster,
                                             client: distributed.Client,
                                             region_file: Path) -> None:
    """Every worker holds the run's region (the plugin) before any task; tasks carry the
    run's token, cluster numbers and multipliers only; a second decomposition of the same
    region on the connection (the marginal risk) ships nothing; the plugin leaves when the
    connection closes."""
    from optimizer.analyses.region_dask import DaskScheduler
    from optimizer.analyses.region_decompose import Prepared, run_chunk, use_region
    from optimizer.case.region import load_region

    region = load_region(str(region_file))
    with DaskScheduler(cluster.scheduler_address) as connected:
        pool = connected(region, use_region)
        assert pool.workers == 2
        held = client.run(_tokens)
        assert len(held) == 2 and all(pool.token in tokens for tokens in held.values())
        y = [0.0] * (len(region.spec.envelopes) + 2)
        got = pool.submit(run_chunk, [1, 0], y).result(timeout=120)
        want = [Prepared(region, k).price(y) for k in (1, 0)]
        assert got == want
        pool.shutdown()
        again = connected(region, use_region)  # the same region: not shipped again
        assert again.token == pool.token
        assert connected(load_region(str(region_file)), use_region).token != pool.token
    assert all(pool.token not in tokens for tokens in client.run(_tokens).values())

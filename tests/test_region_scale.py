"""A region by decomposition from the command line (issue 10 at scale): the same answer,
byte for byte, with 1 or 2 workers; `--checkpoint` resumes a run killed at random points
(SIGKILL, a crash; SIGINT, Ctrl-C) and ends with the output of an uninterrupted run; a
checkpoint of another run is refused with a message naming the option."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.region_gen import generate_region

ROOT = Path(__file__).resolve().parent.parent
MAIN = [sys.executable, "-c", "from cli.main import main; main()"]


def optimize(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MAIN, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def region_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "region.json"
    path.write_text(json.dumps(generate_region(8, seed=7)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(region_file: Path) -> str:
    done = optimize(str(region_file), "--method", "decompose", "--format", "json",
                    "--workers", "2")
    assert done.returncode in (0, 4), done.stderr
    out = json.loads(done.stdout)
    assert out["method"] == "decompose" and out["clusters"]
    assert out["gap_eur"] is not None and out["bound"] <= out["total_risk"] + 1e-6
    return done.stdout


def test_one_worker_gives_the_same_bytes_as_two(region_file: Path, reference: str) -> None:
    done = optimize(str(region_file), "--method", "decompose", "--format", "json",
                    "--workers", "1")
    assert done.returncode in (0, 4), done.stderr
    assert done.stdout == reference


def test_killed_runs_resume_to_the_same_output(region_file: Path, reference: str,
                                               tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    command = [*MAIN, str(region_file), "--method", "decompose", "--format", "json",
               "--workers", "2", "--checkpoint", str(checkpoint)]
    rng = random.Random(2026)
    recorded = []
    for attempt in range(3):
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True,
                                # Ctrl-C's default disposition, as from a terminal, even
                                # when pytest runs as a background job with SIGINT ignored
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
        time.sleep(rng.uniform(1.0, 8.0))
        sig = signal.SIGKILL if attempt % 2 == 0 else signal.SIGINT
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        out, err = proc.communicate(timeout=300)
        if proc.returncode in (0, 4):
            assert out == reference  # finished before the signal
        else:
            assert "Traceback" not in err, err
        if checkpoint.exists():  # written whole or not at all
            data = json.loads(checkpoint.read_text(encoding="utf-8"))
            recorded.append(len(data["results"]))
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode in (0, 4), done.stderr
    assert done.stdout == reference
    assert recorded == sorted(recorded)  # finished work is never lost
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                           check=False)  # everything read back: still the same
    assert again.stdout == reference


def test_a_checkpoint_of_another_run_is_refused(region_file: Path, tmp_path: Path) -> None:
    checkpoint = tmp_path / "other.ckpt"
    first = optimize(str(region_file), "--method", "decompose", "--format", "json",
                     "--checkpoint", str(checkpoint))
    assert first.returncode in (0, 4), first.stderr
    raw = json.loads(region_file.read_text(encoding="utf-8"))
    amount = raw["envelopes"][0]["amount"]
    done = optimize(str(region_file), "--method", "decompose", "--checkpoint",
                    str(checkpoint), "--set", f"envelopes.region.amount={amount - 1000}")
    assert done.returncode == 2
    assert f"--checkpoint {checkpoint}" in done.stderr and "fingerprint" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_uses_are_named(region_file: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_text("not json", encoding="utf-8")
    done = optimize(str(region_file), "--method", "decompose", "--checkpoint", str(garbage))
    assert done.returncode == 2 and "--checkpoint" in done.stderr
    assert garbage.read_text(encoding="utf-8") == "not json"
    done = optimize("cases/aura-average-2020.json", "--method", "decompose")
    assert done.returncode == 2 and "--method: it goes with a region file" in done.stderr
    done = optimize(str(region_file), "--method", "joint", "--checkpoint",
                    str(tmp_path / "x.ckpt"))
    assert done.returncode == 2 and "--checkpoint" in done.stderr
    assert not (tmp_path / "x.ckpt").exists()

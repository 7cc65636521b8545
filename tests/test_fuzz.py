"""Fuzzing: no case file, however broken or extreme, crashes the optimiser.

Every input goes through loading and validation (`parse_json_text`, `validate`:
what `optimize` and `load_case` run) and must end in one of two ways: a
`CaseError` whose every problem names a JSON path that exists in the input, or
a valid case. A few hundred of the valid ones go on through a full solve (a
plan that passes the arithmetic recheck, or an infeasible or time-limit status),
and a few dozen go through the command line (exit 0, 2, 3 or 4, never a
traceback).

Per CI run: FUZZ_EXAMPLES (default 10,000) inputs in all, 3 % of them solved,
FUZZ_CLI (default 40) through the CLI. A longer local run:

    FUZZ_EXAMPLES=200000 python -m pytest tests/test_fuzz.py

CI runs are derandomised (the same inputs every run, so a red CI is a real
regression); set FUZZ_RANDOM=1 to draw new inputs on every run.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizer
from cli.main import main
from optimizer.case import Case, parse_json_text, validate
from optimizer.errors import CaseError, SolverError
from optimizer.plan.evaluate import evaluate, violations
from optimizer.status import Status

from .fuzz_inputs import broken_case_bytes, extreme_case_bytes, problem_names_path

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
FUZZ_CLI = int(os.environ.get("FUZZ_CLI", "40"))
# Share of the inputs drawn near the edges of what is valid (the rest are broken).
EXTREME_SHARE = 0.1
SOLVE_SHARE = 0.03
# A fuzzed case may be large; a solve that runs into this limit is a valid answer.
SOLVE_TIME_LIMIT = 20.0
MAX_PROBLEMS = 60  # a refusal lists at most this many problems (then "... and N more")


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    derandomize=not os.environ.get("FUZZ_RANDOM"),
                    suppress_health_check=list(HealthCheck))


def load(data: bytes) -> tuple[Any, Case | None]:
    """(the parsed JSON or None, the case or None); fails the test on anything but a
    CaseError whose problems each name a path of the input."""
    try:
        raw = parse_json_text(data)
    except CaseError as exc:
        assert exc.problems and all("\n" not in p for p in exc.problems), exc.problems
        for problem in exc.problems:  # the JSON is broken, or a key appears twice (at PATH)
            assert problem.startswith("case: ") or (
                "appears more than once" in problem
                and problem_names_path(problem, json.loads(data))), problem
        return None, None
    try:
        return raw, validate(raw)
    except CaseError as exc:
        assert 1 <= len(exc.problems) <= MAX_PROBLEMS + 1, len(exc.problems)
        for problem in exc.problems:
            assert len(problem) <= 600, problem[:200]
            assert problem.startswith(("case: ", "... and ")) or \
                problem_names_path(problem, raw), problem
        return raw, None


def check_result(result: optimizer.Result) -> None:
    """A fuzzed case solved: a rechecked plan or an honest status, and every report renders."""
    assert result.status in (Status.OPTIMAL, Status.INFEASIBLE, Status.TIME_LIMIT)
    if result.plan is not None:
        ev = evaluate(result.case, result.plan)
        assert violations(result.case, ev, result.plan) == []
        assert math.isfinite(result.risk)
        assert result.proven_optimal == (result.status is Status.OPTIMAL)
    else:
        assert result.status is not Status.OPTIMAL
    parsed = json.loads(result.to_json())
    assert parsed["status"] == result.status.value
    for fmt in ("table", "markdown", "csv"):
        assert result.report(fmt)


def test_broken_and_extreme_case_files_never_crash_loading():
    """FUZZ_EXAMPLES inputs: each is refused with messages naming paths of the input, or is
    a valid case; 3 % of the valid extreme ones are solved and their answers rechecked."""
    seen: Counter[str] = Counter()
    solves = max(1, int(FUZZ_EXAMPLES * SOLVE_SHARE))
    extreme = max(solves, int(FUZZ_EXAMPLES * EXTREME_SHARE))

    @_settings(FUZZ_EXAMPLES - extreme)
    @given(broken_case_bytes())
    def broken(data: bytes) -> None:
        seen["inputs"] += 1
        _, case = load(data)
        seen["valid" if case is not None else "refused"] += 1

    @_settings(extreme)
    @given(extreme_case_bytes())
    def edge(data: bytes) -> None:
        seen["inputs"] += 1
        _, case = load(data)
        if case is None:
            seen["refused"] += 1
            return
        seen["valid"] += 1
        if seen["solved"] < solves and len(case.levers) <= 40:
            seen["solved"] += 1
            start = time.perf_counter()
            try:
                check_result(optimizer.solve(case, time_limit=SOLVE_TIME_LIMIT))
            except SolverError as exc:
                # Allowed only as the refusal of a plan that fails the recheck (exit 4).
                assert "recheck" in str(exc) or "arithmetic" in str(exc), str(exc)
                seen["solver_errors"] += 1
            finally:  # reported, not asserted: where the CI minutes go
                spent = time.perf_counter() - start
                seen["solve_ms"] += int(1000 * spent)
                seen["slowest_solve_ms"] = max(seen["slowest_solve_ms"], int(1000 * spent))

    broken()
    edge()
    print(f"\nfuzz: {dict(seen)}")
    assert seen["inputs"] >= FUZZ_EXAMPLES
    assert seen["refused"] > 0 and seen["valid"] > 0
    assert seen["solved"] >= min(solves, 100)


def test_fuzzed_case_files_through_the_cli(tmp_path):
    """FUZZ_CLI fuzzed files through `optimize --format json`: exit 0, 2, 3 or 4 and never a
    traceback; exit 2 prints 'error: PATH: ...' lines, the others a JSON result."""
    seen: Counter[int] = Counter()
    runner = CliRunner()
    path = tmp_path / "case.json"

    @_settings(FUZZ_CLI)
    @given(st.one_of(broken_case_bytes(), extreme_case_bytes()))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        res = runner.invoke(main, [str(path), "--format", "json", "--time-limit", "20"])
        seen[res.exit_code] += 1
        assert res.exit_code in (0, 2, 3, 4), (res.exit_code, res.output[-2000:])
        assert res.exception is None or isinstance(res.exception, SystemExit)
        assert "Traceback" not in res.output and "Traceback" not in res.stderr
        if res.exit_code == 2:
            lines = res.stderr.splitlines()
            assert lines and all(line.startswith("error: ") for line in lines), res.stderr
            raw, _ = _parsed(data)
            for line in lines:
                problem = line[len("error: "):]
                assert problem.startswith((f"{path}: ", "case: ", "... and ")) or \
                    problem_names_path(problem, raw), problem
        else:
            result = json.loads(res.stdout)
            assert result["status"] in ("optimal", "infeasible", "time_limit")

    run()
    assert sum(seen.values()) >= FUZZ_CLI
    assert seen[2] > 0


def _parsed(data: bytes) -> tuple[Any, None]:
    try:
        return json.loads(data), None
    except (ValueError, RecursionError):
        return None, None


@pytest.mark.parametrize("text", [
    b'{"name": NaN}',
    b'{"name": "x", "members": Infinity}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"name": "' + b"x" * 2_000_000 + b'"}',
    b"\xff\xfe{}",
    b'{"levers": [' + b'{"id": "a b", "type": "cut"},' * 3000 + b"{}]}",
])
def test_hostile_files_through_the_real_cli_exit_2_without_traceback(tmp_path, text):
    """A handful of hostile files through the installed `optimize` in a real process
    (standard input): exit 2, 'error: ...' lines only, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", "-"], input=text,
                          capture_output=True, cwd=Path(__file__).resolve().parent.parent,
                          check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    err = proc.stderr.decode()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines and len(lines) <= MAX_PROBLEMS + 1
    assert all(line.startswith("error: ") for line in lines), err[:2000]

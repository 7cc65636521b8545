"""`optimize` gives today's outputs, byte for byte: the acceptance test of issue 8's move.

tests/data/golden_layout/ holds, for the 6 bundled cases and 50 seeded random cases, the
outputs of `optimize` recorded at commit 098adaf, before the package was reorganised: the
plan (JSON and table), a sweep, a frontier, a tornado, a simulation and a CVaR plan (see
tests/golden_layout.py for the exact command lines and what is masked: software versions in
the audit trail and the repository's path, nothing else). Each test re-runs one command line
of one input and compares exit code, standard output and standard error with the stored
ones; a failure names the input and the run and shows a diff.

Cost: about 3.5 minutes of CPU for the 454 runs, a third of it in two runs of the
CVaR case (its tornado and frontier re-solve the CVaR plan, with 2 x 100,000 simulated draws,
at every point). `-k random-07` or `-k tornado` picks a part.

When a change of output is intended (never during the move), regenerate with
`python -m tests.golden_layout --update [INPUT ...]` and review the diff of the stored files.

Only `cli.main` (through tests/golden_layout.py) and tests/random_cases.py are imported from
the project: the modules of `optimizer/` are the ones being moved.
"""

from __future__ import annotations

import difflib
import functools
import json
import random

import pytest

from . import golden_layout as golden
from .random_cases import random_case

MAX_DIFF_LINES = 120


@functools.cache
def stored(name: str) -> dict:
    return golden.load(name)


def stored_runs() -> list:
    """(input, run) of every stored file, in a fixed order."""
    params = []
    for path in sorted(golden.GOLDEN_DIR.glob("*.json")):
        for run in golden.load(path.stem)["runs"]:
            params.append(pytest.param(path.stem, run, id=f"{path.stem}:{run}"))
    return params


def diff(name: str, stream: str, want: list[str], got: list[str]) -> str:
    lines = list(difflib.unified_diff(want, got, f"stored {name} {stream}",
                                      f"today's {name} {stream}", lineterm="", n=2))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "run"), stored_runs())
def test_same_output_as_before_the_move(name, run):
    """The run gives the stored exit code, standard output and standard error, exactly
    (after masking the software versions and the repository's path)."""
    data = stored(name)
    want = data["runs"][run]
    got = golden.run(want["args"], golden.joined(data["stdin"]))
    command = "optimize " + " ".join(want["args"]) + (" < the stored case" if data["stdin"] else "")
    problems = []
    if got["exit_code"] != want["exit_code"]:
        problems.append(f"exit code {got['exit_code']}, stored {want['exit_code']}")
    for stream in ("stdout", "stderr"):
        if got[stream] != want[stream]:
            problems.append(diff(f"{name}:{run}", stream, want[stream], got[stream]))
    if problems:
        pytest.fail(f"{name}:{run} ({command}) changed:\n" + "\n".join(problems), pytrace=False)


def test_stored_inputs_are_the_listed_ones():
    """One stored file per input of golden_layout.inputs() (6 bundled cases, 50 random
    ones), each holding the runs golden_layout.runs() lists, with their command lines: no
    input or run can go missing without a failure."""
    names = sorted(path.stem for path in golden.GOLDEN_DIR.glob("*.json"))
    items = golden.inputs()
    assert names == sorted(item.name for item in items)
    assert len(items) == len(golden.CASE_FILES) + len(golden.SEEDS) == 56
    for item in items:
        data = stored(item.name)
        assert data["format"] == golden.FORMAT_VERSION
        assert data["case_file"] == item.case_file
        assert {run: r["args"] for run, r in data["runs"].items()} == golden.runs(item), item.name


def test_random_inputs_come_from_their_seeds():
    """The stored standard input of random-NN is random_case(random.Random(NN)): the random
    cases are the ones tests/random_cases.py draws (if it changes, the stored inputs, which
    the comparison uses, still pin the same runs)."""
    for seed in golden.SEEDS:
        data = stored(f"random-{seed:02d}")
        assert json.loads(golden.joined(data["stdin"])) == random_case(random.Random(seed))


def test_masking_keeps_figures():
    """Masking hides versions and the repository's path, and nothing else: a figure beside
    a version stays, and an unmasked output goes through unchanged."""
    text = ('{\n  "audit": {\n    "solver_version": "HiGHS 1.16.0",\n    "python": "3.11.7",\n'
            '    "case_sha256": "ab12"\n  },\n  "risk": 3.11\n}\n')
    assert golden.mask(text) == ('{\n  "audit": {\n    "solver_version": "<masked>",\n'
                                 '    "python": "<masked>",\n    "case_sha256": "ab12"\n  },\n'
                                 '  "risk": 3.11\n}\n')
    line = ("Audit: case SHA-256 ab12 (cases/x.json); overrides: none; solver CBC bundled "
            "with PuLP 3.3.2, seed cbc default (fixed), time limit none; optimizer 0.1.0.\n")
    assert golden.mask(line) == ("Audit: case SHA-256 ab12 (cases/x.json); overrides: none; "
                                 "solver <masked>, seed cbc default (fixed), time limit none; "
                                 "optimizer <masked>.\n")
    assert golden.mask(f"read {golden.ROOT}/cases/x.json\n") == "read <ROOT>/cases/x.json\n"
    plain = "Private share after the plan: 60.0%; result +119.6 k EUR; members 270.\n"
    assert golden.mask(plain) == plain

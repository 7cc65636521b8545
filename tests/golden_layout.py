"""Golden outputs of `optimize`, recorded before the package is reorganised (issue 8).

Issue 8 moves every module of `optimizer/` into layers; nothing may change for users. This
module runs `optimize` in-process (click's CliRunner on `cli.main.main`) on a fixed list of
inputs -- the 6 bundled cases of `cases/` and 50 seeded random cases of `tests/random_cases.py`
-- and gives each run's standard output, standard error and exit code as strings.
`tests/test_golden_layout.py` compares them with the files of `tests/data/golden_layout/`,
one JSON file per input:

    {"format": 1, "input": NAME, "case_file": "cases/x.json" or "-",
     "stdin": null or the lines of the case as sent on standard input,
     "runs": {RUN: {"args": [...], "exit_code": N, "stdout": [lines], "stderr": [lines]}}}

Texts are stored as lists of lines (`text.split("\n")`, joined back exactly) so that a diff
of the stored files reads line by line.

The runs of every input (`runs`): the plan as JSON and as a table; a sweep of the target
over three values around the case's own, as JSON and as a table; a frontier of 3 grid points
and a tornado at 20 %, as JSON (and as tables for the few inputs of `TABLE_INPUTS`: they cost
as much as the JSON runs); a simulation of 10,000 scenarios (seed 1); a CVaR plan (300
scenarios). Sensitivity runs use one worker and no progress bar.

Sizes are cut to keep the test file near 90 s: a frontier of 3 points (its exact events are
computed whatever the grid), and, for a case whose own target is CVaR (the `-uncertain`
case), `--set target.scenarios=50` in its sweep, frontier and tornado, which re-solve the
CVaR plan at every point; its plain plan and simulation keep the case's 2,000 scenarios.

Cases are given as the README gives them: bundled cases by a path relative to the
repository's root (the runs chdir there), random cases on standard input (`-`), so no
temporary path ever enters an output.

Masked (machine- and release-dependent, see `mask`): the audit trail's Python, PuLP,
package and solver versions, and the repository's absolute path wherever it appears.
Everything else is compared byte for byte.

Regenerate the stored files (only from code whose outputs are known to be right, e.g. the
commit before the move) from the repository's root with

    python -m tests.golden_layout --update

The module imports from the project only `cli.main` and `tests.random_cases`, never the
internal modules of `optimizer/`, which are the ones being moved.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.main import main

from .random_cases import random_case

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "golden_layout"
# The bundled cases of cases/ when the outputs were recorded (a case added later is not an
# input: the list is fixed, like the seeds).
CASE_FILES = ("aura-average-2020-uncertain.json", "aura-average-2020.json", "covid-2020.json",
              "out-of-reach.json", "small-regional-cluster.json",
              "state-competitiveness-cluster.json")
SEEDS = tuple(range(50))
FORMAT_VERSION = 1

# Options of every sensitivity run: one worker process (the answers do not depend on the
# number of workers, and the machine is shared), no progress bar.
SENSITIVITY = ("--workers", "1", "--quiet")
# Scenarios of the `cvar` run (a CVaR plan of a case of least EUR at risk).
SCENARIOS = 300
# Scenarios of the sweep, frontier and tornado of a case whose own target is CVaR: each of
# their points is a whole CVaR solve (with its comparison plans simulated on 100,000 draws,
# whatever the scenarios), so the count matters less than the number of points.
SENSITIVITY_SCENARIOS = 50
# Grid points of the frontier (the fewest that include a target between the two ends).
FRONTIER_POINTS = 3
# Inputs whose frontier and tornado are also recorded as tables (the README's case, a small
# case and an out-of-reach case; the tables of every input would double the cost of both).
TABLE_INPUTS = ("case-aura-average-2020", "case-small-regional-cluster", "case-out-of-reach")

MASK = "<masked>"
# Audit keys of the JSON outputs whose values are versions of the machine's software.
VERSION_KEYS = ("python", "pulp_version", "package_version", "solver_version")
_KEYS = "|".join(VERSION_KEYS)
_JSON_VERSION = re.compile(rf'^(\s*"(?:{_KEYS})": )"(?:[^"\\]|\\.)*"', re.MULTILINE)
# The audit line of the table report: "...; solver CBC bundled with PuLP 3.3.2, seed ...;
# ... optimizer 0.1.0."
_TEXT_SOLVER = re.compile(r"^(Audit: .*; solver ).*?(, seed )", re.MULTILINE)
_TEXT_PACKAGE = re.compile(r"^(Audit: .*; optimizer ).*?\.$", re.MULTILINE)


@dataclass(frozen=True)
class Input:
    """One input of `optimize`: a bundled case file, or a random case on standard input."""

    name: str
    case_file: str  # a path relative to the repository's root, or "-"
    stdin: str | None  # the case as sent on standard input, for "-"

    def raw(self) -> dict[str, Any]:
        text = self.stdin if self.stdin is not None else (ROOT / self.case_file).read_text()
        return json.loads(text)


def bundled_inputs() -> list[Input]:
    return [Input(f"case-{name.removesuffix('.json')}", f"cases/{name}", None)
            for name in CASE_FILES]


def random_input(seed: int) -> Input:
    case = random_case(random.Random(seed))
    return Input(f"random-{seed:02d}", "-", json.dumps(case, indent=1) + "\n")


def inputs() -> list[Input]:
    """The 6 bundled cases and the 50 random cases, in a fixed order."""
    return bundled_inputs() + [random_input(seed) for seed in SEEDS]


def sweep_targets(target: float) -> list[float]:
    """Three targets around the case's own, rounded to 4 decimals and kept in (0, 1)."""
    values = []
    for delta in (-0.02, 0.0, 0.01):
        value = round(target + delta, 4)
        if 0 < value < 1 and value not in values:
            values.append(value)
    return values


def runs(item: Input) -> dict[str, list[str]]:
    """The command lines of one input, by run name."""
    case = item.case_file
    target = item.raw()["target"]
    # The sensitivity runs of a case whose own target is CVaR: fewer scenarios (slow).
    fewer = (["--set", f"target.scenarios={SENSITIVITY_SCENARIOS}"]
             if target.get("risk_measure") == "cvar" else [])
    targets = ",".join(f"{t:g}" for t in sweep_targets(float(target["private_share"])))
    sweep = [case, "--sweep", f"target.private_share={targets}", *fewer, *SENSITIVITY]
    frontier = [case, "--frontier", "--points", str(FRONTIER_POINTS), *fewer, *SENSITIVITY]
    tornado = [case, "--tornado", "20%", *fewer, *SENSITIVITY]
    out = {
        "optimize-json": [case, "--format", "json"],
        "optimize-table": [case],
        "sweep-json": [*sweep, "--format", "json"],
        "sweep-table": sweep,
        "frontier-json": [*frontier, "--format", "json"],
        "tornado-json": [*tornado, "--format", "json"],
        "simulate-json": [case, "--simulate", "10000", "--seed", "1", "--format", "json"],
        "cvar-json": [case, "--set", "target.risk_measure=cvar",
                      "--set", f"target.scenarios={SCENARIOS}", "--format", "json"],
    }
    if item.name in TABLE_INPUTS:
        out["frontier-table"] = frontier
        out["tornado-table"] = tornado
    return out


def mask(text: str) -> str:
    """The output without what legitimately differs between machines and releases.

    - JSON: the values of the audit keys python, pulp_version, package_version and
      solver_version (the software installed, not the figures).
    - Table: the same versions in the report's audit line (solver and optimizer).
    - Anywhere: the repository's absolute path (the same code runs from a worktree or
      another checkout). With cases given by a relative path or on standard input it does
      not appear today; masked should a path ever be resolved.
    """
    text = _JSON_VERSION.sub(rf'\1"{MASK}"', text)
    text = _TEXT_SOLVER.sub(rf"\1{MASK}\2", text)
    text = _TEXT_PACKAGE.sub(rf"\1{MASK}.", text)
    return text.replace(str(ROOT), "<ROOT>")


@contextlib.contextmanager
def at_root() -> Iterator[None]:
    """Run from the repository's root, where the bundled cases' relative paths hold."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def lines(text: str) -> list[str]:
    """A text as stored: "\n".join(lines(text)) == text, whatever its line ends."""
    return text.split("\n")


def joined(stored: list[str] | None) -> str | None:
    """The text of stored lines (None stays None)."""
    return None if stored is None else "\n".join(stored)


def run(args: list[str], stdin: str | None) -> dict[str, Any]:
    """One run of `optimize`, in-process from the repository's root: its arguments, exit
    code and masked outputs (as lines)."""
    with at_root():
        result = CliRunner().invoke(main, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # An exception escaping the command is a bug of the command, not an output.
        raise RuntimeError(f"optimize {' '.join(args)}: {result.exception!r}"
                           ) from result.exception
    return {"args": args, "exit_code": result.exit_code, "stdout": lines(mask(result.stdout)),
            "stderr": lines(mask(result.stderr))}


def record(item: Input) -> dict[str, Any]:
    """Every run of one input, as stored."""
    return {"format": FORMAT_VERSION, "input": item.name, "case_file": item.case_file,
            "stdin": None if item.stdin is None else lines(item.stdin),
            "runs": {name: run(args, item.stdin) for name, args in runs(item).items()}}


def load(name: str) -> dict[str, Any]:
    """The stored runs of one input."""
    return json.loads(golden_path(name).read_text(encoding="utf-8"))


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write_whole(path: Path, content: str) -> None:
    """Write the file whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def update(names: list[str] | None = None) -> None:
    """Record the inputs named (default: all of them, and drop stored files of no input)."""
    every = inputs()
    known = {item.name for item in every}
    unknown = sorted(set(names or ()) - known)
    if unknown:
        raise SystemExit(f"unknown input(s): {', '.join(unknown)}; known: random-00, ...")
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for item in every:
        if not names or item.name in names:
            write_whole(golden_path(item.name), dumps(record(item)))
            print(f"wrote {golden_path(item.name).relative_to(ROOT)}", file=sys.stderr)
    if not names:
        for stale in GOLDEN_DIR.glob("*.json"):
            if stale.stem not in known:
                stale.unlink()
                print(f"removed {stale.relative_to(ROOT)}", file=sys.stderr)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden_layout",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true",
                        help="(re)write the stored files of tests/data/golden_layout/")
    parser.add_argument("names", nargs="*", help="only these inputs (e.g. random-07)")
    args = parser.parse_args(argv)
    if not args.update:
        parser.error("nothing to do: give --update")
    update(args.names)
    return 0


if __name__ == "__main__":
    sys.exit(_main())

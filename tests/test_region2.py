"""Issue 10, second part: the region schema from the CLI, the report's time-limit line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main

ROOT = Path(__file__).resolve().parent.parent
THREE = ROOT / "tests" / "data" / "region" / "three.json"


def test_schema_region_word_and_file() -> None:
    runner = CliRunner()
    for args in (["--schema", "region"], ["--schema", str(THREE)]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, done.output
        schema = json.loads(done.output)
        assert schema["title"] == "Cluster region file"
        assert "envelopes" in schema["properties"]
    case = json.loads(runner.invoke(main, ["--schema"]).output)
    assert case.get("title") != "Cluster region file"
    assert "revenues" in case["properties"]

"""The README's library example runs as written (doctest)."""

from __future__ import annotations

import doctest
import os

from .conftest import ROOT


def test_readme_examples_run():
    """Every >>> line of README.md gives the output shown."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        failures, tried = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                                           optionflags=doctest.NORMALIZE_WHITESPACE)
    finally:
        os.chdir(cwd)
    assert tried > 0
    assert failures == 0

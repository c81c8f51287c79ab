"""The embedded default under load, at a smaller scale than bench/load_embedded.py (100 debtors
for 60 s): the same harness, so a change that brings back `database is locked`, connection resets
or timeouts fails here. Runs the real `settle serve` on a fresh SQLite database of its own,
whatever database the rest of the suite uses."""

import importlib.util
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[3] / "bench" / "load_embedded.py"

pytestmark = pytest.mark.load


def harness():
    spec = importlib.util.spec_from_file_location("load_embedded", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_serves_20_debtors_signing_in_and_responding_without_an_error():
    load = harness()

    result = load.run(debtors=20, seconds=8)

    assert dict(result.errors) == {}, load.report(result, 20)
    assert result.responses >= 20, load.report(result, 20)

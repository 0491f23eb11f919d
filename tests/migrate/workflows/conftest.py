"""A small workspace holding the hand-made inventory of tests/migrate/planning/test_plan.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.inventory.model import ParsedFile
from migrate.inventory.store import SourceFile, Workspace
from tests.migrate.planning.test_plan import APPLICATIONS, DEPENDENCIES, SERVERS


@pytest.fixture
def workspace(tmp_path) -> Path:
    directory = tmp_path / "ws"
    parsed = ParsedFile("inventory.csv", "csv", servers=SERVERS, applications=APPLICATIONS, dependencies=DEPENDENCIES)
    with Workspace.open(directory) as store:
        store.import_files([(SourceFile("inventory.csv", "sha-inventory", "csv"), parsed)], now="2026-11-27T00:00:00Z")
    return directory

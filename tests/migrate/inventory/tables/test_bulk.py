"""quiet_gc: the cyclic collector is off inside a bulk read or import and as it was after."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from migrate.inventory.tables.bulk import quiet_gc


def test_off_inside_and_back_on_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with quiet_gc():
            assert not gc.isenabled()
            raise ValueError("an import failing half-way")
    assert gc.isenabled()


def test_a_caller_that_disabled_it_keeps_it_disabled():
    gc.disable()
    try:
        with quiet_gc():
            with quiet_gc():  # nested: the inner block must not switch it back on
                pass
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parse_and_import_run_without_it(tmp_path, monkeypatch):
    """The importers' parse and Workspace.import_files are the blocks it covers."""
    from migrate.inventory import importers
    from migrate.inventory.importers.registry import IMPORTERS
    from migrate.inventory.model import ParsedFile
    from migrate.inventory.store import SourceFile, Workspace

    seen = []

    def spy(path, display, *, strict=False):
        seen.append(gc.isenabled())
        return ParsedFile(path=display, format="csv", servers=())

    monkeypatch.setattr(IMPORTERS, "get", lambda name: SimpleNamespace(parse=spy))
    parsed = importers.parse(tmp_path / "servers.csv", "csv")
    with Workspace.open(tmp_path / "ws") as workspace:
        import migrate.inventory.ingest as ingest

        real = ingest.Ingest.add_file

        def add_file(self, source, parsed):
            seen.append(gc.isenabled())
            return real(self, source, parsed)

        monkeypatch.setattr(ingest.Ingest, "add_file", add_file)
        workspace.import_files([(SourceFile("servers.csv", "0" * 64, "csv"), parsed)], now="2025-01-01T00:00:00Z")
    assert seen == [False, False]
    assert gc.isenabled()


def test_servers_are_read_back_without_it(tmp_path, monkeypatch):
    """read_servers (inventory list, the import's estate index, undo) builds every stored server."""
    from migrate.inventory import schema
    from migrate.inventory.store import Workspace

    seen = []
    real = schema._read_servers

    def spy(connection, server_id):
        seen.append(gc.isenabled())
        return real(connection, server_id)

    monkeypatch.setattr(schema, "_read_servers", spy)
    with Workspace.open(tmp_path / "ws") as workspace:
        assert workspace.servers() == []
    assert seen == [False] and gc.isenabled()

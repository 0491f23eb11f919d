"""Rename, remove and undo: each one batch, all or nothing, with history kept."""

from __future__ import annotations

import pytest

from migrate.inventory.edits import EditError
from migrate.inventory.model import Application, Dependency, Disk, ParsedFile, Server
from migrate.inventory.store import SourceFile, Workspace

NOW = "2026-12-06T10:00:00Z"
UUID_A = "4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f"
UUID_B = "5215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f"


def _import(workspace: Workspace, name: str, *servers: Server, dependencies=(), applications=()) -> int:
    parsed = ParsedFile(path=name, format="csv", servers=servers, dependencies=tuple(dependencies),
                        applications=tuple(applications))
    return workspace.import_files([(SourceFile(path=name, sha256=name * 4, format="csv"), parsed)], now=NOW)[0].batch_id


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as opened:
        _import(opened, "first.csv", Server(name="epic-db01", vm_uuid=UUID_A, cores=8, owner="alice",
                                            disks=(Disk("os", 100, 40),), applications=("Epic",)))
        _import(opened, "second.csv",
                Server(name="epic-db01", vm_uuid=UUID_B, cores=4, ips=("10.0.0.2",), disks=(Disk("os", 50),)),
                Server(name="pacs01", ips=("10.0.0.9",), owner="carol"),
                dependencies=[Dependency(source="pacs01", destination="10.0.0.2", port=1433)])
        yield opened


def _state(workspace: Workspace):
    return workspace.servers(), workspace.dependencies(), workspace.applications()


def test_a_shared_name_lists_its_servers_and_an_identity_names_one(workspace):
    assert [s.vm_uuid for s in workspace.candidates("EPIC-DB01")] == [UUID_A, UUID_B]
    assert [s.vm_uuid for s in workspace.candidates(f"{UUID_B} epic-db01")] == [UUID_B]
    with pytest.raises(EditError) as error:
        workspace.rename("epic-db01", "epic-db02", now=NOW)
    assert "names 2 servers" in str(error.value) and len(error.value.details) == 2


def test_rename_all_but_one_then_undo(workspace):
    before = _state(workspace)
    result = workspace.rename(f"{UUID_B} epic-db01", "epic-db01-old", now=NOW)
    assert [s.name for s in workspace.candidates("epic-db01")] == ["epic-db01"]
    renamed = workspace.candidates("epic-db01-old")[0]
    assert (renamed.vm_uuid, renamed.cores, renamed.identity) == (UUID_B, 4, f"{UUID_B} epic-db01-old")
    assert [e.destination for e in workspace.dependencies("pacs01")] == ["epic-db01-old"]
    record = workspace.history()[-1]
    assert (record.format, record.changes) == ("rename", ("epic-db01-old: name epic-db01 → epic-db01-old",))

    workspace.undo(result.batch_id, now=NOW)
    assert _state(workspace) == before
    assert workspace.history()[result.batch_id - 1].undone_by == result.batch_id + 1


@pytest.mark.parametrize("new_name, message", [
    ("pacs01", "another server is already named 'pacs01'"),
    ("PACS01", "another server is already named 'PACS01'"),
    ("bad\x1bname", "control characters"),
    ("epic.rbh.local", "give the short name"),
])
def test_rename_refuses_a_taken_or_invalid_name_and_writes_nothing(workspace, new_name, message):
    history = workspace.history()
    with pytest.raises(EditError, match=message):
        workspace.rename(f"{UUID_A} epic-db01", new_name, now=NOW)
    assert workspace.history() == history


def test_remove_takes_disks_memberships_and_edges_and_undo_restores_them(workspace):
    before = _state(workspace)
    result = workspace.remove(f"{UUID_B} epic-db01", now=NOW)
    assert "1 dependency edges" in result.summary
    assert [s.vm_uuid for s in workspace.candidates("epic-db01")] == [UUID_A]
    assert workspace.dependencies() == []
    assert workspace.history()[-1].changes == ("epic-db01: removed",)

    workspace.remove("pacs01", now=NOW)
    workspace.undo(result.batch_id + 1, now=NOW)
    workspace.undo(result.batch_id, now=NOW)
    assert _state(workspace) == before


def test_undo_of_an_import_puts_updated_and_added_rows_back(workspace):
    before = _state(workspace)
    batch = _import(workspace, "third.csv", Server(name="pacs01", owner="dave", cores=16),
                    Server(name="lis01"), applications=[Application(name="Epic", vendor="Epic Systems")])
    assert {s.name: s.owner for s in workspace.servers()}["pacs01"] == "dave"
    result = workspace.undo(batch, now=NOW)
    assert _state(workspace) == before
    assert set(result.changes) == {"lis01: removed", "pacs01: cores 16 → ∅", "pacs01: owner dave → carol"}
    workspace.undo(result.batch_id, now=NOW)  # undoing the undo puts the import back
    assert {s.name: s.owner for s in workspace.servers()}["pacs01"] == "dave"


def test_undo_is_refused_while_a_later_batch_changed_the_same_rows(workspace):
    batch = _import(workspace, "third.csv", Server(name="pacs01", owner="dave"))
    later = _import(workspace, "fourth.csv", Server(name="pacs01", owner="erin"))
    state = _state(workspace)
    with pytest.raises(EditError, match=f"undo them first, newest first \\(batches {later}\\)"):
        workspace.undo(batch, now=NOW)
    assert _state(workspace) == state
    workspace.undo(later, now=NOW)
    workspace.undo(batch, now=NOW)
    assert {s.name: s.owner for s in workspace.servers()}["pacs01"] == "carol"


def test_an_undone_dependency_export_can_be_imported_again(workspace):
    edge = Dependency(source="pacs01", destination="10.0.0.7", port=443)
    batch = _import(workspace, "deps.csv", dependencies=[edge])
    workspace.undo(batch, now=NOW)
    again = workspace.import_files([(SourceFile(path="deps.csv", sha256="deps.csv" * 4, format="csv"),
                                     ParsedFile(path="deps.csv", format="csv", dependencies=(edge,)))], now=NOW)
    assert again[0].dependencies == 1 and not again[0].skipped


def test_undo_of_an_unknown_or_undone_batch_is_refused(workspace):
    with pytest.raises(EditError, match="no batch 99"):
        workspace.undo(99, now=NOW)
    result = workspace.remove("pacs01", now=NOW)
    workspace.undo(result.batch_id, now=NOW)
    with pytest.raises(EditError, match=f"already undone by batch {result.batch_id + 1}"):
        workspace.undo(result.batch_id, now=NOW)


def test_importing_the_export_that_named_a_renamed_server_updates_it_and_keeps_the_name(workspace):
    workspace.rename(f"{UUID_B} epic-db01", "epic-db01-old", now=NOW)
    _import(workspace, "second-again.csv", Server(name="epic-db01", vm_uuid=UUID_B, cores=6))
    same_uuid = [s for s in workspace.servers() if s.vm_uuid == UUID_B]
    assert [(s.name, s.cores) for s in same_uuid] == [("epic-db01-old", 6)]
    assert [s.vm_uuid for s in workspace.candidates("epic-db01")] == [UUID_A]


def test_undoing_a_rename_drops_the_alias(workspace):
    result = workspace.rename(f"{UUID_B} epic-db01", "epic-db01-old", now=NOW)
    workspace.undo(result.batch_id, now=NOW)
    _import(workspace, "second-again.csv", Server(name="epic-db01", vm_uuid=UUID_B, cores=6))
    assert [(s.name, s.cores) for s in workspace.servers() if s.vm_uuid == UUID_B] == [("epic-db01", 6)]


# -- the undo log is read by id ranges (migration 0007 dropped its indexes) ------------------------------


def test_the_undo_log_is_in_batch_order_so_each_batch_is_one_range_of_ids(workspace):
    """What `_log_range` relies on, after every kind of batch: two files in one import, a dependency
    export, an import that sees servers unchanged, a rename, a remove, undos and an undo of an undo."""
    from migrate.inventory.edits import _log_range

    first = workspace.import_files([
        (SourceFile(path=f"{n}.csv", sha256=f"{n}" * 64, format="csv"),
         ParsedFile(path=f"{n}.csv", format="csv", servers=(Server(name="pacs01", cores=n), Server(name="lis01"))))
        for n in (2, 3)], now=NOW)[0].batch_id
    _import(workspace, "deps.csv", dependencies=[Dependency(source="pacs01", destination="lis01", port=443)])
    _import(workspace, "seen.csv", Server(name="lis01"), Server(name="pacs01", cores=3))
    renamed = workspace.rename("lis01", "lis02", now=NOW).batch_id
    workspace.remove("lis02", now=NOW)
    undo = workspace.undo(renamed + 1, now=NOW).batch_id
    workspace.undo(undo, now=NOW)

    db = workspace._connection
    logged = db.execute("SELECT id, batch_id FROM undo_log ORDER BY id").fetchall()
    assert [b for _, b in logged] == sorted(b for _, b in logged)
    batches = [b for (b,) in db.execute("SELECT id FROM batches ORDER BY id")]
    assert first == 3 and len(batches) == 10
    for batch in batches:
        ids = [i for i, b in logged if b == batch]
        start, end = _log_range(db, batch)
        assert [i for i, _ in logged if start <= i < end] == ids, batch
        assert ids, batch  # every one of them wrote rows (the seen.csv import: two last_batch moves)
    assert _log_range(db, 99) == (logged[-1][0] + 1,) * 2


def test_a_batch_range_is_found_across_gaps_in_the_ids(tmp_path):
    import sqlite3

    from migrate.inventory.edits import _log_range

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE undo_log (id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL)")
    rows = [(1, 1), (2, 1), (5, 2), (6, 4), (9, 4), (20, 7)]
    db.executemany("INSERT INTO undo_log VALUES (?, ?)", rows)
    for batch in range(0, 9):
        start, end = _log_range(db, batch)
        assert [i for i, _ in rows if start <= i < end] == [i for i, b in rows if b == batch], batch
    empty = sqlite3.connect(":memory:")
    empty.execute("CREATE TABLE undo_log (id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL)")
    assert _log_range(empty, 1) == (1, 1)


def test_a_version_5_workspace_loses_the_log_indexes_and_its_batches_still_undo(tmp_path):
    """Logs written before migration 0007 (with the indexes) are read by ranges after it."""
    from migrate.inventory.store import connect, migrate

    connection = connect(tmp_path / "ws")
    assert migrate(connection, upto=5) == 5
    old = Workspace(connection, tmp_path / "ws")
    _import(old, "first.csv", Server(name="pacs01", owner="carol"), Server(name="lis01"))
    before = _state(old)
    added = _import(old, "second.csv", Server(name="pacs01", owner="dave"), Server(name="web01"))
    renamed = old.rename("web01", "web02", now=NOW).batch_id
    old.close()

    with Workspace.open(tmp_path / "ws") as upgraded:
        db = upgraded._connection
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'undo_log'").fetchall() == []
        with pytest.raises(EditError, match=f"batches {renamed}\\)"):
            upgraded.undo(added, now=NOW)
        upgraded.undo(renamed, now=NOW)
        upgraded.undo(added, now=NOW)
        assert _state(upgraded) == before


def test_undo_rewinds_the_batch_an_import_last_saw_a_server_in(workspace):
    db = workspace._connection

    def last_batches():
        return dict(db.execute("SELECT name || ' ' || identity, last_batch FROM servers"))

    before = last_batches()
    seen = _import(workspace, "third.csv", Server(name="pacs01", owner="carol"))  # pacs01 as it is
    assert last_batches()[next(k for k in before if k.startswith("pacs01"))] == seen
    result = workspace.undo(seen, now=NOW)
    assert last_batches() == before and result.changes == ()
    workspace.undo(result.batch_id, now=NOW)
    assert max(last_batches().values()) == seen

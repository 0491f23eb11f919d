"""`inventory show`/`deps show` refuse a shared name listing the servers; rename, remove and
`batches undo` follow the planner's "rename all but one" with history kept."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrate.cli import main

UUID_A = "4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f"
UUID_B = "5215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f"


def _workspace(tmp_path):
    (tmp_path / "a.csv").write_text(f"name,vm_uuid,cores,owner\nepic-db01,{UUID_A},8,alice\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"name,vm_uuid,cores,owner,ips\nepic-db01,{UUID_B},4,bob,10.0.0.2\n",
                                    encoding="utf-8")
    (tmp_path / "deps.csv").write_text("source,destination,port\n10.0.0.9,10.0.0.2,1433\n", encoding="utf-8")
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(main, ["--workspace", str(tmp_path / "ws"), *args])
        assert result.exit_code == code, result.output
        return result.output

    run("inventory", "import", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"))
    run("deps", "import", str(tmp_path / "deps.csv"))
    return run


def test_show_and_deps_show_refuse_a_shared_name_and_list_the_candidates(tmp_path):
    run = _workspace(tmp_path)
    for command in (("inventory", "show"), ("deps", "show")):
        output = run(*command, "EPIC-DB01", code=2)
        assert "'EPIC-DB01' names 2 servers" in output and "rename all but one" in output
        assert f"identity '{UUID_A} epic-db01'" in output and f"identity '{UUID_B} epic-db01'" in output
    shown = json.loads(run("inventory", "show", f"{UUID_B} epic-db01", "--format", "json"))
    assert (shown["owner"], shown["dependencies"]["inbound"]) == ("bob", 1)
    edges = json.loads(run("deps", "show", f"{UUID_B} epic-db01", "--format", "json"))
    assert edges["totals"]["inbound"] == 1


def test_rename_remove_and_undo_from_the_command_line(tmp_path):
    run = _workspace(tmp_path)
    assert "batch 4: renamed epic-db01" in run("inventory", "rename", f"{UUID_B} epic-db01", "epic-db01-old")
    assert json.loads(run("inventory", "show", "epic-db01", "--format", "json"))["owner"] == "alice"
    assert "another server is already named 'epic-db01-old'" in run(
        "inventory", "rename", f"{UUID_A} epic-db01", "epic-db01-old", code=2)
    assert "batch 5: removed epic-db01-old" in run("inventory", "remove", "epic-db01-old")
    assert "no server 'epic-db01-old'" in run("inventory", "remove", "epic-db01-old", code=2)

    history = json.loads(run("inventory", "history", "--format", "json"))
    assert [(b["format"], b["undone_by"]) for b in history] == [("csv", None), ("csv", None), ("dependency-csv", None),
                                                                ("rename", None), ("remove", None)]
    assert "later batches changed the same rows" in run("inventory", "batches", "undo", "4", code=2)
    assert "epic-db01-old: restored" in run("inventory", "batches", "undo", "5")
    run("inventory", "batches", "undo", "4")
    assert "names 2 servers" in run("inventory", "show", "epic-db01", code=2)
    text = run("inventory", "history")
    assert "rename  epic-db01 (" in text and "(undone by batch 7)" in text


# -- undo puts a server back exactly as it was, `last_batch` included ---------------------------------

SERVERS_A = """name,vm_uuid,cores,owner,ips,disks,applications
epic-db01,4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f,8,alice,10.0.0.1,os:100/40,Epic
pacs01,,4,carol,10.0.0.9,os:80,
lis01,,2,dave,10.0.0.5,os:60,LIS
"""
# B updates epic-db01 (owner, disks) and pacs01 (cores), sees lis01 unchanged and adds web01.
SERVERS_B = """name,vm_uuid,cores,owner,ips,disks,applications
epic-db01,4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f,8,bob,10.0.0.1,os:100/40;data:500,Epic
pacs01,,8,carol,10.0.0.9,os:80,
lis01,,2,dave,10.0.0.5,os:60,LIS
web01,,2,erin,10.0.0.7,os:40,Intranet
"""


def _estate(tmp_path, shown=("epic-db01", "lis01")):
    import sqlite3

    runner = CliRunner()
    workspace = tmp_path / "ws"

    def run(*args, code=0):
        result = runner.invoke(main, ["--workspace", str(workspace), *args])
        assert result.exit_code == code, result.output
        return result.output

    def rows():
        """Every estate table as stored, row by row: what `inventory list` does not show (a server's
        first_batch and last_batch, row ids) must come back too."""
        with sqlite3.connect(workspace / "estate.db") as db:
            return {table: db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
                    for table in ("servers", "disks", "applications", "application_servers", "dependencies",
                                  "aliases")}

    def state():
        return (run("inventory", "list", "--format", "json"),
                *(run("inventory", "show", name, "--format", "json") for name in shown), rows())

    for name, text in (("a.csv", SERVERS_A), ("b.csv", SERVERS_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return run, state, rows


def test_undo_of_an_import_puts_every_server_back_as_it_was_after_the_one_before(tmp_path):
    run, state, rows = _estate(tmp_path)
    run("inventory", "import", str(tmp_path / "a.csv"))
    after_a = state()
    run("inventory", "import", str(tmp_path / "b.csv"))
    after_b = state()
    # B saw lis01 unchanged: only its last_batch moved (column 33: rowid, id, identity, 28 fields, first, last).
    lis01 = [row for row in after_b[-1]["servers"] if row[3] == "lis01"][0]
    assert lis01[-2:] == (1, 2)

    output = run("inventory", "batches", "undo", "2")
    assert output.startswith("batch 3: undid batch 2 (csv ") and output.splitlines()[0].endswith(
        "b.csv): 10 rows put back, 3 servers changed, 1 it had only seen (their last-seen batch put back)")
    assert state() == after_a  # byte for byte: list and show JSON, and every stored row (last_batch 1 again)
    history = json.loads(run("inventory", "history", "--format", "json"))
    assert [(b["batch"], b["format"], b["undone_by"]) for b in history] == [(1, "csv", None), (2, "csv", 3),
                                                                            (3, "undo", None)]
    assert history[2]["counts"] == {"undone": 2, "rows": 10, "servers": 3, "last seen rewound": 1}
    assert history[1]["counts"]["unchanged"] == 1 and "lis01" not in " ".join(history[2]["changes"])
    # Undoing the undo re-applies B exactly (lis01 last seen in batch 2 again); undoing that is A again.
    run("inventory", "batches", "undo", "3")
    assert state() == after_b
    run("inventory", "batches", "undo", "4")
    assert state() == after_a


def test_an_import_that_sees_a_server_unchanged_is_undone_newest_first(tmp_path):
    # A, then B twice (the second sees everything unchanged): undoing the first B would leave the
    # second's "last seen" pointing at a batch that no longer says so, so it waits for the later one.
    run, state, rows = _estate(tmp_path)
    run("inventory", "import", str(tmp_path / "a.csv"))
    after_a = state()
    run("inventory", "import", str(tmp_path / "b.csv"))
    after_b = state()
    (tmp_path / "b-again.csv").write_text(SERVERS_B, encoding="utf-8")
    run("inventory", "import", str(tmp_path / "b-again.csv"))
    assert {row[3]: row[-1] for row in rows()["servers"]} == {"epic-db01": 3, "pacs01": 3, "lis01": 3, "web01": 3}
    assert ("later batches changed the same rows (or saw the same servers): undo them first, newest first "
            "(batches 3)") in run("inventory", "batches", "undo", "2", code=2)
    run("inventory", "batches", "undo", "3")
    assert state() == after_b
    run("inventory", "batches", "undo", "2")
    assert state() == after_a


def test_undo_of_a_remove_and_a_rename_puts_the_rows_back_with_their_batches(tmp_path):
    run, state, rows = _estate(tmp_path)
    run("inventory", "import", str(tmp_path / "a.csv"))
    run("inventory", "import", str(tmp_path / "b.csv"))
    after_b = state()
    run("inventory", "remove", "lis01")
    run("inventory", "rename", "pacs01", "pacs01-old")
    run("inventory", "batches", "undo", "4")
    run("inventory", "batches", "undo", "3")
    assert state() == after_b


def test_the_sample_estate_unwinds_batch_by_batch_to_each_earlier_state(tmp_path):
    """The shipped sample estate (RVTools, Azure Migrate, application mapping, dependencies, then the
    RVTools export again, which sees every server unchanged): undoing the batches newest first gives
    back each earlier state byte for byte, stored rows included."""
    from tests.conftest import REPO

    sample = REPO / "migrate" / "data" / "sample_estate"
    run, state, rows = _estate(tmp_path, shown=("adt-prd-app01",))
    run("inventory", "import", str(sample / "rvtools-export.xlsx"))
    states = {1: state()}  # after batch N
    for batch, (command, name) in enumerate((("inventory", "azure-migrate-import.csv"),
                                             ("inventory", "application-mapping.csv"),
                                             ("deps", "azure-migrate-dependencies.csv"),
                                             ("inventory", "rvtools-export.xlsx")), start=2):
        run(command, "import", str(sample / name))
        states[batch] = state()
    history = json.loads(run("inventory", "history", "--format", "json"))
    assert history[1]["counts"]["added"] > 0 and history[2]["counts"]["updated"] > 0
    assert history[4]["counts"]["unchanged"] > 100 and history[4]["counts"]["updated"] == 0
    for batch in range(5, 1, -1):
        run("inventory", "batches", "undo", str(batch))
        assert state() == states[batch - 1], batch
    assert rows()["dependencies"] == [] and len(rows()["servers"]) == history[0]["counts"]["added"]

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

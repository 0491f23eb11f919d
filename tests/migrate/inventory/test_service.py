"""The inventory service (issue 11 section 1): everything `carelift inventory` and `carelift deps` do,
called as functions without click, against a real workspace."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from migrate.inventory import service
from migrate.inventory.edits import EditError
from migrate.inventory.filters import FilterError, parse_filters
from migrate.inventory.model import InputError
from migrate.inventory.store import WorkspaceError

SERVERS = """name,vm_uuid,ips,os,cores,memory_mb,disks,power_state,owner
epic-db01,4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f,10.0.0.1,Red Hat Enterprise Linux 8.6,8,32768,os:100/40,on,alice
web01,,10.0.0.2,Windows Server 2019,4,8192,os:80,on,
web02,,10.0.0.3,Windows Server 2019,4,8192,os:80,off,bob
"""
TWIN = "name,vm_uuid,cores\nepic-db01,5215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f,4\n"
MAPPING = "server,application,environment,tier\nepic-db01,Epic,prd,0\nweb01,Intranet,prd,3\n"
DEPENDENCIES = """source,destination,port,weight
10.0.0.2,10.0.0.1,1433,5
10.0.0.3,10.0.0.1,1433,2
10.0.0.1,198.51.100.7,443,1
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def estate(tmp_path) -> Path:
    """A workspace with three servers, two applications and three dependency edges."""
    directory = tmp_path / "ws"
    service.import_inventory(directory, [write(tmp_path, "servers.csv", SERVERS), write(tmp_path, "map.csv", MAPPING)])
    service.import_dependencies(directory, [write(tmp_path, "deps.csv", DEPENDENCIES)])
    return directory


# -- import -------------------------------------------------------------------------------------


def test_an_import_returns_each_file_with_its_batch(tmp_path):
    result = service.import_inventory(tmp_path / "ws", [write(tmp_path, "servers.csv", SERVERS),
                                                        write(tmp_path, "map.csv", MAPPING)])
    assert [(source.format, summary.batch_id, summary.added, summary.updated) for (source, _), summary
            in zip(result.files, result.summaries, strict=True)] == [("csv", 1, 3, 0), ("appmap", 2, 0, 2)]
    assert result.files[0][0].path == str((tmp_path / "servers.csv").resolve())
    assert len(result.files[0][0].sha256) == 64 and [s.name for s in result.files[0][1].servers][:1] == ["epic-db01"]


def test_an_import_with_any_problem_writes_nothing_and_leaves_no_new_workspace(tmp_path):
    bad = write(tmp_path, "bad.csv", "name,cores\nweb09,many\n")
    with pytest.raises(InputError) as caught:
        service.import_inventory(tmp_path / "ws", [write(tmp_path, "servers.csv", SERVERS), bad])
    assert caught.value.title == "1 problem(s) in the input; nothing was imported"
    assert [p.row for p in caught.value.problems] == [2]
    assert not (tmp_path / "ws").exists()


def test_a_mapping_naming_an_unknown_server_fails_in_the_store_and_removes_the_fresh_workspace(tmp_path):
    with pytest.raises(InputError) as caught:
        service.import_inventory(tmp_path / "ws", [write(tmp_path, "map.csv", MAPPING)])
    assert caught.value.title == "2 problem(s) in the input; nothing was imported"
    assert not (tmp_path / "ws").exists()


def test_a_workspace_that_is_not_a_database_is_a_workspace_error(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "estate.db").write_bytes(b"not sqlite" * 100)
    with pytest.raises(WorkspaceError, match="cannot use .* as a carelift workspace"):
        service.import_inventory(tmp_path / "ws", [write(tmp_path, "servers.csv", SERVERS)])
    assert (tmp_path / "ws" / "estate.db").exists()  # not ours to delete


def test_dependency_imports_resolve_addresses_to_servers(estate):
    edges = service.connections(estate, "epic-db01")
    assert [(c.peer, c.weight, c.external) for c in edges.inbound] == [("web01", 5, False), ("web02", 2, False)]
    assert [(c.peer, c.port, c.external) for c in edges.outbound] == [("198.51.100.7", 443, True)]


# -- looking ----------------------------------------------------------------------------------------


def test_no_inventory_says_how_to_make_one(tmp_path):
    with pytest.raises(service.NoInventory, match="no inventory in .*: import one with `carelift inventory import"):
        service.list_servers(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_list_filters_and_counts(estate):
    found = service.list_servers(estate, parse_filters(["power_state=on"]))
    assert ([s.name for s in found.servers], found.total) == (["epic-db01", "web01"], 3)
    assert len(service.list_servers(estate).servers) == 3
    with pytest.raises(FilterError) as caught:
        parse_filters(["tier<<2"])
    assert (caught.value.title, caught.value.lines()) == ("bad filter", ["--filter 'tier<<2': '<2' is not a number"])


def test_show_has_the_applications_and_dependency_counts(estate):
    details = service.show_server(estate, "EPIC-DB01")
    assert details.server.owner == "alice" and [a.name for a in details.applications] == ["Epic"]
    assert details.dependencies.to_json() == {"outbound": 1, "inbound": 2, "peers": 2, "external": 1,
                                              "observations": 8, "listening_ports": [1433]}


def test_an_unknown_or_shared_name_is_refused(estate, tmp_path):
    with pytest.raises(service.UnknownServer) as unknown:
        service.show_server(estate, "nope")
    assert unknown.value.key == "nope"
    service.import_inventory(estate, [write(tmp_path, "twin.csv", TWIN)])
    with pytest.raises(service.AmbiguousServer) as shared:
        service.show_server(estate, "epic-db01")
    assert shared.value.title.startswith("'epic-db01' names 2 servers; give one's identity instead")
    assert [line.split(":")[0] for line in shared.value.lines()] == ["epic-db01", "epic-db01"]
    identity = "5215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f epic-db01"
    assert service.show_server(estate, identity).server.cores == 4


def test_stats_and_quality(estate):
    totals = service.stats(estate)
    assert (totals.servers, totals.powered_off, totals.cores) == (3, 1, 16)
    report = service.quality(estate, date(2026, 1, 1))
    assert report.servers == 3 and report.as_of == date(2026, 1, 1)
    assert {f.subject for f in report.findings if f.check == "missing-owner"} == {"web01"}


def test_history_and_one_batch(estate):
    assert [(b.batch_id, b.format) for b in service.history(estate)] == [(1, "csv"), (2, "appmap"),
                                                                         (3, "dependency-csv")]
    assert [b.batch_id for b in service.history(estate, 2)] == [2]
    with pytest.raises(service.UnknownBatch, match=r"^no batch 9 \(see `carelift inventory history`\)$"):
        service.history(estate, 9)


def test_connections_of_an_external_endpoint_and_their_json(estate):
    view = service.connections(estate, "198.51.100.7")
    assert not view.in_inventory and [c.peer for c in view.inbound] == ["epic-db01"]
    document = view.to_json()
    assert list(document) == ["server", "outbound", "inbound", "totals", "in_inventory"]
    assert list(document["inbound"][0]) == ["peer", "peer_ip", "port", "protocol", "process", "weight",
                                            "first_seen", "last_seen", "external"]
    assert document["totals"] == {"outbound": 0, "inbound": 1, "observations": 1, "external_endpoints": 0,
                                  "listening_ports": [443]}
    json.dumps(document)
    with pytest.raises(service.UnknownServer):
        service.connections(estate, "203.0.113.99")


# -- edits ------------------------------------------------------------------------------------------


def test_rename_remove_and_undo_are_batches(estate):
    renamed = service.rename(estate, "web02", "web02-old")
    assert renamed.batch_id == 4 and service.show_server(estate, "web02-old").server.owner == "bob"
    removed = service.remove(estate, "web01")
    assert removed.batch_id == 5 and service.list_servers(estate).total == 2
    service.undo(estate, 5)
    assert service.list_servers(estate).total == 3
    with pytest.raises(EditError, match="no server 'web09'"):
        service.remove(estate, "web09")
    assert [b.format for b in service.history(estate)][3:] == ["rename", "remove", "undo"]

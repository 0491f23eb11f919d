"""The SQLite workspace: permissions, schema migrations, all-or-nothing imports, merge rules,
change history, dependency aggregation and resolution."""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.inventory.model import Application, Dependency, Disk, InputError, ParsedFile, Server
from migrate.inventory.store import (DATABASE, MIGRATIONS, SCHEMA_VERSION, SourceFile, Workspace, WorkspaceError,
                                     connect, migrate)

from tests.conftest import examples

NOW = "2026-11-27T09:00:00Z"


def parsed(path="rvtools.xlsx", fmt="rvtools", servers=(), **kwargs) -> tuple[SourceFile, ParsedFile]:
    return SourceFile(path=path, sha256=kwargs.pop("sha256", f"sha-of-{path}"), format=fmt), \
        ParsedFile(path=path, format=fmt, servers=tuple(servers), **kwargs)


def mapping(*servers: Server, rows=(), path="map.csv"):
    return parsed(path, "appmap", servers, mapping_only=True, server_rows=tuple(rows))


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        yield ws


EPIC = Server(name="epic-odb01", vm_uuid="4211-AAAA", ips=("10.20.1.11",), os_name="Red Hat Enterprise Linux",
              os_version="8.6", os_family="linux", cores=32, memory_mb=262144, power_state="on",
              disks=(Disk("Hard disk 1", 100.0, 42.0), Disk("Hard disk 2", 4096.0, None, shared=True)),
              cluster="clu-a", sources=("rvtools",))
WEB = Server(name="web01", ips=("10.20.1.12",), os_family="windows", cores=4, memory_mb=8192, power_state="on")


# -- the file and its schema ---------------------------------------------------------------

def test_workspace_is_private_even_with_a_permissive_umask(tmp_path):
    previous = os.umask(0)
    try:
        with Workspace.open(tmp_path / "ws") as ws:
            ws.import_files([parsed(servers=[EPIC])], now=NOW)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "ws" / DATABASE).stat().st_mode) == 0o600


def test_an_existing_database_readable_by_others_is_tightened(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / DATABASE).touch(mode=0o644)
    os.chmod(tmp_path / "ws" / DATABASE, 0o644)
    Workspace.open(tmp_path / "ws").close()
    assert stat.S_IMODE((tmp_path / "ws" / DATABASE).stat().st_mode) == 0o600


def test_the_workspace_is_one_file_without_wal(tmp_path, workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    assert workspace._connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == [DATABASE]


def test_migrations_are_numbered_and_a_new_workspace_is_current(workspace):
    assert [version for version, _, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    versions = [v for (v,) in workspace._connection.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_upgrading_a_version_1_workspace_keeps_its_data(tmp_path):
    connection = connect(tmp_path / "ws")
    assert migrate(connection, upto=1) == 1
    connection.execute("INSERT INTO batches (path, sha256, format, imported_at, counts) "
                       "VALUES ('old.csv', 'x', 'csv', '2026-01-01T00:00:00Z', '{\"added\": 1}')")
    connection.execute("INSERT INTO servers (identity, name, cores, first_batch, last_batch) "
                       "VALUES ('web01', 'web01', 2, 1, 1)")
    connection.close()

    with Workspace.open(tmp_path / "ws") as ws:
        assert [s.name for s in ws.servers()] == ["web01"]
        ws.import_files([parsed(servers=[WEB])], now=NOW)  # the changes table of version 2 is used
        history = ws.history()
    assert history[0].counts == {"added": 1}
    assert "web01: cores 2 → 4" in history[1].changes


def test_a_workspace_from_a_newer_carelift_is_refused(tmp_path):
    Workspace.open(tmp_path / "ws").close()
    with sqlite3.connect(tmp_path / "ws" / DATABASE) as connection:
        connection.execute("INSERT INTO schema_version VALUES (?, 'future')", (SCHEMA_VERSION + 1,))
    with pytest.raises(WorkspaceError, match="newer"):
        Workspace.open(tmp_path / "ws")


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / DATABASE).write_bytes(b"PK\x03\x04 not sqlite at all" * 100)
    with pytest.raises(WorkspaceError, match="as a carelift workspace: file is not a database"):
        Workspace.open(tmp_path / "ws")


def test_an_import_waiting_too_long_for_another_one_says_the_workspace_is_busy(tmp_path, workspace):
    other = sqlite3.connect(tmp_path / "ws" / DATABASE, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another carelift importing
    workspace._connection.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(WorkspaceError, match="busy"):
            workspace.import_files([parsed(servers=[WEB])], now=NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()
    workspace.import_files([parsed(servers=[WEB])], now=NOW)
    assert [s.name for s in workspace.servers()] == ["web01"]


# -- importing -------------------------------------------------------------------------------

def test_import_adds_servers_and_records_a_batch(workspace):
    [summary] = workspace.import_files([parsed(servers=[EPIC, WEB], skipped={"template": 3})], now=NOW)
    assert (summary.added, summary.updated, summary.unchanged, dict(summary.skipped)) == (2, 0, 0, {"template": 3})
    assert workspace.servers()[0] == EPIC
    [batch] = workspace.history()
    assert (batch.path, batch.sha256, batch.format, batch.imported_at) == ("rvtools.xlsx", "sha-of-rvtools.xlsx",
                                                                            "rvtools", NOW)
    assert batch.counts["added"] == 2 and batch.counts["skipped:template"] == 3
    assert batch.changes == ("epic-odb01: added", "web01: added")


def test_reimporting_the_same_file_changes_nothing(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    [summary] = workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 2)
    assert workspace.history()[1].changes == ()


def test_non_empty_values_win_empty_ones_keep_and_sources_accumulate(workspace):
    workspace.import_files([parsed(servers=[EPIC])], now=NOW)
    cmdb_row = Server(name="EPIC-ODB01", fqdn="epic-odb01.riverbend.local", memory_mb=524288, owner="EHR team",
                      os_family="unknown", power_state="unknown", sources=("cmdb",), tags=(("u_site", "main"),))
    [summary] = workspace.import_files([parsed("cmdb.csv", "cmdb", [cmdb_row])], now=NOW)
    server = workspace.server("epic-odb01")
    assert summary.updated == 1
    assert server.name == "epic-odb01"  # matched by name: the CMDB's spelling is not a rename
    assert (server.memory_mb, server.owner, server.fqdn) == (524288, "EHR team", "epic-odb01.riverbend.local")
    assert (server.cores, server.os_family, server.power_state, server.disks) == (32, "linux", "on", EPIC.disks)
    assert server.sources == ("cmdb", "rvtools")
    assert server.tags == (("u_site", "main"),)
    changes = workspace.history()[1].changes
    assert "epic-odb01: memory_mb 262144 → 524288" in changes
    assert "epic-odb01: owner ∅ → EHR team" in changes
    assert "epic-odb01: sources rvtools → cmdb, rvtools" in changes
    assert not any("cores" in c for c in changes)


def test_a_vm_uuid_in_the_same_vcenter_identifies_a_renamed_vm(workspace):
    vcenter = (("vcenter", "vc01.rbh.local"),)
    workspace.import_files([parsed(servers=[replace(EPIC, tags=vcenter)])], now=NOW)
    workspace.import_files([parsed(servers=[Server(name="epic-odb01-new", vm_uuid="4211-aaaa", tags=vcenter)])],
                           now=NOW)
    assert [s.name for s in workspace.servers()] == ["epic-odb01-new"]
    assert "epic-odb01-new: name epic-odb01 → epic-odb01-new" in workspace.history()[1].changes


def test_a_server_known_by_name_adopts_the_vm_uuid_seen_later(workspace):
    workspace.import_files([parsed("cmdb.csv", "cmdb", [Server(name="web01", owner="IT")])], now=NOW)
    [summary] = workspace.import_files([parsed(servers=[Server(name="WEB01", vm_uuid="u-1", cores=4)])], now=NOW)
    assert (summary.added, summary.updated) == (0, 1)
    [server] = workspace.servers()
    assert (server.identity, server.owner, server.cores) == ("u-1 web01", "IT", 4)


def test_two_vms_sharing_a_name_stay_two_servers(workspace):
    workspace.import_files([parsed(servers=[Server(name="app01", vm_uuid="u-1"), Server(name="app01", vm_uuid="u-2")])],
                           now=NOW)
    assert [s.vm_uuid for s in workspace.servers()] == ["u-1", "u-2"]
    with pytest.raises(InputError) as raised:
        workspace.import_files([mapping(Server(name="app01", owner="x"), rows=[7])], now=NOW)
    assert "matches 2 servers" in str(raised.value.problems[0])
    assert raised.value.problems[0].row == 7


def test_a_mapping_annotates_servers_and_never_renames_them(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    [summary] = workspace.import_files([mapping(
        Server(name="EPIC-ODB01", applications=("Epic",), environment="prd", tier=0, data_classification="phi",
               owner="EHR team"),
        Server(name="web01", applications=("Intranet", "epic")))], now=NOW)
    assert (summary.added, summary.updated, summary.applications) == (0, 2, 2)
    epic, web = workspace.servers()
    assert (epic.name, epic.applications, epic.environment, epic.tier) == ("epic-odb01", ("Epic",), "prd", 0)
    assert web.applications == ("Epic", "Intranet")  # the first spelling of an application is kept
    assert [(a.name, a.servers) for a in workspace.applications()] == [("Epic", ("epic-odb01", "web01")),
                                                                       ("Intranet", ("web01",))]


def test_an_unknown_server_in_a_mapping_rolls_back_the_whole_import(workspace):
    workspace.import_files([parsed(servers=[EPIC])], now=NOW)
    before = (workspace.servers(), workspace.history(), workspace.applications())
    with pytest.raises(InputError) as raised:
        workspace.import_files([parsed("more.xlsx", servers=[WEB]),
                                mapping(Server(name="epic-odb01", owner="x"), Server(name="ghost01", owner="y"),
                                        rows=[2, 5])], now=NOW)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("map.csv", 5, "server")
    assert "'ghost01' is not in the inventory" in problem.message
    assert (workspace.servers(), workspace.history(), workspace.applications()) == before


def test_any_error_during_an_import_rolls_back(workspace):
    bad_edge = Dependency(source="web01", destination="10.0.0.1", port="not-a-port")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        workspace.import_files([parsed(servers=[EPIC, WEB]), parsed("deps.csv", "deps", dependencies=(bad_edge,))],
                               now=NOW)
    assert workspace.servers() == [] and workspace.history() == []


def test_application_descriptions_merge(workspace):
    workspace.import_files([parsed(servers=[EPIC])], now=NOW)
    workspace.import_files([parsed("a.yaml", "yaml", applications=(Application("Epic", servers=("epic-odb01",)),))],
                           now=NOW)
    workspace.import_files([parsed("b.yaml", "yaml", applications=(
        Application("EPIC", type="ehr", vendor="Epic Systems", criticality=0),))], now=NOW)
    [epic] = workspace.applications()
    assert (epic.name, epic.type, epic.vendor, epic.criticality, epic.servers) == ("Epic", "ehr", "Epic Systems", 0,
                                                                                   ("epic-odb01",))


def test_server_lookup_by_name_fqdn_or_uuid(workspace):
    workspace.import_files([parsed(servers=[replace_fqdn(EPIC), WEB])], now=NOW)
    assert workspace.server("EPIC-ODB01").name == "epic-odb01"
    assert workspace.server("epic-odb01.riverbend.local").name == "epic-odb01"
    assert workspace.server("4211-aaaa").name == "epic-odb01"
    assert workspace.server("nope") is None


def replace_fqdn(server: Server) -> Server:
    from dataclasses import replace

    return replace(server, fqdn=f"{server.name}.riverbend.local")


# -- dependencies ----------------------------------------------------------------------------

def edges(*dependencies: Dependency, path="deps.csv"):
    return parsed(path, "azure-migrate-deps", dependencies=tuple(dependencies))


def test_edges_aggregate_and_resolve_addresses_to_servers(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    [summary] = workspace.import_files([edges(
        Dependency("web01", "10.20.1.11", 1972, weight=3, first_seen="2026-11-02", last_seen="2026-11-03"),
        Dependency("WEB01", "10.20.1.11", 1972, protocol="TCP", weight=2, first_seen="2026-11-01",
                   last_seen="2026-11-02", process="httpd"),
        Dependency("10.20.1.12", "8.8.8.8", 53),
    )], now=NOW)
    assert summary.dependencies == 3
    external, internal = workspace.dependencies()  # sorted: "8.8.8.8" < "epic-odb01"
    assert (internal.source, internal.destination, internal.port, internal.protocol) == ("web01", "epic-odb01",
                                                                                         1972, "tcp")
    assert (internal.weight, internal.first_seen, internal.last_seen) == (5, "2026-11-01", "2026-11-03")
    assert internal.destination_resolved and internal.process == "httpd"
    assert (external.source, external.destination, external.destination_resolved) == ("web01", "8.8.8.8", False)


def test_edges_from_several_imports_sum_their_weights(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    workspace.import_files([edges(Dependency("web01", "epic-odb01", 1972, weight=4, last_seen="2026-10-30"))], now=NOW)
    workspace.import_files([edges(Dependency("web01", "epic-odb01", 1972, weight=6, last_seen="2026-11-30"),
                                  path="deps-november.csv")], now=NOW)
    [edge] = workspace.dependencies()
    assert (edge.weight, edge.last_seen) == (10, "2026-11-30")


def test_the_same_export_imported_twice_is_not_counted_twice(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    workspace.import_files([edges(Dependency("web01", "epic-odb01", 1972, weight=4))], now=NOW)
    copy = (SourceFile("copy-of-deps.csv", "sha-of-deps.csv", "deps"),
            edges(Dependency("web01", "epic-odb01", 1972, weight=4))[1])
    [summary] = workspace.import_files([copy], now=NOW)
    assert summary.dependencies == 0
    assert dict(summary.skipped) == {"already imported (batch 2)": 1}
    assert workspace.dependencies()[0].weight == 4


def test_external_endpoints_resolve_once_their_servers_are_imported(workspace):
    workspace.import_files([edges(Dependency("10.20.1.12", "10.20.1.11", 1972, weight=2),
                                  Dependency("web01", "10.20.1.11", 1972, weight=1))], now=NOW)
    assert {(e.source, e.destination) for e in workspace.dependencies()} == {("10.20.1.12", "10.20.1.11"),
                                                                             ("web01", "10.20.1.11")}
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    [edge] = workspace.dependencies()
    assert (edge.source, edge.destination, edge.weight, edge.destination_resolved) == ("web01", "epic-odb01", 3, True)


def test_an_address_on_several_servers_resolves_to_the_powered_on_one(workspace):
    clone = Server(name="web01-old", ips=("10.20.1.12",), power_state="off")
    workspace.import_files([parsed(servers=[WEB, clone, EPIC])], now=NOW)
    workspace.import_files([edges(Dependency("10.20.1.12", "epic-odb01", 1972))], now=NOW)
    assert workspace.dependencies()[0].source == "web01"


def test_dependencies_of_one_server_or_external_endpoint(workspace):
    workspace.import_files([parsed(servers=[EPIC, WEB])], now=NOW)
    workspace.import_files([edges(Dependency("web01", "epic-odb01", 1972), Dependency("epic-odb01", "8.8.8.8", 53),
                                  Dependency("10.9.9.9", "10.9.9.10", 22))], now=NOW)
    assert [(e.source, e.destination) for e in workspace.dependencies("EPIC-ODB01")] == [
        ("epic-odb01", "8.8.8.8"), ("web01", "epic-odb01")]
    assert [(e.source, e.destination) for e in workspace.dependencies("8.8.8.8")] == [("epic-odb01", "8.8.8.8")]
    assert len(workspace.dependencies()) == 3


# -- a property: importing is idempotent and round-trips ----------------------------------------

names = st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True)
generated_server = st.builds(
    Server, name=names, ips=st.lists(st.ip_addresses(v=4).map(str), max_size=2, unique=True).map(tuple),
    os_family=st.sampled_from(["windows", "linux", "other"]), cores=st.none() | st.integers(1, 256),
    memory_mb=st.none() | st.integers(512, 4_000_000), power_state=st.sampled_from(["on", "off"]),
    disks=st.lists(st.builds(Disk, label=st.text(min_size=1, max_size=8), size_gb=st.floats(1, 1e5)),
                   max_size=3).map(tuple),
    owner=st.none() | st.text(min_size=1, max_size=20).filter(str.strip).map(str.strip),
    tier=st.none() | st.integers(0, 3), sources=st.just(("csv",)))


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(servers=st.lists(generated_server, max_size=12, unique_by=lambda s: s.name))
def test_importing_generated_servers_round_trips_and_a_second_import_changes_nothing(tmp_path_factory, servers):
    with Workspace.open(tmp_path_factory.mktemp("ws")) as ws:
        [first] = ws.import_files([parsed("gen.csv", "csv", servers)], now=NOW)
        [second] = ws.import_files([parsed("gen.csv", "csv", servers)], now=NOW)
        stored = {s.name: s for s in ws.servers()}
    assert (first.added, second.unchanged, second.updated) == (len(servers), len(servers), 0)
    for server in servers:
        assert stored[server.name] == server

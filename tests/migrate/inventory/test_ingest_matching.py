"""Merging exports across vCenters never loses a server: an update changes a server only when
the match is certain, and the result does not depend on the order of the imports."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from migrate.inventory.model import InputError, ParsedFile, Server
from migrate.inventory.store import SourceFile, Workspace

NOW = "2026-11-27T09:00:00Z"
UUID = "4211a1b2-0000-1111-2222-333344445555"


def rvtools(path, *servers):
    return SourceFile(path=path, sha256=f"sha-{path}", format="rvtools"), \
        ParsedFile(path=path, format="rvtools", servers=tuple(servers))


def vm(name, vcenter=None, uuid=UUID, **fields):
    tags = (("vcenter", vcenter),) if vcenter else ()
    return Server(name=name, vm_uuid=uuid, tags=tags, sources=("rvtools",), **fields)


# Two exports of one estate: the running VM in one vCenter, its powered-off copy in another.
SITE_A = rvtools("site-a.xlsx", vm("iasimov", "vc-a.rbh.local", power_state="on", cores=8),
                 vm("pacs01", "vc-a.rbh.local", uuid="4211a1b2-0000-1111-2222-aaaaaaaaaaaa", power_state="on"))
SITE_B = rvtools("site-b.xlsx", vm("iasimov_old", "vc-b.rbh.local", power_state="off", cores=4))
AZURE_MIGRATE = (SourceFile(path="azm.csv", sha256="sha-azm", format="azure-migrate"),
                 ParsedFile(path="azm.csv", format="azure-migrate",
                            servers=(Server(name="IASIMOV", vm_uuid=UUID, cpu_utilization=40.0,
                                            sources=("azure-migrate",)),)))


def state(workspace):
    return sorted((s.name, s.power_state, s.cores, s.cpu_utilization, s.identity) for s in workspace.servers())


@pytest.mark.parametrize("order", list(itertools.permutations([SITE_A, SITE_B, AZURE_MIGRATE])))
def test_a_cloned_vm_in_another_vcenter_is_a_second_server_whatever_the_import_order(tmp_path, order):
    with Workspace.open(tmp_path / "ws") as workspace:
        summaries = [workspace.import_files([batch], now=NOW)[0] for batch in order]
        assert state(workspace) == [
            ("iasimov", "on", 8, 40.0, f"vc-a.rbh.local/{UUID} iasimov"),
            ("iasimov_old", "off", 4, None, f"vc-b.rbh.local/{UUID} iasimov_old"),
            ("pacs01", "on", None, None, "vc-a.rbh.local/4211a1b2-0000-1111-2222-aaaaaaaaaaaa pacs01")]
    warnings = [w for s in summaries for w in s.warnings]
    assert any("has the VM UUID of" in w and "kept as separate servers" in w for w in warnings)


def test_both_exports_in_one_import_keep_every_server(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([SITE_A, SITE_B], now=NOW)
        assert [s.name for s in workspace.servers()] == ["iasimov", "iasimov_old", "pacs01"]


def test_the_same_name_and_uuid_in_two_vcenters_is_two_servers_and_a_row_naming_both_changes_neither(tmp_path):
    replica = rvtools("site-b.xlsx", vm("iasimov", "vc-b.rbh.local", power_state="off"))
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([SITE_A, replica], now=NOW)
        [summary] = workspace.import_files([AZURE_MIGRATE], now=NOW)
        assert (summary.added, summary.updated, summary.skipped) == (0, 0, {"ambiguous match": 1})
        assert "server 'IASIMOV' matches 2 servers of the inventory" in summary.warnings[0]
        assert [s.cpu_utilization for s in workspace.servers() if s.name == "iasimov"] == [None, None]


def test_a_uuid_without_a_vcenter_is_not_enough_to_rename(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([rvtools("a.csv", vm("app01", cores=2))], now=NOW)
        [summary] = workspace.import_files([rvtools("b.csv", vm("app01-copy", cores=4))], now=NOW)
        assert summary.added == 1 and "has the VM UUID of app01" in summary.warnings[0]
        assert [(s.name, s.cores) for s in workspace.servers()] == [("app01", 2), ("app01-copy", 4)]


def test_a_name_in_another_vcenter_is_another_server_but_a_row_without_one_updates_it(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([rvtools("a.csv", vm("web01", "vc-a", uuid=None, cores=2))], now=NOW)
        workspace.import_files([rvtools("b.csv", vm("web01", "vc-b", uuid=None, cores=4))], now=NOW)
        cmdb = (SourceFile("cmdb.csv", "sha-cmdb", "cmdb"),
                ParsedFile("cmdb.csv", "cmdb", servers=(Server(name="web01", owner="IT"),)))
        [summary] = workspace.import_files([cmdb], now=NOW)   # which web01? nothing says: neither changes
        assert summary.skipped == {"ambiguous match": 1}
        assert [(s.name, s.cores, s.owner) for s in workspace.servers()] == [("web01", 2, None), ("web01", 4, None)]


def test_a_mapping_naming_an_ambiguous_server_is_still_an_error(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([rvtools("a.csv", vm("web01", "vc-a", uuid=None), vm("web01", "vc-b", uuid=None))],
                               now=NOW)
        mapping = (SourceFile("map.csv", "sha-map", "appmap"),
                   ParsedFile("map.csv", "appmap", servers=(Server(name="web01", owner="IT"),), mapping_only=True))
        with pytest.raises(InputError, match="problem"):
            workspace.import_files([mapping], now=NOW)


def test_a_workspace_holding_identities_of_the_uuid_alone_is_brought_up_to_date(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([SITE_A], now=NOW)
    with sqlite3.connect(tmp_path / "ws" / "estate.db") as db:   # as an earlier carelift wrote them
        db.execute("UPDATE servers SET identity = lower(vm_uuid)")
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.import_files([SITE_B], now=NOW)
        assert [s.name for s in workspace.servers()] == ["iasimov", "iasimov_old", "pacs01"]
    with sqlite3.connect(tmp_path / "ws" / "estate.db") as db:
        assert sorted(row[0] for row in db.execute("SELECT identity FROM servers")) == [
            f"vc-a.rbh.local/{UUID} iasimov", "vc-a.rbh.local/4211a1b2-0000-1111-2222-aaaaaaaaaaaa pacs01",
            f"vc-b.rbh.local/{UUID} iasimov_old"]

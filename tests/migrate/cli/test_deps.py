"""`carelift deps` through click's CliRunner, against a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.model import ParsedFile, Server
from migrate.inventory.store import SourceFile, Workspace

EXPORT = """\
Time slot,Source server name,Source IP,Source application,Source process,Destination server name,Destination IP,Destination application,Destination process,Destination port
2025-03-03 00:00 - 2025-03-03 06:00,ehr-web01,10.2.0.10,IIS,w3wp.exe,ehr-odb01,10.5.0.10,IRIS,irisdb,1972
2025-03-03 06:00 - 2025-03-03 12:00,ehr-web01,10.2.0.10,IIS,w3wp.exe,ehr-odb01,10.5.0.10,IRIS,irisdb,1972
2025-03-03 06:00 - 2025-03-03 12:00,ehr-web01,10.2.0.10,IIS,w3wp.exe,,10.5.0.99,,,1433
2025-03-03 06:00 - 2025-03-03 12:00,,172.20.10.5,,,ehr-web01,10.2.0.10,IIS,w3wp.exe,443
2025-03-03 06:00 - 2025-03-03 12:00,hl7-eng01,10.4.0.10,,hciengine,,203.0.113.25,,,2575
"""
SS = """\
State  Recv-Q Send-Q Local Address:Port   Peer Address:Port  Process
LISTEN 0      128    0.0.0.0:2575         0.0.0.0:*          users:(("hciengine",pid=9,fd=3))
ESTAB  0      0      10.4.0.10:2575       10.2.0.10:50000    users:(("hciengine",pid=9,fd=7))
"""


def invoke(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(workspace), *args], catch_exceptions=False)


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A workspace whose inventory knows the EHR web and database servers and the engine."""
    directory = tmp_path / "ws"
    servers = (Server(name="ehr-web01", ips=("10.2.0.10",), power_state="on"),
               Server(name="ehr-odb01", ips=("10.5.0.10",), power_state="on"),
               Server(name="ehr-sql01", ips=("10.5.0.99",), power_state="on"),
               Server(name="hl7-eng01", ips=("10.4.0.10",), power_state="on"))
    with Workspace.open(directory) as store:
        store.import_files([(SourceFile("inventory.csv", "0" * 64, "csv"),
                             ParsedFile(path="inventory.csv", format="csv", servers=servers))],
                           now="2025-03-07T10:00:00Z")
    return directory


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "dependencies.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def history(directory: Path):
    with Workspace.open(directory) as store:
        return store.history()


def test_import_reports_edges_and_observations(workspace, export):
    result = invoke(workspace, "deps", "import", str(export))
    assert result.exit_code == 0, result.output
    assert "azure-migrate-dependencies" in result.output
    assert "4 edges from 5 observations" in result.output


def test_show_json_splits_inbound_outbound_and_marks_external_endpoints(workspace, export):
    invoke(workspace, "deps", "import", str(export))
    result = invoke(workspace, "deps", "show", "EHR-WEB01", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["server"] == "ehr-web01" and view["in_inventory"]
    outbound = {(e["peer"], e["port"]): e for e in view["outbound"]}
    assert outbound[("ehr-odb01", 1972)]["weight"] == 2
    assert outbound[("ehr-odb01", 1972)]["external"] is False
    # The export had no name for 10.5.0.99; the store resolved it to the inventory server by IP.
    assert outbound[("ehr-sql01", 1433)]["external"] is False
    [inbound] = view["inbound"]
    assert (inbound["peer"], inbound["port"], inbound["external"]) == ("172.20.10.5", 443, True)
    assert view["totals"]["listening_ports"] == [443]
    assert view["totals"]["external_endpoints"] == 1


def test_show_table_lists_both_directions(workspace, export):
    invoke(workspace, "deps", "import", str(export))
    result = invoke(workspace, "deps", "show", "hl7-eng01")
    assert result.exit_code == 0
    assert "outbound: hl7-eng01 connects to (1)" in result.output
    assert "203.0.113.25 (external)" in result.output


def test_show_an_external_endpoint_by_address(workspace, export):
    invoke(workspace, "deps", "import", str(export))
    view = json.loads(invoke(workspace, "deps", "show", "203.0.113.25", "--format", "json").output)
    assert not view["in_inventory"]
    assert [e["peer"] for e in view["inbound"]] == ["hl7-eng01"]


def test_host_list_resolves_the_remote_address_to_a_server(workspace, tmp_path):
    capture = tmp_path / "hl7-eng01.ss.txt"
    capture.write_text(SS, encoding="utf-8")
    assert invoke(workspace, "deps", "import", str(capture)).exit_code == 0
    view = json.loads(invoke(workspace, "deps", "show", "hl7-eng01", "--format", "json").output)
    assert [(e["peer"], e["port"], e["external"]) for e in view["inbound"]] == [("ehr-web01", 2575, False)]


def test_dependencies_imported_before_their_servers_resolve_later(tmp_path, export):
    directory = tmp_path / "later"
    assert invoke(directory, "deps", "import", str(export)).exit_code == 0
    with Workspace.open(directory) as store:
        store.import_files([(SourceFile("inv.csv", "1" * 64, "csv"),
                             ParsedFile(path="inv.csv", format="csv",
                                        servers=(Server(name="ehr-sql01", ips=("10.5.0.99",)),)))],
                           now="2025-03-07T10:00:00Z")
    view = json.loads(invoke(directory, "deps", "show", "ehr-sql01", "--format", "json").output)
    # The edge to 10.5.0.99 now ends at the server; its source is still outside the inventory.
    assert view["in_inventory"]
    assert [(e["peer"], e["port"], e["external"]) for e in view["inbound"]] == [("ehr-web01", 1433, True)]


def test_a_bad_file_among_good_ones_imports_nothing(workspace, export, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(EXPORT.replace(",1972\n", ",19720000\n", 1), encoding="utf-8")
    before = history(workspace)
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "deps", "import", str(export), str(bad)])
    assert result.exit_code == 2
    assert f"{bad}, row 2, column 'Destination port'" in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert history(workspace) == before


def test_a_failed_first_import_leaves_no_workspace(tmp_path):
    bad = tmp_path / "page.csv"
    bad.write_text("<html><body>session expired</body></html>", encoding="utf-8")
    directory = tmp_path / "fresh"
    result = CliRunner().invoke(main, ["--workspace", str(directory), "deps", "import", str(bad)])
    assert result.exit_code == 2 and "HTML" in result.output
    assert not directory.exists()


def test_forced_format_that_does_not_fit_is_a_clear_error(workspace, export):
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "deps", "import", "--format", "ss", str(export)])
    assert result.exit_code == 2
    assert "problem" in result.output


def test_show_unknown_server_exits_2(workspace):
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "deps", "show", "nosuch"])
    assert result.exit_code == 2
    assert "no server or external endpoint 'nosuch'" in result.output


def test_show_without_workspace_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "none"), "deps", "show", "x"])
    assert result.exit_code == 2
    assert not (tmp_path / "none").exists()


def test_the_same_export_twice_is_not_counted_twice(workspace, export):
    invoke(workspace, "deps", "import", str(export))
    result = invoke(workspace, "deps", "import", str(export))
    assert "no edges imported; skipped 4 already imported (batch 2)" in result.output
    view = json.loads(invoke(workspace, "deps", "show", "ehr-web01", "--format", "json").output)
    assert {(e["peer"], e["weight"]) for e in view["outbound"]} >= {("ehr-odb01", 2)}

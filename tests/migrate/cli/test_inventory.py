"""`carelift inventory` through click's CliRunner, with the real importers and store."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.model import Dependency, ParsedFile
from migrate.inventory.store import SourceFile, Workspace

SERVERS_CSV = """name,ips,os,cores,memory_mb,disks,power_state,cluster,vm_uuid,owner
epic-prd-odb01,10.20.1.11,Red Hat Enterprise Linux 8.6,32,262144,os:100/42;data:4096/1900 shared,on,clu-a,4211-aaaa,
web01,10.20.1.12,Windows Server 2012 R2 Standard,4,8192,os:80,on,clu-a,,
web02,10.20.1.12,Windows Server 2019,4,8192,os:80,off,clu-b,,
mystery,,SomeOS 1,2,2048,,on,,,=HYPERLINK("http://evil")
"""
MAPPING_CSV = """server,application,environment,tier,data_classification,owner
epic-prd-odb01,Epic,prd,0,phi,EHR team
web01,Intranet,prd,3,internal,IT
"""


@pytest.fixture
def run(tmp_path):
    workspace = tmp_path / "ws"

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--workspace", str(workspace), *args])

    invoke.workspace = workspace
    return invoke


@pytest.fixture
def files(tmp_path):
    (tmp_path / "servers.csv").write_text(SERVERS_CSV, encoding="utf-8")
    (tmp_path / "map.csv").write_text(MAPPING_CSV, encoding="utf-8")
    return tmp_path


@pytest.fixture
def estate(run, files):
    result = run("inventory", "import", str(files / "servers.csv"), str(files / "map.csv"))
    assert result.exit_code == 0, result.output
    return run


def test_import_prints_a_summary_per_file(run, files):
    result = run("inventory", "import", str(files / "servers.csv"), str(files / "map.csv"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("servers.csv (csv, batch 1): 4 added, 0 updated, 0 unchanged")
    assert lines[1].endswith("map.csv (appmap, batch 2): 0 added, 2 updated, 0 unchanged; 2 applications")


def test_reimport_reports_unchanged(estate, files):
    result = estate("inventory", "import", str(files / "servers.csv"))
    assert "0 added, 0 updated, 4 unchanged" in result.output


def test_a_bad_file_exits_2_and_creates_no_workspace(run, files):
    (files / "broken.csv").write_text("name,cores\nsrv1,-4\n", encoding="utf-8")
    result = run("inventory", "import", str(files / "servers.csv"), str(files / "broken.csv"))
    assert result.exit_code == 2
    assert "broken.csv" in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert not run.workspace.exists()


def test_a_mapping_naming_an_unknown_server_exits_2_and_writes_nothing(estate, files):
    (files / "late.csv").write_text("server,application\nweb01,Intranet\nghost01,Epic\n", encoding="utf-8")
    result = estate("inventory", "import", str(files / "late.csv"))
    assert result.exit_code == 2
    assert "ghost01" in result.output and "not in the inventory" in result.output
    assert "late.csv, row 3" in result.output
    assert len(json.loads(estate("inventory", "history", "--format", "json").output)) == 2


def test_a_mapping_as_the_very_first_import_leaves_no_workspace_behind(run, files):
    result = run("inventory", "import", str(files / "map.csv"))
    assert result.exit_code == 2
    assert not run.workspace.exists()


def test_list_json_has_every_field_sorted_by_name(estate):
    result = estate("inventory", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    servers = json.loads(result.output)
    assert [s["name"] for s in servers] == ["epic-prd-odb01", "mystery", "web01", "web02"]
    epic = servers[0]
    assert epic["applications"] == ["Epic"] and epic["tier"] == 0 and epic["vm_uuid"] == "4211-aaaa"
    assert epic["disks"][1] == {"label": "data", "size_gb": 4096.0, "used_gb": 1900.0, "shared": True}
    assert epic["storage_gb"] == 4196.0


def test_list_filters(estate):
    result = estate("inventory", "list", "--format", "json", "-f", "os_family=windows", "--filter", "tier<=3")
    assert [s["name"] for s in json.loads(result.output)] == ["web01"]
    result = estate("inventory", "list", "--format", "json", "-f", "name~zzz")
    assert json.loads(result.output) == []


def test_a_bad_filter_exits_2_naming_it(estate):
    result = estate("inventory", "list", "-f", "colour=blue")
    assert result.exit_code == 2
    assert "--filter 'colour=blue': unknown field 'colour'" in result.output


def test_list_csv_neutralises_spreadsheet_formulas(estate):
    result = estate("inventory", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == ["epic-prd-odb01", "mystery", "web01", "web02"]
    assert rows[1]["owner"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["ips"] == "10.20.1.11" and rows[0]["disks"] == "os:100/42; data:4096/1900 shared"


def test_list_table(estate):
    result = estate("inventory", "list", "-f", "environment=prd")
    assert result.exit_code == 0
    assert "2 of 4 servers" in result.output and "epic-prd-odb01" in result.output


def test_show_one_server_with_applications_and_dependency_counts(estate):
    with Workspace.open(estate.workspace) as workspace:
        workspace.import_files([(SourceFile("deps.csv", "d", "azure-migrate-deps"), ParsedFile(
            path="deps.csv", format="azure-migrate-deps", dependencies=(
                Dependency("web01", "10.20.1.11", 1972, weight=5), Dependency("epic-prd-odb01", "8.8.8.8", 53))))],
            now="2026-11-27T00:00:00Z")
    result = estate("inventory", "show", "EPIC-PRD-ODB01", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["applications"] == [{"name": "Epic", "type": "other", "vendor": None, "criticality": 0}]
    assert document["dependencies"] == {"outbound": 1, "inbound": 1, "peers": 1, "external": 1,
                                        "observations": 6, "listening_ports": [1972]}
    table = estate("inventory", "show", "epic-prd-odb01")
    assert "1 outbound and 1 inbound edges" in table.output and "4,096" in table.output


def test_show_an_unknown_server_exits_2(estate):
    result = estate("inventory", "show", "nope")
    assert result.exit_code == 2 and "no server 'nope'" in result.output


def test_stats_json(estate):
    result = estate("inventory", "stats", "--format", "json")
    stats = json.loads(result.output)
    assert stats["servers"] == 4 and stats["powered_off"] == 1
    assert stats["by_os_family"] == {"windows": 2, "linux": 1, "unknown": 1}
    assert stats["by_cluster"] == {"clu-a": 2, "clu-b": 1, "unset": 1}
    assert stats["totals"]["cores"] == 42
    assert "by OS family" in estate("inventory", "stats").output


def test_quality_exit_code_follows_max_issues(estate):
    failing = estate("inventory", "quality", "--as-of", "2026-11-27", "--format", "json")
    assert failing.exit_code == 1
    report = json.loads(failing.output)
    assert report["counts"]["duplicate-ip"] == 1 and report["counts"]["os-end-of-life"] == 1
    assert report["counts"]["unknown-os"] == 1
    passing = estate("inventory", "quality", "--as-of", "2026-11-27", "--max-issues", str(report["issues"]))
    assert passing.exit_code == 0
    assert f"ok: {report['issues']} issues" in passing.output


def test_quality_judges_os_support_on_the_audit_day_unless_given_one(estate, monkeypatch):
    # The same day as audits and the AI register; --as-of still wins over it.
    monkeypatch.setenv("CARELIFT_AS_OF", "2001-01-01")
    early = json.loads(estate("inventory", "quality", "--format", "json").output)
    assert early["as_of"] == "2001-01-01" and early["counts"].get("os-end-of-life", 0) == 0
    given = json.loads(estate("inventory", "quality", "--as-of", "2026-11-27", "--format", "json").output)
    assert given["as_of"] == "2026-11-27" and given["counts"]["os-end-of-life"] == 1


def test_quality_rejects_a_malformed_audit_day_naming_the_variable(estate, monkeypatch):
    monkeypatch.setenv("CARELIFT_AS_OF", "07/12/2026")
    result = estate("inventory", "quality")
    assert result.exit_code == 2 and "CARELIFT_AS_OF" in result.output and "Traceback" not in result.output


def test_history_lists_batches_and_changes(estate):
    result = estate("inventory", "history")
    assert result.exit_code == 0
    assert "batch 1" in result.output and "batch 2" in result.output
    assert "epic-prd-odb01: owner ∅ → EHR team" in result.output
    one = estate("inventory", "history", "--batch", "1", "--format", "json")
    [batch] = json.loads(one.output)
    assert batch["counts"]["added"] == 4 and len(batch["changes"]) == 4 and len(batch["sha256"]) == 64


def test_reading_without_a_workspace_exits_2(run):
    for command in (["list"], ["show", "x"], ["stats"], ["quality"], ["history"]):
        result = run("inventory", *command)
        assert result.exit_code == 2, command
        assert "no inventory in" in result.output
    assert not run.workspace.exists()


def test_a_corrupt_workspace_exits_2_without_traceback(run):
    run.workspace.mkdir()
    (run.workspace / "estate.db").write_bytes(b"<html>not a database</html>" * 200)
    result = run("inventory", "list")
    assert result.exit_code == 2
    assert "as a carelift workspace: file is not a database" in result.output and "Traceback" not in result.output


def test_workspace_from_environment_variable(tmp_path, files):
    env = {"CARELIFT_WORKSPACE": str(tmp_path / "from-env")}
    result = CliRunner(env=env).invoke(main, ["inventory", "import", str(files / "servers.csv")])
    assert result.exit_code == 0
    assert (tmp_path / "from-env" / "estate.db").exists()

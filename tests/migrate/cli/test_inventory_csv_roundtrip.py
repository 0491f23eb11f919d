"""carelift's own `inventory list --format csv` re-imports unchanged: export, fix owners in a
spreadsheet, import again."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from migrate.cli import main

ESTATE = """
servers:
  - name: epic-prd-odb01
    fqdn: epic-prd-odb01.rbh.local
    ips: [10.20.1.11, 10.20.1.12]
    os: Red Hat Enterprise Linux 8.6
    cores: 32
    memory_mb: 262144
    disks: [{label: os, size_gb: 100, used_gb: 29.455}, {label: data ODB 1, size_gb: 4096.5, shared: true}]
    environment: prd
    tier: 0
    data_classification: phi
    owner: "=HYPERLINK(\\"http://evil\\")"
    rto_hours: 0.5
    cpu_utilization: 37.125
    applications: [Epic, "Epic Reporting"]
    tags: {cost-center: "4410", note: "-a; b=c \\\\ d", "a=b": "+1"}
  - name: pacs-prd-vna01
    vm_uuid: 4215c1a2-0b0e-4f1d-9c3e-2a1b5c6d7e8f
    os: Windows Server 2012 R2 Standard
    power_state: "off"
    owner: "@imaging"
    firmware: efi
  - name: dev-sandbox01
"""


def _run(runner, workspace, *args):
    result = runner.invoke(main, ["--workspace", str(workspace), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _servers(runner, workspace):
    return {s["name"]: s for s in json.loads(_run(runner, workspace, "inventory", "list", "--format", "json"))}


def test_the_csv_export_reimports_unchanged_and_an_owner_fixed_in_a_spreadsheet_lands(tmp_path):
    runner, workspace = CliRunner(), tmp_path / "ws"
    (tmp_path / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    _run(runner, workspace, "inventory", "import", str(tmp_path / "estate.yaml"))
    before = _servers(runner, workspace)
    exported = _run(runner, workspace, "inventory", "list", "--format", "csv")

    # Formula-like text is written behind a protective apostrophe; the export is carelift's CSV format.
    rows = list(csv.DictReader(io.StringIO(exported)))
    epic = next(r for r in rows if r["name"] == "epic-prd-odb01")
    assert epic["owner"] == "'=HYPERLINK(\"http://evil\")"
    assert epic["disks"] == "os:100/29.4550; data ODB 1:4096.5 shared"

    # Unchanged: only the formats the servers were seen in gain `csv`; a second import changes nothing.
    (tmp_path / "export.csv").write_text(exported, encoding="utf-8")
    first = _run(runner, workspace, "inventory", "import", str(tmp_path / "export.csv"))
    assert "0 added, 3 updated, 0 unchanged" in first
    history = json.loads(_run(runner, workspace, "inventory", "history", "--batch", "2", "--format", "json"))
    assert {change.split(": ")[1].split(" ")[0] for change in history[0]["changes"]} == {"sources"}
    after = _servers(runner, workspace)
    for name, server in before.items():
        assert after[name] == dict(server, sources=sorted({*server["sources"], "csv"}))
    second = _run(runner, workspace, "inventory", "import", str(tmp_path / "export.csv"))
    assert "0 added, 0 updated, 3 unchanged" in second

    # The owners fixed in a spreadsheet (which keeps the CSV's shape) are the only change.
    for row in rows:
        row["owner"] = {"epic-prd-odb01": "EHR team", "pacs-prd-vna01": "'=not a formula"}.get(row["name"], row["owner"])
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "owners.csv").write_text(edited.getvalue(), encoding="utf-8-sig")
    third = _run(runner, workspace, "inventory", "import", str(tmp_path / "owners.csv"))
    assert "0 added, 2 updated, 1 unchanged" in third
    final = _servers(runner, workspace)
    assert final["epic-prd-odb01"]["owner"] == "EHR team"
    assert final["pacs-prd-vna01"]["owner"] == "=not a formula"
    assert {k: v for k, v in final["epic-prd-odb01"].items() if k != "owner"} == \
        {k: v for k, v in after["epic-prd-odb01"].items() if k != "owner"}


def test_a_disk_label_holding_the_syntax_characters_is_written_readably():
    from migrate.cli.inventory_views import disk_spec
    from migrate.inventory.model import Disk

    assert disk_spec(Disk("data: ODB/1;2", 10.25, 0.125, True)) == "data- ODB-1-2:10.25/0.1250 shared"  # not 0.125, read as 125 in Europe

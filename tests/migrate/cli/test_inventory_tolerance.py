"""`carelift inventory import` on exports as they arrive from the field: a good vInfo is never
given up for a bad side sheet (unless --strict), and two exports of one estate keep every server."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrate.cli import main
from tests.migrate.inventory.importers.conftest import VINFO_4X, rows_for, rvtools_sheets, write_xlsx

UUID = "4211a1b2-0000-1111-2222-333344445555"


def run(workspace, *args):
    return CliRunner().invoke(main, ["--workspace", str(workspace), *args])


def test_an_anonymised_side_sheet_header_is_a_warning_and_strict_makes_it_an_error(tmp_path):
    sheets = rvtools_sheets()
    sheets["vPartition"][0] = ["Riverbend North DC" if h == "VM" else h for h in sheets["vPartition"][0]]
    path = write_xlsx(tmp_path / "RVTools_export_all.xlsx", sheets)

    strict = run(tmp_path / "ws", "inventory", "import", "--strict", str(path))
    assert strict.exit_code == 2
    assert "sheet vPartition, row 1, column 'VM'" in strict.stderr and "nothing was imported" in strict.stderr
    assert not (tmp_path / "ws").exists()

    result = run(tmp_path / "ws", "inventory", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert (f"warning: {path}: sheet vPartition, column 'VM': the header has no 'VM' column" in result.stderr)
    assert "3 added" in result.stdout


def test_two_exports_of_one_estate_keep_the_running_vm_and_its_copy_in_another_vcenter(tmp_path):
    def export(name, vm, vcenter, power):
        row = {"VM": vm, "Powerstate": power, "CPUs": 4, "Memory": 8192, "VM UUID": UUID, "VI SDK Server": vcenter}
        return write_xlsx(tmp_path / name, {"vInfo": rows_for(VINFO_4X, [row])})

    site_a = export("site-a.xlsx", "iasimov", "vc-a.rbh.local", "poweredOn")
    site_b = export("site-b.xlsx", "iasimov_old", "vc-b.rbh.local", "poweredOff")
    for order in ((site_a, site_b), (site_b, site_a)):
        workspace = tmp_path / f"ws-{order[0].stem}"
        for path in order:
            result = run(workspace, "inventory", "import", str(path))
            assert result.exit_code == 0, result.stderr
        assert "has the VM UUID of" in result.stderr
        listed = json.loads(run(workspace, "inventory", "list", "--format", "json").stdout)
        assert [(s["name"], s["power_state"]) for s in listed] == [("iasimov", "on"), ("iasimov_old", "off")]

"""The exports written for an estate: byte-identical runs, RVTools 4.x shape, the shipped sample."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from migrate.estate import sample_estate
from migrate.estate.files import (AZURE_MIGRATE, DEPENDENCIES, DEPENDENCY_HEADER, FILES, MAPPING, MAPPING_HEADER,
                                  RVTOOLS, write_estate)
from migrate.estate.generator import generate
from migrate.inventory.dependencies import parse_dependency_file


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("estate")
    write_estate(generate(80, seed=3), directory)
    return directory


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sheets(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_two_runs_write_identical_bytes(tmp_path, small):
    # xlsxwriter stamps the creation time unless told otherwise: the bytes would differ run to run.
    write_estate(generate(80, seed=3), tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (small / name).read_bytes(), name


def test_the_shipped_sample_is_the_default_generation(tmp_path):
    write_estate(generate(), tmp_path)
    shipped = sample_estate()
    hint = "regenerate with `carelift estate generate --out migrate/data/sample_estate`"
    for name in FILES:
        if name == RVTOOLS:
            # Cell by cell: another xlsxwriter release may lay the same cells out in other bytes.
            assert sheets(shipped / name) == sheets(tmp_path / name), f"{name} differs: {hint}"
        else:
            assert (shipped / name).read_bytes() == (tmp_path / name).read_bytes(), f"{name} differs: {hint}"
    assert sorted(p.name for p in shipped.iterdir()) == sorted(FILES)


def test_rvtools_workbook_has_the_4x_sheets_and_headers(small):
    book = sheets(small / RVTOOLS)
    assert list(book) == ["vInfo", "vDisk", "vPartition", "vNetwork", "vHost", "vMetaData"]
    vinfo = book["vInfo"]
    header = vinfo[0]
    for column in ("VM", "Powerstate", "Template", "CPUs", "Memory", "Total disk capacity MiB", "Primary IP Address",
                   "Provisioned MiB", "In Use MiB", "OS according to the configuration file",
                   "OS according to the VMware Tools", "VM UUID", "Datacenter", "Cluster", "Host"):
        assert column in header, column
    rows = [dict(zip(header, row)) for row in vinfo[1:]]
    assert {r["Template"] for r in rows} == {"True", "False"}
    off = [r for r in rows if r["Powerstate"] == "poweredOff"]
    # vCenter only knows guest data while VMware Tools runs.
    assert off and all(r["Primary IP Address"] == "" and r["OS according to the VMware Tools"] == "" for r in off)
    assert "Capacity MiB" in book["vDisk"][0] and "Sharing mode" in book["vDisk"][0]
    assert {"Host", "# Cores", "ESX Version"} <= set(book["vHost"][0])


def test_clustered_databases_have_shared_disks(small):
    vdisk = sheets(small / RVTOOLS)["vDisk"]
    rows = [dict(zip(vdisk[0], row)) for row in vdisk[1:]]
    shared = [r for r in rows if r["Sharing mode"] == "sharingMultiWriter" or r["Raw"] == "True"]
    assert shared and all("sql" in r["VM"] or "clarity" in r["VM"] or "ora" in r["VM"] for r in shared)


def test_csv_files_agree_with_each_other(small):
    vinfo = sheets(small / RVTOOLS)["vInfo"]
    vms = {row[0] for row in vinfo[1:]}
    others = {r["*Server name"] for r in read_csv(small / AZURE_MIGRATE)}
    assert others and not vms & others
    mapping = read_csv(small / MAPPING)
    assert tuple(mapping[0]) == MAPPING_HEADER
    assert {r["server"] for r in mapping} <= vms | others
    dependencies = read_csv(small / DEPENDENCIES)
    assert tuple(dependencies[0]) == DEPENDENCY_HEADER
    named = {r[c] for r in dependencies for c in ("Source server name", "Destination server name")} - {""}
    assert named <= vms, "only VMs polled through vCenter have names in an agentless dependency export"


def test_dependency_export_reads_back_without_problems(small):
    parsed = parse_dependency_file(small / DEPENDENCIES)
    assert parsed.format == "azure-migrate-dependencies" and not parsed.warnings
    assert len(parsed.dependencies) > 80

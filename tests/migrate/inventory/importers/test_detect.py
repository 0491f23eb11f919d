from __future__ import annotations

import pytest

from migrate.inventory.importers import IMPORTERS, detect, parse
from migrate.inventory.model import InputError

from .conftest import rvtools_sheets, write_csv, write_xlsx


def detection_problem(path):
    with pytest.raises(InputError) as caught:
        detect(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    return problem.message


@pytest.mark.parametrize("header,format", [
    (["VM", "Powerstate", "Template", "CPUs"], "rvtools"),
    (["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"], "azure-migrate"),
    (["*SERVER NAME", "*CORES", "*MEMORY (IN MB)", "*OS NAME"], "azure-migrate"),
    (["sys_id", "name", "ip_address", "os", "cpu_core_count", "ram"], "cmdb"),
    (["Name", "IP Address", "Operating System", "CPU core count", "RAM (MB)"], "cmdb"),
    (["name", "ips", "os", "cores", "memory_mb", "environment"], "csv"),
    (["server", "application", "environment", "tier", "data_classification", "owner"], "appmap"),
    (["Server", "Environment"], "appmap"),
])
def test_formats_are_detected_from_headers(tmp_path, header, format):
    assert detect(write_csv(tmp_path / "export.csv", [header, ["x"] * len(header)])) == format


def test_detection_reads_utf16_tab_delimited_exports(tmp_path):
    path = write_csv(tmp_path / "export.txt", [["*Server name", "*Cores", "*Memory (In MB)", "*OS name"]],
                     encoding="utf-16", delimiter="\t")
    assert detect(path) == "azure-migrate"


def test_rvtools_is_detected_from_sheets_file_names_and_directories(tmp_path, rvtools_xlsx):
    assert detect(rvtools_xlsx) == "rvtools"
    for tab, rows in rvtools_sheets().items():
        write_csv(tmp_path / f"RVTools_tab{tab}.csv", rows)
    assert detect(tmp_path) == "rvtools"
    assert detect(tmp_path / "RVTools_tabvNetwork.csv") == "rvtools"


def test_a_workbook_is_detected_from_its_first_sheet(tmp_path):
    path = write_xlsx(tmp_path / "cmdb.xlsx", {"Page 1": [["name", "ip_address", "ram"], ["a", "10.0.0.1", 1]]})
    assert detect(path) == "cmdb"


def test_yaml_is_detected_from_its_name_or_content(tmp_path):
    (tmp_path / "a.yml").write_text("servers: []\n", encoding="utf-8")
    (tmp_path / "inventory.txt").write_text("# estate\n---\nservers:\n  - name: a\n", encoding="utf-8")
    assert detect(tmp_path / "a.yml") == "yaml"
    assert detect(tmp_path / "inventory.txt") == "yaml"


def test_unknown_headers_say_what_was_expected(tmp_path):
    message = detection_problem(write_csv(tmp_path / "x.csv", [["Hostname", "Owner"], ["a", "b"]]))
    assert message.startswith("format not recognised from its headers (hostname, owner); expected one of: an "
                              "RVTools export")
    assert "--format" in message


def test_a_dependency_export_is_pointed_at_deps_import(tmp_path):
    header = ["Timeslot", "Source server name", "Source IP", "Destination server name", "Destination IP",
              "Destination port"]
    assert "carelift deps import" in detection_problem(write_csv(tmp_path / "deps.csv", [header]))


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"<!doctype html>\n<html><title>ServiceNow - Login</title>", "HTML page"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary data"),
])
def test_files_that_are_not_exports(tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    assert message in detection_problem(path)


def test_corrupt_workbook_and_missing_path(tmp_path):
    path = tmp_path / "RVTools.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 500)
    assert "truncated or corrupt" in detection_problem(path)
    assert "does not exist" in detection_problem(tmp_path / "missing.xlsx")
    assert "without RVTools_tabvInfo.csv" in detection_problem(tmp_path)


def test_an_explicit_format_skips_detection_and_an_unknown_one_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["name"], ["a"]])   # too plain to detect
    assert detection_problem(path).startswith("format not recognised")
    assert [s.name for s in parse(path, "csv").servers] == ["a"]
    with pytest.raises(InputError) as caught:
        parse(path, "excel")
    assert caught.value.problems[0].message == f"unknown format 'excel' (expected auto or one of {', '.join(IMPORTERS.names())})"


def test_the_wrong_explicit_format_reports_missing_columns(tmp_path, rvtools_xlsx):
    with pytest.raises(InputError) as caught:
        parse(rvtools_xlsx, "azure-migrate")   # reads the first sheet, vInfo, as an Azure Migrate table
    assert [p.column for p in caught.value.problems] == ["*Server name", "*Cores", "*Memory (In MB)", "*OS name"]

"""Azure Migrate agentless dependency export → weighted edges."""

from __future__ import annotations

import pytest

from migrate.inventory.dependencies import parse_dependency_file
from migrate.inventory.model import InputError

HEADER = ("Time slot,Source server name,Source IP,Source application,Source process,Destination server name,"
          "Destination IP,Destination application,Destination process,Destination port")


def write(tmp_path, *rows: str, header: str = HEADER, name: str = "export.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text("\r\n".join((header, *rows)) + "\r\n", encoding=encoding)
    return path


def test_rows_of_the_same_edge_aggregate_into_one_weighted_edge(tmp_path):
    path = write(tmp_path,
                 "2025-03-03 00:00 - 2025-03-03 06:00,app01,10.1.0.5,IIS,w3wp.exe,db01,10.1.0.6,SQL,sqlservr.exe,1433",
                 "2025-03-03 06:00 - 2025-03-03 12:00,app01,10.1.0.5,IIS,w3wp.exe,db01,10.1.0.6,SQL,sqlservr.exe,1433",
                 "2025-03-04 18:00 - 2025-03-05 00:00,app01,10.1.0.5,IIS,w3wp.exe,db01,10.1.0.6,SQL,sqlservr.exe,1433")
    parsed = parse_dependency_file(path)
    assert parsed.format == "azure-migrate-dependencies"
    [edge] = parsed.dependencies
    assert (edge.source, edge.destination, edge.port, edge.protocol) == ("app01", "db01", 1433, "tcp")
    assert edge.weight == 3
    assert edge.first_seen == "2025-03-03T00:00:00"
    assert edge.last_seen == "2025-03-05T00:00:00"
    assert (edge.source_ip, edge.destination_ip) == ("10.1.0.5", "10.1.0.6")
    # The serving process names the service better than the client's.
    assert edge.process == "sqlservr.exe"


def test_destination_outside_discovery_is_its_ip(tmp_path):
    path = write(tmp_path, "2025-03-03 00:00 - 2025-03-03 06:00,hl7-01,10.4.0.10,,hciengine,,203.0.113.25,,,2575")
    [edge] = parse_dependency_file(path).dependencies
    assert edge.destination == "203.0.113.25"
    assert edge.destination_ip == "203.0.113.25"
    assert edge.process == "hciengine"  # no destination process: the source's is better than nothing


def test_timeslot_spelling_without_space_case_and_vlans_and_no_source_ip(tmp_path):
    header = ("TIMESLOT;Source server name;Source application;Source process;Destination server name;"
              "Destination IP;Destination application;Destination process;Destination port;Source VLAN;"
              "Destination VLAN")
    path = write(tmp_path, "03/03/2025 12:00:00 AM - 03/03/2025 06:00:00 AM;app01;;java;db01;10.1.0.6;;;1521;110;300",
                 header=header)
    [edge] = parse_dependency_file(path).dependencies
    assert edge.port == 1521 and edge.source_ip is None
    assert (edge.first_seen, edge.last_seen) == ("2025-03-03T00:00:00", "2025-03-03T06:00:00")


def test_ipv4_mapped_addresses_become_ipv4(tmp_path):
    path = write(tmp_path, "2025-03-03 00:00 - 2025-03-03 06:00,,::ffff:10.9.0.1,,,db01,10.1.0.6,,,1433")
    [edge] = parse_dependency_file(path).dependencies
    assert edge.source == "10.9.0.1"


def test_unknown_columns_are_reported_as_warnings(tmp_path):
    path = write(tmp_path, "2025-03-03 00:00 - 2025-03-03 06:00,a,,,,b,,,,80,x",
                 header=HEADER + ",Appliance")
    assert parse_dependency_file(path).warnings == ("ignored columns: Appliance",)


def test_bad_rows_name_row_and_column(tmp_path):
    path = write(tmp_path,
                 "2025-03-03 00:00 - 2025-03-03 06:00,app01,10.1.0.5,,,db01,10.1.0.6,,,1433",
                 "yesterday,app01,10.1.0.5,,,db01,10.1.0.6,,,1433",
                 "2025-03-03 00:00 - 2025-03-03 06:00,app01,10.1.0.5,,,db01,10.1.0.6,,,99999",
                 "2025-03-03 00:00 - 2025-03-03 06:00,app01,10.1.0.999,,,db01,10.1.0.6,,,1433",
                 "2025-03-03 00:00 - 2025-03-03 06:00,,,,,db01,10.1.0.6,,,1433")
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "Time slot"), (4, "Destination port"), (5, "Source IP"), (6, "Source server name")}
    assert all(p.file == str(path) for p in caught.value.problems)


def test_missing_mandatory_columns_are_listed(tmp_path):
    path = write(tmp_path, "2025-03-03,a,b", header="Time slot,Destination server name,Source server name")
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path, "azure-migrate")
    assert [p.column for p in caught.value.problems] == ["Destination port"]


def test_header_without_rows_is_a_problem(tmp_path):
    with pytest.raises(InputError, match="problem"):
        parse_dependency_file(write(tmp_path))


def test_utf16_export_with_bom(tmp_path):
    # Excel's "Unicode text" is UTF-16 with tabs.
    path = write(tmp_path, "2025-03-03 00:00 - 2025-03-03 06:00\tapp01\t\t\t\tdb01\t\t\t\t1433",
                 header=HEADER.replace(",", "\t"), encoding="utf-16")
    [edge] = parse_dependency_file(path).dependencies
    assert edge.destination == "db01"


def test_cp1252_names_are_read(tmp_path):
    path = write(tmp_path, "2025-03-03 00:00 - 2025-03-03 06:00,app01,,,,Zürich-db,,,,1433", encoding="cp1252")
    [edge] = parse_dependency_file(path).dependencies
    assert edge.destination == "Zürich-db"


def test_problems_are_capped_but_counted(tmp_path):
    rows = [f"2025-03-03 00:00 - 2025-03-03 06:00,a,,,,b,,,,port{n}" for n in range(500)]
    with pytest.raises(InputError) as caught:
        parse_dependency_file(write(tmp_path, *rows))
    problems = caught.value.problems
    assert len(problems) == 201
    assert "500 in all" in problems[-1].message

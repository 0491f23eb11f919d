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
                 "2025-03-03 00:00 - 2025-03-03 06:00,app01,10.1.0.5,,,db01,10.1.0.6,,,99999",
                 "2025-03-03 00:00 - 2025-03-03 06:00,,10.1.0.999,,,db01,10.1.0.6,,,1433",
                 "2025-03-03 00:00 - 2025-03-03 06:00,,,,,db01,10.1.0.6,,,1433")
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "Destination port"), (4, "Source IP"), (4, "Source server name"), (5, "Source server name")}
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


# --- time slots as real appliances write them (locale and version variants) ---------------------

@pytest.mark.parametrize("slot, first, last", [
    ("7/28/2026 12:00-18:00", "2026-07-28T12:00:00", "2026-07-28T18:00:00"),           # US, no spaces
    ("28/07/2026 12:00 - 18:00", "2026-07-28T12:00:00", "2026-07-28T18:00:00"),        # day-first, spaced
    ("2026-07-28 12:00 - 2026-07-28 18:00", "2026-07-28T12:00:00", "2026-07-28T18:00:00"),
    ("7/28/2026 18:00-24:00", "2026-07-28T18:00:00", "2026-07-29T00:00:00"),           # 24:00 ends the day
    ("28.07.2026 18:00 - 00:00", "2026-07-28T18:00:00", "2026-07-29T00:00:00"),        # end rolls over
    ("7/28/2026 12:00 PM - 6:00 PM", "2026-07-28T12:00:00", "2026-07-28T18:00:00"),
    ("2026-08-21..2026-09-20", "2026-08-21T00:00:00", "2026-09-21T00:00:00"),          # aggregated over days
])
def test_time_slot_variants_give_first_and_last_seen(tmp_path, slot, first, last):
    path = write(tmp_path, f'"{slot}",app01,10.1.0.5,,,db01,10.1.0.6,,,1433')
    [edge] = parse_dependency_file(path).dependencies
    assert (edge.weight, edge.first_seen, edge.last_seen) == (1, first, last)


def test_an_ambiguous_slashed_date_is_read_the_way_the_rest_of_the_file_is(tmp_path):
    # 03/08 alone could be March 8 or 3 August; 28/07 in the same export says day-first.
    path = write(tmp_path, "03/08/2026 00:00 - 06:00,app01,,,,db01,,,,1433",
                 "28/07/2026 06:00 - 12:00,app01,,,,db01,,,,1433")
    [edge] = parse_dependency_file(path).dependencies
    assert (edge.first_seen, edge.last_seen) == ("2026-07-28T06:00:00", "2026-08-03T06:00:00")


def test_unreadable_slots_still_count_with_one_summary_warning(tmp_path):
    path = write(tmp_path, "yesterday,app01,,,,db01,,,,1433", "slot 17,app01,,,,db01,,,,1433",
                 "7/28/2026 12:00-18:00,app01,,,,db01,,,,1433", "yesterday,web01,,,,db01,,,,443")
    parsed = parse_dependency_file(path)
    edges = {(d.source, d.port): d for d in parsed.dependencies}
    assert edges[("app01", 1433)].weight == 3
    assert (edges[("app01", 1433)].first_seen, edges[("app01", 1433)].last_seen) == \
        ("2026-07-28T12:00:00", "2026-07-28T18:00:00")
    assert (edges[("web01", 443)].weight, edges[("web01", 443)].first_seen) == (1, None)
    [warning] = parsed.warnings
    assert warning.startswith("3 row(s) have a time slot that is not a date and time (e.g. 'yesterday')")


def test_a_malformed_address_beside_a_server_name_is_a_warning_not_an_error(tmp_path):
    path = write(tmp_path, "7/28/2026 12:00-18:00,app01,10.1.0.999,,,db01,10.1.0.6,,,1433")
    parsed = parse_dependency_file(path)
    [edge] = parsed.dependencies
    assert (edge.source, edge.source_ip) == ("app01", None)
    assert parsed.warnings == ("1 address(es) are not IP addresses and were ignored, the server name being known "
                               "(e.g. row 2, column 'Source IP': '10.1.0.999')",)


def test_a_row_of_addresses_only_as_the_appliance_writes_destinations_outside_discovery(tmp_path):
    # The shape of a real export row: no server names, a US slot without spaces, Windows processes.
    path = write(tmp_path, "7/28/2026 12:00-18:00,,10.137.18.124,Windows,svchost.exe,,10.6.30.159,Windows,"
                           "unsecapp.exe,63614")
    [edge] = parse_dependency_file(path).dependencies
    assert (edge.source, edge.destination, edge.port, edge.process) == ("10.137.18.124", "10.6.30.159", 63614,
                                                                        "unsecapp.exe")
    assert (edge.first_seen, edge.last_seen) == ("2026-07-28T12:00:00", "2026-07-28T18:00:00")


def test_an_export_without_a_time_slot_column_still_gives_its_edges(tmp_path):
    # Seen in the wild: the dependency columns without the slot (a trimmed or re-exported sheet).
    header = HEADER.replace("Time slot,", "")
    path = write(tmp_path, "app01,10.1.0.5,,,db01,10.1.0.6,,sqlservr.exe,1433",
                 "app01,10.1.0.5,,,db01,10.1.0.6,,sqlservr.exe,1433", header=header)
    parsed = parse_dependency_file(path)   # detected as the Azure Migrate export by its other columns
    [edge] = parsed.dependencies
    assert (edge.weight, edge.first_seen, edge.process) == (2, None, "sqlservr.exe")
    assert parsed.warnings == ("no Time slot column: each row counts as one observation, without first/last seen",)


def test_a_file_mixing_date_orders_reads_ambiguous_slots_the_way_most_others_are_written(tmp_path):
    path = write(tmp_path, "03/08/2026 00:00 - 06:00,app01,,,,db01,,,,1433",
                 "28/07/2026 18:00 - 24:00,app01,,,,db01,,,,1433", "29/07/2026 00:00 - 06:00,app01,,,,db01,,,,1433",
                 "7/30/2026 12:00-18:00,app01,,,,db01,,,,1433")
    [edge] = parse_dependency_file(path).dependencies
    assert (edge.weight, edge.first_seen, edge.last_seen) == (4, "2026-07-28T18:00:00", "2026-08-03T06:00:00")

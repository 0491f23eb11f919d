"""Generic dependency CSV, format detection, hostile files, and generated rows (hypothesis)."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.inventory.dependencies import detect_format, parse_dependency_file
from migrate.inventory.model import InputError

from tests.conftest import examples


def write(tmp_path, text: str, name: str = "deps.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def test_weights_add_up_and_seen_times_widen(tmp_path):
    path = write(tmp_path, "source,destination,port,protocol,process,weight,first_seen,last_seen\n"
                           "app01,db01,1433,tcp,sqlservr.exe,10,2025-03-01T00:00:00,2025-03-02T00:00:00\n"
                           "APP01,db01,1433,,,5,2025-02-27T00:00:00,2025-03-01T00:00:00\n"
                           "app01,db01,1433,tcp,,,2025-03-01T00:00:00,2025-03-05T00:00:00\n")
    parsed = parse_dependency_file(path)
    assert parsed.format == "dependency-csv"
    by_source = {d.source: d for d in parsed.dependencies}
    # Names are kept as written: the store matches servers case-insensitively.
    assert by_source["app01"].weight == 11
    assert by_source["app01"].last_seen == "2025-03-05T00:00:00"
    assert by_source["APP01"].weight == 5


def test_minimal_columns_in_any_order_with_semicolons(tmp_path):
    path = write(tmp_path, "Port;Destination;Source\n443;10.1.0.5;::ffff:10.6.0.9\n")
    [edge] = parse_dependency_file(path).dependencies
    assert (edge.source, edge.destination, edge.port, edge.weight) == ("10.6.0.9", "10.1.0.5", 443, 1)
    assert edge.source_ip == "10.6.0.9" and edge.destination_ip == "10.1.0.5"


def test_every_bad_cell_is_reported(tmp_path):
    path = write(tmp_path, "source,destination,port,protocol,weight,first_seen\n"
                           ",db01,1433,tcp,1,\n"
                           "app01,db01,http,tcp,1,\n"
                           "app01,db01,1433,icmp,1,\n"
                           "app01,db01,1433,tcp,-2,\n"
                           "app01,db01,1433,tcp,1,last tuesday\n")
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "source"), (3, "port"), (4, "protocol"), (5, "weight"), (6, "first_seen")]


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>Sign in</body></html>", "HTML"),
    (b"PK\x03\x04" + bytes(200), "Excel"),
    (bytes(range(256)) * 4, "binary"),
])
def test_hostile_files_are_one_clear_problem(tmp_path, content, message):
    path = tmp_path / "deps.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        parse_dependency_file(path)
    [problem] = caught.value.problems
    assert message in problem.message


def test_unrecognised_text_asks_for_a_format(tmp_path):
    with pytest.raises(InputError) as caught:
        parse_dependency_file(write(tmp_path, "name,owner\nweb01,ops\n"))
    assert "--format" in caught.value.problems[0].message


@pytest.mark.parametrize("head, expected", [
    ("Timeslot,Source server name,Destination server name,Destination port\n", "azure-migrate"),
    ("*Time slot;Source server name;Destination server name;Destination port\n", "azure-migrate"),
    ("source,destination,port\n", "csv"),
    ("# host: a\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n", "ss"),
    ("ESTAB 0 0 10.0.0.1:22 10.0.0.2:5000\n", "ss"),
    ("Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n", "ss"),
    ("Active Internet connections (w/o servers)\n", "netstat"),
    ("\r\nActive Connections\r\n\r\n  Proto  Local Address  Foreign Address  State  PID\r\n", "netstat"),
    ("  TCP    10.0.0.1:49700   10.0.0.9:443   ESTABLISHED   4321\n", "netstat"),
    ("hello world\n", None),
])
def test_detect_format(head, expected):
    assert detect_format(head) == expected


names = st.text(alphabet=string.ascii_letters + string.digits + "-.", min_size=1, max_size=20)
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(names, names, st.integers(1, 65535), st.sampled_from(["tcp", "udp", "TCP", ""]),
                               st.integers(1, 10_000)), min_size=1, max_size=30))
def test_generated_valid_rows_keep_every_observation(tmp_path, rows):
    lines = ["source,destination,port,protocol,weight"]
    lines += [f"{s},{d},{p},{proto},{w}" for s, d, p, proto, w in rows]
    parsed = parse_dependency_file(write(tmp_path, "\n".join(lines) + "\n"))
    assert sum(d.weight for d in parsed.dependencies) == sum(w for *_, w in rows)
    keys = [(d.source, d.destination, d.port, d.protocol) for d in parsed.dependencies]
    assert len(keys) == len(set(keys))


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=12), min_size=1, max_size=15),
       header=st.sampled_from(["source,destination,port,protocol,weight,first_seen",
                               "Time slot,Source server name,Source IP,Destination server name,Destination IP,"
                               "Destination port"]))
def test_generated_garbage_rows_give_located_problems_or_edges_never_a_crash(tmp_path, rows, header):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([header.split(","), *rows])
    try:
        parsed = parse_dependency_file(write(tmp_path, buffer.getvalue()))
    except InputError as error:
        assert error.problems
        assert all(p.file.endswith("deps.csv") and p.message for p in error.problems)
    else:
        assert all(1 <= d.port <= 65535 and d.weight >= 1 for d in parsed.dependencies)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.text(alphabet=string.printable, max_size=80), max_size=20))
def test_generated_host_lists_never_crash(tmp_path, lines):
    path = write(tmp_path, "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" + "\n".join(lines),
                 name="web01.ss.txt")
    try:
        parse_dependency_file(path, "ss")
    except InputError as error:
        assert error.problems
